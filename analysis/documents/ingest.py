"""The documents stage: every shipped document ingested into ``texts/`` and
``sources.csv``, dictionary-coded by sentence, and the coverage of each code."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Mapping

from .. import paths
from ..errors import DataError
from ..io import atomic_write, csv_line, read_table, sha256_file, write_table
from .convert import REPAIR_COLUMNS, ingest_document, repair_conversion
from .manifest import load_manifest

SOURCE_COLUMNS = ["source_id", "kind", "title", "date", "date_precision", "type",
                  "strategy_id", "era", "sha256", "n_chars", "n_words"]


def ingest_corpus(manifest=None, out_dir=None, documents_dir=None):
    """Ingest every shipped document of the manifest.

    Writes ``out_dir/texts/<doc_id>.txt`` (removing texts of documents no longer
    shipped) and ``out_dir/sources.csv``. Every file is read and checked first, so a
    bad document writes nothing.

    Parameters
    ----------
    manifest : path-like, optional
        Defaults to ``data/raw/documents.csv``.
    out_dir : path-like, optional
        Defaults to ``data/processed/documents``.
    documents_dir : path-like, optional
        Where ``local_file`` paths point; defaults to ``data/raw/documents``.

    Returns
    -------
    pandas.DataFrame
        The sources table (:data:`SOURCE_COLUMNS`), sorted by ``source_id``.
    """
    import pandas as pd

    from ..text import tokenize
    from ..timeline import era_of

    manifest = Path(manifest or paths.DOCUMENTS_CSV)
    out_dir = Path(out_dir or paths.PROCESSED_DOCUMENTS)
    root = Path(documents_dir or paths.DOCUMENTS)
    df = load_manifest(manifest)
    texts, rows, repairs = {}, [], []
    for i, row in enumerate(df.itertuples(index=False)):
        if not row.local_file:
            continue
        file = root / row.local_file
        if not file.is_file():
            raise DataError(manifest, csv_line(i), f"local_file {row.local_file} is missing; "
                                                   "run `make fetch-documents`")
        if sha256_file(file) != row.sha256:
            raise DataError(manifest, csv_line(i), f"sha256 of {row.local_file} does not "
                                                   "match the manifest (file changed?)")
        text, _ = ingest_document(file)
        # the processed copy is repaired; every repair is listed in repairs.csv
        text, counts = repair_conversion(text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        repairs += [{"source_id": row.doc_id, "damaged": k.split(" -> ")[0],
                     "repaired": k.split(" -> ")[1], "count": n} for k, n in counts.items()]
        texts[row.doc_id] = text
        rows.append({"source_id": row.doc_id, "kind": "document", "title": row.title,
                     "date": row.date, "date_precision": row.date_precision,
                     "type": row.type, "strategy_id": row.strategy_id,
                     "era": "", "sha256": digest, "n_chars": len(text),
                     "n_words": len(tokenize(text))})
    sources = pd.DataFrame(rows, columns=SOURCE_COLUMNS).sort_values("source_id")
    if len(sources):
        sources["era"] = era_of(sources["date"]).fillna("").to_numpy(dtype=object)
    sources = sources.reset_index(drop=True)
    text_dir = out_dir / "texts"
    for doc_id, text in sorted(texts.items()):
        atomic_write(text_dir / f"{doc_id}.txt", text)
    for stale in sorted(text_dir.glob("*.txt")):
        if stale.stem not in texts:
            stale.unlink()
    write_table(sources, out_dir / "sources.csv", SOURCE_COLUMNS)
    write_table(pd.DataFrame(repairs, columns=REPAIR_COLUMNS).sort_values(
        ["source_id", "damaged"], kind="stable"), out_dir / "repairs.csv", REPAIR_COLUMNS)
    return sources


def read_texts(out_dir=None) -> dict[str, str]:
    """The processed texts written by :func:`ingest_corpus`, by source id."""
    from ..processed import read_texts as read_listed

    out_dir = Path(out_dir or paths.PROCESSED_DOCUMENTS)
    sources = read_table(out_dir / "sources.csv", required=SOURCE_COLUMNS)
    return read_listed(out_dir, sources["source_id"])


def code_corpus(out_dir=None, codebook=None):
    """Dictionary-code the texts :func:`ingest_corpus` wrote, by sentence, and measure
    each code's coverage.

    Writes ``out_dir/segments.csv`` (:data:`analysis.schema.SEGMENT_COLUMNS` with
    ``coder="dictionary"``, and the ``stem`` that matched) and ``out_dir/coverage.csv``
    (:func:`coverage`); ``python -m analysis build documents`` runs this after
    :func:`ingest_corpus`, in a folder it then swaps in whole.

    Parameters
    ----------
    out_dir : path-like, optional
        The folder of ``sources.csv`` and ``texts/``; defaults to
        ``data/processed/documents``.
    codebook : Codebook, optional
        Defaults to :func:`analysis.codebook.load_codebook` (the SST codebook).

    Returns
    -------
    pandas.DataFrame
        The segments written.
    """
    from ..codebook import load_codebook

    out_dir = Path(out_dir or paths.PROCESSED_DOCUMENTS)
    codebook = load_codebook() if codebook is None else codebook
    segments = code_documents(read_texts(out_dir), codebook, unit="sentence")
    sources = read_table(out_dir / "sources.csv", required=SOURCE_COLUMNS)
    write_table(segments, out_dir / "segments.csv")
    write_table(coverage(segments, sources), out_dir / "coverage.csv")
    return segments


def code_documents(texts: Mapping[str, str], codebook, **options):
    """SST dictionary coding of the document texts: segments with ``coder="dictionary"``.

    A thin call of :func:`analysis.coding.dictionary_code` (``options`` such as
    ``unit=`` are passed on), so documents and interviews are coded by one rule.

    Returns
    -------
    pandas.DataFrame
        The segments table: ``segment_id, source_id, code_id, start, end, coder, text``.
    """
    from ..coding import dictionary_code

    return dictionary_code(dict(texts), codebook, **options)


def coverage(segments, sources, source_col: str = "source_id", code_col: str = "code_id"):
    """How much of each document each code covers.

    Overlapping segments of one code are merged first, so no character counts twice.

    Parameters
    ----------
    segments : DataFrame
        ``source_id, code_id, start, end`` (offsets into the normalised texts).
    sources : DataFrame
        ``source_id, n_chars``.

    Returns
    -------
    pandas.DataFrame
        ``source_id, code_id, n_segments, chars, n_chars, share`` (``share`` =
        chars / n_chars), sorted by source and code.

    Examples
    --------
    >>> import pandas as pd
    >>> segs = pd.DataFrame({"source_id": ["d", "d", "d"], "code_id": ["th_funding"] * 3,
    ...                      "start": [0, 5, 20], "end": [10, 12, 30]})
    >>> coverage(segs, pd.DataFrame({"source_id": ["d"], "n_chars": [100]}))
      source_id     code_id  n_segments  chars  n_chars  share
    0         d  th_funding           3     22      100   0.22
    """
    import pandas as pd

    seg = segments[[source_col, code_col, "start", "end"]].copy()
    seg["start"] = pd.to_numeric(seg["start"]).astype("int64")
    seg["end"] = pd.to_numeric(seg["end"]).astype("int64")
    seg = seg.sort_values([source_col, code_col, "start", "end"], kind="stable")
    keys = [source_col, code_col]
    # a segment starts a new merged run when it begins after every earlier end
    reach = seg.groupby(keys, sort=False)["end"].cummax()
    prev_reach = reach.groupby([seg[source_col], seg[code_col]], sort=False).shift(1)
    seg["run"] = (prev_reach.isna() | (seg["start"] > prev_reach)).cumsum()
    runs = seg.groupby(keys + ["run"], sort=False).agg(start=("start", "min"),
                                                      end=("end", "max"))
    runs["chars"] = runs["end"] - runs["start"]
    chars = runs.groupby(level=keys)["chars"].sum()
    counts = seg.groupby(keys).size().rename("n_segments")
    out = pd.concat([counts, chars], axis=1).reset_index()
    n_chars = sources.set_index(source_col)["n_chars"].astype("int64")
    out["n_chars"] = out[source_col].map(n_chars).astype("int64")
    out["share"] = (out["chars"] / out["n_chars"]).round(6)
    out = out.rename(columns={source_col: "source_id", code_col: "code_id"})
    out = out[["source_id", "code_id", "n_segments", "chars", "n_chars", "share"]]
    return out.sort_values(["source_id", "code_id"]).reset_index(drop=True)
