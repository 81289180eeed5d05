"""Coded segments: the table, its validation, three ways in, and dictionary suggestions.

A segment is one code applied to one span of one text::

    segment_id, source_id, code_id, start, end, coder, text

Offsets are Unicode code points into the normalised text, 0-based and end-exclusive,
and ``text == texts[source_id][start:end]``.

Segments come in by three routes, all checked by :func:`validate_segments`: a
REFI-QDA project (``analysis.refi`` builds the table and calls it), a CSV
(:func:`read_segments_csv`), and inline markup in a plain text (:func:`parse_inline`)::

    The SHA said [[sst_ext_irresistible, lvl_meso: you take the LSP's system]].

:func:`dictionary_code` proposes candidate segments from the codebook's stems, one per
sentence (or turn) and code, with ``coder="dictionary"``. Candidates are for review:
:func:`validate_segments` refuses them in human coding unless asked to allow them.

Examples
--------
>>> from analysis.codebook import load_codebook
>>> clean, segs = parse_inline("We [[th_funding: bid for the money]].", "P01", "ab")
>>> clean
'We bid for the money.'
>>> segs[["code_id", "start", "end", "text"]].to_dict("records")
[{'code_id': 'th_funding', 'start': 3, 'end': 20, 'text': 'bid for the money'}]
>>> validate_segments(segs, {"P01": clean}, load_codebook())["end"].tolist()
[20]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import re
from pathlib import Path
from typing import Mapping, Sequence

from .errors import DataError
from .schema import SEGMENT_COLUMNS, check_choice
#: The coder name of :func:`dictionary_code` suggestions.
DICTIONARY_CODER = "dictionary"


def segment_id(source_id: str, code_id: str, start: int, end: int, coder: str) -> str:
    """A deterministic id: the first 16 hex digits of the SHA-1 of the joined fields.

    >>> sid = segment_id("P01", "th_funding", 3, 20, "ab")
    >>> len(sid), sid == segment_id("P01", "th_funding", 3, 20, "ab")
    (16, True)
    """
    key = "\x1f".join([str(source_id), str(code_id), str(int(start)), str(int(end)), str(coder)])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _with_ids(df):
    df = df.copy()
    columns = ("source_id", "code_id", "start", "end", "coder")
    df["segment_id"] = [segment_id(*row) for row in zip(*(df[c].tolist() for c in columns))]
    return df


# --------------------------------------------------------------------------- validation

def validate_segments(segments, texts: Mapping[str, str] | None = None, codebook=None,
                      where: os.PathLike | str = "segments.csv",
                      places: Sequence | None = None, allow_dictionary: bool = False):
    """Check a segments table against the texts and the codebook.

    Parameters
    ----------
    segments : pandas.DataFrame
        Columns :data:`SEGMENT_COLUMNS` (extra columns are kept); offsets may be
        strings, as read from a CSV.
    texts : mapping of source_id to str, optional
        The normalised texts; without it, offsets and ``text`` are not checked.
    codebook : Codebook, optional
        Without it, codes are not checked.
    where : path-like or str
        The file named in errors.
    places : sequence, optional
        The place of each row in ``where`` (a line number or an element path);
        by default the CSV line of the row (header on line 1).
    allow_dictionary : bool
        Whether rows coded by ``"dictionary"`` are accepted. False by default so that
        unreviewed suggestions never join human coding silently.

    Returns
    -------
    pandas.DataFrame
        A copy with integer ``start`` and ``end``.

    Raises
    ------
    DataError
        For the first bad row, naming ``where`` and the row's place.
    """
    import numpy as np

    from .io import csv_line

    missing = [c for c in SEGMENT_COLUMNS if c not in segments.columns]
    if missing:
        raise DataError(where, 1, f"segments lack column(s) {', '.join(missing)}")
    df = segments.reset_index(drop=True).copy()
    n = len(df)
    place = (lambda i: places[i]) if places is not None else csv_line
    if n == 0:
        df["start"] = df["start"].astype("int64")
        df["end"] = df["end"].astype("int64")
        return df
    problems = []  # (mask, reason(i)) in order of precedence within a row

    def check(bad, reason):
        problems.append((np.asarray(bad, dtype=bool), reason))

    start, end, ok_num = _check_fields(df, check)
    if texts is not None:
        _check_against_texts(df, texts, start, end, ok_num, check)
    if codebook is not None:
        _check_against_codebook(df, codebook, check)
    if not allow_dictionary:
        check(df["coder"].astype(str).str.strip().eq(DICTIONARY_CODER),
              lambda i: "a dictionary suggestion in human coding: review it and "
                        "re-attribute it to the coder who accepts it")
    ids = df["segment_id"].astype(str)
    dup = ids.duplicated().to_numpy() & ids.ne("").to_numpy()
    first = dict(zip(ids[::-1], range(n - 1, -1, -1)))
    check(dup, lambda i: f"duplicate segment_id {ids[i]!r} (first at {place(first[ids[i]])})")

    bad_any = np.zeros(n, dtype=bool)
    for bad, _ in problems:
        bad_any |= bad
    if bad_any.any():
        i = int(np.argmax(bad_any))
        reason = next(reason for bad, reason in problems if bad[i])
        raise DataError(where, place(i), reason(i))
    df["start"], df["end"] = start, end
    return df


def _check_fields(df, check):
    """Empty ids and coder, offsets that are not whole numbers or not in order; returns
    the offsets as integers (0 where not numbers) and where they are numbers."""
    import pandas as pd

    for col in ("source_id", "code_id", "coder"):
        values = df[col].astype(str).str.strip()
        check(values.eq("") | df[col].isna(), lambda i, col=col: f"empty {col}")
    starts = df["start"].astype(str).str.strip()
    ends = df["end"].astype(str).str.strip()
    # at most 18 digits: larger numbers lie beyond any text and would overflow int64
    ok_num = starts.str.fullmatch(r"\d{1,18}") & ends.str.fullmatch(r"\d{1,18}")
    check(~ok_num, lambda i: f"start and end must be whole numbers >= 0, got "
                             f"{df.at[i, 'start']!r} and {df.at[i, 'end']!r}")
    start = pd.to_numeric(starts.where(ok_num, "0")).astype("int64").to_numpy()
    end = pd.to_numeric(ends.where(ok_num, "0")).astype("int64").to_numpy()
    check(ok_num & (end <= start), lambda i: f"end {end[i]} is not after start {start[i]}")
    return start, end, ok_num


def _check_against_texts(df, texts, start, end, ok_num, check):
    """Sources with a text, offsets inside it, and the quoted text equal to it there."""
    import numpy as np

    sources = df["source_id"].astype(str)
    known = sources.isin(list(texts)).to_numpy()
    check(~known, lambda i: f"unknown source {sources[i]!r} (no text for it)")
    length = np.array([len(texts[s]) if k else 0 for s, k in zip(sources, known)])
    in_range = known & (end <= length)
    check(known & ok_num & ~in_range,
          lambda i: f"offsets {start[i]}-{end[i]} out of range: text of "
                    f"{sources[i]!r} has {length[i]} characters")
    quoted = df["text"].astype(str).to_numpy()
    actual = [texts[s][a:b] if ok else "" for s, a, b, ok
              in zip(sources, start, end, in_range & ok_num)]
    check(in_range & ok_num & (quoted != np.array(actual, dtype=object)),
          lambda i: f"text {_short(quoted[i])} does not match the source text "
                    f"at {start[i]}-{end[i]}, which is {_short(actual[i])}")


def _check_against_codebook(df, codebook, check):
    """Codes of the codebook, and codable ones (not a code that only groups others)."""
    codes = codebook.codes.set_index("code_id")["codable"]
    code_ids = df["code_id"].astype(str)
    exists = code_ids.isin(list(codes.index)).to_numpy()
    check(~exists, lambda i: f"unknown code {code_ids[i]!r} (not in the codebook)")
    codable = code_ids.isin(list(codes.index[codes.to_numpy(bool)])).to_numpy()
    check(exists & ~codable, lambda i: f"code {code_ids[i]!r} groups other codes and "
                                       "is not applied to text; use one of its children")


def _short(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "\u2026")


def read_segments_csv(path: os.PathLike | str, texts: Mapping[str, str] | None = None,
                      codebook=None, allow_dictionary: bool = False):
    """Read and validate a segments CSV (see :func:`validate_segments`).

    Errors name the file line of the row, also when a quoted ``text`` spans lines.
    """
    from .io import read_table, record_lines

    df = read_table(path, required=SEGMENT_COLUMNS)
    return validate_segments(df, texts, codebook, where=path,
                             places=record_lines(path, len(df)),
                             allow_dictionary=allow_dictionary)


def load_texts(folder: os.PathLike | str) -> dict[str, str]:
    """Read every ``<source_id>.txt`` of a folder (normalised UTF-8) into a dict."""
    from .io import decode_text

    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(folder, None, "texts folder not found")
    return {p.stem: decode_text(p.read_bytes(), p).text for p in sorted(folder.glob("*.txt"))}


# --------------------------------------------------------------------------- inline markup

_INLINE_TOKEN = re.compile(r"\\\[\[|\\\]\]|\[\[|\]\]")
_INLINE_HEAD = re.compile(r"\[\[[ \t]*([a-z][a-z0-9_]*(?:[ \t]*,[ \t]*[a-z][a-z0-9_]*)*)"
                          r"[ \t]*:[ \t]?")


def parse_inline(text: str, source_id: str, coder: str, where: os.PathLike | str | None = None,
                 codebook=None):
    r"""Strip inline coding markup from a text and return the clean text and its segments.

    The markup is ``[[code_id: coded words]]``; several codes share one span as
    ``[[code_a, code_b: words]]``; spans nest and may cross lines. One space after
    the colon belongs to the markup. ``\[[`` and ``\]]`` stand for literal ``[[`` and
    ``]]``. With a codebook, unknown and grouping codes are errors at their place;
    otherwise :func:`validate_segments` checks codes later.

    Parameters
    ----------
    text : str
        The marked-up text (normalised: LF line ends).
    source_id, coder : str
        Written into every segment.
    where : path-like or str, optional
        The file named in errors (default ``<inline source_id>``).
    codebook : Codebook, optional
        Check each code where it is written.

    Returns
    -------
    clean_text : str
    segments : pandas.DataFrame
        Columns :data:`SEGMENT_COLUMNS`, sorted by start, end and code.

    Raises
    ------
    DataError
        Unclosed ``[[``, a stray ``]]``, a ``[[`` without ``codes:`` or an empty span,
        at ``line:column`` of the marked-up text.

    Examples
    --------
    >>> clean, segs = parse_inline("[[lvl_meso: the SHA [[th_funding: paid]]]] late", "D1", "ab")
    >>> clean
    'the SHA paid late'
    >>> segs[["code_id", "start", "end"]].values.tolist()
    [['lvl_meso', 0, 12], ['th_funding', 8, 12]]
    >>> parse_inline(r"a \[[literal\]] b", "D1", "ab")[0]
    'a [[literal]] b'
    """
    import pandas as pd

    where = where if where is not None else f"<inline {source_id}>"
    if codebook is not None:
        codable = set(codebook.codes.loc[codebook.codes["codable"], "code_id"])

    def at(pos):
        line = text.count("\n", 0, pos) + 1
        return f"{line}:{pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"

    pieces, clean_len, cursor = [], 0, 0
    stack, rows = [], []  # stack of (codes, clean start, markup position)
    for m in _INLINE_TOKEN.finditer(text):
        if m.start() < cursor:  # inside a header already consumed
            continue
        pieces.append(text[cursor:m.start()])
        clean_len += m.start() - cursor
        token = m.group()
        if token.startswith("\\"):
            pieces.append(token[1:])
            clean_len += 2
            cursor = m.end()
        elif token == "[[":
            head = _INLINE_HEAD.match(text, m.start())
            if head is None:
                raise DataError(where, at(m.start()),
                                "'[[' must be followed by code ids and a colon, as in "
                                "[[th_funding: words]] (write \\[[ for a literal '[[')")
            codes = [c.strip() for c in head.group(1).split(",")]
            for code in codes if codebook is not None else ():
                if code not in codable:
                    kind = "groups other codes" if code in codebook else "is not in the codebook"
                    raise DataError(where, at(m.start()), f"code {code!r} {kind}")
            stack.append((codes, clean_len, m.start()))
            cursor = head.end()
        else:
            if not stack:
                raise DataError(where, at(m.start()), "']]' closes nothing "
                                                      "(write \\]] for a literal ']]')")
            codes, start, opened = stack.pop()
            if clean_len == start:
                raise DataError(where, at(opened), "empty coded span")
            rows += [(source_id, code, start, clean_len, coder) for code in codes]
            cursor = m.end()
    if stack:
        raise DataError(where, at(stack[-1][2]), "'[[' is never closed with ']]'")
    pieces.append(text[cursor:])
    clean = "".join(pieces)
    segs = pd.DataFrame(rows, columns=["source_id", "code_id", "start", "end", "coder"])
    segs["start"] = segs["start"].astype("int64")
    segs["end"] = segs["end"].astype("int64")
    segs["text"] = [clean[a:b] for a, b in zip(segs["start"], segs["end"])]
    segs = _with_ids(segs).drop_duplicates("segment_id")
    segs = segs.sort_values(["start", "end", "code_id"], ascending=[True, False, True])
    return clean, segs[SEGMENT_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- helpers

def roll_up(segments, codebook, to: str | int = "component"):
    """Replace each code by an ancestor and drop the duplicate spans this creates.

    Parameters
    ----------
    segments : pandas.DataFrame
        Columns :data:`SEGMENT_COLUMNS`.
    codebook : Codebook
    to : {"component", "root"} or int
        ``"component"``: the highest *codable* ancestor (the SST component for
        ``sst_*`` codes, the code itself for ``lvl_``, ``pp_`` and ``th_`` codes,
        whose roots only group them); ``"root"``: the top of the tree (``th`` for a
        theme); an int: the ancestor at that depth (0 = root), or the code itself
        when it is shallower.

    Returns
    -------
    pandas.DataFrame
        Same columns; ``segment_id`` recomputed; one row per source, code, span and coder.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.codebook import load_codebook
    >>> segs = pd.DataFrame({"segment_id": ["a", "b"], "source_id": ["P01", "P01"],
    ...     "code_id": ["sst_int_horizon", "sst_int_gendisp"], "start": [0, 0],
    ...     "end": [5, 5], "coder": ["ab", "ab"], "text": ["hello", "hello"]})
    >>> roll_up(segs, load_codebook())["code_id"].tolist()
    ['sst_internal']
    >>> roll_up(segs, load_codebook(), to=1)["code_id"].tolist()
    ['sst_int_conjspec', 'sst_int_gendisp']
    """
    codes = codebook.codes
    chains = [p.split("/") for p in codes["path"]]
    codable = dict(zip(codes["code_id"], codes["codable"]))
    if to == "component":
        target = [next((c for c in chain if codable[c]), chain[-1]) for chain in chains]
    elif to == "root":
        target = [chain[0] for chain in chains]
    elif isinstance(to, int) and not isinstance(to, bool) and to >= 0:
        target = [chain[min(to, len(chain) - 1)] for chain in chains]
    else:  # not check_choice: a depth is any whole number >= 0
        raise ValueError(f"to must be 'component', 'root' or a depth >= 0, not {to!r}")
    mapping = dict(zip(codes["code_id"], target))
    unknown = sorted(set(segments["code_id"]) - set(mapping))
    if unknown:
        raise DataError("<segments>", None, f"unknown code(s) {', '.join(unknown)}")
    out = segments.copy()
    out["code_id"] = out["code_id"].map(mapping)
    out = _with_ids(out).drop_duplicates(["source_id", "code_id", "start", "end", "coder"])
    return out.reset_index(drop=True)


def select_facet(segments, codebook, facet: str):
    """The segments whose code belongs to ``facet`` (sst, level, position_practice, theme).

    >>> import pandas as pd
    >>> from analysis.codebook import load_codebook
    >>> segs = pd.DataFrame({"code_id": ["lvl_meso", "th_funding", "sst_agency"]})
    >>> select_facet(segs, load_codebook(), "theme")["code_id"].tolist()
    ['th_funding']
    """
    from .codebook import FACETS

    check_choice("facet", facet, FACETS)
    facet_of = dict(zip(codebook.codes["code_id"], codebook.codes["facet"]))
    keep = segments["code_id"].map(facet_of).eq(facet).to_numpy()
    return segments[keep].reset_index(drop=True)


def attach_attributes(segments, sources, participants, columns: Sequence[str] | None = None):
    """Add the participant's attributes to each segment, through ``sources.participant_id``.

    Parameters
    ----------
    segments : pandas.DataFrame
        Needs ``source_id``.
    sources : pandas.DataFrame
        ``source_id, participant_id`` (empty for documents), one row per source.
    participants : pandas.DataFrame
        ``participant_id`` and attributes, one row per participant.
    columns : sequence of str, optional
        The attributes to add; all of them by default.

    Returns
    -------
    pandas.DataFrame
        ``segments`` in the same order plus ``participant_id`` and ``columns``;
        ``""`` where a source has no participant.

    Examples
    --------
    >>> import pandas as pd
    >>> segs = pd.DataFrame({"source_id": ["P01", "D1"], "code_id": ["th_funding"] * 2})
    >>> sources = pd.DataFrame({"source_id": ["P01", "D1"], "participant_id": ["P01", ""]})
    >>> people = pd.DataFrame({"participant_id": ["P01"], "tier": ["meso"]})
    >>> attach_attributes(segs, sources, people)["tier"].tolist()
    ['meso', '']
    """
    for name, table, key in (("sources", sources, "source_id"),
                             ("participants", participants, "participant_id")):
        if key not in table.columns:
            raise DataError(name, 1, f"{name} lack column {key}")
        dup = table[key][table[key].duplicated() & table[key].ne("")]
        if len(dup):
            raise DataError(name, None, f"{key} {dup.iloc[0]!r} appears more than once")
    if "participant_id" not in sources.columns:
        raise DataError("sources", 1, "sources lack column participant_id")
    columns = [c for c in participants.columns if c != "participant_id"] \
        if columns is None else list(columns)
    absent = [c for c in columns if c not in participants.columns]
    clash = [c for c in ["participant_id", *columns] if c in segments.columns]
    if absent or clash:
        raise ValueError(f"columns not in participants: {absent}; already in segments: {clash}")
    link = sources[["source_id", "participant_id"]]
    out = segments.merge(link, on="source_id", how="left")
    out = out.merge(participants[["participant_id", *columns]], on="participant_id",
                    how="left")
    for col in ["participant_id", *columns]:
        out[col] = out[col].astype(object).where(out[col].notna(), "")
    return out


# --------------------------------------------------------------------------- sentences

#: Words that end with a full stop without ending a sentence (lower case, no final stop).
ABBREVIATIONS = frozenset({
    "dr", "mr", "mrs", "ms", "prof", "sir", "rev", "rt", "hon", "st", "jr", "sr", "e.g", "i.e",
    "eg", "ie", "cf", "vs", "viz", "approx", "fig", "figs", "vol", "vols", "ch", "sec",
    "para", "paras", "p", "pp", "ed", "eds", "dept", "govt", "al", "inc", "ltd", "co",
    "no", "nos", "op", "cit", "ibid", "est", "c",
})
# A sentence end: terminal punctuation (and closing quotes or brackets), white space,
# then a capital, digit or opening quote. Group 1 is the punctuation.
_SENTENCE_END = re.compile(r"([.!?]+)[\"'\u201d\u2019)\]]*"
                           r"(?=\s+[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u00de\u00a3$\u20ac#])")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split a text into sentences; return ``(start, end)`` offsets, whitespace trimmed.

    A sentence ends at ``.``, ``!`` or ``?`` (with closing quotes or brackets)
    followed by white space and a capital, digit or opening quote; and always at a
    blank line. A full stop after a known abbreviation (``Dr.``, ``e.g.``), a
    single capital initial, or ``No.`` before a number does not end one; nor does
    the point inside a number such as ``2.5``. Deterministic, with no language data.

    >>> t = "Dr. Smith met No. 10 staff, e.g. the PM. It cost £2.5m! Why? Ask J. Bloggs."
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['Dr. Smith met No. 10 staff, e.g. the PM.', 'It cost £2.5m!', 'Why?', 'Ask J. Bloggs.']
    """
    spans = []
    para_start = 0
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)] + [(len(text),) * 2]
    for para_end, next_start in breaks:
        cursor = para_start
        for m in _SENTENCE_END.finditer(text, para_start, para_end):
            if m.group(1) == ".":
                dot = m.start(1)
                space = max(text.rfind(" ", para_start, dot), text.rfind("\n", para_start, dot))
                token = text[max(space + 1, para_start):dot].lstrip("(\"'\u201c\u2018")
                word = token.lower()
                if word in ABBREVIATIONS:
                    if word != "no" or text[m.end():m.end() + 3].lstrip()[:1].isdigit():
                        continue
                if len(token) == 1 and token.isupper():
                    continue
            spans.append(_trim(text, cursor, m.end()))
            cursor = m.end()
        spans.append(_trim(text, cursor, para_end))
        para_start = next_start
    return [(a, b) for a, b in spans if b > a]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    return start + lead, start + len(piece.rstrip()) if piece.strip() else start


