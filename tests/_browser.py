"""Helpers for the tests that drive a real browser (test_report.py, test_jupyterlab.py).

Selenium drives Debian's system Chromium through ``/usr/bin/chromedriver``: passing the
driver's path means selenium-manager never looks for (or downloads) a browser. The
browser resolves no host name but 127.0.0.1/localhost, so a page that would wait on the
network fails fast instead of hanging, and nothing leaves the machine. Without Chromium
the tests are skipped with the reason, never passed silently.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"

_ARGUMENTS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--disable-extensions", "--hide-scrollbars",
    "--force-device-scale-factor=1", "--lang=en-GB",
    # Only the local test servers resolve: no request ever reaches the network.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)


def require_chromium() -> None:
    """Skip the calling test, with the reason, when Chromium or Selenium is missing."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        pytest.skip(f"Chromium not installed ({', '.join(missing)} missing): "
                    f"run tools/install_chromium.sh")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium is not installed in this environment")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The browser drops connections it no longer needs (leaving a page mid-load).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_directory(root: Path):
    """Serve ``root`` over HTTP on 127.0.0.1 in a thread; yield the base URL ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 1024, page_load_timeout: float = 30):
    """A headless Chromium (Selenium WebDriver) with a fresh profile; always quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in _ARGUMENTS:
            options.add_argument(argument)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={width},{height}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            driver.set_page_load_timeout(page_load_timeout)
            yield driver
        finally:
            driver.quit()


def wait_for(condition, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    """Poll ``condition()`` until it returns something truthy; return it or fail the test."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def screenshot(driver, path: Path, full_page: bool = True, max_height: int = 16000) -> Path:
    """Save a PNG of the page (the whole page, up to ``max_height`` pixels, by default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if full_page:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"],
                "height": min(size["height"], max_height), "scale": 1}
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "clip": clip})
        path.write_bytes(base64.b64decode(shot["data"]))
    else:
        path.write_bytes(driver.get_screenshot_as_png())
    return path


# Every address a page refers to, with what refers to it and, for images, whether the
# browser managed to decode it (naturalWidth > 0 after loading).
_PAGE_REFERENCES_JS = """
const refs = [];
const add = (kind, el, attr, url) => refs.push({kind: kind, attr: attr, url: url,
    ok: kind === 'img' ? (el.complete && el.naturalWidth > 0) : null});
const all = (selector) => document.querySelectorAll(selector);
for (const el of all('a[href]')) add('a', el, el.getAttribute('href'), el.href);
for (const el of all('img')) add('img', el, el.getAttribute('src') || '', el.currentSrc || el.src);
for (const el of all('link[href]')) add('link', el, el.getAttribute('href'), el.href);
for (const el of all('script[src]')) add('script', el, el.getAttribute('src'), el.src);
for (const el of all('iframe[src], source[src], video[src], audio[src]'))
    add(el.tagName.toLowerCase(), el, el.getAttribute('src'), el.src);
return refs;
"""


def page_references(driver) -> list[dict]:
    """Every link, image, style sheet, script and frame on the loaded page.

    Each entry: ``kind`` (a, img, link, script, ...), ``attr`` (as written), ``url``
    (as the browser resolved it) and ``ok`` (images: decoded; otherwise None).
    """
    return driver.execute_script(_PAGE_REFERENCES_JS)


def classify(url: str, base: str) -> str:
    """'data', 'local' (under ``base``), 'javascript', 'mailto' or 'external'.

    >>> classify("http://127.0.0.1:8000/a/b.html#x", "http://127.0.0.1:8000/")
    'local'
    >>> classify("https://example.org/", "http://127.0.0.1:8000/")
    'external'
    >>> classify("data:image/png;base64,AAAA", "http://127.0.0.1:8000/")
    'data'
    """
    scheme = urlsplit(url).scheme
    if scheme in {"data", "javascript", "mailto"}:
        return scheme
    return "local" if urldefrag(url).url.startswith(base) else "external"


def element_exists(driver, fragment: str) -> bool:
    """Whether ``#fragment`` indicates something on the loaded page.

    As the HTML standard finds it: an element whose id (or an ``<a>`` whose name) is the
    fragment as written, else as percent-decoded; ``#top`` and ``#`` are the page's top.
    (nbconvert writes heading ids percent-encoded, so the first form matters.)
    """
    return driver.execute_script("""
        const raw = arguments[0];
        if (raw === '' || raw.toLowerCase() === 'top') return true;
        const find = (f) => document.getElementById(f) ||
            document.querySelector('a[name="' + CSS.escape(f) + '"]');
        if (find(raw)) return true;
        try { return !!find(decodeURIComponent(raw)); } catch (e) { return false; }
        """, fragment)


def severe_console_messages(driver) -> list[str]:
    """The browser console's errors since the last call (failed loads, script errors)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry.get("level") == "SEVERE"]


def write_json(path: Path, record) -> Path:
    """Write ``record`` as sorted, indented JSON (a test artefact under build/)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def http_status(url: str, timeout: float = 10) -> int:
    """The HTTP status of a GET of ``url`` (local servers only)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def crawl(driver, start: str, base: str, on_page=None) -> dict:
    """Load ``start`` and every local HTML page it links to, checking every reference.

    Local addresses (under ``base``) must answer 200, images must decode, a link's
    ``#fragment`` must name an element of its page, nothing may be loaded from outside
    (an external ``<a href>`` is listed, not fetched) and the console must show no error.

    Parameters
    ----------
    driver : selenium WebDriver
    start : str
        The first page's URL.
    base : str
        The site's base URL; only pages under it are crawled.
    on_page : callable, optional
        ``on_page(driver, url)`` is called once each page has loaded (screenshots).

    Returns
    -------
    dict
        ``pages`` (URLs, in visiting order), ``problems`` (sorted strings: page, what,
        address), ``external`` (sorted external links) and ``references`` (page -> its
        references).
    """
    queue, seen = [start], {start}
    problems, external, references, statuses = set(), set(), {}, {}
    fragments: dict[str, set[str]] = {}
    for page in queue:
        driver.get(page)
        wait_for(lambda: driver.execute_script("return document.readyState") == "complete",
                 what=f"{page} to load")
        if on_page is not None:
            on_page(driver, page)
        refs = page_references(driver)
        references[page] = refs
        for message in severe_console_messages(driver):
            problems.add(f"{page}: console error: {message}")
        for ref in refs:
            kind, url = ref["kind"], ref["url"]
            where = classify(url, base)
            if kind == "img" and not ref["ok"]:
                problems.add(f"{page}: image not loaded: {ref['attr'][:80]}")
            if where == "external":
                if kind == "a":
                    external.add(url)
                else:
                    problems.add(f"{page}: external {kind} loaded from {url}")
                continue
            if where != "local":
                continue
            target, fragment = urldefrag(url)
            if target not in statuses:
                statuses[target] = http_status(target)
            if statuses[target] != 200:
                problems.add(f"{page}: broken {kind} ({statuses[target]}): {ref['attr']}")
                continue
            is_page = kind == "a" and (target.endswith(".html") or target.endswith("/"))
            if is_page and fragment:
                fragments.setdefault(target, set()).add(fragment)
            if is_page and target not in seen:
                seen.add(target)
                queue.append(target)
    # Fragments are checked once every link is known: a page may be linked to from a
    # page visited after it.
    for target, names in sorted(fragments.items()):
        driver.get(target)
        for fragment in sorted(names):
            if not element_exists(driver, fragment):
                problems.add(f"{target}: no element for link #{fragment}")
    return {"pages": queue, "problems": sorted(problems), "external": sorted(external),
            "references": references}
