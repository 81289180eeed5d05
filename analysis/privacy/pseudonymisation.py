"""Pseudonymisation: replace every key entry in a text and carry offsets (turns,
coded segments) across the replacements."""

from __future__ import annotations

import functools
import re
from typing import Mapping, NamedTuple

from ..schema import check_choice
from .keys import (APOSTROPHES, SPACE, entry_index, key_matcher, normalise_entry,
                   normalise_for_matching)


def _as_pairs(key) -> tuple[tuple[str, str], ...]:
    """(original, replacement) pairs from a key table, a mapping, or such pairs already
    (a tuple: callers with many short texts make them once)."""
    if isinstance(key, tuple):
        pairs = key
    elif isinstance(key, Mapping):
        pairs = tuple((str(o).strip(), str(r).strip()) for o, r in key.items())
    else:
        pairs = tuple(zip(key["original"], key["replacement"]))
    if any(not o for o, _ in pairs):
        raise ValueError("a key entry has an empty original (load key files with load_key)")
    return pairs


@functools.lru_cache(maxsize=32)
def _matcher(pairs: tuple[tuple[str, str], ...]):
    """The key regex and lookup of a key's originals, made once per key: a caller that
    pseudonymises many short values (a project's names) would otherwise rebuild them."""
    return key_matcher(tuple(normalise_entry(o) for o, _ in pairs))


# an apostrophe after a name, followed by one space and a word: a possessive ("James' office")
_BARE_POSSESSIVE_RX = re.compile(rf"[{APOSTROPHES}](?={SPACE}\w)")


# ---------------------------------------------------------------------------- pseudonymise

class Pseudonymised(NamedTuple):
    """A pseudonymised text and its edits ``(old_start, old_end, new_start, new_end)``,
    sorted, non-overlapping, in code points."""

    text: str
    edits: list[tuple[int, int, int, int]]


