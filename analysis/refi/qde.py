"""Read the REFI-QDA project document (the ``.qde`` XML), element by element.

Real exporters bend the standard in known ways, so the reader accepts what they write
and says what it did:

* elements matched by local name whatever the namespace version, GUIDs with braces or
  in upper case;
* text from ``PlainTextContent``, from ``plainTextPath``, or from the ``.docx`` when the
  ``.txt`` is empty (NVivo for Mac round trips);
* offsets in code points, UTF-16 units or UTF-8 bytes, with CRLF counted once or twice
  and the BOM counted or not (:func:`analysis.refi.offsets.read_offsets`), converted to
  code points of the normalised text (LF, no BOM);
* memos however encoded: Notes with NoteRef, Notes joined by a Link (NVivo),
  Description elements (ATLAS.ti comments, MAXQDA annotations).

Anything not carried over (missing files, PDF areas, picture, audio and video
selections, sets, graphs ...) becomes a row of the import report, never a silent drop
and never fatal.

:func:`read_qde` reads the elements in dependency order, one reader each: users, the
codebook, variables, sources (their text, selections and codings), notes, cases; then
links, and memos wherever they hang. The readers share one :class:`_State`: the
lookups the later elements need (user names, code ids, source ids, where each
selection landed) and the rows of every table.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import numpy as np

from .. import paths
from ..errors import DataError
from ..io import decode_text, normalise_newlines, sha256_text
from ..schema import REPORT_COLUMNS, SEGMENT_COLUMNS
from .container import (ENTRY_LIMIT, Container, check_zip, inner_text, kid, kids, local_name,
                        parse_xml, safe_name)
from .offsets import read_offsets

__all__ = ["CODE_COLUMNS", "SOURCE_COLUMNS", "MEMO_COLUMNS", "CASE_COLUMNS", "RefiProject",
           "read_qde", "slug"]

CODE_COLUMNS = ["code_id", "guid", "name", "parent_id", "colour", "description",
                "is_codable", "in_codebook"]
SOURCE_COLUMNS = ["source_id", "guid", "name", "kind", "offset_unit", "unit_score",
                  "n_chars", "sha256", "path_in_archive"]
#: A memo: the note's guid (``memo_id``), what it is attached to (the target's guid and
#: element name: ``Project``, ``Code``, ``TextSource``, ``PlainTextSelection``, ``Coding``,
#: ``Case``), where that is in a source, the text; then the code a memo on a code or a
#: coding is about, the note's author (user name), date (``creationDateTime`` as written)
#: and title (its ``name``). Notes nothing points to (journals) are on the ``Project``.
MEMO_COLUMNS = ["memo_id", "target_guid", "target_kind", "source_id", "start", "end", "text",
                "code_id", "author", "date", "title"]
CASE_COLUMNS = ["case", "variable", "value", "source_ids"]

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


# --------------------------------------------------------------------------- names

def _guid(value: str | None) -> str:
    """GUIDs compare case-insensitively, with or without braces."""
    return (value or "").strip().strip("{}").lower()


def slug(name: str, lower: bool) -> str:
    """An id made of a name: ASCII letters, digits and ``_`` (lower case when ``lower``).

    >>> slug("Über-Funding (NHS)", lower=True), slug("P01 interview", lower=False)
    ('uber_funding_nhs', 'P01_interview')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    made = re.sub(r"[^A-Za-z0-9]+", "_", ascii_name).strip("_")
    return made.lower() if lower else made


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


@dataclass
class _State:
    """What the element readers share while one project is read, and the rows they collect."""

    c: Container
    codebook: object  # code_id and label, or None
    root: object = None
    report: list = field(default_factory=list)
    users: dict = field(default_factory=dict)  # user guid -> name
    code_ids: dict = field(default_factory=dict)  # code guid -> code_id
    variables: dict = field(default_factory=dict)  # variable guid -> name
    kinds: dict | None = None  # any guid -> element name, when needed
    selection_at: dict = field(default_factory=dict)  # selection guid -> (source_id, start, end)
    source_ids: dict = field(default_factory=dict)  # source guid -> source_id
    rows: dict = field(default_factory=lambda: {k: [] for k in ("codes", "sources", "segments",
                                                                "memos", "cases")})
    texts: dict = field(default_factory=dict)  # source_id -> normalised text
    notes: dict = field(default_factory=dict)  # note guid -> text
    note_meta: dict = field(default_factory=dict)  # note guid -> (author, date, title)
    coding_code: dict = field(default_factory=dict)  # coding guid -> code_id
    taken_sources: set = field(default_factory=set)
    linked_notes: set = field(default_factory=set)  # notes joined to their target by a Link

    def warn(self, item, what, detail=""):
        self.report.append(("warning", str(item), what, detail))

    def info(self, item, what, detail=""):
        self.report.append(("info", str(item), what, detail))


