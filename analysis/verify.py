"""``make verify``: rebuild everything in a clean copy and compare every committed artefact.

The committed state (``git HEAD``) is cloned into a temporary folder, ``make all`` runs
there from scratch (its own ``.venv`` from the lock file), and every committed file under
``data/processed/``, ``figures/`` and ``notebooks/`` is hashed before and after. One table
is printed — artefact, committed hash, rebuilt hash, identical? — and the exit status is 1
when anything differs or a new artefact appears, 0 when the rebuild is byte-identical.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from . import paths
from .io import sha256_file

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


def compare(committed: dict[str, str], rebuilt: dict[str, str]):
    """One row per artefact: path, committed and rebuilt hash, and whether they match.

    >>> compare({"figures/a.png": "11"}, {"figures/a.png": "11", "figures/b.png": "22"})
    ... # doctest: +NORMALIZE_WHITESPACE
                artefact committed rebuilt  identical
    0  figures/a.png        11      11       True
    1  figures/b.png                22      False
    """
    import pandas as pd

    names = sorted(set(committed) | set(rebuilt))
    rows = [{"artefact": n, "committed": committed.get(n, ""), "rebuilt": rebuilt.get(n, ""),
             "identical": committed.get(n) == rebuilt.get(n)} for n in names]
    return pd.DataFrame(rows, columns=["artefact", "committed", "rebuilt", "identical"])


def render(table) -> str:
    """The table as fixed-width text with short hashes, and a summary line."""
    lines = [f"{'artefact':<64} {'committed':<12} {'rebuilt':<12} identical"]
    for r in table.itertuples(index=False):
        lines.append(f"{r.artefact:<64} {r.committed[:12]:<12} {r.rebuilt[:12]:<12} "
                     f"{'yes' if r.identical else 'NO'}")
    n_bad = int((~table["identical"]).sum())
    lines.append(f"{len(table)} artefacts, {len(table) - n_bad} identical, {n_bad} different")
    return "\n".join(lines)




def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis verify",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the rebuilt copy")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="verify-"))
    try:
        repo = workdir / "repo"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(paths.ROOT),
                        str(repo)], check=True)
        committed = artefact_hashes(repo)
        subprocess.run(["make", "-C", str(repo), "all"], check=True, stdout=sys.stderr)
        rebuilt = artefact_hashes(repo)
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(workdir)], check=False)
        else:
            print(f"rebuilt copy kept in {workdir}", file=sys.stderr)
    table = compare(committed, rebuilt)
    print(render(table))
    return 0 if bool(table["identical"].all()) else 1
