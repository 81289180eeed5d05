"""Selection offsets as exporters count them, found and converted to our code points.

REFI-QDA asks for code points of the source file as stored; real tools count UTF-16
units (NVivo) or UTF-8 bytes, count each CRLF once or twice, and count the byte-order
mark or not. :func:`read_offsets` tries each reading and keeps the one that puts the
selection boundaries between words, converted to code points of the normalised text
(LF, no BOM).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

__all__ = ["OffsetReading", "read_offsets"]


@dataclass(frozen=True)
class OffsetReading:
    """How a source's selection offsets were read.

    ``unit`` is ``codepoint``, ``utf16`` or ``utf8``, plus ``+crlf`` when each CRLF
    counts as two units and ``+bom`` when the byte-order mark counts as one. ``start``
    and ``end`` are code points into the normalised text; ``valid`` says which
    selections land inside it, on whole characters and in order.
    """

    unit: str
    score: float
    start: np.ndarray
    end: np.ndarray
    valid: np.ndarray


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _word_chars(cps: np.ndarray) -> np.ndarray:
    """True where a code point is a letter, digit or combining mark (part of a word)."""
    ascii_word = np.zeros(128, dtype=bool)
    for lo, hi in ((48, 57), (65, 90), (97, 122)):
        ascii_word[lo:hi + 1] = True
    word = np.zeros(len(cps), dtype=bool)
    low = cps < 128
    word[low] = ascii_word[cps[low]]
    high = cps[~low]
    if len(high):
        # Only the distinct non-ASCII characters need a Unicode lookup.
        distinct = np.unique(high)
        flags = np.array([unicodedata.category(chr(c))[0] in "LNM" for c in distinct])
        word[~low] = flags[np.searchsorted(distinct, high)]
    return word


def read_offsets(raw_text: str, starts, ends, *, bom: bool = False) -> OffsetReading:
    """Find the unit a tool counted selections in, and convert them to our offsets.

    Each candidate reading (code points, UTF-16 units, UTF-8 bytes; CRLF as one unit or
    two; BOM counted or not) maps the offsets onto the normalised text (CRLF -> LF,
    no BOM). Its score is the share of selection boundaries that fall between words
    (not between two letters or digits) in selections that land on whole characters
    inside the text. The reading with every selection valid and the best score wins;
    ties go to the spec's reading, code points of the file as stored.

    Parameters
    ----------
    raw_text : str
        The decoded source file without its BOM, line ends as stored.
    starts, ends : array-like of int
        ``startPosition`` and ``endPosition`` of the source's selections (end exclusive).
    bom : bool
        Whether the file began with a byte-order mark.

    Returns
    -------
    OffsetReading

    Examples
    --------
    NVivo counts UTF-16 units, so the emoji is two units and "Tea" starts at 3:

    >>> r = read_offsets("\\U0001F600 Tea time", [3, 7], [6, 11])
    >>> r.unit, r.start.tolist(), r.end.tolist()
    ('utf16', [2, 6], [5, 10])
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    cps = _codepoints(raw_text)
    n = len(cps)
    cr_of_crlf = np.zeros(n, dtype=bool)
    if n > 1:
        cr_of_crlf[:-1] = (cps[:-1] == 13) & (cps[1:] == 10)
    # norm_pos[i]: where raw position i lands in the normalised text.
    norm_pos = np.concatenate(([0], np.cumsum(~cr_of_crlf)))
    word = np.zeros(n - int(cr_of_crlf.sum()) + 2, dtype=bool)
    word[1:-1] = _word_chars(cps[~cr_of_crlf])

    astral = cps > 0xFFFF
    non_ascii = cps >= 0x80
    weights = {"codepoint": np.ones(n, dtype=np.int64),
               "utf16": 1 + astral.astype(np.int64),
               "utf8": 1 + non_ascii.astype(np.int64) + (cps >= 0x800) + astral}
    present = {"codepoint": True, "utf16": bool(astral.any()), "utf8": bool(non_ascii.any())}
    has_crlf = bool(cr_of_crlf.any())

    best = None
    for unit, w in weights.items():
        if not present[unit]:
            continue
        for crlf_twice in ((True, False) if has_crlf else (False,)):
            cumulative = np.concatenate(([0], np.cumsum(np.where(cr_of_crlf, 0, w)
                                                        if not crlf_twice else w)))
            for bom_counted in ((False, True) if bom else (False,)):
                shift = int(bom_counted)
                s_pos, s_ok = _locate(cumulative, np.maximum(starts - shift, 0)
                                      if shift else starts, norm_pos)
                e_pos, e_ok = _locate(cumulative, ends - shift, norm_pos)
                valid = s_ok & e_ok & (s_pos <= e_pos)
                at_boundary = (valid & ~(word[s_pos] & word[s_pos + 1])).sum() + \
                              (valid & ~(word[e_pos] & word[e_pos + 1])).sum()
                score = at_boundary / (2 * len(starts)) if len(starts) else float("nan")
                name = unit + ("+crlf" if crlf_twice else "") + ("+bom" if bom_counted else "")
                key = (bool(valid.all()), 0.0 if np.isnan(score) else score)
                if best is None or key > best[0]:
                    best = (key, OffsetReading(name, float(score), s_pos, e_pos, valid))
    return best[1]


def _locate(cumulative: np.ndarray, offsets: np.ndarray, norm_pos: np.ndarray):
    """Raw character index of each unit offset (exact hits only) -> normalised position."""
    n = len(cumulative) - 1
    i = np.minimum(np.searchsorted(cumulative, offsets, side="left"), n)
    ok = (offsets >= 0) & (cumulative[i] == offsets)
    return np.where(ok, norm_pos[i], 0), ok
