"""Pseudonymisation, an identifier scanner, and the leak check over everything committed.

Three tools keep real identifiers out of ``data/processed/``, ``figures/`` and notebook
outputs:

* :func:`pseudonymise` replaces every entry of an identifier key (a CSV kept in
  ``data/raw/private/``: ``original, replacement[, kind]``) and returns the new text
  with an edit map, so that offsets into the old text (turns, coded segments) can be
  moved onto the new one with :func:`remap_offsets` / :func:`remap_spans`.
* :func:`scan` flags what a key may have missed, for the researcher to review:
  e-mail addresses, UK phone numbers, NHS numbers with a valid check digit, postcodes
  and capitalised words that are not NHS or policy vocabulary (noisy by design).
* :func:`leak_check` (``python -m analysis privacy check``) fails when any key entry
  or any e-mail, phone, NHS number or postcode appears in the committed outputs
  (``data/processed/``, ``figures/``, notebook outputs), except strings listed with a
  reason in ``data/raw/privacy_allowlist.csv`` (or a private allowlist beside the real
  key). It names a key entry by its key row, never by the identifier.

Matching rules for key entries (pseudonymisation and leak check alike):

* both sides are normalised first (:func:`normalise_for_matching`): Unicode NFKC (so a
  decomposed ``Zoe`` + combining diaeresis is ``Zoë``), soft hyphens and zero-width
  characters removed;
* whole word: not preceded or followed by a letter or digit. A hyphen, an underscore
  or an apostrophe is a boundary, so ``Leeds-based``, ``P01_Leeds`` (a file name) and
  ``Smith's`` are caught;
* case-insensitive; where an original has a space, hyphen or underscore between words,
  the text may have any run of whitespace (line breaks, no-break spaces), hyphens,
  underscores, CSV cell separators or markup tags between them, or nothing at all:
  ``Harriet Quill`` also matches ``Harriet_Quill``, ``HarrietQuill``, ``Harriet-Quill``,
  ``Harriet</tspan><tspan>Quill`` and ``Harriet,Quill``; a straight apostrophe matches
  a curly one;
* the longest original wins where several match at one place
  (``Leeds Teaching Hospitals`` before ``Leeds``);
* possessives stay grammatical: ``Smith's`` becomes ``[Person A]'s``, and the bare
  apostrophe of ``James' office`` becomes ``'s`` when the replacement does not end in
  ``s`` (an apostrophe counts as possessive when one space and a word follow it).

Examples
--------
>>> new = pseudonymise("Dr Smith's team left Leeds.", {"Smith": "[Person A]",
...                                                      "Leeds": "[Place B]"})
>>> new.text
"Dr [Person A]'s team left [Place B]."
>>> new.edits
[(3, 8, 3, 13), (21, 26, 26, 35)]
"""

from __future__ import annotations

import argparse
import base64
import binascii
import fnmatch
import functools
import html
import io
import json
import operator
import os
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

from .. import paths
from ..errors import DataError
from ..io import (atomic_write, csv_line, decode_text, normalise_newlines, read_table,
                 record_lines, write_table)

__all__ = [
    "load_key", "load_keys", "default_key_files", "pseudonymise", "remap_offsets",
    "remap_spans", "pseudonymise_turns", "normalise_for_matching", "checked_trees", "nhs_number_is_valid", "scan", "load_vocabulary",
    "load_allowlist", "default_allowlist_files", "leak_check", "main",
]

KEY_KINDS = ("person", "organisation", "place", "other")
KEY_COLUMNS = ["original", "replacement", "kind", "file", "line"]
SCAN_COLUMNS = ["source", "line", "column", "start", "end", "kind", "match"]
FINDING_COLUMNS = ["path", "line", "column", "kind", "match"]

#: Public strings the leak check may meet legitimately (match, path glob, reason).
ALLOWLIST_CSV = paths.PRIVACY_ALLOWLIST_CSV
VOCABULARY_TXT = paths.RESOURCES / "vocabulary.txt"

#: Files the leak check reads as text, as archives, or for their text chunks; a file of
#: any other suffix is read as text when it decodes as text, else reported unreadable.
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".json", ".svg", ".html", ".htm", ".md", ".xml",
                 ".vtt", ".srt", ".qde", ".qdc", ".tex", ".yml", ".yaml"}
MARKUP_SUFFIXES = {".svg", ".html", ".htm", ".xml", ".qde", ".qdc"}
ZIP_SUFFIXES = {".zip", ".qdpx", ".docx", ".xlsx", ".pptx", ".odt"}
#: Size cap for everything decompressed from one file (archive members, .gz, PNG text
#: chunks): a guard, not a limit any real output reaches.
_MAX_INFLATED = 256 * 1024 * 1024
#: Entries one archive may hold.
_MAX_ENTRIES = 10_000

#: Characters that do not show and may sit inside a name: soft hyphen, zero-width
#: space/joiners, word joiner, Mongolian vowel separator, byte-order mark.
_IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\u180e\ufeff"
_DROP_IGNORABLE = dict.fromkeys(map(ord, _IGNORABLE))

_APOSTROPHES = "'\u2019\u02bc"
_SPACE = "[ \t\u00a0]"


# ---------------------------------------------------------------------------- key files

def default_key_files() -> list[Path]:
    """Every identifier key present: each study's ``identifier_key.csv`` under
    ``data/raw/interviews/`` and any ``identifier_key*.csv`` under ``data/raw/private/``."""
    found = sorted(paths.INTERVIEWS.glob("*/identifier_key.csv"))
    if paths.PRIVATE.is_dir():
        found += sorted(paths.PRIVATE.rglob("identifier_key*.csv"))
    return found


def load_key(path: os.PathLike | str):
    """Read and check an identifier key.

    Parameters
    ----------
    path : path-like
        CSV with columns ``original`` and ``replacement`` and optionally ``kind``
        (person, organisation, place or other); further columns (notes) are ignored.

    Returns
    -------
    pandas.DataFrame
        ``original, replacement, kind, file, line``: originals and replacements
        stripped, ``line`` the CSV line of the row.

    Raises
    ------
    DataError
        On the line at fault: an empty original or replacement, an original without a
        letter or digit, an unknown kind, the same original twice (ignoring case and
        spacing), or a replacement that contains an original as a whole word (the leak
        check would flag every replacement). Messages give line numbers, never names.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "identifier_key.csv"
    >>> _ = p.write_text("original,replacement\\nLeeds,[Place A]\\nleeds,[Place B]\\n")
    >>> load_key(p)
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: ...identifier_key.csv:3: original repeats line 2 ...
    """
    import pandas as pd

    path = Path(path)
    table = read_table(path, required=["original", "replacement"])
    kinds = table["kind"] if "kind" in table.columns else pd.Series([""] * len(table))
    rows, first_line = [], {}
    for line, original, replacement, kind in zip(record_lines(path, len(table)),
                                                 table["original"], table["replacement"], kinds):
        original, replacement, kind = original.strip(), replacement.strip(), kind.strip()
        if not original:
            raise DataError(path, line, "empty original")
        if not replacement:
            raise DataError(path, line, "empty replacement (an original cannot be deleted)")
        if not re.search(r"[^\W_]", original):
            raise DataError(path, line, "original has no letter or digit")
        if kind and kind not in KEY_KINDS:
            raise DataError(path, line, f"unknown kind {kind!r}: expected one of "
                                        f"{', '.join(KEY_KINDS)} or empty")
        norm = _normalise_entry(original)
        if norm in first_line:
            raise DataError(path, line, f"original repeats line {first_line[norm]} "
                                        "(ignoring case and spacing)")
        first_line[norm] = line
        rows.append((original, replacement, kind, paths.relative(path), line))
    key = pd.DataFrame(rows, columns=KEY_COLUMNS).astype({"line": "int64"})
    if len(key):
        rx, lookup = _key_matcher(tuple(_normalise_entry(o) for o in key["original"]))
        for replacement, line in zip(key["replacement"], key["line"]):
            m = rx.search(replacement)
            if m:
                clash = key["line"].iat[_entry_index(m.group(), lookup, key["original"])]
                raise DataError(path, int(line), f"replacement contains the original of line "
                                                 f"{clash} as a whole word; the leak check "
                                                 "would flag it")
    return key


