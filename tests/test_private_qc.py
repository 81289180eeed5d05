"""A real coding project nobody here wrote: ``make all STUDY=private`` on the REFI-QDA
export of qualitative-coding (qc) 1.3.2 (``tests/fixtures/qc_1_3_2/``, see its
PROVENANCE.md for how qc made it).

qc names no ``<TextSource>`` (only ``plainTextPath="gpg_summary.txt"``), codes whole
lines, uses its own nested codebook and was run on the ORIGINAL texts. The study adds an
identifier key and a ``code_map.csv`` that maps part of qc's codes onto SST ids, so
notebooks 04 and 05 must show SST views through the map and state the unmapped share.

One full build (the only one this file runs), in a temporary git copy of the repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _private_build import git as _git

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "qc_1_3_2"
KEY = {"Informatics Directorate": "[Org A]", "JGPITC": "[Org B]"}
# qc's codes -> SST ids: "records" and "data quality" stay unmapped
CODE_MAP = ("code,sst_code\ngovernance,th_data_ig\nsharing,th_standards_interop\n"
            "sharing,sst_ext_sociotech\nstrategy,th_central_local\n")
TRANSCRIPTS = {"P01": ("gpg_summary.txt", "macro"), "P02": ("gpg_context.txt", "meso")}


def make_study(folder: Path) -> None:
    (folder / "transcripts").mkdir(parents=True)
    (folder / "coding").mkdir()
    for name, _ in TRANSCRIPTS.values():
        shutil.copy(FIXTURE / name, folder / "transcripts" / name)
    shutil.copy(FIXTURE / "gpg_qc_1_3_2.qdpx", folder / "coding")
    (folder / "participants.csv").write_text(
        "participant_id,tier,transcript\n"
        + "".join(f"{pid},{tier},{name}\n" for pid, (name, tier) in TRANSCRIPTS.items()))
    (folder / "identifier_key.csv").write_text(
        "original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()))
    (folder / "code_map.csv").write_text(CODE_MAP)
    (folder / "study.yml").write_text("parameters:\n  all: {n_boot: 50}\n")


@pytest.fixture(scope="module")
def built(build_private_study):
    """``make all STUDY=private`` once (the shared fixture), in a copy of this repository."""
    made = build_private_study("qc-1.3.2", make_study)
    assert made.run.returncode == 0, made.run.stdout[-3000:] + made.run.stderr[-3000:]
    return made.repo


def _outputs(nb: Path) -> str:
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", (nb.name, out.get("ename"))
    return "\n".join("".join(out.get("text", "")) for c in cells for out in c.get("outputs", []))


def test_qc_export_builds_and_leaves_git_clean(built):
    assert _git(built, "status", "--porcelain") == ""
    out = built / "build/private"
    assert len(list((out / "notebooks").glob("*.ipynb"))) == len(
        list((built / "notebooks").glob("*.ipynb")))
    for path in [*(out / "processed/interviews").rglob("*"), *(out / "notebooks").glob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert not any(k.encode() in data for k in KEY), path


def test_qc_lines_land_on_the_same_words_after_pseudonymisation(built):
    import pandas as pd

    processed = built / "build/private/processed/interviews"
    seg = pd.read_csv(processed / "segments.csv", dtype=str, keep_default_na=False)
    # Expected, independently of the package: qc's coding plan (file -> line from 1 ->
    # codes), each whole line with its newline, the key applied with str.replace.
    plan = json.loads((FIXTURE / "coding_plan.json").read_text())
    expected = []
    for pid, (name, _) in TRANSCRIPTS.items():
        lines = (FIXTURE / name).read_text().splitlines(keepends=True)
        for number, codes in plan[name].items():
            text = lines[int(number) - 1]
            for original, replacement in KEY.items():
                text = text.replace(original, replacement)
            expected += [(pid, code.strip().replace(" ", "_"), text)
                         for code in codes.split(",")]
    assert sorted(zip(seg["source_id"], seg["code_id"], seg["text"])) == sorted(expected)
    assert len(expected) == 12 and set(seg["coder"]) == {"sam"}
    report = pd.read_csv(processed / "import_report.csv", dtype=str, keep_default_na=False)
    matched = report[report["what"] == "source matched to participant"]
    assert sorted(matched["detail"]) == ["P01 by file stem", "P02 by file stem"]
    carried = dict(report[report["what"] == "coded on the original transcript"]
                   [["item", "detail"]].values)
    # P01: every coded line is on or after line 5, where the first name is replaced;
    # P02: lines 6, 10, 16, 20 come before any name, lines 29 and 30 hold names
    assert carried == {
        "P01": "6 selection(s) carried onto the pseudonymised text: 6 moved, 0 unchanged, "
               "0 widened to a whole replacement, 0 could not be placed",
        "P02": "6 selection(s) carried onto the pseudonymised text: 2 moved, 4 unchanged, "
               "0 widened to a whole replacement, 0 could not be placed"}


def test_notebooks_04_and_05_show_sst_views_through_the_code_map(built):
    nbs = built / "build/private/notebooks"
    # hand-worked from coding_plan.json: 12 codings; records 1 + data quality 2 unmapped
    sentence = ("Unmapped coding (sam): 3 of 12 coded segments (25%) use codes with no SST "
                "mapping (code_map.csv); the SST views show the other 9.")
    text04 = _outputs(nbs / "04_interview_theme_matrix.ipynb")
    text05 = _outputs(nbs / "05_policy_practice_alignment.ipynb")
    assert sentence in text04 and sentence in text05
    assert "No SST view" not in text04 and "No bracket view" not in text04
    assert "policy and practice cannot be compared" not in text05
    figures = built / "build/private/figures"
    for name in ("04_sst_by_tier", "04_brackets_by_position", "05_policy_practice_shares"):
        assert (figures / f"{name}.png").is_file(), name


def test_thesis_report_and_export_pass_the_leak_check(build_private_study):
    # the build the other tests of this file share; what make thesis, make report and a
    # qdpx export write for it, and everything else under build/private/, has no finding
    # (the leak check's precision, issue 21)
    made = build_private_study("qc-1.3.2", make_study)
    done = made.everything_written_is_clean()
    assert done.returncode == 0 and done.stdout.rstrip().endswith(" 0 findings"), \
        done.stdout[-3000:] + done.stderr[-3000:]
