"""A private study built end to end (``make all STUDY=private``) in a copy of this repository.

The copy holds this repository's files (tracked and new, not ignored; never
``data/raw/private/``) as a fresh git repository, so that ``git status`` there means what
it means here, and runs this environment's ``.venv`` (never rebuilt in the copy).
``tests/conftest.py`` makes the copy once per test session (shared by the xdist workers,
:func:`shared_template`) and clones it for each study through its ``build_private_study``
fixture. The copy comes with what every private build would otherwise redo alike
(:func:`prepare_template`): the notebooks' dependency file, the public documents built
for a private study, and the notebooks that read no interview data.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; return its standard output (fail on a non-zero exit)."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def copy_repository(target: Path) -> Path:
    """This repository's working tree as a fresh git repository (see
    :func:`analysis.pipeline.verify.copy_working_tree`)."""
    from analysis.pipeline.verify import copy_working_tree

    return copy_working_tree(target, ROOT)


#: A study of one short interview: enough for the notebooks that read no interview data
#: (their outputs depend only on the timeline, the documents and their parameters).
PLACEHOLDER_STUDY = {
    "participants.csv": "participant_id,tier,transcript\nX01,meso,X01.txt\n",
    "identifier_key.csv": "original,replacement\nNobody Here,[Person X]\n",
    "transcripts/X01.txt": "Interviewer: What changed?\nRespondent: The systems did.\n",
}


def _reads_no_interviews(repo: Path) -> list[str]:
    """The notebooks whose stamps do not depend on the interviews (tools/notebook_deps.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("notebook_deps",
                                                  repo / "tools" / "notebook_deps.py")
    deps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(deps)
    return sorted(nb.stem for nb in (repo / "notebooks").glob("*.ipynb")
                  if "interviews" not in deps.notebook_reads(nb))


def prepare_template(repo: Path) -> Path:
    """Do in the copy, once, the steps of ``make all STUDY=private`` whose outputs are the
    same for every study: write ``build/notebook-deps.mk``, build the public documents
    into ``build/private/processed/documents`` and run the notebooks that read no
    interview data (01 and 03) on a placeholder study. The placeholder is then removed with
    everything built from it, so every clone builds its own study; make keeps those
    notebooks' outputs as long as their parameters for the clone's study are the same
    (``build/private/stamps/params-*.json``) and the files' times are kept. Fails loudly:
    a test would otherwise see its study's build redo them, or fail for a reason not its
    own."""
    notebooks = sorted(str(p.relative_to(repo)) for p in (repo / "notebooks").glob("*.ipynb"))
    private = repo / "data" / "raw" / "private"
    for name, text in PLACEHOLDER_STUDY.items():
        (private / name).parent.mkdir(parents=True, exist_ok=True)
        (private / name).write_text(text, encoding="utf-8")
    stamps = repo / "build" / "private" / "stamps"
    make = ["make", "-C", str(repo), f"VENV={VENV}", "-o", f"{VENV}/.stamp", "STUDY=private"]
    for step in ([sys.executable, "tools/notebook_deps.py", "build/notebook-deps.mk",
                  *notebooks],
                 [*make, "build/private/stamps/documents",
                  *(f"build/private/stamps/nb-{nb}" for nb in _reads_no_interviews(repo))]):
        done = run(repo, *step)
        if done.returncode:
            raise RuntimeError(f"preparing the repository copy: {' '.join(step)} failed:\n"
                               f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    shutil.rmtree(private)
    private.mkdir()
    shutil.rmtree(repo / "build" / "private" / "processed" / "interviews")
    for stale in stamps.glob("interviews-*"):
        stale.unlink()
    return repo


def shared_template(folder: Path) -> Path:
    """The prepared repository copy in ``folder``, made by the first worker to get here.

    Every xdist worker of a session calls this with the same folder; a lock lets one make
    the copy while the others wait, and a marker file says it is complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    repo, ready = folder / "repo", folder / "ready"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            shutil.rmtree(repo, ignore_errors=True)  # a half-made copy of a failed attempt
            repo.mkdir()
            prepare_template(copy_repository(repo))
            ready.touch()
    return repo


def clone(template: Path, target: Path) -> Path:
    """A working copy of ``template`` (made by :func:`copy_repository`) at ``target``.

    ``cp -a`` keeps the modification times, so make sees the same dependency order as in
    the template; the empty ``data/raw/private/`` (not tracked by git) comes along.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(template), str(target)], check=True)
    return target


def run(repo: Path, *command: str) -> subprocess.CompletedProcess:
    """Run ``command`` in ``repo`` as that repository (its package, its root, none of this
    session's ``ANALYSIS_*`` redirections or make variables); never raises on failure."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ANALYSIS_") and k not in {"STUDY", "MAKEFLAGS", "MAKELEVEL"}}
    env.update(PYTHONPATH=str(repo), ANALYSIS_ROOT=str(repo))
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True,
                          timeout=1800)


def make(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``make ARGS`` in ``repo`` with this environment's ``.venv``; never raises on failure."""
    # this environment's .venv, never rebuilt (-o): the copy has no .venv of its own
    return run(repo, "make", "-C", str(repo), f"VENV={VENV}", "-o", f"{VENV}/.stamp", *args)


@dataclass
class PrivateBuild:
    """One private study after ``make all STUDY=private`` in its own repository copy.

    ``repo`` is the copy, ``study`` whatever the study writer returned (the texts and
    codings it wrote, for the expected values), ``run`` the finished ``make`` process.
    """

    repo: Path
    study: Any
    run: subprocess.CompletedProcess

    @property
    def out(self) -> Path:
        """Where the private study's outputs go: ``build/private/`` of the copy."""
        return self.repo / "build" / "private"

    def make(self, *args: str) -> subprocess.CompletedProcess:
        return make(self.repo, *args)

    def git(self, *args: str) -> str:
        return git(self.repo, *args)

    def everything_written_is_clean(self, make=("thesis", "report")
                                    ) -> subprocess.CompletedProcess:
        """Write what a researcher writes next (``make thesis``, ``make report``: the
        targets in ``make``; and a ``qdpx export`` of the processed study, all under
        ``build/private/``), then
        leak-check everything under ``build/private/`` but the public documents (a study's
        key may name what public documents name: they are not the study's, and
        ``make all STUDY=private`` leaves them out too); return the first command that
        failed, else the check (its ``stdout`` ends with the findings count)."""
        for target in make:
            done = self.make(target, "STUDY=private")
            if done.returncode:
                return done
        python = str(VENV / "bin" / "python")
        done = run(self.repo, python, "-m", "analysis", "qdpx", "export", "--out",
                   "build/private/export/study.qdpx", "--study", "build/private/processed/interviews")
        if done.returncode:
            return done
        roots = [p for p in sorted(self.out.iterdir()) if p.name != "processed"]
        roots += [p for p in sorted((self.out / "processed").iterdir()) if p.name != "documents"]
        return run(self.repo, python, "-m", "analysis", "privacy", "check",
                   *[arg for root in roots for arg in ("--root", str(root))])
