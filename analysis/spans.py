"""Spans of text: checked offsets, and the sort-and-sweep arithmetic on many spans at once.

A span is ``[start, end)`` of a source's normalised text, in code points. Coded segments,
turns and dictionary hits are all spans; the modules that count, compare and match them
(:mod:`analysis.matrices`, :mod:`analysis.reliability`, :mod:`analysis.alignment`,
:mod:`analysis.dictionary_trust`, :mod:`analysis.anchoring`) share these helpers, so each
piece of interval arithmetic is written once. Everything works on NumPy arrays of whole
tables: spans are sorted once and swept, never compared pair by pair.

Functions
---------
numeric_spans, check_spans_in_texts, checked_spans
    A span table's offsets as checked integers; every span inside its source's text;
    both at once for coded segments.
sweep_pairs
    The pairs of overlapping spans, from spans sorted by start.
merge_intervals, union_length, covered
    The union of spans: its disjoint blocks per group, its length per group, or a mask.
turn_hits
    Which turns each span overlaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .errors import DataError
from .io import csv_line

__all__ = ["numeric_spans", "check_spans_in_texts", "checked_spans", "sweep_pairs", "merge_intervals",
           "union_length", "covered", "turn_hits"]


def numeric_spans(table: pd.DataFrame, name: str = "segments",
                  columns: Iterable[str] = ("source_id", "code_id", "start", "end")
                  ) -> pd.DataFrame:
    """Return a copy of a span table with integer ``start``/``end``, checked.

    Tables read with :func:`analysis.io.read_table` hold strings; this converts the
    offsets and raises one :class:`~analysis.errors.DataError` naming the table and
    the CSV line of the first bad row (non-integer, negative, or ``end < start``).

    Parameters
    ----------
    table : DataFrame
        Segments or turns.
    name : str
        What to call the table in an error message (a file name when known).
    columns : iterable of str
        Columns that must be present.

    Returns
    -------
    DataFrame
        A copy with ``start`` and ``end`` as int64 and a fresh RangeIndex.

    Examples
    --------
    >>> numeric_spans(pd.DataFrame({"source_id": ["P01"], "code_id": ["th_funding"],
    ...                             "start": ["3"], "end": ["9"]})).end.tolist()
    [9]
    >>> numeric_spans(pd.DataFrame({"source_id": ["P01"], "code_id": ["th_funding"],
    ...                             "start": ["9"], "end": ["3"]}))
    Traceback (most recent call last):
    analysis.errors.DataError: segments:2: end 3 is before start 9
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(name, 1, f"table lacks column(s) {', '.join(missing)}")
    out = table.reset_index(drop=True).copy()
    for col in ("start", "end"):
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() | (values != values.round()) | (values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(name, csv_line(i),
                            f"{col} {out[col].iloc[i]!r} is not a non-negative whole number")
        out[col] = values.astype("int64")
    back = out["end"] < out["start"]
    if back.any():
        i = int(np.flatnonzero(back.to_numpy())[0])
        raise DataError(name, csv_line(i), f"end {out['end'].iloc[i]} is before start "
                                           f"{out['start'].iloc[i]}")
    return out


def check_spans_in_texts(seg: pd.DataFrame, texts: Mapping[str, str],
                         name: str = "segments") -> None:
    """Raise :class:`~analysis.errors.DataError` unless every segment's source has a text
    and its span lies inside it. Row labels of ``seg`` must be the table's rows as read
    (as :func:`numeric_spans` leaves them).

    >>> seg = numeric_spans(pd.DataFrame({"source_id": ["P01"], "code_id": ["th_a"],
    ...                                   "start": [0], "end": [12]}))
    >>> check_spans_in_texts(seg, {"P01": "too short"})
    Traceback (most recent call last):
    analysis.errors.DataError: segments:2: end 12 is beyond the text of 'P01' (9 characters)
    """
    lengths = seg["source_id"].map({k: len(v) for k, v in texts.items()})
    unknown = lengths.isna()
    if unknown.any():
        row = unknown.idxmax()
        raise DataError(name, csv_line(row), f"source {seg.at[row, 'source_id']!r} has no text")
    beyond = seg["end"] > lengths
    if beyond.any():
        row = beyond.idxmax()
        raise DataError(name, csv_line(row), f"end {seg.at[row, 'end']} is beyond the text of "
                                             f"{seg.at[row, 'source_id']!r} "
                                             f"({int(lengths[row])} characters)")


def checked_spans(segments: pd.DataFrame, name: str, texts: Mapping[str, str] | None = None,
                  extra: Iterable[str] = ()) -> pd.DataFrame:
    """Coded segments with checked integer spans (:func:`numeric_spans`), inside their
    texts when ``texts`` is given (:func:`check_spans_in_texts`).

    The columns ``source_id, code_id, start, end`` and ``extra`` must exist.

    >>> checked_spans(pd.DataFrame({"source_id": ["P01"], "code_id": ["th_a"],
    ...                             "start": ["0"], "end": ["4"]}), "segments",
    ...               {"P01": "long enough"}).start.tolist()
    [0]
    >>> checked_spans(pd.DataFrame({"source_id": ["P01"], "code_id": ["th_a"],
    ...                             "start": [0], "end": [4]}), "human segments", extra=["coder"])
    Traceback (most recent call last):
    analysis.errors.DataError: human segments:1: table lacks column(s) coder
    """
    seg = numeric_spans(segments, name, ("source_id", "code_id", "start", "end", *extra))
    if texts is not None:
        check_spans_in_texts(seg, texts, name)
    return seg


def sweep_pairs(key_start: np.ndarray, limit: np.ndarray, inclusive: bool = False):
    """All index pairs (i, j), i < j, of rows sorted by ``key_start`` with
    ``key_start[j] < limit[i]`` (``<=`` when ``inclusive``): the sweep of sort-and-sweep.

    With ``limit`` = the span ends, these are exactly the pairs of overlapping spans.
    Only the pairs that meet are generated, so the cost is O(n log n + pairs) instead
    of the O(n²) of testing every pair.

    Examples
    --------
    >>> i, j = sweep_pairs(np.array([0, 5, 40]), np.array([10, 20, 50]))
    >>> list(zip(i.tolist(), j.tolist()))
    [(0, 1)]
    >>> i, j = sweep_pairs(np.array([0, 10]), np.array([10, 20]), inclusive=True)
    >>> list(zip(i.tolist(), j.tolist()))   # touching spans meet when inclusive
    [(0, 1)]
    """
    n = key_start.size
    hi = np.searchsorted(key_start, limit, side="right" if inclusive else "left")
    counts = np.maximum(hi - np.arange(n) - 1, 0)
    i = np.repeat(np.arange(n), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    j = i + 1 + (np.arange(i.size) - first)
    return i, j


def merge_intervals(group: np.ndarray, start: np.ndarray, end: np.ndarray):
    """Union of intervals within each group: (group, start, end) of the disjoint blocks.

    ``start``/``end`` must already be in one coordinate space where different groups
    cannot overlap (callers add a group offset); sorting once and taking a running
    maximum of the ends then merges every group in one pass. Touching intervals
    (one ends where the next starts) make one block.

    Examples
    --------
    >>> g, s, e = merge_intervals(np.array([0, 0, 0, 1]), np.array([0, 3, 9, 100]),
    ...                           np.array([5, 7, 12, 104]))
    >>> g.tolist(), s.tolist(), e.tolist()
    ([0, 0, 1], [0, 9, 100], [7, 12, 104])
    """
    order = np.lexsort((start, group))
    g, s, e = group[order], start[order], end[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(s.size, dtype=bool)
    new[1:] = (s[1:] > reach[:-1]) | (g[1:] != g[:-1])
    first = np.flatnonzero(new)
    block_end = np.maximum.reduceat(e, first) if s.size else e
    return g[first], s[first], block_end


def union_length(group: np.ndarray, start: np.ndarray, end: np.ndarray, size: int
                 ) -> np.ndarray:
    """Characters covered by the union of the spans of each group ``0 .. size - 1``.

    Unlike :func:`merge_intervals`, the spans of different groups may share offsets
    (each group is, say, one code in one text).

    Examples
    --------
    >>> union_length(np.array([0, 0, 2]), np.array([0, 3, 0]), np.array([5, 7, 4]), 3).tolist()
    [7, 0, 4]
    """
    out = np.zeros(size, dtype=np.int64)
    if not group.size:
        return out
    # One coordinate space in which groups cannot overlap, as merge_intervals needs.
    stride = int(end.max()) + 1
    g, s, e = merge_intervals(group, group * stride + start, group * stride + end)
    np.add.at(out, g, e - s)
    return out


def covered(size: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Boolean mask of the positions ``0 .. size - 1`` inside any of the spans
    (+1 at starts, -1 at ends, a running sum).

    >>> covered(8, np.array([1, 2]), np.array([3, 5])).astype(int).tolist()
    [0, 1, 1, 1, 1, 0, 0, 0]
    """
    edges = np.zeros(size + 1, dtype=np.int64)
    np.add.at(edges, start, 1)
    np.add.at(edges, end, -1)
    return np.cumsum(edges[:-1]) > 0


def turn_hits(turn_start: np.ndarray, turn_end: np.ndarray, start: np.ndarray,
              end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(turn index, span index) of every span × turn overlap, on one axis.

    Turns are sorted and disjoint, so the turns a span overlaps form one run:
    from the first turn ending after the span starts to the last starting before it ends.

    >>> turn, span = turn_hits(np.array([0, 10, 20]), np.array([10, 20, 30]),
    ...                        np.array([5, 20]), np.array([15, 22]))
    >>> list(zip(turn.tolist(), span.tolist()))
    [(0, 0), (1, 0), (2, 1)]
    """
    lo = np.searchsorted(turn_end, start, side="right")
    hi = np.searchsorted(turn_start, end, side="left")
    count = np.maximum(hi - lo, 0)
    which = np.repeat(np.arange(len(start)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return np.repeat(lo, count) + offset, which
