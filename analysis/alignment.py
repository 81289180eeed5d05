"""Policy against practice: theme profiles of documents and of interviews, and how they differ.

Policy is the strategy documents, coded by the SST dictionary (one candidate segment per
sentence and code); practice is the interviews, coded by people. The two codings differ
in kind: the dictionary marks a sentence when a stem appears in it, a coder marks a
passage when its meaning fits a code's definition. So nothing here compares raw counts.
Each side becomes a *profile*: how its coding of one facet (themes by default) divides
among the facet's codes, shares summing to 1 per group. Profiles compare because they say
only where the emphasis lies, not how much was coded, how long the texts are or how big
the coding unit is. :mod:`analysis.dictionary_trust` measures how far the dictionary can
be trusted, by scoring it against human coding of the same interviews.

Functions
---------
theme_profile
    Shares of a facet's codes per group (document, era, tier, tier × era ...).
divergence, jensen_shannon
    Per code: the two shares and their difference; overall: Jensen–Shannon divergence.
bootstrap_divergence
    Percentile intervals of the shares, differences and divergence, resampling documents
    and participants (seeded).
document_eras, interview_eras, by_era
    The era of each segment (a document's date; an interview segment's own reference to
    time, or the participant's eras), and the divergence per era.
facet_codes
    The codes a profile divides among (by default a facet's codable codes).

Examples
--------
>>> import pandas as pd
>>> policy = pd.DataFrame({"source_id": ["D1", "D1", "D2"],
...     "code_id": ["th_funding", "th_funding", "th_central_local"],
...     "start": [0, 20, 0], "end": [10, 30, 10]})
>>> practice = pd.DataFrame({"source_id": ["P01", "P02"],
...     "code_id": ["th_funding", "th_funding"], "start": [0, 0], "end": [5, 5]})
>>> codes = ["th_funding", "th_central_local"]
>>> table = divergence(theme_profile(policy, codes=codes), theme_profile(practice, codes=codes))
>>> table[["code_id", "share_policy", "share_practice", "difference"]]
            code_id  share_policy  share_practice  difference
0        th_funding      0.666667             1.0    0.333333
1  th_central_local      0.333333             0.0   -0.333333
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import DataError
from .io import csv_line
from .matrices import code_list
from .schema import TIERS, check_choice
from .spans import checked_spans, merge_intervals, numeric_spans

__all__ = [
    "OVERALL", "MEASURES", "WEIGHTINGS", "PROFILE_COLUMNS", "theme_profile", "jensen_shannon",
    "divergence", "bootstrap_divergence", "departures", "document_eras", "interview_eras",
    "by_era", "facet_codes",
]

#: ``code_id`` of the rows that pool all codes (the overall divergence, micro-averaged scores).
OVERALL = "(overall)"
#: What a profile divides among codes: segments, or coded characters.
MEASURES = ("share", "coverage")
#: How units (documents, participants) are weighted within a group.
WEIGHTINGS = ("pooled", "equal")
#: Value columns of a profile; every other column names its group.
PROFILE_COLUMNS = ["code_id", "n_units", "n_segments", "n_chars", "share"]
DEFAULT_SEED = 20240601
_ERA_ORDER = ("imt", "ifh", "npfit", "ccg", "stp_ics", "icb")
_RANKS = {"tier": TIERS, "era_id": _ERA_ORDER, "era": _ERA_ORDER}


# --------------------------------------------------------------------------- helpers

def _as_list(columns) -> list[str]:
    if columns is None:
        return []
    return [columns] if isinstance(columns, str) else list(columns)


def facet_codes(codes, facet: str | None) -> list[str]:
    """Codes to profile, in codebook order (default: the codable codes of ``facet`` in the
    study's codebook).

    >>> facet_codes(["th_b", "th_a", "th_b"], "theme")
    ['th_b', 'th_a']
    """
    if codes is None:
        from .codebook import load_codebook

        codes = load_codebook().codes
    return code_list(getattr(codes, "codes", codes), facet)


def _check_groups(seg: pd.DataFrame, columns: list[str], name: str) -> None:
    """Every segment must have a value in every grouping column."""
    for col in columns:
        empty = seg[col].isna() | (seg[col].astype(str).str.strip() == "")
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise DataError(name, csv_line(i), f"no {col} for source "
                                               f"{seg['source_id'].iloc[i]!r}")


def _sort_groups(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Sort rows by group: tiers macro-meso-micro, eras in time order, else by value."""
    keys = []
    for col in columns:
        if col in _RANKS:
            rank = {v: i for i, v in enumerate(_RANKS[col])}
            table = table.assign(**{f"_rank_{col}": table[col].map(rank).fillna(len(rank))})
            keys.append(f"_rank_{col}")
        keys.append(col)
    if not keys:
        return table.reset_index(drop=True)
    out = table.sort_values(keys, kind="stable", ignore_index=True)
    return out.drop(columns=[k for k in keys if k.startswith("_rank_")])


def _unit_amounts(seg: pd.DataFrame, keys: list[str], code_ids: list[str]):
    """Per row of ``keys`` values (a unit, or a group and unit) × code: segments and characters.

    Segments are counted once per distinct span (two coders marking the same passage
    count once); characters are the union of a code's spans within each source, so
    overlapping segments never count a character twice.

    Returns
    -------
    rows : DataFrame
        The distinct ``keys`` values, sorted.
    n_segments, n_chars : ndarray (rows × codes)
    """
    keep = seg["code_id"].isin(pd.Series(code_ids, dtype=object)).to_numpy()
    span = list(dict.fromkeys([*keys, "source_id", "code_id", "start", "end"]))
    seg = seg.loc[keep, span].drop_duplicates(ignore_index=True)
    n_codes = len(code_ids)
    if seg.empty:
        rows = pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
        return rows, np.zeros((0, n_codes)), np.zeros((0, n_codes))
    grouped = seg.groupby(keys, sort=True, dropna=False)
    row = grouped.ngroup().to_numpy()
    rows = grouped.size().index.to_frame(index=False)[keys]
    code = pd.Categorical(seg["code_id"], categories=code_ids).codes
    n_segments = np.zeros((len(rows), n_codes))
    np.add.at(n_segments, (row, code), 1)

    # Union of spans per (row, source, code): lay every key on one axis, far apart,
    # and merge them all at once.
    key = seg.assign(_row=row, _code=code).groupby(["_row", "source_id", "_code"],
                                                   sort=False).ngroup().to_numpy()
    start, end = seg["start"].to_numpy(np.int64), seg["end"].to_numpy(np.int64)
    stride = int(end.max()) + 1
    block, s, e = merge_intervals(key, key * stride + start, key * stride + end)
    # every span of a key has the key's row and code: any one of them names the block's
    key_row = np.zeros(key.max() + 1, dtype=np.int64)
    key_code = np.zeros(key.max() + 1, dtype=np.int64)
    key_row[key], key_code[key] = row, code
    n_chars = np.zeros((len(rows), n_codes))
    np.add.at(n_chars, (key_row[block], key_code[block]), e - s)
    return rows, n_segments, n_chars


def _normalise(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Divide by the sum along ``axis`` (NaN where it is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / x.sum(axis=axis, keepdims=True)


def _shares(weights: np.ndarray, amounts: np.ndarray, weighting: str) -> np.ndarray:
    """Profiles of weighted sets of units: one row per row of ``weights``.

    ``pooled``: the weighted sum of the units' amounts, divided by its total (a long
    document weighs more). ``equal``: the weighted mean of each unit's own profile
    (every document or participant weighs the same). Rows without coding give NaN.
    """
    if weighting == "pooled":
        return _normalise(weights @ amounts)
    return (weights @ _normalise(amounts)) / weights.sum(axis=1, keepdims=True)


def _check_options(measure: str, weighting: str) -> None:
    check_choice("measure", measure, MEASURES)
    check_choice("weighting", weighting, WEIGHTINGS)


def _coded_units(seg: pd.DataFrame, keys: list[str], code_ids: list[str], measure: str):
    """:func:`_unit_amounts` without the units that have nothing to share out (only
    empty spans, under ``coverage``)."""
    rows, n_segments, n_chars = _unit_amounts(seg, keys, code_ids)
    amounts = n_segments if measure == "share" else n_chars
    coded = amounts.sum(axis=1) > 0
    return rows[coded].reset_index(drop=True), n_segments[coded], n_chars[coded]


def _unit_matrix(seg: pd.DataFrame, unit: str, code_ids: list[str], measure: str):
    """Units × codes amounts of one set of segments, for the bootstrap."""
    rows, n_segments, n_chars = _coded_units(seg, [unit], code_ids, measure)
    return rows, n_segments if measure == "share" else n_chars


# --------------------------------------------------------------------------- profiles

def theme_profile(segments: pd.DataFrame, by: str | Sequence[str] | None = None,
                  texts: Mapping[str, str] | None = None, facet: str = "theme",
                  codes=None, measure: str = "share", weighting: str = "pooled",
                  unit: str = "source_id") -> pd.DataFrame:
    """How a group's coding of one facet divides among the facet's codes.

    Parameters
    ----------
    segments : DataFrame
        ``source_id, code_id, start, end`` and the ``by`` and ``unit`` columns (attach
        tiers with :func:`analysis.coding.attach_attributes`, eras with
        :func:`document_eras` or :func:`interview_eras`). With two coders, pass one
        coder's segments, or use ``measure="coverage"`` (which takes the union of their
        spans): under ``share`` only identical spans are counted once.
    by : str or list of str, optional
        Grouping columns (``"source_id"``, ``"era_id"``, ``"tier"``, ``["tier",
        "era_id"]``); none: one profile of everything.
    texts : mapping of source_id to str, optional
        When given, every span is checked to lie inside its text.
    facet : str
        With ``codes=None``: profile the codable codes of this facet of the codebook.
    codes : DataFrame, Codebook or list of code ids, optional
        The codes to profile (a codes table is filtered to ``facet``); segments of
        other codes are ignored. Sub-codes are not rolled up: use
        :func:`analysis.coding.roll_up` first for the SST facet.
    measure : {"share", "coverage"}
        What is divided: ``share`` counts segments (distinct spans), ``coverage``
        counts coded characters (each code's spans merged within a text).
    weighting : {"pooled", "equal"}
        ``pooled``: share = the group's amount of a code / the group's amount of all
        the facet's codes. ``equal``: the mean over the group's units of each unit's
        own share, so a long document or a talkative participant does not dominate.
    unit : str
        The column naming a unit for ``equal`` weighting and ``n_units``
        (``source_id``; ``participant_id`` is the same for interviews).

    Returns
    -------
    DataFrame
        ``by`` columns, then :data:`PROFILE_COLUMNS`: ``code_id``, ``n_units`` (units
        with the code), ``n_segments``, ``n_chars`` and ``share`` (rounded to 6
        places). Every group × code, zeros included; groups with no coding of the
        facet are absent. Shares of a group sum to 1.

    Notes
    -----
    The denominator is the group's coding of the facet, not its text: a passage with
    two themes counts for both. This makes a profile a distribution over the facet's
    codes -- the relative emphasis of the group -- which is what can be compared
    between dictionary-coded sentences and human-coded passages, between a 40-page
    strategy and a 10-minute interview. How much is coded, which depends on the coder
    and the unit, drops out.

    Examples
    --------
    >>> seg = pd.DataFrame({"source_id": ["P01", "P01", "P02"], "tier": ["meso"] * 3,
    ...     "code_id": ["th_funding", "th_central_local", "th_funding"],
    ...     "start": [0, 0, 0], "end": [30, 10, 10]})
    >>> theme_profile(seg, by="tier", codes=["th_funding", "th_central_local"],
    ...               measure="coverage")
       tier           code_id  n_units  n_segments  n_chars  share
    0  meso        th_funding        2           2       40    0.8
    1  meso  th_central_local        1           1       10    0.2
    """
    _check_options(measure, weighting)
    by = _as_list(by)
    code_ids = facet_codes(codes, facet)
    seg = checked_spans(segments, "segments", texts, extra=[unit, *by])
    _check_groups(seg, by, "segments")
    seg = seg[seg["code_id"].isin(pd.Series(code_ids, dtype=object))].reset_index(drop=True)
    rows, n_segments, n_chars = _coded_units(seg, list(dict.fromkeys([*by, unit])),
                                             code_ids, measure)
    if by and len(rows):
        grouped = rows.groupby(by, sort=True, dropna=False)
        group = grouped.ngroup().to_numpy()
        groups = grouped.size().index.to_frame(index=False)[by]
    else:
        group = np.zeros(len(rows), dtype=np.int64)
        groups = rows[by].iloc[:0] if by else pd.DataFrame(index=[0] if len(rows) else [])

    def total(values):  # per group, summed over its units
        out = np.zeros((len(groups), len(code_ids)))
        np.add.at(out, group, values)
        return out

    amounts = n_segments if measure == "share" else n_chars
    with np.errstate(divide="ignore", invalid="ignore"):
        if weighting == "pooled":
            share = _normalise(total(amounts))
        else:
            share = total(_normalise(amounts)) / np.bincount(group, minlength=len(groups))[:, None]
    out = groups.loc[groups.index.repeat(len(code_ids))].reset_index(drop=True)
    # with no group (no coding at all) the column stays text, so merges on it still work
    out["code_id"] = code_ids * len(groups) if len(groups) else pd.Series([], dtype=str)
    out["n_units"] = total(n_segments > 0).astype("int64").ravel()
    out["n_segments"] = total(n_segments).astype("int64").ravel()
    out["n_chars"] = total(n_chars).astype("int64").ravel()
    out["share"] = np.round(share.ravel(), 6)
    return _sort_groups(out, by)[[*by, *PROFILE_COLUMNS]]


# --------------------------------------------------------------------------- divergence

def _js_terms(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Each code's term of the Jensen–Shannon divergence (base 2); the terms are >= 0."""
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log2(p / m), 0.0)
        right = np.where(q > 0, q * np.log2(q / m), 0.0)
    return np.maximum((left + right) / 2, 0.0)


def jensen_shannon(p, q, axis: int = -1) -> np.ndarray | float:
    """Jensen–Shannon divergence (base 2) of two distributions, in [0, 1].

    ``JS(p, q) = H(m) - (H(p) + H(q)) / 2`` with ``m = (p + q) / 2``; 0 for identical
    profiles, 1 for profiles with no code in common. The inputs are normalised to sum
    to 1 along ``axis`` (counts will do); NaN when one of them is all zero. Its square
    root is the Jensen–Shannon distance (``scipy.spatial.distance.jensenshannon``).

    Examples
    --------
    >>> float(jensen_shannon([1, 0], [0, 1])), float(jensen_shannon([2, 2], [1, 1]))
    (1.0, 0.0)
    >>> round(float(jensen_shannon([0.5, 0.5], [1, 0])), 6)
    0.311278
    """
    p = _normalise(np.asarray(p, dtype=float), axis)
    q = _normalise(np.asarray(q, dtype=float), axis)
    value = np.minimum(_js_terms(p, q).sum(axis=axis), 1.0)
    bad = np.isnan(p).any(axis=axis) | np.isnan(q).any(axis=axis)
    value = np.where(bad, np.nan, value)
    return float(value) if np.ndim(value) == 0 else value


def divergence(policy_profile: pd.DataFrame, practice_profile: pd.DataFrame,
               on: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Compare two profiles code by code, and overall.

    Parameters
    ----------
    policy_profile, practice_profile : DataFrame
        From :func:`theme_profile`: ``code_id, share`` and group columns (every
        column not in :data:`PROFILE_COLUMNS`).
    on : str or list of str, optional
        Group columns to pair the two sides on (e.g. ``"era_id"``: each era's policy
        against the same era's practice); default: the group columns both share.
        Other group columns are crossed: a practice profile by ``tier`` against one
        policy profile gives one comparison per tier.

    Returns
    -------
    DataFrame
        Group columns (``on``, then policy's, then practice's), ``code_id,
        share_policy, share_practice, difference`` (practice minus policy: > 0 where
        practice dwells on a code more than policy does), ``contribution`` (the code's
        term of the divergence, >= 0) and ``jensen_shannon`` (of the whole profiles,
        base 2, in [0, 1]; the sum of the contributions; the same on every row of a
        comparison). A code missing on one side has share 0 there; only groups present
        on both sides are compared. Rounded to 6 places.

    Examples
    --------
    >>> pol = pd.DataFrame({"code_id": ["th_a", "th_b"], "share": [0.5, 0.5]})
    >>> pra = pd.DataFrame({"tier": ["meso", "meso", "micro", "micro"],
    ...     "code_id": ["th_a", "th_b"] * 2, "share": [0.5, 0.5, 1.0, 0.0]})
    >>> divergence(pol, pra)[["tier", "code_id", "difference", "jensen_shannon"]]
        tier code_id  difference  jensen_shannon
    0   meso    th_a         0.0        0.000000
    1   meso    th_b         0.0        0.000000
    2  micro    th_a         0.5        0.311278
    3  micro    th_b        -0.5        0.311278
    """
    value_columns = set(PROFILE_COLUMNS)
    for name, table in (("policy profile", policy_profile),
                        ("practice profile", practice_profile)):
        missing = [c for c in ("code_id", "share") if c not in table.columns]
        if missing:
            raise DataError(name, 1, f"table lacks column(s) {', '.join(missing)}")
    pol_groups = [c for c in policy_profile.columns if c not in value_columns]
    pra_groups = [c for c in practice_profile.columns if c not in value_columns]
    shared = [c for c in pol_groups if c in pra_groups]
    on = shared if on is None else _as_list(on)
    if sorted(on) != sorted(shared):
        raise ValueError(f"on must name the group columns both profiles share ({shared}), "
                         f"not {on}")
    pol_only = [c for c in pol_groups if c not in on]
    pra_only = [c for c in pra_groups if c not in on]
    groups = [*on, *pol_only, *pra_only]
    pol = policy_profile[[*pol_groups, "code_id", "share"]]
    pra = practice_profile[[*pra_groups, "code_id", "share"]]
    def distinct(table, columns):  # a table without group columns is one group
        return table[columns].drop_duplicates() if columns else pd.DataFrame(index=[0])

    pairs = distinct(pol, pol_groups).merge(distinct(pra, pra_groups), on=on or None,
                                            how="inner" if on else "cross")
    code_ids = list(dict.fromkeys([*pol["code_id"], *pra["code_id"]]))
    grid = pairs.merge(pd.DataFrame({"code_id": pd.Series(code_ids, dtype=object)}),
                       how="cross")
    grid = grid.merge(pol.rename(columns={"share": "share_policy"}),
                      on=[*pol_groups, "code_id"], how="left")
    grid = grid.merge(pra.rename(columns={"share": "share_practice"}),
                      on=[*pra_groups, "code_id"], how="left")
    for col in ("share_policy", "share_practice"):
        grid[col] = pd.to_numeric(grid[col]).astype(float).fillna(0.0)
    n = len(code_ids)
    p = grid["share_policy"].to_numpy().reshape(-1, n)
    q = grid["share_practice"].to_numpy().reshape(-1, n)
    terms = _js_terms(_normalise(p), _normalise(q))
    grid["difference"] = (q - p).ravel()
    grid["contribution"] = terms.ravel()
    grid["jensen_shannon"] = np.repeat(np.minimum(terms.sum(axis=1), 1.0), n)
    values = ["share_policy", "share_practice", "difference", "contribution", "jensen_shannon"]
    grid[values] = grid[values].round(6)
    rank = {c: i for i, c in enumerate(code_ids)}
    grid = grid.assign(_code=grid["code_id"].map(rank))
    grid = _sort_groups(grid, [*groups, "_code"]) if groups else grid.sort_values(
        "_code", kind="stable", ignore_index=True)
    return grid[[*groups, "code_id", *values]]


# --------------------------------------------------------------------------- bootstrap

def _rng(seed: int, key: tuple) -> np.random.Generator:
    """A generator for one comparison: the seed and the comparison's name, so that an
    interval does not change when another group is added or removed."""
    name = "\x1f".join(str(k) for k in key).encode("utf-8")
    return np.random.default_rng([int(seed), zlib.crc32(name)])


def _resample_weights(rng: np.random.Generator, n_units: int, n: int) -> np.ndarray:
    """How often each unit is drawn in each of ``n`` resamples (n × units)."""
    pick = rng.integers(0, n_units, size=(n, n_units))
    flat = (np.arange(n)[:, None] * n_units + pick).ravel()
    return np.bincount(flat, minlength=n * n_units).reshape(n, n_units).astype(float)


def _interval(values: np.ndarray, level: float):
    """Percentile bounds per column over the finite replicates, and their number."""
    finite = np.isfinite(values)
    low = np.full(values.shape[1], np.nan)
    high = np.full(values.shape[1], np.nan)
    for j in np.flatnonzero(finite.any(axis=0)):
        low[j], high[j] = np.quantile(values[finite[:, j], j],
                                      [(1 - level) / 2, (1 + level) / 2])
    return low, high, finite.sum(axis=0)


def bootstrap_divergence(policy_segments: pd.DataFrame, practice_segments: pd.DataFrame,
                         on: str | Sequence[str] | None = None,
                         by: str | Sequence[str] | None = None,
                         policy_unit: str = "source_id", practice_unit: str = "source_id",
                         facet: str = "theme", codes=None, measure: str = "share",
                         weighting: str = "pooled", n: int = 1000, seed: int = DEFAULT_SEED,
                         level: float = 0.95) -> pd.DataFrame:
    """Percentile bootstrap intervals of the shares, their differences and the divergence.

    Documents and participants are the units sampled, so they are what is resampled:
    each replicate draws policy units and practice units with replacement,
    independently, and recomputes both profiles from the drawn units' coding (a
    units × codes matrix times a matrix of draw counts, all replicates at once).

    Parameters
    ----------
    policy_segments, practice_segments : DataFrame
        ``source_id, code_id, start, end`` plus the unit, ``on`` and ``by`` columns.
    on : str or list of str, optional
        Columns of both tables to pair on (e.g. ``"era_id"``); one comparison per
        value present on both sides.
    by : str or list of str, optional
        Columns of the practice table (e.g. ``"tier"``): one comparison per group,
        each against the whole (paired) policy side.
    policy_unit, practice_unit : str
        The columns naming the units resampled (``source_id`` = document or
        interview; ``participant_id`` is the same for interviews).
    facet, codes, measure, weighting
        As in :func:`theme_profile`.
    n : int
        Resamples per comparison.
    seed : int
        Seeds :func:`numpy.random.default_rng` together with the comparison's group
        values: the same seed gives the same intervals.
    level : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        ``on`` and ``by`` columns, ``code_id, statistic, estimate, low, high,
        n_resamples``; per code the statistics ``share_policy``, ``share_practice``
        and ``difference`` (practice minus policy), and on a last row with ``code_id``
        :data:`OVERALL` the ``jensen_shannon`` divergence. Estimates equal
        :func:`divergence` of :func:`theme_profile`; ``n_resamples`` counts the
        replicates where the statistic was defined. Rounded to 6 places.

    Notes
    -----
    Units with no coding of the facet contribute nothing to either profile and are
    not resampled. The divergence is biased upwards in small samples (resampling
    noise alone makes two profiles differ), so its interval says more about
    stability than about a true zero.

    Examples
    --------
    >>> pol = pd.DataFrame({"source_id": ["D1", "D2"], "code_id": ["th_a", "th_b"],
    ...                     "start": [0, 0], "end": [5, 5]})
    >>> pra = pd.DataFrame({"source_id": ["P01", "P02"], "code_id": ["th_a", "th_a"],
    ...                     "start": [0, 0], "end": [5, 5]})
    >>> ci = bootstrap_divergence(pol, pra, codes=["th_a", "th_b"], n=200, seed=1)
    >>> ci[ci.statistic == "difference"][["code_id", "estimate"]]
      code_id  estimate
    2    th_a       0.5
    5    th_b      -0.5
    """
    _check_options(measure, weighting)
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    on, by = _as_list(on), _as_list(by)
    code_ids = facet_codes(codes, facet)
    pol = checked_spans(policy_segments, "policy segments", None, extra=[policy_unit, *on])
    pra = checked_spans(practice_segments, "practice segments", None,
                        extra=[practice_unit, *on, *by])
    _check_groups(pol, on, "policy segments")
    _check_groups(pra, [*on, *by], "practice segments")
    pol = pol[pol["code_id"].isin(pd.Series(code_ids, dtype=object))].reset_index(drop=True)
    pra = pra[pra["code_id"].isin(pd.Series(code_ids, dtype=object))].reset_index(drop=True)
    records = []
    for names, amounts_p, amounts_q in _comparisons(pol, pra, on, by, policy_unit,
                                                    practice_unit, code_ids, measure):
        rng = _rng(seed, names)
        w_p = np.vstack([np.ones(len(amounts_p)), _resample_weights(rng, len(amounts_p), n)])
        w_q = np.vstack([np.ones(len(amounts_q)), _resample_weights(rng, len(amounts_q), n)])
        p, q = _shares(w_p, amounts_p, weighting), _shares(w_q, amounts_q, weighting)
        records.extend(_interval_records(names, p, q, code_ids, level))
    return _interval_table(records, [*on, *by], code_ids)


def _comparisons(pol: pd.DataFrame, pra: pd.DataFrame, on: list[str], by: list[str],
                 policy_unit: str, practice_unit: str, code_ids: list[str], measure: str):
    """Each comparison the bootstrap makes: its group values (``on`` then ``by``) and the
    units × codes amounts of its policy and its practice side (sides without coded
    units are skipped)."""
    if on:
        keys = pol[on].drop_duplicates().merge(pra[on].drop_duplicates(), on=on)
    else:
        keys = pd.DataFrame(index=[0])
    for key in keys.itertuples(index=False):
        pol_part, pra_part = pol, pra
        for col, value in zip(on, key):
            pol_part = pol_part[pol_part[col] == value]
            pra_part = pra_part[pra_part[col] == value]
        units_p, amounts_p = _unit_matrix(pol_part, policy_unit, code_ids, measure)
        if not len(units_p):
            continue
        practice_groups = (pra_part.groupby(by, sort=True) if by
                           else [((), pra_part)])
        for group, part in practice_groups:
            group = group if isinstance(group, tuple) else (group,)
            units_q, amounts_q = _unit_matrix(part, practice_unit, code_ids, measure)
            if len(units_q):
                yield (*key, *group), amounts_p, amounts_q


def _interval_records(names: tuple, p: np.ndarray, q: np.ndarray, code_ids: list[str],
                      level: float) -> list[tuple]:
    """One comparison's rows: the estimate (row 0 of the profiles ``p``, ``q``) and the
    percentile interval over the replicates (the other rows) of each statistic."""
    js = np.minimum(_js_terms(p, q).sum(axis=1), 1.0)
    js[np.isnan(p).any(axis=1) | np.isnan(q).any(axis=1)] = np.nan
    records = []
    for statistic, values in (("share_policy", p), ("share_practice", q),
                              ("difference", q - p), ("jensen_shannon", js[:, None])):
        low, high, count = _interval(values[1:], level)
        ids = [OVERALL] if statistic == "jensen_shannon" else code_ids
        for j, code_id in enumerate(ids):
            records.append((*names, code_id, statistic, values[0, j], low[j],
                            high[j], int(count[j])))
    return records


def _interval_table(records: list[tuple], groups: list[str], code_ids: list[str]
                    ) -> pd.DataFrame:
    """The records as the table :func:`bootstrap_divergence` returns, rounded and sorted."""
    columns = [*groups, "code_id", "statistic", "estimate", "low", "high", "n_resamples"]
    out = pd.DataFrame.from_records(records, columns=columns)
    out[["estimate", "low", "high"]] = out[["estimate", "low", "high"]].astype(float).round(6)
    # Rows of a comparison: per code the three statistics, then the overall divergence.
    stat_rank = {"share_policy": 0, "share_practice": 1, "difference": 2, "jensen_shannon": 3}
    code_rank = {c: i for i, c in enumerate([*code_ids, OVERALL])}
    out = out.assign(_code=out["code_id"].map(code_rank), _stat=out["statistic"].map(stat_rank))
    return _sort_groups(out, [*groups, "_code", "_stat"])[columns]


# --------------------------------------------------------------------------- eras

def departures(intervals: pd.DataFrame, **group) -> pd.DataFrame:
    """Where a practice group follows policy and where it departs, theme by theme.

    Parameters
    ----------
    intervals : DataFrame
        From :func:`bootstrap_divergence`.
    **group :
        Column values selecting one comparison, e.g. ``tier="meso"``.

    Returns
    -------
    DataFrame
        ``code_id, estimate, low, high, reading`` for the statistic ``difference``
        (practice minus policy), largest first; ``reading`` is ``more than policy`` or
        ``less than policy`` when the interval excludes 0, else ``follows policy``.

    Examples
    --------
    >>> ci = pd.DataFrame({"tier": "meso", "code_id": ["th_a", "th_b"],
    ...     "statistic": "difference", "estimate": [0.2, -0.01], "low": [0.1, -0.05],
    ...     "high": [0.3, 0.02]})
    >>> departures(ci, tier="meso")[["code_id", "reading"]].values.tolist()
    [['th_a', 'more than policy'], ['th_b', 'follows policy']]
    """
    keep = intervals["statistic"] == "difference"
    for column, value in group.items():
        keep &= intervals[column] == value
    out = intervals.loc[keep, ["code_id", "estimate", "low", "high"]].copy()
    out["reading"] = np.select([out["low"] > 0, out["high"] < 0],
                               ["more than policy", "less than policy"], "follows policy")
    return out.sort_values("estimate", ascending=False, kind="stable").reset_index(drop=True)


def document_eras(segments: pd.DataFrame, sources: pd.DataFrame,
                  era_column: str = "era") -> pd.DataFrame:
    """Give each document segment its document's era (``era_id``).

    Parameters
    ----------
    segments : DataFrame
        Needs ``source_id``.
    sources : DataFrame
        The documents' ``sources.csv``: ``source_id`` and ``era_column`` (the era of
        the document's date, :func:`analysis.timeline.era_of`).

    Returns
    -------
    DataFrame
        ``segments`` plus ``era_id``.

    Raises
    ------
    DataError
        A segment whose document is not in ``sources`` or has no era.

    Examples
    --------
    >>> seg = pd.DataFrame({"source_id": ["D1", "D2"], "code_id": ["th_a", "th_a"]})
    >>> src = pd.DataFrame({"source_id": ["D1", "D2"], "era": ["npfit", "icb"]})
    >>> document_eras(seg, src)["era_id"].tolist()
    ['npfit', 'icb']
    """
    for col in ("source_id", era_column):
        if col not in sources.columns:
            raise DataError("sources", 1, f"table lacks column {col!r}")
    era = dict(zip(sources["source_id"].astype(str), sources[era_column].astype(str)))
    out = segments.reset_index(drop=True).copy()
    out["era_id"] = out["source_id"].astype(str).map(era)
    missing = out["era_id"].isna() | out["era_id"].isin(["", "nan", "<NA>"])
    if missing.any():
        i = int(np.flatnonzero(missing.to_numpy())[0])
        raise DataError("segments", csv_line(i), f"document {out.at[i, 'source_id']!r} has "
                                                 "no era in sources")
    return out


def _anchoring_eras(eras: pd.DataFrame | None) -> pd.DataFrame:
    """The eras as :func:`analysis.anchoring.anchor_segments` reads them (``YYYY-MM``)."""
    if eras is None:
        from .timeline import load_eras

        eras = load_eras()
    if {"start", "end"} <= set(eras.columns):  # as load_eras returns them
        eras = eras.drop(columns=["start_date", "end_date"], errors="ignore").rename(
            columns={"start": "start_date", "end": "end_date"})
    return eras


def interview_eras(segments: pd.DataFrame, texts: Mapping[str, str] | None = None,
                   eras: pd.DataFrame | None = None, sources: pd.DataFrame | None = None,
                   participants: pd.DataFrame | None = None,
                   method: str = "anchor") -> pd.DataFrame:
    """Give each interview segment the era(s) it speaks of (``era_id``, ``era_rule``).

    Parameters
    ----------
    segments : DataFrame
        ``source_id, start, end`` (and any other columns, kept).
    texts : mapping of source_id to str
        Needed for ``anchor`` methods.
    eras : DataFrame, optional
        :func:`analysis.timeline.load_eras` (the default), or ``era_id, label,
        start_date, end_date`` with ``YYYY-MM`` strings.
    sources, participants : DataFrame
        Needed for ``participant`` methods: ``source_id, participant_id`` and
        ``participant_id, eras`` (``"|"``-joined).
    method : {"anchor", "participant", "anchor_or_participant"}
        ``anchor``: the eras of the references to time inside the segment
        (:func:`analysis.anchoring.anchor_segments`: years, ranges, era names,
        "when the SHAs went" ...); segments without one are dropped. ``participant``:
        every era the participant worked through -- weak, since a career spans eras.
        ``anchor_or_participant``: the anchor where there is one, else the
        participant's eras.

    Returns
    -------
    DataFrame
        One row per segment and era (a segment speaking of two eras counts in both),
        the segment's columns plus ``era_id`` and ``era_rule`` (``anchor`` or
        ``participant``), in segment order then era order.

    Examples
    --------
    >>> texts = {"P01": "In 2006 we bid. Later it was fine."}
    >>> seg = pd.DataFrame({"source_id": ["P01", "P01"], "code_id": ["th_a", "th_b"],
    ...                     "start": [0, 16], "end": [15, 34]})
    >>> src = pd.DataFrame({"source_id": ["P01"], "participant_id": ["P01"]})
    >>> people = pd.DataFrame({"participant_id": ["P01"], "eras": ["npfit|ccg"]})
    >>> out = interview_eras(seg, texts, sources=src, participants=people,
    ...                      method="anchor_or_participant")
    >>> out[["code_id", "era_id", "era_rule"]].values.tolist()
    [['th_a', 'npfit', 'anchor'], ['th_b', 'npfit', 'participant'], ['th_b', 'ccg', 'participant']]
    """
    check_choice("method", method, ("anchor", "participant", "anchor_or_participant"))
    seg = numeric_spans(segments, "segments", ("source_id", "start", "end"))
    seg = seg.drop(columns=["era_id", "era_rule"], errors="ignore")
    row = pd.Series(np.arange(len(seg)), name="_row")
    found = []
    if method != "participant":
        from .anchoring import anchor_segments

        if texts is None:
            raise ValueError(f"method {method!r} needs the texts")
        probe = pd.DataFrame({"segment_id": row.astype(str), "source_id": seg["source_id"],
                              "start": seg["start"], "end": seg["end"]})
        refs = anchor_segments(probe, texts, _anchoring_eras(eras))
        found.append(pd.DataFrame({"_row": refs["segment_id"].astype("int64"),
                                   "era_id": refs["era_id"].astype(str),
                                   "era_rule": "anchor"}))
    if method != "anchor":
        if sources is None or participants is None:
            raise ValueError(f"method {method!r} needs sources and participants")
        from .coding import attach_attributes

        linked = attach_attributes(seg[["source_id"]], sources, participants, ["eras"])
        eras_of = linked["eras"].astype(str)
        if method == "anchor_or_participant":
            anchored = found[0]["_row"].loc[found[0]["era_id"].ne("")]
            eras_of = eras_of.where(~row.isin(anchored), "")
        found.append(pd.DataFrame({"_row": row, "era_id": eras_of, "era_rule": "participant"}))
    long = pd.concat(found, ignore_index=True)
    long["era_id"] = long["era_id"].str.split("|")
    long = long.explode("era_id", ignore_index=True)
    long = long[long["era_id"].ne("") & long["era_id"].notna()]
    rank = {e: i for i, e in enumerate(_ERA_ORDER)}
    long = long.assign(_era=long["era_id"].map(rank).fillna(len(rank)))
    long = long.drop_duplicates(["_row", "era_id"]).sort_values(["_row", "_era", "era_id"],
                                                                kind="stable")
    out = seg.iloc[long["_row"].to_numpy()].reset_index(drop=True)
    out["era_id"] = long["era_id"].to_numpy()
    out["era_rule"] = long["era_rule"].to_numpy()
    return out


def by_era(policy_segments: pd.DataFrame, practice_segments: pd.DataFrame,
           policy_sources: pd.DataFrame, texts: Mapping[str, str] | None = None,
           sources: pd.DataFrame | None = None, participants: pd.DataFrame | None = None,
           eras: pd.DataFrame | None = None, method: str = "anchor",
           by: str | Sequence[str] | None = "tier", facet: str = "theme", codes=None,
           measure: str = "share", weighting: str = "pooled") -> pd.DataFrame:
    """Policy against practice era by era: :func:`divergence` on ``era_id``.

    Document segments take their document's era (:func:`document_eras`); interview
    segments the eras they speak of (:func:`interview_eras`, ``method``); the ``by``
    columns (default ``tier``) come from ``participants`` when the practice segments
    lack them. Eras with no coding on either side are left out.

    Returns
    -------
    DataFrame
        ``era_id``, the ``by`` columns, then the columns of :func:`divergence`.

    Examples
    --------
    >>> texts = {"P01": "In 2006 the SHA paid. By 2023 the ICB did."}
    >>> pra = pd.DataFrame({"source_id": ["P01", "P01"], "code_id": ["th_a", "th_b"],
    ...                     "start": [0, 22], "end": [21, 42]})
    >>> pol = pd.DataFrame({"source_id": ["D1", "D2"], "code_id": ["th_a", "th_a"],
    ...                     "start": [0, 0], "end": [9, 9]})
    >>> docs = pd.DataFrame({"source_id": ["D1", "D2"], "era": ["npfit", "icb"]})
    >>> out = by_era(pol, pra, docs, texts, by=None, codes=["th_a", "th_b"])
    >>> out[["era_id", "code_id", "difference", "jensen_shannon"]]
      era_id code_id  difference  jensen_shannon
    0  npfit    th_a         0.0             0.0
    1  npfit    th_b         0.0             0.0
    2    icb    th_a        -1.0             1.0
    3    icb    th_b         1.0             1.0
    """
    by = _as_list(by)
    missing = [c for c in by if c not in practice_segments.columns]
    if missing:
        if sources is None or participants is None:
            raise ValueError(f"practice segments lack {missing}: give sources and participants")
        from .coding import attach_attributes

        practice_segments = attach_attributes(practice_segments, sources, participants,
                                              missing)
    policy = document_eras(policy_segments, policy_sources)
    practice = interview_eras(practice_segments, texts, eras, sources, participants, method)
    policy_profile = theme_profile(policy, "era_id", facet=facet, codes=codes,
                                   measure=measure, weighting=weighting)
    practice_profile = theme_profile(practice, ["era_id", *by], facet=facet, codes=codes,
                                     measure=measure, weighting=weighting)
    return divergence(policy_profile, practice_profile, on="era_id")
