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

#: seaborn's ``ticks`` style (``seaborn.axes_style("ticks")``, seaborn 0.13), written out:
#: importing seaborn for these values cost every notebook about a second of CPU (it
#: imports scipy.stats), and nothing else of seaborn is used. tests/test_figures.py
#: checks that :func:`use_theme` still sets exactly what seaborn's ``set_theme`` sets.
#: (Its ``image.cmap``, seaborn's own "rocket", is left out: the settings below set one.)
SEABORN_TICKS = {
    "axes.axisbelow": True, "axes.edgecolor": ".15", "axes.facecolor": "white",
    "axes.grid": False, "axes.labelcolor": ".15", "axes.spines.bottom": True,
    "axes.spines.left": True, "axes.spines.right": True, "axes.spines.top": True,
    "figure.facecolor": "white", "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans",
                        "sans-serif"],
    "grid.color": ".8", "grid.linestyle": "-",
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True,
    "text.color": ".15", "xtick.bottom": True, "xtick.color": ".15",
    "xtick.direction": "out", "xtick.top": False, "ytick.color": ".15",
    "ytick.direction": "out", "ytick.left": True, "ytick.right": False,
}
#: seaborn's ``paper`` context: its ``notebook`` sizes scaled by 0.8, as seaborn computes them
SEABORN_PAPER = {k: v * 0.8 for k, v in {
    "axes.linewidth": 1.25, "grid.linewidth": 1, "lines.linewidth": 1.5,
    "lines.markersize": 6, "patch.linewidth": 1, "xtick.major.width": 1.25,
    "ytick.major.width": 1.25, "xtick.minor.width": 1, "ytick.minor.width": 1,
    "xtick.major.size": 6, "ytick.major.size": 6, "xtick.minor.size": 4,
    "ytick.minor.size": 4, "font.size": 12, "axes.labelsize": 12, "axes.titlesize": 12,
    "xtick.labelsize": 11, "ytick.labelsize": 11, "legend.fontsize": 11,
    "legend.title_fontsize": 12}.items()}


def use_theme() -> None:
    """Apply the compendium's theme: seaborn's ``ticks`` style in its ``paper`` context,
    the Okabe–Ito colour cycle, then the settings above (what
    ``seaborn.set_theme(context="paper", style="ticks", palette=PALETTE, rc=_RC)`` sets).
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(SEABORN_PAPER)
    mpl.rcParams.update(SEABORN_TICKS)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=[mpl.colors.to_rgb(c) for c in PALETTE])
    mpl.rcParams.update(_RC)
