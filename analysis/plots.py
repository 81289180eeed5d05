"""Drawing the compendium's figures: tidy tables in, a matplotlib Figure out.

Computation stays in the topic modules (``timeline``, ``matrices`` ...); this module
only draws, with the theme of :mod:`analysis.figures.style`, so that notebooks stay thin and
every figure of a kind looks alike. Every function returns the Figure and leaves saving
to :meth:`analysis.figures.Provenance.save`.
"""

from __future__ import annotations

import textwrap
from typing import Sequence

import numpy as np
import pandas as pd

from . import hierarchy
from .figures import legibility
from .figures.style import FULL_WIDTH, OKABE_ITO, PALETTE
from .schema import TIERS, check_choice

#: One colour per control model, used by every figure that shows them.
CONTROL_COLOURS = {
    "centralised procurement": OKABE_ITO["vermillion"],
    "mixed": OKABE_ITO["orange"],
    "local choice with national standards": OKABE_ITO["blue"],
}

_TYPE_ORDER = ("strategy", "plan", "programme", "review", "legislation", "body")


def short_label(title: str, width: int = 42) -> str:
    """A title cut at its first colon or bracket and shortened to ``width`` characters.

    >>> short_label("Information for Health: An Information Strategy for the Modern NHS")
    'Information for Health'
    >>> short_label("NHS National Programme for IT (NPfIT)")
    'NHS National Programme for IT'
    """
    for sep in (":", " (", " - ", " – "):
        if sep in title[3:]:
            title = title[: title.index(sep, 3)]
    return textwrap.shorten(title.strip(), width=width, placeholder="…")


def _year(ts) -> np.ndarray:
    """Dates as fractional years, for a numeric time axis."""
    ts = pd.to_datetime(pd.Series(ts))
    start = pd.to_datetime(ts.dt.year.astype(str) + "-01-01")
    days = np.where(ts.dt.is_leap_year, 366.0, 365.0)
    return (ts.dt.year + (ts - start).dt.days / days).to_numpy(dtype=float)


