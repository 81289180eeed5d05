"""``make verify``: rebuild everything in a clean copy and compare every committed artefact.

The committed state (``git HEAD``) is cloned into a temporary folder, ``make all`` runs
there from scratch (its own ``.venv`` from the lock file, built with the interpreter given
by ``--python``), and every committed file under ``data/processed/``, ``figures/`` and
``notebooks/`` is hashed before and after. A file whose bytes differ is looked at line by
line: when every differing line only records the environment (the Python or package
version in a figure's sidecar, a notebook's colophon or its ``language_info``), the file is
listed as "environment differs" with those lines, and does not fail. Anything else — a
figure's bytes, a processed table, a notebook output, a new or missing artefact — fails:
exit status 1. Under the locked Python the rebuild must be byte-identical (``.ci/run``
checks that with ``git status``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import paths
from ..io import sha256_file

def copy_working_tree(target: Path, root: Path = paths.ROOT) -> Path:
    r"""The working tree of ``root`` as a fresh git repository at ``target``.

    Tracked and new files that git does not ignore are copied with their times, never
    ``data/raw/private/`` (left empty); the demo's stamps (``build/stamps/``, ignored) and
    the folders' times come along, so that ``make`` in the copy finds up to date what is
    up to date here. ``git status`` in the copy then means what it means in ``root``. The
    end-to-end tests and the researcher's-loop benchmark build private studies in such a
    copy; ``make verify`` clones the committed state instead.

    Examples
    --------
    >>> import tempfile
    >>> root, target = (Path(tempfile.mkdtemp()) for _ in range(2))
    >>> _ = subprocess.run(["git", "init", "-q", str(root)], check=True)
    >>> for rel in (".gitignore", "kept.txt", "new.txt", "ignored.log",
    ...             "data/raw/private/key.csv"):
    ...     (root / rel).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (root / rel).write_text("*.log\n" if rel == ".gitignore" else rel)
    >>> _ = subprocess.run(["git", "-C", str(root), "add", "kept.txt"], check=True)
    >>> copy = copy_working_tree(target / "copy", root)
    >>> sorted(str(p.relative_to(copy)) for p in copy.rglob("*")
    ...        if ".git" not in p.parts and p.is_file())
    ['.gitignore', 'kept.txt', 'new.txt']
    >>> (copy / "data/raw/private").is_dir(), _git(copy, "status", "--porcelain")
    (True, '')
    """
    import shutil

    listed = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    files = sorted({p for p in listed.split("\0") if p})
    for rel in files:
        src = root / rel
        if src.is_file() and not rel.startswith("data/raw/private/"):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / rel)
    (target / "data/raw/private").mkdir(parents=True, exist_ok=True)
    if (root / "build" / "stamps").is_dir():
        shutil.copytree(root / "build" / "stamps", target / "build" / "stamps")
    # the folders' times too (the Makefile's prerequisites include folders), deepest
    # first: writing into a folder changes its time
    folders = {Path(rel).parent for rel in files}
    for rel in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if rel.parts and (root / rel).is_dir() and (target / rel).is_dir():
            shutil.copystat(root / rel, target / rel)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "-c", "user.name=copy", "-c", "user.email=copy@example.org", "commit", "-qm",
         "working tree of " + str(root))
    return target


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


#: Folders whose committed files are products of ``make all``.
ARTEFACT_DIRS = ("data/processed", "figures", "notebooks")


def artefact_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under the artefact folders of ``root`` (tracked or not)."""
    out = {}
    for d in ARTEFACT_DIRS:
        base = root / d
        if base.is_dir():
            for f in sorted(base.rglob("*")):
                rel = f.relative_to(root).as_posix()
                if f.is_file() and "/." not in "/" + rel and "__pycache__" not in rel:
                    out[rel] = sha256_file(f)
    return out


#: Names whose version a provenance line may record (see ``figures.package_versions``).
ENV_NAMES = ("python", "matplotlib", "seaborn", "pandas", "numpy", "pillow")
_VER = r"\d+(?:\.\d+)+[\w.+-]*"
#: Lines that only record the environment: a sidecar's ``"numpy": "2.4.6",``, a colophon's
#: ``"python       3.11.7\n",`` and a notebook's ``"version": "3.11.7"`` (language_info).
ENV_LINE = re.compile(
    rf'\s*"(?:(?:{"|".join(ENV_NAMES)})": "{_VER}"|(?:{"|".join(ENV_NAMES)}) +{_VER}\\n"'
    rf'|version": "{_VER}"),?\s*')


