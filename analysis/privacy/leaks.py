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
import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import Iterable, NamedTuple

from .. import paths
from ..errors import DataError
from ..io import csv_line, decode_text, read_table
from . import images
from .keys import (default_key_files, entry_index, key_matcher, load_keys,
                   normalise_entry, normalise_text)
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
        Every file is read, hidden ones too: text files (markup with every attribute
        value but geometry, images inlined as base64 data URIs too; plain text of
        8 MB or more in regions, never whole); notebooks (``.ipynb``) for cell sources
        and outputs of every kind (images for their metadata); images (JPEG, PNG, GIF,
        TIFF, WebP, BMP, EMF, WMF) for the words they carry, never their pixels
        (:mod:`.images`); PDFs for their text, metadata and XMP; ``.gz`` and zip
        archives (``.qdpx``, ``.docx``, ``.xlsx``, ``.odt`` ...) for every member. A
        file of any other kind is read as text when it decodes as text; one that does
        not, or an image that cannot be parsed, is a finding of kind ``unreadable``;
        an Exif GPS position one of kind ``location``. A postcode-shaped colour is no
        postcode: ``#CB12AB`` anywhere, ``CB12AB`` as a colour attribute in markup.
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
    #: files not read again: unchanged and clean since the last check (``cache``)
    unchanged: int = 0


def leak_report(roots=None, keys=None, allowlist=None, cache=None) -> LeakReport:
    """:func:`leak_check` with the number of files read and of key entries looked for
    (the summary line of ``python -m analysis privacy check``).

    Parameters
    ----------
    roots, keys, allowlist
        As for :func:`leak_check`.
    cache : path-like, optional
        A fingerprint file (:class:`Fingerprints`): a file found clean by an earlier
        check with the same keys, allowlists and leak-check code, and unchanged since
        (path, size, modification and change times, inode), is not read again; every
        other file is, and a file with findings is never recorded, so its findings are
        reported on every run. ``keys`` and ``allowlist`` must then be files (or None),
        whose bytes the fingerprint covers.
    """
    import pandas as pd

    roots = _roots(roots)
    fingerprints = None
    if cache is not None:
        if (keys is not None and hasattr(keys, "columns")) or \
                (allowlist is not None and hasattr(allowlist, "columns")):
            raise ValueError("a cached leak check needs key and allowlist files, not tables")
        keys = default_key_files() if keys is None else [Path(k) for k in keys]
        allowlist = default_allowlist_files() if allowlist is None else [Path(a) for a in allowlist]
        fingerprints = Fingerprints(cache, check_context(keys, allowlist))
    if keys is None or not hasattr(keys, "columns"):
        keys = load_keys(keys)
    if allowlist is None or not hasattr(allowlist, "columns"):
        allowlist = load_allowlist(allowlist)
    job = _CheckJob(tuple(normalise_entry(o) for o in keys["original"]),
                    tuple(keys["original"]),
                    tuple(f"{f}:{line}" for f, line in zip(keys["file"], keys["line"])),
                    _allowed(allowlist))
    tree = _tree(roots, exclude=cache)
    files = sorted({f for found in tree.values() for f in found})
    stats = {f: f.stat() for f in files}
    fresh = files if fingerprints is None else \
        [f for f in files if not fingerprints.unchanged(f, stats[f])]
    results = _map_files(fresh, job)
    if fingerprints is not None:
        clean = {f for f, found in zip(fresh, results) if not found}
        fingerprints.record(tree, stats, clean | (set(files) - set(fresh)), len(keys))
        fingerprints.save()
    findings = [f for found in results for f in found]
    # one finding per place: a name seen both in markup and in its text is one leak
    findings = list(dict.fromkeys(findings))
    table = pd.DataFrame(findings, columns=FINDING_COLUMNS).astype({"column": "int64"})
    return LeakReport(table, len(files), len(keys), len(files) - len(fresh))


def _roots(roots) -> list[Path]:
    if roots is None:
        return [r for r in checked_trees() if r.exists()]
    roots = [Path(r) for r in roots]
    for r in roots:
        if not r.exists():
            raise DataError(r, None, "folder to check not found")
    return roots


class _CheckJob(NamedTuple):
    """What every file's check needs (small, so it goes to worker processes as is)."""

    originals: tuple[str, ...]  # normalised
    raw_originals: tuple[str, ...]
    key_rows: tuple[str, ...]  # "file:line" of each entry
    allowed: dict[str, list[str]]


