"""Loading ``data/processed/``: the pseudonymised interview study and the document corpus.

Notebooks read the processed tables through these two functions, so every notebook sees
the same types (integer offsets, empty strings for empty cells) and the same checks.

>>> study = load_interviews()
>>> sorted(study.texts)[:2]
['P01', 'P02']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import DataError
from .io import read_table

_INT_COLUMNS = ("start", "end", "turn", "years_in_nhs", "n_chars", "n_words", "n_segments",
                "chars")
_FLOAT_COLUMNS = ("share",)


@dataclass(frozen=True)
class Interviews:
    """The processed interview study: one attribute per table, ``texts`` by source id."""

    sources: object
    texts: dict
    turns: object
    participants: object
    codes: object
    segments: object
    dictionary_segments: object
    folder: Path


@dataclass(frozen=True)
class Documents:
    """The processed document corpus: sources, texts and dictionary segments."""

    sources: object
    texts: dict
    segments: object
    coverage: object
    folder: Path


def _table(path: Path, required=()):
    import pandas as pd

    df = read_table(path, required=required)
    for col in _INT_COLUMNS:
        if col in df.columns:
            values = df[col].replace("", None)
            try:
                df[col] = values.astype("Int64") if values.isna().any() else values.astype(int)
            except (TypeError, ValueError):
                raise DataError(path, None, f"column {col!r} holds a non-integer value") from None
    for col in _FLOAT_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
            if df[col].isna().any():
                raise DataError(path, None, f"column {col!r} holds a non-numeric value")
    return df


def read_texts(folder: os.PathLike | str, source_ids) -> dict[str, str]:
    """The texts ``folder/texts/<source_id>.txt`` of the sources listed, by source id.

    The one reader of processed texts: every stage and notebook gets the exact
    strings the offsets were computed on (UTF-8, no newline translation).
    """
    folder = Path(folder)
    texts = {}
    for sid in source_ids:
        file = folder / "texts" / f"{sid}.txt"
        if not file.is_file():
            raise DataError(file, None, "file not found (listed in sources.csv)")
        try:
            texts[sid] = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(file, None, f"not UTF-8 (byte {exc.start})") from None
    return texts


def load_interviews(folder: os.PathLike | str | None = None) -> Interviews:
    """Read ``data/processed/interviews/`` (or ``folder``) written by ``build interviews``."""
    folder = Path(folder) if folder is not None else paths.PROCESSED_INTERVIEWS
    sources = _table(folder / "sources.csv", ["source_id", "participant_id"])
    return Interviews(
        sources=sources,
        texts=read_texts(folder, sources["source_id"]),
        turns=_table(folder / "turns.csv", ["source_id", "turn", "speaker", "role"]),
        participants=_table(folder / "participants.csv", ["participant_id", "tier"]),
        codes=_table(folder / "codes.csv", ["code_id", "parent_id", "facet"]),
        segments=_table(folder / "segments.csv", ["segment_id", "source_id", "code_id"]),
        dictionary_segments=_table(folder / "dictionary_segments.csv",
                                   ["segment_id", "source_id", "code_id"]),
        folder=folder,
    )


def load_documents(folder: os.PathLike | str | None = None) -> Documents:
    """Read ``data/processed/documents/`` (or ``folder``) written by ``build documents``."""
    folder = Path(folder) if folder is not None else paths.PROCESSED_DOCUMENTS
    sources = _table(folder / "sources.csv", ["source_id", "date", "era"])
    return Documents(
        sources=sources,
        texts=read_texts(folder, sources["source_id"]),
        segments=_table(folder / "segments.csv", ["segment_id", "source_id", "code_id"]),
        coverage=_table(folder / "coverage.csv", ["source_id", "code_id"]),
        folder=folder,
    )
