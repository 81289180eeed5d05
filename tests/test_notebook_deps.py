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


def _notebook(path, cells, parameters=None):
    """A notebook of ``cells`` (kind, source), after a ``parameters`` cell when one is given."""
    tagged = [{"cell_type": "code", "source": parameters, "metadata": {"tags": ["parameters"]}}]
    path.write_text(json.dumps({"cells": (tagged if parameters else []) + [
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


@pytest.mark.parametrize("cells, parameters, reads", [
    # each expected list worked by hand from the cell: which loader or folder it names
    ([("code", "from analysis.processed import load_documents\ncorpus = load_documents()")],
     None, ["documents"]),
    ([("code", "from analysis.processed import load_interviews as li\nli()")], None,
     ["interviews"]),
    ([("code", "from analysis import paths\nx = paths.PROCESSED_INTERVIEWS / 'turns.csv'")],
     None, ["interviews"]),
    # the whole processed folder, or the module by name: both
    ([("code", "from analysis import paths\nx = paths.PROCESSED / 'interviews'")], None,
     ["documents", "interviews"]),
    ([("code", "from analysis import processed\nprocessed.load_documents()")], None,
     ["documents", "interviews"]),
    # the timeline only; prose naming a loader is not code
    ([("code", "from analysis import timeline\ntimeline.load_strategies()"),
      ("markdown", "load_interviews() is not called here")], None, []),
    # a coder parameter: a private study's run fills it in from the processed interviews
    ([("code", "from analysis import timeline")], "coder = 'a'  # whose coding ([] = all)\n",
     ["interviews"]),
    ([("code", "from analysis import timeline")], "start_year = 1992\n", []),
])
def test_which_processed_data_a_notebook_reads(tmp_path, cells, parameters, reads):
    nb = _notebook(tmp_path / "nb.ipynb", cells, parameters)
    assert deps.notebook_reads(nb) == reads


def test_the_demo_notebooks_read_what_their_cells_load():
    # Read off the notebooks by eye: 01 draws the strategies table only, 03 loads the
    # documents corpus (and the raw codebook), 04 the interview study, 05 both.
    nbs = ROOT / "notebooks"
    assert deps.notebook_reads(nbs / "01_strategy_timeline.ipynb") == []
    assert deps.notebook_reads(nbs / "03_document_analysis.ipynb") == ["documents"]
    assert deps.notebook_reads(nbs / "04_interview_theme_matrix.ipynb") == ["interviews"]
    assert deps.notebook_reads(nbs / "05_policy_practice_alignment.ipynb") == [
        "documents", "interviews"]


def test_the_makefile_fragment_names_the_build_stages_a_notebook_reads(package):
    a = _notebook(package / "01_a.ipynb", [("code", "from analysis import paths\n")])
    b = _notebook(package / "02_b.ipynb",
                  [("code", "from analysis.processed import load_interviews\n")])
    text = deps.makefile([a, b], package)
    assert "\n$(STAMPS)/nb-01_a:\n" in text
    assert "\n$(STAMPS)/nb-02_b: $(STAMPS)/interviews-$(STUDY)\n" in text
    assert "\nNB_READS_KNOWN := yes\n" in text


def test_make_reruns_only_the_notebooks_that_read_what_changed(repository_template, tmp_path):
    import re
    import sys

    import _private_build

    repo = _private_build.clone(repository_template, tmp_path / "repo")
    written = _private_build.run(repo, sys.executable, "tools/notebook_deps.py",
                                 "build/notebook-deps.mk",
                                 *sorted(str(p) for p in (repo / "notebooks").glob("*.ipynb")))
    assert written.returncode == 0, written.stderr
    # every stamp up to date without running anything; then what would a changed input redo?
    assert _private_build.make(repo, "-t", "notebooks").returncode == 0

    def rerun(changed: str) -> list[str]:
        dry = _private_build.make(repo, "-n", "notebooks", "-W", changed)
        assert dry.returncode == 0, dry.stderr
        return sorted(set(re.findall(r"notebook run notebooks/(\d\d)_", dry.stdout)))

    # Expected from what each notebook reads (test above): the interviews feed 02, 04-07;
    # the document manifest feeds 03 and 05; the timeline, every notebook.
    assert rerun("data/raw/interviews/demo/participants.csv") == ["02", "04", "05", "06", "07"]
    assert rerun("data/raw/documents.csv") == ["03", "05"]
    assert rerun("data/raw/timeline/eras.csv") == ["01", "02", "03", "04", "05", "06", "07"]


def test_doctests():
    assert doctest.testmod(deps).failed == 0
