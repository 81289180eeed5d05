"""Execute a notebook reproducibly, in place: ``python -m analysis notebook run NB``.

Notebooks are committed with the outputs of their default parameters, so that nbval
can check that a fresh run reproduces them. Papermill records run times and paths in
the notebook's metadata; this module strips those volatile fields so that re-running
an unchanged notebook changes no byte.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from .. import paths
from ..errors import DataError
from ..io import atomic_write

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

#: Errors raised in a notebook that the command line shows as one ``error:`` line (exit
#: status 2) instead of a traceback: bad input, and a figure that breaks a legibility rule
#: (:class:`analysis.figures.legibility.LegibilityError`, which names the parameter to change).
_ONE_LINE_ERRORS = ("DataError", "LegibilityError")

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


def skip_iri_checker() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` in this process.

    ``nbformat`` (hence papermill) imports ``jsonschema``, which imports
    ``rfc3987_syntax`` when it is installed (JupyterLab's dependencies install it) to
    check the ``iri`` format, and that import compiles a Lark grammar: about 1.5 s of
    CPU, more than papermill itself, paid by every notebook run. No notebook schema
    uses the ``iri`` format, and ``jsonschema`` carries on without the module.
    """
    if "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # an import of it now raises ImportError


def _kernel_options(folder: Path) -> dict:
    """How papermill starts the kernel: over Unix sockets in ``folder``, logging only crashes.

    Over TCP (the default) every kernel warns in the build's log that its traffic is
    not encrypted, and kernels started at the same moment (``make -j``, other users of
    the machine) race for free ports. Sockets in a private temporary folder have
    neither problem, and only this user can open them. The kernel's own log also
    reports the interrupt that comes with every shutdown, now and then, as an error;
    the cells' errors reach the notebook (and fail the run) whatever its level.
    """
    from traitlets.config import Config

    return {"config": Config({"KernelManager": {"transport": "ipc",
                                                "ip": str(folder / "kernel")}}),
            "extra_arguments": ["--IPKernelApp.log_level=CRITICAL"]}


def run(notebook: os.PathLike | str, parameters: dict | None = None,
        output: os.PathLike | str | None = None, stop: str | None = None) -> Path:
    """Execute ``notebook`` with papermill and write it (default: in place) without volatile metadata.

    ``stop``: a sentence saying why the notebook's analysis cannot run on this study
    (:func:`why_not`). The notebook then prints it after its parameters and runs no
    further cell but the colophon, so it ends cleanly instead of failing half-way.
    """
    skip_iri_checker()
    import logging

    import nbformat
    import papermill as pm

    # papermill checks the parameters passed against those it reads off the parameters
    # cell, and cannot read a line whose comment holds "=" (07's): one warning each.
    # Only declared parameters are ever passed (declared_parameters reads them right).
    logging.getLogger("papermill").setLevel(logging.ERROR)

    notebook = Path(notebook).resolve()
    output = Path(output).resolve() if output else notebook
    if not notebook.is_file():
        raise DataError(notebook, None, "notebook not found")
    tmp = output.with_name(f".{output.stem}.running.ipynb")
    output.parent.mkdir(parents=True, exist_ok=True)
    source = notebook
    if stop:
        source = output.with_name(f".{output.stem}.stopped.ipynb")
        atomic_write(source, nbformat.writes(_stopped(nbformat.read(notebook, as_version=4),
                                                      stop)))
    try:
        with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets:
            pm.execute_notebook(
                str(source), str(tmp), parameters=parameters or None, kernel_name=KERNEL_NAME,
                cwd=str(notebook.parent), progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, **_kernel_options(Path(sockets)),
            )
        nb = nbformat.read(tmp, as_version=4)
    except pm.PapermillExecutionError as exc:
        if exc.ename in _ONE_LINE_ERRORS:  # bad input or an illegible figure: one line, exit 2
            raise DataError(notebook, None, exc.evalue) from None
        raise
    finally:
        for leftover in {tmp, source} - {notebook}:
            if leftover.exists():
                leftover.unlink()
    strip_volatile(nb)
    atomic_write(output, nbformat.writes(nb) + "\n")
    return output


def _stopped(nb, reason: str):
    """``nb`` with ``reason`` printed after its parameters and every later cell skipped.

    The colophon still runs. Skipped cells lose the demo's outputs, which are not
    this study's.
    """
    import nbformat

    cells, seen_parameters = [], False
    for cell in nb.cells:
        if seen_parameters and cell.cell_type == "code" and "colophon()" not in cell.source:
            # skipped by papermill now and by nbval (make test STUDY=private) later
            cell.metadata.setdefault("tags", []).extend(["skip-execution", "nbval-skip"])
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
        if "parameters" in cell.metadata.get("tags", []) and not seen_parameters:
            seen_parameters = True
            cells.append(nbformat.v4.new_code_cell(f"print({reason!r})"))
    nb.cells = cells
    return nb