def load_keys(files: Iterable[os.PathLike | str] | None = None):
    """Concatenate checked keys (default: :func:`default_key_files`); several studies'
    keys may share an original."""
    import pandas as pd

    files = default_key_files() if files is None else list(files)
    frames = [load_key(f) for f in files]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "line" else "str")
                             for c in KEY_COLUMNS})
    return pd.concat(frames, ignore_index=True)


def _normalise_entry(text: str) -> str:
    """The form in which originals are compared: normalised (NFKC, no invisible
    characters), lower case, one space for any run of spaces, hyphens and underscores
    between words, straight apostrophe."""
    text = unicodedata.normalize("NFKC", text.translate(_DROP_IGNORABLE))
    text = re.sub(r"(?:\s|(?<=\w)[-_](?=\w))+", " ", text.strip()).lower()
    return re.sub(f"[{_APOSTROPHES}]", "'", text)


# one chunk is normalised on its own: a run of whitespace; an optional ASCII character
# with the run of non-ASCII characters after it (a letter and its combining marks); or
# one character. NFKC never joins an ASCII character to the one before it, so chunk by
# chunk is the same as the whole text, and each chunk maps back to its own span.
_CHUNK_RX = re.compile(r"\s+|[\x21-\x7e]?[^\x00-\x7f\s]+|.", re.DOTALL)


def normalise_for_matching(text: str) -> tuple[str, list[int], list[int]]:
    """The text key entries are matched in, with a map back to ``text``.

    NFKC, soft hyphens and zero-width characters removed, and every run of whitespace
    (no-break spaces and line breaks included) one space.

    Returns
    -------
    (str, list of int, list of int)
        The normalised text and, for each of its characters, the start and end of the
        span of ``text`` it came from: a match ``[a, b)`` in the normalised text is
        ``[starts[a], ends[b - 1])`` in ``text``.

    Examples
    --------
    >>> norm, starts, ends = normalise_for_matching("Zoe\u0308\u00a0 Har\u00adriet")
    >>> norm
    'Zoë Harriet'
    >>> starts[0], ends[2], starts[4], ends[10]
    (0, 4, 6, 14)
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _CHUNK_RX.finditer(text):
        chunk, a, b = m.group(), m.start(), m.end()
        if chunk[0].isspace():
            piece = " "
        else:
            piece = unicodedata.normalize("NFKC", chunk.translate(_DROP_IGNORABLE))
            piece = re.sub(r"\s+", " ", piece)
        for ch in piece:
            if ch == " " and out and out[-1] == " ":
                ends[-1] = b  # one space for a run, whatever made it
                continue
            out.append(ch)
            starts.append(a)
            ends.append(b)
    return "".join(out), starts, ends


def _normalise_text(text: str) -> str:
    """The text the leak check reads: NFKC, invisible characters removed; line breaks
    kept where they are (line numbers stay right)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_DROP_IGNORABLE))


@functools.lru_cache(maxsize=32)
def _key_matcher(originals: tuple[str, ...]) -> tuple[re.Pattern, dict[str, int]]:
    """One regex for all (normalised) originals, built as a trie so that a long key stays
    fast and the longest entry wins; and a map from normalised match to entry index."""
    lookup: dict[str, int] = {}
    for i, norm in enumerate(originals):
        lookup.setdefault(norm, i)
    if not lookup:
        return re.compile(r"(?!)"), lookup
    return re.compile(_key_regex(lookup)), lookup


# between the words of an original: spaces, line breaks, hyphens, underscores, CSV cell
# separators and quotes, markup tags (an SVG <tspan> per word), or nothing (HarrietQuill)
_WORD_GAP = r'(?:[\s_\-,;|"]|<[^<>]{0,300}>)*'


def _key_regex(normalised: Iterable[str]) -> str:
    """The source of the whole-word, case-insensitive key regex (no capture groups)."""
    end = ""  # marks the end of an entry in the trie; no unit is empty
    trie: dict = {}
    for entry in normalised:
        node = trie
        for unit in re.findall(rf" |[{_APOSTROPHES}]|.", entry):
            node = node.setdefault(unit, {})
        node[end] = {}

    def unit_rx(unit: str) -> str:
        if unit == " ":
            return _WORD_GAP
        if unit in _APOSTROPHES:
            return f"[{_APOSTROPHES}]"
        return re.escape(unit)

    def emit(node: dict) -> str:
        alts = [unit_rx(u) + emit(child) for u, child in sorted(node.items()) if u != end]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # greedy optional: try the longer entries first, fall back to this one
        return f"(?:{body})?" if end in node else body

    return rf"(?<![^\W_])(?i:{emit(trie)})(?![^\W_])"


def _entry_index(matched: str, lookup: dict[str, int], originals) -> int:
    """Index of the key entry that produced ``matched``."""
    norm = _normalise_entry(matched)
    if norm in lookup:
        return lookup[norm]
    # case folding in ``re`` and ``str.lower`` differ for a few letters (e.g. the Kelvin sign)
    for i, original in enumerate(originals):
        if re.fullmatch(_key_regex([_normalise_entry(original)]), matched):
            return i
    raise AssertionError(f"no key entry for a match of the key regex at {matched!r}")


def _as_pairs(key) -> tuple[tuple[str, str], ...]:
    """(original, replacement) pairs from a key table or a mapping."""
    if isinstance(key, Mapping):
        pairs = tuple((str(o).strip(), str(r).strip()) for o, r in key.items())
    else:
        pairs = tuple(zip(key["original"], key["replacement"]))
    if any(not o for o, _ in pairs):
        raise ValueError("a key entry has an empty original (load key files with load_key)")
    return pairs


