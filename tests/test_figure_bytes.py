"""The figures a fresh run of the notebooks makes are the committed bytes.

``make test`` runs nbval with ``ANALYSIS_FIGURES`` pointing at a temporary folder (so the
committed ``figures/`` are never written) and then runs this file with
``ANALYSIS_BUILT_FIGURES`` naming that folder: one test per committed figure file.
Outside ``make test`` the per-figure tests are skipped; the tests of the comparison
itself always run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from analysis import figures, paths

COMMITTED = paths.ROOT / "figures"
BUILT = os.environ.get("ANALYSIS_BUILT_FIGURES")
NAMES = sorted(f.name for f in COMMITTED.iterdir() if f.suffix in figures.FIGURE_SUFFIXES)


@pytest.mark.skipif(not BUILT, reason="make test sets ANALYSIS_BUILT_FIGURES after nbval")
@pytest.mark.parametrize("name", NAMES)
def test_committed_figure_is_rebuilt_byte_for_byte(name):
    problems = [p for p in figures.compare(BUILT, COMMITTED) if p.startswith(name + ":")]
    assert problems == []


@pytest.mark.skipif(not BUILT, reason="make test sets ANALYSIS_BUILT_FIGURES after nbval")
def test_run_made_no_figure_that_is_not_committed():
    assert [p for p in figures.compare(BUILT, COMMITTED) if "not committed" in p] == []


def _copy_committed(tmp_path: Path) -> Path:
    built = tmp_path / "built"
    shutil.copytree(COMMITTED, built)
    return built


def test_one_changed_byte_in_a_png_is_named(tmp_path):
    built = _copy_committed(tmp_path)
    assert figures.compare(built, COMMITTED) == []  # the copy agrees
    png = built / "02_reorganisation_overlay.png"
    data = bytearray(png.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte in the image data
    png.write_bytes(bytes(data))
    assert figures.compare(built, COMMITTED) == [
        "02_reorganisation_overlay.png: differs from the committed bytes"]


def test_missing_and_extra_figures_are_named(tmp_path):
    built = _copy_committed(tmp_path)
    (built / "03_keyness.svg").unlink()
    (built / "99_new.png").write_bytes(b"\x89PNG")
    assert figures.compare(built, COMMITTED) == [
        "03_keyness.svg: committed but not made by the run",
        "99_new.png: made by the run but not committed"]


def test_sidecar_written_elsewhere_compares_by_content(tmp_path):
    # A sidecar written to a temporary folder records absolute output paths; after the
    # folder is read as figures/ it equals the committed one, and any other change to it
    # (here the recorded hash of the PNG) is still a difference.
    built = _copy_committed(tmp_path)
    meta = built / "06_agreement_by_code.json"
    record = json.loads(meta.read_text(encoding="utf-8"))
    for out in record["outputs"]:
        out["path"] = str(built / Path(out["path"]).name)
    meta.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    assert figures.compare(built, COMMITTED) == []
    record["outputs"][0]["sha256"] = "0" * 64
    meta.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    assert figures.compare(built, COMMITTED) == [
        "06_agreement_by_code.json: differs from the committed bytes"]
