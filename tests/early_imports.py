"""Loaded before every other plugin by ``make test`` (``-p tests.early_imports``).

nbval imports nbformat, which imports jsonschema, which imports ``rfc3987_syntax`` (a Lark
grammar compiled at import: about 1.5 s of CPU in every pytest process, for an ``iri``
format no notebook schema uses). The notebook runner skips that import the same way;
plugins load before any conftest, so this has to be a plugin named on the command line.
"""

from analysis.pipeline.notebooks import skip_iri_checker

skip_iri_checker()
