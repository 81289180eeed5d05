"""A researcher's QualCoder project, end to end: ``make all STUDY=private`` on a study
whose ``coding/`` holds a QualCoder project folder ``fieldwork.qda/`` (``data.qda`` and
``documents/``), not a REFI-QDA export.

The fixture study is invented and unlike the demo: two ``.txt`` interviews labelled
``Interviewer:``/``Respondent:``, ids ``R01``/``R02``, one coder (``mira``), codes in
categories nested three deep plus one code in no category, an image coding (on a
whiteboard photo) and a case with an attribute. The database is written here from
QualCoder's own table definitions (``SCHEMA_V14`` of ``tests/test_qualcoder.py``, copied
there from ``new_project`` in the public QualCoder source). QualCoder codes the text it
stored on import, i.e. the ORIGINAL (identifying) transcript; every position below is
counted by hand in the comments beside the texts, and so is where each one must land on
the pseudonymised text.

Only ONE full build runs (the module fixture ``built``); the other checks (the bare
``data.qda``, the REFI route, refusals, read-only opening) call the build's Python entry
on a study folder of their own, without notebooks.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths, refi
from analysis.pipeline import build
from analysis.__main__ import main as cli
from analysis.refi.qualcoder import _connect, read_qualcoder

from _private_build import VENV, git
from _private_build import run as run_in
from test_qualcoder import SCHEMA_V14


# Invented people and places; each is a key entry and must never reach build/private/.
KEY = {"Priya Natarajan": "[Person A]", "Pontefract": "[Place A]", "Tom Okafor": "[Person B]"}

# R01, line 1 (0-36, "\n" at 36): "Interviewer: Who moved the contract?\n"
# R01, line 2 from 37: Respondent:37-47 _48 Priya49-53 _54 Natarajan55-63 _64 moved65-69
#   _70 it71-72 _73 to74-75 _76 Pontefract77-86 _87 —88 _89 twice90-94 _95 in96-97 _98
#   one99-101 _102 year.103-107 \n108  (109 characters)
R01 = ("Interviewer: Who moved the contract?\n"
       "Respondent: Priya Natarajan moved it to Pontefract \u2014 twice in one year.\n")
# R02, line 1 (0-27): "Interviewer: And the staff?\n"
# R02, line 2 from 28: Respondent:28-38 _39 Tom40-42 _43 Okafor44-49 _50 said51-54 _55
#   agency56-61 _62 staff63-67 _68 cost69-72 _73 us74-75 _76 more77-80 _81 than82-85 _86
#   the87-89 _90 café.91-95 \n96  (97 characters)
R02 = ("Interviewer: And the staff?\n"
       "Respondent: Tom Okafor said agency staff cost us more than the caf\u00e9.\n")
TRANSCRIPTS = {"R01": ("R01_interview.txt", "meso", R01), "R02": ("R02_notes.txt", "micro", R02)}

# QualCoder categories (catid, name, supercatid): Governance > Commissioning > Churn,
# and Workforce at the top.
CATEGORIES = [(1, "Governance", None), (2, "Commissioning", 1), (3, "Churn", 2),
              (4, "Workforce", None)]
# Codes (cid, name, catid, colour); Hearsay sits in no category.
CODES = [(1, "Contract churn", 2, "#1f77b4"), (2, "Repeated change", 3, "#ff7f0e"),
         (3, "Staff turnover", 4, "#2ca02c"), (4, "Hearsay", None, "#d62728")]
# The nesting the build must keep (code id -> parent id), from the two tables above with
# the importer's ids (names lower-cased, spaces to "_").
NESTING = {"governance": "", "commissioning": "governance", "churn": "commissioning",
           "workforce": "", "contract_churn": "commissioning", "repeated_change": "churn",
           "staff_turnover": "workforce", "hearsay": ""}
# Text codings on the ORIGINAL texts: (ctid, cid, fid, pos0, pos1), QualCoder's end
# exclusive. fid 1 is R01, fid 2 is R02.
CODINGS = [(1, 1, 1, 55, 87),   # "Natarajan moved it to Pontefract": starts inside a name
           (2, 2, 1, 90, 108),  # "twice in one year."
           (3, 3, 2, 56, 81),   # "agency staff cost us more"
           (4, 4, 2, 40, 55)]   # "Tom Okafor said"
# Where each must land on the pseudonymised text, worked by hand: in R01 "Priya
# Natarajan" [49,64) becomes "[Person A]" [49,59) (5 shorter) and "Pontefract" [77,87)
# becomes "[Place A]" [72,81) (1 shorter still); a selection starting inside a name
# covers its whole replacement. In R02 "Tom Okafor" and "[Person B]" are both 10 long.
EXPECTED = [("R01", "contract_churn", 49, 81, "[Person A] moved it to [Place A]"),
            ("R01", "repeated_change", 84, 102, "twice in one year."),
            ("R02", "staff_turnover", 56, 81, "agency staff cost us more"),
            ("R02", "hearsay", 40, 55, "[Person B] said")]
D = "2025-03-04 09:30:00"


def write_qualcoder(folder: Path, version: str = "v14") -> Path:
    """A QualCoder project folder (``data.qda`` + ``documents/`` + ``images/``) as
    QualCoder leaves it after importing the two transcripts and a photo, and coding them."""
    (folder / "documents").mkdir(parents=True)
    (folder / "images").mkdir()
    for name, _, text in TRANSCRIPTS.values():  # QualCoder keeps a copy of each import
        (folder / "documents" / name).write_text(text, encoding="utf-8")
    (folder / "images" / "whiteboard.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    con = sqlite3.connect(folder / "data.qda")
    con.executescript(SCHEMA_V14)
    run = con.execute
    run("insert into project values (?,?,'',?,0,0,'mira','')", (version, D, "QualCoder 3.6"))
    for fid, (name, _, text) in enumerate(TRANSCRIPTS.values(), start=1):
        run("insert into source values (?,?,?,null,'','mira',?,null,null)",
            (fid, name, text, D))
    run("insert into source values (3,'whiteboard.png',null,'/images/whiteboard.png','',"
        "'mira',?,null,null)", (D,))
    for catid, name, sup in CATEGORIES:
        run("insert into code_cat values (?,?,'mira',?,'',?)", (catid, name, D, sup))
    for cid, name, catid, colour in CODES:
        run("insert into code_name values (?,?,'',?,'mira',?,?)", (cid, name, catid, D, colour))
    texts = {1: R01, 2: R02}
    for ctid, cid, fid, p0, p1 in CODINGS:
        run("insert into code_text values (?,?,?,?,?,?,'mira',?,'',null,null)",
            (ctid, cid, fid, texts[fid][p0:p1], p0, p1, D))
    # a rectangle of the photo coded "Contract churn": reported, never imported
    run("insert into code_image values (1,3,5,5,120,80,1,'',?,'mira',null,null)", (D,))
    run("insert into cases values (1,'R01','','mira',?)", (D,))
    run("insert into case_text values (1,1,1,0,109,'mira',?,'')", (D,))
    run("insert into attribute_type values ('tier',?,'mira','','case','character')", (D,))
    run("insert into attribute values (1,'tier','case','meso',1,?,'mira')", (D,))
    con.commit()
    con.close()
    return folder


def make_study(folder: Path, project: str = "folder") -> Path:
    """Write the study into ``folder``; ``project`` is ``folder`` (``coding/fieldwork.qda/``),
    ``bare`` (``coding/data.qda``), ``qdpx`` (its REFI-QDA export) or a callable."""
    (folder / "transcripts").mkdir(parents=True)
    (folder / "coding").mkdir()
    for name, _, text in TRANSCRIPTS.values():
        (folder / "transcripts" / name).write_text(text, encoding="utf-8")
    (folder / "participants.csv").write_text(
        "participant_id,tier,transcript\n"
        + "".join(f"{pid},{tier},{name}\n" for pid, (name, tier, _) in TRANSCRIPTS.items()),
        encoding="utf-8")
    (folder / "identifier_key.csv").write_text(
        "original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()),
        encoding="utf-8")
    (folder / "study.yml").write_text(
        "title: Commissioning churn\ncoders: [mira]\ndefault_coder: mira\n"
        "roles: [Interviewer, Respondent]\nparameters:\n  all: {n_boot: 50}\n",
        encoding="utf-8")
    if project == "folder":
        write_qualcoder(folder / "coding" / "fieldwork.qda")
    elif project == "bare":
        qda = write_qualcoder(folder / "qc" / "fieldwork.qda")
        shutil.copy2(qda / "data.qda", folder / "coding" / "data.qda")
        shutil.rmtree(folder / "qc")
    elif project == "qdpx":
        export_as_qdpx(write_qualcoder(folder / "qc" / "fieldwork.qda"),
                       folder / "coding" / "fieldwork.qdpx")
        shutil.rmtree(folder / "qc")
    else:
        project(folder / "coding")
    return folder


def export_as_qdpx(qda: Path, out: Path) -> Path:
    """The QualCoder project as a REFI-QDA ``.qdpx`` written by our exporter: the same
    sources (original texts, named by file), codes with their nesting, and codings."""
    project = read_qualcoder(qda)
    codes = project.codes.rename(columns={"name": "label"})
    sources = project.sources[project.sources["source_id"].isin(list(project.texts))]
    return refi.export_project(out, codes=codes, sources=sources, texts=project.texts,
                               segments=project.segments)


def build_here(monkeypatch, study: Path, out: Path) -> pd.DataFrame:
    """The build's interview stage (what ``make`` runs first) on ``study``; its segments."""
    monkeypatch.setattr(paths, "PRIVATE", study)
    build.build_interviews("private", out=out)
    return read_segments(out)


