"""Tests for analysis.schema: the shared shapes and check_choice."""

import pytest

from analysis import schema
from analysis.refi.qde import REPORT_COLUMNS as REFI_REPORT_COLUMNS
from analysis.refi.qde import SEGMENT_COLUMNS as REFI_SEGMENT_COLUMNS
from analysis.transcripts import TURN_COLUMNS as PARSED_TURN_COLUMNS


def test_tiers_run_from_national_to_provider():
    # The study's three levels (README, "The study"), in the order every table uses.
    assert schema.TIERS == ("macro", "meso", "micro")


def test_columns_agree_with_the_tables_the_stages_write():
    # The contracts must be the ones the writers use today; a drift would mean two
    # definitions of the same table.
    assert schema.SEGMENT_COLUMNS == REFI_SEGMENT_COLUMNS
    assert schema.TURN_COLUMNS == list(PARSED_TURN_COLUMNS)
    assert schema.REPORT_COLUMNS == REFI_REPORT_COLUMNS


def test_check_choice_returns_the_value_and_names_the_argument():
    assert schema.check_choice("unit", "turn", ["character", "turn"]) == "turn"
    with pytest.raises(ValueError, match=r"^unit must be one of 'character', 'turn', not 'word'$"):
        schema.check_choice("unit", "word", ["character", "turn"])


def test_check_choice_accepts_none_as_an_option_and_a_generator():
    assert schema.check_choice("bracket", None, ("context", "conduct", None)) is None
    with pytest.raises(ValueError, match="'a', 'b'"):
        schema.check_choice("x", "c", (o for o in "ab"))
