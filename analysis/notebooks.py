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