def _project_root(st: _State):
    """The parsed ``<Project>``; a namespace other than the spec's is a report row."""
    root = parse_xml(st.c.qde, st.c.path, st.c.qde_name if st.c.zip else None)
    if local_name(root.tag) != "Project":
        raise DataError(st.c.path, st.c.qde_name if st.c.zip else None,
                        f"not a REFI-QDA project: the root element is "
                        f"<{local_name(root.tag)}>, not <Project>")
    ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if ns != "urn:QDA-XML:project:1.0":
        st.warn(st.c.qde_name, "namespace variant",
                f"read {ns or 'no namespace'!r} as urn:QDA-XML:project:1.0")
    return root


def _read_other(st: _State) -> None:
    """Links, in document order, and a report row for each top-level element not read."""
    for el in st.root:
        name = local_name(el.tag)
        if name == "Links":
            _read_links(st, el)
        elif name in {"Sets", "Graphs"}:
            st.info(name, f"{name.lower()} not carried over",
                    f"{len(list(el))} {name[:-1].lower()}(s)")
        elif name not in _READERS and name not in {"Description", "NoteRef"}:
            st.warn(name, "element not carried over", "unknown top-level element")


def _tables(st: _State) -> RefiProject:
    """The collected rows as tables; segments numbered in order within each source."""
    import pandas as pd

    frames = {
        "codes": pd.DataFrame(st.rows["codes"], columns=CODE_COLUMNS),
        "sources": pd.DataFrame(st.rows["sources"], columns=SOURCE_COLUMNS),
        "memos": pd.DataFrame(st.rows["memos"], columns=MEMO_COLUMNS),
        "cases": pd.DataFrame(st.rows["cases"], columns=CASE_COLUMNS),
    }
    segments = pd.DataFrame(st.rows["segments"], columns=SEGMENT_COLUMNS[1:])
    segments = segments.sort_values(["source_id", "start", "end", "code_id", "coder"],
                                    kind="stable").reset_index(drop=True)
    numbers = segments.groupby("source_id", sort=False).cumcount() + 1
    segments.insert(0, "segment_id", segments["source_id"] + "-" +
                    numbers.astype(str).str.zfill(4))
    return RefiProject(codes=frames["codes"], sources=frames["sources"],
                       segments=segments, memos=frames["memos"], cases=frames["cases"],
                       report=pd.DataFrame(st.report, columns=REPORT_COLUMNS),
                       texts=st.texts)


# --------------------------------------------------------------------------- users

def _read_users(st: _State, el) -> None:
    for user in kids(el, "User"):
        g = _guid(user.get("guid"))
        st.users[g] = user.get("name") or user.get("id") or g


def _coder(st: _State, *user_guids) -> str:
    """The name of the first user given (a GUID not among the users stands for itself)."""
    for g in user_guids:
        if g:
            return st.users.get(_guid(g), _guid(g))
    return "unknown"


# --------------------------------------------------------------------------- codebook

def _codebook_lookup(book):
    """Code id by our stable GUID, the set of code ids, and code id by casefolded label."""
    from .writer import stable_guid

    by_guid, by_id, by_label = {}, set(), {}
    for code_id, label in zip(book["code_id"], book["label"]):
        by_guid[stable_guid("code", code_id)] = code_id
        by_id.add(code_id)
        by_label.setdefault(str(label).strip().casefold(), code_id)
    return by_guid, by_id, by_label