# an apostrophe after a name, followed by one space and a word: a possessive ("James' office")
_BARE_POSSESSIVE_RX = re.compile(rf"[{_APOSTROPHES}](?={_SPACE}\w)")


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
    key : pandas.DataFrame or mapping
        A table from :func:`load_key` (``original``, ``replacement``) or a mapping
        ``{original: replacement}``.

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
    originals = tuple(_normalise_entry(o) for o, _ in pairs)
    rx, lookup = _key_matcher(originals)
    raw_originals = [o for o, _ in pairs]
    parts, edits, last, shift = [], [], 0, 0
    if text.isascii():  # nothing to normalise: match in place
        matches = [(m.start(), m.end(), m.group()) for m in rx.finditer(text)]
    else:
        norm, starts, ends = normalise_for_matching(text)
        matches = [(starts[m.start()], ends[m.end() - 1], m.group())
                   for m in rx.finditer(norm)]
    for start, end, matched in matches:
        new = pairs[_entry_index(matched, lookup, raw_originals)][1]
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

    if side not in ("start", "end"):
        raise ValueError(f"side must be 'start' or 'end', not {side!r}")
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


# ---------------------------------------------------------------------------- patterns

def nhs_number_is_valid(number: str) -> bool:
    """Whether ``number`` is a well-formed NHS number (Modulus 11 check digit).

    The NHS algorithm: weight the first nine digits 10, 9, ..., 2; the check digit is
    ``11 - (sum mod 11)``, where 11 becomes 0 and 10 means the number is invalid.
    Spaces and hyphens are ignored. Repdigits (``0000000000``, ``1111111111``...) pass
    the check but are placeholders, not issued numbers, and are refused.

    >>> nhs_number_is_valid("943 476 5919")
    True
    >>> nhs_number_is_valid("943 476 5918")
    False
    """
    digits = [int(c) for c in number if c in "0123456789"]
    if len(digits) != 10 or len(set(digits)) == 1 or re.search(r"[^0-9 \-\u00a0]", number):
        return False
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


_SEP = "[ \u00a0-]"
# Each pattern begins with a character class and looks behind only after it: ``re`` then
# jumps from candidate to candidate, three to five times faster on large outputs than a
# pattern that begins with a lookbehind (or one regex with every pattern in it).
_EMAIL_DOMAIN_RX = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_EMAIL_LOCAL_RX = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}$")
# +44 or 0, an area code of 2-5 digits, then groups of 2+ digits; the digit count
# (10 or 11 with the 0) is checked afterwards, so years, ranges and sums never qualify
_PHONE_RX = re.compile(
    rf"[+(0](?<![\w+/.,-].)(?:(?<=\+)44{_SPACE}?(?:\(0\){_SPACE}?)?[1-9][0-9]{{1,4}}"
    rf"|(?<=\()0[1-9][0-9]{{1,4}}\)|(?<=0)[1-9][0-9]{{1,4}})"
    rf"(?:{_SEP}?[0-9]{{2,}}){{1,3}}(?![\w/]|[.,][0-9])")
_NHS_NUMBER_RX = re.compile(
    rf"[0-9](?<![\w.+/-][0-9])[0-9]{{2}}(?P<sep>{_SEP}?)[0-9]{{3}}(?P=sep)[0-9]{{4}}"
    r"(?![\w/]|[.,][0-9])")
# the UK Government Data Standards postcode pattern, found from its inward code
# (space, digit, two letters) and checked backwards for a valid outward code
# (its optional space before is taken afterwards: a pattern that begins with a digit is
# looked for three times faster)
_INWARD_RX = re.compile(r"[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![\w-])")
_OUTWARD_RX = re.compile(r"(?<![\w-])(?:[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9]"
                         r"[0-9ABEHMNPRV-Y]?)|GIR)$", re.IGNORECASE)
PATTERN_KINDS = ("email", "phone", "nhs_number", "postcode")


def _phone_digits_ok(matched: str) -> bool:
    """A UK number has 10 or 11 digits with its leading 0 (9 or 10 after +44)."""
    digits = len(re.sub(r"\(0\)|[^0-9]", "", matched))
    return digits - 2 in (9, 10) if matched.startswith("+") else digits in (10, 11)


def _pattern_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every e-mail address, UK phone number, valid NHS number
    and postcode in ``text``, by position."""
    spans = []
    if "@" in text:
        for m in _EMAIL_DOMAIN_RX.finditer(text):
            local = _EMAIL_LOCAL_RX.search(text, max(0, m.start() - 64), m.start())
            if local:
                spans.append((local.start(), m.end(), "email"))
    spans += [(m.start(), m.end(), "phone") for m in _PHONE_RX.finditer(text)
              if _phone_digits_ok(m.group())]
    spans += [(m.start(), m.end(), "nhs_number") for m in _NHS_NUMBER_RX.finditer(text)
              if nhs_number_is_valid(m.group())]
    for m in _INWARD_RX.finditer(text):
        start = m.start()
        spaced = start > 0 and text[start - 1] in " \u00a0"
        start -= spaced
        outward = _OUTWARD_RX.search(text, max(0, start - 4), start)
        if outward:
            code = text[outward.start():m.end()]
            # written without its space (LS14AP), a postcode is taken in capitals only
            if code == code.upper() or (spaced and code == code.lower()):
                spans.append((outward.start(), m.end(), "postcode"))
    spans.sort()
    return spans


class _Lines:
    """Line and column (both 1-based) of increasing offsets, counting newlines once."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line, offset - self.text.rfind("\n", 0, offset)


# ---------------------------------------------------------------------------- scanner

_TITLES = {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "lord",
           "lady", "rev", "revd", "cllr", "councillor"}
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de"
_CAPWORD = rf"[{_UPPER}][^\W\d_]*(?:[-{_APOSTROPHES}][^\W\d_]+)*[{_APOSTROPHES}]?"
_ABBREVIATED = r"(?:St|Dr|Mr|Mrs|Ms|Mx|Prof|Revd?|Cllr)\."
# a run of capitalised words on one line, with the small words of place and
# organisation names ("University Hospitals of Leicester", "Guy's and St Thomas'")
_NAME_RUN_RX = re.compile(
    rf"(?<![\w{_APOSTROPHES}\[-])(?:{_ABBREVIATED}|{_CAPWORD})"
    rf"(?:{_SPACE}+(?:(?:of|upon|on|and|de|van|von|der|den|le|la|du|da|di|&){_SPACE}+)?"
    rf"(?:{_ABBREVIATED}|{_CAPWORD}))*(?![\w\]])")
_WORD_RX = re.compile(rf"{_ABBREVIATED}|{_CAPWORD}|\S+")
# before a sentence-initial word: a sentence end, line start, bullet, table bar or the
# end of a WebVTT voice tag ("<v Name>"), then nothing but punctuation and numbering
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…|•>\n])[\W\d_]*$")
_URL_RX = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+", re.IGNORECASE)


