"""Write environment.yml (conda-forge route) from requirements.lock, with the same pins.

Run by ``make lock``; ``tests/test_environment.py`` fails when the two disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# PyPI names whose conda-forge package is named differently.
CONDA_NAMES = {"pyyaml": "pyyaml", "pillow": "pillow", "pyzmq": "pyzmq",
               "argon2-cffi-bindings": "argon2-cffi-bindings"}


def parse_lock(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if not m:
            raise SystemExit(f"requirements.lock: cannot read pin {line!r}")
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def render(pins: dict[str, str]) -> str:
    lines = [
        "# Conda route (conda-forge). Generated from requirements.lock by tools/environment_yml.py:",
        "# do not edit by hand; run `make lock`. The pins are the same as the pip route's.",
        "name: nhs-it-meso",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
    ]
    lines += [f"  - {CONDA_NAMES.get(n, n)}={v}" for n, v in sorted(pins.items())]
    lines += ["  - pip", "  - pip:", "      - -e ."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    (ROOT / "environment.yml").write_text(render(parse_lock(lock)), encoding="utf-8")
    sys.exit(0)