def _code_colour(st: _State, code, name: str) -> str:
    """The code's colour as ``#RRGGBB``; one not understood is a report row and ``""``."""
    colour = (code.get("color") or "").strip()
    m = _COLOUR.fullmatch(colour)
    if m:
        hexes = m.group(1).upper()
        colour = "#" + ("".join(ch * 2 for ch in hexes) if len(hexes) == 3 else hexes)
    elif colour:
        st.warn(name, "colour not understood", colour)
        colour = ""
    return colour


def _read_codebook(st: _State, el) -> None:
    """Codes, depth first: by GUID, id or label to the codebook's id, else a slug of the name."""
    book = st.codebook
    by_guid, by_id, by_label = {}, set(), {}
    if book is not None:
        by_guid, by_id, by_label = _codebook_lookup(book)
    else:
        st.info("codebook", "no codebook", "code names were not matched to code ids")
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
            st.warn(name, "duplicate code", f"a second code maps to {match!r}; "
                                            f"kept apart under its own id")
            match = None
        code_id = _unique(match or slug(name, lower=True) or "code", taken)
        if match is None and book is not None:
            st.info(name, "code not in codebook", f"imported as {code_id!r}")
        colour = _code_colour(st, code, name)
        if g:
            st.code_ids[g] = code_id
        else:
            st.warn(name, "code without guid", "its codings cannot be found")
        st.rows["codes"].append((
            code_id, g, name, st.code_ids.get(parent_guid, ""), colour,
            normalise_newlines(inner_text(kid(code, "Description"))).strip(),
            (code.get("isCodable") or "true").strip().lower() in {"true", "1"},
            match is not None))
        stack.extend((c, g) for c in reversed(kids(code, "Code")))


# --------------------------------------------------------------------------- variables and cases

def _read_variables(st: _State, el) -> None:
    for var in kids(el, "Variable"):
        st.variables[_guid(var.get("guid"))] = var.get("name") or _guid(var.get("guid"))


def _variable_values(st: _State, el) -> list[tuple[str, str]]:
    """(variable name, value) of each VariableValue of a source or case."""
    pairs = []
    for vv in kids(el, "VariableValue"):
        ref = _guid(kid(vv, "VariableRef").get("targetGUID")) \
            if kid(vv, "VariableRef") is not None else ""
        value = next((inner_text(c) for c in vv if local_name(c.tag) in _VALUE_TAGS), "")
        pairs.append((st.variables.get(ref, ref), value.strip()))
    return pairs


def _read_cases(st: _State, el) -> None:
    """Case variables, one row per value, with the sources each case links to."""
    for case in kids(el, "Case"):
        name = case.get("name") or _guid(case.get("guid"))
        linked = "|".join(sorted(st.source_ids.get(_guid(r.get("targetGUID")),
                                                    _guid(r.get("targetGUID")))
                                 for r in kids(case, "SourceRef")))
        pairs = _variable_values(st, case)
        for variable, value in pairs:
            st.rows["cases"].append((name, variable, value, linked))
        if pairs:
            st.info(name, "case variable", f"{len(pairs)} value(s) in cases.csv")
        for ref_kind in ("CodeRef", "SelectionRef"):
            if kids(case, ref_kind):
                st.info(name, f"case {ref_kind} not carried over",
                        f"{len(kids(case, ref_kind))} reference(s)")


# --------------------------------------------------------------------------- source texts

def _load_text(st: _State, el, item) -> tuple[str | None, bool, str]:
    """(raw text without BOM, had BOM, path in archive) of a TextSourceType element."""
    content = kid(el, "PlainTextContent")
    raw, bom, where = None, False, ""
    plain, rich = el.get("plainTextPath"), el.get("richTextPath")
    if content is not None:
        raw = inner_text(content)
    elif plain:
        got = _fetch(st, plain, item)
        if got is not None:
            where, data = got
            try:
                decoded = decode_text(data, f"{st.c.path}!{where}")
                raw, bom = decoded.text, decoded.bom
            except DataError as exc:
                st.warn(item, "unreadable source file", exc.reason)
    if (raw is None or not raw.strip()) and rich and rich.casefold().endswith(".docx"):
        got = _fetch(st, rich, item)
        if got is not None:
            text = _docx_text(st, got[1], got[0], item)
            if text is not None:
                if raw is not None or plain:
                    st.info(item, "text taken from .docx", "the plain text was empty "
                            "or missing")
                raw, bom, where = text, False, got[0]
    if raw is None and not (plain or rich) and content is None:
        st.warn(item, "source without text", "no PlainTextContent, plainTextPath or "
                                             "richTextPath")
    return raw, bom, where


