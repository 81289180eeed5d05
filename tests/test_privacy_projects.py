"""Tests for analysis.privacy.projects: everything a coding project brings, through the key.

Every expected value is worked by hand from the key and the tables written here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.privacy import KeyRules, load_key, pseudonymise, pseudonymise_project

KEY = {"Jane Smith": "[Researcher]", "Smith": "[Surname R]", "Jane": "[Forename R]",
       "Northmoor Valley": "[Trust A]"}


@dataclass
class Project:
    """A project as a reader gives it, with a table nobody has added yet (rounds)."""

    codes: object
    segments: object
    rounds: object
    texts: dict
    name: str = ""


def project(**extra):
    codes = pd.DataFrame({
        "code_id": ["smith_codes", "jane_s_themes", "funding", "janesmith"],
        "parent_id": ["", "smith_codes", "jane_s_themes", ""],
        "name": ["Smith codes", "Jane's themes", "Funding", "JaneSmith"],
        "description": ["", "Jane Smith, first pass", "Money talk", ""],
        "colour": ["#AC58FA", "", "#FF0000", ""],
        "is_codable": [False, False, True, True]})
    segments = pd.DataFrame({
        "segment_id": ["Jane_Smith_notes-0001", "P01-0001"],
        "source_id": ["Jane_Smith_notes", "P01"], "code_id": ["funding", "janesmith"],
        "start": [0, 3], "end": [4, 9], "coder": ["janesmith", "Smith_Jane"],
        "text": ["Cuts", "Smith"]})
    rounds = pd.DataFrame({"round": [1, 2], "author": ["jane smith", "bob"],
                           "memo_date": ["2024-01-01", "2024-02-01"],
                           "note": ["Jane merged two codes", np.nan],
                           "source_ids": ["Jane_Smith_notes|P01", "P01"]})
    return Project(codes=codes, segments=segments, rounds=rounds,
                   texts={"Jane_Smith_notes": "Cuts at Northmoor Valley", "P01": "At Smith's"},
                   **extra)


def test_every_text_of_every_table_passes_through_the_key():
    new, _ = pseudonymise_project(project(name="Jane's project"), KEY)
    # by hand: "Smith" -> [Surname R]; "Jane's" -> [Forename R]'s; "janesmith" run
    # together is the two-word entry "Jane Smith" -> [Researcher]
    assert new.codes["name"].tolist() == ["[Surname R] codes", "[Forename R]'s themes",
                                          "Funding", "[Researcher]"]
    assert new.codes["description"].tolist() == ["", "[Researcher], first pass",
                                                 "Money talk", ""]
    assert new.segments["coder"].tolist() == ["[Researcher]", "[Surname R]_[Forename R]"]
    # a table added later is covered without naming its columns anywhere
    assert new.rounds["author"].tolist() == ["[Researcher]", "bob"]
    assert new.rounds["note"].iloc[0] == "[Forename R] merged two codes"
    assert new.name == "[Forename R]'s project"


def test_ids_take_the_replacement_as_an_id_consistently_across_tables():
    new, _ = pseudonymise_project(project(), KEY)
    # smith_codes: "smith" is the entry Smith -> [Surname R] -> Surname_R, lower case as
    # the id was; jane_s_themes: "jane" -> Forename_R; janesmith -> Researcher
    assert new.codes["code_id"].tolist() == ["surname_r_codes", "forename_r_s_themes",
                                             "funding", "researcher"]
    assert new.codes["parent_id"].tolist() == ["", "surname_r_codes", "forename_r_s_themes",
                                               ""]
    assert new.segments["code_id"].tolist() == ["funding", "researcher"]
    # a mixed-case id keeps its case; the number after the hyphen survives
    assert new.segments["segment_id"].tolist() == ["Researcher_notes-0001", "P01-0001"]
    assert new.segments["source_id"].tolist() == ["Researcher_notes", "P01"]
    assert new.rounds["source_ids"].tolist() == ["Researcher_notes|P01", "P01"]
    assert list(new.texts) == ["Researcher_notes", "P01"]


def test_texts_offsets_and_other_values_are_left_alone():
    before = project()
    new, _ = pseudonymise_project(before, KEY)
    # texts are carried over by the build (remap_spans), not rewritten here
    assert list(new.texts.values()) == ["Cuts at Northmoor Valley", "At Smith's"]
    assert new.segments[["start", "end"]].values.tolist() == [[0, 4], [3, 9]]
    assert new.codes["is_codable"].tolist() == [False, False, True, True]
    assert new.codes["colour"].tolist() == ["#AC58FA", "", "#FF0000", ""]
    assert pd.isna(new.rounds["note"].iloc[1])
    assert new.rounds["round"].tolist() == [1, 2]
    # the input is not changed
    assert before.codes["name"].iloc[0] == "Smith codes"


def test_the_report_rows_count_changes_and_never_name_anyone():
    _, rows = pseudonymise_project(project(), KEY, item="Jane_Smith.qda")
    assert len(rows) == 1
    level, item, what, detail = rows[0]
    assert (level, item, what) == ("info", "[Researcher].qda", "passed through the identifier key")
    # counted by hand over the tables of project()
    assert detail == ("values changed: codes.code_id 3, codes.parent_id 2, codes.name 3, "
                      "codes.description 1, segments.segment_id 1, segments.source_id 1, "
                      "segments.code_id 1, segments.coder 2, segments.text 1, "
                      "rounds.author 1, rounds.note 1, rounds.source_ids 1")
    assert "jane" not in detail.lower() and "smith" not in detail.lower()


def test_ids_that_would_meet_are_told_apart_the_same_way_on_every_build():
    codes = pd.DataFrame({"code_id": ["researcher", "jane_smith", "janesmith"],
                          "parent_id": ["", "", "jane_smith"]})
    one = Project(codes=codes, segments=pd.DataFrame(), rounds=pd.DataFrame(), texts={})
    new, _ = pseudonymise_project(one, KEY)
    # "researcher" was there first; the two spellings of Jane Smith take _2 and _3 in
    # sorted order of the old ids (jane_smith < janesmith)
    assert new.codes["code_id"].tolist() == ["researcher", "researcher_2", "researcher_3"]
    assert new.codes["parent_id"].tolist() == ["", "", "researcher_2"]
    again, _ = pseudonymise_project(one, KEY)
    assert again.codes.equals(new.codes)


def test_the_text_rule_is_the_transcripts_rule(tmp_path):
    key_csv = tmp_path / "identifier_key.csv"
    key_csv.write_text("original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()))
    rules = KeyRules(load_key(key_csv))
    for value in ("Jane_Smith interview.txt", "JANESMITH", "Thanks, Jane.", "Zoe Smith-Jones",
                  "Northmoor\u00a0Valley", "no one here"):
        assert rules.text(value) == pseudonymise(value, KEY).text
    assert rules.matches("Dr SMITH") and not rules.matches("Smithfield")


def test_an_id_quoted_in_a_message_is_the_new_id():
    @dataclass
    class Read:
        codes: object
        report: object  # the import report: its messages name ids

    one = Read(codes=pd.DataFrame({"code_id": ["smith_codes"], "name": ["Smith codes"]}),
               report=pd.DataFrame({"item": ["Smith codes", "smith_codes"],
                                    "detail": ["imported as 'smith_codes'", "a note"]}))
    new, _ = pseudonymise_project(one, KEY)
    # the id a message names is the id the code now has, not the text rule's form
    assert new.report.values.tolist() == [["[Surname R] codes", "imported as 'surname_r_codes'"],
                                          ["surname_r_codes", "a note"]]
