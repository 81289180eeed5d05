"""Inter-coder agreement: percent agreement, Cohen's kappa and Krippendorff's alpha.

Two coders' segments are compared per code and overall, at one of three units:

* ``"character"`` — each character of a double-coded text is a unit, coded or not with
  the code by each coder. NVivo's coding comparison and QualCoder's "Compare coders"
  report use this unit, and percent agreement is theirs; kappa is not the same in both
  (see "Kappa at the character unit" below);
* ``"segment"`` — each coded passage is a unit: the coders' spans are paired when they
  overlap enough (as MAXQDA and ATLAS.ti compare segments);
* ``"turn"`` — each turn of the interview is a unit.

The statistics are written out here (no dependency beyond NumPy); the tests check them
against scikit-learn's ``cohen_kappa_score``, the ``krippendorff`` package and published
worked examples.

Kappa at the character unit
---------------------------
``kappa`` is Cohen's kappa over *every* character of the sampled texts, per code: each
character is a decision "coded with this code or not" by each coder, uncoded text
included, which is how NVivo's help describes its coding comparison (there per source).
QualCoder's "Compare coders" report (``reports.py``,
``DialogReportCoderComparisons.calculate_agreement_for_code``) gives the same percent
agreement but another kappa: it counts only the characters at least one coder coded
(``U = n11 + n10 + n01``), takes ``Po = n11 / U`` and multiplies where Cohen adds,
``Pe = Pyes * Pno`` with ``Pyes = (n11 + n10)(n11 + n01) / U**2`` and
``Pno = n10 * n01 / U**2`` (its comment says ``Pe = Pyes + Pno``; with ``+`` and every
character counted, its formula is ours). It also adds up each passage's characters, so
two overlapping passages of one coder count twice there. Worked by hand on a text of 10
characters, coder A coding ``[0, 4)`` and coder B ``[2, 6)`` with one code:
``n11 = 2, n10 = 2, n01 = 2, n00 = 4``.

* ours: ``p_o = 6/10``, ``p_e = 0.4 * 0.4 + 0.6 * 0.6 = 0.52``,
  ``kappa = 0.08 / 0.48 = 0.1667``;
* QualCoder: ``U = 6``, ``Po = 2/6``, ``Pyes = (4/6)**2 = 4/9``, ``Pno = (2/6)**2 = 1/9``,
  ``Pe = 4/81``, ``kappa = (1/3 - 4/81) / (1 - 4/81) = 23/77 = 0.2987``.

:func:`agreement` reports QualCoder's number beside ours as ``qualcoder_kappa`` (see
:func:`qualcoder_kappa`), so that figures from QualCoder can be reconciled; the figure
to report is ``kappa``.

Functions
---------
percent_agreement, cohen_kappa, krippendorff_alpha
    The three statistics on label vectors / a reliability data matrix.
coding_units
    The units of comparison with each coder's presence/absence of each code.
agreement
    The three statistics per code and overall (and QualCoder's kappa beside them).
qualcoder_kappa
    The kappa of QualCoder's coder comparison, from 2 x 2 counts.
bootstrap_ci, agreement_ci
    Percentile bootstrap confidence intervals (seeded, NumPy ``default_rng``).
disagreements
    Passages where the coders disagree most, ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from .matrices import code_list, shorten
from .schema import check_choice
from .spans import check_spans_in_texts, numeric_spans, sweep_pairs, union_length

__all__ = [
    "percent_agreement", "cohen_kappa", "krippendorff_alpha", "qualcoder_kappa",
    "coding_units", "agreement", "bootstrap_ci", "agreement_ci", "definition_work", "disagreements", "OVERALL",
    "INTERPRETIVE_CODES",
]

#: ``code_id`` of the row that pools all codes.
OVERALL = "(overall)"

#: Codes the SST frame flags for agreement checks as the most interpretive (frame §3.13):
#: the internal structures and irresistible causal force.
INTERPRETIVE_CODES = ("sst_internal", "sst_int_gendisp", "sst_int_conjspec", "sst_int_horizon",
                      "sst_ext_irresistible")

UNITS = ("character", "segment", "turn")


# --------------------------------------------------------------------------- statistics

def _pairs(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = pd.Series(list(a), dtype=object), pd.Series(list(b), dtype=object)
    if len(a) != len(b):
        raise ValueError(f"the two codings differ in length ({len(a)} and {len(b)})")
    keep = ~(a.isna() | b.isna()).to_numpy()
    return a.to_numpy()[keep], b.to_numpy()[keep]


def percent_agreement(a: Iterable, b: Iterable) -> float:
    """Share of units on which two coders give the same label (missing pairs dropped).

    >>> percent_agreement(["x", "y", "y", None], ["x", "y", "x", "x"])
    0.6666666666666666
    """
    a, b = _pairs(a, b)
    return float(np.mean(a == b)) if a.size else float("nan")


def cohen_kappa(a: Iterable, b: Iterable) -> float:
    r"""Cohen's kappa for two coders' nominal labels (missing pairs dropped).

    .. math:: \kappa = (p_o - p_e) / (1 - p_e)

    with :math:`p_o` the observed agreement and :math:`p_e = \sum_c p_{A,c}\,p_{B,c}` the
    agreement expected from each coder's own label frequencies (Cohen 1960). NaN when
    :math:`p_e = 1` (both coders used one and the same label throughout).

    Examples
    --------
    The example of the Wikipedia article *Cohen's kappa*: 50 proposals, both say yes to
    20, both no to 15, A yes / B no 5, A no / B yes 10; kappa = 0.4.

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa(a, b), 10)
    0.4
    """
    a, b = _pairs(a, b)
    if not a.size:
        return float("nan")
    codes, labels = pd.factorize(np.concatenate([a, b]))  # 1 and 1.0 are one label
    ca, cb = codes[: a.size], codes[a.size:]
    k = labels.size
    table = np.bincount(ca * k + cb, minlength=k * k).reshape(k, k) / a.size
    p_o = np.trace(table)
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    return float("nan") if np.isclose(p_e, 1.0) else float((p_o - p_e) / (1 - p_e))


def krippendorff_alpha(data) -> float:
    r"""Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    Parameters
    ----------
    data : array-like or DataFrame, shape (coders, units)
        The reliability data matrix: one row per coder, one column per unit; ``None`` or
        NaN where a coder gave no value. Values may be numbers or strings.

    Returns
    -------
    float
        ``1 - D_o / D_e``; NaN when fewer than two values are pairable or all pairable
        values are the same (no variation: alpha is undefined).

    Notes
    -----
    Computed through the coincidence matrix (Krippendorff 2011, *Computing Krippendorff's
    Alpha-Reliability*): a unit with :math:`m_u \ge 2` values adds
    :math:`n_{uc} n_{uk} / (m_u - 1)` to :math:`o_{ck}` (:math:`c \ne k`) and
    :math:`n_{uc}(n_{uc} - 1)/(m_u - 1)` to :math:`o_{cc}`; units with one value are not
    pairable. With :math:`n_c = \sum_k o_{ck}` and :math:`n = \sum_c n_c`, for nominal data

    .. math:: \alpha = 1 - (n - 1) \frac{n - \sum_c o_{cc}}{n^2 - \sum_c n_c^2}.

    Examples
    --------
    Krippendorff's (2011) nominal example with missing data (4 observers, 12 units),
    alpha = 0.743:

    >>> nan = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data), 3)
    0.743
    """
    frame = pd.DataFrame(np.asarray(data, dtype=object))
    values = frame.to_numpy(dtype=object).ravel()
    present = ~pd.isna(values)
    unit = np.tile(np.arange(frame.shape[1]), frame.shape[0])[present]
    value, categories = pd.factorize(values[present])
    counts = np.zeros((frame.shape[1], categories.size))
    np.add.at(counts, (unit, value), 1)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable], m[pairable]
    weighted = counts / (m - 1)[:, None]
    coincidence = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    expected = n * n - float(n_c @ n_c)
    if n < 2 or np.isclose(expected, 0.0):
        return float("nan")
    return float(1 - (n - 1) * (n - np.trace(coincidence)) / expected)


def _binary_stats(n11, n10, n01, n00):
    """Percent agreement, Cohen's kappa and Krippendorff's alpha of 2 × 2 tables.

    ``n11``: units both coders coded, ``n10``: only coder A, ``n01``: only coder B,
    ``n00``: neither. Two coders, no missing values: alpha's coincidence matrix is
    ``o11 = 2 n11``, ``o00 = 2 n00``, ``o10 = o01 = n10 + n01``, which gives
    ``alpha = 1 - (n - 1)(n10 + n01) / (n0 n1)`` with ``n = 2N``. Works on arrays.
    """
    n11, n10, n01, n00 = (np.asarray(x, dtype=float) for x in (n11, n10, n01, n00))
    total = n11 + n10 + n01 + n00
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = (n11 + n00) / total
        p_a, p_b = (n11 + n10) / total, (n11 + n01) / total
        p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
        kappa = np.where(np.isclose(p_e, 1.0), np.nan, (p_o - p_e) / (1 - p_e))
        n = 2 * total
        ones, zeros = 2 * n11 + n10 + n01, 2 * n00 + n10 + n01
        alpha = np.where(ones * zeros > 0, 1 - (n - 1) * (n10 + n01) / (ones * zeros), np.nan)
    return p_o, kappa, alpha


def qualcoder_kappa(n11, n10, n01):
    """The kappa of QualCoder's "Compare coders" report, from 2 x 2 character counts.

    Only characters that at least one coder coded count: with ``U = n11 + n10 + n01``,
    ``Po = n11 / U``, ``Pyes = (n11 + n10)(n11 + n01) / U**2``, ``Pno = n10 n01 / U**2``
    and chance agreement ``Pe = Pyes * Pno`` (a product, not Cohen's sum);
    ``kappa = (Po - Pe) / (1 - Pe)``, NaN when ``U = 0``. This is QualCoder's formula
    (``reports.py``, ``calculate_agreement_for_code``) on characters counted once per
    coder; QualCoder itself counts a character twice where one coder's passages of the
    code overlap. Not Cohen's kappa: the module docstring compares the two.

    Parameters
    ----------
    n11, n10, n01 : int or array-like
        Characters coded by both coders, by coder A only, by coder B only.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    A codes [0, 4), B codes [2, 6): n11 = 2, n10 = 2, n01 = 2; 23/77 by hand.

    >>> round(float(qualcoder_kappa(2, 2, 2)), 6)
    0.298701
    >>> float(qualcoder_kappa(4, 0, 0)), float(qualcoder_kappa(0, 4, 0))
    (1.0, 0.0)
    """
    n11, n10, n01 = (np.asarray(x, dtype=float) for x in (n11, n10, n01))
    coded = n11 + n10 + n01
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = n11 / coded
        p_e = (n11 + n10) * (n11 + n01) / coded**2 * (n10 * n01 / coded**2)
        return np.where(coded > 0, (p_o - p_e) / (1 - p_e), np.nan)


# --------------------------------------------------------------------------- units

def _double_coded(segments, texts, coders, codes):
    if len(coders) != 2 or coders[0] == coders[1]:
        raise ValueError(f"coders must name two different coders, not {coders!r}")
    seg = numeric_spans(segments, columns=("source_id", "code_id", "start", "end", "coder"))
    seg = seg[seg["coder"].astype(str).isin(coders)]
    code_ids = code_list(codes)
    if code_ids is not None:
        seg = seg[seg["code_id"].isin(pd.Series(code_ids, dtype=object))]
    check_spans_in_texts(seg, texts, "segments")
    # A text is in the sample when each coder made at least one segment in it.
    by_source = seg.groupby("source_id")["coder"].nunique()
    sample = sorted(by_source.index[by_source == 2].astype(str))
    seg = seg[seg["source_id"].isin(pd.Series(sample, dtype=object))]
    if code_ids is None:
        code_ids = sorted(seg["code_id"].astype(str).unique())
    return seg.reset_index(drop=True), sample, code_ids


def coding_units(segments: pd.DataFrame, texts: Mapping[str, str],
                 coders: tuple[str, str] = ("A", "B"), unit: str = "character",
                 codes: pd.DataFrame | Iterable[str] | None = None, overlap: float = 0.5,
                 overlap_base: str = "union", exclude_uncoded: bool = False,
                 turns: pd.DataFrame | None = None) -> pd.DataFrame:
    """The units of comparison, as 2 × 2 counts per code.

    Parameters
    ----------
    segments : DataFrame
        Coded segments of both coders (``coder`` column).
    texts : mapping of source_id to str
        Normalised texts. Only texts in which *each* coder made at least one segment
        (of the codes considered) form the double-coded sample.
    coders : pair of str
        Coder A and coder B.
    unit : {"character", "segment", "turn"}
        ``character``: every character of a sampled text, for every code.
        ``segment``: coded passages. Each coder's distinct spans are paired one-to-one
        with the other coder's when their overlap ratio reaches ``overlap``, best ratio
        first (ties: earlier spans first); a paired or unpaired span is one unit, and a
        coder "applied" a code to a unit when it coded that span with it.
        ``turn``: every turn of a sampled text; a coder applied a code to a turn when one
        of its segments of that code overlaps the turn.
    codes : DataFrame or list of code ids, optional
        Codes to compare; default: all codes either coder used in the sample.
    overlap : float
        Threshold of the overlap ratio (segment unit), in (0, 1].
    overlap_base : {"union", "shorter"}
        Ratio = intersection / union of the two spans (Jaccard; the default) or
        intersection / the shorter span (lenient to a span nested in a longer one).
    exclude_uncoded : bool
        Drop the units that neither coder coded with any code considered: characters
        outside every segment, turns without a segment. No effect at the segment unit,
        whose units are all coded.
    turns : DataFrame
        Needed for ``unit="turn"``.

    Returns
    -------
    DataFrame
        One row per code and group of units: ``code_id, source_id, unit_id, start, end,
        n11, n10, n01, n00`` (both coders / only A / only B / neither). For characters a
        row sums a whole text (``unit_id`` = source id; the bootstrap resamples texts);
        for segments and turns a row is a single unit.

    Examples
    --------
    >>> texts = {"P01": "0123456789"}
    >>> seg = pd.DataFrame({"source_id": ["P01", "P01"], "code_id": ["th_a", "th_a"],
    ...                     "start": [0, 2], "end": [4, 6], "coder": ["A", "B"]})
    >>> coding_units(seg, texts)[["code_id", "n11", "n10", "n01", "n00"]]
      code_id  n11  n10  n01  n00
    0    th_a    2    2    2    4
    """
    check_choice("unit", unit, UNITS)
    if unit == "segment" and not 0 < overlap <= 1:
        raise ValueError("overlap must be in (0, 1]")
    check_choice("overlap_base", overlap_base, ("union", "shorter"))
    seg, sample, code_ids = _double_coded(segments, texts, coders, codes)
    if unit == "character":
        return _character_units(seg, sample, code_ids, texts, coders, exclude_uncoded)
    if unit == "segment":
        units, a_codes, b_codes = _segment_units(seg, coders, overlap, overlap_base)
    else:
        if turns is None:
            raise ValueError("unit='turn' needs the turns table")
        units, a_codes, b_codes = _turn_units(seg, sample, coders, turns, exclude_uncoded)
    rows = []
    for code in code_ids:
        a = np.array([code in s for s in a_codes], dtype=bool)
        b = np.array([code in s for s in b_codes], dtype=bool)
        rows.append(units.assign(code_id=code, n11=(a & b).astype("int64"),
                                 n10=(a & ~b).astype("int64"), n01=(~a & b).astype("int64"),
                                 n00=(~a & ~b).astype("int64")))
    columns = ["code_id", "source_id", "unit_id", "start", "end", "n11", "n10", "n01", "n00"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)[columns]


def _character_units(seg, sample, code_ids, texts, coders, exclude_uncoded):
    # Counted from the union of each coder's spans per (text, code), not character by
    # character: |A and B| = |A| + |B| - |A or B|, every term a length of merged intervals.
    lengths = np.array([len(texts[s]) for s in sample], dtype=np.int64)
    n_src = len(sample)
    src = pd.Index(sample).get_indexer(seg["source_id"]).astype(np.int64)
    code_pos = {c: k for k, c in enumerate(code_ids)}
    group = seg["code_id"].astype(str).map(code_pos).to_numpy(np.int64) * n_src + src
    start, end = seg["start"].to_numpy(np.int64), seg["end"].to_numpy(np.int64)
    is_a = (seg["coder"].astype(str) == coders[0]).to_numpy()
    n_groups = len(code_ids) * n_src
    a_len = union_length(group[is_a], start[is_a], end[is_a], n_groups)
    b_len = union_length(group[~is_a], start[~is_a], end[~is_a], n_groups)
    either = union_length(group, start, end, n_groups)
    # A and B lie inside the coded characters, so only n00 depends on exclude_uncoded.
    kept = union_length(src, start, end, n_src) if exclude_uncoded else lengths
    shape = (len(code_ids), n_src)
    both = (a_len + b_len - either).reshape(shape)
    a_len, b_len = a_len.reshape(shape), b_len.reshape(shape)
    rows = []
    for k, code_id in enumerate(code_ids):
        n11, n10, n01 = both[k], a_len[k] - both[k], b_len[k] - both[k]
        rows.append(pd.DataFrame({"code_id": code_id, "source_id": sample, "unit_id": sample,
                                  "start": 0, "end": lengths, "n11": n11, "n10": n10,
                                  "n01": n01, "n00": kept - n11 - n10 - n01}))
    columns = ["code_id", "source_id", "unit_id", "start", "end", "n11", "n10", "n01", "n00"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


def _spans(seg, coder):
    """Distinct spans of one coder with the set of codes applied to each."""
    part = seg[seg["coder"].astype(str) == coder]
    groups = part.groupby(["source_id", "start", "end"])
    grouped = groups.size().reset_index()[["source_id", "start", "end"]]
    # One pass in Python over the rows: a lambda per group is slow on 100,000 spans.
    sets: list[set] = [set() for _ in range(len(grouped))]
    for number, code in zip(groups.ngroup().tolist(), part["code_id"].astype(str).tolist()):
        sets[number].add(code)
    grouped["code_id"] = [frozenset(s) for s in sets]
    return grouped.sort_values(["source_id", "start", "end"], ignore_index=True)


def _match_spans(a: pd.DataFrame, b: pd.DataFrame, overlap: float, base: str):
    """Pair A spans with B spans one-to-one, best overlap ratio first."""
    both = pd.concat([a.assign(_side=0, _row=np.arange(len(a))),
                      b.assign(_side=1, _row=np.arange(len(b)))], ignore_index=True)
    source, _ = pd.factorize(both["source_id"], sort=True)
    stride = int(both["end"].max() if len(both) else 0) + 2
    key_s = source * stride + both["start"].to_numpy()
    key_e = source * stride + both["end"].to_numpy()
    order = np.argsort(key_s, kind="stable")
    i, j = sweep_pairs(key_s[order], key_e[order])
    i, j = order[i], order[j]
    side = both["_side"].to_numpy()
    cross = side[i] != side[j]
    i, j = i[cross], j[cross]
    ia = np.where(side[i] == 0, i, j)
    ib = np.where(side[i] == 0, j, i)
    s, e = both["start"].to_numpy(), both["end"].to_numpy()
    inter = np.minimum(e[ia], e[ib]) - np.maximum(s[ia], s[ib])
    if base == "union":
        denom = np.maximum(e[ia], e[ib]) - np.minimum(s[ia], s[ib])
    else:
        denom = np.minimum(e[ia] - s[ia], e[ib] - s[ib])
    ratio = inter / np.maximum(denom, 1)
    row = both["_row"].to_numpy()
    cand = pd.DataFrame({"a": row[ia], "b": row[ib], "ratio": ratio})
    cand = cand[cand["ratio"] >= overlap].sort_values(["ratio", "a", "b"],
                                                      ascending=[False, True, True])
    used_a, used_b, pairs = set(), set(), []
    for ra, rb in zip(cand["a"].tolist(), cand["b"].tolist()):
        if ra not in used_a and rb not in used_b:
            used_a.add(ra)
            used_b.add(rb)
            pairs.append((ra, rb))
    return pairs


def _segment_units(seg, coders, overlap, base):
    a, b = _spans(seg, coders[0]), _spans(seg, coders[1])
    pairs = _match_spans(a, b, overlap, base)
    paired_a = {p[0] for p in pairs}
    paired_b = {p[1] for p in pairs}
    # plain lists: scalar access to a DataFrame in these loops costs microseconds a time
    a_source, a_start, a_end, a_code = (a[c].tolist()
                                        for c in ("source_id", "start", "end", "code_id"))
    b_source, b_start, b_end, b_code = (b[c].tolist()
                                        for c in ("source_id", "start", "end", "code_id"))
    records = []
    for ra, rb in pairs:
        records.append((a_source[ra], min(a_start[ra], b_start[rb]),
                        max(a_end[ra], b_end[rb]), a_code[ra], b_code[rb]))
    for ra in sorted(set(range(len(a))) - paired_a):
        records.append((a_source[ra], a_start[ra], a_end[ra], a_code[ra], frozenset()))
    for rb in sorted(set(range(len(b))) - paired_b):
        records.append((b_source[rb], b_start[rb], b_end[rb], frozenset(), b_code[rb]))
    records.sort(key=lambda r: (r[0], r[1], r[2], sorted(r[3]), sorted(r[4])))
    units = pd.DataFrame({"source_id": [r[0] for r in records],
                          "start": [int(r[1]) for r in records],
                          "end": [int(r[2]) for r in records]})
    units["unit_id"] = [f"u{i + 1}" for i in range(len(units))]
    return units, [r[3] for r in records], [r[4] for r in records]


def _turn_units(seg, sample, coders, turns, exclude_uncoded):
    tr = numeric_spans(turns, "turns", ("source_id", "turn", "start", "end"))
    tr = tr[tr["source_id"].isin(pd.Series(sample, dtype=object))]
    tr = tr.sort_values(["source_id", "start"], kind="stable", ignore_index=True)
    # Segment × turn pairs that overlap, by sweeping turns and segments together.
    both = pd.concat([tr[["source_id", "start", "end"]].assign(_side=0, _row=tr.index),
                      seg[["source_id", "start", "end"]].assign(_side=1, _row=seg.index)],
                     ignore_index=True)
    both = both[both["end"] > both["start"]]
    source, _ = pd.factorize(both["source_id"], sort=True)
    stride = int(both["end"].max() if len(both) else 0) + 2
    key_s = source * stride + both["start"].to_numpy()
    order = np.argsort(key_s, kind="stable")
    key_e = (source * stride + both["end"].to_numpy())[order]
    i, j = sweep_pairs(key_s[order], key_e)
    i, j = order[i], order[j]
    side, row = both["_side"].to_numpy(), both["_row"].to_numpy()
    cross = side[i] != side[j]
    i, j = i[cross], j[cross]
    turn_row = np.where(side[i] == 0, row[i], row[j])
    seg_row = np.where(side[i] == 0, row[j], row[i])
    a_codes = [set() for _ in range(len(tr))]
    b_codes = [set() for _ in range(len(tr))]
    coder = seg["coder"].astype(str).to_numpy()
    code = seg["code_id"].astype(str).to_numpy()
    for t, s in zip(turn_row.tolist(), seg_row.tolist()):
        (a_codes if coder[s] == coders[0] else b_codes)[t].add(code[s])
    units = tr[["source_id", "start", "end"]].assign(
        unit_id=tr["source_id"].astype(str) + ":" + tr["turn"].astype(str))
    if exclude_uncoded:
        coded = np.array([bool(x or y) for x, y in zip(a_codes, b_codes)], dtype=bool)
        units = units[coded].reset_index(drop=True)
        a_codes = [x for x, c in zip(a_codes, coded) if c]
        b_codes = [x for x, c in zip(b_codes, coded) if c]
    return units, a_codes, b_codes


# --------------------------------------------------------------------------- agreement

def _summarise(tables: pd.DataFrame, unit: str, code_ids: list[str]) -> pd.DataFrame:
    sums = tables.groupby("code_id")[["n11", "n10", "n01", "n00"]].sum().reindex(code_ids,
                                                                                   fill_value=0)
    sums.loc[OVERALL] = sums.sum()
    p_o, kappa, alpha = _binary_stats(sums["n11"], sums["n10"], sums["n01"], sums["n00"])
    out = sums.reset_index(names="code_id")
    out.insert(1, "unit", unit)
    out.insert(2, "n_units", sums[["n11", "n10", "n01", "n00"]].sum(axis=1).to_numpy())
    out["percent_agreement"] = np.round(p_o, 6)
    out["kappa"] = np.round(kappa, 6)
    out["alpha"] = np.round(alpha, 6)
    # QualCoder's coder comparison exists at the character unit only.
    out["qualcoder_kappa"] = (np.round(qualcoder_kappa(sums["n11"], sums["n10"], sums["n01"]), 6)
                              if unit == "character" else np.nan)
    return out


def agreement(segments: pd.DataFrame, texts: Mapping[str, str],
              coders: tuple[str, str] = ("A", "B"), unit: str = "character",
              codes: pd.DataFrame | Iterable[str] | None = None, overlap: float = 0.5,
              overlap_base: str = "union", exclude_uncoded: bool = False,
              turns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Percent agreement, Cohen's kappa and Krippendorff's alpha per code and overall.

    Parameters are those of :func:`coding_units`, which defines the units. For each
    code the two coders' presence/absence of the code over the units gives a 2 × 2
    table; the three statistics follow from it (alpha: nominal, two coders, no missing
    values). The overall row (``code_id`` = :data:`OVERALL`) pools the tables of all
    codes, i.e. every unit × code is one decision.

    Returns
    -------
    DataFrame
        ``code_id, unit, n_units, n11, n10, n01, n00, percent_agreement, kappa, alpha,
        qualcoder_kappa``, codes in the order given (else sorted), the overall row last.
        Kappa and alpha are NaN when undefined (no variation: e.g. a code neither coder
        used). ``kappa`` is Cohen's kappa over every unit, the figure to report;
        ``qualcoder_kappa`` is the kappa of QualCoder's coder comparison (character unit
        only, coded characters only: :func:`qualcoder_kappa`), NaN at other units and
        where no character of the code was coded.

    Examples
    --------
    >>> texts = {"P01": "0123456789"}
    >>> seg = pd.DataFrame({"source_id": ["P01", "P01"], "code_id": ["th_a", "th_a"],
    ...                     "start": [0, 2], "end": [4, 6], "coder": ["A", "B"]})
    >>> agreement(seg, texts)[["code_id", "percent_agreement", "kappa", "qualcoder_kappa"]]
         code_id  percent_agreement     kappa  qualcoder_kappa
    0       th_a                0.6  0.166667         0.298701
    1  (overall)                0.6  0.166667         0.298701
    """
    tables = coding_units(segments, texts, coders, unit, codes, overlap, overlap_base,
                          exclude_uncoded, turns)
    code_ids = code_list(codes)
    if code_ids is None:
        code_ids = sorted(tables["code_id"].astype(str).unique())
    return _summarise(tables, unit, code_ids)


def bootstrap_ci(statistic: Callable[[pd.DataFrame], float], data: pd.DataFrame,
                 n: int = 1000, seed: int = 20240601, level: float = 0.95,
                 cluster: str | None = None) -> tuple[float, float, float]:
    """Percentile bootstrap: (estimate, low, high) of ``statistic`` over resampled rows.

    Parameters
    ----------
    statistic : callable
        DataFrame -> float, applied to ``data`` and to each resample.
    data : DataFrame
        One row per unit.
    n : int
        Number of resamples.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same interval.
    level : float
        Coverage of the interval.
    cluster : str, optional
        Resample whole groups of rows sharing this column's value (e.g. ``source_id``),
        not single rows, when rows of a group are not independent.

    Returns
    -------
    tuple of float
        The estimate on ``data`` and the percentile bounds (NaN resamples ignored).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [0, 1, 1, 1]})
    >>> est, low, high = bootstrap_ci(lambda d: d["x"].mean(), df, n=200, seed=1)
    >>> est, 0 <= low <= est <= high <= 1
    (0.75, True)
    """
    rng = np.random.default_rng(seed)
    groups = (pd.Series(np.arange(len(data))) if cluster is None
              else pd.Series(pd.factorize(data[cluster], sort=True)[0]))
    members = [np.flatnonzero(groups.to_numpy() == g) for g in range(int(groups.max()) + 1)] \
        if len(data) else []
    replicates = np.full(n, np.nan)
    for r in range(n):
        pick = rng.integers(0, len(members), len(members)) if members else np.array([], int)
        rows = np.concatenate([members[g] for g in pick]) if len(pick) else np.array([], int)
        replicates[r] = statistic(data.iloc[rows])
    low, high = np.nanquantile(replicates, [(1 - level) / 2, (1 + level) / 2]) \
        if np.isfinite(replicates).any() else (np.nan, np.nan)
    return float(statistic(data)), float(low), float(high)


def agreement_ci(segments: pd.DataFrame, texts: Mapping[str, str],
                 coders: tuple[str, str] = ("A", "B"), unit: str = "character",
                 codes: pd.DataFrame | Iterable[str] | None = None, overlap: float = 0.5,
                 overlap_base: str = "union", exclude_uncoded: bool = False,
                 turns: pd.DataFrame | None = None, n: int = 1000, seed: int = 20240601,
                 level: float = 0.95) -> pd.DataFrame:
    """:func:`agreement` with percentile bootstrap intervals per code.

    Units are resampled with replacement, separately for each code: single passages
    or turns at the segment and turn units, whole texts at the character unit (the
    characters of one text are not independent). Seeded; vectorised over resamples.

    Returns
    -------
    DataFrame
        ``code_id, unit, statistic, estimate, low, high, n_resamples`` with statistic in
        ``percent_agreement``, ``kappa``, ``alpha``; codes as in :func:`agreement`.

    Examples
    --------
    >>> texts = {"P01": "0123456789"}
    >>> seg = pd.DataFrame({"source_id": ["P01"] * 4, "code_id": ["th_a"] * 4,
    ...     "start": [0, 0, 5, 7], "end": [2, 2, 6, 9], "coder": ["A", "B", "A", "B"]})
    >>> ci = agreement_ci(seg, texts, unit="segment", n=100, seed=3)
    >>> ci.loc[ci.statistic == "percent_agreement", ["code_id", "estimate"]]
         code_id  estimate
    0       th_a  0.333333
    3  (overall)  0.333333
    """
    tables = coding_units(segments, texts, coders, unit, codes, overlap, overlap_base,
                          exclude_uncoded, turns)
    code_ids = code_list(codes)
    if code_ids is None:
        code_ids = sorted(tables["code_id"].astype(str).unique())
    summary = _summarise(tables, unit, code_ids)
    rng = np.random.default_rng(seed)
    cells = ["n11", "n10", "n01", "n00"]
    pooled = tables.groupby("unit_id", sort=True)[cells].sum()
    # each code's rows in table order (one pass, not one comparison of the column per code)
    by_code = {str(c): g[cells].to_numpy(float)
               for c, g in tables.groupby(tables["code_id"].astype(str), sort=False)}
    found_by_code = {str(r["code_id"]): r for r in summary.to_dict("records")}
    none = np.empty((0, len(cells)))
    rows = []
    for code_id in code_ids + [OVERALL]:
        counts = pooled.to_numpy(float) if code_id == OVERALL else by_code.get(str(code_id), none)
        if counts.shape[0]:
            pick = rng.integers(0, counts.shape[0], size=(n, counts.shape[0]))
            weights = np.stack([np.bincount(p, minlength=counts.shape[0]) for p in pick])
            stats = _binary_stats(*(weights @ counts).T)
        else:
            stats = (np.full(n, np.nan),) * 3
        found = found_by_code[str(code_id)]
        for name, values in zip(("percent_agreement", "kappa", "alpha"), stats):
            finite = values[np.isfinite(values)]
            low, high = (np.quantile(finite, [(1 - level) / 2, (1 + level) / 2])
                         if finite.size else (np.nan, np.nan))
            rows.append({"code_id": code_id, "unit": unit, "statistic": name,
                         "estimate": found[name], "low": round(float(low), 6),
                         "high": round(float(high), 6), "n_resamples": int(finite.size)})
    return pd.DataFrame(rows)


def definition_work(ci: pd.DataFrame, statistic: str = "kappa",
                    rank_by: str | None = None) -> pd.DataFrame:
    """Codes ranked by how much their definitions need work: lowest interval bound first.

    Parameters
    ----------
    ci : DataFrame
        From :func:`agreement_ci`, for one or more units.
    statistic : str
        ``kappa``, ``alpha`` or ``percent_agreement``.
    rank_by : str, optional
        The unit whose lower bound ranks the codes (default: the last unit in ``ci``,
        which in the notebooks is the stricter segment unit); ties by its estimate.

    Returns
    -------
    DataFrame
        One row per code (the overall row left out), indexed by ``code_id``:
        ``interpretive`` (in :data:`INTERPRETIVE_CODES`), then ``<unit>_estimate``,
        ``<unit>_low`` and ``<unit>_high`` for every unit.

    Examples
    --------
    >>> ci = pd.DataFrame({"code_id": ["th_a", "sst_int_gendisp", OVERALL],
    ...     "unit": "segment", "statistic": "kappa", "estimate": [0.9, 0.5, 0.7],
    ...     "low": [0.8, 0.3, 0.6], "high": [1.0, 0.7, 0.8]})
    >>> definition_work(ci)[["interpretive", "segment_low"]]
                     interpretive  segment_low
    code_id                                   
    sst_int_gendisp          True          0.3
    th_a                    False          0.8
    """
    data = ci[(ci["statistic"] == statistic) & (ci["code_id"] != OVERALL)]
    units = list(dict.fromkeys(data["unit"]))
    rank_by = rank_by or units[-1]
    wide = data.pivot(index="code_id", columns="unit", values=["estimate", "low", "high"])
    wide.columns = [f"{unit}_{what}" for what, unit in wide.columns]
    wide = wide[[f"{u}_{w}" for u in units for w in ("estimate", "low", "high")]]
    wide.insert(0, "interpretive", wide.index.isin(INTERPRETIVE_CODES))
    return wide.sort_values([f"{rank_by}_low", f"{rank_by}_estimate"], kind="stable")


def disagreements(segments: pd.DataFrame, texts: Mapping[str, str],
                  coders: tuple[str, str] = ("A", "B"),
                  codes: pd.DataFrame | Iterable[str] | None = None, overlap: float = 0.5,
                  overlap_base: str = "union", top: int | None = 20,
                  quote_chars: int = 200) -> pd.DataFrame:
    """The coded passages where the two coders disagree most, ranked.

    Passages are the units of ``unit="segment"`` (see :func:`coding_units`). A passage's
    disagreement is the number of codes only one coder applied there.

    Returns
    -------
    DataFrame
        ``rank, source_id, start, end, codes_a, codes_b, only_a, only_b, n_disagree,
        text``, code lists joined by ``"|"``. Ranked by ``n_disagree`` (most first), then
        by the share of codes agreed (least first), then longer passages, then position.
        Passages with full agreement are left out; ``top`` keeps the first rows
        (``None``: all).

    Examples
    --------
    >>> texts = {"P01": "The SHA told us to take the PAS."}
    >>> seg = pd.DataFrame({"source_id": ["P01"] * 3, "code_id": ["th_a", "th_a", "th_b"],
    ...     "start": [0, 0, 0], "end": [15, 15, 15], "coder": ["A", "B", "B"]})
    >>> disagreements(seg, texts)[["rank", "codes_a", "codes_b", "only_b", "text"]]
       rank codes_a    codes_b only_b             text
    0     1    th_a  th_a|th_b   th_b  The SHA told us
    """
    seg, _, code_ids = _double_coded(segments, texts, coders, codes)
    units, a_codes, b_codes = _segment_units(seg, coders, overlap, overlap_base)
    keep = set(code_ids)
    a_sets = [set(s) & keep for s in a_codes]
    b_sets = [set(s) & keep for s in b_codes]
    out = units.assign(
        codes_a=["|".join(sorted(s)) for s in a_sets],
        codes_b=["|".join(sorted(s)) for s in b_sets],
        only_a=["|".join(sorted(a - b)) for a, b in zip(a_sets, b_sets)],
        only_b=["|".join(sorted(b - a)) for a, b in zip(a_sets, b_sets)],
        n_disagree=[len(a ^ b) for a, b in zip(a_sets, b_sets)],
        _agreed=[len(a & b) / max(len(a | b), 1) for a, b in zip(a_sets, b_sets)],
        _length=units["end"] - units["start"],
    )
    out = out[out["n_disagree"] > 0].sort_values(
        ["n_disagree", "_agreed", "_length", "source_id", "start", "end"],
        ascending=[False, True, False, True, True, True], kind="stable")
    if top is not None:
        out = out.head(top)
    out = out.reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["text"] = [shorten(texts[s][a:b], quote_chars)
                   for s, a, b in zip(out["source_id"], out["start"], out["end"])]
    return out[["rank", "source_id", "start", "end", "codes_a", "codes_b", "only_a", "only_b",
                "n_disagree", "text"]]