def _fetch(st: _State, ref: str, item) -> tuple[str, bytes] | None:
    # "internal://x.txt" by the spec; "internal:/x.txt" and a bare "x.txt" occur too.
    m = re.fullmatch(r"([A-Za-z]{2,}):/*(.*)", ref.strip())
    if m is None:
        st.info(item, "path without internal:// scheme", ref)
    elif m.group(1).casefold() != "internal":
        st.warn(item, "missing source file", f"external file {ref} is not read")
        return None
    name = (m.group(2) if m else ref.strip()).lstrip("/")
    if safe_name(name) is None:
        st.warn(item, "missing source file", f"unsafe path {ref}")
        return None
    got = st.c.source_file(name)
    if got is None:
        st.warn(item, "missing source file", f"{ref} is not in the sources folder")
    return got


def _docx_text(st: _State, data: bytes, where: str, item) -> str | None:
    import docx

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        st.warn(item, "unreadable .docx", f"{where} is not a zip archive")
        return None
    with archive:
        check_zip(archive, st.c.path, f"{where}!")  # a bomb inside is still a bomb
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types; all mean "unreadable"
        st.warn(item, "unreadable .docx", f"{where}: {type(exc).__name__}")
        return None
    return "\n".join(p.text for p in document.paragraphs)


# --------------------------------------------------------------------------- sources

def _read_sources(st: _State, el) -> None:
    from ..progress import progress

    for src in progress(list(el), desc="REFI-QDA sources"):
        tag = local_name(src.tag)
        kind = _SOURCE_KINDS.get(tag)
        g = _guid(src.get("guid"))
        name = src.get("name") or g
        if kind is None:
            st.warn(name, "element not carried over", f"unknown source type <{tag}>")
            continue
        source_id = _unique(slug(name, lower=False) or "source", st.taken_sources)
        st.source_ids[g] = source_id
        text_el = src if kind == "text" else kid(src, "Representation")
        for child in src:
            what = _MEDIA_SELECTIONS.get(local_name(child.tag))
            if what:
                st.warn(child.get("guid") or name, what, f"in {source_id}")
        for case_var, value in _variable_values(st, src):
            st.rows["cases"].append((source_id, case_var, value, source_id))
            st.info(source_id, "source variable", f"{case_var} kept in cases.csv")
        row = _text_source(st, src, text_el, source_id, g, name, kind)
        st.rows["sources"].append(row)


def _text_source(st: _State, src, text_el, source_id, g, name, kind) -> tuple:
    """A source's row of sources.csv; its text, selections and codings read on the way."""
    raw, bom, where = (None, False, "")
    if text_el is not None:
        raw, bom, where = _load_text(st, text_el, source_id)
    selections = kids(text_el, "PlainTextSelection")
    if raw is None:
        if selections:
            st.warn(source_id, "selections on a source without text",
                    f"{len(selections)} selection(s) not carried over")
        for coding in kids(src, "Coding"):
            st.warn(coding.get("guid") or source_id, "coding of a source without text")
        return (source_id, g, name, kind, "", "", "", "", where)
    text = normalise_newlines(raw)
    st.texts[source_id] = text
    found = _selections(st, selections, source_id)
    reading = read_offsets(raw, found["starts"], found["ends"], bom=bom)
    if reading.unit not in {"codepoint", "codepoint+crlf"}:
        st.info(source_id, "offsets converted",
                f"read as {reading.unit} (score {reading.score:.4f}), stored as code "
                f"points of the normalised text")
    _selection_codings(st, found, reading, source_id, text)
    _source_codings(st, src, source_id, text)
    score = "" if np.isnan(reading.score) else f"{reading.score:.4f}"
    return (source_id, g, name, kind, reading.unit, score, len(text), sha256_text(text),
            where)


# --------------------------------------------------------------------------- selections and codings