def strategy_timeline(items: pd.DataFrame, start: int, end: int, label_density: str = "all"):
    """Bars for each strategy, programme, review, plan, law or body, coloured by control model.

    Parameters
    ----------
    items : DataFrame
        ``id, title, type, control_model, start_date, end_date`` — for strategies proper,
        ``end_date`` as given by :func:`analysis.timeline.strategy_periods`; for the rest
        as in :func:`analysis.timeline.load_strategies`. Items with no end date (a
        review, a plan, a law) are drawn as a point at their start, not as a bar.
    start, end : int
        Years shown.
    label_density : {"all", "strategies", "none"}
        Label every item, only the strategies proper, or none (ids only).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    check_choice("label_density", label_density, ("all", "strategies", "none"))
    rank = {t: i for i, t in enumerate(_TYPE_ORDER)}
    rows = items.assign(_rank=items["type"].map(rank)).sort_values(
        ["_rank", "start_date", "id"], kind="stable").reset_index(drop=True)
    x0 = _year(rows["start_date"])
    point = rows["end_date"].isna().to_numpy()
    x1 = np.where(point, x0, _year(rows["end_date"].fillna(rows["start_date"])))
    height = max(2.5, 0.2 * len(rows) + 1.0)
    fig, ax = plt.subplots(figsize=(FULL_WIDTH, height))
    for i, r in rows.iterrows():
        colour = CONTROL_COLOURS[r["control_model"]]
        if point[i]:
            ax.plot(x0[i], i, marker="D", markersize=4.5, color=colour, linestyle="none")
        else:
            ax.barh(i, max(x1[i] - x0[i], 0.15), left=x0[i], height=0.62, color=colour,
                    edgecolor=colour, linewidth=0.6)
        if label_density == "all" or (label_density == "strategies" and r["type"] == "strategy"):
            text = f"{r['id']} {short_label(r['title'])}"
        else:
            text = r["id"]
        right = x1[i] + 0.4
        # about a third of a year per character at this width and font size
        if right + 0.33 * (end + 1 - start) / 35 * len(text) < end + 1:
            ax.text(right, i, text, va="center", ha="left", fontsize=6.5, clip_on=True)
        else:
            ax.text(x0[i] - 0.4, i, text, va="center", ha="right", fontsize=6.5, clip_on=True)
    for t, grp in rows.groupby("type", sort=False):
        ax.text(start - 0.5, grp.index.min(), t, fontsize=7, fontweight="bold",
                ha="right", va="center", color=OKABE_ITO["black"])
    ax.set_xlim(start, end + 1)
    ax.set_ylim(len(rows) - 0.4, -0.8)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("year")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    handles = [Patch(color=c, label=m) for m, c in CONTROL_COLOURS.items()]
    handles.append(Line2D([], [], marker="D", color="#777777", linestyle="none", markersize=4.5,
                          label="no end date in the sources (a point)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.7 / height),
              ncol=2, fontsize=7)
    ax.set_title(f"National NHS IT strategies, programmes, reviews and bodies, {start}–{end}")
    return fig


def control_model_share(table: pd.DataFrame, start: int, end: int):
    """Stacked area: share of strategies in force each year, by control model.

    ``table`` comes from :func:`analysis.timeline.control_model_over_time`.
    """
    import matplotlib.pyplot as plt

    wide = (table[(table["year"] >= start) & (table["year"] <= end)]
            .pivot(index="year", columns="control_model", values="n_active")
            .reindex(columns=list(CONTROL_COLOURS)).fillna(0))
    fig, ax = plt.subplots(figsize=(FULL_WIDTH, 2.4))
    ax.stackplot(wide.index, *[wide[c] for c in wide.columns], step="post",
                 colors=[CONTROL_COLOURS[c] for c in wide.columns], labels=list(wide.columns),
                 alpha=0.9)
    ax.set_xlim(start, end)
    ax.set_ylabel("strategies in force")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", fontsize=7)
    ax.set_title("Control model of the national strategies in force")
    return fig


def reorganisation_overlay(periods: pd.DataFrame, events: pd.DataFrame, steps: pd.DataFrame,
                           turbulence: pd.DataFrame, it_events: pd.DataFrame, start: int,
                           end: int, window_years: int, evidence: pd.DataFrame | None = None):
    """Strategy periods, reorganisations, meso-tier bodies and turbulence on one time axis.

    Panels, top to bottom: (a) strategy periods coloured by control model, with meso-tier
    reorganisations as vertical rules and national IT body changes as triangles;
    (b) bodies per meso-tier layer as steps (log scale); (c) turbulence, the number of
    meso-tier reorganisations in a trailing window; and, when ``evidence`` is given,
    (d) interview evidence placed on the timeline (``tier, year, n_segments`` from
    :func:`analysis.anchoring.evidence_by_year`).
    """
    import matplotlib.pyplot as plt

    n = 4 if evidence is not None else 3
    ratios = [1.2, 2.4, 1.0] + ([1.2] if evidence is not None else [])
    fig, axes = plt.subplots(n, 1, figsize=(FULL_WIDTH, 1.6 * sum(ratios) + 0.6),
                             sharex=True, gridspec_kw={"height_ratios": ratios})
    ax = axes[0]
    x0, x1 = _year(periods["start_date"]), _year(periods["end_date"])
    # years per point of text on this axis, to tell whether a label fits inside its bar
    years_per_pt = (end + 1 - start) / (ax.get_position().width * FULL_WIDTH * 72)
    for i, r in periods.reset_index(drop=True).iterrows():
        lane = i % 2
        ax.barh(lane, x1[i] - x0[i], left=x0[i], height=0.8,
                color=CONTROL_COLOURS[r["control_model"]], alpha=0.85)
        _bar_label(ax, r["id"], lane, x0, x1, i, years_per_pt)
    for x, label in zip(_year(events["event_date"]), events["id"]):
        for a in axes:
            a.axvline(x, color="#555555", linewidth=0.6, linestyle=":", zorder=0)
        ax.text(x, 2.05, label.replace("T2-", ""), fontsize=6, rotation=90, ha="center",
                va="bottom", clip_on=True)
    ax.scatter(_year(it_events["event_date"]), np.full(len(it_events), -0.85), marker="v",
               s=18, color=OKABE_ITO["reddish purple"], zorder=3,
               label="national IT body created or merged")
    ax.set_ylim(1.6 + 1.6, -1.3)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.legend(loc="lower left", fontsize=6.5, bbox_to_anchor=(0, 0.98), frameon=False)
    ax.set_title("(a) strategies in force, meso-tier reorganisations (dotted) and "
                 "national IT bodies (▼)", fontsize=8, loc="left", pad=14)

    ax = axes[1]
    layers = list(dict.fromkeys(steps["layer"]))
    colours = {layer: PALETTE[i % len(PALETTE)] for i, layer in enumerate(layers)}
    styles = ["-", "--", "-.", ":"]
    for j, layer in enumerate(layers):
        part = steps[steps["layer"] == layer]
        xs = np.ravel(np.column_stack([_year(part["start_date"]), _year(part["end_date"])]))
        ys = np.repeat(part["count_high"].to_numpy(dtype=float), 2)
        ax.plot(xs, ys, color=colours[layer], linestyle=styles[(j // len(PALETTE)) % 4],
                linewidth=1.4, label=layer)
        for (_, r), a, b in zip(part.iterrows(), _year(part["start_date"]),
                                _year(part["end_date"])):
            if r["count_low"] != r["count_high"]:
                ax.fill_between([a, b], r["count_low"], r["count_high"],
                                color=colours[layer], alpha=0.25, linewidth=0)
    ax.set_yscale("log")
    ax.set_ylim(3, 3000)  # headroom above the largest layer (481 PCGs) for the legend
    ax.set_ylabel("bodies (log scale)")
    ax.legend(ncol=6, fontsize=6, loc="upper center", frameon=False)
    ax.set_title("(b) bodies in each meso-tier layer (shaded: a range in the sources)",
                 fontsize=8, loc="left")

    ax = axes[2]
    ax.step(turbulence["year"], turbulence["events_in_window"], where="post",
            color=OKABE_ITO["vermillion"], linewidth=1.4)
    ax.fill_between(turbulence["year"], turbulence["events_in_window"], step="post",
                    color=OKABE_ITO["vermillion"], alpha=0.2)
    ax.set_ylabel("events")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"(c) turbulence: meso-tier reorganisations in the last {window_years} years",
                 fontsize=8, loc="left")

    if evidence is not None:
        from .figures.style import TIER_COLOURS

        ax = axes[3]
        for tier in TIERS:
            part = evidence[evidence["tier"] == tier]
            if len(part):
                ax.step(part["year"] + 0.5, part["n_segments"], where="mid", linewidth=1.3,
                        color=TIER_COLOURS[tier], label=tier)
        ax.set_ylabel("segments")
        ax.legend(ncol=3, fontsize=6.5, loc="upper left", frameon=False)
        ax.set_title("(d) interview evidence: coded segments referring to each year, by "
                     "speaker's tier", fontsize=8, loc="left")
    axes[-1].set_xlim(start, end + 1)
    axes[-1].set_xlabel("year")
    fig.align_ylabels(axes)
    # under the year axis, monospaced so that the key's columns line up
    axes[-1].annotate(reorganisation_key(events), xy=(0, 0), xycoords="axes fraction",
                      xytext=(-40, -34), textcoords="offset points", fontsize=6, va="top",
                      ha="left", family="DejaVu Sans Mono", linespacing=1.4)
    return fig


def reorganisation_key(events: pd.DataFrame, per_line: int = 2) -> str:
    """The key to the numbered reorganisation rules: ``NN year short name``, in date order.

    >>> ev = pd.DataFrame({"id": ["T2-10", "T2-07"], "event_date": ["2013-04-01", "2002-04-01"],
    ...                    "name": ["Health and Social Care Act 2012 reforms",
    ...                             "Shifting the Balance of Power"]})
    >>> print(reorganisation_key(ev, per_line=2))
    Meso-tier reorganisations (dotted rules):
    07  2002  Shifting the Balance of Power                 10  2013  Health and Social Care Act 2012 reforms
    """
    ordered = events.assign(when=pd.to_datetime(events["event_date"])).sort_values(
        ["when", "id"], kind="stable")
    items = [f"{i.replace('T2-', ''):<3} {w.year}  {short_label(n, 44):<44}"
             for i, w, n in zip(ordered["id"], ordered["when"], ordered["name"])]
    lines = ["  ".join(items[k:k + per_line]).rstrip()
             for k in range(0, len(items), per_line)]
    return "\n".join(["Meso-tier reorganisations (dotted rules):", *lines])


def _bar_label(ax, label: str, lane: int, x0, x1, i: int, years_per_pt: float) -> None:
    """Label bar ``i`` inside when the text fits, else beside it where its lane is free."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    size = 6.5
    width = TextPath((0, 0), label, size=size,
                     prop=FontProperties(family="DejaVu Sans", weight="bold")).get_extents().width
    need = width * years_per_pt + 0.3
    if x1[i] - x0[i] >= need:
        ax.text(x0[i] + 0.15, lane, label, fontsize=size, va="center", color="white",
                fontweight="bold")
        return
    # the neighbours in the same lane are two bars away (lanes alternate)
    right_free = i + 2 >= len(x0) or x0[i + 2] - x1[i] >= need
    left_free = i - 2 < 0 or x0[i] - x1[i - 2] >= need
    if right_free:
        ax.text(x1[i] + 0.1, lane, label, fontsize=size, va="center", ha="left",
                fontweight="bold")
    elif left_free:
        ax.text(x0[i] - 0.1, lane, label, fontsize=size, va="center", ha="right",
                fontweight="bold")
    else:  # no room in the lane: under the bar, in the gap above the event numbers
        ax.text((x0[i] + x1[i]) / 2, lane + 0.45, label, fontsize=legibility.MIN_FONT_SIZE,
                va="top", ha="center", fontweight="bold")


