"""Temporal anchoring: where interview segments refer to time, and to which period.

Interviewees date their experiences in many ways: "in 2006", "2002–2005", "in 2012/13",
"NPfIT", "when the SHAs went", "the CCG years", "since the ICBs", "two years later".
:func:`anchor_segments` finds these references in each text and gives every segment
that contains one a period, with the rule that matched and the matched words, so the
researcher can audit every assignment.

Rules
-----
``year``
    A four-digit year from 1990 to 2030 standing alone (not part of an amount, a
    decimal, a range or a name) -> that calendar year.
``range``
    "2002–2005", "2002-05", "2002 to 2005", "between 2002 and 2005" -> the years
    inclusive; an NHS financial year "2012/13" -> April 2012 to March 2013.
``era_name``
    A name from :data:`ERA_PATTERNS` (NPfIT, the National Programme, Connecting for
    Health, the clusters, LSPs -> the ``npfit`` era; "when the SHAs went" -> April
    2013; "the CCG years" -> ``ccg``; "since the ICBs" -> July 2022 onward; NHSX ->
    2019-02 to 2022-02; ...), or an era's own label from the eras table.
``event``
    The label (or ``pattern``) of an event from the optional events table.
``month``
    "October 2011", "in Sept. 2013" -> that month.
``open``
    "before 2013" -> up to December 2012; "until 2013" -> up to December 2013;
    "since 2013" -> January 2013 onward; "after 2013" -> January 2014 onward; with a
    month ("since October 2011") the same from that month. The other end is open.
``relative_anchored``
    "two years later", "the year after", "the previous year", "back then", "at the
    time", "that year" ... only when a ``year`` or ``range`` reference ends at most
    ``window`` characters before it in the same text; the period is computed from that
    anchor, which the evidence names.

An explicit date (``year``, ``range``, ``month``, ``open``) in a sentence wins over a
named programme or body in the same sentence: "we closed Connecting for Health in March
2013" speaks of March 2013, not of the NPfIT era, so the name then dates nothing.

Periods are months, ``YYYY-MM``, both ends inclusive; an open end is ``""``.

How the text is searched: each pattern's matches are exactly those of one ``finditer``
over the whole text, but found faster. Every match of a pattern contains one of a few
literal words (read from the pattern itself: "between ", "clusters", "19" or "20" ...)
and has a longest possible length, so the lower-cased text is searched once for each
such word and each pattern only near them (``_Scanner``). A pattern without such a word
(an event's own regular expression, say) is run over the whole text. Large inputs of
:func:`anchor_segments` are shared among the processor's cores, results merged in
source order.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError
from .io import csv_line
from .spans import check_spans_in_texts, numeric_spans

try:  # the regular-expression parser of the standard library (3.11-3.13), for anchors
    from re import _constants as _C, _parser as _P
except ImportError:  # pragma: no cover - a later Python: every pattern scans the text
    _C = _P = None

__all__ = ["ERA_PATTERNS", "RELATIVE_PATTERNS", "EraPattern", "find_references",
           "evidence_periods", "evidence_by_year",
           "anchor_segments"]

YEAR_MIN, YEAR_MAX = 1990, 2030


@dataclass(frozen=True)
class EraPattern:
    """A named period: the words that name it, and the era or months it means."""

    name: str
    pattern: str
    era_id: str = ""      # take the period from this era of the eras table ...
    start: str = ""       # ... or from these months (YYYY-MM; end "" = open)
    end: str = ""
    ignore_case: bool = True


# Dates from the sourced timeline tables, data/raw/timeline/strategies.csv and
# reorganisations.csv (each row carries its source URLs and confidence).
ERA_PATTERNS: tuple[EraPattern, ...] = (
    EraPattern("NPfIT", r"\bNPf?IT\b", "npfit", ignore_case=False),
    EraPattern("National Programme", r"\bthe National Programme(?: for (?:IT|Information "
               r"Technology))?\b", "npfit"),
    EraPattern("Connecting for Health", r"\bConnecting for Health\b|\bCfH\b", "npfit"),
    EraPattern("LSPs", r"\bLSPs?\b", "npfit", ignore_case=False),
    EraPattern("local service providers", r"\blocal service providers?\b", "npfit"),
    EraPattern("the clusters", r"\bthe (?:NPfIT |LSP )?clusters\b", "npfit"),
    EraPattern("SHAs abolished", r"\bwhen the SHAs? (?:went|were abolished|were scrapped|"
               r"disappeared|closed)\b|\b(?:abolition|end) of the SHAs?\b|\bthe SHAs? "
               r"(?:went|were abolished|were scrapped)\b", start="2013-04", end="2013-04"),
    EraPattern("PCTs abolished", r"\bwhen the PCTs (?:went|were abolished|disappeared)\b|"
               r"\babolition of the PCTs\b", start="2013-04", end="2013-04"),
    EraPattern("the 2012 Act", r"\bHealth and Social Care Act(?: 2012)?\b|\bthe 2012 "
               r"(?:Act|reforms)\b|\bthe Lansley reforms\b", start="2013-04", end="2013-04"),
    EraPattern("CCG years", r"\bthe CCG (?:years|era|days|period|world)\b", "ccg"),
    EraPattern("PCT years", r"\bthe PCT (?:years|era|days)\b", start="2002-04", end="2013-03"),
    EraPattern("SHA years", r"\bthe SHA (?:years|era|days)\b", start="2002-07",
               end="2013-03"),
    EraPattern("ICBs came in", r"\bsince the ICBs\b|\b(?:when |once )?(?:the )?ICBs "
               r"(?:came in|started|were set up|were created|took over)\b",
               start="2022-07", end=""),
    EraPattern("NHSX", r"\bNHSX\b", start="2019-02", end="2022-02"),
    EraPattern("Transformation Directorate", r"\bTransformation Directorate\b",
               start="2022-02", end=""),
    EraPattern("Information for Health", r"\bInformation for Health\b", "ifh"),
    EraPattern("IM&T strategy", r"\bIM&T strateg(?:y|ies)\b", "imt"),
    EraPattern("Shifting the Balance", r"\bShifting the Balance(?: of Power)?\b",
               start="2002-04", end="2002-04"),
    EraPattern("Wachter review", r"\b(?:the )?Wachter(?: review| report)?\b",
               start="2016-09", end="2016-09"),
    EraPattern("Five Year Forward View", r"\bFive Year Forward View\b|\bFYFV\b",
               start="2014-10", end="2014-10"),
    EraPattern("Long Term Plan", r"\b(?:NHS )?Long Term Plan\b", start="2019-01",
               end="2019-01"),
    EraPattern("What Good Looks Like", r"\bWhat Good Looks Like\b|\bWGLL\b",
               start="2021-08", end="2021-08"),
    EraPattern("STPs", r"\bSTPs?\b", "stp_ics", ignore_case=False),
)

_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2}

#: Relative phrases: (regex, shift in years; None = read the number from the match).
RELATIVE_PATTERNS: tuple[tuple[str, int | None], ...] = (
    (r"\b(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|\d{1,2})"
     r" years? (?P<dir>later|after(?:wards)?|on|before|earlier|previously|prior)\b", None),
    (r"\bthe (?:following|next) year\b|\bthe year after(?:wards)?\b", 1),
    (r"\bthe (?:previous|preceding) year\b|\bthe year before\b", -1),
    (r"\bback then\b|\bat that (?:time|point|stage)\b|\bat the time\b|\b(?:that|the same) "
     r"year\b|\bin those days\b", 0),
)

_YEAR = r"(?:19|20)\d\d"
_LEFT = r"(?<![\w£$€.,/-])"
_RIGHT = r"(?![\w%£$€]|[.,]\d|[/-]\d)"
_RANGES = (
    re.compile(rf"\bbetween (?P<a>{_YEAR}) and (?P<b>{_YEAR}){_RIGHT}", re.I),
    re.compile(rf"{_LEFT}(?P<a>{_YEAR})(?: ?[–—-] ?| (?:to|until|till) )(?P<b>{_YEAR})"
               rf"{_RIGHT}", re.I),
    # A two-digit end only after a dash ("2002-05"): "2006 to 20 trusts" is no range.
    re.compile(rf"{_LEFT}(?P<a>{_YEAR})[–—-](?P<b>\d\d){_RIGHT}"),
)
_FINANCIAL = re.compile(rf"{_LEFT}(?P<a>{_YEAR})/(?P<b>\d\d){_RIGHT}")
_SINGLE = re.compile(rf"{_LEFT}(?P<a>{_YEAR}){_RIGHT}")
_MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8,
           "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
# Capitalised month names only: "may 2010" in running text is rarely the month.
_MONTH_NAME = (r"(?P<mon>January|February|March|April|May|June|July|August|September|"
               r"October|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
               r"\.?)")
_MONTH = re.compile(rf"\b{_MONTH_NAME} (?P<a>{_YEAR}){_RIGHT}")
_OPEN = re.compile(rf"\b(?P<w>(?i:before|until|till|since|after)) (?:{_MONTH_NAME} )?"
                   rf"(?P<a>{_YEAR}){_RIGHT}")
# Sentence ends: a full stop, question or exclamation mark before a space, or a new line.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+|\n")
_DATED = {"year", "range", "month", "open"}
_RELATIVE = tuple((re.compile(p, re.I), shift) for p, shift in RELATIVE_PATTERNS)

COLUMNS = ["segment_id", "source_id", "period_start", "period_end", "era_id", "rule",
           "evidence", "match_start", "match_end"]


# ---- the scan: a literal pass per anchor word, then each pattern only around its anchors

#: ``re`` matches these with an ASCII letter under IGNORECASE but ``str.lower`` keeps them
#: (dotless i, long s); the dotted capital I lowers to two characters (slow path instead)
#: and the Kelvin sign to "k". The tests find this set again from every code point.
_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s"})
_LOOKAROUND_MAX = 32  # widest lookahead or lookbehind of a pattern on the fast path
_MARGIN = _LOOKAROUND_MAX + 8  # how far past its widest match a search may read
_GAP = 64  # windows closer than this are searched in one call


def _children(av) -> list:
    if _P is not None and isinstance(av, _P.SubPattern):
        return [av]
    if isinstance(av, (tuple, list)):
        return [c for x in av for c in _children(x)]
    return []


def _literal_options(items) -> list[frozenset[str]]:
    """Sets of literals (lower case), each such that every match contains one of them."""
    options, run = [], []

    def flush():
        if run:
            options.append(frozenset({"".join(run).lower()}))
            run.clear()

    for op, av in items:
        if op is _C.LITERAL:
            run.append(chr(av))
            continue
        if op is _C.AT:  # zero-width: the literals either side stay contiguous
            continue
        flush()
        sub = None
        if op is _C.SUBPATTERN:
            sub = _best(_literal_options(av[-1]))
        elif op is _C.BRANCH:
            alts = [_best(_literal_options(a)) for a in av[1]]
            sub = None if any(a is None for a in alts) else frozenset().union(*alts)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _best(_literal_options(av[2]))
        if sub:
            options.append(sub)
    flush()
    return options


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective option: the longest shortest literal, then the fewest literals
    (ASCII only: a case-insensitive non-ASCII letter has more equivalents than lower())."""
    usable = [o for o in options if all(s.isascii() for s in o)]
    return max(usable, key=lambda o: (min(map(len, o)), -len(o)), default=None)