def _selections(st: _State, selections, source_id) -> dict[str, list]:
    """The selections with integer positions in range: their guid, positions as stored,
    user, codings (guid, CodeRef, user) and Description, as parallel lists."""
    found = {k: [] for k in ("guids", "starts", "ends", "users", "codings", "descriptions")}
    for sel in selections:
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            st.warn(sel.get("guid") or source_id, "selection without integer positions",
                    f"in {source_id}")
            continue
        if max(abs(start), abs(end)) > ENTRY_LIMIT:  # beyond any text; would overflow int64
            st.warn(sel.get("guid") or source_id, "selection out of range",
                    f"[{start}, {end}) in {source_id}")
            continue
        found["guids"].append(_guid(sel.get("guid")))
        found["starts"].append(start)
        found["ends"].append(end)
        found["users"].append(sel.get("creatingUser"))
        found["codings"].append([(c.get("guid"), kid(c, "CodeRef"), c.get("creatingUser"))
                                 for c in sel if local_name(c.tag) == "Coding"])
        found["descriptions"].append(kid(sel, "Description"))
    return found


def _selection_codings(st: _State, found, reading, source_id, text) -> None:
    """One segment per coding of each selection that landed in the text."""
    seg_rows = st.rows["segments"]
    for k, sel_guid in enumerate(found["guids"]):
        s, e = int(reading.start[k]), int(reading.end[k])
        if not reading.valid[k]:
            st.warn(sel_guid, "selection out of range",
                    f"[{found['starts'][k]}, {found['ends'][k]}) in {source_id} read as "
                    f"{reading.unit}")
            continue
        st.selection_at[sel_guid] = (source_id, s, e)
        if not found["codings"][k] and found["descriptions"][k] is None:
            st.info(sel_guid, "selection without coding", f"in {source_id}")
        for coding_guid, ref, user in found["codings"][k]:
            code_id = st.code_ids.get(_guid(ref.get("targetGUID"))) \
                if ref is not None else None
            if code_id is None:
                st.warn(coding_guid or sel_guid, "coding of an unknown code",
                        f"in {source_id}")
                continue
            if coding_guid:  # a memo may hang on the coding: its code and place
                st.coding_code[_guid(coding_guid)] = code_id
                st.selection_at[_guid(coding_guid)] = (source_id, s, e)
            seg_rows.append((source_id, code_id, s, e, _coder(st, user, found["users"][k]),
                             text[s:e]))


def _source_codings(st: _State, src, source_id, text) -> None:
    """Codings of a whole source: a segment spanning all of its text."""
    for coding in kids(src, "Coding"):
        ref = kid(coding, "CodeRef")
        code_id = st.code_ids.get(_guid(ref.get("targetGUID"))) if ref is not None else None
        if code_id is None:
            st.warn(coding.get("guid") or source_id, "coding of an unknown code",
                    f"in {source_id}")
            continue
        st.rows["segments"].append((source_id, code_id, 0, len(text),
                                    _coder(st, coding.get("creatingUser"),
                                           src.get("creatingUser")),
                                    text))
        if coding.get("guid"):
            st.coding_code[_guid(coding.get("guid"))] = code_id
            st.selection_at[_guid(coding.get("guid"))] = (source_id, 0, len(text))
        st.info(coding.get("guid") or source_id, "whole-source coding",
                f"kept as a segment spanning all of {source_id}")


# --------------------------------------------------------------------------- notes and memos

def _read_notes(st: _State, el) -> None:
    for note in kids(el, "Note"):
        g = _guid(note.get("guid"))
        raw, _, _ = _load_text(st, note, note.get("name") or g)
        st.notes[g] = normalise_newlines(raw or "").strip()
        user = note.get("creatingUser") or note.get("modifyingUser")
        st.note_meta[g] = (_coder(st, user) if user else "",
                           (note.get("creationDateTime") or note.get("modifiedDateTime")
                            or "").strip(),
                           (note.get("name") or "").strip())
        if kids(note, "PlainTextSelection"):
            st.info(g, "memo selections not carried over",
                    f"{len(kids(note, 'PlainTextSelection'))} selection(s) in a note")


