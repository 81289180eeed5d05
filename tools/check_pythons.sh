#!/usr/bin/env bash
# Build the locked environment (hashed, wheels only) with each interpreter named on the
# command line that this machine has, import the package's stack in it, and name the
# interpreters that could not be tried. Exit 1 when an available interpreter fails.
set -uo pipefail
cd "$(dirname "$0")/.."
tried=() missing=() failed=()
for py in "$@"; do
  # a name on the PATH that does not run (a pyenv shim for an inactive version) counts as missing
  if ! "$py" -c "import sys" >/dev/null 2>&1; then missing+=("$py"); continue; fi
  dir="build/check-pythons/$py"
  rm -rf "$dir"
  echo "check-pythons: $py ($("$py" -V 2>&1)) -> $dir"
  if "$py" -m venv "$dir" \
     && "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
          --only-binary :all: -r requirements.lock \
     && PYTHONPATH="$PWD" "$dir/bin/python" -c "import pandas, matplotlib.pyplot, seaborn, nltk, papermill, \
docx, lxml, pypdf, sklearn, krippendorff, jupyterlab, nbval, selenium, analysis.figures, analysis.pipeline.verify"; then
    tried+=("$py")
  else
    failed+=("$py")
  fi
  rm -rf "$dir"
done
echo "check-pythons: installed and imported with: ${tried[*]:-none}"
echo "check-pythons: failed with: ${failed[*]:-none}"
echo "check-pythons: not on this machine, not tried: ${missing[*]:-none}"
[ ${#failed[@]} -eq 0 ]