def why_not(notebook: os.PathLike | str, parameters: dict) -> str | None:
    """Why ``notebook`` cannot analyse this study with ``parameters``, or None when it can.

    Read from the processed interviews: 06 needs two coders who both coded; 02, 04 and
    05 need segments by their coder; 05 compares SST themes, so it needs coding that
    is, or maps onto (``code_map.csv``), an SST theme code.

    >>> why_not(paths.NOTEBOOKS / "06_coding_reliability.ipynb", {"coders": ["sam"]})
    'Agreement needs two coders: this study names one (sam), so there is nothing to compare.'
    """
    from ..io import read_table

    stem = Path(notebook).stem
    coders = list(parameters.get("coders") or [])
    if stem == "06_coding_reliability" and len(coders) < 2:
        named = f"one ({coders[0]})" if coders else "none"
        return f"Agreement needs two coders: this study names {named}, so there is nothing to compare."
    folder = paths.PROCESSED_INTERVIEWS
    segments = read_table(folder / "segments.csv") if (folder / "segments.csv").is_file() else None
    if segments is None:
        return None
    if stem == "06_coding_reliability":
        missing = [c for c in coders if c not in set(segments["coder"])]
        if missing:
            return f"Agreement needs two coders: {', '.join(missing)} coded nothing in this study."
    coder = parameters.get("coder") or parameters.get("evidence_coder")
    if stem in ("04_interview_theme_matrix", "05_policy_practice_alignment") and coder is not None:
        mine = segments[segments["coder"] == coder]
        if mine.empty:
            return f"No segments are coded by {coder!r} in this study: nothing to show."
        if stem == "05_policy_practice_alignment":
            from ..codebook import sst_map, to_sst, unmapped_coding

            code_map = sst_map(read_table(folder / "codes.csv"))
            themes = to_sst(mine, code_map)["code_id"].str.startswith("th_")
            if not themes.any():
                share = unmapped_coding(mine, code_map)["share_unmapped"].iloc[0]
                return (f"None of the {len(mine)} segments coded by {coder!r} maps onto a "
                        f"theme of the SST frame (unmapped coding: {share:.0%} of segments "
                        "have no SST code in code_map.csv), so policy and practice cannot "
                        "be compared by theme.")
    return None


def declared_parameters(notebook: os.PathLike | str) -> list[str]:
    """The names the notebook's ``parameters`` cell assigns, in order.

    Read with :mod:`ast`, so a comment such as ``# tiers included ([] = all)`` after a
    value does not hide the name (papermill's own inspection skips such lines, with a
    warning for each).

    >>> declared_parameters(paths.NOTEBOOKS / "01_strategy_timeline.ipynb")
    ['start_year', 'end_year', 'types', 'label_density']
    """
    import ast
    import json

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code" and "parameters" in cell["metadata"].get("tags", []):
            source = "".join(cell["source"])
            code = "\n".join(line for line in source.splitlines()
                             if not line.lstrip().startswith(("%", "!")))  # IPython lines
            names: list[str] = []
            for node in ast.parse(code).body:
                targets = node.targets if isinstance(node, ast.Assign) else (
                    [node.target] if isinstance(node, ast.AnnAssign) else [])
                names += [t.id for t in targets
                          if isinstance(t, ast.Name) and t.id not in names]
            return names
    return []


