"""Identifier keys: reading and checking key files, and the normalised forms in which
key entries are matched (shared by pseudonymisation, the scanner and the leak check)."""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from pathlib import Path
from typing import Iterable

from .. import paths
from ..errors import DataError
from ..io import read_table, record_lines

KEY_KINDS = ("person", "organisation", "place", "other")
KEY_COLUMNS = ["original", "replacement", "kind", "file", "line"]

#: Characters that do not show and may sit inside a name: soft hyphen, zero-width
#: space/joiners, word joiner, Mongolian vowel separator, byte-order mark.
_IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\u180e\ufeff"
_DROP_IGNORABLE = dict.fromkeys(map(ord, _IGNORABLE))

APOSTROPHES = "'\u2019\u02bc"
SPACE = "[ \t\u00a0]"


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
        norm = normalise_entry(original)
        if norm in first_line:
            raise DataError(path, line, f"original repeats line {first_line[norm]} "
                                        "(ignoring case and spacing)")
        first_line[norm] = line
        rows.append((original, replacement, kind, paths.relative(path), line))
    key = pd.DataFrame(rows, columns=KEY_COLUMNS).astype({"line": "int64"})
    if len(key):
        rx, lookup = key_matcher(tuple(normalise_entry(o) for o in key["original"]))
        for replacement, line in zip(key["replacement"], key["line"]):
            m = rx.search(replacement)
            if m:
                clash = key["line"].iat[entry_index(m.group(), lookup, key["original"])]
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


def normalise_entry(text: str) -> str:
    """The form in which originals are compared: normalised (NFKC, no invisible
    characters), lower case, one space for any run of spaces, hyphens and underscores
    between words, straight apostrophe.

    >>> normalise_entry("St\u00a0James\u2019s  Quill-Smith")
    "st james's quill smith"
    """
    text = unicodedata.normalize("NFKC", text.translate(_DROP_IGNORABLE))
    text = re.sub(r"(?:\s|(?<=\w)[-_](?=\w))+", " ", text.strip()).lower()
    return re.sub(f"[{APOSTROPHES}]", "'", text)


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


def normalise_text(text: str) -> str:
    """The text the leak check reads: NFKC, invisible characters removed; line breaks
    kept where they are (line numbers stay right).

    >>> normalise_text("Har\u00adriet\\nZoe\u0308")
    'Harriet\\nZoë'
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_DROP_IGNORABLE))


@functools.lru_cache(maxsize=32)
def key_matcher(originals: tuple[str, ...]) -> tuple[re.Pattern, dict[str, int]]:
    """One regex for all (normalised) originals, built as a trie so that a long key stays
    fast and the longest entry wins; and a map from normalised match to entry index.

    >>> rx, lookup = key_matcher(("leeds", "leeds teaching hospitals"))
    >>> rx.search("at LEEDS Teaching\\nHospitals").group()
    'LEEDS Teaching\\nHospitals'
    >>> lookup
    {'leeds': 0, 'leeds teaching hospitals': 1}
    """
    lookup: dict[str, int] = {}
    for i, norm in enumerate(originals):
        lookup.setdefault(norm, i)
    if not lookup:
        return re.compile(r"(?!)"), lookup
    return re.compile(key_regex(lookup)), lookup


# between the words of an original: spaces, line breaks, hyphens, underscores, CSV cell
# separators and quotes, markup tags (an SVG <tspan> per word), or nothing (HarrietQuill)
_WORD_GAP = r'(?:[\s_\-,;|"]|<[^<>]{0,300}>)*'


def key_regex(normalised: Iterable[str]) -> str:
    """The source of the whole-word, case-insensitive key regex (no capture groups).

    >>> import re
    >>> [m.group() for m in re.finditer(key_regex(["o'neil"]), "O\u2019Neil, ONeil, O'Neill")]
    ['O’Neil']
    """
    end = ""  # marks the end of an entry in the trie; no unit is empty
    trie: dict = {}
    for entry in normalised:
        node = trie
        for unit in re.findall(rf" |[{APOSTROPHES}]|.", entry):
            node = node.setdefault(unit, {})
        node[end] = {}

    def unit_rx(unit: str) -> str:
        if unit == " ":
            return _WORD_GAP
        if unit in APOSTROPHES:
            return f"[{APOSTROPHES}]"
        return re.escape(unit)

    def emit(node: dict) -> str:
        alts = [unit_rx(u) + emit(child) for u, child in sorted(node.items()) if u != end]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # greedy optional: try the longer entries first, fall back to this one
        return f"(?:{body})?" if end in node else body

    return rf"(?<![^\W_])(?i:{emit(trie)})(?![^\W_])"


def entry_index(matched: str, lookup: dict[str, int], originals) -> int:
    """Index of the key entry that produced ``matched``.

    >>> originals = ("Leeds", "Leeds Teaching Hospitals")
    >>> _, lookup = key_matcher(tuple(normalise_entry(o) for o in originals))
    >>> entry_index("LEEDS teaching\\nhospitals", lookup, originals)
    1
    """
    norm = normalise_entry(matched)
    if norm in lookup:
        return lookup[norm]
    # case folding in ``re`` and ``str.lower`` differ for a few letters (e.g. the Kelvin sign)
    for i, original in enumerate(originals):
        if re.fullmatch(key_regex([normalise_entry(original)]), matched):
            return i
    raise AssertionError(f"no key entry for a match of the key regex at {matched!r}")