# --------------------------------------------------------------------------- dictionary

def parse_stem(stem: str) -> tuple[list[str], list[str], bool]:
    """Split a stem into words, the separators between them, and whether it is a prefix.

    Words are runs of letters and digits, as in the texts; a space between words
    stands for any run of white space, while ``-``, ``&`` and ``'`` must appear as
    written.

    >>> parse_stem("ring-fenc*")
    (['ring', 'fenc'], ['-'], True)
    >>> parse_stem("local service provider")
    (['local', 'service', 'provider'], [' ', ' '], False)
    """
    prefix = stem.endswith("*")
    parts = re.split(r"([ &'-]+)", stem.rstrip("*"))
    return parts[0::2], parts[1::2], prefix


_GAP_OK = {" ": str.isspace, "'": lambda gap: gap in ("'", "\u2019")}


@functools.lru_cache(maxsize=1)
def _alnum_table():
    """A lookup of every code point: is it a letter or digit (``str.isalnum``)?"""
    import numpy as np

    return np.array([chr(c).isalnum() for c in range(0x110000)], dtype=bool)


def _tokenise(text: str):
    """Start and end offsets of the words (maximal runs of letters and digits) of a text."""
    import numpy as np

    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word = np.concatenate(([False], _alnum_table()[points], [False])).astype(np.int8)
    edges = np.diff(word)
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _stem_entries(codebook):
    """One row per (code, stem) of the codable codes, with the stem parsed."""
    entries = []
    for row in codebook.codes.itertuples(index=False):
        if not row.codable:
            continue
        for stem, noisy in [(s, False) for s in row.stems] + [(s, True) for s in row.noisy_stems]:
            words, seps, prefix = parse_stem(stem)
            entries.append((row.code_id, row.facet, stem, noisy, words, seps, prefix))
    return entries


