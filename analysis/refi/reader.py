"""Read a coding project from its path: REFI-QDA (``.qdpx``, ``.qde``) or QualCoder.

:func:`read_coding_project` is the one place that picks the reader for a path:
:func:`read_project` for REFI-QDA (the container, :mod:`analysis.refi.container`, then
the project document, :mod:`analysis.refi.qde`), or
:func:`analysis.refi.qualcoder.read_qualcoder`. Hostile input is refused with one
:class:`DataError` before anything is extracted: XML with a DTD or entities, archive
paths that escape the folder, and absurd uncompressed sizes. Nothing is written to disk
except the outputs of :func:`write_import`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..io import atomic_write, write_table
from ..schema import REPORT_COLUMNS, SEGMENT_COLUMNS
from .container import Container
from .qde import CASE_COLUMNS, CODE_COLUMNS, MEMO_COLUMNS, SOURCE_COLUMNS, RefiProject, read_qde

__all__ = ["read_project", "read_coding_project", "write_import", "import_project",
           "case_attributes", "attach_case_attributes", "case_values"]


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
        return read_qde(container, codebook)
    finally:
        container.close()


def read_coding_project(path: os.PathLike | str, codebook=None) -> RefiProject:
    """Read any coding project by its type: the one place that dispatches on it.

    A folder, a ``.qda`` file or an SQLite file is a QualCoder project
    (:func:`analysis.refi.qualcoder.read_qualcoder`, which says what else a ``.qda`` is);
    anything else a REFI-QDA ``.qdpx`` or ``.qde`` (:func:`read_project`). Both give the
    same tables and report.
    """
    from .qualcoder import is_qualcoder, read_qualcoder

    if Path(path).is_dir() or Path(path).suffix.lower() == ".qda" or is_qualcoder(path):
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


def case_values(cases, owners: dict, variables: dict):
    """The values a project's cases give participants, for the register's columns.

    Parameters
    ----------
    cases : pandas.DataFrame
        ``case, variable, value, source_ids`` (:attr:`RefiProject.cases`; a source's
        own variables are a case of that source).
    owners : dict
        ``{project source id: participant id}``: which participant each source is.
    variables : dict
        ``{register column: variable name}`` (``study.yml`` ``case_attributes``);
        variable names compared ignoring case and surrounding space.

    Returns
    -------
    pandas.DataFrame
        ``participant_id, column, value, case, variable``: for each case, its value
        of each variable named, once for every participant whose source it links to
        (a case named by a participant id stands for that participant). Cases of no
        participant and empty values are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"case": ["Anon 1", "Anon 1", "Site"],
    ...                       "variable": ["Tier", "Role", "Tier"],
    ...                       "value": ["meso", "pp_csu_it", ""],
    ...                       "source_ids": ["s1", "s1", "s2"]})
    >>> case_values(cases, {"s1": "P01", "s2": "P02"}, {"tier": "tier"}).values.tolist()
    [['P01', 'tier', 'meso', 'Anon 1', 'Tier']]
    """
    import pandas as pd

    wanted = {str(v).strip().casefold(): c for c, v in variables.items()}
    people = set(owners.values())
    rows = []
    for case, variable, value, linked in zip(cases["case"], cases["variable"], cases["value"],
                                             cases["source_ids"]):
        column = wanted.get(str(variable).strip().casefold())
        if column is None or not str(value).strip():
            continue
        pids = sorted({owners[s] for s in str(linked).split("|") if s in owners})
        if not pids and case in people:
            pids = [case]
        rows += [(pid, column, str(value).strip(), case, variable) for pid in pids]
    return pd.DataFrame(rows, columns=["participant_id", "column", "value", "case", "variable"])
