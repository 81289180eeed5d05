"""Read QualCoder projects natively: a ``NAME.qda/`` folder or its SQLite ``data.qda``.

QualCoder keeps a project in one SQLite database (``data.qda``, tables ``source``,
``code_cat``, ``code_name``, ``code_text``, ``code_image``, ``code_av``, ``cases``,
``case_text``, ``attribute``, ``attribute_type``, ``annotation``, ``journal``,
``project``). Its REFI-QDA export is marked experimental, so this module reads the
database itself and hands the REFI importer the same project as a REFI-QDA tree: the
tables, offsets check and import report are then exactly those of
:func:`analysis.refi.read_project`, by construction.

* categories (``code_cat``, nested by ``supercatid``) become non-codable parent codes,
  codes (``code_name``) nest under their category, with colour and memo as description;
* each text coding (``code_text``) is a selection coded by its ``owner``; QualCoder's
  positions are Python string indices into ``source.fulltext``, and the importer still
  confirms the unit against the text (:func:`analysis.refi.read_offsets`); a
  stored ``seltext`` that differs from the text at those positions is a report warning;
* case and file attributes become case variables, ``case_text`` links cases to sources;
* source, case, code, category and coding memos, annotations and journals become REFI
  ``<Note>``s with their owner and date (a ``<NoteRef>`` on what they are about), the
  project memo the project's description: all reach ``memos`` with author and date. A
  code's or category's memo is also its definition (its ``<Description>``), as
  QualCoder's own REFI-QDA export writes it;
* image (``code_image``) and audio/video (``code_av``) codings are report rows, never
  imported and never dropped silently.

The database is opened read-only and immutable (``file:...?mode=ro&immutable=1``), so
SQLite writes no journal, ``-wal`` or ``-shm`` file beside the researcher's project; a
non-empty ``-wal`` or ``-journal`` beside it (QualCoder still open) is refused rather
than read stale. Schema versions ``v1`` to ``v14`` (QualCoder 1.x to 3.x) are read;
anything else is one :class:`~analysis.errors.DataError`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import DataError
from ..schema import REPORT_COLUMNS
from .container import Container
from .qde import RefiProject, read_qde

__all__ = ["KNOWN_VERSIONS", "is_qualcoder", "read_qualcoder"]

#: ``project.databaseversion`` values this reader knows (QualCoder's ``new_project``
#: documents v2 to v14 as additions of columns and tables to v1).
KNOWN_VERSIONS = tuple(f"v{n}" for n in range(1, 15))
SQLITE_MAGIC = b"SQLite format 3\x00"
_NS = "urn:QDA-XML:project:1.0"
#: Columns read from each table; every version from v1 has them.
_NEEDED = {"project": {"databaseversion", "memo"},
           "source": {"id", "name", "fulltext", "mediapath", "memo"},
           "code_name": {"cid", "name", "memo", "catid", "color"},
           "code_text": {"cid", "fid", "seltext", "pos0", "pos1", "owner", "memo"}}
# Characters XML 1.0 cannot hold (names and memos only: texts travel as bytes).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_qualcoder(path: os.PathLike | str) -> bool:
    """True for a folder holding ``data.qda`` or a file that is an SQLite database.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "study.qda"
    >>> folder.mkdir(); _ = (folder / "data.qda").write_bytes(SQLITE_MAGIC)
    >>> is_qualcoder(folder), is_qualcoder(folder / "data.qda"), is_qualcoder("x.qdpx")
    (True, True, False)
    """
    path = Path(path)
    if path.is_dir():
        return (path / "data.qda").is_file()
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _guid(kind: str, key) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qualcoder:{kind}:{key}"))


def _clean(value) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def _when(value) -> str:
    """QualCoder's ``2024-01-05 10:20:30`` as an ISO date-time (``T`` between)."""
    return _clean(value).strip().replace(" ", "T", 1)


def _database(path: Path) -> Path:
    if path.is_dir():
        db = path / "data.qda"
        if not db.is_file():
            raise DataError(path, None, "not a QualCoder project: the folder holds no data.qda")
        return db
    if not path.is_file():
        raise DataError(path, None, "file not found")
    return path


