"""Import REFI-QDA projects (``.qdpx`` archives and bare ``.qde`` files), leniently and honestly.

Real exporters bend the standard in known ways (``refi_qda.md`` §2.5), so the reader
accepts what they write and says what it did:

* any single ``*.qde`` in the archive (ATLAS.ti names it after the project), a
  ``sources/`` folder in any case, elements matched by local name whatever the
  namespace version, GUIDs with braces or in upper case;
* text from ``PlainTextContent``, from ``plainTextPath``, or from the ``.docx`` when the
  ``.txt`` is empty (NVivo for Mac round trips);
* offsets in code points, UTF-16 units or UTF-8 bytes, with CRLF counted once or twice
  and the BOM counted or not: each source gets the reading that puts the selection
  boundaries between words (:func:`read_offsets`), converted to code points of the
  normalised text (LF, no BOM);
* memos however encoded: Notes with NoteRef, Notes joined by a Link (NVivo),
  Description elements (ATLAS.ti comments, MAXQDA annotations).

Anything not carried over (missing files, PDF areas, picture, audio and video
selections, sets, graphs ...) becomes a row of the import report, never a silent drop
and never fatal. Hostile input is refused with one :class:`DataError` before anything
is extracted: XML with a DTD or entities, archive paths that escape the folder, and
absurd uncompressed sizes. Nothing is written to disk except the outputs.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import paths
from ..errors import DataError
from ..io import atomic_write, decode_text, normalise_newlines, sha256_text, write_table
from .container import (ENTRY_LIMIT, Container, check_zip, inner_text, kid, kids, local_name,
                        parse_xml, safe_name)

__all__ = ["OffsetReading", "RefiProject", "read_offsets", "read_project",
           "read_coding_project", "write_import", "import_project", "case_attributes", "attach_case_attributes"]

CODE_COLUMNS = ["code_id", "guid", "name", "parent_id", "colour", "description",
                "is_codable", "in_codebook"]
SOURCE_COLUMNS = ["source_id", "guid", "name", "kind", "offset_unit", "unit_score",
                  "n_chars", "sha256", "path_in_archive"]
SEGMENT_COLUMNS = ["segment_id", "source_id", "code_id", "start", "end", "coder", "text"]
MEMO_COLUMNS = ["memo_id", "target_guid", "target_kind", "source_id", "start", "end", "text"]
CASE_COLUMNS = ["case", "variable", "value", "source_ids"]
REPORT_COLUMNS = ["level", "item", "what", "detail"]

_SOURCE_KINDS = {"TextSource": "text", "PDFSource": "pdf", "PictureSource": "picture",
                 "AudioSource": "audio", "VideoSource": "video"}
_MEDIA_SELECTIONS = {"PDFSelection": "PDF selection not carried over",
                     "PictureSelection": "picture selection not carried over",
                     "AudioSelection": "audio selection not carried over",
                     "VideoSelection": "video selection not carried over",
                     "Transcript": "transcript not carried over",
                     "TextDescription": "picture text description not carried over"}
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
               "DateTimeValue")
_COLOUR = re.compile(r"#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


# --------------------------------------------------------------------------- offsets

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


# --------------------------------------------------------------------------- names

def _guid(value: str | None) -> str:
    """GUIDs compare case-insensitively, with or without braces."""
    return (value or "").strip().strip("{}").lower()


def _slug(name: str, lower: bool) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "_", ascii_name).strip("_")
    return slug.lower() if lower else slug


def _unique(base: str, taken: set) -> str:
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


# --------------------------------------------------------------------------- the project

@dataclass
class RefiProject:
    """Everything read from a REFI-QDA project, as tidy tables.

    ``texts`` maps ``source_id`` to the normalised text of each source that has one;
    ``report`` lists, one row each, what was not carried over or was changed.
    """

    codes: object
    sources: object
    segments: object
    memos: object
    cases: object
    report: object
    texts: dict


class _Reader:
    """One pass over the parsed project; collects rows, builds DataFrames at the end."""

    def __init__(self, container: Container, codebook):
        self.c = container
        self.codebook = codebook
        self.report: list[tuple] = []
        self.users: dict[str, str] = {}
        self.code_ids: dict[str, str] = {}  # code guid -> code_id
        self.variables: dict[str, str] = {}
        self.kinds: dict[str, str] | None = None  # any guid -> element name, when needed
        self.root = None
        self.selection_at: dict[str, tuple] = {}  # selection guid -> (source_id, start, end)
        self.source_ids: dict[str, str] = {}
        self.rows = {k: [] for k in ("codes", "sources", "segments", "memos", "cases")}
        self.texts: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.taken_sources: set = set()
        self.linked_notes: set = set()  # notes joined to their target by a Link

    def warn(self, item, what, detail=""):
        self.report.append(("warning", str(item), what, detail))

    def info(self, item, what, detail=""):
        self.report.append(("info", str(item), what, detail))

    # -- top level
    def read(self) -> RefiProject:
        import pandas as pd

        root = self.root = parse_xml(self.c.qde, self.c.path,
                                      self.c.qde_name if self.c.zip else None)
        if local_name(root.tag) != "Project":
            raise DataError(self.c.path, self.c.qde_name if self.c.zip else None,
                            f"not a REFI-QDA project: the root element is "
                            f"<{local_name(root.tag)}>, not <Project>")
        ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        if ns != "urn:QDA-XML:project:1.0":
            self.warn(self.c.qde_name, "namespace variant",
                      f"read {ns or 'no namespace'!r} as urn:QDA-XML:project:1.0")
        handlers = {"Users": self.read_users, "CodeBook": self.read_codebook,
                    "Variables": self.read_variables, "Sources": self.read_sources,
                    "Notes": self.read_notes, "Cases": self.read_cases}
        # Sources need users and codes, memos need sources: read in dependency order.
        order = ["Users", "CodeBook", "Variables", "Sources", "Notes", "Cases"]
        for name in order:
            for el in kids(root, name):
                handlers[name](el)
        for el in root:
            name = local_name(el.tag)
            if name == "Links":
                self.read_links(el)
            elif name in {"Sets", "Graphs"}:
                self.info(name, f"{name.lower()} not carried over",
                          f"{len(list(el))} {name[:-1].lower()}(s)")
            elif name not in handlers and name not in {"Description", "NoteRef"}:
                self.warn(name, "element not carried over", "unknown top-level element")
        # Memos need a pass over every element; a project without NoteRef or Description
        # (most large ones) can skip it.
        if self.notes or b"NoteRef" in self.c.qde or b"Description" in self.c.qde:
            self.read_memos(root)

        frames = {
            "codes": pd.DataFrame(self.rows["codes"], columns=CODE_COLUMNS),
            "sources": pd.DataFrame(self.rows["sources"], columns=SOURCE_COLUMNS),
            "memos": pd.DataFrame(self.rows["memos"], columns=MEMO_COLUMNS),
            "cases": pd.DataFrame(self.rows["cases"], columns=CASE_COLUMNS),
        }
        segments = pd.DataFrame(self.rows["segments"], columns=SEGMENT_COLUMNS[1:])
        segments = segments.sort_values(["source_id", "start", "end", "code_id", "coder"],
                                        kind="stable").reset_index(drop=True)
        numbers = segments.groupby("source_id", sort=False).cumcount() + 1
        segments.insert(0, "segment_id", segments["source_id"] + "-" +
                        numbers.astype(str).str.zfill(4))
        return RefiProject(codes=frames["codes"], sources=frames["sources"],
                           segments=segments, memos=frames["memos"], cases=frames["cases"],
                           report=pd.DataFrame(self.report, columns=REPORT_COLUMNS),
                           texts=self.texts)

    # -- users and codes
    def read_users(self, el):
        for user in kids(el, "User"):
            g = _guid(user.get("guid"))
            self.users[g] = user.get("name") or user.get("id") or g

    def coder(self, *user_guids) -> str:
        for g in user_guids:
            if g:
                return self.users.get(_guid(g), _guid(g))
        return "unknown"

    def read_codebook(self, el):
        from .writer import stable_guid

        book = self.codebook
        by_guid, by_id, by_label = {}, set(), {}
        if book is not None:
            for code_id, label in zip(book["code_id"], book["label"]):
                by_guid[stable_guid("code", code_id)] = code_id
                by_id.add(code_id)
                by_label.setdefault(str(label).strip().casefold(), code_id)
        else:
            self.info("codebook", "no codebook", "code names were not matched to code ids")
        taken: set = set()
        codes_el = kid(el, "Codes")
        stack = [(c, "") for c in reversed(kids(codes_el, "Code"))]
        while stack:
            code, parent_guid = stack.pop()
            g = _guid(code.get("guid"))
            name = (code.get("name") or "").strip()
            match = by_guid.get(g) or (name if name in by_id else None) \
                or by_label.get(name.casefold())
            if match and match in taken:
                self.warn(name, "duplicate code", f"a second code maps to {match!r}; "
                                                  f"kept apart under its own id")
                match = None
            code_id = _unique(match or _slug(name, lower=True) or "code", taken)
            if match is None and book is not None:
                self.info(name, "code not in codebook", f"imported as {code_id!r}")
            colour = (code.get("color") or "").strip()
            m = _COLOUR.fullmatch(colour)
            if m:
                hexes = m.group(1).upper()
                colour = "#" + ("".join(ch * 2 for ch in hexes) if len(hexes) == 3 else hexes)
            elif colour:
                self.warn(name, "colour not understood", colour)
                colour = ""
            if g:
                self.code_ids[g] = code_id
            else:
                self.warn(name, "code without guid", "its codings cannot be found")
            self.rows["codes"].append((
                code_id, g, name, self.code_ids.get(parent_guid, ""), colour,
                normalise_newlines(inner_text(kid(code, "Description"))).strip(),
                (code.get("isCodable") or "true").strip().lower() in {"true", "1"},
                match is not None))
            stack.extend((c, g) for c in reversed(kids(code, "Code")))

    def read_variables(self, el):
        for var in kids(el, "Variable"):
            self.variables[_guid(var.get("guid"))] = var.get("name") or _guid(var.get("guid"))

    def variable_values(self, el) -> list[tuple[str, str]]:
        pairs = []
        for vv in kids(el, "VariableValue"):
            ref = _guid(kid(vv, "VariableRef").get("targetGUID")) \
                if kid(vv, "VariableRef") is not None else ""
            value = next((inner_text(c) for c in vv if local_name(c.tag) in _VALUE_TAGS), "")
            pairs.append((self.variables.get(ref, ref), value.strip()))
        return pairs

    # -- sources
    def load_text(self, el, item) -> tuple[str | None, bool, str]:
        """(raw text without BOM, had BOM, path in archive) of a TextSourceType element."""
        content = kid(el, "PlainTextContent")
        raw, bom, where = None, False, ""
        plain, rich = el.get("plainTextPath"), el.get("richTextPath")
        if content is not None:
            raw = inner_text(content)
        elif plain:
            got = self.fetch(plain, item)
            if got is not None:
                where, data = got
                try:
                    decoded = decode_text(data, f"{self.c.path}!{where}")
                    raw, bom = decoded.text, decoded.bom
                except DataError as exc:
                    self.warn(item, "unreadable source file", exc.reason)
        if (raw is None or not raw.strip()) and rich and rich.casefold().endswith(".docx"):
            got = self.fetch(rich, item)
            if got is not None:
                text = self.docx_text(got[1], got[0], item)
                if text is not None:
                    if raw is not None or plain:
                        self.info(item, "text taken from .docx", "the plain text was empty "
                                  "or missing")
                    raw, bom, where = text, False, got[0]
        if raw is None and not (plain or rich) and content is None:
            self.warn(item, "source without text", "no PlainTextContent, plainTextPath or "
                                                   "richTextPath")
        return raw, bom, where

    def fetch(self, ref: str, item) -> tuple[str, bytes] | None:
        # "internal://x.txt" by the spec; "internal:/x.txt" and a bare "x.txt" occur too.
        m = re.fullmatch(r"([A-Za-z]{2,}):/*(.*)", ref.strip())
        if m is None:
            self.info(item, "path without internal:// scheme", ref)
        elif m.group(1).casefold() != "internal":
            self.warn(item, "missing source file", f"external file {ref} is not read")
            return None
        name = (m.group(2) if m else ref.strip()).lstrip("/")
        if safe_name(name) is None:
            self.warn(item, "missing source file", f"unsafe path {ref}")
            return None
        got = self.c.source_file(name)
        if got is None:
            self.warn(item, "missing source file", f"{ref} is not in the sources folder")
        return got

    def docx_text(self, data: bytes, where: str, item) -> str | None:
        import docx

        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            self.warn(item, "unreadable .docx", f"{where} is not a zip archive")
            return None
        with archive:
            check_zip(archive, self.c.path, f"{where}!")  # a bomb inside is still a bomb
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many types; all mean "unreadable"
            self.warn(item, "unreadable .docx", f"{where}: {type(exc).__name__}")
            return None
        return "\n".join(p.text for p in document.paragraphs)

    def read_sources(self, el):
        from ..progress import progress

        for src in progress(list(el), desc="REFI-QDA sources"):
            tag = local_name(src.tag)
            kind = _SOURCE_KINDS.get(tag)
            g = _guid(src.get("guid"))
            name = src.get("name") or g
            if kind is None:
                self.warn(name, "element not carried over", f"unknown source type <{tag}>")
                continue
            source_id = _unique(_slug(name, lower=False) or "source", self.taken_sources)
            self.source_ids[g] = source_id
            text_el = src if kind == "text" else kid(src, "Representation")
            for child in src:
                what = _MEDIA_SELECTIONS.get(local_name(child.tag))
                if what:
                    self.warn(child.get("guid") or name, what, f"in {source_id}")
            for case_var, value in self.variable_values(src):
                self.rows["cases"].append((source_id, case_var, value, source_id))
                self.info(source_id, "source variable", f"{case_var} kept in cases.csv")
            row = self.text_source(src, text_el, source_id, g, name, kind)
            self.rows["sources"].append(row)

    def text_source(self, src, text_el, source_id, g, name, kind) -> tuple:
        raw, bom, where = (None, False, "")
        if text_el is not None:
            raw, bom, where = self.load_text(text_el, source_id)
        selections = kids(text_el, "PlainTextSelection")
        if raw is None:
            if selections:
                self.warn(source_id, "selections on a source without text",
                          f"{len(selections)} selection(s) not carried over")
            for coding in kids(src, "Coding"):
                self.warn(coding.get("guid") or source_id, "coding of a source without text")
            return (source_id, g, name, kind, "", "", "", "", where)
        text = normalise_newlines(raw)
        self.texts[source_id] = text
        guids, starts, ends, sel_users, codings, descriptions = [], [], [], [], [], []
        for sel in selections:
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                self.warn(sel.get("guid") or source_id, "selection without integer positions",
                          f"in {source_id}")
                continue
            if max(abs(start), abs(end)) > ENTRY_LIMIT:  # beyond any text; would overflow int64
                self.warn(sel.get("guid") or source_id, "selection out of range",
                          f"[{start}, {end}) in {source_id}")
                continue
            guids.append(_guid(sel.get("guid")))
            starts.append(start)
            ends.append(end)
            sel_users.append(sel.get("creatingUser"))
            codings.append([(c.get("guid"), kid(c, "CodeRef"), c.get("creatingUser"))
                            for c in sel if local_name(c.tag) == "Coding"])
            descriptions.append(kid(sel, "Description"))
        reading = read_offsets(raw, starts, ends, bom=bom)
        if reading.unit not in {"codepoint", "codepoint+crlf"}:
            self.info(source_id, "offsets converted",
                      f"read as {reading.unit} (score {reading.score:.4f}), stored as code "
                      f"points of the normalised text")
        seg_rows = self.rows["segments"]
        for k, sel_guid in enumerate(guids):
            s, e = int(reading.start[k]), int(reading.end[k])
            if not reading.valid[k]:
                self.warn(sel_guid, "selection out of range",
                          f"[{starts[k]}, {ends[k]}) in {source_id} read as {reading.unit}")
                continue
            self.selection_at[sel_guid] = (source_id, s, e)
            if not codings[k] and descriptions[k] is None:
                self.info(sel_guid, "selection without coding", f"in {source_id}")
            for coding_guid, ref, user in codings[k]:
                code_id = self.code_ids.get(_guid(ref.get("targetGUID"))) \
                    if ref is not None else None
                if code_id is None:
                    self.warn(coding_guid or sel_guid, "coding of an unknown code",
                              f"in {source_id}")
                    continue
                seg_rows.append((source_id, code_id, s, e, self.coder(user, sel_users[k]),
                                 text[s:e]))
        for coding in kids(src, "Coding"):
            ref = kid(coding, "CodeRef")
            code_id = self.code_ids.get(_guid(ref.get("targetGUID"))) if ref is not None else None
            if code_id is None:
                self.warn(coding.get("guid") or source_id, "coding of an unknown code",
                          f"in {source_id}")
                continue
            seg_rows.append((source_id, code_id, 0, len(text),
                             self.coder(coding.get("creatingUser"), src.get("creatingUser")),
                             text))
            self.info(coding.get("guid") or source_id, "whole-source coding",
                      f"kept as a segment spanning all of {source_id}")
        score = "" if np.isnan(reading.score) else f"{reading.score:.4f}"
        return (source_id, g, name, kind, reading.unit, score, len(text), sha256_text(text),
                where)

    # -- memos
    def read_notes(self, el):
        for note in kids(el, "Note"):
            g = _guid(note.get("guid"))
            raw, _, _ = self.load_text(note, note.get("name") or g)
            self.notes[g] = normalise_newlines(raw or "").strip()
            if kids(note, "PlainTextSelection"):
                self.info(g, "memo selections not carried over",
                          f"{len(kids(note, 'PlainTextSelection'))} selection(s) in a note")

    def memo(self, memo_id, target, text):
        if self.kinds is None:
            self.kinds = {_guid(el.get("guid")): local_name(el.tag)
                          for el in self.root.iter() if el.get("guid")}
        kind = self.kinds.get(target, "Project") if target else "Project"
        source_id, start, end = self.selection_at.get(target, ("", "", ""))
        if not source_id and kind in _SOURCE_KINDS:
            source_id = self.source_ids.get(target, "")
        self.rows["memos"].append((memo_id, target, kind, source_id, start, end, text))

    def read_links(self, el):
        for link in kids(el, "Link"):
            origin, target = _guid(link.get("originGUID")), _guid(link.get("targetGUID"))
            if origin in self.notes and target not in self.notes:
                self.memo(origin, target, self.notes[origin])
                self.linked_notes.add(origin)
            elif target in self.notes and origin not in self.notes:
                self.memo(target, origin, self.notes[target])
                self.linked_notes.add(target)
            else:
                self.info(link.get("guid") or "link", "link not carried over",
                          f"{origin} -> {target}")

    def read_memos(self, root):
        """NoteRefs and Descriptions anywhere, then notes nothing points to (journals)."""
        referenced = set(self.linked_notes)
        for parent in root.iter():
            owner = _guid(parent.get("guid"))
            for child in parent:
                name = local_name(child.tag)
                if name == "NoteRef":
                    note = _guid(child.get("targetGUID"))
                    if note in self.notes:
                        referenced.add(note)
                        self.memo(note, owner, self.notes[note])
                    else:
                        self.warn(note, "missing memo", f"NoteRef from {owner or 'project'}")
                elif name == "Description" and local_name(parent.tag) not in {"Code", "Variable"}:
                    text = normalise_newlines(inner_text(child)).strip()
                    if text:
                        self.memo(f"{owner or 'project'}:description", owner, text)
        for note, text in self.notes.items():
            if note not in referenced:
                self.memo(note, "", text)
        if self.rows["memos"]:
            self.info("memos", "memo", f"{len(self.rows['memos'])} memo(s) in memos.csv")

    # -- cases
    def read_cases(self, el):
        for case in kids(el, "Case"):
            name = case.get("name") or _guid(case.get("guid"))
            linked = "|".join(sorted(self.source_ids.get(_guid(r.get("targetGUID")),
                                                          _guid(r.get("targetGUID")))
                                     for r in kids(case, "SourceRef")))
            pairs = self.variable_values(case)
            for variable, value in pairs:
                self.rows["cases"].append((name, variable, value, linked))
            if pairs:
                self.info(name, "case variable", f"{len(pairs)} value(s) in cases.csv")
            for ref_kind in ("CodeRef", "SelectionRef"):
                if kids(case, ref_kind):
                    self.info(name, f"case {ref_kind} not carried over",
                              f"{len(kids(case, ref_kind))} reference(s)")


def _codebook_frame(codebook):
    """The codebook as a DataFrame of code_id and label, or None when there is none."""
    import pandas as pd

    if codebook is None:
        from ..codebook import load_codebook

        if not paths.CODEBOOK_YML.is_file():
            return None
        codebook = load_codebook(paths.CODEBOOK_YML)
    table = getattr(codebook, "codes", codebook)
    if not isinstance(table, pd.DataFrame) or "code_id" not in table.columns:
        raise TypeError("codebook must be a DataFrame with code_id and label columns")
    labels = table["label"] if "label" in table.columns else table["code_id"]
    return pd.DataFrame({"code_id": table["code_id"].astype(str),
                         "label": labels.astype(str)})


def read_project(path: os.PathLike | str, codebook=None) -> RefiProject:
    """Read a ``.qdpx`` archive or a bare ``.qde`` file into tidy tables.

    Parameters
    ----------
    path : path-like
        The project file. A bare ``.qde`` finds its texts in a ``sources`` folder beside
        it (any case) or inline.
    codebook : pandas.DataFrame, optional
        ``code_id`` and ``label``: REFI codes whose GUID, name or label match take that
        id. By default the project's codebook, when it can be loaded.

    Returns
    -------
    RefiProject

    Raises
    ------
    DataError
        When the file is not a REFI-QDA project, or is hostile.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> qde = pathlib.Path(tempfile.mkdtemp()) / "tiny.qde"
    >>> _ = qde.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="t"><CodeBook>'
    ...     '<Codes><Code guid="00000000-0000-0000-0000-000000000001" name="Funding" '
    ...     'isCodable="true"/></Codes></CodeBook><Sources><TextSource '
    ...     'guid="00000000-0000-0000-0000-000000000002" name="P01"><PlainTextContent>'
    ...     'No money left.</PlainTextContent><PlainTextSelection startPosition="3" '
    ...     'endPosition="8" guid="00000000-0000-0000-0000-000000000003"><Coding '
    ...     'guid="00000000-0000-0000-0000-000000000004"><CodeRef '
    ...     'targetGUID="00000000-0000-0000-0000-000000000001"/></Coding>'
    ...     '</PlainTextSelection></TextSource></Sources></Project>')
    >>> project = read_project(qde, codebook=None)
    >>> project.segments[["source_id", "code_id", "start", "end", "text"]].values.tolist()
    [['P01', 'funding', 3, 8, 'money']]
    """
    container = Container(Path(path))
    container.open()
    try:
        return _Reader(container, _codebook_frame(codebook)).read()
    finally:
        container.close()


def read_coding_project(path: os.PathLike | str, codebook=None) -> RefiProject:
    """Read any coding project by its type: the one place that dispatches on it.

    A folder or an SQLite file is a QualCoder project
    (:func:`analysis.refi.qualcoder.read_qualcoder`); anything else a REFI-QDA ``.qdpx`` or
    ``.qde`` (:func:`read_project`). Both give the same tables and report.
    """
    from .qualcoder import is_qualcoder, read_qualcoder

    if Path(path).is_dir() or is_qualcoder(path):
        return read_qualcoder(path, codebook=codebook)
    return read_project(path, codebook=codebook)


def write_import(project: RefiProject, out_dir: os.PathLike | str) -> Path:
    """Write an imported project: codes, sources, segments, memos, cases, report, texts."""
    out = Path(out_dir)
    for source_id, text in sorted(project.texts.items()):
        atomic_write(out / "texts" / f"{source_id}.txt", text)
    write_table(project.codes, out / "codes.csv", CODE_COLUMNS)
    write_table(project.sources, out / "sources.csv", SOURCE_COLUMNS)
    write_table(project.segments, out / "segments.csv", SEGMENT_COLUMNS)
    write_table(project.memos, out / "memos.csv", MEMO_COLUMNS)
    write_table(project.cases, out / "cases.csv", CASE_COLUMNS)
    write_table(project.report, out / "import_report.csv", REPORT_COLUMNS)
    return out


def import_project(path: os.PathLike | str, out_dir: os.PathLike | str,
                   codebook=None) -> RefiProject:
    """Read a project (:func:`read_coding_project`) and write it to ``out_dir``.

    Everything is read and checked before the first file is written.
    """
    project = read_coding_project(path, codebook=codebook)
    write_import(project, out_dir)
    return project


# --------------------------------------------------------------------------- cases

def case_attributes(cases):
    """Cases as one row per case and one column per variable (``participant_id`` first).

    >>> import pandas as pd
    >>> cases = pd.DataFrame({"case": ["P01", "P01"], "variable": ["tier", "sector"],
    ...                       "value": ["meso", "NHS"], "source_ids": ["P01", "P01"]})
    >>> case_attributes(cases).to_dict("records")
    [{'participant_id': 'P01', 'sector': 'NHS', 'tier': 'meso'}]
    """
    import pandas as pd

    if cases.empty:
        return pd.DataFrame(columns=["participant_id"])
    wide = cases.pivot_table(index="case", columns="variable", values="value",
                             aggfunc="first", sort=True)
    wide = wide.reset_index().rename(columns={"case": "participant_id"})
    wide.columns.name = None
    return wide.fillna("")


def attach_case_attributes(participants, cases, id_column: str = "participant_id"):
    """Fill participants' attributes from imported cases.

    A case belongs to a participant when its name is the participant id or it links
    to the participant's interview (interview ``source_id`` == participant id). Values
    already present in ``participants`` win; new variables become new columns.

    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["P01"], "tier": [""]})
    >>> cases = pd.DataFrame({"case": ["Anon 1"], "variable": ["tier"],
    ...                       "value": ["meso"], "source_ids": ["P01"]})
    >>> attach_case_attributes(people, cases).to_dict("records")
    [{'participant_id': 'P01', 'tier': 'meso'}]
    """
    ids = set(participants[id_column].astype(str))

    def owner(row):
        if row["case"] in ids:
            return row["case"]
        linked = [s for s in str(row["source_ids"]).split("|") if s in ids]
        return linked[0] if len(linked) == 1 else None

    cases = cases.assign(case=cases.apply(owner, axis=1) if len(cases) else cases["case"])
    wide = case_attributes(cases.dropna(subset=["case"])).rename(
        columns={"participant_id": id_column})
    merged = participants.merge(wide, on=id_column, how="left", suffixes=("", "__case"))
    for column in [c for c in wide.columns if c != id_column]:
        incoming = f"{column}__case" if f"{column}__case" in merged.columns else column
        if incoming != column:
            current = merged[column].astype(str).where(merged[column].notna(), "")
            merged[column] = current.where(current != "", merged[incoming].fillna(""))
            merged = merged.drop(columns=incoming)
        else:
            merged[column] = merged[column].fillna("")
    return merged