@functools.lru_cache(maxsize=4)
def load_vocabulary(path: os.PathLike | str = VOCABULARY_TXT) -> frozenset[str]:
    """Capitalised words (and phrases) that are not names: one a line, ``#`` comments.

    Entries are compared in lower case.

    >>> "trust" in load_vocabulary()
    True
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "vocabulary file not found")
    words = set()
    for line in decode_text(path.read_bytes(), path).text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            words.add(_normalise_entry(entry))
    return frozenset(words)


def _is_vocabulary(word: str, vocabulary: frozenset[str]) -> bool:
    """Whether a capitalised word is no reason to flag: listed, a single letter, or a
    short acronym (all capitals, at most four letters and maybe a plural s: GMC, PCOs;
    longer capitals such as a speaker label SMITH are still flagged)."""
    word_as_written = word
    letters = re.sub(r"(?<=[A-Z])s$", "", re.sub(r"[^\w]", "", word))  # plural: PCOs
    if letters.isupper() and len(letters) <= 4:
        return True
    word = _normalise_entry(word).rstrip(".")
    word = re.sub(r"'s?$", "", word)
    if word in vocabulary or len(re.sub(r"[^\w]", "", word)) < 2:
        return True
    # compounds: "NHS-wide", "Cross-Government"; a lower-case part is never a name
    parts = word_as_written.split("-")
    return len(parts) > 1 and all(p.islower() or _is_vocabulary(p, vocabulary) for p in parts)


def _name_findings(text: str, vocabulary: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of capitalised words or runs that may be names (see :func:`scan`)."""
    import numpy as np

    phrases = sorted(v for v in vocabulary if " " in v)
    skip = np.zeros(len(text) + 1, dtype=bool)  # URLs, e-mail addresses, vocabulary phrases
    for m in _URL_RX.finditer(text):
        skip[m.start():m.end()] = True
    if phrases:
        for m in re.finditer(_key_regex(phrases), text):
            skip[m.start():m.end()] = True
    spans = []
    for run in _NAME_RUN_RX.finditer(text):
        words = [(m.start(), m.end(), m.group()) for m in _WORD_RX.finditer(run.group())
                 if m.group()[0].isupper() or m.group().endswith(".")]
        words = [(run.start() + s, run.start() + e, w) for s, e, w in words]
        words = [w for w in words if not skip[w[0]]]
        if not words:
            continue
        first = words[0]
        initial = _SENTENCE_START.search(text, max(0, first[0] - 40), first[0]) is not None
        is_title = _normalise_entry(first[2]).rstrip(".") in _TITLES
        if initial and not is_title:
            words = words[1:]
        if not words:
            continue
        if len(words) == 1:
            word = words[0][2]
            flagged = not (_is_vocabulary(word, vocabulary)
                           or _normalise_entry(word).rstrip(".") in _TITLES)
        else:
            flagged = any(not _is_vocabulary(w, vocabulary) for _, _, w in words)
        if flagged:
            spans.append((words[0][0], words[-1][1]))
    return spans


def scan(text: str, source: str = "<text>", vocabulary: frozenset[str] | None = None):
    """Flag possible identifiers in ``text`` for a researcher to review.

    Parameters
    ----------
    text : str
        A raw or pseudonymised text.
    source : str
        Name put in the ``source`` column.
    vocabulary : frozenset of str, optional
        Lower-case words that are not names; default :func:`load_vocabulary`.

    Returns
    -------
    pandas.DataFrame
        ``source, line, column, start, end, kind, match`` (line and column 1-based,
        start/end 0-based code points), ordered by position. Kinds: ``email``,
        ``phone`` (UK, 10 or 11 digits with the leading 0, or +44), ``nhs_number``
        (10 digits, optionally 3-3-4, valid check digit), ``postcode`` (all upper or
        all lower case, with its space) and ``name``: a capitalised word, or a run of
        them, with at least one word outside the vocabulary; a sentence-initial word
        is dropped unless it is a title (Dr, Mrs, ...), single letters and words in
        square brackets (pseudonyms) are not flagged. Names are noisy by design.

    Examples
    --------
    >>> found = scan("Call Jo Bloggs on 0113 496 0000 or jo@example.org.")
    >>> found[["line", "column", "kind", "match"]]
       line  column   kind          match
    0     1       6   name      Jo Bloggs
    1     1      19  phone  0113 496 0000
    2     1      36  email  jo@example.org
    """
    import pandas as pd

    import numpy as np

    vocabulary = load_vocabulary() if vocabulary is None else vocabulary
    found = _pattern_spans(text)
    taken = np.zeros(len(text) + 1, dtype=bool)  # a postcode is not also a name
    for s, e, _ in found:
        taken[s:e] = True
    found += [(s, e, "name") for s, e in _name_findings(text, vocabulary)
              if not taken[s:e].any()]
    found.sort()
    lines = _Lines(text)
    rows = [(source, *lines.at(s), s, e, kind, text[s:e]) for s, e, kind in found]
    return pd.DataFrame(rows, columns=SCAN_COLUMNS).astype(
        {"line": "int64", "column": "int64", "start": "int64", "end": "int64"})


# ---------------------------------------------------------------------------- allowlist

def default_allowlist_files() -> list[Path]:
    """The committed allowlist and, when present, a private one in ``data/raw/private/``
    (for entries that would themselves reveal something)."""
    return [p for p in (ALLOWLIST_CSV, paths.PRIVATE / "privacy_allowlist.csv") if p.is_file()]


def load_allowlist(files: Iterable[os.PathLike | str] | None = None):
    """Read allowlists: ``match, reason`` and optionally ``path``.

    A finding is exempt when its matched text equals ``match`` (ignoring case, runs of
    whitespace and the style of apostrophes) and its file, relative to the repository
    root, fits the ``path`` glob (:mod:`fnmatch`: ``*`` also crosses ``/``; empty means
    anywhere). Every row needs a reason.

    Returns
    -------
    pandas.DataFrame
        ``match, path, reason, file, line``.
    """
    import pandas as pd

    files = default_allowlist_files() if files is None else list(files)
    rows = []
    for f in files:
        table = read_table(f, required=["match", "reason"])
        globs = table["path"] if "path" in table.columns else [""] * len(table)
        for i, (match, glob, reason) in enumerate(zip(table["match"], globs, table["reason"])):
            if not match.strip():
                raise DataError(f, csv_line(i), "empty match")
            if not reason.strip():
                raise DataError(f, csv_line(i), "every allowlisted string needs a reason")
            rows.append((match, glob.strip(), reason.strip(), paths.relative(f), csv_line(i)))
    return pd.DataFrame(rows, columns=["match", "path", "reason", "file", "line"])


def _allowed(allowlist) -> dict[str, list[str]]:
    """normalised match -> path globs ('' for anywhere)."""
    allowed: dict[str, list[str]] = {}
    for match, glob in zip(allowlist["match"], allowlist["path"]):
        allowed.setdefault(_normalise_entry(match), []).append(glob)
    return allowed


# ---------------------------------------------------------------------------- leak check

def leak_check(roots=None, keys=None, allowlist=None):
    """Find key entries and identifier patterns in committed outputs.

    Parameters
    ----------
    roots : list of path-like, optional
        Folders or files to check; default :func:`checked_trees` (those that exist).
        Every file is read, hidden ones too: text files whole (markup with every
        attribute value but geometry, images inlined as base64 data URIs too);
        notebooks (``.ipynb``) for cell sources and outputs (PNG outputs for their
        metadata); PNGs for every text, Exif or other ancillary chunk; PDFs for their
        text and metadata; ``.gz`` and zip archives (``.qdpx``, ``.docx`` ...) for
        every member. A file of any other kind is read as text when it decodes as
        text; one that does not is a finding of kind ``unreadable``.
    keys : pandas.DataFrame or list of path-like, optional
        A table from :func:`load_keys` or key files; default every key present.
    allowlist : pandas.DataFrame or list of path-like, optional
        From :func:`load_allowlist` or files; default the committed and private ones.

    Returns
    -------
    pandas.DataFrame
        ``path, line, column, kind, match``; ``line`` is an int for text files and a
        string such as ``"cell 3 output 1 line 2"`` inside notebooks and archives.
        For a key entry ``kind`` is ``"key entry"`` and ``match`` the key row
        (``file:line``), never the identifier itself. Empty when clean.

    Examples
    --------
    >>> import pathlib, tempfile, pandas as pd
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "turns.csv").write_text("turn,text\\n1,I rang Leeds on 0113 496 0000\\n")
    >>> key = pd.DataFrame({"original": ["Leeds"], "file": ["key.csv"], "line": [2]})
    >>> leak_check([root], keys=key, allowlist=[])[["line", "column", "kind", "match"]]
       line  column       kind          match
    0     2      10  key entry      key.csv:2
    1     2      19      phone  0113 496 0000
    """
    return _leak_check(roots, keys, allowlist)[0]


