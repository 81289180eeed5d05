"""Word files that come out byte-identical on every run.

python-docx stamps a document with the time it was made (core properties ``created``,
``modified``, ``last_printed``) and its zip members with the time they were written.
:func:`new_document` fixes the properties to ``SOURCE_DATE_EPOCH`` (2000-01-01 by
default) and :func:`docx_bytes` rewrites the archive with one fixed member time, so a
rebuilt thesis file differs from the committed one only when its content does.

>>> doc = new_document("Quote bank")
>>> _ = doc.add_paragraph("Hello")
>>> docx_bytes(doc) == docx_bytes(doc)
True
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pandas as pd

__all__ = ["FIXED_TIME", "new_document", "docx_bytes", "add_table"]

#: The time written into every document: ``SOURCE_DATE_EPOCH`` (as the Makefile sets it).
FIXED_TIME = dt.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", 946684800)),
                                       dt.timezone.utc).replace(tzinfo=None)


def new_document(title: str):
    """A python-docx Document with fixed core properties and the given title."""
    import docx

    doc = docx.Document()
    props = doc.core_properties
    props.title = title
    props.author = "analysis compendium"
    props.last_modified_by = "analysis compendium"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    _remember_style_ids(doc)
    return doc


def _remember_style_ids(doc) -> None:
    # python-docx looks a style name up among all the document's styles, and the type's
    # default style too, for every paragraph and table it styles: a quarter of the time of
    # a thesis kit on a 300-code codebook. The styles never change after the document is
    # made, so each name's id is looked up once, through python-docx's own lookup.
    part = doc.part
    lookup, ids = part.get_style_id, {}

    def get_style_id(style_or_name, style_type):
        if not isinstance(style_or_name, str):
            return lookup(style_or_name, style_type)
        if (style_or_name, style_type) not in ids:
            ids[style_or_name, style_type] = lookup(style_or_name, style_type)
        return ids[style_or_name, style_type]

    part.get_style_id = get_style_id


def docx_bytes(doc) -> bytes:
    """The document as bytes, its zip members stamped with one fixed time."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    stamp = (max(FIXED_TIME.year, 1980),) + FIXED_TIME.timetuple()[1:6]
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info))
    return out.getvalue()


def add_table(doc, table: pd.DataFrame, caption: str | None = None, index: bool = False):
    """Add ``table`` as a Word table, with an optional caption above.

    The header row is bold and repeats at the top of every page the table runs onto
    (``w:tblHeader``), so a long table stays readable.

    >>> doc = new_document("T")
    >>> grid = add_table(doc, pd.DataFrame({"code": ["a"], "n": [1]}))
    >>> grid.rows[0]._tr.xml.count("w:tblHeader")
    1
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if caption:
        doc.add_paragraph(caption, style="Caption")
    frame = table.reset_index() if index else table
    grid = doc.add_table(rows=1, cols=len(frame.columns))
    grid.style = "Table Grid"
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    for cell, name in zip(grid.rows[0].cells, frame.columns):
        cell.text = ""
        cell.paragraphs[0].add_run(str(name)).bold = True
    for values in frame.itertuples(index=False):
        cells = grid.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) \
                else str(value)
    return grid
