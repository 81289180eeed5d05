"""Analysis compendium for *National IT strategy in the turbulent English NHS*.

Every computation behind the notebooks lives in this package, one module per concern:
``paths`` (where things are), ``errors`` (one ``DataError``), ``io`` (atomic writes,
deterministic tables, decoding), ``figures`` (one theme, one deterministic ``save``),
``timeline``, ``transcripts``, ``privacy``, ``codebook``, ``coding``, ``refi``,
``documents``, ``text``, ``matrices``, ``reliability``, ``alignment`` and ``synthetic``;
the stages of ``make all`` (validate, build, notebooks, report, verify) are in ``pipeline``.

Modules are imported on demand (``from analysis import timeline``) so that a notebook
starts fast; nothing here logs or prints at import time.
"""

__version__ = "0.1.0"