def steps_table(steps: pd.DataFrame, layers: Sequence[str]) -> pd.DataFrame:
    """Step segments of ``layers`` as a readable table (years, counts, how each ended)."""
    out = steps[steps["layer"].isin(layers)].copy()
    out["from"] = out["start_date"].dt.strftime("%Y-%m-%d")
    out["to"] = out["end_date"].dt.strftime("%Y-%m-%d")
    out["count"] = np.where(out["count_low"] == out["count_high"], out["count_low"].astype(str),
                            out["count_low"].astype(str) + "–" + out["count_high"].astype(str))
    return out[["layer", "from", "to", "count", "end_rule"]].reset_index(drop=True)


#: The printable part of an A4 page (1.5 cm margins), in inches: a figure grows up to it
#: (portrait or landscape) and no further; beyond that a view rolls up.
PRINT_SHORT, PRINT_LONG = 7.1, 10.5
#: Least cell (and tick) pitch of a grown grid, in points: above the 8 pt of axis a
#: tick label needs, and the height of a 7 pt label (8.2 pt) so rotated labels clear.
CELL_MIN = 10.0
#: Pitch a grown grid aims for when the page has room, in points.
CELL_TARGET = 14.0
#: Longest label line of a grown grid, in characters (shortened with an ellipsis).
GROWN_LABEL_CHARS = 40
#: The compendium's own layout (a 6.3-inch figure, labels at 40°) holds this many columns
#: at 13 pt or more (a 40° label of 7 pt needs 12.7 pt to clear its neighbour) and this
#: many rows before it outgrows a page; larger grids are laid out by size.
CLASSIC_MAX_COLS, CLASSIC_MAX_ROWS = 25, 36
#: Where a view's parameters go, for the error a crowded axis raises.
VIEW_HINT = ("set `top` (fewer codes) or a smaller `level` (codes rolled up into their "
             "categories) in study.yml's `parameters` for this notebook")


