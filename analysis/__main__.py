"""The command line: ``python -m analysis <command> ...``.

Each command lives in the module that owns the concern and exposes ``main(argv)``;
this file only dispatches, so a command imports nothing it does not need. Bad input
(:class:`~analysis.errors.DataError`) becomes one line, ``error: FILE:LINE: reason``,
and exit status 2.
"""

from __future__ import annotations

import importlib
import sys

from .errors import DataError

#: command -> (module, one-line help)
COMMANDS = {
    "validate": ("analysis.pipeline.validate", "check every input under data/raw/"),
    "build": ("analysis.pipeline.build", "rebuild data/processed/ from data/raw/"),
    "transcripts": ("analysis.transcripts", "parse interview transcripts into turns"),
    "privacy": ("analysis.privacy", "pseudonymise, scan for identifiers, check for leaks"),
    "codebook": ("analysis.codebook", "check the SST codebook or write it as a table"),
    "coding": ("analysis.coding", "inline markup, segment checks, dictionary suggestions"),
    "qdpx": ("analysis.refi.cli", "import or export REFI-QDA projects (.qdpx, .qde, .qdc)"),
    "documents": ("analysis.documents", "ingest strategy documents; fetch missing ones"),
    "notebook": ("analysis.pipeline.notebooks", "execute a notebook reproducibly in place"),
    "synthetic": ("analysis.synthetic", "write the synthetic demo study"),
    "report": ("analysis.pipeline.report", "write the HTML report to build/report/"),
    "verify": ("analysis.pipeline.verify", "rebuild in a clean clone and compare every artefact"),
    "query": ("analysis.query", "coded passages by code, tier, era ..., with citations"),
    "thesis": ("analysis.thesis", "write the thesis tables, quote bank and codebook appendix"),
    "audit": ("analysis.audit", "print the audit trail: rounds, codebook changes, agreement"),
}


def usage() -> str:
    lines = ["usage: python -m analysis <command> [options]", "", "commands:"]
    lines += [f"  {name:<12} {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    try:
        return int(module.main(rest) or 0)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