def _memo(st: _State, memo_id, target, text) -> None:
    """A row of memos.csv: the target's kind, and its source and place when it has them."""
    if st.kinds is None:
        st.kinds = {_guid(el.get("guid")): local_name(el.tag)
                    for el in st.root.iter() if el.get("guid")}
    kind = st.kinds.get(target, "Project") if target else "Project"
    source_id, start, end = st.selection_at.get(target, ("", "", ""))
    if not source_id and kind in _SOURCE_KINDS:
        source_id = st.source_ids.get(target, "")
    code_id = (st.code_ids.get(target, "") if kind == "Code"
               else st.coding_code.get(target, "") if kind == "Coding" else "")
    author, date, title = st.note_meta.get(memo_id, ("", "", ""))
    st.rows["memos"].append((memo_id, target, kind, source_id, start, end, text, code_id,
                             author, date, title))


def _read_links(st: _State, el) -> None:
    for link in kids(el, "Link"):
        origin, target = _guid(link.get("originGUID")), _guid(link.get("targetGUID"))
        if origin in st.notes and target not in st.notes:
            _memo(st, origin, target, st.notes[origin])
            st.linked_notes.add(origin)
        elif target in st.notes and origin not in st.notes:
            _memo(st, target, origin, st.notes[target])
            st.linked_notes.add(target)
        else:
            st.info(link.get("guid") or "link", "link not carried over",
                    f"{origin} -> {target}")


def _read_memos(st: _State, root) -> None:
    """NoteRefs and Descriptions anywhere, then notes nothing points to (journals)."""
    referenced = set(st.linked_notes)
    for parent in root.iter():
        owner = _guid(parent.get("guid"))
        for child in parent:
            name = local_name(child.tag)
            if name == "NoteRef":
                note = _guid(child.get("targetGUID"))
                if note in st.notes:
                    referenced.add(note)
                    _memo(st, note, owner, st.notes[note])
                else:
                    st.warn(note, "missing memo", f"NoteRef from {owner or 'project'}")
            elif name == "Description" and local_name(parent.tag) not in {"Code", "Variable"}:
                text = normalise_newlines(inner_text(child)).strip()
                if text:
                    _memo(st, f"{owner or 'project'}:description", owner, text)
    for note, text in st.notes.items():
        if note not in referenced:
            _memo(st, note, "", text)
    if st.rows["memos"]:
        st.info("memos", "memo", f"{len(st.rows['memos'])} memo(s) in memos.csv")


# --------------------------------------------------------------------------- reading

#: The top-level elements read, in dependency order: sources need users and codes,
#: memos need sources.
_READERS = {"Users": _read_users, "CodeBook": _read_codebook, "Variables": _read_variables,
            "Sources": _read_sources, "Notes": _read_notes, "Cases": _read_cases}


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


def read_qde(container: Container, codebook=None) -> RefiProject:
    """Read the project document of an opened container into tidy tables.

    Parameters
    ----------
    container : Container
        Opened (:meth:`Container.open`): its ``qde`` bytes and source files.
    codebook : pandas.DataFrame or Codebook, optional
        ``code_id`` and ``label``: REFI codes whose GUID, name or label match take that
        id. By default the project's codebook, when it can be loaded.

    Returns
    -------
    RefiProject

    Raises
    ------
    DataError
        When the document is not well-formed XML, declares a DTD, or is not a Project.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> qde = pathlib.Path(tempfile.mkdtemp()) / "tiny.qde"
    >>> _ = qde.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="t"><Sources>'
    ...     '<TextSource guid="00000000-0000-0000-0000-000000000002" name="P 01">'
    ...     '<PlainTextContent>Cuts.</PlainTextContent></TextSource></Sources><Graphs/>'
    ...     '</Project>')
    >>> container = Container(qde); container.open()
    >>> project = read_qde(container, codebook=None)
    >>> project.sources[["source_id", "name", "n_chars"]].values.tolist()
    [['P_01', 'P 01', 5]]
    >>> project.report[["level", "item", "what"]].values.tolist()
    [['info', 'Graphs', 'graphs not carried over']]
    """
    st = _State(container, _codebook_frame(codebook))
    st.root = _project_root(st)
    for name, read in _READERS.items():
        for el in kids(st.root, name):
            read(st, el)
    _read_other(st)
    # Memos need a pass over every element; a project without NoteRef or Description
    # (most large ones) can skip it.
    if st.notes or b"NoteRef" in container.qde or b"Description" in container.qde:
        _read_memos(st, st.root)
    return _tables(st)
