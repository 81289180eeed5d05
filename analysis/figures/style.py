"""The compendium's look: one palette, page widths, tier colours and one theme.

Every notebook calls :func:`use_theme` once. The palette is Okabe & Ito's
colour-blind-safe set (Okabe & Ito 2008, "Color Universal Design"); the sizes suit an A4
thesis page (text width about 16 cm); the tiers keep one colour in every figure.

>>> TIER_COLOURS["meso"] == OKABE_ITO["vermillion"]
True
"""

from __future__ import annotations

#: Okabe–Ito colours, in their published order (black last: used for text and rules).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [c for k, c in OKABE_ITO.items() if k != "black"]

#: Widths in inches: a full A4 text width (16 cm) and a half.
FULL_WIDTH = 6.3
HALF_WIDTH = 3.1

#: Colours of the three tiers, used by every notebook so that tiers read alike.
TIER_COLOURS = {"macro": OKABE_ITO["blue"], "meso": OKABE_ITO["vermillion"],
                "micro": OKABE_ITO["bluish green"]}

SVG_HASH_SALT = "nhs-it-meso-compendium"

_RC = {
    "figure.figsize": (FULL_WIDTH, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "font.family": "DejaVu Sans",  # ships with matplotlib: no font fallback differences
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": SVG_HASH_SALT,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "image.cmap": "cividis",
}

def use_theme() -> None:
    """Apply the compendium's theme (seaborn ``ticks`` style with the rcParams above)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="paper", style="ticks", palette=PALETTE, rc=_RC)
    mpl.rcParams.update(_RC)
