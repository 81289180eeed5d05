"""Rules a saved figure must meet so that a reader can read it, checked before saving.

A figure drawn from a real codebook (hundreds of codes) can put 230 column labels on a
few centimetres of axis and thousands of numbers in a small box. :func:`check` measures
the figure as it will be saved (the renderer's own text extents, in points at the saved
size) and :meth:`analysis.figures.Provenance.save` refuses a figure that breaks a rule,
naming the figure, the rule and the parameter that would fix it
(:class:`LegibilityError`, printed as one ``error:`` line, exit status 2).

The rules (:data:`RULES`):

``tick spacing``
    every tick label has at least :data:`MIN_TICK_PITCH` (8 pt) of axis;
``tick overlap``
    no two tick labels of an axis overlap (their rotated text boxes);
``annotation density``
    at most one annotation (text inside an axes) per :data:`AREA_PER_ANNOTATION`
    (100 pt², a 10 × 10 pt cell) of the axes;
``text size``
    no text under :data:`MIN_FONT_SIZE` (6 pt);
``label length``
    no tick label line longer than :data:`MAX_LABEL_CHARS` characters (shorten it with
    :func:`fit_label`; the full label goes to the figure's sidecar);
``page size``
    the saved figure fits an A4 page, portrait or landscape (at 300 dpi, 2480 × 3508
    pixels); beyond that, a view rolls up instead of shrinking its text.

Plotting functions say which parameter relieves a crowded axis with :func:`hint` and
record the labels they shortened with :func:`record_labels`; both are kept beside the
figure (a weak reference), never on it, so they change no saved byte.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(figsize=(2, 2))
>>> _ = ax.set_xticks(range(40), [f"code {i}" for i in range(40)], rotation=90)
>>> hint(ax, x="`top` (e.g. top: 10)")
>>> [p.rule for p in problems(fig)]
['tick spacing', 'tick overlap']
>>> print(problems(fig)[0].sentence())  # doctest: +ELLIPSIS
tick spacing: the x axis has 40 tick labels on ... pt (2.9 pt each; at least 8 pt needed); fix: `top` (e.g. top: 10)
>>> plt.close(fig)
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

from ..errors import DataError

__all__ = ["MIN_TICK_PITCH", "MIN_FONT_SIZE", "AREA_PER_ANNOTATION", "MAX_LABEL_CHARS",
           "A4_INCHES", "RULES", "LegibilityError", "Problem", "problems", "check", "hint",
           "record_labels", "recorded_labels", "fit_label"]

#: Least axis length per tick label, in points.
MIN_TICK_PITCH = 8.0
#: Smallest text allowed at the saved size, in points.
MIN_FONT_SIZE = 6.0
#: Axes area per annotation, in square points (a 10 × 10 pt cell).
AREA_PER_ANNOTATION = 100.0
#: Longest tick label line, in characters; longer labels are shortened with an ellipsis.
MAX_LABEL_CHARS = 60
#: An A4 page in inches (210 × 297 mm); at 300 dpi, 2480 × 3508 pixels.
A4_INCHES = (210 / 25.4, 297 / 25.4)
RULES = ("tick spacing", "tick overlap", "annotation density", "text size", "label length",
         "page size")

_HINTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LABELS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class LegibilityError(DataError):
    """A figure that breaks a legibility rule: ``FIGURE: rule: what, and how to fix it``."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: which, where (an axis or the figure), the measurement, the fix."""

    rule: str
    where: str
    detail: str
    fix: str

    def sentence(self) -> str:
        return f"{self.rule}: {self.where} {self.detail}; fix: {self.fix}"


def hint(ax, x: str | None = None, y: str | None = None, annotations: str | None = None) -> None:
    """Say which parameter relieves ``ax``'s crowded x or y axis (or its annotations).

    The sentence is used in the error when the axis breaks a rule, e.g.
    ``"`level` (a smaller depth) or `top` (e.g. top: 40)"``.
    """
    entry = dict(_HINTS.get(ax, {}))
    for key, value in (("x", x), ("y", y), ("annotations", annotations)):
        if value:
            entry[key] = value
    _HINTS[ax] = entry


