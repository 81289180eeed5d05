#!/bin/sh
# Install Debian's headless browser for the browser tests (tests/test_report.py,
# tests/test_jupyterlab.py): the packages chromium and chromium-driver, i.e.
# /usr/bin/chromium and /usr/bin/chromedriver. Selenium drives these system binaries,
# so no browser is ever downloaded at test time.
#
# Idempotent: does nothing when both are present. Never fails the caller: without root
# (or sudo without a password) or without apt-get it says why and exits 0, and the
# browser tests are then reported as skipped.
set -u

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_chromium: apt-get not found; install Chromium and chromedriver by hand" \
         "(the browser tests will be skipped)" >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install_chromium: not root and no password-less sudo; run as root:" \
         "apt-get install -y chromium chromium-driver (the browser tests will be skipped)" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
# Update the package lists only when the packages are unknown (a fresh container).
if ! apt-cache show chromium chromium-driver >/dev/null 2>&1; then
    $SUDO apt-get update -q >"$log" 2>&1
fi
# No recommends (udev, upower, printing...), but a font, or screenshots show boxes.
if $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver \
        fonts-liberation >>"$log" 2>&1; then
    echo "install_chromium: installed $(/usr/bin/chromium --version 2>/dev/null)"
else
    echo "install_chromium: apt-get install failed (the browser tests will be skipped):" >&2
    tail -n 5 "$log" >&2
fi
rm -f "$log"
exit 0