def _text_widths(labels: Sequence[str], size: float) -> list[float]:
    """Widths in points of one-line ``labels`` set in the theme's font at ``size``."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(10, 10, 72)  # 72 dpi: pixels are points
    prop = FontProperties(family="DejaVu Sans", size=size)
    return [renderer.get_text_width_height_descent(str(t), prop, ismath=False)[0]
            for t in labels]


def _grid_margins(row_labels, col_labels, title: str) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) of a grown grid, in points."""
    left = max(_text_widths(row_labels, 7) or [0]) + 8
    bottom = max(_text_widths(col_labels, 7) or [0]) + 8
    top = 22 + 13 * title.count("\n")
    right = 62  # colour bar, its ticks and its label
    return left, right, top, bottom


def _grid_size(n_rows: int, n_cols: int, margins) -> tuple[float, float, bool]:
    """Axes width and height in points for a grown grid, and whether it fits a page."""
    left, right, top, bottom = margins
    need_w, need_h = n_cols * CELL_MIN, n_rows * CELL_MIN
    best = None
    for page_w, page_h in ((PRINT_SHORT, PRINT_LONG), (PRINT_LONG, PRINT_SHORT)):
        room_w, room_h = page_w * 72 - left - right, page_h * 72 - top - bottom
        if need_w <= room_w and need_h <= room_h:
            width = min(room_w, max(need_w, n_cols * CELL_TARGET,
                                    FULL_WIDTH * 72 - left - right))
            height = min(room_h, max(need_h, n_rows * CELL_TARGET))
            return width, height, True
        slack = min(room_w / max(need_w, 1), room_h / max(need_h, 1))
        if best is None or slack > best[0]:
            best = (slack, max(room_w, 1.0), max(room_h, 1.0))
    return best[1], best[2], False  # drawn too small: saving names the rule and the fix


def grid_capacity(n_rows: int | None, row_labels: Sequence[str], col_labels: Sequence[str],
                  title: str = "") -> int:
    """The most columns a :func:`heatmap` can show legibly beside ``n_rows`` rows.

    ``n_rows=None`` asks for a square grid (co-occurrence: the same codes on both axes).
    ``col_labels`` are the labels the columns may have (the longest decides the room
    they take); ``row_labels`` those of the rows.

    >>> grid_capacity(3, ["macro", "meso", "micro"], ["a code"] * 300) >= 50
    True
    >>> grid_capacity(None, [], ["a code"] * 300) < grid_capacity(3, ["macro"], ["a code"])
    True
    """
    cols = [legibility.fit_label(c, GROWN_LABEL_CHARS) for c in col_labels] or [""]
    rows = cols if n_rows is None else \
        [legibility.fit_label(r, GROWN_LABEL_CHARS) for r in row_labels] or [""]
    margins = _grid_margins(rows, cols, title)
    best = 0
    for n in range(1, 401):
        fits = _grid_size(n if n_rows is None else n_rows, n, margins)[2]
        classic = n <= CLASSIC_MAX_COLS and (n if n_rows is None else n_rows) <= CLASSIC_MAX_ROWS
        if fits or classic:
            best = n
        elif n > CLASSIC_MAX_COLS:
            break
    return max(best, 1)  # not even one column fits: the figure's own check will say why