def _supported(items) -> bool:
    """No anchoring to the ends of the text and no back-references (their meaning changes
    when a search starts or stops inside the text); only narrow lookarounds."""
    for op, av in items:
        if op is _C.AT and av not in (_C.AT_BOUNDARY, _C.AT_NON_BOUNDARY):
            return False
        if op in (_C.GROUPREF, _C.GROUPREF_EXISTS, _C.GROUPREF_IGNORE,
                  _C.GROUPREF_LOC_IGNORE, _C.GROUPREF_UNI_IGNORE):
            return False
        if op in (_C.ASSERT, _C.ASSERT_NOT) and av[1].getwidth()[1] > _LOOKAROUND_MAX:
            return False
        if not all(_supported(c) for c in _children(av)):
            return False
    return True


@functools.lru_cache(maxsize=None)
def _plan(pattern: str, flags: int) -> tuple[tuple[str, ...], int] | None:
    """A pattern's anchor literals and its widest match, or None: scan the whole text."""
    if _P is None:
        return None
    parsed = _P.parse(pattern, flags)
    shortest, widest = parsed.getwidth()
    if shortest < 1 or widest > 1000 or not _supported(parsed):
        return None
    anchors = _best(_literal_options(parsed))
    if not anchors or min(map(len, anchors)) < 2:
        return None
    return tuple(sorted(anchors)), widest


