"""The documents manifest (``data/raw/documents.csv``): one row per document, read
and checked, with the shipped files against their SHA-256."""

from __future__ import annotations

import re
from pathlib import Path

from .. import paths
from ..errors import DataError
from ..io import read_table, record_lines, sha256_file
from .convert import FORMATS

MANIFEST_COLUMNS = ["doc_id", "title", "publisher", "date", "date_precision", "type",
                    "strategy_id", "licence", "canonical_url", "local_file", "sha256", "notes"]
DOCUMENT_TYPES = ("strategy", "plan", "guidance", "review", "legislation", "board paper")
_DATE_FORMS = {"year": r"\d{4}", "month": r"\d{4}-\d{2}", "day": r"\d{4}-\d{2}-\d{2}"}
_DOC_ID = re.compile(r"[a-z0-9][a-z0-9_]*")
_STRATEGY_ID = re.compile(r"T1-\d{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _date_problem(date: str, precision: str) -> str | None:
    import datetime as dt

    if precision not in _DATE_FORMS:
        return f"date_precision {precision!r} is not one of year, month, day"
    if not re.fullmatch(_DATE_FORMS[precision], date):
        shape = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[precision]
        return f"date {date!r} does not have {precision} precision (expected {shape})"
    parts = [int(p) for p in date.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return f"date {date!r} is not a calendar date"
    return None


def _row_problems(df, path) -> list[DataError]:
    """Every problem in the manifest's rows, each naming its file line."""
    problems = []
    seen: dict[str, int] = {}
    for line, row in zip(record_lines(path, len(df)), df.itertuples(index=False)):

        def bad(reason: str) -> None:
            problems.append(DataError(path, line, reason))

        if not _DOC_ID.fullmatch(row.doc_id):
            bad(f"doc_id {row.doc_id!r} must be lower-case letters, digits and underscores")
        elif row.doc_id in seen:
            bad(f"doc_id {row.doc_id!r} repeats line {seen[row.doc_id]}")
        else:
            seen[row.doc_id] = line
        for col in ("title", "publisher", "licence"):
            if not getattr(row, col).strip():
                bad(f"{col} is empty")
        problem = _date_problem(row.date, row.date_precision)
        if problem:
            bad(problem)
        if row.type not in DOCUMENT_TYPES:
            bad(f"type {row.type!r} is not one of {', '.join(DOCUMENT_TYPES)}")
        if row.strategy_id and not _STRATEGY_ID.fullmatch(row.strategy_id):
            bad(f"strategy_id {row.strategy_id!r} is not a timeline id like T1-02")
        if not re.fullmatch(r"https?://\S+", row.canonical_url):
            bad(f"canonical_url {row.canonical_url!r} is not an http(s) address")
        if row.local_file:
            rel = Path(row.local_file)
            if rel.is_absolute() or ".." in rel.parts or "\\" in row.local_file:
                bad(f"local_file {row.local_file!r} must be a path inside data/raw/documents/")
            elif rel.suffix.lower() not in FORMATS:
                bad(f"local_file {row.local_file!r} has an unsupported suffix "
                    f"(expected one of {', '.join(sorted(FORMATS))})")
            if not row.sha256:
                bad("sha256 is empty although local_file is given")
        if row.sha256 and not _SHA256.fullmatch(row.sha256):
            bad(f"sha256 {row.sha256!r} is not 64 lower-case hex digits")
    return problems


def load_manifest(path=None):
    """Read and check the documents manifest.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/raw/documents.csv``.

    Returns
    -------
    pandas.DataFrame
        The :data:`MANIFEST_COLUMNS`, as strings (empty cells are "").

    Raises
    ------
    DataError
        The first problem, with its line: a wrong header, a repeated or malformed id,
        a date that does not match its precision, an unknown type, a bad URL, path or
        hash.

    Examples
    --------
    >>> m = load_manifest()
    >>> m.loc[m["doc_id"] == "data_saves_lives_2022", "strategy_id"].item()
    'T1-22'
    """
    path = Path(path or paths.DOCUMENTS_CSV)
    df = read_table(path, required=MANIFEST_COLUMNS, allow_extra=False)
    df = df[MANIFEST_COLUMNS]
    problems = _row_problems(df, path)
    if problems:
        raise problems[0]
    return df


def _timeline_strategy_ids(strategies) -> set[str] | None:
    """Ids of the timeline's strategies, or None when that table is absent."""
    path = Path(strategies or paths.STRATEGIES_CSV)
    if not path.is_file():
        return None
    return set(read_table(path, required=["id"])["id"])


def validate_all(manifest=None, documents_dir=None, strategies=None) -> list[DataError]:
    """Every problem with the manifest and the shipped files (an empty list when fine).

    Besides the checks of :func:`load_manifest`, each ``strategy_id`` must be an id of
    the timeline's strategies table (when it exists), and each ``local_file`` must
    exist under ``documents_dir`` with the SHA-256 the manifest gives.
    """
    path = Path(manifest or paths.DOCUMENTS_CSV)
    root = Path(documents_dir or paths.DOCUMENTS)
    try:
        df = read_table(path, required=MANIFEST_COLUMNS, allow_extra=False)[MANIFEST_COLUMNS]
    except DataError as exc:
        return [exc]
    problems = _row_problems(df, path)
    bad_lines = {p.line for p in problems}
    known = _timeline_strategy_ids(strategies)
    for line, row in zip(record_lines(path, len(df)), df.itertuples(index=False)):
        if known is not None and row.strategy_id and line not in bad_lines \
                and row.strategy_id not in known:
            problems.append(DataError(path, line, f"strategy_id {row.strategy_id} is not in "
                                                  "the timeline's strategies"))
        if not row.local_file or line in bad_lines:
            continue
        file = root / row.local_file
        if not file.is_file():
            problems.append(DataError(path, line, f"local_file {row.local_file} is missing; "
                                                  "run `make fetch-documents`"))
        elif sha256_file(file) != row.sha256:
            problems.append(DataError(path, line, f"sha256 of {row.local_file} does not match "
                                                  "the manifest (file changed?)"))
    return sorted(problems, key=lambda e: (e.line if isinstance(e.line, int) else 0))
