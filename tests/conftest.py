"""Shared test settings: a headless backend, the repository's fixed environment, the order
in which xdist hands out the test files, and the private-study build shared by the
end-to-end tests, and the benchmark scripts for tests/bench/ (bench/ is not a package;
one conftest for all, since two files named conftest.py without packages collide)."""

import importlib
import os
import sys
from pathlib import Path

import matplotlib
import pytest

import _private_build

matplotlib.use("Agg")
os.environ.setdefault("TZ", "UTC")


def pytest_collection_modifyitems(config, items):
    # `make test` hands out whole files (--dist loadfile, --no-loadscope-reorder) in
    # collection order: the longest go first (files with a ``slow`` or ``browser`` test:
    # the end-to-end builds, JupyterLab, Chromium, the property tests; then the
    # notebooks), so that no worker starts a long file last while the other waits.
    # Within a file the order is kept.
    rank: dict = {}
    for item in items:
        long = item.get_closest_marker("slow") or item.get_closest_marker("browser")
        cost = 0 if long else 1 if item.path.suffix == ".ipynb" else 2
        rank[item.path] = min(rank.get(item.path, cost), cost)
    items.sort(key=lambda item: rank[item.path])  # stable: files keep their order


@pytest.fixture(scope="session")
def repository_template(tmp_path_factory) -> Path:
    """This repository as a fresh git repository, copied and prepared once per session
    (:func:`_private_build.shared_template`): under xdist, the workers' temporary
    folders share a parent that is this session's own."""
    if not (_private_build.VENV / "bin" / "python").is_file():
        pytest.skip("no .venv: run make env")
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return _private_build.shared_template(shared / "repository-template")


@pytest.fixture(scope="session")
def build_private_study(tmp_path_factory, repository_template):
    """Build a private study end to end, once per session for each name.

    ``build_private_study(name, write_study)`` clones the repository copy, calls
    ``write_study(folder)`` to write the study into the clone's ``data/raw/private/``
    (it returns whatever the tests need to know about the study), runs
    ``make all STUDY=private`` there and returns a :class:`_private_build.PrivateBuild`
    (``repo``, ``study``, ``run``, ``out``; ``.make(...)`` and ``.git(...)`` in the
    clone). The build itself is not checked: each test asserts on ``run`` what it needs.
    The same name returns the same build, so every test of a study shares one build; a
    test that changes the clone must put it back as it found it.
    """
    built: dict[str, _private_build.PrivateBuild] = {}

    def build(name: str, write_study) -> _private_build.PrivateBuild:
        if name not in built:
            repo = _private_build.clone(repository_template,
                                        tmp_path_factory.mktemp(f"private-{name}") / "repo")
            study = write_study(repo / "data/raw/private")  # an empty folder
            built[name] = _private_build.PrivateBuild(
                repo, study, _private_build.make(repo, "all", "STUDY=private"))
        return built[name]

    return build


def _bench_module(name: str):
    # bench/ on the path only while importing: the scripts import each other by name.
    from analysis import paths

    sys.path.insert(0, str(paths.ROOT / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(paths.ROOT / "bench"))


@pytest.fixture(scope="module")
def scaling():
    return _bench_module("scaling")


@pytest.fixture(scope="module")
def private_rebuild():
    return _bench_module("private_rebuild")


@pytest.fixture(scope="module")
def large_study():
    return _bench_module("large_study")
