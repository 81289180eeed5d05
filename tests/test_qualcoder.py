"""Tests for analysis.refi.qualcoder: QualCoder projects read natively.

The databases are built here from QualCoder's own table definitions: the
``CREATE TABLE`` statements of ``new_project`` in ``src/qualcoder/__main__.py`` of the
public repository ccbogel/QualCoder (schema ``v14``, whose docstring lists what v2 to
v14 added to v1), kept as ``SCHEMA_V14`` in ``analysis/synthetic/qualcoder.py`` for the
generators too. Only the tables this reader touches are created; the values are
invented for each test and every expected position is counted by hand in a comment.
"""

import os
import sqlite3

import pandas as pd
import pytest

from analysis import refi
from analysis.__main__ import main as cli
from analysis.errors import DataError
from analysis.refi.qde import (CASE_COLUMNS, CODE_COLUMNS, MEMO_COLUMNS, REPORT_COLUMNS,
                               SEGMENT_COLUMNS, SOURCE_COLUMNS)
from analysis.refi.qualcoder import KNOWN_VERSIONS, is_qualcoder, read_qualcoder
from analysis.synthetic.qualcoder import SCHEMA_V14

# P01: Tea0-2 _3 😀4 _5 time6-9 :10 _11 the12-14 _15 budget16-21 _22 was23-25 _26 cut27-29 .30
#      \n31 The32-34 _35 SHA36-38 _39 decided40-46 .47
P01 = "Tea \U0001F600 time: the budget was cut.\nThe SHA decided."
P02 = "Café budgets grew."  # Café0-3 _4 budgets5-11 _12 grew13-16 .17
D = "2024-01-01 10:00:00"


def make_project(folder, version="v14", extra=()):
    """A QualCoder project folder: nested categories, two coders, a case, an image coding."""
    folder.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(folder / "data.qda")
    con.executescript(SCHEMA_V14)
    run = con.execute
    run("insert into project values (?,?,?,?,0,0,'ann','')",
        (version, D, "Project memo: pilot study.", "QualCoder 3.6"))
    run("insert into source values (1,'P01.txt',?,null,'Long interview.','ann',?,null,null)",
        (P01, D))
    run("insert into source values (2,'P02.docx',?,'/docs/P02.docx','','ann',?,null,null)",
        (P02, D))
    run("insert into source values (3,'ward.png',null,'/images/ward.png','','ann',?,null,null)",
        (D,))
    run("insert into source values (4,'talk.mp4',null,'/video/talk.mp4','','bob',?,null,null)",
        (D,))
    # Structures (1) > External (2); Agency (3) at the top.
    run("insert into code_cat values (1,'Structures','ann',?,'Top category',null)", (D,))
    run("insert into code_cat values (2,'External','ann',?,'',1)", (D,))
    run("insert into code_cat values (3,'Agency','ann',?,'',null)", (D,))
    run("insert into code_name values (1,'Funding','Money talk',2,'ann',?,'#aa0000')", (D,))
    run("insert into code_name values (2,'Decisions','',3,'ann',?,'#00AA00')", (D,))
    run("insert into code_name values (3,'Loose','',null,'ann',?,null)", (D,))
    codings = [(1, 1, 1, "budget", 16, 22, "ann", "key quote"),
               (2, 1, 1, "budget was cut", 16, 30, "bob", ""),
               (3, 2, 1, "The SHA decided.", 32, 48, "ann", ""),
               (4, 2, 1, "The SHA decided.", 32, 48, "bob", ""),
               (5, 1, 2, "budgets", 5, 12, "bob", "")]
    for ctid, cid, fid, sel, p0, p1, owner, memo in codings:
        run("insert into code_text values (?,?,?,?,?,?,?,?,?,null,null)",
            (ctid, cid, fid, sel, p0, p1, owner, D, memo))
    run("insert into code_image values (1,3,10,10,50,40,1,'',?,'bob',null,null)", (D,))
    run("insert into code_av values (1,4,1000,5000,2,'',?,'bob',null)", (D,))
    run("insert into cases values (1,'P01','Case memo','ann',?)", (D,))
    run("insert into case_text values (1,1,1,0,48,'ann',?,'')", (D,))
    run("insert into attribute_type values ('tier',?,'ann','','case','character')", (D,))
    run("insert into attribute_type values ('site',?,'ann','','file','character')", (D,))
    run("insert into attribute values (1,'tier','case','meso',1,?,'ann')", (D,))
    run("insert into attribute values (2,'site','file','North',2,?,'ann')", (D,))
    run("insert into annotation values (1,1,6,10,'Check this word',?,?)", ("ann", D))
    run("insert into journal values (1,'Reflexive notes','Day one went well.',?,'ann')", (D,))
    for sql in extra:
        run(sql)
    con.commit()
    con.close()
    return folder


