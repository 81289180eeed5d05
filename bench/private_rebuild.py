"""The researcher's loop, timed: a real-size private study rebuilt by ``make``.

A researcher recodes in QualCoder (or NVivo), re-exports, runs ``make all STUDY=private``
and looks at the figures. This scenario writes such a study into a temporary copy of the
repository and times three builds there, each a real ``make`` run as the researcher
types it:

``cold``
    ``make all STUDY=private`` on a copy that has never built the study (the public
    documents, the interviews, every notebook, the leak check);
``re-export``
    the same after the coding project is replaced by a re-export in which 5 % of the
    codings were recoded (another code on the same words), as a second pass in QualCoder
    leaves it;
``no-op``
    ``make all STUDY=private`` again, with nothing changed.

The study is :func:`analysis.synthetic.fieldwork.write_study_folder` at the size of
issue 22 (30 interviews of about 6,000 words, 230 codes in 55 categories three deep,
750 codings by one coder who is also the interviewer, a QualCoder project); ``scale``
shrinks the interviews and codings for a quick run. The copy uses this repository's
``.venv`` (never rebuilt there), as the end-to-end tests do.

Usage: ``python bench/private_rebuild.py [--scale S]`` prints the three times;
``bench/run.py`` runs it after the large study and records it in ``bench/results.json``
under ``private_rebuild``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"

#: Issue 22's study, at scale 1.
FULL = {"n_interviews": 30, "words_per_interview": 6000, "n_codes": 230, "n_categories": 55,
        "depth": 3, "n_codings": 750}
#: Share of the codings a re-export recodes.
RECODED = 0.05
#: Issue 22's targets for the loop, in seconds.
TARGETS = {"cold_seconds": 45.0, "re_export_seconds": 25.0, "no_op_seconds": 1.0}


def study_size(scale: float) -> dict:
    """The study at ``scale`` (interviews and codings shrink; the codebook does not).

    >>> study_size(1)["n_interviews"], study_size(0.1)["n_interviews"], study_size(0.1)["n_codings"]
    (30, 3, 75)
    """
    return {**FULL, "n_interviews": max(2, round(FULL["n_interviews"] * scale)),
            "n_codings": max(20, round(FULL["n_codings"] * scale))}


def make(repo: Path, *args: str) -> tuple[float, str]:
    """``make ARGS`` in ``repo`` with this repository's ``.venv``; (wall seconds, output)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ANALYSIS_") and k not in {"STUDY", "MAKEFLAGS", "MAKELEVEL"}}
    env.update(PYTHONPATH=str(repo), ANALYSIS_ROOT=str(repo), ANALYSIS_PROGRESS="0")
    start = time.perf_counter()
    done = subprocess.run(["make", "-C", str(repo), f"VENV={VENV}", "-o", f"{VENV}/.stamp",
                           *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"error: make {' '.join(args)} failed in the bench copy "
                         f"(exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds, done.stdout


def re_export(project: Path, share: float = RECODED, seed: int = 22) -> int:
    """Recode ``share`` of a QualCoder project's text codings to another code, as a second
    pass in QualCoder would (same words, another code); return how many changed."""
    import random

    db = project / "data.qda"
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT ctid, cid FROM code_text ORDER BY ctid").fetchall()
        codes = [c for (c,) in con.execute("SELECT cid FROM code_name ORDER BY cid")]
        rng = random.Random(seed)
        chosen = rng.sample(rows, max(1, round(share * len(rows))))
        for ctid, cid in chosen:
            con.execute("UPDATE code_text SET cid = ? WHERE ctid = ?",
                        (rng.choice([c for c in codes if c != cid]), ctid))
    os.utime(db)  # a re-export is a new file: make sees it newer than the last build
    return len(chosen)


def executed(output: str) -> list[str]:
    """The notebooks a make run executed (its one line per notebook)."""
    return sorted(line.split()[1].rsplit("/", 1)[-1] for line in output.splitlines()
                  if line.startswith("executed "))


def run(scale: float = 1.0, keep: Path | None = None) -> dict:
    """Write the study into a repository copy and time the three builds; the results."""
    sys.path.insert(0, str(ROOT))
    from analysis.pipeline.verify import copy_working_tree
    from analysis.synthetic.fieldwork import write_study_folder

    work = keep or Path(tempfile.mkdtemp(prefix="nhs-it-private-bench-"))
    try:
        repo = copy_working_tree(work / "repo")
        size = study_size(scale)
        start = time.perf_counter()
        study = write_study_folder(repo / "data" / "raw" / "private", **size,
                                   coders=("janesmith",), coder_names={"janesmith": "coder_a"},
                                   project="qualcoder", seed=22)
        written = time.perf_counter() - start
        words = sum(len(t.split()) for t in study.texts.values())
        runs = {}
        for name, prepare in (("cold", None), ("re_export", re_export), ("no_op", None)):
            changed = prepare(study.project) if prepare else 0
            load = os.getloadavg()[0]
            seconds, output = make(repo, "all", "STUDY=private")
            runs[name] = {"seconds": round(seconds, 2), "load_before": round(load, 2),
                          "notebooks_executed": executed(output),
                          **({"codings_recoded": changed} if prepare else {})}
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"],
                                capture_output=True, text=True, check=True).stdout
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return {"scale": scale, "study": {**size, "words": words, "codings": len(study.codings),
                                      "coders": 1, "project": "QualCoder",
                                      "write_seconds": round(written, 2)},
            "runs": runs, "git_clean_after": status == "",
            "targets": TARGETS if scale == 1 else {},
            "targets_met": ({k: runs[k.removesuffix("_seconds")]["seconds"] <= v
                             for k, v in TARGETS.items()} if scale == 1 else {})}


def report(results: dict) -> str:
    """One line per build."""
    s = results["study"]
    lines = [f"private study: {s['n_interviews']} interviews, {s['words']:,} words, "
             f"{s['n_codes']} codes in {s['n_categories']} categories, {s['codings']} codings "
             f"(QualCoder project, one coder)"]
    for name, r in results["runs"].items():
        target = results["targets"].get(f"{name}_seconds")
        mark = "" if target is None else f"  (target <= {target:g} s: " + (
            "met)" if r["seconds"] <= target else "MISSED)")
        lines.append(f"  make all STUDY=private, {name.replace('_', '-'):<9} "
                     f"{r['seconds']:7.2f} s  notebooks run: {len(r['notebooks_executed'])}"
                     f"{mark}")
    lines.append(f"  git status clean after: {results['git_clean_after']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(args.scale, args.keep)
    print(json.dumps(results, indent=1) if args.json else report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
