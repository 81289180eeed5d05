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


# ---- the anchored scan (issue 16) gives exactly what one regex pass per pattern gave.
# The reference below is find_references as it was before the scan: every pattern run by
# finditer over the whole text. It is kept here, apart from the module, as the oracle.

import re  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from analysis import paths  # noqa: E402
from analysis.timeline import load_eras  # noqa: E402


def reference_find_references(text, eras, events=None, window=150):
    """find_references with one ``finditer`` over the whole text per pattern."""
    table = an._eras_table(eras)
    found = []
    for rx in an._RANGES:
        for m in rx.finditer(text):
            a, b = int(m["a"]), m["b"]
            b = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
            if an.YEAR_MIN <= a < b <= an.YEAR_MAX:
                found.append((m.start(), m.end(), *an._year_period(a, b), None, "range", m[0]))
    for m in an._FINANCIAL.finditer(text):
        a = int(m["a"])
        if an.YEAR_MIN <= a < an.YEAR_MAX and int(m["b"]) == (a + 1) % 100:
            found.append((m.start(), m.end(), a * 12 + 3, (a + 1) * 12 + 2, None, "range", m[0]))
    for m in an._SINGLE.finditer(text):
        a = int(m["a"])
        if an.YEAR_MIN <= a <= an.YEAR_MAX:
            found.append((m.start(), m.end(), *an._year_period(a, a), None, "year", m[0]))
    for m in an._MONTH.finditer(text):
        a = int(m["a"])
        if an.YEAR_MIN <= a <= an.YEAR_MAX:
            month = a * 12 + an._MONTHS[m["mon"][:3]] - 1
            found.append((m.start(), m.end(), month, month, None, "month", m[0]))
    for m in an._OPEN.finditer(text):
        a = int(m["a"])
        if not an.YEAR_MIN <= a <= an.YEAR_MAX:
            continue
        word = m["w"].lower()
        first = a * 12 + (an._MONTHS[m["mon"][:3]] - 1 if m["mon"] else 0)
        last = a * 12 + (an._MONTHS[m["mon"][:3]] - 1 if m["mon"] else 11)
        period = {"before": (None, first - 1), "until": (None, last), "till": (None, last),
                  "since": (first, None), "after": (last + 1, None)}[word]
        found.append((m.start(), m.end(), *period, None, "open", m[0]))
    era_period = {e: (f, t) for e, f, t in zip(table["era_id"], table["first"], table["last"])}
    names = [(p.pattern, p.ignore_case, p.era_id, p.start, p.end, "era_name")
             for p in an.ERA_PATTERNS if not p.era_id or p.era_id in era_period]
    names += [(r"\b" + re.escape(label) + r"\b", True, era, "", "", "era_name")
              for era, label in zip(table["era_id"], table["label"]) if label.strip()]
    names += an._event_patterns(events)
    for pattern, ignore_case, era, start, end, rule in names:
        for m in re.finditer(pattern, text, re.I if ignore_case else 0):
            if era:
                first, last = era_period[era]
                last = None if last is None or pd.isna(last) else int(last)
            else:
                first = an._month(start, "patterns", None)
                last = an._month(end, "patterns", None) if end else None
            found.append((m.start(), m.end(), int(first), last, era or None, rule, m[0]))
    refs = an._dates_win(text, an._resolve(found))
    anchors = sorted((r for r in refs if r[5] in {"year", "range", "month"}), key=lambda r: r[1])
    ends = np.array([a[1] for a in anchors], dtype=np.int64)
    for rx, shift in an._RELATIVE:
        for m in rx.finditer(text):
            k = int(np.searchsorted(ends, m.start(), side="right")) - 1
            if k < 0 or m.start() - ends[k] > window:
                continue
            anchor = anchors[k]
            first_year, last_year = anchor[2] // 12, anchor[3] // 12
            if shift is None:
                word = m["n"].lower()
                n = int(word) if word.isdigit() else an._WORD_NUMBERS[word]
                backwards = m["dir"].lower() in {"before", "earlier", "previously", "prior"}
                year = first_year - n if backwards else last_year + n
                first, last = an._year_period(year, year)
            elif shift == 0:
                first, last = anchor[2], anchor[3]
            else:
                year = last_year + 1 if shift > 0 else first_year - 1
                first, last = an._year_period(year, year)
            refs.append((m.start(), m.end(), first, last, None, "relative_anchored",
                         f"{m[0]} (anchor: {anchor[6]})"))
    refs.sort(key=lambda r: (r[0], r[1], r[5]))
    era_rows = list(zip(table["era_id"], table["first"], table["last"]))
    return pd.DataFrame(
        [(s, e, an._text(f), an._text(t), era if era else an._eras_of(f, t, era_rows), rule,
          ev) for s, e, f, t, era, rule, ev in refs],
        columns=["match_start", "match_end", "period_start", "period_end", "era_id", "rule",
                 "evidence"])


