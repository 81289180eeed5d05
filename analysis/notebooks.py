"""Execute a notebook reproducibly, in place: ``python -m analysis notebook run NB``.

Notebooks are committed with the outputs of their default parameters, so that nbval
can check that a fresh run reproduces them. Papermill records run times and paths in
the notebook's metadata; this module strips those volatile fields so that re-running
an unchanged notebook changes no byte.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import paths
from .errors import DataError
from .io import atomic_write

KERNEL_NAME = "analysis"

#: Every notebook of the compendium and the question it answers (README, report).
QUESTIONS = {
    "01_strategy_timeline": "How did national IT strategy move between central procurement "
                            "and local choice, 1992 to today?",
    "02_reorganisation_overlay": "Where do reorganisations of the intermediate tier fall "
                                 "against the strategies, and where do interviewees place "
                                 "their experiences?",
    "03_document_analysis": "How did the language of policy change: terms by era, keyness, "
                            "keyword in context, SST-dictionary coding?",
    "04_interview_theme_matrix": "Which themes and SST components appear for which tiers and "
                                 "position-practices, with exemplar quotes?",
    "05_policy_practice_alignment": "Where do policy emphasis and meso/micro practice diverge?",
    "06_coding_reliability": "How far do two coders agree, per code?",
    "07_coded_evidence": "What do people say under one theme: which passages, from whom, at "
                         "which tier and era, with which other codes?",
}

#: Notebook-level papermill metadata that varies from run to run.
_VOLATILE_NB = ("start_time", "end_time", "duration", "input_path", "output_path",
                "environment_variables")


def strip_volatile(nb) -> None:
    """Remove run times, paths and timing metadata from an executed notebook (in place)."""
    pm = nb.metadata.get("papermill", {})
    for key in _VOLATILE_NB:
        pm.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)


def run(notebook: os.PathLike | str, parameters: dict | None = None,
        output: os.PathLike | str | None = None) -> Path:
    """Execute ``notebook`` with papermill and write it (default: in place) without volatile metadata."""
    import nbformat
    import papermill as pm

    notebook = Path(notebook).resolve()
    output = Path(output).resolve() if output else notebook
    if not notebook.is_file():
        raise DataError(notebook, None, "notebook not found")
    tmp = output.with_name(f".{output.stem}.running.ipynb")
    try:
        pm.execute_notebook(
            str(notebook), str(tmp), parameters=parameters or None, kernel_name=KERNEL_NAME,
            cwd=str(notebook.parent), progress_bar=False, log_output=False,
            request_save_on_cell_execute=False,
        )
        nb = nbformat.read(tmp, as_version=4)
    finally:
        if tmp.exists():
            tmp.unlink()
    strip_volatile(nb)
    atomic_write(output, nbformat.writes(nb) + "\n")
    return output


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis notebook")
    sub = parser.add_subparsers(dest="action", required=True)
    p_run = sub.add_parser("run", help="execute notebooks in place with default parameters")
    p_run.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for nb in args.notebooks:
        out = run(nb)
        print(f"executed {paths.relative(out)}")
    return 0


def fingerprint(modules: list[str] | None = None) -> str:
    """SHA-256 over the source files of the ``analysis`` modules loaded in this process.

    The colophon prints it instead of a git commit: a commit hash would change the
    notebook's output with every commit, while this changes only when the code the
    notebook actually ran changes.
    """
    import hashlib
    import sys

    names = sorted(modules if modules is not None else
                   (m for m in sys.modules if m == "analysis" or m.startswith("analysis.")))
    h = hashlib.sha256()
    for name in names:
        source = getattr(sys.modules.get(name), "__file__", None)
        if source:
            h.update(name.encode() + b"\0" + Path(source).read_bytes() + b"\0")
    return h.hexdigest()


def colophon() -> str:
    """The text of a notebook's last cell: Python and package versions, code fingerprint."""
    from .figures import package_versions

    lines = [f"{name:<12} {ver}" for name, ver in package_versions().items()]
    lines.append(f"{'code':<12} fingerprint of the analysis modules used {fingerprint()[:16]}")
    return "\n".join(lines)