class _Scanner:
    """``rx.finditer(text)`` for many patterns, each searched only around its anchors.

    Every match of a pattern contains one of its anchor literals and is at most
    ``widest`` characters long, so it starts at most ``widest - len(anchor)`` characters
    before an anchor. The literals are found in the lower-cased text (a cheap pass each,
    shared by the patterns); then, as ``finditer`` does, each match is the leftmost one
    at or after the previous match's end, searched for inside those windows only. A
    search never reads more than ``widest`` characters plus a lookahead past a window,
    so it sees what a search over the whole text sees.
    """

    def __init__(self, text: str):
        self.text = text
        low = text.lower()
        # The lower-cased text stands for the text only when no character changes length.
        self.low = low.translate(_FOLD) if len(low) == len(text) else None
        self._where: dict[str, np.ndarray] = {}

    def _occurrences(self, literal: str) -> np.ndarray:
        if literal not in self._where:
            found, find = [], self.low.find
            i = find(literal)
            while i >= 0:
                found.append(i)
                i = find(literal, i + 1)
            self._where[literal] = np.asarray(found, dtype=np.int64)
        return self._where[literal]

    def finditer(self, rx: re.Pattern):
        plan = None if self.low is None else _plan(rx.pattern, rx.flags)
        if plan is None:
            yield from rx.finditer(self.text)
            return
        anchors, widest = plan
        at = [self._occurrences(a) for a in anchors]
        hi = np.concatenate(at) + 1
        if not len(hi):
            return
        lo = np.concatenate([x - (widest - len(a)) for x, a in zip(at, anchors)])
        order = np.argsort(lo, kind="stable")
        lo, hi = lo[order], np.maximum.accumulate(hi[order])
        new = np.flatnonzero(lo[1:] > hi[:-1] + _GAP) + 1
        first, last = np.concatenate([[0], new]), np.concatenate([new - 1, [len(lo) - 1]])
        text, n, end = self.text, len(self.text), 0
        for a, b in zip(np.maximum(lo[first], 0).tolist(), hi[last].tolist()):
            pos, stop = max(a, end), min(n, b + widest + _MARGIN)
            while pos < b:
                m = rx.search(text, pos, stop)
                if m is None or m.start() >= b:
                    break
                yield m
                pos = end = m.end()