def rows_capacity() -> int:
    """The most rows (codes) a per-code plot (:func:`agreement_forest`) shows legibly.

    >>> rows_capacity()
    65
    """
    return int((PRINT_LONG - _FOREST_MARGIN) * 72 // CELL_MIN) - 1


def choose_view(codes: pd.DataFrame, segments: pd.DataFrame | None, *, shape: str = "columns",
                rows: Sequence[str] = (), level: int | None = None, under: str = "",
                top: int | None = None, facet: str | None = None, other: bool = True,
                count=None):
    """The view of the study's codes a figure shows (:func:`analysis.hierarchy.choose`),
    with the room the figure has worked out from its layout.

    Parameters
    ----------
    shape : {"columns", "square", "rows"}
        Codes as the columns of a :func:`heatmap` beside ``rows`` (row labels), on both
        axes of a square heatmap, or as the rows of a per-code plot.
    level, under, top, facet, other, count
        As :func:`analysis.hierarchy.choose`.
    """
    from .codebook import labels_of

    check_choice("shape", shape, ("columns", "square", "rows"))
    if shape == "rows":
        capacity = rows_capacity()
    else:
        labels = list(labels_of(codes).values())
        capacity = grid_capacity(None if shape == "square" else len(rows), list(rows), labels)
    return hierarchy.choose(codes, segments, capacity, level=level, under=under, top=top,
                            facet=facet, other=other, count=count)


def cooccurrence_view(codes: pd.DataFrame, segments: pd.DataFrame, min_count: int, *,
                      level: int | None = None, under: str = "", top: int | None = None,
                      facet: str | None = None):
    """The view of a co-occurrence heatmap: as :func:`choose_view` for a square grid,
    counting only the codes the heatmap shows (those in a pair seen ``min_count`` times
    or more, by overlap); codes outside the top N are left out, not summed."""
    from .matrices import cooccurrence

    def shown(view) -> int:
        co = cooccurrence(view.apply(segments), codes=view.codes, by="overlap")
        co = co[co["n"] >= min_count]
        return len(set(co["code_a"]) | set(co["code_b"]))

    return choose_view(codes, segments, shape="square", level=level, under=under, top=top,
                       facet=facet, other=False, count=shown)


def view_title(title: str, view) -> str:
    """``title`` with the view's description on a second line (unchanged when the view
    shows every code as it is).

    >>> view_title("Segments per participant", None)
    'Segments per participant'
    """
    description = getattr(view, "description", "")
    return f"{title}\n{description}" if description else title


def _shown(labels: Sequence[str], limit: int) -> list[str]:
    return [legibility.fit_label(str(t), limit) for t in labels]


def heatmap(wide: pd.DataFrame, title: str, value_label: str, fmt: str = ".0f",
            row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
            vmax: float | None = None, annotate: bool = True, width: float = FULL_WIDTH,
            row_hint: str | None = None, col_hint: str | None = None):
    """A labelled heatmap of a wide table (rows × columns), in the colour-blind-safe cividis map.

    Cells are annotated with their values (``fmt``) when ``annotate`` and a cell has room
    (at least 10 × 10 pt and the number's width); missing cells are left blank. Up to
    :data:`CLASSIC_MAX_COLS` columns and :data:`CLASSIC_MAX_ROWS` rows the figure is the
    compendium's usual one (``width`` wide, labels at 40°); a larger grid grows with the
    data, cell by cell, up to a printable A4 page (portrait or landscape), with column
    labels upright and every label cut to :data:`GROWN_LABEL_CHARS` characters (the full
    labels go to the figure's sidecar). ``row_hint`` and ``col_hint`` name the parameter
    that relieves a crowded axis, for the error saving raises when the grid cannot be
    made legible.
    """
    import matplotlib.pyplot as plt

    values = wide.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    full_rows = [str(t) for t in (row_labels if row_labels is not None else wide.index)]
    full_cols = [str(t) for t in (col_labels if col_labels is not None else wide.columns)]
    classic = n_cols <= CLASSIC_MAX_COLS and n_rows <= CLASSIC_MAX_ROWS
    limit = legibility.MAX_LABEL_CHARS if classic else GROWN_LABEL_CHARS
    rows, cols = _shown(full_rows, limit), _shown(full_cols, limit)
    top_value = (vmax if vmax is not None else np.nanmax(values)
                 if values.size and np.isfinite(values).any() else 1)
    if classic:
        height = max(2.2, 0.24 * n_rows + 1.6)
        fig, ax = plt.subplots(figsize=(width, height))
        image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="cividis",
                          vmin=0, vmax=top_value)
        ax.set_xticks(range(n_cols), cols, rotation=40, ha="right", rotation_mode="anchor",
                      fontsize=7)
        bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        cell_w = cell_h = float("inf")  # the usual layout has room for every number
    else:
        left, right, top, bottom = margins = _grid_margins(rows, cols, title)
        axes_w, axes_h, _ = _grid_size(n_rows, n_cols, margins)
        fig_w, fig_h = left + axes_w + right, top + axes_h + bottom
        fig = plt.figure(figsize=(fig_w / 72, fig_h / 72))
        ax = fig.add_axes((left / fig_w, bottom / fig_h, axes_w / fig_w, axes_h / fig_h))
        cax = fig.add_axes(((left + axes_w + 8) / fig_w, bottom / fig_h, 9 / fig_w,
                            axes_h / fig_h))
        image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="cividis",
                          vmin=0, vmax=top_value)
        ax.set_xticks(range(n_cols), cols, rotation=90, ha="right", va="center",
                      rotation_mode="anchor", fontsize=7)
        bar = fig.colorbar(image, cax=cax)
        cell_w, cell_h = axes_w / max(n_cols, 1), axes_h / max(n_rows, 1)
    ax.set_yticks(range(n_rows), rows, fontsize=7)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate and values.size:
        texts = {(i, j): format(v, fmt) for (i, j), v in np.ndenumerate(values) if np.isfinite(v)}
        widest = max(_text_widths(sorted(set(texts.values()), key=len)[-1:], 6) or [0])
        if cell_w >= 10 and cell_h >= 10 and widest + 1 <= cell_w:
            for (i, j), text in texts.items():
                ax.text(j, i, text, ha="center", va="center", fontsize=6,
                        color="white" if values[i, j] < 0.55 * top_value else "black")
    bar.set_label(value_label, fontsize=7)
    bar.ax.tick_params(labelsize=6)
    ax.set_title(title)
    legibility.record_labels(fig, zip(rows + cols, full_rows + full_cols))
    legibility.hint(ax, x=col_hint, y=row_hint)
    return fig


