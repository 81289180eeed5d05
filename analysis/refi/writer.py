"""Export to REFI-QDA: a strict, deterministic ``.qdpx`` project and ``.qdc`` codebook.

What we write follows the letter of REFI-QDA 1.5, because other tools are less
forgiving than our importer (``docs/ARCHITECTURE.md``, "REFI-QDA as exporters write
it"):

* the archive holds ``project.qde`` (UTF-8, no BOM) and a lowercase, flat ``sources/``
  folder with one ``<guid>.txt`` (UTF-8, no BOM, LF) per text; paths are ``internal://``;
* every GUID is a UUID 5 of a stable id (``code:sst_external``, ``source:P01`` ...), and
  the zip has fixed dates, permissions and entry order, so two exports of the same data
  are byte-identical and a diff between exports means a change in the data;
* one ``PlainTextSelection`` per (source, span, coder), whose ``creatingUser`` is the
  coder of all its ``Coding`` elements: QualCoder's importer reads the coder from the
  selection alone, so a selection shared by two coders loses codings there;
* no creation dates are written, and the XML is validated against the packaged MIT
  schema (``analysis/resources/refi/Project.xsd``) before anything reaches the disk.

Offsets are this project's own: code points into the normalised text, which is also
what the spec (§10.2) asks for, with the end exclusive as every tool reads it.
"""

from __future__ import annotations

import io
import os
import re
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .. import paths
from ..errors import DataError
from ..io import atomic_write

__all__ = ["PROJECT_NS", "CODEBOOK_NS", "stable_guid", "project_xml", "export_project",
           "codebook_xml", "export_codebook", "validate_project_xml", "validate_codebook_xml"]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMAS = paths.RESOURCES / "refi"

#: The namespace of every GUID we mint; never change it, or exports stop matching.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:analysis:nhs-it-compendium:refi-qda")

