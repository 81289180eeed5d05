"""The two installation routes (pip lock file, conda environment.yml) must agree."""

import re
import sys

from analysis.paths import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import environment_yml  # noqa: E402


def _conda_pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        m = re.fullmatch(r"\s+- ([A-Za-z0-9_.\-]+)=([^=\s]+)", line)
        if m and m.group(1) != "python":
            pins[m.group(1)] = m.group(2)
    return pins


def test_environment_yml_has_the_lock_files_pins():
    lock = environment_yml.parse_lock((ROOT / "requirements.lock").read_text())
    conda = _conda_pins((ROOT / "environment.yml").read_text())
    expected = {environment_yml.CONDA_NAMES.get(n, n): v for n, v in lock.items()}
    assert conda == expected


def test_environment_yml_is_generated_not_edited():
    lock = (ROOT / "requirements.lock").read_text()
    assert (ROOT / "environment.yml").read_text() == environment_yml.render(
        environment_yml.parse_lock(lock))


def test_every_direct_dependency_is_pinned():
    lock = environment_yml.parse_lock((ROOT / "requirements.lock").read_text())
    direct = [line.split("#")[0].strip().lower() for line in
              (ROOT / "requirements.in").read_text().splitlines()]
    missing = [d for d in direct if d and d not in lock]
    assert not missing


def test_running_interpreter_matches_lock():
    from importlib.metadata import version

    lock = environment_yml.parse_lock((ROOT / "requirements.lock").read_text())
    for name in ("pandas", "matplotlib", "seaborn", "nltk", "papermill", "nbval"):
        assert version(name) == lock[name], name