def test_same_tables_codes_nested_under_categories(tmp_path):
    project = read_qualcoder(make_project(tmp_path / "study.qda"), codebook=None)
    assert project.codes.columns.tolist() == CODE_COLUMNS
    assert project.sources.columns.tolist() == SOURCE_COLUMNS
    assert project.segments.columns.tolist() == SEGMENT_COLUMNS
    assert project.memos.columns.tolist() == MEMO_COLUMNS
    assert project.cases.columns.tolist() == CASE_COLUMNS
    assert project.report.columns.tolist() == REPORT_COLUMNS
    codes = project.codes.set_index("name")
    # Categories are parents that cannot be coded; codes sit under their category.
    assert codes.loc["Structures", ["parent_id", "is_codable"]].tolist() == ["", False]
    assert codes.loc["External", ["parent_id", "is_codable"]].tolist() == ["structures", False]
    assert codes.loc["Funding", ["parent_id", "is_codable"]].tolist() == ["external", True]
    assert codes.loc["Decisions", "parent_id"] == "agency"
    assert codes.loc["Loose", "parent_id"] == ""
    # Colours are upper-cased #RRGGBB by the REFI importer; memos are descriptions.
    assert codes.loc["Funding", ["colour", "description"]].tolist() == ["#AA0000", "Money talk"]
    assert codes.loc["Structures", "description"] == "Top category"


def test_codings_with_their_coders_at_python_string_positions(tmp_path):
    project = read_qualcoder(make_project(tmp_path / "study.qda"), codebook=None)
    got = project.segments[["source_id", "code_id", "start", "end", "coder", "text"]]
    # Hand-counted in the P01/P02 comments above; 😀 is one Python character.
    assert got.values.tolist() == [
        ["P01_txt", "funding", 16, 22, "ann", "budget"],
        ["P01_txt", "funding", 16, 30, "bob", "budget was cut"],
        ["P01_txt", "decisions", 32, 48, "ann", "The SHA decided."],
        ["P01_txt", "decisions", 32, 48, "bob", "The SHA decided."],
        ["P02_docx", "funding", 5, 12, "bob", "budgets"]]
    sources = project.sources.set_index("source_id")
    assert sources.loc["P01_txt", "offset_unit"] == "codepoint"
    assert sources.loc["ward_png", "kind"] == "picture"
    assert sources.loc["talk_mp4", "kind"] == "video"
    assert project.texts["P01_txt"] == P01 and project.texts["P02_docx"] == P02


def test_image_and_av_codings_are_reported_not_imported(tmp_path):
    project = read_qualcoder(make_project(tmp_path / "study.qda"), codebook=None)
    report = project.report
    assert report.iloc[0].tolist() == ["info", "data.qda", "QualCoder project",
                                       "schema v14 read from the SQLite database (read-only)"]
    media = report[report["item"].str.startswith(("code_image", "code_av"))]
    assert media.values.tolist() == [
        ["warning", "code_image 1", "picture selection not carried over",
         "code 'Funding' by bob in ward.png"],
        ["warning", "code_av 1", "video selection not carried over",
         "code 'Decisions' by bob in talk.mp4"]]
    assert not project.segments["source_id"].isin(["ward_png", "talk_mp4"]).any()