def _word_ids(vocab_sorted, order, word: str, prefix: bool):
    """Ids of the (lower-case) vocabulary words equal to ``word`` or starting with it."""
    import numpy as np

    lo = np.searchsorted(vocab_sorted, word, side="left")
    hi = np.searchsorted(vocab_sorted, word + "\U0010ffff" if prefix else word, side="right")
    return order[lo:hi]


def dictionary_code(texts: Mapping[str, str], codebook, unit: str = "sentence", turns=None,
                    include_noisy: bool = False, noisy_requires: str | None = None):
    """Propose candidate segments from the codebook's stems, for a coder to review.

    Matching is case-insensitive and works on words (maximal runs of letters and
    digits): a stem word matches a whole word, the last word of a ``*`` stem the
    start of a word, and multi-word stems consecutive words (see :func:`parse_stem`).
    So ``sha`` finds "SHA" and "the SHA's" but not "shadow".

    Parameters
    ----------
    texts : mapping of source_id to str
        Normalised texts.
    codebook : Codebook
    unit : {"sentence", "turn"}
        The span of a candidate: a sentence from :func:`sentence_spans`, or a turn
        (then ``turns`` gives ``source_id, start, end``).
    turns : pandas.DataFrame, optional
        Required when ``unit="turn"``.
    include_noisy : bool
        Let noisy stems raise candidates on their own.
    noisy_requires : {"facet", "code"}, optional
        Otherwise a noisy stem counts only when the same unit also matches a
        non-noisy stem of the same facet (the default) or of the same code.

    Returns
    -------
    pandas.DataFrame
        :data:`SEGMENT_COLUMNS` plus ``stem`` (the stems that matched, in text order,
        joined by ``|``); one row per unit and code; ``coder="dictionary"``. A match
        must lie wholly inside one unit.

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> out = dictionary_code({"D1": "The ICB bid for funding. It rained."}, load_codebook())
    >>> out[["code_id", "start", "end", "stem"]].values.tolist()
    [['lvl_meso', 0, 24, 'icb'], ['th_funding', 0, 24, 'bid|funding']]
    """
    check_choice("unit", unit, ("sentence", "turn"))
    requires = check_choice("noisy_requires", noisy_requires or "facet", ("facet", "code"))
    sources = sorted(texts)
    units = _units(texts, unit, turns)
    words = _word_axis(texts, sources)
    entries = _stem_entries(codebook)
    entry, first, last = _stem_hits(texts, sources, entries, words)
    placed = _place_in_units(texts, sources, units, words, entry, first, last)
    base, unit_start, unit_end, u, at, entry = placed
    u, entry, code, code_ids = _one_row_per_unit_and_code(u, at, entry, entries,
                                                          include_noisy, requires)
    return _suggestion_table(texts, sources, entries, base, unit_start, unit_end, u, entry,
                             code, code_ids)