def read_segments(processed: Path) -> pd.DataFrame:
    return pd.read_csv(processed / "segments.csv", dtype=str, keep_default_na=False)


KEYS = ["source_id", "code_id", "start", "end", "coder", "text"]


def rows(segments: pd.DataFrame) -> list[tuple]:
    return sorted((s, c, int(a), int(b), who, t)
                  for s, c, a, b, who, t in segments[KEYS].itertuples(index=False))


# ------------------------------------------------------------------ the one full build

def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _write_study(folder: Path) -> dict:
    study = make_study(folder)
    qda = study / "coding" / "fieldwork.qda"
    return {"qda": qda, "before": _snapshot(qda)}


@pytest.fixture(scope="module")
def built(build_private_study):
    """``make all STUDY=private`` once, in a copy of this repository, with this .venv."""
    made = build_private_study("qualcoder", _write_study)
    assert made.run.returncode == 0, made.run.stdout[-3000:] + made.run.stderr[-3000:]
    return {"repo": made.repo, **made.study,
            "processed": made.out / "processed/interviews"}


@pytest.mark.slow
def test_every_coding_lands_on_its_words_in_the_pseudonymised_text(built):
    segments = read_segments(built["processed"])
    assert rows(segments) == sorted((*e[:4], "mira", e[4]) for e in EXPECTED)
    for pid, (_, _, original) in TRANSCRIPTS.items():
        text = (built["processed"] / "texts" / f"{pid}.txt").read_text(encoding="utf-8")
        pseudonymised = original
        for name, replacement in KEY.items():
            pseudonymised = pseudonymised.replace(name, replacement)
        assert text == pseudonymised
    report = pd.read_csv(built["processed"] / "import_report.csv", dtype=str,
                         keep_default_na=False)
    moved = report[report["what"] == "coded on the original transcript"]
    # R01: both selections moved, the first widened; R02: the name kept its length.
    assert moved[["item", "detail"]].values.tolist() == [
        ["R01", "2 selection(s) carried onto the pseudonymised text: 2 moved, 0 unchanged, "
                "1 widened to a whole replacement, 0 could not be placed"],
        ["R02", "2 selection(s) carried onto the pseudonymised text: 0 moved, 2 unchanged, "
                "0 widened to a whole replacement, 0 could not be placed"]]