#: Room a per-code plot takes above and below its rows (title, axis, label), in inches.
_FOREST_MARGIN = 1.2


def _rows_figure(n: int, row_inches: float, extra_inches: float):
    """Figure and axes for ``n`` rows of labelled markers: the usual ``row_inches`` per
    row (plus ``extra_inches``) while that fits a page, else rows packed down to
    :data:`CELL_MIN` points each, up to a printable page."""
    import matplotlib.pyplot as plt

    if row_inches * n + extra_inches <= PRINT_LONG:
        return plt.subplots(figsize=(FULL_WIDTH, row_inches * n + extra_inches))
    pitch = max(CELL_MIN, min(row_inches * 72, (PRINT_LONG - _FOREST_MARGIN) * 72 / n))
    height = _FOREST_MARGIN + n * pitch / 72
    fig = plt.figure(figsize=(FULL_WIDTH, height))
    return fig, fig.add_axes((0.35, 0.75 / height, 0.6, n * pitch / 72 / height))


def agreement_forest(ci: pd.DataFrame, labels: dict, statistic: str = "kappa",
                     order: Sequence[str] | None = None, title: str | None = None,
                     hint_rows: str | None = None):
    """Per-code agreement with bootstrap intervals, one marker per unit of analysis.

    ``ci`` comes from :func:`analysis.reliability.agreement_ci` for one or more units
    (``code_id, unit, statistic, estimate, low, high``); codes are drawn in ``order``
    (default: by the first unit's estimate, lowest first, the overall row last). Rows are
    0.22 inches apart while they fit a page, then packed down to :data:`CELL_MIN` points
    each (:func:`rows_capacity` of them at most).
    ``title`` replaces the default title; ``hint_rows`` names the parameter that
    relieves a crowded axis.
    """
    data = ci[ci["statistic"] == statistic]
    units = list(dict.fromkeys(data["unit"]))
    if order is None:
        first = data[data["unit"] == units[0]].set_index("code_id")["estimate"]
        overall = [c for c in first.index if c.startswith("(")]
        order = list(first.drop(overall).sort_values(kind="stable").index) + overall
    y = {c: i for i, c in enumerate(order)}
    n = len(order)
    fig, ax = _rows_figure(n, 0.22, 1.4)
    markers = ["o", "s", "^", "D"]
    for k, unit in enumerate(units):
        part = data[(data["unit"] == unit) & data["code_id"].isin(y)]
        pos = part["code_id"].map(y).to_numpy(dtype=float) + (k - (len(units) - 1) / 2) * 0.25
        ax.errorbar(part["estimate"], pos,
                    xerr=[part["estimate"] - part["low"], part["high"] - part["estimate"]],
                    fmt=markers[k % 4], markersize=3.5, linewidth=0.9, capsize=1.5,
                    color=PALETTE[k], label=unit)
    full = [str(labels.get(c, c)) for c in order]
    shown = _shown(full, legibility.MAX_LABEL_CHARS)
    ax.set_yticks(range(n), shown, fontsize=6.5)
    ax.set_ylim(n - 0.5, -0.5)
    for ref, style in ((0.6, ":"), (0.8, "--")):  # conventional "moderate"/"substantial" marks
        ax.axvline(ref, color="#888888", linestyle=style, linewidth=0.7)
    ax.set_xlabel(f"{statistic} (95% bootstrap interval)")
    ax.legend(title="unit", fontsize=7, title_fontsize=7, loc="lower left")
    ax.set_title(title or f"Inter-coder agreement per code ({statistic})")
    legibility.record_labels(fig, zip(shown, full))
    legibility.hint(ax, y=hint_rows)
    return fig


