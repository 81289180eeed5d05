"""The command line of REFI-QDA exchange: ``python -m analysis qdpx ...``::

    python -m analysis qdpx import PATH --out DIR [--codebook-csv CODES.csv]
        (PATH: a .qdpx, a .qde, or a QualCoder project: NAME.qda folder or data.qda)
    python -m analysis qdpx export --out FILE.qdpx [--study DIR]
    python -m analysis qdpx export --codebook-only FILE.qdc [--study DIR]
    python -m analysis qdpx validate FILE.qdpx|FILE.qde|FILE.qdc

``import`` writes ``codes.csv``, ``sources.csv`` (with the offset unit chosen per
source), ``segments.csv``, ``memos.csv``, ``cases.csv``, ``texts/<source_id>.txt`` and
``import_report.csv``; it exits 0 when the project was read, even with reported losses.
A file that is not a REFI-QDA project, or a hostile one, is one ``error:`` line and
exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import paths
from ..errors import DataError
from .reader import import_project
from .writer import export_codebook, export_project, validate_codebook_xml, validate_project_xml

__all__ = ["load_codes", "load_study", "main"]

#: The processed interview study that ``qdpx export`` reads by default.
STUDY = paths.PROCESSED_INTERVIEWS


def load_codes(study: Path = STUDY):
    """The codes to export: the study's ``codes.csv``, else the project codebook."""
    from ..io import read_table

    if (study / "codes.csv").is_file():
        return read_table(study / "codes.csv", required=["code_id"])
    try:
        from ..codebook import load_codebook
    except ImportError:
        raise DataError(study / "codes.csv", None, "file not found, and no codebook "
                                                   "module to fall back on") from None
    codebook = load_codebook(paths.CODEBOOK_YML)
    return getattr(codebook, "codes", codebook)


def load_study(study: Path = STUDY) -> dict:
    """The tables :func:`export_project` needs, read from a processed study folder.

    Returns a dict with ``codes``, ``sources``, ``texts``, ``segments`` and
    ``participants`` (None when the study has no ``participants.csv``).
    """
    from ..io import read_table

    from ..processed import read_texts

    sources = read_table(study / "sources.csv", required=["source_id"])
    texts = read_texts(study, sources["source_id"])
    segments = read_table(study / "segments.csv",
                          required=["segment_id", "source_id", "code_id", "start", "end",
                                    "coder", "text"])
    participants = (read_table(study / "participants.csv", required=["participant_id"])
                    if (study / "participants.csv").is_file() else None)
    return {"codes": load_codes(study), "sources": sources, "texts": texts,
            "segments": segments, "participants": participants}


def _validate_file(path: Path) -> str:
    """Validate a .qdpx, .qde or .qdc against the packaged schema; return what it was."""
    from .container import Container, parse_xml

    container = Container(path)
    container.open()
    container.close()
    root = parse_xml(container.qde, path, container.qde_name if container.zip else None)
    try:
        if root.tag.endswith("}CodeBook"):
            validate_codebook_xml(container.qde)
            return "codebook"
        validate_project_xml(container.qde)
    except DataError as exc:
        where = container.qde_name if container.zip is not None else None
        line = f"{where}:{exc.line}" if where else exc.line
        raise DataError(path, line, exc.reason) from None
    return "project"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis qdpx",
                                     description="REFI-QDA import and export")
    sub = parser.add_subparsers(dest="action", required=True)
    p_imp = sub.add_parser("import", help="read a .qdpx, .qde or QualCoder .qda "
                                                   "project into tidy tables")
    p_imp.add_argument("path", type=Path)
    p_imp.add_argument("--out", type=Path, required=True, help="folder for the tables")
    p_imp.add_argument("--codebook-csv", type=Path,
                       help="code_id,label table to match code names (default: the codebook)")
    p_exp = sub.add_parser("export", help="write the processed study as .qdpx or .qdc")
    target = p_exp.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="the .qdpx project to write")
    target.add_argument("--codebook-only", type=Path, metavar="FILE.qdc",
                        help="write only the codebook")
    p_exp.add_argument("--study", type=Path, default=STUDY,
                       help="processed study folder (default: data/processed/interviews)")
    p_val = sub.add_parser("validate", help="check a .qdpx, .qde or .qdc against the schema")
    p_val.add_argument("path", type=Path)
    args = parser.parse_args(argv)

    if args.action == "import":
        codebook = None
        if args.codebook_csv:
            from ..io import read_table

            codebook = read_table(args.codebook_csv, required=["code_id", "label"])
        project = import_project(args.path, args.out, codebook=codebook)
        warnings = int((project.report["level"] == "warning").sum())
        print(f"imported {len(project.segments)} segments from {len(project.texts)} "
              f"text(s) into {paths.relative(args.out)}; {warnings} warning(s) in "
              f"import_report.csv")
        return 0
    if args.action == "export":
        if args.codebook_only:
            out = export_codebook(args.codebook_only, load_codes(args.study))
        else:
            out = export_project(args.out, **load_study(args.study))
        return _check_export(Path(out))
    kind = _validate_file(args.path)
    print(f"{paths.relative(args.path)}: a valid REFI-QDA {kind}")
    return 0



def _check_export(out: Path) -> int:
    """Leak-check what an export wrote (it leaves the machine): on a finding, remove it
    and exit 1 with the findings (key entries by key row, never by name)."""
    from .. import privacy

    found = privacy.leak_check([out])
    if len(found):
        out.unlink()
        for row in found.itertuples(index=False):
            detail = f"({row.match})" if row.kind == "key entry" else repr(row.match)
            print(f"{row.path}:{row.line}:{row.column}: {row.kind} {detail}", file=sys.stderr)
        print(f"error: {paths.relative(out)}: {len(found)} identifier(s) found in the "
              "export; nothing written", file=sys.stderr)
        return 1
    print(f"wrote {paths.relative(out)} (privacy check ok)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