@pytest.mark.slow
def test_import_report_lists_the_image_coding_as_not_imported(built):
    report = pd.read_csv(built["processed"] / "import_report.csv", dtype=str,
                         keep_default_na=False)
    assert report.iloc[0].tolist() == ["info", "data.qda", "QualCoder project",
                                       "schema v14 read from the SQLite database (read-only)"]
    media = report[report["item"].str.startswith("code_image")]
    assert media.values.tolist() == [["warning", "code_image 1",
                                      "picture selection not carried over",
                                      "code 'Contract churn' by mira in whiteboard.png"]]


@pytest.mark.slow
def test_codes_keep_their_categories(built):
    codes = pd.read_csv(built["processed"] / "codes.csv", dtype=str, keep_default_na=False)
    assert dict(zip(codes["code_id"], codes["parent_id"])) == NESTING
    codable = dict(zip(codes["code_id"], codes["codable"]))
    # categories are parents nobody can code; codes are codable
    assert {c for c, v in codable.items() if v.lower() == "false"} == {
        "governance", "commissioning", "churn", "workforce"}


@pytest.mark.slow
def test_notebooks_run_and_nothing_is_written_outside_build_private(built):
    repo = built["repo"]
    assert git(repo, "status", "--porcelain") == ""
    out = repo / "build/private/notebooks"
    executed = sorted(p.name for p in out.glob("*.ipynb"))
    assert executed == sorted(p.name for p in (repo / "notebooks").glob("*.ipynb"))
    for nb in out.glob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", (nb.name, output.get("ename"))
    for path in (repo / "build/private").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for original in KEY:
                assert original.encode() not in data, (path, original)


@pytest.mark.slow
def test_the_qualcoder_project_is_untouched_by_the_build(built):
    # same files, same bytes, same modification times: no -journal, -wal or -shm either
    assert _snapshot(built["qda"]) == built["before"]


@pytest.mark.slow
def test_qdpx_export_of_the_built_study_round_trips(built):
    repo, processed = built["repo"], built["processed"]
    out = repo / "build/private/export/fieldwork.qdpx"
    run = run_in(repo, str(VENV / "bin/python"), "-m", "analysis", "qdpx", "export",
               "--out", str(out), "--study", str(processed))
    assert run.returncode == 0, run.stderr
    back = refi.read_coding_project(out)
    assert rows(back.segments.astype(str)) == rows(read_segments(processed))
    assert set(back.segments["coder"]) == {"mira"}
    assert dict(zip(back.codes["code_id"], back.codes["parent_id"])) == NESTING
    assert git(repo, "status", "--porcelain") == ""


