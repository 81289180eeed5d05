"""Every path in the compendium, found from the repository root.

Papermill, nbval, JupyterLab and make run with different working directories; all of
them import these constants, so no other module builds a data path by hand.

Examples
--------
>>> from analysis import paths
>>> paths.TIMELINE.relative_to(paths.ROOT).as_posix()
'data/raw/timeline'
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the folder holding ``pyproject.toml``). ``ANALYSIS_ROOT``
#: overrides it, which lets tests and ``make verify`` work on a copy.
ROOT = Path(os.environ.get("ANALYSIS_ROOT") or Path(__file__).resolve().parents[1])

DATA = ROOT / "data"
RAW = DATA / "raw"
PRIVATE = RAW / "private"
#: Processed tables; ``ANALYSIS_PROCESSED`` sends them elsewhere (a private study's
#: processed data live under ``build/private/processed``, never in tracked folders).
PROCESSED = Path(os.environ.get("ANALYSIS_PROCESSED") or DATA / "processed")
#: Where figures are saved; ``ANALYSIS_FIGURES`` sends them elsewhere, so a notebook can be
#: re-run with other parameters without touching the committed figures.
FIGURES = Path(os.environ.get("ANALYSIS_FIGURES") or ROOT / "figures")
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
#: HTML tables the notebooks write (not committed); ``ANALYSIS_TABLES`` sends them elsewhere.
TABLES = Path(os.environ.get("ANALYSIS_TABLES") or BUILD / "tables")

TIMELINE = RAW / "timeline"
STRATEGIES_CSV = TIMELINE / "strategies.csv"
REORGANISATIONS_CSV = TIMELINE / "reorganisations.csv"
BODY_COUNTS_CSV = TIMELINE / "body_counts.csv"
ERAS_CSV = TIMELINE / "eras.csv"
LAYER_ENDS_CSV = TIMELINE / "layer_ends.csv"

CODEBOOK_YML = RAW / "codebook" / "sst_codebook.yml"
DOCUMENTS_CSV = RAW / "documents.csv"
DOCUMENTS = RAW / "documents"
INTERVIEWS = RAW / "interviews"
DEMO_STUDY = INTERVIEWS / "demo"
PRIVACY_ALLOWLIST_CSV = RAW / "privacy_allowlist.csv"

#: The two processed studies (``make processed`` writes them).
PROCESSED_INTERVIEWS = PROCESSED / "interviews"
PROCESSED_DOCUMENTS = PROCESSED / "documents"

#: Files that ship inside the package (schema, stop-word list, vocabulary).
RESOURCES = Path(__file__).resolve().parent / "resources"


def study_dir(study: str = "demo") -> Path:
    """Return the raw folder of a study: ``"demo"`` (shipped, synthetic) or ``"private"``.

    >>> study_dir("demo").name
    'demo'
    """
    if study == "demo":
        return DEMO_STUDY
    if study == "private":
        return PRIVATE
    raise ValueError(f"unknown study {study!r}: expected 'demo' or 'private'")


#: Where everything derived from the private study goes: one git-ignored root.
PRIVATE_BUILD = BUILD / "private"


def output_roots(study: str = "demo") -> dict[str, Path]:
    """The folders a study's build writes: processed, notebooks, figures, report, tables,
    thesis.

    The demo writes the tracked locations; the private study writes only under the
    git-ignored ``build/private/``, so its results can never be committed by accident.

    >>> {k: relative(v) for k, v in output_roots("private").items()}
    ... # doctest: +NORMALIZE_WHITESPACE
    {'processed': 'build/private/processed', 'notebooks': 'build/private/notebooks',
     'figures': 'build/private/figures', 'report': 'build/private/report',
     'tables': 'build/private/tables', 'thesis': 'build/private/thesis'}
    >>> relative(output_roots("demo")["notebooks"])
    'notebooks'
    """
    if study == "demo":
        return {"processed": DATA / "processed", "notebooks": NOTEBOOKS,
                "figures": ROOT / "figures", "report": BUILD / "report",
                "tables": BUILD / "tables", "thesis": BUILD / "thesis"}
    if study == "private":
        return {name: PRIVATE_BUILD / name
                for name in ("processed", "notebooks", "figures", "report", "tables",
                             "thesis")}
    raise ValueError(f"unknown study {study!r}: expected 'demo' or 'private'")


def relative(path: os.PathLike | str) -> str:
    """Show ``path`` relative to the repository root when it lies inside it.

    Error messages and provenance sidecars use this, so they read the same on
    every machine.

    >>> relative(ROOT / "data" / "raw")
    'data/raw'
    >>> relative("/elsewhere/file.csv")
    '/elsewhere/file.csv'
    """
    p = Path(path)
    try:
        return p.resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return p.as_posix()
