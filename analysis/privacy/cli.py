"""The command line: ``python -m analysis privacy check|scan|pseudonymise ...``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import paths
from ..errors import DataError
from ..io import atomic_write, decode_text, normalise_newlines, write_table
from .keys import load_key
from .leaks import leak_report, unchanged_since_last_check
from .pseudonymisation import pseudonymise
from .scanner import SCAN_COLUMNS, scan


def _read_text(path: Path) -> str:
    """A raw text for the command line: a Word transcript as the pipeline reads it (so
    offsets match the processed text), anything else decoded, with LF line ends."""
    if not path.is_file():
        raise DataError(path, None, "file not found")
    if path.suffix.lower() == ".docx":
        from ..transcripts import parse_transcript

        return parse_transcript(path).text
    return normalise_newlines(decode_text(path.read_bytes(), path).text)


def _check(args) -> int:
    if args.cache is not None:
        # nothing changed since a clean check: answer without reading a file (or pandas)
        quick = unchanged_since_last_check(args.root, args.key, args.allowlist, args.cache)
        if quick is not None:
            n_files, n_keys = quick
            print(f"privacy check ok: {n_files} files checked ({n_files} unchanged since "
                  f"the last check), {n_keys} key entries, 0 findings")
            return 0
    table, n_files, n_keys, unchanged = leak_report(args.root, args.key, args.allowlist,
                                                    cache=args.cache)
    for row in table.itertuples(index=False):
        # a key entry is shown by its key row: printing the identifier would leak it
        detail = f"({row.match})" if row.kind == "key entry" else repr(row.match)
        print(f"{row.path}:{row.line}:{row.column}: {row.kind} {detail}")
    status = "FAILED" if len(table) else "ok"
    note = f" ({unchanged} unchanged since the last check)" if unchanged else ""
    print(f"privacy check {status}: {n_files} files checked{note}, {n_keys} key entries, "
          f"{len(table)} findings")
    return 1 if len(table) else 0


def _scan(args) -> int:
    import pandas as pd

    key = load_key(args.key) if args.key else None
    tables = []
    for f in args.files:
        text = _read_text(f)
        text = pseudonymise(text, key).text if key is not None else text
        tables.append(scan(text, source=paths.relative(f)))
    table = pd.concat(tables, ignore_index=True)
    for row in table.itertuples(index=False):
        print(f"{row.source}:{row.line}:{row.column}: {row.kind} {row.match!r}")
    counts = table["kind"].value_counts().sort_index()
    summary = ", ".join(f"{k} {n}" for k, n in counts.items()) or "nothing"
    print(f"scan: {len(args.files)} files, {len(table)} to review ({summary})")
    if args.out:
        write_table(table, args.out, SCAN_COLUMNS)
    return 0


def _pseudonymise(args) -> int:
    new = pseudonymise(_read_text(args.file), load_key(args.key))
    atomic_write(args.out, new.text)
    print(f"pseudonymised {paths.relative(args.file)} -> {paths.relative(args.out)}: "
          f"{len(new.edits)} replacements")
    return 0


def main(argv: list[str]) -> int:
    """``python -m analysis privacy check|scan|pseudonymise ...``."""
    parser = argparse.ArgumentParser(prog="python -m analysis privacy")
    sub = parser.add_subparsers(dest="action", required=True)
    p_check = sub.add_parser(
        "check", help="fail (exit 1) if a key entry or an identifier pattern appears in "
                      "data/processed/, figures/, notebooks/, build/report/, build/thesis/ "
                      "or build/private/")
    p_check.add_argument("--root", action="append", type=Path,
                         help="folder or file to check (repeatable; default: data/processed, "
                              "figures, notebooks, build/report, build/thesis, build/private)")
    p_check.add_argument("--key", action="append", type=Path,
                         help="identifier key (repeatable; default: every key present)")
    p_check.add_argument("--allowlist", action="append", type=Path,
                         help="allowlist (repeatable; default: data/raw/privacy_allowlist.csv "
                              "and data/raw/private/privacy_allowlist.csv)")
    p_check.add_argument("--cache", type=Path,
                         help="fingerprint file: files found clean by the last check and "
                              "unchanged since are not read again (make all keeps one in "
                              "build/); a file with findings is read every time")
    p_check.set_defaults(run=_check)
    p_scan = sub.add_parser("scan", help="list possible identifiers in raw files for review")
    p_scan.add_argument("files", nargs="+", type=Path)
    p_scan.add_argument("--key", type=Path,
                        help="pseudonymise with this key first: list what the key misses")
    p_scan.add_argument("--out", type=Path, help="also write the review table as CSV")
    p_scan.set_defaults(run=_scan)
    p_pseud = sub.add_parser("pseudonymise", help="pseudonymise one text with a key")
    p_pseud.add_argument("file", type=Path)
    p_pseud.add_argument("--key", required=True, type=Path)
    p_pseud.add_argument("--out", required=True, type=Path)
    p_pseud.set_defaults(run=_pseudonymise)
    args = parser.parse_args(argv)
    return args.run(args)
