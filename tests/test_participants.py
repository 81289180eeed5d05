"""Tests for analysis.participants: the participants register and its validation.

Fixtures in tests/fixtures/participants/ are hand-made; every expected line number was
counted by hand in the fixture (header = line 1).
"""

from pathlib import Path

import pytest

from analysis import paths
from analysis.errors import DataError
from analysis.participants import (ERA_IDS, PARTICIPANT_COLUMNS, POSITION_PRACTICES,
                                   load_participants, participant_eras, validate_all)

FIX = Path(__file__).parent / "fixtures" / "participants"


def test_good_register_loads_with_types():
    df = load_participants(FIX / "good.csv")
    assert list(df.columns) == PARTICIPANT_COLUMNS
    # good.csv: P01 has 19 years, P02 has 0 (zero is a valid non-negative count)
    assert df["years_in_nhs"].tolist() == [19, 0]
    assert str(df["years_in_nhs"].dtype) == "int64"
    assert df["tier"].tolist() == ["meso", "micro"]


def test_participant_eras_is_long():
    df = load_participants(FIX / "good.csv")
    long = participant_eras(df)
    # good.csv: P01 npfit|ccg|icb, P02 icb -> four rows in that order
    assert long.values.tolist() == [["P01", "npfit"], ["P01", "ccg"], ["P01", "icb"],
                                    ["P02", "icb"]]


@pytest.mark.parametrize("name, line, words", [
    ("bad_tier.csv", 3, "unknown tier 'mezzo'"),            # row P02, third line
    ("bad_era.csv", 2, "unknown era 'cgg'"),                # typo for ccg on the only row
    ("duplicate.csv", 4, "duplicate participant_id 'P01' (first on line 2)"),
    ("negative_years.csv", 2, "years_in_nhs '-2'"),
    ("bad_synthetic.csv", 2, "synthetic 'maybe'"),
])
def test_bad_registers_name_file_and_line(name, line, words):
    with pytest.raises(DataError) as info:
        load_participants(FIX / name)
    err = info.value
    assert err.line == line
    assert words in err.reason
    assert err.path.endswith(name)


def test_optional_columns_are_not_tied_to_the_nhs_frame():
    # Issue 10: only participant_id, tier and transcript are required, and a register need
    # not use the SST frame's position-practice codes or name an era for every row.
    assert load_participants(FIX / "unknown_pp.csv")["position_practice"].tolist()[2] == \
        "pp_ics_lead"
    assert load_participants(FIX / "no_eras.csv")["eras"].tolist() == [""]
    # bad_header.csv says 'position': no position_practice column, 'position' kept as is
    df = load_participants(FIX / "bad_header.csv")
    assert "position_practice" not in df.columns and df["position"].tolist() == ["pp_csu_it"]


def test_literal_sets_match_the_frame():
    # SST coding frame §2.2 lists nine pp_* codes (25-33); the common brief fixes six eras.
    assert len(POSITION_PRACTICES) == 9
    assert ERA_IDS == ("imt", "ifh", "npfit", "ccg", "stp_ics", "icb")


def test_validate_all_reports_missing_transcripts():
    # good.csv names P01.txt (present in the fixture folder) and P02.md (absent): one problem,
    # on line 3; a bad register gives its one error.
    problems = validate_all([FIX / "good.csv", FIX / "bad_tier.csv"])
    assert [(Path(p.path).name, p.line) for p in problems] == [("good.csv", 3),
                                                               ("bad_tier.csv", 3)]
    assert "P02.md" in problems[0].reason


def test_shipped_demo_register_is_valid():
    # The committed demo study must validate (issue 3, item 3: "validated like the timeline").
    assert validate_all([paths.DEMO_STUDY / "participants.csv"]) == []


# ---------------------------------------------------------------- filled from cases

def _values(*rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["participant_id", "column", "value", "project", "case",
                                       "variable"])


def _register(tmp_path, text):
    p = tmp_path / "participants.csv"
    p.write_text(text)
    return p