def study_parameters(notebook: os.PathLike | str, study) -> dict:
    """Parameters to run ``notebook`` with on a study other than the demo.

    Defaults come from the processed data (the coders present, the tiers present),
    then ``study.yml`` overrides them (``coders``, ``default_coder`` and
    ``parameters``). Only parameters the notebook declares are passed. A coder is
    named by user name or display name (``coder_names``); either becomes the name
    the processed tables show (:meth:`analysis.study.Study.shown_coder`).

    >>> from analysis.study import Study
    >>> s = Study(Path("."), Path("p"), Path("k"), Path("."), coders=("ann", "bo"),
    ...           parameters={"06_coding_reliability": {"top_n": 5}})
    >>> study_parameters(paths.NOTEBOOKS / "06_coding_reliability.ipynb", s)["coders"]
    ['ann', 'bo']
    """
    from ..io import read_table

    notebook = Path(notebook)
    declared = set(declared_parameters(notebook))
    present, tiers, segments = [], [], None
    folder = paths.PROCESSED_INTERVIEWS
    if (folder / "segments.csv").is_file():
        segments = read_table(folder / "segments.csv")
        present = sorted(set(segments["coder"]) - {"dictionary"})
    if (folder / "participants.csv").is_file():
        found = set(read_table(folder / "participants.csv")["tier"])
        tiers = [t for t in ("macro", "meso", "micro") if t in found]
    # study.yml names coders by user or display name; the tables, as the key shows them
    rules = None
    if study.key.is_file() and (study.coders or study.default_coder):
        from ..privacy import KeyRules, load_key

        rules = KeyRules(load_key(study.key)).text
    coders = [study.shown_coder(c, rules) for c in study.coders] or present[:2]
    coder = (study.shown_coder(study.default_coder, rules) if study.default_coder
             else coders[0] if coders else "")
    values = {"coder": coder, "evidence_coder": coder, "coders": coders}
    if tiers:
        values["tiers"] = tiers
    if notebook.stem == "02_reorganisation_overlay":
        values.pop("tiers", None)  # 02's tiers are the timeline's, not the study's
    if notebook.stem == "07_coded_evidence":
        # the demo's theme and tier mean nothing elsewhere: the top category of the
        # coder's most used code (ties: the first id), walked down by child code, or that
        # code when it is in no category; every tier
        values["tiers"] = []
        mine = segments[segments["coder"] == coder] if segments is not None else None
        if mine is not None and len(mine):
            counts = mine["code_id"].value_counts()
            code = sorted(counts[counts == counts.max()].index)[0]
            codes = read_table(folder / "codes.csv") if (folder / "codes.csv").is_file() \
                else None
            if codes is not None and code in set(codes["code_id"]):
                from ..hierarchy import tree

                code = tree(codes).set_index("code_id").loc[code, "root_id"]
            values["codes"] = [code]
    values.update(study.notebook_parameters(notebook.stem))
    return {k: v for k, v in values.items() if k in declared}


def write_parameters(notebooks: list[os.PathLike | str], study,
                     out: os.PathLike | str) -> list[Path]:
    """Write each notebook's run on ``study`` to ``out/params-<notebook>.json``: its
    parameters (:func:`study_parameters`) and why it stops (:func:`why_not`, or null).

    A file is rewritten only when what it says changes, so that ``make``, for which a
    notebook depends on its file, re-runs a notebook when its own parameters change and
    not whenever ``study.yml`` or the processed study does. Returns the files rewritten.
    """
    import json

    from ..io import atomic_write

    written = []
    for nb in notebooks:
        parameters = study_parameters(nb, study)
        record = {"notebook": Path(nb).stem, "parameters": parameters,
                  "stop": why_not(nb, parameters)}
        text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        path = Path(out) / f"params-{Path(nb).stem}.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis notebook")
    sub = parser.add_subparsers(dest="action", required=True)
    p_run = sub.add_parser("run", help="execute notebooks in place with default parameters")
    p_run.add_argument("notebooks", nargs="+", type=Path)
    p_run.add_argument("--study", default="demo", choices=["demo", "private"],
                       help="private: run with the study's parameters and write the "
                            "executed notebook to build/private/notebooks/")
    p_par = sub.add_parser("parameters", help="write each notebook's parameters for a "
                                              "private study (only those that changed)")
    p_par.add_argument("notebooks", nargs="+", type=Path)
    p_par.add_argument("--study", default="private", choices=["private"])
    p_par.add_argument("--out", type=Path, required=True, help="folder of params-*.json")
    args = parser.parse_args(argv)
    if args.action == "parameters":
        from ..study import load_study

        write_parameters(args.notebooks, load_study(paths.study_dir(args.study)), args.out)
        return 0
    for nb in args.notebooks:
        started = time.perf_counter()
        if args.study == "demo":
            out = run(nb)
        else:
            from ..study import load_study

            study = load_study(paths.study_dir(args.study))
            target = paths.output_roots(args.study)["notebooks"] / Path(nb).name
            parameters = study_parameters(nb, study)
            out = run(nb, parameters=parameters, output=target, stop=why_not(nb, parameters))
        # one line per notebook, when it is done (make -j runs several at once)
        print(f"executed {paths.relative(out)} in {time.perf_counter() - started:.1f} s",
              flush=True)
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
    from ..figures import package_versions

    lines = [f"{name:<12} {ver}" for name, ver in package_versions().items()]
    lines.append(f"{'code':<12} fingerprint of the analysis modules used {fingerprint()[:16]}")
    return "\n".join(lines)
