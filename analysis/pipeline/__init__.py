"""The stages of the pipeline, in the order ``make all`` runs them.

``validate`` checks every input under ``data/raw/``; ``build`` turns them into the
pseudonymised tables of ``data/processed/`` (the interview study, the documents);
``notebooks`` executes the parameterised notebooks that draw the figures; ``report``
gathers the executed notebooks into one HTML page; ``verify`` rebuilds everything in a
clean clone and compares it with what is committed.

Each stage is a command, ``python -m analysis validate|build|notebook|report|verify``,
with a ``main(argv)``. The stages call the computing modules of :mod:`analysis`; nothing
below this package imports a stage. Stages are imported on demand
(``from analysis.pipeline import build``), so importing this package loads none of them.
"""

__all__ = ["build", "notebooks", "report", "validate", "verify"]
