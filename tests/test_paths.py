import os

import pytest

from analysis import paths


def test_root_holds_the_project():
    assert (paths.ROOT / "pyproject.toml").is_file()
    assert (paths.ROOT / "analysis" / "paths.py").is_file()


def test_layout_matches_design():
    # The README's "Layout": data/raw, data/raw/private, data/processed, figures, notebooks.
    rel = {name: paths.relative(getattr(paths, name)) for name in
           ("RAW", "PRIVATE", "PROCESSED", "FIGURES", "NOTEBOOKS", "TIMELINE")}
    # ANALYSIS_FIGURES (set by make test) moves figures elsewhere on purpose
    figures = paths.relative(os.environ["ANALYSIS_FIGURES"]) if os.environ.get(
        "ANALYSIS_FIGURES") else "figures"
    assert rel == {"RAW": "data/raw", "PRIVATE": "data/raw/private",
                   "PROCESSED": "data/processed", "FIGURES": figures,
                   "NOTEBOOKS": "notebooks", "TIMELINE": "data/raw/timeline"}


def test_study_dir():
    assert paths.study_dir("private") == paths.PRIVATE
    with pytest.raises(ValueError):
        paths.study_dir("other")


def test_private_folder_is_git_ignored():
    ignore = (paths.ROOT / ".gitignore").read_text().splitlines()
    assert "data/raw/private/*" in ignore