def _word_axis(texts: Mapping[str, str], sources: list[str]):
    """Every word of every text, on one axis: ``(starts, ends, word_id, word_base, vocab)``.

    Word ``i`` is ``vocab[word_id[i]]`` at ``starts[i]:ends[i]`` of its text;
    ``word_base[d]`` is the index of the first word of ``sources[d]``.
    """
    import numpy as np
    import pandas as pd

    # Words are numbered in order of first appearance, one text at a time: the strings
    # of a text are dropped once numbered (a list of every word of a large study would
    # take hundreds of megabytes).
    # The arrays are allocated for the most words the texts can hold (a word and a
    # separator per two characters) and filled text by text: the pages never written
    # take no memory, and no per-text pieces wait to be concatenated.
    most = sum((len(texts[sid]) + 1) // 2 for sid in sources)
    starts, ends, word_id = (np.empty(most, dtype=np.int64) for _ in range(3))
    word_base = np.zeros(len(sources) + 1, dtype=np.int64)  # the text of word i: _doc
    numbers: dict[str, int] = {}
    for d, sid in enumerate(sources):
        s, e = _tokenise(texts[sid])
        at, word_base[d + 1] = word_base[d], word_base[d] + len(s)
        starts[at:at + len(s)], ends[at:at + len(s)] = s, e
        local, distinct = pd.factorize(pd.Series(
            [texts[sid][a:b] for a, b in zip(s.tolist(), e.tolist())], dtype=object))
        number = np.array([numbers.setdefault(w, len(numbers)) for w in distinct],
                          dtype=np.int64)
        word_id[at:at + len(s)] = number[local]
    starts, ends, word_id = (x[:word_base[-1]] for x in (starts, ends, word_id))
    return starts, ends, word_id, word_base, list(numbers)


def _doc(word_base, i):
    """The text (index into the sorted sources) of each word index ``i``."""
    import numpy as np

    return np.searchsorted(word_base, i, side="right") - 1


def _stem_hits(texts: Mapping[str, str], sources: list[str], entries, words):
    """``(entry, first word, last word)`` of every match of every stem entry."""
    import numpy as np

    starts, ends, word_id, word_base, vocab = words
    empty = np.zeros(0, dtype=np.int64)
    lower = np.array([w.lower() for w in vocab], dtype=object)
    order = np.argsort(lower, kind="stable")
    vocab_sorted = lower[order].astype(str) if len(lower) else np.zeros(0, dtype=str)
    word_sets = [[_word_ids(vocab_sorted, order, w, prefix and j == len(ws) - 1)
                  for j, w in enumerate(ws)] for *_, ws, _seps, prefix in entries]
    cand_word, bounds = _first_words(word_sets, word_id, len(vocab))
    hits = []  # per entry: (entry, index of first word, index of last word)
    for k, (*_, stem_words, seps, _) in enumerate(entries):
        first = cand_word[bounds[k]:bounds[k + 1]]
        last = len(stem_words) - 1
        for j in range(1, last + 1):  # later words of a phrase, and the gaps between
            nxt = first + j
            ok = nxt < len(word_id)
            ok[ok] &= ((_doc(word_base, nxt[ok]) == _doc(word_base, first[ok]))
                       & np.isin(word_id[nxt[ok]], word_sets[k][j]))
            first = first[ok]
            check = _GAP_OK.get(seps[j - 1][0], lambda gap, sep=seps[j - 1]: gap == sep)
            gaps = [texts[sources[d]][a:b] for d, a, b
                    in zip(_doc(word_base, first), ends[first + j - 1], starts[first + j])]
            first = first[np.array([check(g) for g in gaps], dtype=bool)] if gaps else first
        hits.append((np.full(len(first), k), first, first + last))
    return tuple(np.concatenate([h[i] for h in hits] or [empty]) for i in range(3))


def _first_words(word_sets, word_id, n_vocab: int):
    """The words where each entry's first stem word matches, grouped by entry:
    ``(word indices, bounds)``, entry ``k``'s being ``bounds[k]:bounds[k + 1]``."""
    import numpy as np

    empty = np.zeros(0, dtype=np.int64)
    # Which entries can start at each word: pairs (vocabulary id, entry), grouped by id.
    pair_word = np.concatenate([ids[0] for ids in word_sets] or [empty])
    pair_entry = np.repeat(np.arange(len(word_sets)), [len(ids[0]) for ids in word_sets])
    by_word = np.argsort(pair_word, kind="stable")
    pair_entry = pair_entry[by_word]
    per_word = np.bincount(pair_word, minlength=n_vocab) if n_vocab else empty
    offset = np.concatenate(([0], np.cumsum(per_word)[:-1])) if n_vocab else empty
    cand = np.flatnonzero(per_word[word_id] > 0) if len(word_id) else empty
    n_cand = per_word[word_id[cand]]
    cand_word = np.repeat(cand, n_cand)
    within = np.arange(len(cand_word)) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
    cand_entry = pair_entry[offset[word_id[cand_word]] + within] if len(cand_word) else empty
    by_entry = np.argsort(cand_entry, kind="stable")
    cand_word, cand_entry = cand_word[by_entry], cand_entry[by_entry]
    return cand_word, np.searchsorted(cand_entry, np.arange(len(word_sets) + 1))


def _place_in_units(texts, sources, units, words, entry, first, last):
    """The unit of each match on the global axis (each text after the previous one and a
    separator), keeping the matches that lie wholly inside one unit.

    Returns ``(base, unit_start, unit_end, u, at, entry)``: each text's offset, every
    unit's span, and per kept match its unit, start and entry.
    """
    import numpy as np

    starts, ends, _, word_base, _ = words
    empty = np.zeros(0, dtype=np.int64)
    lengths = np.array([len(texts[s]) + 1 for s in sources], dtype=np.int64)
    base = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(sources) else empty
    # A text without units (no turns given for it) gets no candidates.
    spans = [units.get(s, (empty, empty)) for s in sources]
    unit_start = np.concatenate([a + base[d] for d, (a, _) in enumerate(spans)] or [empty])
    unit_end = np.concatenate([b + base[d] for d, (_, b) in enumerate(spans)] or [empty])
    at = starts[first] + base[_doc(word_base, first)] if len(first) else empty
    stop = ends[last] + base[_doc(word_base, last)] if len(last) else empty
    u = np.searchsorted(unit_start, at, side="right") - 1
    # no unit at all (a study whose turns name no participant): no match is inside one
    inside = ((u >= 0) & (stop <= unit_end[np.maximum(u, 0)]) if len(u) and len(unit_end)
              else np.zeros(len(u), bool))
    return base, unit_start, unit_end, u[inside], at[inside], entry[inside]


def _one_row_per_unit_and_code(u, at, entry, entries, include_noisy: bool, requires: str):
    """The matches that make rows: one stem per place, noisy stems dropped unless
    confirmed, then per (unit, code) its distinct entries in order of first match.

    Returns ``(u, entry, code, code_ids)``; ``code`` numbers ``code_ids`` (sorted).
    """
    import numpy as np

    # Per entry: its code (numbered in id order, so sorting by number sorts by id),
    # facet, noisiness and stem length.
    code_ids = sorted({e[0] for e in entries})
    facets = sorted({e[1] for e in entries})
    e_code = np.array([code_ids.index(e[0]) for e in entries] or [0], dtype=np.int64)
    e_facet = np.array([facets.index(e[1]) for e in entries] or [0], dtype=np.int64)
    e_noisy = np.array([e[3] for e in entries] or [False], dtype=bool)
    e_length = np.array([len(e[2]) for e in entries] or [0], dtype=np.int64)
    code, noisy = e_code[entry], e_noisy[entry]
    # Where several stems of a code match at one place ("funding", "fund*"), the
    # non-noisy and then the longest stem stands for the match.
    order = np.lexsort((-e_length[entry], noisy, at, code, u))
    u, at, entry, code, noisy = u[order], at[order], entry[order], code[order], noisy[order]
    keep = _first_of_runs(u, code, at)
    u, at, entry, code, noisy = u[keep], at[keep], entry[keep], code[keep], noisy[keep]
    if not include_noisy:
        group = e_facet[entry] if requires == "facet" else code
        key = u * (len(code_ids) + 1) + group
        keep = ~noisy | np.isin(key, key[~noisy])
        u, entry, code = u[keep], entry[keep], code[keep]
    # One row per (unit, code), its distinct stems in order of first match.
    _, first_seen = np.unique(u * (len(entries) + 1) + entry, return_index=True)
    first_seen.sort()
    return u[first_seen], entry[first_seen], code[first_seen], code_ids


def _suggestion_table(texts, sources, entries, base, unit_start, unit_end, u, entry, code,
                      code_ids):
    """The rows of :func:`dictionary_code`: one per (unit, code), its stems joined."""
    import numpy as np
    import pandas as pd

    starts_of_rows = np.flatnonzero(_first_of_runs(u, code))
    stem_names = np.array([e[2] for e in entries] or [""], dtype=object)[entry]
    stems = stem_names[starts_of_rows]
    sizes = np.diff(np.append(starts_of_rows, len(u)))
    for r in np.flatnonzero(sizes > 1):
        a = starts_of_rows[r]
        stems[r] = "|".join(stem_names[a:a + sizes[r]])
    row_unit, row_code = u[starts_of_rows], code[starts_of_rows]
    g_start, g_end = unit_start[row_unit], unit_end[row_unit]
    # Rows by source, start, end and code: on the global axis sources follow their sorted
    # ids, and code numbers the sorted code ids. Sorted here, the table is built once.
    order = np.lexsort((row_code, g_end, g_start))
    row_code, g_start, g_end, stems = row_code[order], g_start[order], g_end[order], stems[order]
    d = np.searchsorted(base, g_start, side="right") - 1
    source_col = np.array(sources, dtype=object)[d] if len(d) else []
    code_col = np.array(code_ids or [""], dtype=object)[row_code]
    start_col, end_col = g_start - base[d], g_end - base[d]
    # Each unit's text is sliced once for all its codes (its rows are adjacent).
    ids, pieces, unit_text, previous = [], [], "", None
    for sid, code_id, a, b in zip(list(source_col), code_col.tolist(), start_col.tolist(),
                                  end_col.tolist()):
        ids.append(segment_id(sid, code_id, a, b, DICTIONARY_CODER))
        if (sid, a, b) != previous:
            unit_text, previous = texts[sid][a:b], (sid, a, b)
        pieces.append(unit_text)
    return pd.DataFrame({"segment_id": ids, "source_id": source_col, "code_id": code_col,
                         "start": start_col, "end": end_col, "coder": DICTIONARY_CODER,
                         "text": pieces, "stem": stems})


def _first_of_runs(*keys):
    """True where any of the equally long, sorted ``keys`` differs from the row before."""
    import numpy as np

    n = len(keys[0])
    first = np.zeros(n, dtype=bool)
    if n:
        first[0] = True
        for key in keys:
            first[1:] |= key[1:] != key[:-1]
    return first


def _units(texts, unit, turns):
    """source_id -> (starts, ends) arrays of the units, sorted by start."""
    import numpy as np
    import pandas as pd

    if unit == "sentence":
        out = {}
        for sid, text in texts.items():
            spans = np.array(sentence_spans(text), dtype=np.int64).reshape(-1, 2)
            out[sid] = (spans[:, 0], spans[:, 1])
        return out
    if turns is None:
        raise ValueError("unit='turn' needs the turns table")
    turns = turns.reset_index(drop=True)
    t = pd.DataFrame({"source_id": turns["source_id"].astype(str),
                      "start": pd.to_numeric(turns["start"], errors="coerce"),
                      "end": pd.to_numeric(turns["end"], errors="coerce")})
    t = t[t["source_id"].isin(list(texts))]
    length = t["source_id"].map({sid: len(text) for sid, text in texts.items()})
    bad = (t["start"].isna() | t["end"].isna() | (t["start"] < 0) | (t["end"] < t["start"])
           | (t["end"] > length))
    if bad.any():
        i = int(t.index[np.argmax(bad.to_numpy())])
        raise DataError("turns.csv", i + 2, "turn start and end must be offsets into the "
                                            "text, with start <= end")
    t = t.sort_values(["source_id", "start"], kind="stable")
    return {sid: (g["start"].to_numpy(np.int64), g["end"].to_numpy(np.int64))
            for sid, g in t.groupby("source_id", sort=True)}


# --------------------------------------------------------------------------- command line

def main(argv: list[str]) -> int:
    """``inline``, ``check`` and ``suggest`` (dictionary coding) from the command line."""
    from .codebook import load_codebook
    from .io import atomic_write, decode_text, normalise_newlines, write_table

    parser = argparse.ArgumentParser(prog="python -m analysis coding",
                                     description="coded segments: inline markup, checks, "
                                                 "dictionary suggestions")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("inline", help="strip [[code: ...]] markup into a text and segments")
    p.add_argument("file")
    p.add_argument("--source-id", required=True)
    p.add_argument("--coder", required=True)
    p.add_argument("--text-out", required=True)
    p.add_argument("--segments-out", required=True)
    p = sub.add_parser("check", help="validate a segments CSV against texts and codebook")
    p.add_argument("segments")
    p.add_argument("--texts", required=True, help="folder of <source_id>.txt")
    p = sub.add_parser("suggest", help="dictionary-coded candidate segments")
    p.add_argument("--texts", required=True, help="folder of <source_id>.txt")
    p.add_argument("--out", required=True)
    p.add_argument("--include-noisy", action="store_true")
    args = parser.parse_args(argv)
    codebook = load_codebook()
    if args.command == "inline":
        raw = normalise_newlines(decode_text(Path(args.file).read_bytes(), args.file).text)
        clean, segs = parse_inline(raw, args.source_id, args.coder, where=args.file,
                                   codebook=codebook)
        atomic_write(args.text_out, clean)
        write_table(segs, args.segments_out, SEGMENT_COLUMNS)
    elif args.command == "check":
        read_segments_csv(args.segments, load_texts(args.texts), codebook)
    else:
        out = dictionary_code(load_texts(args.texts), codebook,
                              include_noisy=args.include_noisy)
        write_table(out, args.out, SEGMENT_COLUMNS + ["stem"])
    return 0
