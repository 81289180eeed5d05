"""Views of a code tree: roll codes up to a level, expand one category, keep the top N.

A real codebook has hundreds of codes in nested categories; a figure or a table has room
for a few dozen columns. NVivo's and MAXQDA's matrix views solve this with the code
hierarchy, and so do the notebooks and the thesis tables, through one :class:`View`:

``level``
    depth in the code tree (0 = the top categories): a code's coding counts under its
    ancestor at that depth; a code shallower than ``level`` stands for itself.
``under``
    one category, to expand just its children (its other codes are left out).
``top``
    the N groups with most coding; the rest are summed as ``other (k codes)`` (or left
    out, for views where a sum means nothing, such as agreement).

:func:`choose` makes the view from parameters a researcher gave, and fills what they
left open from the study: the deepest level whose number of columns fits (``capacity``,
which the figure's layout decides), else the top N that fits. :meth:`View.apply` rolls
segments up; :attr:`View.codes` is the codes table of the view, which the matrix and
profile functions take like any codes table; :attr:`View.description` says in words what
was rolled up or summed, for the figure's title ("55 categories; codes rolled up").

Tables in this module follow the codes contract (``code_id, parent_id, label, facet,
codable, depth, root_id, path``; ``depth`` and ``path`` are worked out from
``parent_id`` when missing).

Examples
--------
>>> import pandas as pd
>>> codes = pd.DataFrame({"code_id": ["money", "budget", "grants", "people", "skills"],
...                       "parent_id": ["", "money", "money", "", "people"],
...                       "label": ["Money", "Budget", "Grants", "People", "Skills"],
...                       "codable": ["false", "true", "true", "false", "true"]})
>>> segs = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "source_id": ["P01"] * 3,
...                      "code_id": ["budget", "grants", "skills"], "start": [0, 0, 9],
...                      "end": [5, 5, 20], "coder": ["ann"] * 3})
>>> view = choose(codes, segs, capacity=2)
>>> view.level, list(view.codes["code_id"]), view.description
(0, ['money', 'people'], '2 categories; codes rolled up')
>>> view.apply(segs)[["code_id", "start", "end"]].values.tolist()
[['money', 0, 5], ['people', 9, 20]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from .errors import DataError

__all__ = ["OTHER", "View", "tree", "tree_order", "ancestor_at", "choose", "navigate"]

#: ``code_id`` of the group that sums the codes outside the top N.
OTHER = "(other)"


# --------------------------------------------------------------------------- the tree

def tree(codes: pd.DataFrame) -> pd.DataFrame:
    """The codes with ``depth``, ``root_id`` and ``path`` worked out from ``parent_id``.

    A codes table that already has them (``codes.csv``) is returned with them
    recomputed, so that a hand-made table and a processed one agree. A parent that is
    not a code of the table, or a cycle, ends the chain there.

    >>> t = tree(pd.DataFrame({"code_id": ["a", "a1", "a11"], "parent_id": ["", "a", "a1"]}))
    >>> t[["code_id", "depth", "root_id", "path"]].values.tolist()
    [['a', 0, 'a', 'a'], ['a1', 1, 'a', 'a/a1'], ['a11', 2, 'a', 'a/a1/a11']]
    """
    ids = codes["code_id"].astype(str).tolist()
    parent = dict(zip(ids, codes["parent_id"].fillna("").astype(str)))
    chains = []
    for cid in ids:
        chain = [cid]
        while parent.get(chain[-1]) in parent and parent[chain[-1]] not in chain:
            chain.append(parent[chain[-1]])
        chains.append(chain[::-1])
    out = codes.copy()
    out["code_id"] = ids
    out["parent_id"] = [parent[c] if parent[c] in parent else "" for c in ids]
    out["depth"] = [len(c) - 1 for c in chains]
    out["root_id"] = [c[0] for c in chains]
    out["path"] = ["/".join(c) for c in chains]
    return out


def tree_order(codes: pd.DataFrame) -> pd.DataFrame:
    """The codes depth first, each code's children in table order, with ``depth`` etc.

    The order of a codebook appendix and of a view's columns: a category, then its
    codes, then the next category.

    >>> codes = pd.DataFrame({"code_id": ["b", "a", "b1", "a1"],
    ...                       "parent_id": ["", "", "b", "a"]})
    >>> tree_order(codes)["code_id"].tolist()
    ['b', 'b1', 'a', 'a1']
    """
    table = tree(codes).reset_index(drop=True)
    rank = {c: i for i, c in enumerate(table["code_id"])}
    keys = [tuple(rank[c] for c in p.split("/")) for p in table["path"]]
    order = sorted(range(len(table)), key=lambda i: keys[i])
    return table.iloc[order].reset_index(drop=True)


def ancestor_at(codes: pd.DataFrame, level: int) -> dict[str, str]:
    """code_id -> its ancestor at depth ``level`` (itself when it is not deeper).

    >>> codes = pd.DataFrame({"code_id": ["a", "a1", "a11", "b"],
    ...                       "parent_id": ["", "a", "a1", ""]})
    >>> ancestor_at(codes, 1)
    {'a': 'a', 'a1': 'a1', 'a11': 'a1', 'b': 'b'}
    """
    table = tree(codes)
    return {c: p.split("/")[min(level, d)]
            for c, p, d in zip(table["code_id"], table["path"], table["depth"])}


def _codable(codes: pd.DataFrame) -> pd.Series:
    if "codable" not in codes.columns:
        return pd.Series(True, index=codes.index)
    return codes["codable"].map(lambda v: str(v).strip().lower() in {"true", "yes", "1", "y"}
                                if isinstance(v, str) else bool(v))


# --------------------------------------------------------------------------- the view

@dataclass(frozen=True)
class View:
    """Which groups of codes a figure or table shows, and how codes map onto them.

    Made by :func:`choose`. ``mapping`` has one row per code in the view's scope
    (``code_id, group_id``); codes outside it (another facet, outside ``under``, or not
    shown among the top N when ``other`` is False) have no row and their coding drops out.

    Attributes
    ----------
    level : int
        The depth codes are rolled up to.
    under : str
        The category expanded ("" for the whole tree).
    top : int or None
        How many groups are kept (None: all).
    other : bool
        Whether the groups outside the top N are summed into :data:`OTHER`.
    mapping : DataFrame
        ``code_id, group_id``.
    codes : DataFrame
        The view's groups as a codes table, in tree order (:data:`OTHER` last):
        ``code_id, parent_id, label, facet, codable, depth, root_id, path, n_codes,
        n_segments``; ``n_codes`` counts the codable codes each group stands for,
        ``n_segments`` its coding (after roll-up).
    description : str
        What was rolled up or summed; "" when the view shows every code as it is.
    """

    level: int
    under: str
    top: int | None
    other: bool
    mapping: pd.DataFrame
    codes: pd.DataFrame
    description: str
    facet: str | None = None
    _group: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_group", dict(zip(self.mapping["code_id"],
                                                    self.mapping["group_id"])))

    @property
    def labels(self) -> dict[str, str]:
        """group_id -> label, in the view's order."""
        return dict(zip(self.codes["code_id"], self.codes["label"]))

    @property
    def group_ids(self) -> list[str]:
        """The groups, in the view's order."""
        return self.codes["code_id"].tolist()

    @property
    def rolled_up(self) -> bool:
        """True when some group stands for more than one code, or codes were summed or
        left out."""
        return bool(self.description)

    def apply(self, segments: pd.DataFrame, code: str = "code_id",
              keep_outside: bool = False) -> pd.DataFrame:
        """The segments with each code replaced by its group.

        A passage coded with two codes of one group counts once for the group: rows
        equal in (``coder``, ``source_id``, ``start``, ``end``, group) after the roll-up
        are kept once (the first). Segments of codes outside the view drop out, unless
        ``keep_outside`` (for functions that pick their own codes and count the rest,
        such as a profile's units), when they stay as they are. The code a row came
        from is kept in ``member_code_id``.
        """
        inside = segments[code].astype(str).isin(self._group)
        out = segments.loc[inside | keep_outside].copy()
        out["member_code_id"] = out[code].astype(str)
        out[code] = out["member_code_id"].map(self._group).fillna(out["member_code_id"])
        keys = [c for c in ("coder", "source_id", "start", "end") if c in out.columns]
        if keys and self.rolled_up:  # a view of every code as coded changes no row
            out = out.drop_duplicates(keys + [code])
        return out.reset_index(drop=True)

    def codes_with(self, codes: pd.DataFrame) -> pd.DataFrame:
        """The view's groups with the codes of other facets of ``codes`` after them.

        For functions that read more than the view's facet from a codes table (the
        framework matrix orders its rows by the position-practice codes).
        """
        rest = codes.iloc[0:0]
        if self.facet is not None and "facet" in codes.columns:
            rest = codes[codes["facet"].astype(str) != self.facet]
        return pd.concat([self.codes, rest], ignore_index=True)[
            list(dict.fromkeys([*self.codes.columns, *rest.columns]))]