_RGB = re.compile(r"#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
_INTEGER = re.compile(r"-?[0-9]+")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def stable_guid(kind: str, key: str) -> str:
    """The GUID of an object, the same on every export: ``uuid5(namespace, kind:key)``.

    >>> stable_guid("code", "sst_external") == stable_guid("code", "sst_external")
    True
    >>> len(stable_guid("source", "P01"))
    36
    """
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def _column(df, *names, default=""):
    """The first of ``names`` that ``df`` has, as a list of strings (``default`` if none)."""
    import pandas as pd

    for name in names:
        if name in df.columns:
            return ["" if pd.isna(v) else str(v) for v in df[name].tolist()]
    return [default] * len(df)


def _colour(value: str) -> str | None:
    m = _RGB.fullmatch(value.strip())
    return f"#{m.group(1).upper()}" if m else None


def _codes_tree(codes):
    """Code rows (code_id, name, parent_id, description, colour, codable) and children."""
    ids = _column(codes, "code_id")
    rows = list(zip(ids, _column(codes, "label", "name"), _column(codes, "parent_id"),
                    _column(codes, "description", "definition"),
                    _column(codes, "colour", "color"),
                    _column(codes, "is_codable", "codable", default="true")))
    known = set(ids)
    if len(known) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise DataError("codes", None, f"duplicate code_id(s): {', '.join(dup)}")
    children: dict[str, list] = {}
    for row in rows:
        parent = row[2] if row[2] in known else ""
        children.setdefault(parent, []).append(row)
    return children


def _append_codes(parent_el, children, element_factory, with_noteref=False):
    """Nest codes under ``parent_el`` in codebook order; iterative so depth cannot recurse."""
    stack = [(parent_el, row) for row in reversed(children.get("", []))]
    while stack:
        holder, (code_id, name, _, description, colour, codable) = stack.pop()
        el = element_factory(holder, "Code", guid=stable_guid("code", code_id),
                             name=name or code_id,
                             isCodable="false" if codable.lower() in {"false", "0", "no"}
                             else "true")
        rgb = _colour(colour)
        if rgb:
            el.set("color", rgb)
        if description:
            element_factory(el, "Description", description)
        stack.extend((el, row) for row in reversed(children.get(code_id, [])))


def _maker(ns):
    from lxml import etree

    def sub(parent, tag, text=None, **attrs):
        el = etree.SubElement(parent, f"{{{ns}}}{tag}")
        try:
            for key, value in attrs.items():
                el.set(key, value)
            if text is not None:
                el.text = text
        except ValueError as exc:  # e.g. control characters, which XML 1.0 cannot carry
            shown = text if text is not None else attrs
            raise DataError(tag, None, f"cannot be written as XML: {shown!r} ({exc})") from None
        return el
    return sub


def project_xml(*, codes, sources, texts: Mapping[str, str], segments, participants=None,
                project_name: str = "NHS IT strategy study",
                origin: str = "analysis (NHS IT strategy compendium)") -> bytes:
    """The ``project.qde`` document for a study, validated against the schema.

    Parameters
    ----------
    codes : pandas.DataFrame
        ``code_id``, ``parent_id`` and ``label`` (or ``name``); optional ``description``
        (or ``definition``), ``colour`` and ``is_codable``.
    sources : pandas.DataFrame
        ``source_id``; optional ``participant_id`` linking an interview to its case.
    texts : mapping
        ``source_id`` -> normalised text (the offsets of ``segments`` refer to it).
    segments : pandas.DataFrame
        ``segment_id, source_id, code_id, start, end, coder`` (and ``text``, checked).
    participants : pandas.DataFrame, optional
        ``participant_id`` and attributes; each becomes a Case with its Variables and a
        SourceRef to its interview.

    Returns
    -------
    bytes
        UTF-8 XML, no BOM.

    Examples
    --------
    >>> import pandas as pd
    >>> codes = pd.DataFrame({"code_id": ["th_funding"], "parent_id": [""],
    ...                       "label": ["Funding and incentives"]})
    >>> xml = project_xml(codes=codes, sources=pd.DataFrame({"source_id": ["P01"]}),
    ...                   texts={"P01": "No money."}, segments=pd.DataFrame(
    ...     {"segment_id": ["s1"], "source_id": ["P01"], "code_id": ["th_funding"],
    ...      "start": [3], "end": [8], "coder": ["ann"], "text": ["money"]}))
    >>> b'startPosition="3" endPosition="8"' in xml
    True
    """
    from lxml import etree

    sub = _maker(PROJECT_NS)
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    root.set("name", project_name)
    root.set("origin", origin)

    code_ids = set(_column(codes, "code_id"))
    source_ids = _column(sources, "source_id")
    seg = _checked_segments(segments, texts, code_ids, set(source_ids))

    coders = sorted({row[5] for row in seg})
    if coders:
        users = sub(root, "Users")
        for coder in coders:
            sub(users, "User", guid=stable_guid("user", coder), name=coder)

    if len(codes):
        _append_codes(sub(sub(root, "CodeBook"), "Codes"), _codes_tree(codes), sub)

    if participants is not None and len(participants):
        _append_cases(root, participants, sources, source_ids, sub)

    if source_ids:
        holder = sub(root, "Sources")
        by_source: dict[str, list] = {}
        for row in seg:
            by_source.setdefault(row[1], []).append(row)
        for source_id in sorted(source_ids):
            guid = stable_guid("source", source_id)
            el = sub(holder, "TextSource", guid=guid, name=source_id,
                     plainTextPath=f"internal://{guid}.txt")
            _append_selections(el, by_source.get(source_id, []), sub)

    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate_project_xml(data)
    return data


def _checked_segments(segments, texts, code_ids, source_ids):
    """Segments as sorted tuples, each checked against its text and the codebook."""
    rows = list(zip(_column(segments, "segment_id"), _column(segments, "source_id"),
                    _column(segments, "code_id"), _column(segments, "start"),
                    _column(segments, "end"), _column(segments, "coder", default="unknown"),
                    _column(segments, "text")))
    checked = []
    for i, (seg_id, source_id, code_id, start, end, coder, text) in enumerate(rows):
        where = ("segments", i + 2)  # the CSV line of row i
        if source_id not in source_ids or source_id not in texts:
            raise DataError(*where, f"segment {seg_id}: unknown source {source_id!r}")
        if code_id not in code_ids:
            raise DataError(*where, f"segment {seg_id}: code {code_id!r} is not in the codebook")
        if not (_INTEGER.fullmatch(start) and _INTEGER.fullmatch(end)):
            raise DataError(*where, f"segment {seg_id}: offsets must be integers")
        s, e = int(start), int(end)
        body = texts[source_id]
        if not 0 <= s <= e <= len(body):
            raise DataError(*where, f"segment {seg_id}: [{s}, {e}) is outside the text "
                                    f"({len(body)} characters)")
        if "text" in segments.columns and body[s:e] != text:
            raise DataError(*where, f"segment {seg_id}: its text differs from the source at "
                                    f"[{s}, {e})")
        checked.append((seg_id, source_id, code_id, s, e, coder or "unknown"))
    return sorted(checked, key=lambda r: (r[1], r[3], r[4], r[2], r[5], r[0]))


def _append_selections(source_el, rows, sub):
    """One PlainTextSelection per (span, coder), one Coding per code on it.

    The selection's ``creatingUser`` is its codings' coder. QualCoder's importer takes the
    coder of every coding from the selection, not from the Coding, and keeps one coding
    per (code, source, span, coder): a selection carrying two coders' codings would lose
    or misattribute codings there (``docs/ARCHITECTURE.md``, "REFI-QDA as exporters
    write it"). ``rows`` come sorted by span, code and coder.
    """
    selections: dict[tuple[int, int, str], list] = {}
    for row in sorted(rows, key=lambda r: (r[3], r[4], r[5], r[2])):
        selections.setdefault((row[3], row[4], row[5]), []).append(row)
    for (start, end, coder), codings in selections.items():
        source_id = codings[0][1]
        user = stable_guid("user", coder)
        sel = sub(source_el, "PlainTextSelection",
                  guid=stable_guid("selection", f"{source_id}:{start}:{end}:{coder}"),
                  startPosition=str(start), endPosition=str(end), creatingUser=user)
        seen = set()
        for _, _, code_id, _, _, _ in codings:
            if code_id in seen:  # the same code twice by one coder is one coding
                continue
            seen.add(code_id)
            key = f"{source_id}:{start}:{end}:{code_id}:{coder}"
            coding = sub(sel, "Coding", guid=stable_guid("coding", key), creatingUser=user)
            sub(coding, "CodeRef", targetGUID=stable_guid("code", code_id))


def _append_cases(root, participants, sources, source_ids, sub):
    """Variables (one per attribute column) and one Case per participant."""
    ids = _column(participants, "participant_id")
    attributes = [c for c in participants.columns if c != "participant_id"]
    values = {c: _column(participants, c) for c in attributes}
    integer = {c: any(values[c]) and all(_INTEGER.fullmatch(v) for v in values[c] if v)
               for c in attributes}
    if attributes:
        holder = sub(root, "Variables")
        for name in attributes:
            sub(holder, "Variable", guid=stable_guid("variable", name), name=name,
                typeOfVariable="Integer" if integer[name] else "Text")
    linked = dict(zip(source_ids, _column(sources, "participant_id", "source_id")))
    holder = sub(root, "Cases")
    for row, pid in sorted(enumerate(ids), key=lambda t: t[1]):
        case = sub(holder, "Case", guid=stable_guid("case", pid), name=pid)
        for name in attributes:
            value = values[name][row]
            if value == "":
                continue
            vv = sub(case, "VariableValue")
            sub(vv, "VariableRef", targetGUID=stable_guid("variable", name))
            sub(vv, "IntegerValue" if integer[name] else "TextValue", value)
        for source_id in sorted(s for s, p in linked.items() if p == pid):
            sub(case, "SourceRef", targetGUID=stable_guid("source", source_id))


def _zip_bytes(entries: Mapping[str, bytes]) -> bytes:
    """A deterministic zip: sorted entries, fixed date and permissions, deflate."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # "Unix", so the permission bits mean the same everywhere
            zf.writestr(info, entries[name], compresslevel=9)
    return buf.getvalue()


def export_project(path: os.PathLike | str, *, codes, sources, texts: Mapping[str, str],
                   segments, participants=None,
                   project_name: str = "NHS IT strategy study") -> Path:
    """Write a ``.qdpx`` archive of a study (see :func:`project_xml` for the tables).

    Nothing is written unless the whole project is valid; two calls with the same data
    give byte-identical files.

    >>> import pandas as pd, tempfile, pathlib, zipfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "study.qdpx"
    >>> _ = export_project(out, codes=pd.DataFrame({"code_id": ["lvl"], "label": ["Level"]}),
    ...                    sources=pd.DataFrame({"source_id": ["P01"]}), texts={"P01": "Hi"},
    ...                    segments=pd.DataFrame(columns=["segment_id", "source_id",
    ...                                                   "code_id", "start", "end", "coder"]))
    >>> [n.split("/")[0] for n in zipfile.ZipFile(out).namelist()]
    ['project.qde', 'sources']
    """
    xml = project_xml(codes=codes, sources=sources, texts=texts, segments=segments,
                      participants=participants, project_name=project_name)
    entries = {"project.qde": xml}
    for source_id in _column(sources, "source_id"):
        text = texts[source_id].replace("\r\n", "\n")
        entries[f"sources/{stable_guid('source', source_id)}.txt"] = text.encode("utf-8")
    return atomic_write(path, _zip_bytes(entries))


def codebook_xml(codes, origin: str = "analysis (NHS IT strategy compendium)") -> bytes:
    """The ``.qdc`` codebook document (namespace ``urn:QDA-XML:codebook:1.0``), validated.

    >>> import pandas as pd
    >>> xml = codebook_xml(pd.DataFrame({"code_id": ["lvl", "lvl_meso"],
    ...                                  "parent_id": ["", "lvl"],
    ...                                  "label": ["Level", "Intermediate tier"]}))
    >>> xml.count(b"<Code ")
    2
    """
    from lxml import etree

    sub = _maker(CODEBOOK_NS)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", origin)
    _append_codes(sub(root, "Codes"), _codes_tree(codes), sub)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate_codebook_xml(data)
    return data


def export_codebook(path: os.PathLike | str, codes) -> Path:
    """Write a ``.qdc`` codebook file (plain XML, UTF-8, no BOM)."""
    return atomic_write(path, codebook_xml(codes))


def _validate(xml_bytes: bytes, schema_file: str, where: str) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / schema_file)))
    try:
        doc = etree.fromstring(xml_bytes, etree.XMLParser(resolve_entities=False,
                                                          no_network=True))
    except etree.XMLSyntaxError as exc:
        raise DataError(where, exc.lineno, f"not well-formed XML ({exc.msg})") from None
    if not schema.validate(doc):
        err = schema.error_log[0]
        raise DataError(where, err.line, f"invalid against {schema_file}: {err.message}")


def validate_project_xml(xml_bytes: bytes) -> None:
    """Raise :class:`DataError` with the first error of ``xml_bytes`` against Project.xsd.

    >>> validate_project_xml(b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    >>> validate_project_xml(b'<Project xmlns="urn:QDA-XML:project:1.0"/>')
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: project.qde:1: invalid against Project.xsd: ...
    """
    _validate(xml_bytes, "Project.xsd", "project.qde")


def validate_codebook_xml(xml_bytes: bytes) -> None:
    """Raise :class:`DataError` with the first error of ``xml_bytes`` against Codebook.xsd."""
    _validate(xml_bytes, "Codebook.xsd", "codebook.qdc")