# ---------------------------------------------------------------------------- fingerprints
# A no-op `make all` should not read every output again, but a file changed or planted
# after the last check must be read, and findings must never turn into a pass.

#: The leak check's own code and data: a change to any re-checks everything.
_CHECK_SOURCES = ("leaks.py", "scanner.py", "keys.py", "images.py")


def check_context(key_files: list[Path], allowlist_files: list[Path]) -> str:
    """SHA-256 over what a file's verdict depends on besides the file: every key and
    allowlist file (path and bytes), the leak check's code, the postcode areas, and the
    Python version (its Unicode tables normalise the text)."""
    import hashlib
    import sys

    h = hashlib.sha256(b"leak check fingerprints 1\0")
    for f in sorted(map(Path, key_files)) + [b"allowlists"] + sorted(map(Path, allowlist_files)):
        if isinstance(f, bytes):
            h.update(f + b"\0")
            continue
        h.update(str(f.resolve()).encode() + b"\0" + f.read_bytes() + b"\0")
    here = Path(__file__).resolve().parent
    for name in _CHECK_SOURCES:
        h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    h.update((paths.RESOURCES / "postcode_areas.txt").read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


class Fingerprints:
    """The fingerprint file of earlier leak checks: for each root checked, the files
    found clean, each by a hash of its path (no names: the file may sit beside a
    study's outputs) with its size, modification and change times (ns) and inode;
    valid for one :func:`check_context`, discarded whole when that differs.

    Files with findings are never recorded: they are read, and their findings reported,
    on every run.

    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp()); f = root / "t.csv"
    >>> _ = f.write_text("a\\n")
    >>> fp = Fingerprints(root / "fp.json", "ctx")
    >>> fp.record({root: [f]}, {f: f.stat()}, {f}, 3); fp.save()
    >>> again = Fingerprints(root / "fp.json", "ctx")
    >>> again.unchanged(f, f.stat()), again.key_entries
    (True, 3)
    >>> _ = f.write_text("b\\n")  # same size, new times
    >>> again.unchanged(f, f.stat()), Fingerprints(root / "fp.json", "other").unchanged(f, f.stat())
    (False, False)
    """

    def __init__(self, path: os.PathLike | str, context: str):
        self.path, self.context = Path(path), context
        self.roots: dict[str, dict[str, list[int]]] = {}
        self.key_entries = 0
        self._clean: dict[str, list[int]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("context") == context:
            self.roots = data.get("roots", {})
            self.key_entries = data.get("key_entries", 0)
        self._clean = {name: stamp for files in self.roots.values()
                       for name, stamp in files.items()}

    @staticmethod
    def _name(file: Path) -> str:
        import hashlib

        return hashlib.sha256(os.fsencode(os.path.abspath(file))).hexdigest()[:32]

    @staticmethod
    def _stamp(st: os.stat_result) -> list[int]:
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    def unchanged(self, file: Path, st: os.stat_result) -> bool:
        """Whether ``file`` was clean at the last check and is the same file now."""
        return self._clean.get(self._name(file)) == self._stamp(st)

    def record(self, tree: dict, stats: dict, clean: set, key_entries: int) -> None:
        """The files under each root of ``tree`` (root -> files) that are ``clean``,
        replacing what was recorded for those roots."""
        for root, files in tree.items():
            self.roots[self._name(root)] = {self._name(f): self._stamp(stats[f])
                                            for f in files if f in clean}
        self.key_entries = key_entries
        self._clean = {name: stamp for files in self.roots.values()
                       for name, stamp in files.items()}

    def save(self) -> None:
        from ..io import atomic_write

        atomic_write(self.path, json.dumps({"context": self.context,
                                            "key_entries": self.key_entries,
                                            "roots": self.roots}, sort_keys=True) + "\n")


def unchanged_since_last_check(roots, key_files, allowlist_files, cache):
    """``(files, key_entries)`` when every file under ``roots`` was clean at the last
    check recorded in ``cache`` and is unchanged; else None. Reads no file but the keys,
    allowlists and the fingerprint file, and needs no pandas: a no-op ``make all``
    takes a fraction of a second."""
    if not Path(cache).is_file():
        return None
    key_files = default_key_files() if key_files is None else [Path(k) for k in key_files]
    allowlist_files = (default_allowlist_files() if allowlist_files is None
                       else [Path(a) for a in allowlist_files])
    fingerprints = Fingerprints(cache, check_context(key_files, allowlist_files))
    if not fingerprints.roots:
        return None
    tree = _tree(_roots(roots), exclude=cache)
    files = sorted({f for found in tree.values() for f in found})
    if all(fingerprints.unchanged(f, f.stat()) for f in files):
        return len(files), fingerprints.key_entries
    return None


# ---------------------------------------------------------------------------- reading files

#: Below this many bytes to read, or with one file, the check runs in this process:
#: starting workers costs more than it saves.
_PARALLEL_BYTES = 32 * 2**20
#: Plain-text files of at least this many bytes are read in regions of about
#: _REGION_BYTES (see _check_region): never whole, and spread over the cores.
_SPLIT_BYTES = 8 * 2**20
_REGION_BYTES = 4 * 2**20


def _map_files(files: list[Path], job: _CheckJob) -> list[list[tuple]]:
    """:func:`_check_file` of every file, in the order of ``files``; large plain-text
    files are read region by region (:func:`_check_region`), and files and regions are
    spread over the cores when there is enough to read."""
    parts = [_parts(f) for f in files]
    tasks = [(f, part) for f, ps in zip(files, parts) for part in ps]
    sizes = [part[1] - part[0] if part else f.stat().st_size for f, part in tasks]
    workers = min(len(tasks), len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1)
    if workers < 2 or sum(sizes) < _PARALLEL_BYTES:
        results = [_check_part(f, part, job) for f, part in tasks]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            # largest first, so that no core is left with a big file at the end
            order = sorted(range(len(tasks)), key=lambda i: -sizes[i])
            futures = {i: pool.submit(_check_part, *tasks[i], job) for i in order}
            try:
                # results (and the first error) in file order, whatever finished first
                results = [futures[i].result() for i in range(len(tasks))]
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    out, i = [], 0
    for f, ps in zip(files, parts):
        mine, i = results[i:i + len(ps)], i + len(ps)
        if ps == [None]:
            out.append(mine[0])
        elif any(r is None for r in mine):  # a region that needs the whole file
            out.append(_check_file(f, job))
        else:
            out.append(_assemble(f, mine))
    return out


def _check_part(file: Path, part, job: _CheckJob):
    """The check of a whole file (``part`` None) or of one region of it."""
    return _check_file(file, job) if part is None else _check_region(file, *part, job)


def _check_file(file: Path, job: _CheckJob) -> list[tuple]:
    """Findings ``(path, line, column, kind, match)`` of one file, in text order."""
    scanner = _text_scanner(job.originals)
    shown = paths.relative(file)
    findings = []
    for place, text in _texts_of(file):
        if text is None or isinstance(text, _Flag):  # never a silent pass
            flag = text or _Flag("unreadable", "cannot be read as text; remove it or convert it")
            findings.append((shown, place or 1, 1, flag.kind, flag.detail))
            continue
        text = normalise_text(text)
        lines = Lines(text)
        for start, kind, match in _text_findings(text, scanner, job, shown, 0, len(text)):
            line, column = lines.at(start)
            where = line if place is None else f"{place} line {line}"
            findings.append((shown, where, column, kind, match))
    return findings


def _text_findings(text: str, scanner, job: _CheckJob, shown: str, lo: int, hi: int):
    """``(start, kind, match)`` of what the check reports in ``text[lo:hi]`` (``text``
    around it is context): key entries by key row, patterns by what matched, except the
    allowlisted and colours in markup."""
    out = []
    for start, end, kind in scanner.spans(text):
        if not lo <= start < hi:
            continue
        matched = text[start:end]
        globs = job.allowed.get(normalise_entry(matched), ())
        if any(not g or fnmatch.fnmatchcase(shown, g) for g in globs):
            continue
        if kind == "postcode" and _colour_attribute(text, start, end):
            continue
        if kind == "key":
            idx = entry_index(matched, scanner.lookup, job.raw_originals)
            out.append((start, "key entry", job.key_rows[idx]))
        else:
            out.append((start, kind, matched))
    return out


class _Flag(NamedTuple):
    """A finding that is not a match in a text: a part that cannot be read, an
    image's location."""

    kind: str
    detail: str


# Colours in markup. A postcode written without its space can be six hexadecimal digits
# (CB12AB: Cambridge) and so can a colour, which Word and spreadsheets write without "#"
# in attributes (w:color="CB12AB", <a:srgbClr val=...>, <color rgb=...>). The attribute's
# or its element's name says which; "#RRGGBB" anywhere is the scanner's (is_hex_colour).
_COLOUR_NAME_RX = re.compile(r"colou?r|clr|fill|stroke|rgb", re.IGNORECASE)
_HEX6_RX = re.compile(r"[0-9A-Fa-f]{6}")
_ATTRIBUTE_BEFORE_RX = re.compile(
    r"<([\w.:-]+)(?:\s+[\w.:-]+\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'))*\s+([\w.:-]+)\s*=\s*([\"'])\Z")


def _colour_attribute(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the whole value of a colour attribute in markup:
    six hexadecimal digits in quotes, the attribute's or the element's (local) name
    naming a colour (color, colour, clr, fill, stroke, rgb).

    >>> _colour_attribute('<w:shd w:val="clear" w:fill="CB12AB"/>', 29, 35)
    True
    >>> _colour_attribute('<a:srgbClr val="CB12AB"/>', 16, 22)
    True
    >>> _colour_attribute('<Source name="CB12AB"/>', 14, 20)
    False
    """
    if not _HEX6_RX.fullmatch(text, start, end) or text[end:end + 1] not in ("'", '"'):
        return False
    m = _ATTRIBUTE_BEFORE_RX.search(text, max(0, start - 2048), start)
    if not m or m.group(3) != text[end]:
        return False
    element, attribute = (name.rsplit(":", 1)[-1] for name in m.group(1, 2))
    return bool(_COLOUR_NAME_RX.search(attribute) or _COLOUR_NAME_RX.search(element))


# ---------------------------------------------------------------------------- large files
# A large plain-text file (a candidate table of a real-size study is hundreds of MB) is
# read in regions of about _REGION_BYTES, each by itself, so that no process holds the
# whole file and the regions spread over the cores. Each region ends just after a
# "barrier": an ASCII character that no key entry contains and no identifier pattern,
# word gap, markup tag or base64 run can contain (?, !, *, [, ] ... not inside a "<").
# No match can cross a barrier, so each region finds exactly what a reading of the whole
# file finds there (the lookbehinds and lookaheads read a little context either side);
# regions also start and end between characters that Unicode normalisation never joins.
# Line and column are counted per region and put together by the caller.

_BARRIER_CANDIDATES = "?!*#$~^[]{}\\`&"
#: Bytes before a barrier in which an unclosed "<" could open a tag around it (a tag
#: word gap is at most 300 characters, each at most 4 bytes in UTF-8).
_TAG_BYTES = 1204
#: Context read before and after a region for lookbehinds and lookaheads.
_HEAD_BYTES = 256
_TAIL_BYTES = 64


@functools.lru_cache(maxsize=8)
def _barrier_rx(originals: tuple[str, ...]) -> re.Pattern | None:
    """Bytes that may end a region: the candidates no key entry contains."""
    used = set("".join(originals))
    chars = [c for c in _BARRIER_CANDIDATES if c not in used]
    return re.compile(b"[" + re.escape("".join(chars)).encode() + b"]") if chars else None


def _parts(file: Path) -> list:
    """``[None]`` (the whole file at once) or the nominal byte ranges of its regions."""
    size = file.stat().st_size
    if size < _SPLIT_BYTES or _splittable(file) is False:
        return [None]
    return [(a, min(a + _REGION_BYTES, size)) for a in range(0, size, _REGION_BYTES)]


def _splittable(file: Path) -> bool:
    """Whether a file is plain text read as it stands (not markup, JSON, a notebook, an
    archive, a PDF or an image, which are read in their own ways; not UTF-16)."""
    suffix = file.suffix.lower()
    if suffix in MARKUP_SUFFIXES | ZIP_SUFFIXES | images.IMAGE_SUFFIXES | {
            ".json", ".ipynb", ".gz", ".pdf", ".emz", ".wmz", ".svgz"}:
        return False
    with open(file, "rb") as fh:
        head = fh.read(64)
    return not (head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"%PDF"))
                or images.image_kind(head, suffix))


def _cut(fh, nominal: int, size: int, barrier: re.Pattern) -> int:
    """The first place at or after byte ``nominal`` just after a barrier that no "<"
    within _TAG_BYTES before it leaves open; the file's end when there is none."""
    window = 1 << 16
    while True:
        lo = max(0, nominal - _TAG_BYTES)
        fh.seek(lo)
        data = fh.read(nominal + window - lo)
        for m in barrier.finditer(data, nominal - lo):
            before = data[max(0, m.start() - _TAG_BYTES):m.start()]
            if before.rfind(b"<") <= before.rfind(b">"):
                return lo + m.end()
        if nominal + window >= size:
            return size
        window *= 4


class _Region(NamedTuple):
    """What one region of a file holds: findings ``(line, column, on its first line,
    kind, match)`` counted from the region's start, its line breaks, and the characters
    after its last one."""

    findings: list
    newlines: int
    tail: int


def _check_region(file: Path, start: int, end: int, job: _CheckJob) -> _Region | None:
    """The findings of the region of ``file`` around bytes ``[start, end)``; None when
    the file must be read whole after all (not UTF-8, NUL bytes, base64 data URIs or no
    barrier to cut at), so that it is read exactly as :func:`_check_file` reads it."""
    barrier = _barrier_rx(job.originals)
    if barrier is None:
        return None
    with open(file, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        c0 = 0 if start == 0 else _cut(fh, start, size, barrier)
        c1 = size if end >= size else _cut(fh, end, size, barrier)
        if c1 <= c0:
            return _Region([], 0, 0)
        fh.seek(max(0, c0 - _HEAD_BYTES))
        head = fh.read(c0 - max(0, c0 - _HEAD_BYTES))
        body = fh.read(c1 - c0)
        tail = fh.read(_TAIL_BYTES)
    if c0 == 0 and body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    if b"\0" in body or b"base64," in body:
        return None
    try:
        text = normalise_text(body.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    head_text = normalise_text(head.decode("utf-8", "ignore"))
    whole = head_text + text + normalise_text(tail.decode("utf-8", "ignore"))
    lo, hi = len(head_text), len(head_text) + len(text)
    scanner = _text_scanner(job.originals)
    findings = []
    for at, kind, match in _text_findings(whole, scanner, job, paths.relative(file), lo, hi):
        line = 1 + whole.count("\n", lo, at)
        newline = whole.rfind("\n", lo, at)
        findings.append((line, at - newline if newline >= 0 else at - lo + 1, newline < 0,
                         kind, match))
    last = text.rfind("\n")
    return _Region(findings, text.count("\n"), len(text) - last - 1)


def _assemble(file: Path, regions: list[_Region]) -> list[tuple]:
    """The findings of a file read in regions, with lines and columns of the file."""
    shown = paths.relative(file)
    out, lines_before, column_before = [], 0, 0
    for region in regions:
        for line, column, first, kind, match in region.findings:
            out.append((shown, lines_before + line, column + (column_before if first else 0),
                        kind, match))
        if region.newlines:
            lines_before += region.newlines
            column_before = region.tail
        else:
            column_before += region.tail
    return out


def checked_trees() -> list[Path]:
    """The trees the leak check reads by default (the one list to extend when outputs
    move): processed data, figures, notebooks, the report, the thesis outputs and
    private build outputs."""
    return [paths.PROCESSED, paths.FIGURES, paths.NOTEBOOKS, paths.BUILD / "report",
            paths.BUILD / "thesis", paths.BUILD / "private"]


def _files_to_check(roots: list[Path]) -> list[Path]:
    """Every file under the roots: dotfiles and dot-folders too (a checkpoint copy of a
    notebook leaks as well as the notebook)."""
    return sorted({f for found in _tree(roots).values() for f in found})


def _tree(roots: list[Path], exclude=None) -> dict[Path, list[Path]]:
    """Each root and the files under it (:func:`_files_to_check`), without the
    fingerprint file ``exclude`` (the check's own)."""
    skip = Path(os.path.abspath(exclude)) if exclude is not None else None
    tree = {}
    for root in roots:
        if root.is_file():
            found = [root]
        else:
            found = [Path(dirpath) / f for dirpath, _dirnames, filenames in os.walk(root)
                     for f in filenames]
        tree[root] = sorted(f for f in found if skip is None or Path(os.path.abspath(f)) != skip)
    return tree


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


#: Texts shorter than this are read whole.
_MIN_SPLIT = 1 << 16


class _TextScanner:
    """Key-entry and identifier-pattern spans of a text, as the leak check reads them.

    ``spans(text)`` equals ``sorted([(m.start(), m.end(), "key") for m in
    key_rx.finditer(text)] + pattern_spans(text))`` for the key regex of
    :func:`key_matcher`, found faster:

    * Distinct pieces. The text is cut at double quotes and line breaks (the cells of
      a table that repeats a quoted turn once per code, and its lines). No e-mail,
      phone, NHS number, postcode or first word of a key entry contains either, and
      every lookbehind and lookahead of the patterns and the key regex gives the same
      answer before or after either as at the start or end of a text (neither is a
      word character, ``.``, ``,``, ``-``, ``+``, ``/``, ``%`` or ``#``). So each
      distinct piece is read once, however often it occurs, the pieces joined by NULs
      (as neutral), and what is found is placed at every occurrence. One pattern does
      look across a line break (``$`` in the backward searches for an e-mail's local
      part and a postcode's outward code matches before a final newline): a text where
      a line starts as an e-mail domain or an inward code is read whole.
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
        delims = "".join(d for d in '"\n' if not any(d in w for w in firsts))
        self.split_rx = re.compile(f"[{delims}]") if delims else None

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

        pieces = None
        if split_rx is not None and len(text) >= _MIN_SPLIT and not ACROSS_LINES_RX.search(text):
            # every delimiter is one character: replacing it by a line break and splitting
            # there (both in C) is several times faster than splitting with a regex
            for d in split_rx.pattern[1:-1]:
                if d != "\n":
                    text = text.replace(d, "\n")
            pieces = text.split("\n")
        if not pieces or len(pieces) == 1:
            self.joined = text
            self._single = True
            return
        self._single = False
        distinct = dict.fromkeys(pieces)
        number = {piece: i for i, piece in enumerate(distinct)}
        ids = np.fromiter(map(number.__getitem__, pieces), np.int64, len(pieces))
        lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
        # each piece is followed by one delimiter in the text and by one NUL in joined
        starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        sizes = np.fromiter(map(len, distinct), np.int64, len(distinct))
        self.joined = "\0".join(distinct)
        self._entry_start = np.concatenate(([0], np.cumsum(sizes + 1)[:-1]))
        self._size = sizes
        order = np.argsort(ids, kind="stable")
        self._sorted_ids, self._place = ids[order], starts[order]

    def places(self, offset: int) -> list[int]:
        """Offsets in the text of ``offset`` in ``joined`` (none for a NUL between
        pieces)."""
        if self._single:
            return [offset]
        import numpy as np

        entry = int(np.searchsorted(self._entry_start, offset, side="right")) - 1
        inside = offset - int(self._entry_start[entry])
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


def _texts_of(file: Path) -> list[tuple[str | None, str | _Flag | None]]:
    """The texts of a file to check, each with its place (None: the file itself);
    a text of None marks a part that cannot be read as text, a :class:`_Flag` another
    finding that is not a match in a text."""
    data = file.read_bytes()
    return _texts_of_bytes(data, file.name, file, None, _Budget(file))


#: gzip-compressed files and the suffix of what they hold
_GZIP_SUFFIXES = {".gz": "", ".emz": ".emf", ".wmz": ".wmf", ".svgz": ".svg"}


def _texts_of_bytes(data: bytes, name: str, file: Path, place, budget: _Budget):
    suffix = Path(name).suffix.lower()

    def sub(inner):  # place names inside containers
        return inner if place is None else f"{place}!{inner}"

    if suffix in _GZIP_SUFFIXES:
        try:
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
            inner = inflater.decompress(data, budget.left + 1)
        except zlib.error as exc:
            raise DataError(file, place, f"corrupt gzip file ({exc})") from None
        budget.take(len(inner), place)
        inner_name = name[:-len(suffix)] + _GZIP_SUFFIXES[suffix]
        return _texts_of_bytes(inner, inner_name, file, sub(inner_name), budget)
    if suffix == ".ipynb":
        return [(sub(p) if place else p, t) for p, t in _notebook_texts(data, file, budget)]
    if suffix in images.IMAGE_SUFFIXES or images.image_kind(data, suffix):
        return [(sub(p) if p else place, t)
                for p, t in _image_texts(data, suffix, file, place, budget)]
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
    for i, (mime, image) in enumerate(_embedded_images(text), start=1):
        budget.take(len(image), place)
        out += [(sub(f"embedded image {i} {p}" if p else f"embedded image {i}"), t)
                for p, t in _image_texts(image, "." + mime, file, place, budget)]
    return out


def _image_texts(data: bytes, suffix: str, file: Path, place, budget: _Budget):
    """The texts of an image's metadata (:mod:`.images`), ``(place, text)`` with places
    inside the image; one that cannot be parsed is an ``unreadable`` finding, a GPS
    position a ``location`` one."""
    def inflate(compressed: bytes, where: str) -> bytes:
        return _inflate(compressed, file, where if place is None else f"{place}!{where}",
                        budget)

    try:
        texts = images.image_texts(data, suffix, inflate=inflate)
    except images.ImageError as exc:
        return [(None, _Flag("unreadable", f"image cannot be parsed: {exc}"))]
    return [(p, _Flag("location", str(t)) if isinstance(t, images.Location) else t)
            for p, t in texts]


_IMAGE_URI_RX = re.compile(r"data:image/(png|jpeg|jpg|gif|webp|tiff|bmp);base64,"
                           r"([A-Za-z0-9+/=\s]+)")
_ANY_DATA_URI_RX = re.compile(r"data:[\w.+/-]+;base64,[A-Za-z0-9+/=\s]+")


def _embedded_images(text: str) -> list[tuple[str, bytes]]:
    """Images inlined as data URIs (SVG <image>, HTML <img>): ``(subtype, bytes)``."""
    found = []
    if "base64," in text:
        for m in _IMAGE_URI_RX.finditer(text):
            try:
                found.append((m.group(1), base64.b64decode(re.sub(r"\s+", "", m.group(2)))))
            except (binascii.Error, ValueError):
                continue
    return found


def _pdf_texts(data: bytes, file: Path) -> list[tuple[str, str | None]]:
    """Text of every page of a PDF and its metadata: the document information and the
    XMP packet (where a writer may put the author's name again)."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        texts = [(f"page {i}", page.extract_text() or "")
                 for i, page in enumerate(reader.pages, start=1)]
        meta = reader.metadata or {}
        texts.append(("metadata", "\n".join(str(v) for v in meta.values())))
        xmp = reader.trailer["/Root"].get_object().get("/Metadata")
        if xmp is not None:
            texts.append(("XMP metadata", _readable(
                xmp.get_object().get_data().decode("utf-8", "replace"), ".xml")))
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
    results, displays of any kind, errors; images for their metadata, PDFs for their
    text)."""
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
                if mime == "application/pdf" and isinstance(value, (str, list)):
                    try:
                        pdf = base64.b64decode(re.sub(r"\s+", "", _joined(value)))
                    except (binascii.Error, ValueError):
                        raise DataError(file, place, f"{mime} output is not base64") from None
                    texts += [(f"{place} {p}", t) for p, t in _pdf_texts(pdf, file)]
                elif not mime.startswith("image/") or mime.endswith("xml"):
                    # text of any kind (HTML, Markdown, LaTeX, JSON, JavaScript, SVG)
                    suffix = ".svg" if ("html" in mime or "xml" in mime) else ""
                    pieces.append(_readable(_joined(value), suffix))
                    for i, (kind, image) in enumerate(_embedded_images(_joined(value)), start=1):
                        budget.take(len(image), place)
                        texts += [(f"{place} image {i} {p}" if p else f"{place} image {i}", t)
                                  for p, t in _image_texts(image, "." + kind, file, place,
                                                           budget)]
                elif isinstance(value, (str, list)):
                    # PNG, JPEG, GIF ... outputs: base64 (SVG is text, read above)
                    try:
                        image = base64.b64decode(re.sub(r"\s+", "", _joined(value)))
                    except (binascii.Error, ValueError):
                        raise DataError(file, place, f"{mime} output is not base64") from None
                    budget.take(len(image), place)
                    texts += [(f"{place} {p}" if p else place, t)
                              for p, t in _image_texts(image, "." + mime[6:], file, place,
                                                       budget)]
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