def _leak_check(roots, keys, allowlist):
    import pandas as pd

    if roots is None:
        roots = [r for r in checked_trees() if r.exists()]
    else:
        roots = [Path(r) for r in roots]
        for r in roots:
            if not r.exists():
                raise DataError(r, None, "folder to check not found")
    if keys is None or not hasattr(keys, "columns"):
        keys = load_keys(keys)
    if allowlist is None or not hasattr(allowlist, "columns"):
        allowlist = load_allowlist(allowlist)
    job = _CheckJob(tuple(_normalise_entry(o) for o in keys["original"]),
                    tuple(keys["original"]),
                    tuple(f"{f}:{line}" for f, line in zip(keys["file"], keys["line"])),
                    _allowed(allowlist))
    files = _files_to_check(roots)
    findings = [f for found in _map_files(files, job) for f in found]
    # one finding per place: a name seen both in markup and in its text is one leak
    findings = list(dict.fromkeys(findings))
    table = pd.DataFrame(findings, columns=FINDING_COLUMNS).astype({"column": "int64"})
    return table, len(files), 0, len(keys)


class _CheckJob(NamedTuple):
    """What every file's check needs (small, so it goes to worker processes as is)."""

    originals: tuple[str, ...]  # normalised
    raw_originals: tuple[str, ...]
    key_rows: tuple[str, ...]  # "file:line" of each entry
    allowed: dict[str, list[str]]


#: Below this many bytes to read, or with one file, the check runs in this process:
#: starting workers costs more than it saves.
_PARALLEL_BYTES = 32 * 2**20


def _map_files(files: list[Path], job: _CheckJob) -> list[list[tuple]]:
    """:func:`_check_file` of every file, in the order of ``files``; the files are
    spread over the cores when there is enough to read."""
    workers = min(len(files), len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1)
    sizes = [f.stat().st_size for f in files]
    if workers < 2 or sum(sizes) < _PARALLEL_BYTES:
        return [_check_file(f, job) for f in files]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        # largest first, so that no core is left with a big file at the end
        order = sorted(range(len(files)), key=lambda i: -sizes[i])
        futures = {i: pool.submit(_check_file, files[i], job) for i in order}
        try:
            # results (and the first error) in file order, whatever finished first
            return [futures[i].result() for i in range(len(files))]
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _check_file(file: Path, job: _CheckJob) -> list[tuple]:
    """Findings ``(path, line, column, kind, match)`` of one file, in text order."""
    scanner = _text_scanner(job.originals)
    shown = paths.relative(file)
    findings = []
    for place, text in _texts_of(file):
        if text is None:  # nothing readable: never a silent pass
            findings.append((shown, place or 1, 1, "unreadable",
                             "cannot be read as text; remove it or convert it"))
            continue
        text = _normalise_text(text)
        lines = _Lines(text)
        for start, end, kind in scanner.spans(text):
            matched = text[start:end]
            globs = job.allowed.get(_normalise_entry(matched), ())
            if any(not g or fnmatch.fnmatchcase(shown, g) for g in globs):
                continue
            line, column = lines.at(start)
            where = line if place is None else f"{place} line {line}"
            if kind == "key":
                idx = _entry_index(matched, scanner.lookup, job.raw_originals)
                findings.append((shown, where, column, "key entry", job.key_rows[idx]))
            else:
                findings.append((shown, where, column, kind, matched))
    return findings


def checked_trees() -> list[Path]:
    """The trees the leak check reads by default (the one list to extend when outputs
    move): processed data, figures, notebooks, the report, the thesis outputs and
    private build outputs."""
    return [paths.PROCESSED, paths.FIGURES, paths.NOTEBOOKS, paths.BUILD / "report",
            paths.BUILD / "thesis", paths.BUILD / "private"]


def _files_to_check(roots: list[Path]) -> list[Path]:
    """Every file under the roots: dotfiles and dot-folders too (a checkpoint copy of a
    notebook leaks as well as the notebook)."""
    files = set()
    for root in roots:
        if root.is_file():
            files.add(root)
            continue
        for dirpath, _dirnames, filenames in os.walk(root):
            files.update(Path(dirpath) / f for f in filenames)
    return sorted(files)


# ---------------------------------------------------------------------------- fast matching
# The leak check reads every committed output, and candidate tables repeat one turn or
# sentence once per code. _TextScanner finds exactly the spans that the key regex
# (``finditer``) and _pattern_spans find in a whole text, but reads each distinct piece
# of the text once, and looks for key entries with an Aho-Corasick automaton of their
# first words; the key regex only confirms each candidate where it stands in the text.

@functools.lru_cache(maxsize=1)
def _fold_table() -> dict[str, str]:
    """Non-ASCII characters that :func:`_fold` replaces after lower-casing."""
    # lower-case letters that ``re`` takes for one another beyond lower-casing: those
    # whose upper case lower-cases to another (dotless i and i, long s and s, final and
    # medial sigma...) and those with the same case folding (two forms of Greek iota
    # with dialytika and tonos); each class folds to its smallest member
    parent: dict[str, str] = {}

    def find(c):
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    def union(a, b):
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    by_casefold: dict[str, str] = {}
    for c in map(chr, range(0x20000)):  # no cased letter lies above
        low = c.lower()
        if len(low) != 1:
            continue
        back = c.upper().lower()
        if len(back) == 1 and back != low:
            union(low, back)
        union(low, by_casefold.setdefault(low.casefold(), low))
    table = {c: find(c) for c in parent if find(c) != c}
    table.update({"\u2019": "'", "\u02bc": "'"})  # the apostrophes a key's ' matches
    return table


@functools.lru_cache(maxsize=1)
def _fold_rx() -> re.Pattern:
    return re.compile("[" + "".join(sorted(_fold_table())) + "]")


def _fold(text: str) -> str:
    """``text`` with each character replaced by a representative of those the key
    regex takes for it (``re.IGNORECASE``, the three apostrophes), at the same offsets.

    Folding only finds candidates (characters the regex keeps apart may fold alike);
    the key regex decides.

    >>> _fold("O\u2019NEIL \u0130\u03a3") == "o'neil i\u03c2"  # sigma: the final form
    True
    """
    folded = text.lower()
    if len(folded) != len(text):  # U+0130 lower-cases to two characters; ``re`` to "i"
        folded = "".join(c.lower()[0] for c in text)
    if folded.isascii():
        return folded
    table = _fold_table()
    return _fold_rx().sub(lambda m: table[m.group()], folded)


