"""Figures: one look (:mod:`.style`) and one deterministic way to save (:mod:`.saving`).

A notebook starts with::

    figures.use_theme()
    figs = figures.provenance("01_strategy_timeline", parameters, inputs)

and saves each figure with ``figs.save(fig, "01_strategy_timeline")``, which writes
``figures/<name>.png``, ``.svg`` and a provenance sidecar ``.json``.
"""

from .saving import (FIGURE_SUFFIXES, Provenance, compare, package_versions, provenance,
                     sidecar)
from .style import (FULL_WIDTH, HALF_WIDTH, OKABE_ITO, PALETTE, SVG_HASH_SALT, TIER_COLOURS,
                    use_theme)

__all__ = ["FIGURE_SUFFIXES", "FULL_WIDTH", "HALF_WIDTH", "OKABE_ITO", "PALETTE", "Provenance",
           "SVG_HASH_SALT", "TIER_COLOURS", "compare", "package_versions", "provenance",
           "sidecar", "use_theme"]
