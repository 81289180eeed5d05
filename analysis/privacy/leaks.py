"""The leak check: every key entry and identifier pattern in the committed outputs
(processed tables, figures, notebooks, reports), read from every kind of file, and
the allowlist of public strings it may meet."""

from __future__ import annotations

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
import zipfile
import zlib
from pathlib import Path
from typing import Iterable, NamedTuple

from .. import paths
from ..errors import DataError
from ..io import csv_line, decode_text, read_table
from .keys import entry_index, key_matcher, load_keys, normalise_entry, normalise_text
from .scanner import ACROSS_LINES_RX, Lines, pattern_spans

FINDING_COLUMNS = ["path", "line", "column", "kind", "match"]

#: Public strings the leak check may meet legitimately (match, path glob, reason).
ALLOWLIST_CSV = paths.PRIVACY_ALLOWLIST_CSV

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
        allowed.setdefault(normalise_entry(match), []).append(glob)
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
    return leak_report(roots, keys, allowlist).findings


class LeakReport(NamedTuple):
    """What a leak check found, and how much it read."""

    findings: object  # pandas.DataFrame, as :func:`leak_check` returns it
    files: int
    key_entries: int


def leak_report(roots=None, keys=None, allowlist=None) -> LeakReport:
    """:func:`leak_check` with the number of files read and of key entries looked for
    (the summary line of ``python -m analysis privacy check``)."""
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
    job = _CheckJob(tuple(normalise_entry(o) for o in keys["original"]),
                    tuple(keys["original"]),
                    tuple(f"{f}:{line}" for f, line in zip(keys["file"], keys["line"])),
                    _allowed(allowlist))
    files = _files_to_check(roots)
    findings = [f for found in _map_files(files, job) for f in found]
    # one finding per place: a name seen both in markup and in its text is one leak
    findings = list(dict.fromkeys(findings))
    table = pd.DataFrame(findings, columns=FINDING_COLUMNS).astype({"column": "int64"})
    return LeakReport(table, len(files), len(keys))


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
        text = normalise_text(text)
        lines = Lines(text)
        for start, end, kind in scanner.spans(text):
            matched = text[start:end]
            globs = job.allowed.get(normalise_entry(matched), ())
            if any(not g or fnmatch.fnmatchcase(shown, g) for g in globs):
                continue
            line, column = lines.at(start)
            where = line if place is None else f"{place} line {line}"
            if kind == "key":
                idx = entry_index(matched, scanner.lookup, job.raw_originals)
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
# (``finditer``) and pattern_spans find in a whole text, but reads each distinct piece
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
    key_rx.finditer(text)] + pattern_spans(text))`` for the key regex of
    :func:`key_matcher`, found faster:

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
        self.rx, self.lookup = key_matcher(originals)
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
        for s, e, kind in pattern_spans(joined):
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
        if split_rx is not None and len(text) >= _MIN_SPLIT and not ACROSS_LINES_RX.search(text):
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