def corpus_timeline(documents: pd.DataFrame, periods: pd.DataFrame, start: int, end: int):
    """The documents of the manifest on the strategy periods: shipped (filled) or listed.

    ``documents`` has ``doc_id, date, type, local_file`` (the manifest);
    ``periods`` comes from :func:`analysis.timeline.strategy_periods`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    fig, ax = plt.subplots(figsize=(FULL_WIDTH, 2.8))
    x0, x1 = _year(periods["start_date"]), _year(periods["end_date"])
    for i, r in periods.reset_index(drop=True).iterrows():
        ax.axvspan(x0[i], x1[i], ymin=0, ymax=0.08, color=CONTROL_COLOURS[r["control_model"]],
                   alpha=0.9, linewidth=0)
    types = [t for t in ("strategy", "plan", "review", "guidance", "legislation", "board paper")
             if t in set(documents["type"])]
    lane = {t: i for i, t in enumerate(types)}
    when = _year(pd.to_datetime(documents["date"].str.slice(0, 7), format="%Y-%m"))
    shipped = documents["local_file"].astype(str).str.len() > 0
    for k, (x, t, s) in enumerate(zip(when, documents["type"], shipped)):
        y = lane[t] + 1
        ax.plot(x, y, marker="o", markersize=5, linestyle="none",
                color=PALETTE[lane[t] % len(PALETTE)], markerfacecolor=None if s else "white")
    ax.set_yticks([lane[t] + 1 for t in types], types)
    ax.set_ylim(-0.2, len(types) + 2.4)  # room above the lanes for the legend
    ax.set_xlim(start, end + 1)
    ax.set_xlabel("year")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    handles = [Line2D([], [], marker="o", linestyle="none", color="#555555", label="text shipped"),
               Line2D([], [], marker="o", linestyle="none", color="#555555",
                      markerfacecolor="white", label="listed with its URL (make fetch-documents)")]
    handles += [Line2D([], [], color=c, linewidth=5, label=m) for m, c in CONTROL_COLOURS.items()]
    ax.legend(handles=handles, ncol=2, fontsize=6.5, loc="upper left", frameon=False)
    ax.set_title("Documents of the corpus on the strategy periods (bottom band)")
    return fig


def term_rates(table: pd.DataFrame, group: str, order: Sequence[str] | None = None):
    """Grouped bars: rate per 10,000 words of each term in each group (e.g. era)."""
    import matplotlib.pyplot as plt

    wide = table.pivot(index="term", columns=group, values="rate")
    if order is not None:
        wide = wide.reindex(columns=[g for g in order if g in wide.columns])
    n_terms, n_groups = wide.shape
    fig, ax = plt.subplots(figsize=(FULL_WIDTH, 2.8))
    width = 0.8 / max(n_groups, 1)
    for k, g in enumerate(wide.columns):
        ax.bar(np.arange(n_terms) + (k - (n_groups - 1) / 2) * width, wide[g], width=width,
               color=PALETTE[k % len(PALETTE)], label=g)
    ax.set_xticks(range(n_terms), wide.index, rotation=30, ha="right")
    ax.set_ylabel("per 10,000 words")
    ax.legend(title=group, fontsize=7, title_fontsize=7)
    ax.set_title(f"Term frequencies by {group}")
    return fig


def keyness_bars(table: pd.DataFrame, label_a: str, label_b: str, top: int = 15):
    """Horizontal bars of log ratio for the ``top`` keywords of each side (by G²)."""
    import matplotlib.pyplot as plt

    a = table[table["log_ratio"] > 0].head(top)
    b = table[table["log_ratio"] < 0].head(top)
    both = pd.concat([a, b]).sort_values("log_ratio", kind="stable")
    fig, ax = plt.subplots(figsize=(FULL_WIDTH, 0.17 * len(both) + 1.2))
    colours = np.where(both["log_ratio"] > 0, PALETTE[4], PALETTE[5])
    ax.barh(range(len(both)), both["log_ratio"], color=colours)
    ax.set_yticks(range(len(both)), both["term"], fontsize=6.5)
    ax.axvline(0, color="#333333", linewidth=0.6)
    ax.set_xlabel(f"log ratio (log2): > 0 more frequent in {label_a}, < 0 in {label_b}")
    ax.set_title(f"Keywords: {label_a} against {label_b} (top {top} by G² each way)")
    return fig


def policy_practice_shares(shares: pd.DataFrame, labels: dict, order: Sequence[str],
                           title: str | None = None, hint_rows: str | None = None):
    """Each theme's share of policy coding against each tier's, with bootstrap intervals.

    ``shares`` has ``code_id, group, estimate, low, high`` where ``group`` is
    ``"policy"`` or a tier; themes are drawn in ``order`` (0.36 inches apart while they fit
    a page, then packed as in :func:`agreement_forest`). ``title`` replaces the default
    title; ``hint_rows`` names the parameter that relieves a crowded axis.
    """
    from .figures.style import TIER_COLOURS

    groups = ["policy"] + [t for t in TIERS if t in set(shares["group"])]
    colours = {"policy": OKABE_ITO["black"], **TIER_COLOURS}
    markers = {"policy": "D", "macro": "o", "meso": "s", "micro": "^"}
    y = {c: i for i, c in enumerate(order)}
    fig, ax = _rows_figure(len(order), 0.36, 1.3)
    for k, g in enumerate(groups):
        part = shares[(shares["group"] == g) & shares["code_id"].isin(y)]
        pos = part["code_id"].map(y).to_numpy(dtype=float) + (k - (len(groups) - 1) / 2) * 0.18
        ax.errorbar(part["estimate"], pos,
                    xerr=[part["estimate"] - part["low"], part["high"] - part["estimate"]],
                    fmt=markers[g], markersize=4, linewidth=0.9, capsize=1.5,
                    color=colours[g], label=g)
    full = [str(labels.get(c, c)) for c in order]
    shown = _shown(full, legibility.MAX_LABEL_CHARS)
    ax.set_yticks(range(len(order)), shown, fontsize=7)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel("share of the group's theme coding (95% bootstrap interval)")
    height = fig.get_figheight()
    ax.legend(ncol=4, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.6 / height),
              frameon=False)
    ax.set_title(title or "Policy emphasis (documents) against practice (interviews) by tier")
    legibility.record_labels(fig, zip(shown, full))
    legibility.hint(ax, y=hint_rows)
    return fig


def divergence_by_era(table: pd.DataFrame, eras: Sequence[str]):
    """Jensen–Shannon divergence of each tier from policy, era by era (grouped bars)."""
    import matplotlib.pyplot as plt

    from .figures.style import TIER_COLOURS

    tiers = [t for t in TIERS if t in set(table["tier"])]
    eras = [e for e in eras if e in set(table["era_id"])]
    fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.7, 2.6))
    width = 0.8 / max(len(tiers), 1)
    for k, tier in enumerate(tiers):
        part = table[table["tier"] == tier].set_index("era_id").reindex(eras)
        ax.bar(np.arange(len(eras)) + (k - (len(tiers) - 1) / 2) * width,
               part["jensen_shannon"], width=width, color=TIER_COLOURS[tier], label=tier)
    ax.set_xticks(range(len(eras)), eras)
    ax.set_ylabel("Jensen–Shannon divergence")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    ax.set_title("How far each tier's themes depart from policy, by era")
    return fig


def kappa_by_round(table: pd.DataFrame, rounds: Sequence[str], statistic: str = "kappa"):
    """Pooled agreement per coding round, one line per unit (a small figure for 06).

    ``table`` comes from :func:`analysis.audit.agreement_by_round`; each unit's line joins
    the rounds with two coders, and a round with one coder is marked "one coder".
    """
    import matplotlib.pyplot as plt

    x = {r: i for i, r in enumerate(rounds)}
    data = table[table["unit"] != ""]
    fig, ax = plt.subplots(figsize=(FULL_WIDTH / 2, 2.4))
    markers = ["o", "s", "^", "D"]
    for k, unit in enumerate(dict.fromkeys(data["unit"])):
        part = data[data["unit"] == unit]
        ax.plot(part["round"].map(x).to_numpy(dtype=float),
                part[statistic].to_numpy(dtype=float), marker=markers[k % 4],
                markersize=4, linewidth=1, color=PALETTE[k], label=unit)
    for r in table.loc[table["unit"] == "", "round"]:  # nothing to compare: say so
        ax.text(x[r], 0.05, "one coder", ha="center", fontsize=6.5, color="#555555")
    ax.set_xticks(range(len(rounds)), list(rounds), fontsize=7)
    ax.set_xlim(-0.4, len(rounds) - 0.6)
    ax.set_ylim(0, 1.02)
    for ref, style in ((0.6, ":"), (0.8, "--")):  # conventional "moderate"/"substantial"
        ax.axhline(ref, color="#888888", linestyle=style, linewidth=0.7)
    ax.set_xlabel("coding round")
    ax.set_ylabel(statistic, fontsize=7)
    ax.legend(title="unit", fontsize=6.5, title_fontsize=6.5, loc="lower right")
    ax.set_title(f"Pooled {statistic} by coding round", fontsize=8)
    return fig