def pseudonymise(text: str, key) -> Pseudonymised:
    """Replace every key entry in ``text``; see the module notes for the matching rules.

    Parameters
    ----------
    text : str
        The text (normalised: offsets of other tables refer to it).
    key : pandas.DataFrame, mapping or tuple
        A table from :func:`load_key` (``original``, ``replacement``), a mapping
        ``{original: replacement}``, or a tuple of ``(original, replacement)`` pairs.

    Returns
    -------
    Pseudonymised
        ``text`` and ``edits``; pass the edits to :func:`remap_offsets`.

    Examples
    --------
    >>> key = {"Leeds": "[Place A]", "Leeds Teaching Hospitals": "[Trust B]",
    ...        "James": "[Person C]"}
    >>> pseudonymise("LEEDS TEACHING\\nHOSPITALS, not Leeds-based.", key).text
    '[Trust B], not [Place A]-based.'
    >>> pseudonymise("James' office and James's desk", key).text
    "[Person C]'s office and [Person C]'s desk"
    """
    pairs = _as_pairs(key)
    if not pairs:
        return Pseudonymised(text, [])
    rx, lookup = _matcher(pairs)
    raw_originals = [o for o, _ in pairs]
    parts, edits, last, shift = [], [], 0, 0
    if text.isascii():  # nothing to normalise: match in place
        matches = [(m.start(), m.end(), m.group()) for m in rx.finditer(text)]
    else:
        norm, starts, ends = normalise_for_matching(text)
        matches = [(starts[m.start()], ends[m.end() - 1], m.group())
                   for m in rx.finditer(norm)]
    for start, end, matched in matches:
        new = pairs[entry_index(matched, lookup, raw_originals)][1]
        bare = _BARE_POSSESSIVE_RX.match(text, end)
        # "James' office" -> "[Person C]'s office": the s-less possessive needs its s back
        if bare and matched[-1:].lower() == "s" and not new.endswith(("s", "S")):
            new += bare.group() + "s"
            end += 1
        parts.append(text[last:start])
        parts.append(new)
        edits.append((start, end, start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
        last = end
    parts.append(text[last:])
    return Pseudonymised("".join(parts), edits)


def remap_offsets(edits, positions, side: str = "start"):
    """Move offsets into the old text onto the pseudonymised text.

    Parameters
    ----------
    edits : list of (old_start, old_end, new_start, new_end)
        From :func:`pseudonymise`.
    positions : array-like of int
        Offsets into the old text.
    side : {"start", "end"}
        How a position strictly inside a replaced span moves: to the start of its
        replacement (span starts) or to its end (span ends), so a span that cut a name
        now covers the whole replacement.

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> remap_offsets([(3, 8, 3, 13)], [0, 3, 5, 8, 10], side="start").tolist()
    [0, 3, 3, 13, 15]
    >>> remap_offsets([(3, 8, 3, 13)], [5], side="end").tolist()
    [13]
    """
    import numpy as np

    check_choice("side", side, ("start", "end"))
    pos = np.asarray(positions, dtype=np.int64)
    if not len(edits):
        return pos.copy()
    old_start, old_end, new_start, new_end = np.asarray(edits, dtype=np.int64).T
    # shift of the last edit that ends at or before each position
    before = np.searchsorted(old_end, pos, side="right") - 1
    shift = np.where(before >= 0, (new_end - old_end)[np.maximum(before, 0)], 0)
    out = pos + shift
    # positions strictly inside a replaced span
    at = np.searchsorted(old_start, pos, side="right") - 1
    safe = np.maximum(at, 0)
    inside = (at >= 0) & (old_start[safe] < pos) & (pos < old_end[safe])
    target = new_start if side == "start" else new_end
    out[inside] = target[safe[inside]]
    return out


def remap_spans(table, edits, new_text: str, start: str = "start", end: str = "end",
                text: str | None = "text"):
    """Return a copy of ``table`` with its spans moved onto ``new_text``.

    ``start`` and ``end`` are remapped with :func:`remap_offsets`; the ``text`` column
    (if named) is re-sliced from ``new_text``, so ``text == new_text[start:end]`` holds.
    Works for turns and for coded segments alike.

    >>> import pandas as pd
    >>> new = pseudonymise("I met Smith there.", {"Smith": "[Person A]"})
    >>> remap_spans(pd.DataFrame({"start": [2], "end": [11], "text": ["met Smith"]}),
    ...             new.edits, new.text)
       start  end            text
    0      2   16  met [Person A]
    """
    out = table.copy()
    out[start] = remap_offsets(edits, table[start].astype("int64"), side="start")
    out[end] = remap_offsets(edits, table[end].astype("int64"), side="end")
    if text is not None:
        out[text] = [new_text[s:e] for s, e in zip(out[start], out[end])]
    return out


def pseudonymise_turns(text: str, turns, key, with_edits: bool = False):
    """Pseudonymise a transcript and its turns table consistently.

    Parameters
    ----------
    text : str
        The normalised transcript.
    turns : pandas.DataFrame
        ``source_id, turn, speaker, role, start, end, timestamp, text`` with offsets
        into ``text``.
    key : pandas.DataFrame or mapping
        As for :func:`pseudonymise`.
    with_edits : bool
        Also return the replacements made (as :func:`pseudonymise` gives them), which
        carry coding made on the original text across (:func:`remap_spans`).

    Returns
    -------
    (str, pandas.DataFrame) or (str, pandas.DataFrame, list)
        The new text and the turns with offsets remapped, ``text`` re-sliced and
        ``speaker`` pseudonymised with the same key; with ``with_edits``, the edits.

    Examples
    --------
    >>> import pandas as pd
    >>> text = "Dr Smith: Hello.\\nP01: Hi Dr Smith."
    >>> turns = pd.DataFrame({"speaker": ["Dr Smith", "P01"], "start": [10, 22],
    ...                       "end": [16, 35], "text": ["Hello.", "Hi Dr Smith."]})
    >>> new_text, new_turns = pseudonymise_turns(text, turns, {"Smith": "[Person A]"})
    >>> new_turns
             speaker  start  end               text
    0  Dr [Person A]     15   21             Hello.
    1            P01     27   45  Hi Dr [Person A].
    """
    new = pseudonymise(text, key)
    out = remap_spans(turns, new.edits, new.text)
    speakers = {s: pseudonymise(s, key).text for s in turns["speaker"].unique()}
    out["speaker"] = turns["speaker"].map(speakers)
    return (new.text, out, new.edits) if with_edits else (new.text, out)