def _scope(codes: pd.DataFrame, facet: str | None, under: str) -> pd.DataFrame:
    """The codes a view may show: of ``facet``, under ``under`` (``under`` included)."""
    table = tree_order(codes)
    if facet is not None and "facet" in table.columns:
        table = table[table["facet"].astype(str) == facet]
    if under:
        if under not in set(table["code_id"]):
            raise DataError("parameters", "under", f"{under!r} is not a code of this study"
                            + (f" (facet {facet})" if facet else ""))
        inside = table["path"].map(lambda p: under in p.split("/"))
        table = table[inside]
    return table.reset_index(drop=True)


def _groups_at(scope: pd.DataFrame, level: int) -> pd.Series:
    """group_id of every codable code of ``scope`` at ``level`` (index: code_id)."""
    codable = scope[_codable(scope).to_numpy()]
    return pd.Series([p.split("/")[min(level, d)] for p, d in
                      zip(codable["path"], codable["depth"])],
                     index=codable["code_id"].to_numpy(), dtype=object)


def _coding(segments: pd.DataFrame | None, group_of: pd.Series) -> pd.Series:
    """Segments per group after roll-up (a passage coded twice in a group counts once)."""
    if segments is None or segments.empty:
        return pd.Series(0, index=pd.Index(pd.unique(group_of.to_numpy())), dtype="int64")
    seg = segments[segments["code_id"].astype(str).isin(group_of.index)]
    seg = seg.assign(_g=seg["code_id"].astype(str).map(group_of))
    keys = [c for c in ("coder", "source_id", "start", "end") if c in seg.columns]
    if keys:
        seg = seg.drop_duplicates(keys + ["_g"])
    return seg.groupby("_g").size().reindex(pd.unique(group_of.to_numpy()),
                                            fill_value=0).astype("int64")


