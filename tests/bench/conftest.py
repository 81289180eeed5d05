"""The benchmark scripts are not a package: their tests import them from bench/ by name
(bench/ on the path while they import, since they import each other)."""

import importlib
import sys

import pytest

from analysis import paths


def _bench_module(name: str):
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