def _month(value: str, where: str, line) -> int:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> months since year 0 (year*12 + month-1)."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", str(value).strip())
    if not m or not 1 <= int(m.group(2) or 1) <= 12:
        raise DataError(where, line, f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return int(m.group(1)) * 12 + int(m.group(2) or 1) - 1


def _text(month: int | None) -> str:
    return "" if month is None else f"{month // 12:04d}-{month % 12 + 1:02d}"


def _eras_table(eras: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("era_id", "label", "start_date", "end_date") if c not in eras.columns]
    if missing:
        raise DataError("eras", 1, f"table lacks column(s) {', '.join(missing)}")
    rows = []
    for i, (era, label, start, end) in enumerate(
            eras[["era_id", "label", "start_date", "end_date"]].astype(str).itertuples(False)):
        first = _month(start, "eras", csv_line(i))
        # an open era's end is missing (NaT, NaN under pandas' string dtype, or "")
        open_ended = not isinstance(end, str) or end.strip() in {"", "nan", "NaT"}
        last = None if open_ended else _month(end, "eras", csv_line(i))
        if last is not None and last < first:
            raise DataError("eras", csv_line(i), f"era {era!r} ends before it starts")
        rows.append((era, label, first, last))
    table = pd.DataFrame(rows, columns=["era_id", "label", "first", "last"])
    return table.sort_values("first", kind="stable", ignore_index=True)


def _eras_of(first: int, last: int | None, eras: list[tuple]) -> str:
    """Eras overlapping months [first, last]; an era's end month belongs to the next era.

    ``eras`` holds ``(era_id, first, last)`` rows of :func:`_eras_table` (plain tuples:
    this runs once per reference)."""
    hits = [e for e, f, t in eras
            if (last is None or f <= last)
            and (t is None or pd.isna(t) or first is None or first < t)]
    return "|".join(hits)


def _year_period(a: int, b: int) -> tuple[int, int]:
    return a * 12, b * 12 + 11


def find_references(text: str, eras: pd.DataFrame, events: pd.DataFrame | None = None,
                    window: int = 150) -> pd.DataFrame:
    """All references to time in one text, whatever the segments.

    Parameters
    ----------
    text : str
        A normalised text.
    eras : DataFrame
        ``era_id, label, start_date, end_date`` (dates ``YYYY-MM``; empty end = open).
    events : DataFrame, optional
        ``label, date`` and optionally ``end_date`` and ``pattern`` (a regular
        expression; the escaped label otherwise), matched case-insensitively.
    window : int
        How far before a relative phrase (in characters) its anchoring year may end.

    Returns
    -------
    DataFrame
        ``match_start, match_end, period_start, period_end, era_id, rule, evidence``,
        sorted by position. A year inside a range or a name is not reported again;
        of overlapping names the longer wins.

    Examples
    --------
    >>> eras = pd.DataFrame({"era_id": ["npfit", "ccg"], "label": ["NPfIT", "CCGs"],
    ...     "start_date": ["2002-06", "2011-09"], "end_date": ["2011-09", "2016-09"]})
    >>> refs = find_references("The LSP went bust. In 2006 we bid; two years later we left.", eras)
    >>> refs[["period_start", "period_end", "era_id", "rule"]]
      period_start period_end era_id               rule
    0      2002-06    2011-09  npfit           era_name
    1      2006-01    2006-12  npfit               year
    2      2008-01    2008-12  npfit  relative_anchored
    >>> refs["evidence"].tolist()
    ['LSP', '2006', 'two years later (anchor: 2006)']
    """
    return _Finder(eras, events, window).find(text)


class _Finder:
    """:func:`find_references` with the eras and names prepared once for many texts."""

    def __init__(self, eras: pd.DataFrame, events: pd.DataFrame | None, window: int):
        table = _eras_table(eras)
        self.era_period = {e: (f, t) for e, f, t in
                           zip(table["era_id"], table["first"], table["last"])}
        names = [(p.pattern, p.ignore_case, p.era_id, p.start, p.end, "era_name")
                 for p in ERA_PATTERNS if not p.era_id or p.era_id in self.era_period]
        names += [(r"\b" + re.escape(label) + r"\b", True, era, "", "", "era_name")
                  for era, label in zip(table["era_id"], table["label"]) if label.strip()]
        names += _event_patterns(events)
        self.names = [(re.compile(pattern, re.I if ignore_case else 0), *rest)
                      for pattern, ignore_case, *rest in names]
        self.era_rows = list(zip(table["era_id"], table["first"], table["last"]))
        self.window = window
        self._eras_of: dict = {}  # (first, last) -> eras: many references share a period

    def eras_of(self, first: int | None, last: int | None) -> str:
        if (first, last) not in self._eras_of:
            self._eras_of[first, last] = _eras_of(first, last, self.era_rows)
        return self._eras_of[first, last]

    def find(self, text: str) -> pd.DataFrame:
        scan = _Scanner(text)
        era_period = self.era_period
        found = []  # (start, end, first, last, era_id or None, rule, evidence)
        for rx in _RANGES:
            for m in scan.finditer(rx):
                a, b = int(m["a"]), m["b"]
                b = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
                if YEAR_MIN <= a < b <= YEAR_MAX:
                    found.append((m.start(), m.end(), *_year_period(a, b), None, "range", m[0]))
        for m in scan.finditer(_FINANCIAL):
            a = int(m["a"])
            if YEAR_MIN <= a < YEAR_MAX and int(m["b"]) == (a + 1) % 100:
                found.append((m.start(), m.end(), a * 12 + 3, (a + 1) * 12 + 2, None, "range",
                              m[0]))
        for m in scan.finditer(_SINGLE):
            a = int(m["a"])
            if YEAR_MIN <= a <= YEAR_MAX:
                found.append((m.start(), m.end(), *_year_period(a, a), None, "year", m[0]))
        for m in scan.finditer(_MONTH):
            a = int(m["a"])
            if YEAR_MIN <= a <= YEAR_MAX:
                month = a * 12 + _MONTHS[m["mon"][:3]] - 1
                found.append((m.start(), m.end(), month, month, None, "month", m[0]))
        for m in scan.finditer(_OPEN):
            a = int(m["a"])
            if not YEAR_MIN <= a <= YEAR_MAX:
                continue
            word = m["w"].lower()
            first = a * 12 + (_MONTHS[m["mon"][:3]] - 1 if m["mon"] else 0)
            last = a * 12 + (_MONTHS[m["mon"][:3]] - 1 if m["mon"] else 11)
            period = {"before": (None, first - 1), "until": (None, last), "till": (None, last),
                      "since": (first, None), "after": (last + 1, None)}[word]
            found.append((m.start(), m.end(), *period, None, "open", m[0]))
        for rx, era, start, end, rule in self.names:
            for m in scan.finditer(rx):
                if era:
                    first, last = era_period[era]
                    last = None if last is None or pd.isna(last) else int(last)
                else:
                    first = _month(start, "patterns", None)
                    last = _month(end, "patterns", None) if end else None
                found.append((m.start(), m.end(), int(first), last, era or None, rule, m[0]))
        refs = _dates_win(text, _resolve(found))
        refs += _relative(scan, refs, self.window)
        refs.sort(key=lambda r: (r[0], r[1], r[5]))
        return pd.DataFrame(
            [(s, e, _text(f), _text(t), era if era else self.eras_of(f, t), rule, ev)
             for s, e, f, t, era, rule, ev in refs],
            columns=["match_start", "match_end", "period_start", "period_end", "era_id", "rule",
                     "evidence"])


def _event_patterns(events: pd.DataFrame | None) -> list[tuple]:
    if events is None:
        return []
    missing = [c for c in ("label", "date") if c not in events.columns]
    if missing:
        raise DataError("events", 1, f"table lacks column(s) {', '.join(missing)}")
    out = []
    for i, row in enumerate(events.astype(str).to_dict("records")):
        end = row.get("end_date", "")
        end = row["date"] if end in {"", "nan"} else end
        _month(row["date"], "events", csv_line(i))
        _month(end, "events", csv_line(i))
        pattern = row.get("pattern", "")
        if pattern in {"", "nan"}:
            pattern = r"\b" + re.escape(row["label"]) + r"\b"
        try:
            re.compile(pattern)
        except re.error as exc:
            raise DataError("events", csv_line(i), f"bad pattern {pattern!r}: {exc}") from None
        out.append((pattern, True, "", row["date"][:7], end[:7], "event"))
    return out


def _resolve(found: list[tuple]) -> list[tuple]:
    """Drop a year inside a range or name, and the shorter of overlapping names/ranges."""
    rank = {"range": 0, "open": 0, "month": 0, "era_name": 0, "event": 0, "year": 1}
    ordered = sorted(found, key=lambda r: (rank[r[5]], -(r[1] - r[0]), r[0]))
    kept: list[tuple] = []
    # The kept spans never overlap, so sorted by (start, end) their ends rise too: a new
    # span overlaps one of them iff it overlaps the last kept span that starts before
    # its end. A bisection per reference instead of a scan of all kept ones.
    spans: list[tuple[int, int]] = []
    for ref in ordered:
        i = bisect.bisect_left(spans, (ref[1], -1))
        if i == 0 or spans[i - 1][1] <= ref[0]:
            kept.append(ref)
            bisect.insort(spans, (ref[0], ref[1]))
    return kept


def _dates_win(text: str, refs: list[tuple]) -> list[tuple]:
    """Drop the era names of every sentence that also states an explicit date."""
    if not any(r[5] == "era_name" for r in refs):
        return refs
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    sentence = [bisect.bisect_right(ends, r[0]) for r in refs]
    dated = {s for s, r in zip(sentence, refs) if r[5] in _DATED}
    return [r for s, r in zip(sentence, refs) if not (r[5] == "era_name" and s in dated)]


def _relative(scan: _Scanner, refs: list[tuple], window: int) -> list[tuple]:
    """Relative phrases anchored by the nearest year or range ending within ``window``."""
    anchors = sorted((r for r in refs if r[5] in {"year", "range", "month"}), key=lambda r: r[1])
    if not anchors:
        return []
    ends = np.array([a[1] for a in anchors], dtype=np.int64)
    out = []
    for rx, shift in _RELATIVE:
        for m in scan.finditer(rx):
            k = int(np.searchsorted(ends, m.start(), side="right")) - 1
            if k < 0 or m.start() - ends[k] > window:
                continue
            anchor = anchors[k]
            first_year, last_year = anchor[2] // 12, anchor[3] // 12
            if shift is None:
                word = m["n"].lower()
                n = int(word) if word.isdigit() else _WORD_NUMBERS[word]
                backwards = m["dir"].lower() in {"before", "earlier", "previously", "prior"}
                year = first_year - n if backwards else last_year + n
                first, last = _year_period(year, year)
            elif shift == 0:
                first, last = anchor[2], anchor[3]
            else:
                year = last_year + 1 if shift > 0 else first_year - 1
                first, last = _year_period(year, year)
            out.append((m.start(), m.end(), first, last, None, "relative_anchored",
                        f"{m[0]} (anchor: {anchor[6]})"))
    return out


#: Below this many characters in all, texts are searched in this process: starting
#: worker processes costs more than it saves.
PARALLEL_CHARS = 2_000_000


def _references(texts: list[str], eras: pd.DataFrame, events: pd.DataFrame | None,
                window: int) -> list[pd.DataFrame]:
    """:func:`find_references` of each text, in order; large inputs on every core."""
    finder = _Finder(eras, events, window)  # bad tables fail here, once, with their line
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1, len(texts))
    if workers < 2 or sum(map(len, texts)) < PARALLEL_CHARS:
        return [finder.find(t) for t in texts]
    with ProcessPoolExecutor(workers) as pool:
        # map returns the texts' results in order, whichever worker finishes first
        return list(pool.map(finder.find, texts,
                             chunksize=max(1, len(texts) // (4 * workers))))


def _inside(start, end, match_start, match_end, block: int = 4_000_000):
    """(segment, reference) index pairs with the reference inside the segment, segment by
    segment and references in order (a cross join's order), a block of pairs at a time."""
    rows = max(1, block // max(len(match_start), 1))
    found = [np.nonzero((start[k:k + rows, None] <= match_start)
                        & (match_end <= end[k:k + rows, None]))
             for k in range(0, len(start), rows)]
    i = np.concatenate([f[0] + k for f, k in zip(found, range(0, len(start), rows))] or
                       [np.zeros(0, np.int64)])
    j = np.concatenate([f[1] for f in found] or [np.zeros(0, np.int64)])
    return i, j


def anchor_segments(segments: pd.DataFrame, texts: Mapping[str, str], eras: pd.DataFrame,
                    events: pd.DataFrame | None = None, window: int = 150) -> pd.DataFrame:
    """Give each segment the periods its words refer to, with the rule that matched.

    References are found in the whole text of each source (:func:`find_references`) so
    that a relative phrase can be anchored by a year said just before the segment;
    a reference belongs to every segment whose span contains it entirely. Texts of more
    than :data:`PARALLEL_CHARS` characters in all are searched on every core.

    Parameters
    ----------
    segments : DataFrame
        ``segment_id, source_id, start, end`` (other columns ignored).
    texts : mapping of source_id to str
        Normalised texts.
    eras : DataFrame
        ``era_id, label, start_date, end_date`` (``data/raw/timeline/eras.csv``).
    events : DataFrame, optional
        ``label, date[, end_date][, pattern]``: extra named events (rule ``event``).
    window : int
        Characters before a relative phrase in which its anchoring year must end.

    Returns
    -------
    DataFrame
        ``segment_id, source_id, period_start, period_end, era_id, rule, evidence,
        match_start, match_end`` (offsets of the matched words in the source text). A
        segment has one row per reference; segments without one have none. ``era_id``
        joins with ``"|"`` every era the period overlaps (the named era for era names).

    Examples
    --------
    >>> eras = pd.DataFrame({"era_id": ["ccg", "icb"], "label": ["CCGs", "ICBs"],
    ...     "start_date": ["2011-09", "2022-07"], "end_date": ["2016-09", ""]})
    >>> texts = {"P01": "When the SHAs went we lost people. Since the ICBs it is better."}
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s2"], "source_id": ["P01", "P01"],
    ...                     "start": [0, 35], "end": [34, 63]})
    >>> anchor_segments(seg, texts, eras)[["segment_id", "period_start", "period_end",
    ...                                    "era_id", "evidence"]]
      segment_id period_start period_end era_id            evidence
    0         s1      2013-04    2013-04    ccg  When the SHAs went
    1         s2      2022-07               icb      Since the ICBs
    """
    seg = numeric_spans(segments, columns=("segment_id", "source_id", "start", "end"))
    check_spans_in_texts(seg, texts, "segments")
    sources = sorted(seg["source_id"].astype(str).unique())
    rows = []
    for source_id, refs in zip(sources, _references([texts[s] for s in sources], eras,
                                                    events, window)):
        if refs.empty:
            continue
        mine = seg.loc[seg["source_id"] == source_id, ["segment_id", "start", "end"]]
        i, j = _inside(mine["start"].to_numpy(), mine["end"].to_numpy(),
                       refs["match_start"].to_numpy(), refs["match_end"].to_numpy())
        pairs = refs.iloc[j].reset_index(drop=True)
        pairs.insert(0, "segment_id", mine["segment_id"].to_numpy()[i])
        rows.append(pairs.assign(source_id=source_id))
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    out["segment_id"] = out["segment_id"].astype(str)
    return (out.sort_values(["source_id", "match_start", "match_end", "segment_id", "rule"],
                            kind="stable", ignore_index=True)[COLUMNS])


def evidence_periods(anchors: pd.DataFrame, sources: pd.DataFrame, participants: pd.DataFrame,
                     until: str = "2026-12", since: str = f"{YEAR_MIN}-01") -> pd.DataFrame:
    """Anchored references as dated periods with the speaker's tier, for a timeline.

    Parameters
    ----------
    anchors : DataFrame
        From :func:`anchor_segments`.
    sources, participants : DataFrame
        Link ``source_id`` to ``participant_id`` and its ``tier``.
    until : str
        ``YYYY-MM`` where open periods ("since the ICBs") stop.
    since : str
        ``YYYY-MM`` where periods open at the start ("before 2013") begin.

    Returns
    -------
    DataFrame
        ``segment_id, source_id, tier, rule, period_start, period_end`` with the periods
        as Timestamps: the first day of the first month, and the first day after the
        last month (end-exclusive, as elsewhere in the compendium).

    Examples
    --------
    >>> anchors = pd.DataFrame({"segment_id": ["s1"], "source_id": ["P01"],
    ...     "period_start": ["2006-01"], "period_end": ["2006-12"], "rule": ["year"]})
    >>> out = evidence_periods(anchors, pd.DataFrame({"source_id": ["P01"],
    ...     "participant_id": ["P01"]}), pd.DataFrame({"participant_id": ["P01"],
    ...     "tier": ["meso"]}))
    >>> out[["tier", "period_start", "period_end"]].astype(str).values.tolist()
    [['meso', '2006-01-01', '2007-01-01']]
    """
    tier = sources[["source_id", "participant_id"]].merge(
        participants[["participant_id", "tier"]], on="participant_id", how="left")
    out = anchors.merge(tier[["source_id", "tier"]], on="source_id", how="left")
    end = out["period_end"].where(out["period_end"].astype(str).str.len() > 0, until)
    start = out["period_start"].where(out["period_start"].astype(str).str.len() > 0, since)
    out = out.assign(
        period_start=pd.to_datetime(start, format="%Y-%m"),
        period_end=pd.to_datetime(end, format="%Y-%m") + pd.offsets.MonthBegin(1),
    )
    return out[["segment_id", "source_id", "tier", "rule", "period_start",
                "period_end"]].reset_index(drop=True)


def evidence_by_year(periods: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """How many anchored segments of each tier refer to each year.

    A segment counts once in every year its period (from :func:`evidence_periods`)
    overlaps; several references of one segment to the same year count once.

    >>> p = pd.DataFrame({"segment_id": ["a", "a", "b"], "tier": ["meso"] * 3,
    ...     "period_start": pd.to_datetime(["2006-01-01", "2006-06-01", "2005-01-01"]),
    ...     "period_end": pd.to_datetime(["2007-01-01", "2006-07-01", "2007-01-01"])})
    >>> evidence_by_year(p, 2005, 2006).query("tier == 'meso'")["n_segments"].tolist()
    [1, 2]
    """
    import numpy as np

    years = np.arange(start, end + 1)
    first = periods["period_start"].dt.year.to_numpy()
    last = (periods["period_end"] - pd.Timedelta(days=1)).dt.year.to_numpy()
    hit = (first[:, None] <= years[None, :]) & (last[:, None] >= years[None, :])
    rows, cols = np.nonzero(hit)
    pairs = pd.DataFrame({"segment_id": periods["segment_id"].to_numpy()[rows],
                          "tier": periods["tier"].to_numpy()[rows], "year": years[cols]})
    counts = pairs.drop_duplicates().groupby(["tier", "year"]).size()
    tiers = sorted(periods["tier"].dropna().unique())
    full = pd.MultiIndex.from_product([tiers, years], names=["tier", "year"])
    return counts.reindex(full, fill_value=0).rename("n_segments").reset_index()