def test_cases_attributes_and_memos(tmp_path):
    project = read_qualcoder(make_project(tmp_path / "study.qda"), codebook=None)
    cases = project.cases[["case", "variable", "value", "source_ids"]].values.tolist()
    assert ["P01", "tier", "meso", "P01_txt"] in cases
    assert ["P02_docx", "site", "North", "P02_docx"] in cases  # a file attribute
    people = pd.DataFrame({"participant_id": ["P01", "P09"], "tier": ["", "micro"]})
    attached = refi.attach_case_attributes(people, project.cases)
    assert attached[["participant_id", "tier"]].values.tolist() == [["P01", "meso"],
                                                                    ["P09", "micro"]]
    memos = project.memos.set_index("text")
    assert memos.loc["Long interview.", "source_id"] == "P01_txt"
    assert memos.loc["key quote", ["source_id", "start", "end"]].tolist() == ["P01_txt", 16, 22]
    # The annotation on "time" (6-10) and the journal, which is not attached to anything.
    assert memos.loc["Check this word", ["start", "end"]].tolist() == [6, 10]
    assert memos.loc["Day one went well.", "target_kind"] == "Project"
    assert memos.loc["Case memo", "target_kind"] == "Case"
    assert "Project memo: pilot study." in memos.index


def test_memos_carry_their_owner_date_and_code(tmp_path):
    project = read_qualcoder(make_project(tmp_path / "study.qda"), codebook=None)
    memos = project.memos.set_index("text")
    columns = ["target_kind", "code_id", "author", "date"]
    # make_project: every memo by ann on D (2024-01-01 10:00:00, written ISO with a T)
    when = "2024-01-01T10:00:00"
    assert memos.loc["key quote", columns].tolist() == ["Coding", "funding", "ann", when]
    # a code's memo is a memo on the code, and stays its definition (description)
    assert memos.loc["Money talk", columns].tolist() == ["Code", "funding", "ann", when]
    assert project.codes.set_index("name").loc["Funding", "description"] == "Money talk"
    assert memos.loc["Top category", ["target_kind", "code_id"]].tolist() == [
        "Code", "structures"]
    assert memos.loc["Long interview.", columns].tolist() == ["TextSource", "", "ann", when]
    assert memos.loc["Check this word", columns].tolist() == ["PlainTextSelection", "", "ann",
                                                              when]
    # the journal: its title, owner and date
    assert memos.loc["Day one went well.", ["title", "author", "date"]].tolist() == [
        "Reflexive notes", "ann", when]


def test_codebook_names_match_code_ids(tmp_path):
    codebook = pd.DataFrame({"code_id": ["th_funding"], "label": ["Funding"]})
    project = read_qualcoder(make_project(tmp_path / "study.qda"), codebook=codebook)
    assert set(project.segments["code_id"]) == {"th_funding", "decisions"}


def test_bare_data_qda_and_seltext_mismatch(tmp_path):
    folder = make_project(tmp_path / "study.qda",
                          extra=["update code_text set seltext='budgie' where ctid=1"])
    project = read_qualcoder(folder / "data.qda", codebook=None)
    rows = project.report[project.report["what"] == "coded text differs from the source"]
    assert rows["item"].tolist() == ["code_text 1"]
    # The text at the stored positions is what the segment keeps.
    assert project.segments.iloc[0]["text"] == "budget"


def test_database_is_never_written(tmp_path):
    folder = make_project(tmp_path / "study.qda")
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    read_qualcoder(folder, codebook=None)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    assert after == before  # no -wal, -shm or -journal appeared; data.qda untouched


def test_wal_mode_database_gets_no_wal_or_shm_files(tmp_path):
    # Checked by hand with sqlite3: "?mode=ro" alone on a WAL-mode database creates
    # data.qda-wal and data.qda-shm beside it and leaves them; "immutable=1" does not.
    folder = make_project(tmp_path / "study.qda")
    con = sqlite3.connect(folder / "data.qda")
    con.execute("pragma journal_mode=wal")
    con.close()  # a clean close checkpoints and removes the -wal
    assert sorted(p.name for p in folder.iterdir()) == ["data.qda"]
    assert len(read_qualcoder(folder).segments) == 5
    assert sorted(p.name for p in folder.iterdir()) == ["data.qda"]