def _connect(db: Path) -> sqlite3.Connection:
    with open(db, "rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise DataError(db, None, "not a QualCoder project: not an SQLite database")
    for suffix in ("-wal", "-journal"):
        side = db.with_name(db.name + suffix)
        if side.is_file() and side.stat().st_size > 0:
            raise DataError(db, None, f"refused: {side.name} beside it holds changes not yet "
                                      f"in the database (QualCoder still open, or closed "
                                      f"uncleanly); close the project in QualCoder first")
    # immutable=1: no locks, no journal, no -wal/-shm: nothing is written beside the file.
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        con.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        con.close()
        raise DataError(db, None, f"not a QualCoder project: a damaged SQLite database "
                                  f"({exc})") from None
    return con


class _Database:
    """The tables of one QualCoder database, checked for the schema this reader knows."""

    def __init__(self, con: sqlite3.Connection, db: Path):
        self.con, self.db = con, db
        self.tables = {name: {row[1] for row in con.execute(f"pragma table_info('{name}')")}
                       for (name,) in con.execute("select name from sqlite_master "
                                                  "where type='table'")}
        missing = [t for t in _NEEDED if t not in self.tables]
        if missing:
            raise DataError(db, None, f"not a QualCoder project: no table "
                                      f"{', '.join(missing)}")
        row = con.execute("select databaseversion from project").fetchone()
        self.version = str(row[0]).strip() if row and row[0] is not None else ""
        if self.version not in KNOWN_VERSIONS:
            raise DataError(db, None, f"unknown QualCoder schema version "
                                      f"{self.version or '(none)'!r}; this reader knows "
                                      f"{KNOWN_VERSIONS[0]} to {KNOWN_VERSIONS[-1]}")
        for table, columns in _NEEDED.items():
            lacking = sorted(columns - self.tables[table])
            if lacking:
                raise DataError(db, None, f"schema {self.version}: table {table} lacks "
                                          f"column(s) {', '.join(lacking)}")

    def rows(self, table: str, columns: str, order: str = "rowid"):
        """Rows of a table as dicts; none when an older schema lacks the table."""
        if table not in self.tables:
            return []
        wanted = [c.strip() for c in columns.split(",")]
        have = [c if c in self.tables[table] or c == "rowid" else f"null as {c}"
                for c in wanted]
        cursor = self.con.execute(f"select {', '.join(have)} from {table} order by {order}")
        return [dict(zip(wanted, r)) for r in cursor]


def _media_kind(mediapath) -> str:
    """QualCoder's mediapath: '/images/..' or 'images:..' for a picture, and so on."""
    head = re.match(r"/?(images|audio|video|docs)\b", mediapath or "")
    kind = {"images": "picture", "audio": "audio", "video": "video"}.get(
        head.group(1) if head else "", "text")
    if kind == "text" and (mediapath or "").lower().endswith(".pdf"):
        kind = "pdf"
    return kind


class _Translator:
    """Builds the REFI-QDA tree of a QualCoder database, with report rows of its own."""

    def __init__(self, data: _Database):
        self.d = data
        self.report: list[tuple] = []
        self.files: dict[str, bytes] = {}
        self.users: dict[str, str] = {}
        self.notes: list[tuple] = []  # (guid, title, text, owner, date) of each memo

    def note(self, parent, E, kind, key, title, text, owner, date) -> None:
        """A memo: a ``<Note>`` (written under ``<Notes>``) and a ``<NoteRef>`` on ``parent``."""
        g = _guid(f"{kind} memo", key)
        self.notes.append((g, title, _clean(text), owner, date))
        E(parent, "NoteRef", targetGUID=g)

    def warn(self, item, what, detail=""):
        self.report.append(("warning", str(item), what, detail))

    def user(self, owner) -> str | None:
        if owner is None or not str(owner).strip():
            return None
        name = _clean(owner).strip()
        return self.users.setdefault(name, _guid("user", name))

    def tree(self) -> ET.Element:
        d = self.d
        root = ET.Element(f"{{{_NS}}}Project", name=_clean(d.db.parent.name or d.db.name))
        E = lambda parent, tag, **attrs: ET.SubElement(parent, f"{{{_NS}}}{tag}", attrs)
        users = E(root, "Users")
        codebook = E(E(root, "CodeBook"), "Codes")
        self.codes(codebook, E)
        self.code_names = {r["cid"]: _clean(r["name"])
                           for r in d.rows("code_name", "cid, name")}
        variables = E(root, "Variables")
        var_guid = {}
        for r in d.rows("attribute_type", "name, caseOrFile, valuetype"):
            g = _guid("variable", f"{r['caseOrFile']}:{r['name']}")
            var_guid[(str(r["caseOrFile"]), r["name"])] = g
            E(variables, "Variable", guid=g, name=_clean(r["name"]), typeOfVariable="Text")
        attributes = {}
        for r in d.rows("attribute", "name, attr_type, value, id"):
            key = (str(r["attr_type"]), r["name"])
            if key not in var_guid:
                var_guid[key] = _guid("variable", f"{key[0]}:{key[1]}")
                E(variables, "Variable", guid=var_guid[key], name=_clean(r["name"]),
                  typeOfVariable="Text")
            attributes.setdefault((key[0], r["id"]), []).append(
                (var_guid[key], _clean(r["value"])))

        def values(parent, kind, ident):
            for g, value in attributes.get((kind, ident), []):
                vv = E(parent, "VariableValue")
                E(vv, "VariableRef", targetGUID=g)
                E(vv, "TextValue").text = value

        sources = E(root, "Sources")
        self.source_names = {}
        codings = {}
        for r in d.rows("code_text", "rowid, cid, fid, seltext, pos0, pos1, owner, memo, date"):
            codings.setdefault(r["fid"], []).append(r)
        notes_on = {}
        for r in d.rows("annotation", "anid, fid, pos0, pos1, memo, owner, date"):
            notes_on.setdefault(r["fid"], []).append(r)
        tags = {"text": "TextSource", "pdf": "PDFSource", "picture": "PictureSource",
                "audio": "AudioSource", "video": "VideoSource"}
        for r in d.rows("source", "id, name, fulltext, mediapath, memo, owner, date", "id"):
            name = _clean(r["name"]) or f"source {r['id']}"
            self.source_names[r["id"]] = name
            kind = _media_kind(r["mediapath"])
            if kind in {"text", "pdf"} and r["fulltext"] is None:
                kind = "text"
            src = E(sources, tags[kind], guid=_guid("source", r["id"]), name=name)
            if self.user(r["owner"]):
                src.set("creatingUser", self.user(r["owner"]))
            if r["memo"]:
                self.note(src, E, "source", r["id"], name, r["memo"], r["owner"], r["date"])
            values(src, "file", r["id"])
            if kind in {"picture", "audio", "video"} or r["fulltext"] is None:
                for c in codings.pop(r["id"], []):
                    self.warn(f"code_text {c['rowid']}", "coding of a source without text",
                              f"in {name}")
                continue
            text_el = src if kind == "text" else E(src, "Representation",
                                                    guid=_guid("representation", r["id"]))
            ref = f"source-{r['id']}.txt"
            self.files[ref] = str(r["fulltext"]).encode("utf-8", "surrogatepass")
            text_el.set("plainTextPath", f"internal://{ref}")
            self.selections(text_el, r, codings.pop(r["id"], []),
                            notes_on.pop(r["id"], []), E)
        for fid, rows in sorted(codings.items(), key=lambda kv: str(kv[0])):
            for c in rows:
                self.warn(f"code_text {c['rowid']}", "coding of a missing source",
                          f"source id {fid} is not in the project")
        self.media()

        cases = E(root, "Cases")
        linked = {}
        for r in d.rows("case_text", "caseid, fid"):
            linked.setdefault(r["caseid"], set()).add(r["fid"])
        for r in d.rows("cases", "caseid, name, memo, owner, date"):
            case = E(cases, "Case", guid=_guid("case", r["caseid"]),
                     name=_clean(r["name"]) or f"case {r['caseid']}")
            if r["memo"]:
                self.note(case, E, "case", r["caseid"], case.get("name"), r["memo"],
                          r["owner"], r["date"])
            values(case, "case", r["caseid"])
            for fid in sorted(linked.get(r["caseid"], ()), key=str):
                if fid in self.source_names:
                    E(case, "SourceRef", targetGUID=_guid("source", fid))

        notes = E(root, "Notes")
        for r in d.rows("journal", "jid, name, jentry, owner, date"):
            self.notes.append((_guid("journal", r["jid"]),
                               _clean(r["name"]) or f"journal {r['jid']}", _clean(r["jentry"]),
                               r["owner"], r["date"]))
        for g, title, text, owner, date in self.notes:
            note = E(notes, "Note", guid=g, name=title)
            if self.user(owner):
                note.set("creatingUser", self.user(owner))
            if date:
                note.set("creationDateTime", _when(date))
            E(note, "PlainTextContent").text = text
        memo = d.con.execute("select memo from project").fetchone()
        if memo and memo[0]:
            E(root, "Description").text = _clean(memo[0])
        for name, g in sorted(self.users.items()):
            E(users, "User", guid=g, name=name)
        return root

    def codes(self, parent, E):
        d = self.d
        cats = {r["catid"]: r for r in d.rows("code_cat",
                                              "catid, name, memo, supercatid, owner, date")}
        kids, codes_in = {}, {}
        for catid, r in cats.items():
            sup = r["supercatid"] if r["supercatid"] in cats and r["supercatid"] != catid else None
            kids.setdefault(sup, []).append(catid)
        for r in d.rows("code_name", "cid, name, memo, catid, color, owner, date"):
            codes_in.setdefault(r["catid"] if r["catid"] in cats else None, []).append(r)
        placed = set()

        def add(el, catid):
            for r in codes_in.get(catid, []):
                code = E(el, "Code", guid=_guid("code", r["cid"]), name=_clean(r["name"]),
                         isCodable="true")
                if r["color"]:
                    code.set("color", _clean(r["color"]))
                if r["memo"]:
                    E(code, "Description").text = _clean(r["memo"])
                    self.note(code, E, "code", r["cid"], code.get("name"), r["memo"],
                              r["owner"], r["date"])
            for sub in kids.get(catid, []):
                if sub not in placed:
                    category(el, sub)

        def category(el, catid):
            placed.add(catid)
            r = cats[catid]
            cat = E(el, "Code", guid=_guid("category", catid), name=_clean(r["name"]),
                    isCodable="false")
            if r["memo"]:
                E(cat, "Description").text = _clean(r["memo"])
                self.note(cat, E, "category", catid, cat.get("name"), r["memo"],
                          r["owner"], r["date"])
            add(cat, catid)

        add(parent, None)
        for catid in sorted(set(cats) - placed, key=str):  # a loop of supercatids
            if catid not in placed:
                self.warn(_clean(cats[catid]["name"]), "category in a loop",
                          "its supercatid chain never reaches the top; placed at the top")
                category(parent, catid)

    def selections(self, text_el, source, codings, annotations, E):
        text, name = str(source["fulltext"]), self.source_names[source["id"]]
        for c in codings:
            try:
                start, end = int(c["pos0"]), int(c["pos1"])
            except (TypeError, ValueError):
                self.warn(f"code_text {c['rowid']}", "coding without integer positions",
                          f"in {name}")
                continue
            if c["seltext"] is not None and 0 <= start <= end <= len(text) \
                    and text[start:end] != c["seltext"]:
                self.warn(f"code_text {c['rowid']}", "coded text differs from the source",
                          f"[{start}, {end}) in {name}: the stored seltext is not the text "
                          f"at those positions; the source text was kept")
            sel = E(text_el, "PlainTextSelection", guid=_guid("code_text", c["rowid"]),
                    startPosition=str(start), endPosition=str(end))
            owner = self.user(c["owner"])
            coding = E(sel, "Coding", guid=_guid("coding", c["rowid"]))
            if owner:
                sel.set("creatingUser", owner)
                coding.set("creatingUser", owner)
            E(coding, "CodeRef", targetGUID=_guid("code", c["cid"]))
            if c["memo"]:
                self.note(coding, E, "coding", c["rowid"], name, c["memo"], c["owner"],
                          c["date"])
        for a in annotations:
            if not a["memo"]:
                continue
            sel = E(text_el, "PlainTextSelection", guid=_guid("annotation", a["anid"]),
                    startPosition=str(a["pos0"]), endPosition=str(a["pos1"]))
            self.note(sel, E, "annotation", a["anid"], name, a["memo"], a["owner"], a["date"])

    def media(self):
        kinds = {r["id"]: _media_kind(r["mediapath"])
                 for r in self.d.rows("source", "id, mediapath", "id")}
        for table, key, what in (("code_image", "imid", "picture"), ("code_av", "avid", None)):
            for r in self.d.rows(table, f"{key}, id, cid, owner", key):
                kind = what or (kinds.get(r["id"]) if kinds.get(r["id"]) in {"audio", "video"}
                                else "audio/video")
                self.warn(f"{table} {r[key]}", f"{kind} selection not carried over",
                          f"code {self.code_names.get(r['cid'], r['cid'])!r} by "
                          f"{_clean(r['owner']) or 'unknown'} in "
                          f"{self.source_names.get(r['id'], r['id'])}")


class _Memory(Container):
    """The translated project: its XML and source texts held in memory."""

    def __init__(self, path: Path, qde: bytes, files: dict[str, bytes]):
        super().__init__(path)
        self.qde, self.qde_name, self.mem = qde, path.name, files

    def source_file(self, ref: str):
        data = self.mem.get(ref)
        return None if data is None else (f"data.qda#{ref}", data)


def read_qualcoder(path: os.PathLike | str, codebook=None) -> RefiProject:
    """Read a QualCoder project (``NAME.qda`` folder or ``data.qda``) into tidy tables.

    Parameters
    ----------
    path : path-like
        The project folder, or the SQLite database in it.
    codebook : pandas.DataFrame, optional
        ``code_id`` and ``label``, matched to code names as the REFI importer does.

    Returns
    -------
    RefiProject
        The same tables as :func:`analysis.refi.read_project`; the report's first
        row names the schema version read.

    Raises
    ------
    DataError
        When the file is not a QualCoder database or its schema version is unknown.

    Examples
    --------
    >>> import sqlite3, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "tiny.qda"; folder.mkdir()
    >>> con = sqlite3.connect(folder / "data.qda")
    >>> _ = con.executescript(
    ...     "create table project (databaseversion text, memo text);"
    ...     "insert into project values ('v14', '');"
    ...     "create table source (id integer primary key, name text, fulltext text,"
    ...     " mediapath text, memo text, owner text);"
    ...     "insert into source values (1, 'P01', 'No money left.', null, null, 'ann');"
    ...     "create table code_name (cid integer primary key, name text, memo text,"
    ...     " catid integer, color text);"
    ...     "insert into code_name values (1, 'Funding', '', null, '#AA0000');"
    ...     "create table code_text (ctid integer primary key, cid integer, fid integer,"
    ...     " seltext text, pos0 integer, pos1 integer, owner text, memo text);"
    ...     "insert into code_text values (1, 1, 1, 'money', 3, 8, 'ann', '');")
    >>> con.commit(); con.close()
    >>> project = read_qualcoder(folder, codebook=None)
    >>> project.segments[["source_id", "code_id", "start", "end", "coder", "text"]].values.tolist()
    [['P01', 'funding', 3, 8, 'ann', 'money']]
    """
    import pandas as pd

    db = _database(Path(path))
    con = _connect(db)
    try:
        data = _Database(con, db)
        translator = _Translator(data)
        root = translator.tree()
    except sqlite3.DatabaseError as exc:
        raise DataError(db, None, f"cannot read the QualCoder database ({exc})") from None
    finally:
        con.close()
    qde = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    project = read_qde(_Memory(db, qde, translator.files), codebook)
    head = [("info", db.name, "QualCoder project",
             f"schema {data.version} read from the SQLite database (read-only)")]
    project.report = pd.DataFrame(head + translator.report + list(
        project.report.itertuples(index=False, name=None)), columns=REPORT_COLUMNS)
    return project
