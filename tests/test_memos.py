"""Memos (analysis/memos.py): which memos are about a code, counted in the code hierarchy."""

from __future__ import annotations

import pandas as pd

from analysis import memos as M

CODES = pd.DataFrame({"code_id": ["funding", "capital", "revenue", "staff"],
                      "parent_id": ["", "funding", "funding", ""],
                      "label": ["Funding", "Capital", "Revenue", "Staff"]})
SEGMENTS = pd.DataFrame({"source_id": ["P01", "P01", "P02"],
                         "code_id": ["capital", "staff", "revenue"],
                         "start": [0, 0, 10], "end": [5, 5, 20]})


def memo_table(rows):
    return pd.DataFrame(rows, columns=M.MEMO_COLUMNS).astype({"start": "Int64", "end": "Int64"})


MEMOS = memo_table([
    ("m1", "code", "funding", "funding", "", None, None, "ann", "2025-01-02", "", "Too broad?"),
    ("m2", "coding", "P02:10-20", "revenue", "P02", 10, 20, "bob", "2025-01-01", "", "Odd."),
    # a passage coded Capital and Staff: about both
    ("m3", "selection", "P01:0-5", "", "P01", 0, 5, "ann", "2025-01-03", "", "Quote!"),
    # not the span of any coding: about no code
    ("m4", "selection", "P01:1-5", "", "P01", 1, 5, "ann", "2025-01-04", "", "Near."),
    ("m5", "source", "P02", "", "P02", None, None, "ann", "", "", "Noisy room."),
])


def test_a_codes_memos_bring_its_childrens_in_hierarchy_order():
    got = M.code_memos(MEMOS, SEGMENTS, CODES, ["funding"])
    # funding's own memo, then capital (the passage), then revenue (the coding)
    assert got[["about", "memo_id"]].values.tolist() == [
        ["funding", "m1"], ["capital", "m3"], ["revenue", "m2"]]
    assert M.code_memos(MEMOS, SEGMENTS, CODES, ["funding"],
                        include_children=False)["memo_id"].tolist() == ["m1"]
    assert M.code_memos(MEMOS, SEGMENTS, CODES, ["staff"])["memo_id"].tolist() == ["m3"]


def test_memos_by_code_counts_each_code_and_the_rest():
    counts = M.memos_by_code(MEMOS, SEGMENTS, CODES)
    # by hand: funding m1; capital m3; revenue m2; staff m3; m4 (no coding there) and
    # m5 (a transcript) are about no code
    assert counts.values.tolist() == [["funding", "Funding", 0, 1], ["capital", "Capital", 1, 1],
                                      ["revenue", "Revenue", 1, 1], ["staff", "Staff", 0, 1],
                                      ["", "(not about a code)", 0, 2]]


def test_load_memos_of_a_study_processed_before_memos_is_empty(tmp_path):
    assert M.load_memos(tmp_path).columns.tolist() == M.MEMO_COLUMNS
    assert M.load_memos(tmp_path).empty


def test_load_memos_reads_positions_as_integers(tmp_path):
    MEMOS.to_csv(tmp_path / "memos.csv", index=False)
    back = M.load_memos(tmp_path)
    assert back["start"].tolist()[1:3] == [10, 0] and pd.isna(back["start"].iloc[0])
    assert back["author"].tolist() == ["ann", "bob", "ann", "ann", "ann"]


def test_markdown_quotes_each_memo_under_its_code():
    md = M.memos_markdown(M.code_memos(MEMOS, SEGMENTS, CODES, ["funding"]),
                          {"funding": "Funding", "capital": "Capital"})
    assert md.split("\n")[0] == "#### Funding (funding)"
    assert "> — memo on a coding, P02:10-20 · bob · 2025-01-01" in md
    assert M.memos_markdown(MEMOS.iloc[0:0]) == "*No memos on these codes.*\n"


def test_a_study_without_memos_counts_none():
    counts = M.memos_by_code(MEMOS.iloc[0:0], SEGMENTS, CODES)
    assert counts["n_memos"].tolist() == [0, 0, 0, 0, 0]
