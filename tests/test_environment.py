"""The installation routes (hashed pip lock, conda/Binder environment.yml) must agree."""

import re
import sys

from analysis.paths import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import environment_yml  # noqa: E402

LOCK = (ROOT / "requirements.lock").read_text()


def test_environment_yml_asks_conda_for_python_and_pip_only_and_pip_installs_the_lock():
    text = (ROOT / "environment.yml").read_text()
    deps_section = text.split("dependencies:\n", 1)[1]
    deps = re.findall(r"^  - (.+)$", deps_section, flags=re.M)
    pip = re.findall(r"^      - (.+)$", deps_section, flags=re.M)
    assert deps == ["python=3.11", "pip", "pip:"]
    assert pip == ["-r requirements.lock"]


def test_environment_yml_is_generated_not_edited():
    assert (ROOT / "environment.yml").read_text() == environment_yml.render()


def test_every_locked_package_carries_a_sha256_hash():
    # Each requirement starts a line; its hashes follow on continuation lines.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK)
    reqs = [b for b in blocks if not b.startswith("#") and b.strip()]
    assert len(reqs) == len(environment_yml.parse_lock(LOCK))
    unhashed = [b.split()[0] for b in reqs if not re.search(r"--hash=sha256:[0-9a-f]{64}", b)]
    assert unhashed == []


def test_every_direct_dependency_is_pinned():
    lock = environment_yml.parse_lock(LOCK)
    direct = [re.sub(r"[-_.]+", "-", re.split(r"[#<>=!~;\[ ]", line.strip())[0]).lower() for line in
              (ROOT / "requirements.in").read_text().splitlines()]
    missing = [d for d in direct if d and d not in lock]
    assert not missing


def test_running_interpreter_matches_lock():
    from importlib.metadata import version

    lock = environment_yml.parse_lock(LOCK)
    for name in ("pandas", "matplotlib", "seaborn", "nltk", "papermill", "nbval"):
        assert version(name) == lock[name], name
