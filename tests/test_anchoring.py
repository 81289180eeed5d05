"""Tests of analysis.anchoring.

The eras are those fixed in the project brief (imt 1992-12 to 1998-09, ifh to 2002-06,
npfit to 2011-09, ccg to 2016-09, stp_ics to 2022-07, icb onward). Every expected
period was worked out by hand from the sentence and the rule in the module docstring.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import anchoring as an
from analysis.errors import DataError

ERAS = pd.DataFrame({
    "era_id": ["imt", "ifh", "npfit", "ccg", "stp_ics", "icb"],
    "label": ["IM&T strategy", "Information for Health", "NPfIT and the SHAs",
              "Power of Information, CCGs and CSUs", "Wachter, STPs/ICSs, NHSX",
              "ICBs and the Transformation Directorate"],
    "start_date": ["1992-12", "1998-09", "2002-06", "2011-09", "2016-09", "2022-07"],
    "end_date": ["1998-09", "2002-06", "2011-09", "2016-09", "2022-07", ""],
})


def refs(text, **kwargs):
    out = an.find_references(text, ERAS, **kwargs)
    return [tuple(r) for r in out[["evidence", "rule", "period_start", "period_end",
                                   "era_id"]].itertuples(index=False)]


def test_year():
    # 2006 lies inside npfit (2002-06 to 2011-09).
    assert refs("In 2006 we went live.") == [("2006", "year", "2006-01", "2006-12", "npfit")]
    # 2002 straddles the ifh/npfit boundary (June 2002): both eras.
    assert refs("That was 2002.")[0][4] == "ifh|npfit"
    # 2022 straddles stp_ics/icb (July 2022); the boundary month belongs to icb only.
    assert refs("By 2022 it changed.")[0][4] == "stp_ics|icb"


def test_numbers_that_are_not_years():
    # An amount, a thousands separator, a decimal, a year out of 1990-2030, a code.
    assert refs("It cost £2010m for 2,006 staff, 3.2006 units, in 2035, ref X2006.") == []


def test_ranges():
    # Years inclusive; the years inside a range are not reported again.
    assert refs("From 2002 to 2005 we waited.") == [
        ("2002 to 2005", "range", "2002-01", "2005-12", "ifh|npfit")]
    assert refs("In 2002-05 we waited.") == [("2002-05", "range", "2002-01", "2005-12",
                                              "ifh|npfit")]
    assert refs("in 2002–2005") == [("2002–2005", "range", "2002-01", "2005-12", "ifh|npfit")]
    # 1998 to 2001: imt ends 1998-09, ifh runs 1998-09 to 2002-06.
    assert refs("between 1998 and 2001 things moved")[0][1:] == ("range", "1998-01", "2001-12",
                                                                 "imt|ifh")
    # NHS financial year: April 2012 to March 2013, inside ccg.
    assert refs("in 2012/13 the budget fell") == [("2012/13", "range", "2012-04", "2013-03",
                                                   "ccg")]
    # Not ranges: a two-digit number after "to", a backwards range, a non-consecutive
    # financial year.
    assert refs("In 2006 to 20 trusts.") == [("2006", "year", "2006-01", "2006-12", "npfit")]
    assert refs("2005-2002") == []
    assert refs("2012/15") == []


def test_era_names():
    assert refs("Under NPfIT we had no say.") == [("NPfIT", "era_name", "2002-06", "2011-09",
                                                   "npfit")]
    assert refs("the National Programme for IT") == [
        ("the National Programme for IT", "era_name", "2002-06", "2011-09", "npfit")]
    assert refs("the clusters and the LSPs")[1][0] == "LSPs"
    # "When the SHAs went" = April 2013 (abolished 2013-04-01), in the ccg era.
    assert refs("When the SHAs went, we lost people.") == [
        ("When the SHAs went", "era_name", "2013-04", "2013-04", "ccg")]
    assert refs("in the CCG years") == [("the CCG years", "era_name", "2011-09", "2016-09",
                                         "ccg")]
    assert refs("Since the ICBs, it is better.") == [("Since the ICBs", "era_name", "2022-07",
                                                      "", "icb")]
    # NHSX: 2019-02 to 2022-02, inside stp_ics.
    assert refs("NHSX wanted standards.") == [("NHSX", "era_name", "2019-02", "2022-02",
                                               "stp_ics")]
    # An era's own label from the table also counts.
    assert refs("Information for Health set targets.")[0][1:] == ("era_name", "1998-09",
                                                                  "2002-06", "ifh")


def test_longer_name_wins_and_year_in_name_is_not_repeated():
    # "the 2012 Act" (in force April 2013) holds a year; only the name is reported.
    assert refs("After the 2012 Act nothing worked.") == [
        ("the 2012 Act", "era_name", "2013-04", "2013-04", "ccg")]


def test_relative_phrases_need_an_anchor():
    # Anchored by 2004: two years later = 2006.
    assert refs("In 2004 we signed. Two years later it fell apart.")[1] == (
        "Two years later (anchor: 2004)", "relative_anchored", "2006-01", "2006-12", "npfit")
    # No year before it: nothing.
    assert refs("Two years later it fell apart.") == []
    # The year is too far back for the window (10 characters).
    assert [r[1] for r in refs("In 2004 we signed, and then, two years later, no.",
                               window=10)] == ["year"]
    # "the year before" a range 2002-2005: the year before its start = 2001.
    assert refs("In 2002-2005 we waited; the year before was calm.")[1][2:4] == ("2001-01",
                                                                              "2001-12")
    # "back then" takes the anchor's own period: 1999, ifh.
    assert refs("In 1999, back then, we had the IM&T people.")[1] == (
        "back then (anchor: 1999)", "relative_anchored", "1999-01", "1999-12", "ifh")
    # A relative phrase after a name but no year stays unanchored.
    assert [r[1] for r in refs("Under NPfIT, two years later, it failed.")] == ["era_name"]


def test_events_table():
    events = pd.DataFrame({"label": ["Local Digital Roadmaps"], "date": ["2016-04"]})
    out = refs("We wrote the local digital roadmaps with the CCG.", events=events)
    assert out == [("local digital roadmaps", "event", "2016-04", "2016-04", "ccg")]
    with pytest.raises(DataError, match="events:2: date"):
        an.find_references("x", ERAS, events=pd.DataFrame({"label": ["x"], "date": ["soon"]}))


def test_bad_eras_table():
    bad = ERAS.copy()
    bad.loc[3, "start_date"] = "2011/09"
    with pytest.raises(DataError, match=r"eras:5: date '2011/09'"):  # row 3 -> line 5
        an.find_references("x", bad)
    with pytest.raises(DataError, match="lacks column"):
        an.find_references("x", ERAS.drop(columns="label"))


def test_anchor_segments_assigns_references_inside_segments():
    text = ("In 2004 we signed with the LSP. Two years later it fell apart. "
            "When the SHAs went, nobody remembered.")
    texts = {"P01": text}
    first = text.index("Two years")
    seg = pd.DataFrame({
        "segment_id": ["s1", "s2", "s3", "s4"], "source_id": ["P01"] * 4,
        "start": [first, 0, 0, text.index("the LSP") + 5],
        "end": [text.index("When") - 1, len(text), 9, len(text)],
    })
    out = an.anchor_segments(seg, texts, ERAS)
    got = list(out[["segment_id", "rule", "period_start"]].itertuples(index=False, name=None))
    # s1 holds only "Two years later", anchored by 2004 outside the segment -> 2006.
    # s2 (whole text) holds all four references; s3 "In 2004 w" holds the year; s4 starts
    # inside "LSP" (the name is cut, so not its own) and holds the rest.
    assert got == [
        ("s2", "year", "2004-01"), ("s3", "year", "2004-01"),
        ("s2", "era_name", "2002-06"),
        ("s1", "relative_anchored", "2006-01"), ("s2", "relative_anchored", "2006-01"),
        ("s4", "relative_anchored", "2006-01"),
        ("s2", "era_name", "2013-04"), ("s4", "era_name", "2013-04"),
    ]
    assert list(out.columns) == an.COLUMNS
    # Offsets point at the evidence in the text.
    row = out.iloc[0]
    assert text[row.match_start:row.match_end] == "2004"


def test_anchor_segments_bad_offsets():
    seg = pd.DataFrame({"segment_id": ["s1"], "source_id": ["P09"], "start": [0], "end": [3]})
    with pytest.raises(DataError, match="segments:2: source 'P09' has no text"):
        an.anchor_segments(seg, {"P01": "abc"}, ERAS)