def environment_lines(committed: bytes, rebuilt: bytes) -> list[tuple[str, str]] | None:
    r"""The differing line pairs when each only records the environment, else ``None``.

    ``None`` means a content difference: a binary file, a changed line count, or any
    differing line that is not a version record.

    >>> environment_lines(b'{\n "python": "3.11.7",\n "x": 1\n}', b'{\n "python": "3.13.0",\n "x": 1\n}')
    [(' "python": "3.11.7",', ' "python": "3.13.0",')]
    >>> environment_lines(b'"python       3.11.7\\n",\n', b'"python       3.12.1\\n",\n')
    [('"python       3.11.7\\n",', '"python       3.12.1\\n",')]
    >>> environment_lines(b'"python": "3.11.7",\n"x": 1\n', b'"python": "3.13.0",\n"x": 2\n') is None
    True
    """
    try:
        a, b = committed.decode("utf-8").splitlines(), rebuilt.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None
    if len(a) != len(b):
        return None
    pairs = [(x, y) for x, y in zip(a, b) if x != y]
    if not all(ENV_LINE.fullmatch(x) and ENV_LINE.fullmatch(y) for x, y in pairs):
        return None
    return pairs


def compare(committed: dict[str, str], rebuilt: dict[str, str],
            environment: dict[str, list[tuple[str, str]]] | None = None):
    """One row per artefact: path, committed and rebuilt hash, identical bytes?, status.

    ``environment`` maps an artefact whose bytes differ only in environment lines to those
    lines (see :func:`environment_lines`); its status is ``environment differs``.

    >>> compare({"figures/a.png": "11", "figures/a.json": "33"},
    ...         {"figures/a.png": "11", "figures/a.json": "44", "figures/b.png": "22"},
    ...         {"figures/a.json": [('"python": "3.11.7"', '"python": "3.13.0"')]})
    ... # doctest: +NORMALIZE_WHITESPACE
             artefact committed rebuilt  identical               status
    0  figures/a.json        33      44      False  environment differs
    1   figures/a.png        11      11       True            identical
    2   figures/b.png                22      False            different
    """
    import pandas as pd

    environment = environment or {}
    names = sorted(set(committed) | set(rebuilt))
    rows = []
    for n in names:
        same = committed.get(n) == rebuilt.get(n)
        status = ("identical" if same else
                  "environment differs" if n in committed and n in rebuilt and n in environment
                  else "different")
        rows.append({"artefact": n, "committed": committed.get(n, ""),
                     "rebuilt": rebuilt.get(n, ""), "identical": same, "status": status})
    return pd.DataFrame(rows, columns=["artefact", "committed", "rebuilt", "identical", "status"])


def passes(table) -> bool:
    """True when every artefact is identical or differs only in environment lines."""
    return bool(table["status"].isin(["identical", "environment differs"]).all())


def render(table, environment: dict[str, list[tuple[str, str]]] | None = None) -> str:
    """The table as fixed-width text with short hashes, the environment lines, a summary."""
    lines = [f"{'artefact':<64} {'committed':<12} {'rebuilt':<12} status"]
    for r in table.itertuples(index=False):
        lines.append(f"{r.artefact:<64} {r.committed[:12]:<12} {r.rebuilt[:12]:<12} {r.status}")
    env_rows = table[table["status"] == "environment differs"]
    if len(env_rows):
        lines.append("")
        lines.append("environment differs (interpreter or package versions only; not a failure):")
        for name in env_rows["artefact"]:
            for old, new in (environment or {}).get(name, []):
                lines.append(f"  {name}: {old.strip()}  ->  {new.strip()}")
    counts = table["status"].value_counts()
    lines.append(f"{len(table)} artefacts, {counts.get('identical', 0)} identical, "
                 f"{counts.get('environment differs', 0)} environment differs, "
                 f"{counts.get('different', 0)} different")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis verify",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=None,
                        help="interpreter that builds the clean copy's .venv (default: make's choice)")
    parser.add_argument("--keep", action="store_true", help="keep the rebuilt copy")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="verify-"))
    try:
        repo = workdir / "repo"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(paths.ROOT),
                        str(repo)], check=True)
        committed = artefact_hashes(repo)
        make = ["make", "-C", str(repo), "all"] + ([f"PYTHON={args.python}"] if args.python else [])
        # the clone's make is a make of its own: under `make verify`, this make's job
        # slots (MAKEFLAGS) would name pipes the clone cannot reach, and it would run serially
        env = {k: v for k, v in os.environ.items()
               if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
        subprocess.run(make, check=True, stdout=sys.stderr, env=env)
        rebuilt = artefact_hashes(repo)
        environment = {}
        for name in set(committed) & set(rebuilt):
            if committed[name] != rebuilt[name]:
                old = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{name}"],
                                     check=True, capture_output=True).stdout
                pairs = environment_lines(old, (repo / name).read_bytes())
                if pairs is not None:
                    environment[name] = pairs
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(workdir)], check=False)
        else:
            print(f"rebuilt copy kept in {workdir}", file=sys.stderr)
    table = compare(committed, rebuilt, environment)
    print(render(table, environment))
    return 0 if passes(table) else 1