def _noun(n: int, scope: pd.DataFrame, groups: list[str]) -> str:
    """"categories" when every group is a category (a node that is not codable, as
    QualCoder's and MAXQDA's categories are), "codes" when none is, else "codes and
    categories"."""
    codable = dict(zip(scope["code_id"], _codable(scope)))
    categories = sum(not codable.get(g, True) for g in groups)
    if categories == len(groups):
        return "category" if n == 1 else "categories"
    if categories == 0:
        return "code" if n == 1 else "codes"
    return "codes and categories"


def _build(codes: pd.DataFrame, scope: pd.DataFrame, segments, level: int, under: str,
           top: int | None, other: bool, facet: str | None) -> View:
    group_of = _groups_at(scope, level)
    amount = _coding(segments, group_of)
    order = [g for g in scope["code_id"] if g in set(group_of)]
    n_codes = group_of.groupby(group_of.to_numpy()).size()
    kept, summed = order, []
    if top is not None and top < len(order):
        rank = {g: i for i, g in enumerate(order)}
        best = sorted(order, key=lambda g: (-int(amount.get(g, 0)), rank[g]))[:top]
        chosen = set(best)
        kept = [g for g in order if g in chosen]
        summed = [g for g in order if g not in chosen]
    by_id = scope.set_index("code_id")
    rows = []
    for g in kept:
        r = by_id.loc[g]
        label = str(r.get("label", "") or g) if "label" in by_id.columns else g
        if g == under:  # coded with the category itself, beside its children
            label += " (the category itself)"
        rows.append({"code_id": g, "parent_id": r["parent_id"], "label": label,
                     "facet": r["facet"] if "facet" in by_id.columns else (facet or ""),
                     "codable": "true", "depth": int(r["depth"]), "root_id": r["root_id"],
                     "path": r["path"], "n_codes": int(n_codes.get(g, 0)),
                     "n_segments": int(amount.get(g, 0))})
    noun_all = _noun(len(order), scope, order)
    n_members = sum(int(n_codes.get(g, 0)) for g in summed)
    if summed and other:
        rows.append({"code_id": OTHER, "parent_id": "", "label": f"other ({n_members} "
                     f"{'code' if n_members == 1 else 'codes'})",
                     "facet": facet or "", "codable": "true", "depth": 0, "root_id": OTHER,
                     "path": OTHER, "n_codes": n_members,
                     "n_segments": int(sum(int(amount.get(g, 0)) for g in summed))})
    table = pd.DataFrame(rows, columns=["code_id", "parent_id", "label", "facet", "codable",
                                        "depth", "root_id", "path", "n_codes", "n_segments"])
    group = group_of[group_of.isin(kept)]
    if summed and other:
        group = pd.concat([group, pd.Series(OTHER, index=group_of[group_of.isin(summed)].index,
                                            dtype=object)])
    mapping = pd.DataFrame({"code_id": group.index.astype(str), "group_id": group.to_numpy()})
    mapping = mapping.set_index("code_id").reindex(
        [c for c in group_of.index if c in set(group.index)]).reset_index()
    description = _describe(scope, group_of, order, kept, summed, other, level, under,
                            noun_all, by_id)
    return View(level=level, under=under, top=top if summed else None, other=other,
                mapping=mapping, codes=table, description=description, facet=facet)


