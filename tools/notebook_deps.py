"""Write build/notebook-deps.mk: the package modules each notebook and the build stage import.

A notebook's stamp in the Makefile should be stale when a module the notebook runs
changes, and only then. This script reads each notebook's code cells and each module of
``analysis`` with :mod:`ast`, follows every ``import`` and ``from ... import`` of the
package (those inside functions too: they run when the function is called), and writes
one prerequisite line per notebook, plus ``BUILD_DEPS`` for the stamps of
``python -m analysis build``. Importing ``analysis.a.b`` runs ``analysis/__init__.py`` and
``analysis/a/__init__.py`` as well, so those count. A module that imports by name at run
time (``importlib.import_module``) could reach any module: it makes its dependant
depend on the whole package. It also writes which processed data each notebook reads
(:func:`notebook_reads`), so that a notebook waits for, and re-runs after, only the
build stage whose output it reads: the timeline notebook runs while the study is being
built, and a re-exported coding project does not re-run the document analysis. Only the
standard library is needed, so ``make`` can run it before ``.venv`` exists.

Usage: ``python tools/notebook_deps.py OUT.mk NOTEBOOK.ipynb...`` (run by ``make``).
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "analysis"


def module_file(name: str, root: Path = ROOT) -> Path | None:
    """The source file of module ``name`` under ``root`` (``None`` when it is not one).

    >>> module_file("analysis.paths").relative_to(ROOT).as_posix()
    'analysis/paths.py'
    >>> module_file("analysis.figures").relative_to(ROOT).as_posix()
    'analysis/figures/__init__.py'
    >>> module_file("analysis.no_such_module") is None
    True
    """
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_names(tree: ast.AST, module: str = "", is_package: bool = False) -> set[str]:
    """Dotted names a parsed source imports: modules, and ``module.name`` for ``from`` imports.

    Relative imports are resolved against ``module``; a ``from`` import yields both the
    module and each ``module.name`` (which is a submodule or just a name: the caller
    keeps those that are files).

    >>> tree = ast.parse("from .. import io\\nimport os\\nfrom .style import X")
    >>> sorted(imported_names(tree, "analysis.figures.saving"))
    ['analysis', 'analysis.figures.style', 'analysis.figures.style.X', 'analysis.io', 'os']
    """
    out: set[str] = set()
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                parent = ".".join(base + ([node.module] if node.module else []))
            else:
                parent = node.module or ""
            out.add(parent)
            out.update(f"{parent}.{alias.name}" for alias in node.names)
    return out


def imports_by_name(tree: ast.AST) -> bool:
    """Whether a source calls ``importlib.import_module`` (or ``__import__``).

    >>> imports_by_name(ast.parse("import importlib\\nimportlib.import_module(n)"))
    True
    >>> imports_by_name(ast.parse("import json"))
    False
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if (isinstance(f, ast.Attribute) and f.attr == "import_module") or (
                    isinstance(f, ast.Name) and f.id in {"import_module", "__import__"}):
                return True
    return False


def _package_modules(name: str) -> list[str]:
    """``analysis.a.b`` -> ``['analysis', 'analysis.a', 'analysis.a.b']``."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def closure(names: set[str], root: Path = ROOT) -> set[Path]:
    """Source files of the package modules ``names`` import, directly or not, themselves included.

    Names outside the package, and ``from`` names that are not modules, are dropped.
    """
    everything = {p for p in (root / PACKAGE).rglob("*.py")}
    seen: set[Path] = set()
    todo = [n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")]
    while todo:
        name = todo.pop()
        for mod in _package_modules(name):
            path = module_file(mod, root)
            if path is None or path in seen:
                continue
            seen.add(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            if imports_by_name(tree):
                return everything
            found = imported_names(tree, mod, path.name == "__init__.py")
            todo += [n for n in found if n == PACKAGE or n.startswith(PACKAGE + ".")]
    return seen


def notebook_imports(path: Path) -> set[str]:
    """Dotted names the code cells of a notebook import (IPython ``%``/``!`` lines skipped)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            out |= imported_names(ast.parse(_code(cell), filename=str(path)))
    return out