# Pieces a text is made of: every kind of date, every named period (in several cases),
# near misses (amounts, codes, out-of-range years, backwards ranges), relative phrases,
# and the characters whose case folding is special (dotless i, long s, Kelvin, dotted I).
PIECES = [
    "2006", "1999", "1990", "2030", "2031", "1989", "2,006", "£2010m", "3.2006", "X2006",
    "2006%", "2002-05", "2002–2005", "2002 — 2005", "2002 to 2005", "2002 until 2005",
    "between 1998 and 2001", "2005-2002", "2012/13", "2012/15", "2019/20/21", "2006 to 20",
    "October 2011", "Sept. 2013", "Sep 2013", "may 2013", "June 2022", "before 2013",
    "until 2013", "till 2001", "since October 2011", "After 2016", "before July 2022",
    "NPfIT", "NPIT", "npfit", "the National Programme for IT", "the national programme",
    "Connecting for Health", "CfH", "LSP", "LSPs", "lsps", "local service providers",
    "the LSP clusters", "the clusters", "when the SHAs went", "When the SHA closed",
    "abolition of the SHAs", "the SHAs were scrapped", "when the PCTs disappeared",
    "Health and Social Care Act 2012", "the 2012 reforms", "the Lansley reforms",
    "the CCG years", "the PCT era", "the SHA days", "since the ICBs", "once the ICBs took over",
    "ICBs came in", "NHSX", "nhsx", "Transformation Directorate", "Information for Health",
    "IM&T strategies", "Shifting the Balance of Power", "the Wachter review", "Wachter",
    "Five Year Forward View", "FYFV", "NHS Long Term Plan", "What Good Looks Like", "WGLL",
    "STPs", "stp", "ICBs and the Transformation Directorate", "NPfIT and the SHAs",
    "two years later", "a couple of years before", "12 years on", "an year after",
    "the following year", "the year after", "the previous year", "the year before",
    "back then", "at that point", "at the time", "that year", "the same year",
    "in those days", "we", "the", "and", "trusts", "budget", "LSPXS", "1", "20",
    "ſha", "the ſHAs went", "nhſx", "ıcbs", "the CCG year\u0131", "İCB", "NHS\u212aX",
]
SEPARATORS = ["", " ", " ", ", ", ". ", "! ", "? ", "\n", "-", "/", "–", "(", ") "]
CASES = [str, str.lower, str.upper, str.title]


@st.composite
def texts(draw):
    n = draw(st.integers(0, 30))
    parts = []
    for _ in range(n):
        piece = draw(st.sampled_from(PIECES))
        parts.append(draw(st.sampled_from(CASES))(piece) if draw(st.booleans()) else piece)
        parts.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(parts)


EVENTS = pd.DataFrame({"label": ["Local Digital Roadmaps", "Trusts"],
                       "date": ["2016-04", "2010-01"], "end_date": ["", "2010-06"],
                       "pattern": ["", r"\d\d trusts?"]})