#: Pieces of a text read once however often they occur: runs of at least this many
#: characters between delimiters (cells of a table, clauses of a long cell).
_MIN_PIECE = 32
#: Texts shorter than this are read whole.
_MIN_SPLIT = 1 << 16


class _TextScanner:
    """Key-entry and identifier-pattern spans of a text, as the leak check reads them.

    ``spans(text)`` equals ``sorted([(m.start(), m.end(), "key") for m in
    key_rx.finditer(text)] + _pattern_spans(text))`` for the key regex of
    :func:`_key_matcher`, found faster:

    * Distinct pieces. The text is cut at delimiters (comma, double quote, line break)
      into runs of at least ``_MIN_PIECE`` characters and the glue between them. No
      e-mail, phone, NHS number or postcode contains a delimiter, and none looks more
      than one character behind or two ahead of itself, so each piece is read once,
      with the delimiter before it and the two characters after it, however often it
      occurs; what is found is placed at every occurrence. One pattern does look across
      a line break (``$`` in the backward searches for an e-mail's local part and a
      postcode's outward code matches before a final newline): a text where a line
      starts as an e-mail domain or an inward code is read whole.
    * Key entries. An Aho-Corasick automaton finds, in the folded distinct pieces, the
      first word of every entry (the part before its first space, which no delimiter
      in use is part of): every place the key regex can match starts so. The key regex
      then tries each candidate in the whole text in order, skipping those inside the
      previous match, as ``finditer`` would: its separators, tags across cells and
      lines, boundaries, case folding and longest-entry rule are its own.
    """

    def __init__(self, originals: tuple[str, ...]):
        self.rx, self.lookup = _key_matcher(originals)
        firsts = {_fold(entry.split(" ")[0]) for entry in self.lookup}
        self.automaton = None
        if firsts:
            import ahocorasick

            self.automaton = ahocorasick.Automaton()
            for word in firsts:
                self.automaton.add_word(word, len(word))
            self.automaton.make_automaton()
        # a delimiter inside a first word would cut it: such delimiters are not used
        delims = "".join(d for d in ',"\n' if not any(d in w for w in firsts))
        d = re.escape(delims)
        self.split_rx = (re.compile(rf"([{d}])([^{d}]{{{_MIN_PIECE},}})(?=([{d}].?))",
                                    re.DOTALL) if "\n" in delims else None)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, kind)`` of key matches (kind ``key``) and identifier patterns
        in ``text``, sorted."""
        pieces = _Pieces(text, self.split_rx)
        joined = pieces.joined
        found = []
        for s, e, kind in _pattern_spans(joined):
            for t in pieces.places(s):
                found.append((t, t + e - s, kind))
        if self.automaton is not None:
            candidates = set()
            folded = _fold(joined)
            for end, n in self.automaton.iter(folded):
                s = end - n + 1
                # the key regex's own boundary, read in the piece's context
                if s == 0 or not joined[s - 1].isalnum():
                    candidates.update(pieces.places(s))
            last = 0
            for t in sorted(candidates):
                if t < last:
                    continue
                m = self.rx.match(text, t)
                if m:
                    found.append((t, m.end(), "key"))
                    last = m.end()
        found.sort()
        return found


@functools.lru_cache(maxsize=8)
def _text_scanner(originals: tuple[str, ...]) -> _TextScanner:
    return _TextScanner(originals)


class _Pieces:
    """A text cut into pieces, each distinct piece once in ``joined`` (see
    :class:`_TextScanner`); :meth:`places` maps an offset in ``joined`` to the offsets
    in the text where it occurs."""

    def __init__(self, text: str, split_rx: re.Pattern | None):
        import numpy as np

        parts = None
        if split_rx is not None and len(text) >= _MIN_SPLIT and not _ACROSS_LINES_RX.search(text):
            parts = split_rx.split(text)
        if not parts or len(parts) == 1:
            self.joined = text
            self._single = True
            return
        self._single = False
        glue, delims, runs, after = parts[0::4], parts[1::4], parts[2::4], parts[3::4]
        # offsets in the text: glue 0, delimiter 1, run 1, glue 1, delimiter 2, ...
        lengths = np.empty(3 * len(runs) + 1, dtype=np.int64)
        lengths[0::3] = np.fromiter(map(len, glue), np.int64, len(glue))
        lengths[1::3] = 1
        lengths[2::3] = np.fromiter(map(len, runs), np.int64, len(runs))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        # a run is read with the delimiter before it and the two characters after it;
        # glue (which starts with a delimiter) with the delimiter and character after it
        run_keys = list(zip(delims, runs, after))
        glue_keys = list(zip(glue, delims, map(operator.itemgetter(0), runs)))
        glue_keys.append((glue[-1], "", ""))
        distinct_glue = {k: i for i, k in enumerate(dict.fromkeys(glue_keys))}
        distinct_runs = {k: i for i, k in enumerate(dict.fromkeys(run_keys))}
        glue_ids = np.fromiter(map(distinct_glue.__getitem__, glue_keys), np.int64,
                               len(glue_keys))
        run_ids = np.fromiter(map(distinct_runs.__getitem__, run_keys), np.int64,
                              len(run_keys))
        entries = list(map("".join, distinct_glue)) + list(map("".join, distinct_runs))
        # where the piece itself lies in each entry: glue from 0, a run from 1
        lo = np.concatenate((np.zeros(len(distinct_glue), np.int64),
                             np.ones(len(distinct_runs), np.int64)))
        size = np.fromiter(map(len, map(operator.itemgetter(0), distinct_glue)), np.int64,
                           len(distinct_glue))
        size = np.concatenate((size, np.fromiter(map(len, map(operator.itemgetter(1),
                                                                distinct_runs)),
                                                 np.int64, len(distinct_runs))))
        self.joined = "\0".join(entries)
        self._entry_start = np.concatenate(
            ([0], np.cumsum(np.fromiter(map(len, entries), np.int64, len(entries)) + 1)[:-1]))
        self._lo, self._size = lo, size
        # occurrences of each entry, by entry number: glue first, then runs
        ids = np.concatenate((glue_ids, run_ids + len(distinct_glue)))
        place = np.concatenate((starts[0::3], starts[2::3]))
        order = np.argsort(ids, kind="stable")
        self._sorted_ids, self._place = ids[order], place[order]

    def places(self, offset: int) -> list[int]:
        """Offsets in the text of ``offset`` in ``joined``; none when ``offset`` falls
        in the context read around a piece rather than in the piece."""
        if self._single:
            return [offset]
        import numpy as np

        entry = int(np.searchsorted(self._entry_start, offset, side="right")) - 1
        inside = offset - int(self._entry_start[entry]) - int(self._lo[entry])
        if not 0 <= inside < self._size[entry]:
            return []
        a = np.searchsorted(self._sorted_ids, entry, side="left")
        b = np.searchsorted(self._sorted_ids, entry, side="right")
        return sorted((self._place[a:b] + inside).tolist())


# a line that starts as an e-mail domain or a postcode's inward code: the backward
# search for the local part or outward code may end before the line break
_ACROSS_LINES_RX = re.compile(r"\n(?=@|[ \u00a0]?" + _INWARD_RX.pattern + ")")


class _Budget:
    """Bytes one checked file may expand into (archives, .gz, PNG chunks, base64)."""

    def __init__(self, file: Path):
        self.file, self.left = file, _MAX_INFLATED

    def take(self, n: int, where) -> None:
        self.left -= n
        if self.left < 0:
            raise DataError(self.file, where, "expands to more than "
                            f"{_MAX_INFLATED // 2**20} MiB: too large to check")


def _texts_of(file: Path) -> list[tuple[str | None, str | None]]:
    """The texts of a file to check, each with its place (None: the file itself);
    a text of None marks a part that cannot be read as text."""
    data = file.read_bytes()
    return _texts_of_bytes(data, file.name, file, None, _Budget(file))


def _texts_of_bytes(data: bytes, name: str, file: Path, place, budget: _Budget):
    suffix = Path(name).suffix.lower()

    def sub(inner):  # place names inside containers
        return inner if place is None else f"{place}!{inner}"

    if suffix == ".gz":
        try:
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
            inner = inflater.decompress(data, budget.left + 1)
        except zlib.error as exc:
            raise DataError(file, place, f"corrupt gzip file ({exc})") from None
        budget.take(len(inner), place)
        return _texts_of_bytes(inner, name[:-3], file, sub(name[:-3]), budget)
    if suffix == ".ipynb":
        return [(sub(p) if place else p, t) for p, t in _notebook_texts(data, file, budget)]
    if suffix == ".png" or data.startswith(_PNG_MAGIC):
        return [(sub(p), t) for p, t in _png_texts(data, file, budget)]
    if suffix in ZIP_SUFFIXES or data.startswith(b"PK\x03\x04"):
        return [(sub(p), t) for p, t in _zip_texts(data, file, budget)]
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        return [(sub(p), t) for p, t in _pdf_texts(data, file)]
    if suffix not in TEXT_SUFFIXES and b"\0" in data[:8192]:
        return [(place, None)]  # binary of a kind not read: reported, never passed
    try:
        text = decode_text(data, file if place is None else f"{file}!{place}").text
    except DataError:
        if suffix in TEXT_SUFFIXES:
            raise
        return [(place, None)]
    out = [(place, _readable(text, suffix))]
    for i, image in enumerate(_embedded_pngs(text), start=1):
        budget.take(len(image), place)
        out += [(sub(f"embedded image {i} {p}"), t) for p, t in _png_texts(image, file, budget)]
    return out


_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DATA_URI_RX = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")
_ANY_DATA_URI_RX = re.compile(r"data:[\w.+/-]+;base64,[A-Za-z0-9+/=\s]+")


def _embedded_pngs(text: str) -> list[bytes]:
    """PNG images inlined as data URIs (SVG <image>, HTML <img>)."""
    images = []
    if "base64," in text:
        for m in _DATA_URI_RX.finditer(text):
            try:
                images.append(base64.b64decode(re.sub(r"\s+", "", m.group(1))))
            except (binascii.Error, ValueError):
                continue
    return images


def _pdf_texts(data: bytes, file: Path) -> list[tuple[str, str | None]]:
    """Text of every page of a PDF and its metadata."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        texts = [(f"page {i}", page.extract_text() or "")
                 for i, page in enumerate(reader.pages, start=1)]
        meta = reader.metadata or {}
        texts.append(("metadata", "\n".join(str(v) for v in meta.values())))
        return texts
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on a bad file
        raise DataError(file, None, f"unreadable PDF ({type(exc).__name__})") from None


