"""tools/notebook_deps.py: the package modules a notebook's stamp depends on."""

import doctest
import importlib.util
import json

import pytest

from analysis.paths import ROOT

spec = importlib.util.spec_from_file_location("notebook_deps", ROOT / "tools" / "notebook_deps.py")
deps = importlib.util.module_from_spec(spec)
spec.loader.exec_module(deps)


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _notebook(path, cells):
    path.write_text(json.dumps({"cells": [
        {"cell_type": kind, "source": source, "metadata": {}} for kind, source in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.fixture
def package(tmp_path):
    _write(tmp_path, {
        "analysis/__init__.py": "VERSION = '1'\n",
        "analysis/paths.py": "import os\n",
        "analysis/io.py": "from . import paths\n",
        "analysis/plots.py": "from .io import write\n\ndef f():\n    from . import late\n",
        "analysis/late.py": "X = 1\n",
        "analysis/unused.py": "import json\n",
        "analysis/sub/__init__.py": "from .inner import thing\n",
        "analysis/sub/inner.py": "from .. import paths\nthing = 1\n",
        "analysis/sub/other.py": "",
        "analysis/dyn.py": "import importlib\nimportlib.import_module('analysis.unused')\n",
    })
    return tmp_path


def test_a_notebook_depends_on_what_it_imports_and_what_that_imports(package):
    nb = _notebook(package / "nb.ipynb", [
        ("code", "%matplotlib inline\nfrom analysis import plots, VERSION\n"),
        ("markdown", "from analysis import unused\n"),  # prose, not code
        ("code", ["import analysis.sub\n", "!ls\n"]),
    ])
    # Worked by hand from the files above: plots -> io (import) and late (inside a
    # function) -> paths; analysis.sub runs sub/__init__ -> sub/inner -> paths; every
    # module runs analysis/__init__. VERSION is a name, not a module; unused, dyn and
    # sub/other are never imported.
    assert deps.notebook_deps(nb, package) == [
        "analysis/__init__.py", "analysis/io.py", "analysis/late.py", "analysis/paths.py",
        "analysis/plots.py", "analysis/sub/__init__.py", "analysis/sub/inner.py"]


def test_an_import_by_name_makes_everything_a_dependency(package):
    nb = _notebook(package / "nb.ipynb", [("code", "from analysis.dyn import X\n")])
    assert len(deps.notebook_deps(nb, package)) == 10  # every .py file of the fixture


def test_the_demo_timeline_notebook():
    # notebooks/01 imports figures, paths, plots, timeline and pipeline.notebooks (its
    # first and last code cells); it draws no interview statistics.
    got = set(deps.notebook_deps(ROOT / "notebooks" / "01_strategy_timeline.ipynb"))
    assert {"analysis/__init__.py", "analysis/figures/__init__.py", "analysis/figures/style.py",
            "analysis/figures/saving.py", "analysis/paths.py", "analysis/plots.py",
            "analysis/timeline.py", "analysis/pipeline/__init__.py",
            "analysis/pipeline/notebooks.py"} <= got
    assert not got & {"analysis/reliability.py", "analysis/alignment.py",
                      "analysis/pipeline/build.py", "analysis/pipeline/verify.py"}


def test_the_makefile_fragment(tmp_path, package):
    nb = _notebook(package / "07_x.ipynb", [("code", "from analysis import paths\n")])
    text = deps.makefile([nb], package)
    assert "$(STAMPS)/nb-07_x: analysis/__init__.py \\\n  analysis/paths.py\n" in text
    # no analysis/pipeline/build.py in the fixture: only the package itself
    assert text.endswith("BUILD_DEPS := analysis/__init__.py\n")


def test_doctests():
    assert doctest.testmod(deps).failed == 0