def test_open_project_with_pending_wal_is_refused(tmp_path):
    folder = make_project(tmp_path / "study.qda")
    writer = sqlite3.connect(folder / "data.qda")
    writer.execute("pragma journal_mode=wal")
    writer.execute("insert into journal values (2,'More','x',null,'ann')")
    writer.commit()  # committed to data.qda-wal, not yet checkpointed: QualCoder still open
    try:
        assert (folder / "data.qda-wal").stat().st_size > 0
        with pytest.raises(DataError, match="data.qda-wal beside it holds changes"):
            read_qualcoder(folder)
    finally:
        writer.close()


@pytest.mark.parametrize("setup, reason", [
    (lambda p: make_project(p, version="v99"), "unknown QualCoder schema version 'v99'"),
    (lambda p: make_project(p, version=None), "unknown QualCoder schema version '(none)'"),
    (lambda p: (p.mkdir(), (p / "data.qda").write_text("not a database")),
     "not a QualCoder project: not an SQLite database"),
    (lambda p: (p.mkdir(), sqlite3.connect(p / "data.qda").executescript(
        "create table notes (x text);").connection.close()),
     "not a QualCoder project: no table project, source, code_name, code_text"),
    (lambda p: (p.mkdir(), (p / "data.qda").write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)),
     "not a QualCoder project: a damaged SQLite database"),
    (lambda p: p.mkdir(), "not a QualCoder project: the folder holds no data.qda"),
])
def test_cli_refuses_what_is_not_a_known_qualcoder_project(tmp_path, capsys, setup, reason):
    folder = tmp_path / "bad.qda"
    setup(folder)
    out = tmp_path / "out"
    assert cli(["qdpx", "import", str(folder), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and reason in err[0], err
    assert not out.exists()


def test_cli_imports_a_qda_folder_and_export_round_trips(tmp_path, capsys):
    folder = make_project(tmp_path / "study.qda")
    out = tmp_path / "imported"
    assert cli(["qdpx", "import", str(folder), "--out", str(out)]) == 0
    assert "imported 5 segments from 2 text(s)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "cases.csv", "codes.csv", "import_report.csv", "memos.csv", "segments.csv",
        "sources.csv", "texts"]
    # Export the imported study as .qdpx, read it back with the REFI importer.
    codes = pd.read_csv(out / "codes.csv", dtype=str, keep_default_na=False)
    codes = codes.rename(columns={"name": "label"})
    segments = pd.read_csv(out / "segments.csv", keep_default_na=False,
                           dtype={"source_id": str, "code_id": str, "coder": str})
    sources = pd.read_csv(out / "sources.csv", dtype=str, keep_default_na=False)
    sources = sources[sources["kind"].isin(["text", "pdf"])]
    texts = {s: (out / "texts" / f"{s}.txt").read_text(encoding="utf-8")
             for s in sources["source_id"]}
    qdpx = refi.export_project(tmp_path / "back.qdpx", codes=codes, sources=sources,
                               texts=texts, segments=segments)
    back = refi.read_coding_project(qdpx, codebook=codes[["code_id", "label"]])
    key = ["source_id", "code_id", "start", "end", "coder", "text"]
    assert back.segments[key].values.tolist() == segments[key].values.tolist()
    assert sorted(back.segments["coder"].unique()) == ["ann", "bob"]
    parents = back.codes.set_index("code_id")["parent_id"].to_dict()
    assert parents == codes.set_index("code_id")["parent_id"].to_dict()


def test_dispatcher_and_known_versions(tmp_path):
    folder = make_project(tmp_path / "study.qda")
    assert is_qualcoder(folder) and is_qualcoder(folder / "data.qda")
    assert KNOWN_VERSIONS == tuple(f"v{n}" for n in range(1, 15))
    for version in ("v1", "v6", "v14"):  # the versions the docstring of new_project lists
        path = make_project(tmp_path / f"{version}.qda", version=version)
        assert len(refi.read_coding_project(path, codebook=None).segments) == 5
    assert not os.path.exists(tmp_path / "study.qda" / "data.qda-journal")