def same(text, **kwargs):
    ours = an.find_references(text, ERAS, **kwargs)
    want = reference_find_references(text, ERAS, **kwargs)
    pd.testing.assert_frame_equal(ours, want, check_dtype=False)
    return want


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(texts(), st.sampled_from([150, 10, 0]), st.booleans())
def test_scan_equals_one_pass_per_pattern(text, window, with_events):
    same(text, window=window, events=EVENTS if with_events else None)


def test_scan_equals_one_pass_per_pattern_on_crafted_texts():
    # Overlapping candidates of one pattern, matches at both ends of the text, a text
    # whose lower case is longer (dotted capital I: the slow path), windows merged.
    for text in ["2002-2005-2008", "NHSXNHSX NHSX", "the CCG years", "x" * 200 + " NHSX",
                 "İ In 2006 NPfIT. Two years later", "2006 2007 2008 2009 2010 " * 30,
                 "when the SHAs went" + " " * 70 + "2013. That year"]:
        same(text)
    assert same("2005-2002").empty  # a backwards range is no range and holds no year


def test_scan_equals_one_pass_per_pattern_on_the_demo():
    eras = load_eras()
    folders = [paths.PROCESSED / "interviews" / "texts", paths.PROCESSED / "documents" / "texts"]
    files = sorted(f for d in folders for f in Path(d).glob("*.txt"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        pd.testing.assert_frame_equal(an.find_references(text, eras),
                                      reference_find_references(text, eras), check_dtype=False)


def test_anchors_and_widths_of_patterns():
    # Worked by hand: "the " + "NPfIT " + "clusters" = 18 characters at most; "clusters"
    # is the longest literal every match contains.
    assert an._plan(r"\bthe (?:NPfIT |LSP )?clusters\b", re.I) == (("clusters",), 18)
    # Either alternative: "since the icbs", or in the other "icbs " (5 characters) loses
    # to the verbs after it, whose shortest, "came in", has 7; both alternatives are 14 long.
    assert an._plan(r"\bsince the ICBs\b|\bICBs (?:came in|took over)\b", re.I) == (
        ("came in", "since the icbs", "took over"), 14)
    # A year: "19" or "20" then two digits.
    assert an._plan(an._SINGLE.pattern, 0) == (("19", "20"), 4)
    # No literal of two characters, an empty match, an unbounded width, an anchor to the
    # start: the whole text is searched.
    for pattern in [r"\d\d [a-z]", r"x*", r"NHS\w+", r"^NHSX", r"(NHS)X\1"]:
        assert an._plan(pattern, 0) is None, pattern
    # Two digits, then " trust" and an optional "s": 2 + 6 + 1 characters.
    assert an._plan(r"\d\d trusts?", 0) == ((" trust",), 9)


def test_case_folding_outside_ascii_is_covered():
    # Every non-ASCII character that re's IGNORECASE matches with an ASCII letter, found
    # by trying every code point: after lower() and _FOLD it is that ASCII letter, or
    # lower() changes its length (which sends the text to the full search).
    folding = [chr(c) for c in range(0x80, 0x110000) if re.fullmatch("(?i)[a-z]", chr(c))]
    assert folding  # (U+0130, U+0131, U+017F and U+212A with Python 3.11-3.13)
    for ch in folding:
        low = ch.lower()
        assert len(low) != 1 or low.translate(an._FOLD).isascii(), hex(ord(ch))


def test_parallel_anchoring_equals_serial(monkeypatch):
    eras = load_eras()
    texts = {f.stem: f.read_text(encoding="utf-8")
             for f in sorted((paths.PROCESSED / "interviews" / "texts").glob("*.txt"))}
    seg = pd.DataFrame({"segment_id": [f"s{i}" for i in range(len(texts))],
                        "source_id": list(texts), "start": 0,
                        "end": [len(t) for t in texts.values()]})
    serial = an.anchor_segments(seg, texts, eras)
    monkeypatch.setattr(an, "PARALLEL_CHARS", 0)
    pd.testing.assert_frame_equal(an.anchor_segments(seg, texts, eras), serial)
    assert len(serial) > 0
