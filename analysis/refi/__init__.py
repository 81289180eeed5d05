"""REFI-QDA exchange: import from and export to NVivo, ATLAS.ti, MAXQDA, QualCoder ...

The reader is lenient and honest, the writer strict and deterministic; this package
gathers their public names:

* :mod:`analysis.refi.reader`: a coding project from its path into tidy tables, with an
  import report of everything not carried over; :func:`read_coding_project` is the one
  place that picks the reader for a path;
* :mod:`analysis.refi.container`: the ``.qdpx`` archive or ``.qde`` with its sources,
  opened safely (paths that escape, zip bombs, XML with a DTD are refused);
* :mod:`analysis.refi.qde`: the REFI-QDA project document, element by element;
* :mod:`analysis.refi.offsets`: the unit each tool counted selection offsets in;
* :mod:`analysis.refi.qualcoder`: QualCoder projects read natively from their SQLite
  database, into the same tables;
* :mod:`analysis.refi.writer`: the study as a schema-valid ``.qdpx`` or ``.qdc``,
  byte-identical on every export;
* :mod:`analysis.refi.cli`: ``python -m analysis qdpx import|export|validate``.
"""

from __future__ import annotations

from .cli import load_study, main
from .offsets import OffsetReading, read_offsets
from .qde import RefiProject
from .reader import (attach_case_attributes, case_attributes, case_values, import_project,
                     read_coding_project, read_project, write_import)
from .writer import (CODEBOOK_NS, PROJECT_NS, codebook_xml, export_codebook, export_project,
                     project_xml, stable_guid, validate_codebook_xml, validate_project_xml)

__all__ = ["PROJECT_NS", "CODEBOOK_NS", "OffsetReading", "RefiProject", "read_offsets",
           "read_project", "read_coding_project", "write_import", "import_project",
           "case_attributes", "attach_case_attributes", "case_values",
           "stable_guid", "project_xml", "export_project",
           "codebook_xml", "export_codebook", "validate_project_xml",
           "validate_codebook_xml", "load_study", "main"]
