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
    # s2 (whole text) holds all three references ("the LSP" dates nothing: its sentence
    # states 2004); s3 "In 2004 w" holds the year; s4 starts inside "LSP" and holds the rest.
    assert got == [
        ("s2", "year", "2004-01"), ("s3", "year", "2004-01"),
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


# ---- explicit dates win over names; months; open periods (issue 12). Every expected era
# is worked by hand from the ERAS above: an era's end month belongs to the next era.

def test_explicit_date_in_the_sentence_wins_over_a_named_programme():
    # March 2013 is inside ccg (2011-09 to 2016-09); Connecting for Health dates nothing.
    assert refs("We closed Connecting for Health in March 2013.") == [
        ("March 2013", "month", "2013-03", "2013-03", "ccg")]
    # 2024 is after 2022-07: icb only; "the national programme" dates nothing.
    assert refs("In 2024 it was the national programme by another name.") == [
        ("2024", "year", "2024-01", "2024-12", "icb")]
    # 2023: icb; What Good Looks Like (2021-08) dates nothing.
    assert refs("The ICB's digital strategy in 2023 had to follow the What Good Looks Like "
                "headings.") == [("2023", "year", "2023-01", "2023-12", "icb")]
    # A body named with a year in the same sentence: the year (ccg) wins over 2013-04.
    assert refs("When the SHAs went in 2014 nobody noticed.") == [
        ("2014", "year", "2014-01", "2014-12", "ccg")]


def test_a_name_in_another_sentence_keeps_its_era():
    # Today's behaviour kept: the name and the year are in different sentences.
    assert refs("Under NPfIT we had no say. In 2016 we chose.") == [
        ("NPfIT", "era_name", "2002-06", "2011-09", "npfit"),
        ("2016", "year", "2016-01", "2016-12", "ccg|stp_ics")]
    # A year inside a name is part of the name, so the name still dates the sentence.
    assert refs("The 2012 Act changed everything.") == [
        ("The 2012 Act", "era_name", "2013-04", "2013-04", "ccg")]
    # A name alone still dates its sentence.
    assert refs("Connecting for Health ran it.") == [
        ("Connecting for Health", "era_name", "2002-06", "2011-09", "npfit")]


def test_months_are_kept():
    # npfit ends 2011-09, where ccg begins: October and September 2011 are ccg only,
    # August 2011 is npfit only; a year alone (2011) overlaps both.
    assert refs("In October 2011 we started.") == [
        ("October 2011", "month", "2011-10", "2011-10", "ccg")]
    assert refs("In September 2011 we started.")[0][2:] == ("2011-09", "2011-09", "ccg")
    assert refs("In Aug 2011 we started.")[0][2:] == ("2011-08", "2011-08", "npfit")
    assert refs("In 2011 we started.")[0][4] == "npfit|ccg"
    # June 2022 is stp_ics, July 2022 is icb.
    assert refs("By June 2022 and in July 2022.") == [
        ("June 2022", "month", "2022-06", "2022-06", "stp_ics"),
        ("July 2022", "month", "2022-07", "2022-07", "icb")]
    # "may" in lower case is the verb, so only the year counts.
    assert refs("It may 2013 be.") == [("2013", "year", "2013-01", "2013-12", "ccg")]


def test_before_until_since_after_give_open_periods():
    # before 2013: to 2012-12, every era that starts by then (imt, ifh, npfit, ccg).
    assert refs("Before 2013 we had SHAs.") == [
        ("Before 2013", "open", "", "2012-12", "imt|ifh|npfit|ccg")]
    # until 2013: to 2013-12, the same eras.
    assert refs("It ran until 2013.") == [
        ("until 2013", "open", "", "2013-12", "imt|ifh|npfit|ccg")]
    # before 2002: to 2001-12, imt and ifh (npfit starts 2002-06).
    assert refs("That was before 2002.")[0][2:] == ("", "2001-12", "imt|ifh")
    # since 2013: from 2013-01, ccg onward.
    assert refs("Since 2013 it is better.") == [
        ("Since 2013", "open", "2013-01", "", "ccg|stp_ics|icb")]
    # after 2016: from 2017-01, stp_ics (from 2016-09) and icb.
    assert refs("After 2016 it changed.") == [
        ("After 2016", "open", "2017-01", "", "stp_ics|icb")]
    # with a month: since October 2011 from 2011-10 (ccg onward); before July 2022 to
    # 2022-06 (all but icb); after June 2022 from 2022-07 (icb).
    assert refs("since October 2011")[0][1:] == ("open", "2011-10", "", "ccg|stp_ics|icb")
    assert refs("before July 2022")[0][2:] == ("", "2022-06",
                                               "imt|ifh|npfit|ccg|stp_ics")
    assert refs("after June 2022")[0][2:] == ("2022-07", "", "icb")
    # An open period is an explicit date: the programme named with it dates nothing.
    assert refs("Until 2011 the National Programme ran our IT.") == [
        ("Until 2011", "open", "", "2011-12", "imt|ifh|npfit|ccg")]
    # Today's ranges are kept: "2002 until 2005" is a range, not "until 2005".
    assert refs("From 2002 until 2005 we waited.") == [
        ("2002 until 2005", "range", "2002-01", "2005-12", "ifh|npfit")]


def test_open_periods_on_the_timeline():
    # An open start becomes `since` (1990-01 by default), an open end `until`.
    anchors = pd.DataFrame({"segment_id": ["s1"], "source_id": ["P01"],
                            "period_start": [""], "period_end": ["2012-12"],
                            "rule": ["open"]})
    out = an.evidence_periods(anchors, pd.DataFrame({"source_id": ["P01"],
                                                     "participant_id": ["P01"]}),
                              pd.DataFrame({"participant_id": ["P01"], "tier": ["meso"]}))
    assert out[["period_start", "period_end"]].astype(str).values.tolist() == [
        ["1990-01-01", "2013-01-01"]]