def _describe(scope, group_of, order, kept, summed, other, level, under, noun, by_id) -> str:
    """The view in words, for a title: what was expanded, summed and rolled up.

    "50 categories; codes rolled up", "top 30 of 230 codes; 200 others summed",
    "Funding expanded: 3 codes; sub-codes rolled up"; "" when every code is shown as it is.
    """
    rolled = len(order) < len(group_of)
    parts = []
    if summed:
        rest = f"{len(summed)} {'other' if len(summed) == 1 else 'others'}"
        parts.append(f"top {len(kept)} of {len(order)} {noun}; {rest} "
                     + ("summed" if other else "not shown"))
    elif rolled or under:
        parts.append(f"{len(order)} {noun}")
    if level > 0 and not under and rolled:
        parts[-1] += f" (level {level})"
    if rolled:
        parts.append("codes rolled up" if level == 0 else
                     "sub-codes rolled up" if under else "deeper codes rolled up")
    text = "; ".join(parts)
    if under:
        label = str(by_id.loc[under].get("label", "") or under) if "label" in by_id.columns \
            else under
        if len(label) > 40:  # the title names the category; the sidecar has it in full
            label = label[:39].rstrip() + "…"
        text = f"{label} expanded: {text}"
    return text


def _levels(scope: pd.DataFrame, under: str) -> list[int]:
    """The levels a view of ``scope`` can take, deepest first (below ``under``)."""
    codable = scope[_codable(scope).to_numpy()]
    if codable.empty:
        return [0]
    low = int(scope.loc[scope["code_id"] == under, "depth"].iloc[0]) + 1 if under else 0
    deepest = int(codable["depth"].max())
    return list(range(max(deepest, low), low - 1, -1))


def choose(codes: pd.DataFrame, segments: pd.DataFrame | None = None,
           capacity: int | None = None, *, level: int | None = None, under: str = "",
           top: int | None = None, facet: str | None = None, other: bool = True,
           count: Callable[[View], int] | None = None) -> View:
    """The view of ``codes`` to show: the parameters given, the rest chosen to fit.

    Parameters
    ----------
    codes : DataFrame
        The study's codes (``codes.csv``), categories included.
    segments : DataFrame, optional
        The coding shown (one coder's); decides the top N and ``n_segments``.
    capacity : int, optional
        The most columns (or rows) the figure or table can show legibly. None: no limit.
    level : int, optional
        Depth to roll up to. None: the deepest level that fits ``capacity``; a level
        with a single group (one root over everything) is not chosen while a deeper one
        has more. With ``under``: its children's level unless given.
    under : str
        A category to expand: only codes below it, rolled up to its children by default.
    top : int, optional
        Keep the N groups with most coding. None: all, unless nothing fits, when the
        groups of the shallowest level are cut to the top that fits.
    facet : str, optional
        Only codes of this facet (the SST codebook's ``theme``; a study's own codebook
        has every code in ``theme``).
    other : bool
        Sum the groups outside the top N into ``other (k codes)``; False leaves them
        out (and says so).
    count : callable, optional
        How many columns a view would show (default: its number of groups). A figure
        that drops empty columns passes its own count.

    Returns
    -------
    View

    Raises
    ------
    DataError
        ``level`` or ``top`` out of range, or ``under`` not a code.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["th", "th_a", "th_b", "th_c"],
    ...                       "parent_id": ["", "th", "th", "th"],
    ...                       "label": ["Themes", "A", "B", "C"],
    ...                       "codable": ["false", "true", "true", "true"]})
    >>> segs = pd.DataFrame({"code_id": ["th_b", "th_b", "th_c"]})
    >>> choose(codes, segs, capacity=10).description   # the demo's case: every code fits
    ''
    >>> v = choose(codes, segs, capacity=2)
    >>> v.labels, v.description
    ({'th_b': 'B', '(other)': 'other (2 codes)'}, 'top 1 of 3 codes; 2 others summed')
    """
    for name, value, least in (("level", level, 0), ("top", top, 1)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < least):
            raise DataError("parameters", name, f"{name} must be a whole number of at least "
                                                f"{least} or None, not {value!r}")
    under = str(under or "")
    scope = _scope(codes, facet, under)
    if under and level is not None:
        depth = int(scope.loc[scope["code_id"] == under, "depth"].iloc[0])
        if level <= depth:
            raise DataError("parameters", "level", f"level {level} is not below {under!r} "
                                                   f"(depth {depth}): give {depth + 1} or more")
    size = count or (lambda v: len(v.codes))
    fits = (lambda v: True) if capacity is None else (lambda v: size(v) <= capacity)
    if under and level is None:  # expand just its children, deeper codes rolled up
        level = int(scope.loc[scope["code_id"] == under, "depth"].iloc[0]) + 1
    levels = [level] if level is not None else _levels(scope, under)
    views = [_build(codes, scope, segments, lv, under, top, other, facet) for lv in levels]
    if level is not None or top is not None:
        return views[0] if level is not None else _first_fitting(views, fits)
    several = [v for v in views if len(v.codes) > 1] or views
    for view in several:
        if fits(view):
            return view
    # nothing fits: the shallowest level with several groups, cut to the top that fits.
    # Keeping fewer groups never shows more columns, so the largest top that fits is
    # found by bisection (a figure's own count may be costly: co-occurrence).
    lv, n = several[-1].level, len(several[-1].codes)
    low, high, best = 1, min(n - 1, capacity or n), None
    while low <= high:
        keep = (low + high) // 2
        view = _build(codes, scope, segments, lv, under, keep, other, facet)
        if fits(view):
            best, low = view, keep + 1
        else:
            high = keep - 1
    # not even one group and "other" fit: the first group alone
    return best or _build(codes, scope, segments, lv, under, 1, False, facet)