# ------------------------------------------------------------------ function level

@pytest.mark.slow
def test_bare_data_qda_builds_the_same_segments(built, tmp_path, monkeypatch):
    segments = build_here(monkeypatch, make_study(tmp_path / "study", "bare"),
                          tmp_path / "out")
    assert rows(segments) == rows(read_segments(built["processed"]))


@pytest.mark.slow
def test_refi_route_builds_the_same_segments(built, tmp_path, monkeypatch):
    # the same project exported as .qdpx by our REFI writer, then built as any .qdpx is
    out = tmp_path / "out"
    segments = build_here(monkeypatch, make_study(tmp_path / "study", "qdpx"), out)
    assert rows(segments) == rows(read_segments(built["processed"]))
    codes = pd.read_csv(out / "codes.csv", dtype=str, keep_default_na=False)
    assert dict(zip(codes["code_id"], codes["parent_id"])) == NESTING


def test_hand_counted_positions_are_those_of_the_texts():
    # a check of the comments' counting (not of the code under test)
    assert len(R01) == 109 and len(R02) == 97
    for _, _, fid, p0, p1 in CODINGS:
        text = R01 if fid == 1 else R02
        assert text[p0:p1] in {"Natarajan moved it to Pontefract", "twice in one year.",
                               "agency staff cost us more", "Tom Okafor said"}


def test_a_write_through_our_connection_fails(tmp_path):
    db = write_qualcoder(tmp_path / "fieldwork.qda") / "data.qda"
    before = _snapshot(db.parent)
    con = _connect(db)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            con.execute("insert into journal values (9,'x','y',null,'mira')")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            con.execute("update code_text set pos0 = 0")
    finally:
        con.close()
    assert _snapshot(db.parent) == before


def _not_sqlite(coding: Path):
    (coding / "fieldwork.qda").mkdir()
    (coding / "fieldwork.qda" / "data.qda").write_text("QualCoder project notes\n")


def _bare_not_sqlite(coding: Path):
    (coding / "data.qda").write_bytes(b"PK\x03\x04 a zip, not a database")


def _v99(coding: Path):
    write_qualcoder(coding / "fieldwork.qda", version="v99")


@pytest.mark.parametrize("setup, file, reason", [
    (_not_sqlite, "coding/fieldwork.qda/data.qda",
     "not a QualCoder project: not an SQLite database"),
    (_bare_not_sqlite, "coding/data.qda", "not a QualCoder project: not an SQLite database"),
    (_v99, "coding/fieldwork.qda/data.qda",
     "unknown QualCoder schema version 'v99'; this reader knows v1 to v14"),
])
def test_build_refuses_a_bad_project_and_writes_nothing(tmp_path, monkeypatch, capsys,
                                                        setup, file, reason):
    study = make_study(tmp_path / "study", setup)
    private = tmp_path / "build/private"
    out = private / "processed/interviews"
    (out / "texts").mkdir(parents=True)
    (out / "segments.csv").write_text("from the last good build\n")
    before = _snapshot(private)
    monkeypatch.setattr(paths, "PRIVATE", study)
    monkeypatch.setattr(paths, "PROCESSED_INTERVIEWS", out)
    assert cli(["build", "interviews", "--study", "private"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {study / file}: {reason}"]
    # the last good build whole, no temporary folder left beside it
    assert _snapshot(private) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["interviews"]


@pytest.mark.slow
def test_an_edit_in_qualcoder_triggers_a_rebuild(built):
    # make -n -W: what make would redo were data.qda newer, without touching it
    db = built["qda"] / "data.qda"
    make = ["make", "-n", f"VENV={VENV}", "-o", f"{VENV}/.stamp", "all", "STUDY=private"]
    idle = run_in(built["repo"], *make)
    edited = run_in(built["repo"], *make, "-W", str(db.relative_to(built["repo"])))
    assert idle.returncode == 0 and edited.returncode == 0, idle.stderr + edited.stderr
    assert "build interviews --study private" not in idle.stdout
    assert "build interviews --study private" in edited.stdout


def test_thesis_report_and_export_pass_the_leak_check(build_private_study):
    # the build the other tests of this file share; what make thesis, make report and a
    # qdpx export write for it, and everything else under build/private/, has no finding
    # (the leak check's precision, issue 21)
    made = build_private_study("qualcoder", _write_study)
    done = made.everything_written_is_clean()
    assert done.returncode == 0 and done.stdout.rstrip().endswith(" 0 findings"), \
        done.stdout[-3000:] + done.stderr[-3000:]