# SVG geometry: path data, point lists, transforms and the numeric values of geometry
# attributes. Their number soup ("Q 384 513 384 1019") would pass for phone or NHS
# numbers, and holds no words: blank it, keeping line breaks so that line numbers stay
# right. Other attributes are read: digits in id="9434765919" are an NHS number.
_GEOMETRY_ATTRS = ("x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|dx|dy|width|height|font-size|"
                   "stroke-width|stroke-miterlimit|stroke-dashoffset|opacity|offset|"
                   "fill-opacity|stroke-opacity|clip-path|version")
_GEOMETRY_RX = re.compile(rf'(?<=\s)(?:(?:d|points|transform|viewBox|style)\s*=\s*"[^"]*"'
                          rf'|(?:{_GEOMETRY_ATTRS})\s*=\s*"[-+0-9.,eE%a-z\s]*")')


def _readable(text: str, suffix: str) -> str:
    """Undo the escapes under which a name could hide: character references in markup,
    ``\\uXXXX`` in JSON; and blank SVG geometry and base64 data URIs (their images are
    read apart). Line breaks stay where they are."""
    if "base64," in text:
        text = _ANY_DATA_URI_RX.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    if suffix in MARKUP_SUFFIXES:
        text = _GEOMETRY_RX.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
        if "&" in text:
            text = html.unescape(text)
    if suffix == ".json" and "\\u" in text:
        text = re.sub(r"(?<!\\)\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _notebook_texts(data: bytes, file: Path, budget: _Budget) -> list[tuple[str, str]]:
    """Texts of every cell's source and of every output of every code cell (stream,
    results, displays, errors, and the text chunks of PNG images)."""
    text = decode_text(data, file).text
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(file, exc.lineno, f"not a notebook: invalid JSON ({exc.msg})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise DataError(file, None, "not a notebook: no list of cells")
    texts = []
    for c, cell in enumerate(cells, start=1):
        source = cell.get("source") if isinstance(cell, dict) else None
        if source:
            texts.append((f"cell {c} source", _joined(source)))
        outputs = cell.get("outputs", []) if isinstance(cell, dict) else []
        for o, output in enumerate(outputs if isinstance(outputs, list) else [], start=1):
            place = f"cell {c} output {o}"
            if not isinstance(output, dict):
                continue
            pieces = [output.get("text"), output.get("ename"), output.get("evalue"),
                      output.get("traceback")]
            for mime, value in sorted((output.get("data") or {}).items()):
                if mime.startswith("text/") or mime.endswith(("json", "xml")):
                    suffix = ".svg" if ("html" in mime or "xml" in mime) else ""
                    pieces.append(_readable(_joined(value), suffix))
                    for i, image in enumerate(_embedded_pngs(_joined(value)), start=1):
                        budget.take(len(image), place)
                        texts += [(f"{place} image {i} {p}", t)
                                  for p, t in _png_texts(image, file, budget)]
                elif mime == "image/png" and isinstance(value, (str, list)):
                    try:
                        image = base64.b64decode(re.sub(r"\s+", "", _joined(value)))
                    except (binascii.Error, ValueError):
                        raise DataError(file, place, "image/png output is not base64") from None
                    budget.take(len(image), place)
                    texts += [(f"{place} {p}", t) for p, t in _png_texts(image, file, budget)]
            joined = "\n".join(_joined(p) for p in pieces if p)
            if joined:
                texts.append((place, joined))
    return texts


def _joined(value) -> str:
    """Notebook text fields are a string or a list of strings (JSON data: anything)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _inflate(data: bytes, file: Path, where: str, budget: _Budget) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max(budget.left, 0) + 1)
    except zlib.error as exc:
        raise DataError(file, where, f"corrupt compressed text ({exc})") from None
    budget.take(len(out), where)
    return out


# PNG chunks that hold pixels or numbers only; every other chunk is read as text
_PNG_BINARY_CHUNKS = {"IHDR", "PLTE", "IDAT", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT",
                      "bKGD", "hIST", "pHYs", "sPLT", "tIME", "acTL", "fcTL", "fdAT"}


def _png_texts(data: bytes, file: Path, budget: _Budget) -> list[tuple[str, str]]:
    """Words a PNG can carry: text chunks (tEXt, zTXt, iTXt), Exif (eXIf), the name of
    an ICC profile and any other ancillary chunk, read as Latin-1."""
    if not data.startswith(_PNG_MAGIC):
        raise DataError(file, None, "not a PNG file")
    texts, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        ctype = data[pos + 4:pos + 8].decode("latin-1")
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length:
            raise DataError(file, f"byte {pos}", f"truncated PNG chunk {ctype}")
        keyword, _, rest = body.partition(b"\0")
        where = f"PNG {ctype} {keyword.decode('latin-1')}"
        if ctype == "tEXt":
            texts.append((where, keyword.decode("latin-1") + "\n" + rest.decode("latin-1")))
        elif ctype == "zTXt":
            texts.append((where, keyword.decode("latin-1") + "\n"
                          + _inflate(rest[1:], file, where, budget).decode("latin-1")))
        elif ctype == "iTXt" and len(rest) >= 2:
            compressed, rest = rest[0], rest[2:]
            _language, _, rest = rest.partition(b"\0")
            translated, _, value = rest.partition(b"\0")
            value = _inflate(value, file, where, budget) if compressed else value
            texts.append((where, keyword.decode("latin-1") + "\n"
                          + translated.decode("utf-8", "replace") + "\n"
                          + value.decode("utf-8", "replace")))
        elif ctype == "iCCP":
            texts.append((where, keyword.decode("latin-1")))
        elif ctype == "IEND":
            break
        elif ctype not in _PNG_BINARY_CHUNKS:  # eXIf and anything unknown
            texts.append((f"PNG {ctype}", body.decode("latin-1").replace("\0", "\n")))
        pos += 12 + length
    return texts


def _zip_texts(data: bytes, file: Path, budget: _Budget) -> list[tuple[str, str | None]]:
    """Every member of an archive, read as any checked file is (a .qdpx export carries
    its sources as .txt and the whole project as XML), within one budget of bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > _MAX_ENTRIES:
                raise DataError(file, None, f"archive has more than {_MAX_ENTRIES:,} "
                                            "entries: too many to check")
            # the declared sizes first: a bomb is refused before a byte is inflated
            budget.take(sum(i.file_size for i in infos), None)
            budget.left += sum(i.file_size for i in infos)
            texts = []
            for info in sorted(infos, key=lambda i: i.filename):
                budget.take(info.file_size, info.filename)  # declared size, before reading
                with archive.open(info) as member:
                    body = member.read(info.file_size + 1)
                if len(body) > info.file_size:
                    raise DataError(file, info.filename, "member larger than declared")
                texts += _texts_of_bytes(body, info.filename, file, info.filename, budget)
            return texts
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            EOFError, zlib.error) as exc:
        raise DataError(file, None, f"unreadable archive ({exc})") from None


# ---------------------------------------------------------------------------- command line

def _read_text(path: Path) -> str:
    """A raw text for the command line: a Word transcript as the pipeline reads it (so
    offsets match the processed text), anything else decoded, with LF line ends."""
    if not path.is_file():
        raise DataError(path, None, "file not found")
    if path.suffix.lower() == ".docx":
        from ..transcripts import parse_transcript

        return parse_transcript(path).text
    return normalise_newlines(decode_text(path.read_bytes(), path).text)


def _check(args) -> int:
    table, n_files, skipped, n_keys = _leak_check(args.root, args.key, args.allowlist)
    for row in table.itertuples(index=False):
        # a key entry is shown by its key row: printing the identifier would leak it
        detail = f"({row.match})" if row.kind == "key entry" else repr(row.match)
        print(f"{row.path}:{row.line}:{row.column}: {row.kind} {detail}")
    status = "FAILED" if len(table) else "ok"
    print(f"privacy check {status}: {n_files} files checked, {n_keys} key entries, "
          f"{len(table)} findings")
    return 1 if len(table) else 0


def _scan(args) -> int:
    import pandas as pd

    key = load_key(args.key) if args.key else None
    tables = []
    for f in args.files:
        text = _read_text(f)
        text = pseudonymise(text, key).text if key is not None else text
        tables.append(scan(text, source=paths.relative(f)))
    table = pd.concat(tables, ignore_index=True)
    for row in table.itertuples(index=False):
        print(f"{row.source}:{row.line}:{row.column}: {row.kind} {row.match!r}")
    counts = table["kind"].value_counts().sort_index()
    summary = ", ".join(f"{k} {n}" for k, n in counts.items()) or "nothing"
    print(f"scan: {len(args.files)} files, {len(table)} to review ({summary})")
    if args.out:
        write_table(table, args.out, SCAN_COLUMNS)
    return 0


def _pseudonymise(args) -> int:
    new = pseudonymise(_read_text(args.file), load_key(args.key))
    atomic_write(args.out, new.text)
    print(f"pseudonymised {paths.relative(args.file)} -> {paths.relative(args.out)}: "
          f"{len(new.edits)} replacements")
    return 0


def main(argv: list[str]) -> int:
    """``python -m analysis privacy check|scan|pseudonymise ...``."""
    parser = argparse.ArgumentParser(prog="python -m analysis privacy")
    sub = parser.add_subparsers(dest="action", required=True)
    p_check = sub.add_parser(
        "check", help="fail (exit 1) if a key entry or an identifier pattern appears in "
                      "data/processed/, figures/ or notebook outputs")
    p_check.add_argument("--root", action="append", type=Path,
                         help="folder or file to check (repeatable; default: data/processed, "
                              "figures, notebooks)")
    p_check.add_argument("--key", action="append", type=Path,
                         help="identifier key (repeatable; default: every key present)")
    p_check.add_argument("--allowlist", action="append", type=Path,
                         help="allowlist (repeatable; default: data/raw/privacy_allowlist.csv "
                              "and data/raw/private/privacy_allowlist.csv)")
    p_check.set_defaults(run=_check)
    p_scan = sub.add_parser("scan", help="list possible identifiers in raw files for review")
    p_scan.add_argument("files", nargs="+", type=Path)
    p_scan.add_argument("--key", type=Path,
                        help="pseudonymise with this key first: list what the key misses")
    p_scan.add_argument("--out", type=Path, help="also write the review table as CSV")
    p_scan.set_defaults(run=_scan)
    p_pseud = sub.add_parser("pseudonymise", help="pseudonymise one text with a key")
    p_pseud.add_argument("file", type=Path)
    p_pseud.add_argument("--key", required=True, type=Path)
    p_pseud.add_argument("--out", required=True, type=Path)
    p_pseud.set_defaults(run=_pseudonymise)
    args = parser.parse_args(argv)
    return args.run(args)