def _first_fitting(views: list[View], fits) -> View:
    """With ``top`` given and no level: the deepest level that fits, else the shallowest."""
    several = [v for v in views if len(v.codes) > 1] or views
    for view in several:
        if fits(view):
            return view
    return several[-1]


# --------------------------------------------------------------------------- navigating

def navigate(codes: pd.DataFrame, passages: pd.DataFrame, asked=(), *, under: str = "",
             level: int | None = None, top: int | None = None):
    """A category's passages grouped by child code: notebook 07's walk down the tree.

    The category is ``under``, else the one code asked for when it has codes below it;
    its passages fall under its children (deeper codes rolled up into them, or the level
    asked for), ``top`` keeps the children with most passages and sums the rest. With no
    category (several codes asked for, or one without children) every code stands for
    itself.

    Parameters
    ----------
    codes : DataFrame
        The study's codes.
    passages : DataFrame
        Retrieved passages (:func:`analysis.query.coded_passages`), one row per coded
        passage, with ``code_id``.
    asked : sequence of str
        The codes the passages were retrieved for.

    Returns
    -------
    (View, DataFrame)
        The view, and the passages (``code_id`` as coded) with ``group_id`` and
        ``group`` (its label), in the view's order of groups (the passages' own order
        within a group). A passage coded with two codes of one group appears once in it.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["c", "c1", "c11", "c2"],
    ...                       "parent_id": ["", "c", "c1", "c"],
    ...                       "label": ["Cat", "One", "One-one", "Two"],
    ...                       "codable": ["false", "true", "true", "true"]})
    >>> p = pd.DataFrame({"code_id": ["c2", "c11", "c1"], "segment_id": ["x", "y", "z"],
    ...                   "source_id": ["P1"] * 3, "start": [0, 5, 9], "end": [4, 8, 12],
    ...                   "coder": ["ann"] * 3})
    >>> view, nav = navigate(codes, p, ["c"])
    >>> view.description, nav[["segment_id", "group"]].values.tolist()
    ('Cat expanded: 2 codes; sub-codes rolled up', [['y', 'One'], ['z', 'One'], ['x', 'Two']])
    """
    asked = list(asked)
    category = str(under or "")
    if not category and len(asked) == 1:
        parents = set(codes["parent_id"].fillna("").astype(str))
        category = asked[0] if asked[0] in parents else ""
    view = choose(codes, passages, level=level, under=category, top=top)
    nav = view.apply(passages)
    group = nav.pop("code_id")
    nav.insert(passages.columns.get_loc("code_id"), "code_id", nav.pop("member_code_id"))
    nav["group_id"], nav["group"] = group, group.map(view.labels)
    rank = {g: i for i, g in enumerate(view.group_ids)}
    nav = nav.assign(_rank=nav["group_id"].map(rank)).sort_values("_rank", kind="stable")
    return view, nav.drop(columns="_rank").reset_index(drop=True)