#: What a notebook names when it reads a processed data set: the loaders of
#: ``analysis.processed`` and the folders of ``analysis.paths``. Naming the whole
#: ``PROCESSED`` folder, or using the module ``processed`` by another name, reads both.
READS = {"interviews": {"load_interviews", "PROCESSED_INTERVIEWS"},
         "documents": {"load_documents", "PROCESSED_DOCUMENTS"}}
#: Parameters a private study's run fills in from its processed interviews (the coders
#: and tiers present: ``analysis.pipeline.notebooks.study_parameters``).
FROM_INTERVIEWS = {"coder", "coders", "evidence_coder", "tiers", "codes"}


def _code(cell) -> str:
    """A code cell's source without IPython ``%``/``!`` lines."""
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    return "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def notebook_reads(path: Path) -> list[str]:
    """The processed data sets (``documents``, ``interviews``) a notebook reads, sorted.

    From the names its code cells use (:data:`READS`) and the parameters its
    ``parameters`` cell declares (:data:`FROM_INTERVIEWS`).
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    names: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        tree = ast.parse(_code(cell), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                # `from analysis import processed` / `import analysis.processed`: the
                # module by name; `from analysis.processed import load_x`: the loader
                names.update((a.asname or a.name).rsplit(".", 1)[-1] for a in node.names)
                names.update(a.name.rsplit(".", 1)[-1] for a in node.names)
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            declared = {t.id for n in tree.body if isinstance(n, ast.Assign)
                        for t in n.targets if isinstance(t, ast.Name)}
            if declared & FROM_INTERVIEWS:
                names.add("load_interviews")
    if names & {"PROCESSED", "processed"}:
        names |= set().union(*READS.values())
    return sorted(kind for kind, marks in READS.items() if names & marks)


def notebook_deps(path: Path, root: Path = ROOT) -> list[str]:
    """Repository-relative source files a notebook depends on, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in closure(notebook_imports(path), root))


def build_deps(root: Path = ROOT) -> list[str]:
    """Source files of ``python -m analysis build``: the command line and the build stage's closure."""
    files = closure({f"{PACKAGE}.pipeline.build"}, root)
    files |= {p for p in [root / PACKAGE / "__main__.py"] if p.is_file()}
    return sorted(p.relative_to(root).as_posix() for p in files)


def makefile(notebooks: list[Path], root: Path = ROOT) -> str:
    """The text of ``notebook-deps.mk``."""
    lines = ["# Written by tools/notebook_deps.py (make regenerates it): the package modules",
             "# each notebook, and `python -m analysis build`, import directly or not.", ""]
    for nb in sorted(notebooks):
        deps = " \\\n  ".join(notebook_deps(nb, root))
        lines.append(f"$(STAMPS)/nb-{Path(nb).stem}: {deps}\n")
    lines.append("# The processed data each notebook reads: the stamp of the stage that builds it.")
    stamps = {"interviews": "$(STAMPS)/interviews-$(STUDY)", "documents": "$(STAMPS)/documents"}
    for nb in sorted(notebooks):
        reads = " ".join(stamps[kind] for kind in notebook_reads(nb))
        lines.append(f"$(STAMPS)/nb-{Path(nb).stem}:{' ' if reads else ''}{reads}")
    lines += ["NB_READS_KNOWN := yes", ""]
    lines.append("BUILD_DEPS := " + " \\\n  ".join(build_deps(root)))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) < 1:
        print("usage: python tools/notebook_deps.py OUT.mk NOTEBOOK.ipynb...", file=sys.stderr)
        return 2
    out, notebooks = Path(argv[0]), [Path(a).resolve() for a in argv[1:]]
    text = makefile(notebooks)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)  # make never reads a half-written file
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
