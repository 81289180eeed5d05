"""``python -m analysis validate``: check every input under ``data/raw/``.

Each module that owns raw inputs exposes ``validate_all() -> list[DataError]``; this
command gathers them all and prints one line per problem (``error: FILE:LINE: reason``),
exiting 2 when there is any and 0 when all is well.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import DataError

#: Modules whose raw inputs are validated, in the order they are reported.
VALIDATORS = (
    "analysis.timeline",
    "analysis.participants",
    "analysis.codebook",
    "analysis.documents",
)


def validate_all() -> list[DataError]:
    """Every problem in every raw input, in a stable order."""
    problems: list[DataError] = []
    for name in VALIDATORS:
        problems.extend(importlib.import_module(name).validate_all())
    return problems


def main(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="python -m analysis validate",
                            description=__doc__.splitlines()[0]).parse_args(argv)
    problems = validate_all()
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        return 2
    print(f"validate: all inputs under data/raw/ are well-formed ({len(VALIDATORS)} checks)")
    return 0
