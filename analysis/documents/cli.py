"""The document corpus from the command line: validate, ingest, fetch and code.

``python -m analysis documents {validate,ingest,fetch,code}``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .. import paths
from .fetch import fetch_documents
from .ingest import code_corpus, ingest_corpus
from .manifest import validate_all


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis documents {validate,ingest,fetch,code}``."""
    parser = argparse.ArgumentParser(prog="python -m analysis documents",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_val = sub.add_parser("validate", help="check the manifest and the shipped files")
    p_ing = sub.add_parser("ingest", help="write normalised texts and sources.csv")
    p_fet = sub.add_parser("fetch", help="download listed documents that are missing")
    for p in (p_val, p_ing, p_fet):
        p.add_argument("--manifest", type=Path, default=paths.DOCUMENTS_CSV)
    for p in (p_val, p_ing):
        p.add_argument("--documents-dir", type=Path, default=paths.DOCUMENTS)
    p_ing.add_argument("--out", type=Path, default=paths.PROCESSED_DOCUMENTS)
    p_fet.add_argument("--dest", type=Path, default=paths.DOCUMENTS)
    p_fet.add_argument("--base-url", default=None,
                       help="fetch from this server instead (tests)")
    p_fet.add_argument("--timeout", type=float, default=60.0)
    p_cod = sub.add_parser("code", help="SST dictionary coding of the ingested texts: "
                                        "segments.csv and coverage.csv")
    p_cod.add_argument("--out", type=Path, default=paths.PROCESSED_DOCUMENTS,
                       help="folder of sources.csv and texts/ (written by ingest)")
    p_cod.add_argument("--codebook", type=Path, default=paths.CODEBOOK_YML)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))

    if args.command == "validate":
        errors = validate_all(args.manifest, args.documents_dir)
    elif args.command == "ingest":
        sources = ingest_corpus(args.manifest, args.out, args.documents_dir)
        print(f"ingested {len(sources)} documents into {paths.relative(args.out)}")
        return 0
    elif args.command == "code":
        from ..codebook import load_codebook

        segments = code_corpus(args.out, load_codebook(args.codebook))
        print(f"{len(segments)} dictionary segments in {paths.relative(args.out)}")
        return 0
    else:
        _, errors = fetch_documents(args.manifest, args.dest, args.base_url, args.timeout)
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
    return 2 if errors else 0