def record_labels(fig, labels) -> None:
    """Record ``(shown, full)`` label pairs that :func:`fit_label` shortened, for the sidecar."""
    pairs = dict(_LABELS.get(fig, {}))
    for shown, full in labels:
        if shown != full:
            pairs[shown] = full
    _LABELS[fig] = pairs


def recorded_labels(fig) -> dict[str, str]:
    """The shortened labels recorded for ``fig``: shown -> full (sorted by shown)."""
    return dict(sorted(_LABELS.get(fig, {}).items()))


def fit_label(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``label`` on one line, shortened to ``limit`` characters at a word with an ellipsis.

    >>> fit_label("Reorganisation disruption / loss of organisational memory")
    'Reorganisation disruption / loss of organisational memory'
    >>> fit_label("Relationships with national bodies, arm's-length bodies and suppliers", 40)
    'Relationships with national bodies,…'
    """
    flat = " ".join(str(label).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if flat[len(cut)] != " " and space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


# --------------------------------------------------------------------------- measuring

def _pt(fig) -> float:
    """Points per display pixel."""
    return 72.0 / fig.dpi


def _box(text, renderer, pt: float):
    """The rotated rectangle of ``text`` in points: centre, half width, half height, angle."""
    rotated = text.get_window_extent(renderer)
    angle = text.get_rotation()
    text.set_rotation(0)  # the unrotated box gives the text's own width and height
    flat = text.get_window_extent(renderer)
    text.set_rotation(angle)
    return ((rotated.x0 + rotated.x1) / 2 * pt, (rotated.y0 + rotated.y1) / 2 * pt,
            flat.width / 2 * pt, flat.height / 2 * pt, math.radians(angle))


def _overlap(a, b, margin: float = 0.25) -> bool:
    """True when two rotated rectangles overlap by more than ``margin`` points (separating
    axis test on the four edge directions)."""
    def corners(r):
        cx, cy, hw, hh, t = r
        c, s = math.cos(t), math.sin(t)
        return [(cx + dx * c - dy * s, cy + dx * s + dy * c)
                for dx, dy in ((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh))]

    pa, pb = corners(a), corners(b)
    for t in (a[4], a[4] + math.pi / 2, b[4], b[4] + math.pi / 2):
        ux, uy = math.cos(t), math.sin(t)
        ra = [x * ux + y * uy for x, y in pa]
        rb = [x * ux + y * uy for x, y in pb]
        if min(max(ra), max(rb)) - max(min(ra), min(rb)) <= margin:
            return False
    return True


def _tick_labels(ax, which: str):
    """(position in points along the axis, Text) of the visible, non-empty tick labels."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    lo, hi = sorted(axis.get_view_interval())
    span = (hi - lo) or 1.0
    out = []
    for tick in axis.get_major_ticks() + axis.get_minor_ticks():
        loc = tick.get_loc()
        if loc is None or not (lo - 1e-9 * span <= loc <= hi + 1e-9 * span):
            continue
        if which == "x":
            at = ax.transData.transform([(loc, ax.get_ylim()[0])])[0][0]
        else:
            at = ax.transData.transform([(ax.get_xlim()[0], loc)])[0][1]
        out += [(at, label) for label in (tick.label1, tick.label2)
                if label.get_visible() and label.get_text().strip()]
    return out


def _axis_problems(fig, ax, which: str, renderer, pt: float) -> list[Problem]:
    labels = sorted(_tick_labels(ax, which), key=lambda p: p[0])
    if not labels:
        return []
    fix = _HINTS.get(ax, {}).get(which, "show fewer items or make the figure larger")
    where = f"the {which} axis{_of(ax)}"
    found = []
    positions = [p * pt for p, _ in labels]
    if len(labels) > 1:
        gaps = [b - a for a, b in zip(positions, positions[1:])]
        pitch = min(gaps)
        if pitch < MIN_TICK_PITCH - 1e-6:
            length = positions[-1] - positions[0] + pitch
            found.append(Problem("tick spacing", where,
                                 f"has {len(labels)} tick labels on {length:.0f} pt "
                                 f"({pitch:.1f} pt each; at least {MIN_TICK_PITCH:.0f} pt "
                                 "needed)", fix))
    boxes = [_box(t, renderer, pt) for _, t in labels]
    clash = next(((labels[i][1], labels[j][1]) for i in range(len(boxes))
                  for j in range(i + 1, min(i + 3, len(boxes)))
                  if _overlap(boxes[i], boxes[j])), None)
    if clash is not None:
        found.append(Problem("tick overlap", where,
                             f"has tick labels that overlap ({_quote(clash[0])} and "
                             f"{_quote(clash[1])})", fix))
    long = [t for _, t in labels
            if max(len(line) for line in t.get_text().split("\n")) > MAX_LABEL_CHARS]
    if long:
        found.append(Problem("label length", where,
                             f"has {len(long)} tick label(s) over {MAX_LABEL_CHARS} "
                             f"characters ({_quote(long[0])})",
                             "shorten them with analysis.figures.legibility.fit_label"))
    return found


def _of(ax) -> str:
    title = ax.get_title() or ax.get_title(loc="left")
    return f" of {_quote_text(title)}" if title else ""


def _quote(text) -> str:
    return _quote_text(text.get_text())


def _quote_text(s: str, limit: int = 48) -> str:
    flat = " ".join(s.split())
    return f"'{flat if len(flat) <= limit else flat[:limit - 1] + '…'}'"


def _annotation_problems(ax, renderer, pt: float) -> list[Problem]:
    box = ax.get_window_extent(renderer)
    area = box.width * box.height * pt * pt
    inside = 0
    for text in ax.texts:
        if not (text.get_visible() and text.get_text().strip()):
            continue
        x, y = text.get_transform().transform(text.get_position())
        if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1:
            inside += 1
    if inside and inside * AREA_PER_ANNOTATION > area + 1e-6:
        fix = _HINTS.get(ax, {}).get("annotations", "annotate fewer cells")
        return [Problem("annotation density", f"the axes{_of(ax)}",
                        f"has {inside} annotations in {area:.0f} pt² ({area / inside:.0f} pt² "
                        f"each; at least {AREA_PER_ANNOTATION:.0f} pt² needed)", fix)]
    return []


def problems(fig) -> list[Problem]:
    """Every rule ``fig`` breaks, measured as it will be saved; empty when it is legible."""
    from matplotlib.text import Text

    # lays out ticks and text as saving will, without painting pixels (a third of a draw)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    pt = _pt(fig)
    found: list[Problem] = []
    small = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and t.get_fontsize() < MIN_FONT_SIZE - 1e-9]
    if small:
        found.append(Problem("text size", "the figure",
                             f"has {len(small)} text(s) under {MIN_FONT_SIZE:.0f} pt "
                             f"({_quote(small[0])} at {small[0].get_fontsize():g} pt)",
                             f"draw text at {MIN_FONT_SIZE:.0f} pt or more"))
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for which in ("x", "y"):
            found += _axis_problems(fig, ax, which, renderer, pt)
        found += _annotation_problems(ax, renderer, pt)
    import matplotlib as mpl

    pad = float(mpl.rcParams["savefig.pad_inches"])
    tight = fig.get_tightbbox(renderer)
    width, height = tight.width + 2 * pad, tight.height + 2 * pad
    short, long = A4_INCHES
    if not ((width <= short + 1e-6 and height <= long + 1e-6)
            or (width <= long + 1e-6 and height <= short + 1e-6)):
        axes_hints = [h for ax in fig.axes for h in _HINTS.get(ax, {}).values()]
        found.append(Problem("page size", "the figure",
                             f"is {width * 2.54:.1f} × {height * 2.54:.1f} cm, more than an "
                             "A4 page (21.0 × 29.7 cm either way)",
                             axes_hints[0] if axes_hints else "show fewer items"))
    return found


def check(fig, name: str) -> None:
    """Raise :class:`LegibilityError` naming ``name`` and the first broken rule.

    ``name`` is the file the figure would be saved as (shown in the error).
    """
    found = problems(fig)
    if found:
        extra = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise LegibilityError(name, None, f"not saved, illegible: {found[0].sentence()}{extra}")