def test_columns_a_project_fills_may_be_missing_or_empty(tmp_path):
    p = _register(tmp_path, "participant_id,transcript,position_practice\nP01,a.txt,\n")
    with pytest.raises(DataError, match="lacks column"):
        load_participants(p)
    df = load_participants(p, filled=("tier", "position_practice"))
    assert df["tier"].tolist() == [""]
    p = _register(tmp_path, "participant_id,tier,transcript\nP01,,a.txt\nP02,mezzo,b.txt\n")
    # empty is "the project gives it"; a wrong value is still wrong
    with pytest.raises(DataError, match="unknown tier 'mezzo'") as exc:
        load_participants(p, filled=("tier",))
    assert exc.value.line == 3


def test_cases_fill_the_register_and_say_from_where(tmp_path):
    from analysis.participants import fill_register

    p = _register(tmp_path, "participant_id,tier,transcript\nP01,,a.txt\nP02,micro,b.txt\n")
    df = load_participants(p, filled=("tier", "position_practice"))
    filled, rows = fill_register(df, p, _values(
        ("P01", "tier", "Meso", "coding/f.qda", "Ann", "Tier"),
        ("P02", "tier", "micro", "coding/f.qda", "Bo", "Tier"),
        ("P01", "position_practice", "pp_csu_it", "coding/f.qda", "Ann", "Role")))
    # "Meso" as NVivo users type it is the tier meso; P02's tier agrees with the register
    assert filled[["participant_id", "tier", "position_practice"]].values.tolist() == [
        ["P01", "meso", "pp_csu_it"], ["P02", "micro", ""]]
    assert rows == [
        ("info", "participants", "tier from the coding project",
         "1 participant(s) from variable 'Tier' of f.qda"),
        ("info", "participants", "position_practice from the coding project",
         "1 participant(s) from variable 'Role' of f.qda")]


def test_a_case_contradicting_the_register_stops_naming_both(tmp_path):
    from analysis.participants import fill_register

    p = _register(tmp_path, "participant_id,tier,transcript\nP01,meso,a.txt\nP02,micro,b.txt\n")
    df = load_participants(p, filled=("tier",))
    with pytest.raises(DataError) as exc:
        fill_register(df, p, _values(("P02", "tier", "Macro", "coding/f.qda", "Bo", "Tier")))
    # the register's line of P02 (line 3), and the project file and case
    assert exc.value.line == 3
    assert exc.value.reason == ("tier is 'micro' here but 'macro' in f.qda "
                                "(case 'Bo', variable 'Tier')")


@pytest.mark.parametrize("values, file, line, words", [
    # two cases of one participant disagree: the second names the first
    ([("P01", "tier", "meso", "coding/a.qda", "Ann", "Tier"),
      ("P01", "tier", "micro", "coding/b.qdpx", "Ann 2", "Level")],
     "coding/b.qdpx", "case 'Ann 2'",
     "tier of P01 is 'micro' here but 'meso' in a.qda (case 'Ann', variable 'Tier')"),
    # a value the column cannot hold names the project's case
    ([("P01", "tier", "Senior", "coding/a.qda", "Ann", "Tier")], "coding/a.qda", "case 'Ann'",
     "unknown tier 'Senior'"),
    # no case gives P01 a tier: the register's line
    ([], "participants.csv", 2, "tier is empty and no case of the coding projects gives it"),
])
def test_what_cases_cannot_fill_is_one_error(tmp_path, values, file, line, words):
    from analysis.participants import fill_register

    p = _register(tmp_path, "participant_id,tier,transcript\nP01,,a.txt\n")
    df = load_participants(p, filled=("tier",))
    with pytest.raises(DataError) as exc:
        fill_register(df, p, _values(*values))
    assert str(exc.value.path).endswith(file) and exc.value.line == line
    assert words in exc.value.reason


def test_an_empty_interviewer_label_means_a_transcript_without_an_interviewer(tmp_path):
    # a board meeting beside interviews (the qc demo project's board_2017 transcript is
    # one): its row leaves interviewer_label empty, the parser's defaults then apply
    from analysis.transcripts import interviewer_labels

    register = tmp_path / "participants.csv"
    register.write_text("participant_id,tier,transcript,interviewer_label\n"
                        "board_2017,meso,board_2017.txt,\nadmin-1,micro,admin-1.txt,Max B\n")
    df = load_participants(register)
    assert df["interviewer_label"].tolist() == ["", "Max B"]
    assert interviewer_labels(df) == {"admin-1": ("Max B",)}
