"""Tests for analysis.synthetic.fieldwork: a SYNTHETIC study folder shaped like a real one.

Expected values are the task brief's (issue 21's acceptance study: Otter transcripts, the
interviewer as the only coder and in the key, her name run together as the QualCoder user
name, a top category named after her, memos naming her, colours such as #AC58FA,
withdrawn stubs with one line and no codings, cases with attributes) or the arguments
given; each is checked here by reading the files written, not the generator's tables.
"""

from __future__ import annotations

import re
import sqlite3

import pandas as pd
import pytest

from analysis import refi
from analysis.synthetic.fieldwork import write_study_folder

ARGS = dict(n_interviews=5, words_per_interview=600, n_codes=30, n_categories=7, depth=3,
            n_codings=40, seed=7)
# Otter.ai's .txt export: "Speaker Name  0:00" (two spaces, [h:]m:ss) alone on a line,
# the paragraph on the next line, a blank line between turns.
OTTER_HEADER = re.compile(r"^(\S.*\S)  (?:(\d+):)?(\d{1,2}):(\d\d)$")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return write_study_folder(tmp_path_factory.mktemp("fieldwork") / "private", **ARGS)


@pytest.fixture(scope="module")
def db(study):
    con = sqlite3.connect(study.project / "data.qda")
    yield con
    con.close()


def test_the_folder_is_a_study_folder_of_the_sizes_asked(study):
    folder = study.folder
    register = pd.read_csv(folder / "participants.csv", dtype=str)
    assert len(register) == ARGS["n_interviews"]
    assert sorted(p.name for p in (folder / "transcripts").iterdir()) == sorted(
        register["transcript"])
    # tier and position_practice are left to the cases (study.yml case_attributes)
    assert "tier" not in register.columns and "position_practice" not in register.columns
    assert "case_attributes:\n  tier: Tier\n  position_practice: Role\n" in (
        folder / "study.yml").read_text()


def test_transcripts_are_otter_exports_with_the_researcher_interviewing(study):
    for pid, name in zip(study.register["participant_id"], study.register["transcript"]):
        lines = (study.folder / "transcripts" / name).read_text(encoding="utf-8").split("\n")
        heads = [(i, OTTER_HEADER.match(line)) for i, line in enumerate(lines)]
        heads = [(i, m) for i, m in heads if m]
        assert heads[0][1].group(1) == "Jane Smith"
        speakers = {m.group(1) for _, m in heads}
        assert speakers - {"Jane Smith"} <= {"Speaker 2", study.register.set_index(
            "participant_id").loc[pid, "name"]}
        seconds = [int(m.group(2) or 0) * 3600 + int(m.group(3)) * 60 + int(m.group(4))
                   for _, m in heads]
        assert seconds == sorted(seconds)
        for i, _ in heads:  # the paragraph under each header, then a blank line
            assert lines[i + 1].strip() and lines[i + 2] == ""
        assert lines[-2:] == ["Transcribed by https://otter.ai", ""]


def test_codes_nest_in_categories_under_one_named_after_the_researcher(db):
    cats = dict(db.execute("select catid, supercatid from code_cat"))
    names = dict(db.execute("select catid, name from code_cat"))
    assert len(cats) == ARGS["n_categories"]
    assert [names[c] for c, sup in cats.items() if sup is None] == ["Smith codes"]
    assert "Jane's themes" in names.values()

    def level(catid):
        return 1 if cats[catid] is None else 1 + level(cats[catid])

    assert max(level(c) for c in cats) == ARGS["depth"]
    codes = db.execute("select name, catid, color, memo from code_name").fetchall()
    assert len(codes) == ARGS["n_codes"] and all(c in cats for _, c, _, _ in codes)
    assert "JaneSmith to check" in {n for n, _, _, _ in codes}
    assert "#AC58FA" in {colour for _, _, colour, _ in codes}
    memos = [m for *_, m in codes] + [m for (m,) in db.execute("select memo from code_cat")]
    assert any("Jane" in m for m in memos) and any("Smith" in m for m in memos)


def test_the_coder_is_the_researcher_by_her_run_together_name(db, study):
    assert db.execute("select codername from project").fetchone() == ("janesmith",)
    owners = {o for (o,) in db.execute("select owner from code_text")}
    assert owners == {"janesmith"}
    assert {"Jane Smith", "Jane", "Smith"} <= set(study.key)


def test_every_coding_holds_the_words_at_its_place(db, study):
    texts = dict(db.execute("select id, fulltext from source"))
    rows = db.execute("select fid, seltext, pos0, pos1 from code_text").fetchall()
    assert len(rows) == ARGS["n_codings"]
    for fid, seltext, start, end in rows:
        assert texts[fid][start:end] == seltext and seltext.strip()
    # QualCoder's copy is the transcript file, byte for byte
    names = dict(db.execute("select id, name from source"))
    for fid, name in names.items():
        if (study.folder / "transcripts" / name).is_file():
            assert (study.folder / "transcripts" / name).read_text(encoding="utf-8") == \
                texts[fid]


def test_a_withdrawn_stub_has_one_line_and_no_codings(db, study):
    # default stub: a third of the way through, P01 P02 P03 P04 P05 P06 minus P(5 // 3 -> 2)
    assert study.withdrawn == ("P02_removed",)
    fid, text = db.execute("select id, fulltext from source where name = 'P02_removed'").fetchone()
    assert "\n" not in text.strip()
    assert db.execute("select count(*) from code_text where fid = ?", (fid,)).fetchone() == (0,)
    assert "P02" not in set(study.register["participant_id"])


def test_cases_carry_tier_and_role_for_each_participant(db, study):
    values = db.execute("select c.name, a.name, a.value from cases c join attribute a "
                        "on a.id = c.caseid and a.attr_type = 'case'").fetchall()
    truth = study.register.set_index("name")
    for case, variable, value in values:
        column = {"Tier": "tier", "Role": "position_practice"}[variable]
        assert value.casefold() == truth.loc[case, column]
    assert len(values) == 2 * ARGS["n_interviews"]


def test_the_same_arguments_write_the_same_bytes(study, tmp_path):
    again = write_study_folder(tmp_path / "private", **ARGS)
    first = {p.relative_to(study.folder): p.read_bytes()
             for p in sorted(study.folder.rglob("*")) if p.is_file()}
    second = {p.relative_to(again.folder): p.read_bytes()
              for p in sorted(again.folder.rglob("*")) if p.is_file()}
    assert first == second
    other = write_study_folder(tmp_path / "other", **{**ARGS, "seed": 8})
    assert other.texts != study.texts


def test_the_refi_export_holds_the_same_project(study, tmp_path):
    qdpx = write_study_folder(tmp_path / "private", project="qdpx", **ARGS)
    project = refi.read_project(qdpx.project)
    assert len(project.segments) == ARGS["n_codings"]
    assert set(project.segments["coder"]) == {"janesmith"}
    assert sorted(project.segments["text"]) == sorted(study.codings["words"])
    assert set(project.sources["name"]) == {
        *(n[:-4] for n in study.register["transcript"]), "P02_removed"}
    tiers = project.cases[project.cases["variable"] == "Tier"]
    assert len(tiers) == ARGS["n_interviews"]


def test_sizes_and_formats_outside_the_range_are_refused(tmp_path):
    with pytest.raises(ValueError, match="project must be one of"):
        write_study_folder(tmp_path / "a", project="nvivo")
    with pytest.raises(ValueError, match="transcripts must be one of"):
        write_study_folder(tmp_path / "b", transcripts="teams")
    with pytest.raises(ValueError, match="depth"):
        write_study_folder(tmp_path / "c", depth=1)
