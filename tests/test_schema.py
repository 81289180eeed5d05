"""Tests for analysis.schema: the shared shapes and check_choice."""

import pytest

from analysis import paths, schema
from analysis.transcripts import parse_text


def test_tiers_run_from_national_to_provider():
    # The study's three levels (README, "The study"), in the order every table uses.
    assert schema.TIERS == ("macro", "meso", "micro")


def test_columns_agree_with_the_tables_the_stages_write():
    # The contracts must be the ones the writers use today; a drift would mean two
    # definitions of the same table.
    parsed = parse_text("Interviewer: How did it start?\nP01: With the SHA.\n", "txt", "P01")
    assert schema.TURN_COLUMNS == list(parsed.turns.columns)
    # the headers of the tables the build wrote (data/processed/interviews/)
    def header(name):
        return (paths.PROCESSED_INTERVIEWS / name).read_text(encoding="utf-8").split("\n")[0]
    assert header("segments.csv") == ",".join(schema.SEGMENT_COLUMNS)
    assert header("sources.csv") == ",".join(schema.INTERVIEW_SOURCE_COLUMNS)
    assert header("import_report.csv") == ",".join(schema.REPORT_COLUMNS)


def test_check_choice_returns_the_value_and_names_the_argument():
    assert schema.check_choice("unit", "turn", ["character", "turn"]) == "turn"
    with pytest.raises(ValueError, match=r"^unit must be one of 'character', 'turn', not 'word'$"):
        schema.check_choice("unit", "word", ["character", "turn"])


def test_check_choice_accepts_none_as_an_option_and_a_generator():
    assert schema.check_choice("bracket", None, ("context", "conduct", None)) is None
    with pytest.raises(ValueError, match="'a', 'b'"):
        schema.check_choice("x", "c", (o for o in "ab"))
