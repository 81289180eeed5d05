"""How far the SST dictionary can be trusted: its coding scored against human coding.

The dictionary (:func:`analysis.coding.dictionary_code`) marks a sentence or turn when a
stem of a code appears in it; people mark a passage when its meaning fits the code's
definition. Before the dictionary's coding of the strategy documents is read as *policy*
(:mod:`analysis.alignment`), it is run over the interviews and compared with what the
human coders marked there: precision, recall and F1 per code, at the character or the
turn level.

Functions
---------
dictionary_vs_human
    Precision, recall and F1 of the dictionary against human coding, per code.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .alignment import OVERALL, facet_codes
from .errors import DataError
from .schema import check_choice
from .spans import checked_spans, covered, numeric_spans, turn_hits

__all__ = ["HUMAN_RULES", "UNITS", "dictionary_vs_human"]

#: Ways of reading several human coders as one reference.
HUMAN_RULES = ("union", "intersection")
#: What one decision is: a character, or a turn.
UNITS = ("character", "turn")
_COUNTS = ["n_dictionary", "n_human", "tp", "fp", "fn"]


def dictionary_vs_human(dictionary_segments: pd.DataFrame, human_segments: pd.DataFrame,
                        texts: Mapping[str, str], codes=None, facet: str | None = None,
                        unit: str = "character", human: str = "union",
                        turns: pd.DataFrame | None = None,
                        role: str | None = "participant") -> pd.DataFrame:
    """How well the dictionary finds what people coded: precision, recall and F1 per code.

    Human coding is the reference. Only texts with human coding are scored (a text
    nobody coded says nothing about the dictionary's errors). Precision: of what the
    dictionary marked, the part people marked with the same code; recall: of what people
    marked, the part the dictionary found; F1: their harmonic mean.

    Parameters
    ----------
    dictionary_segments : DataFrame
        The dictionary's segments (``dictionary_segments.csv``).
    human_segments : DataFrame
        Human coding with a ``coder`` column; rows by ``"dictionary"`` are ignored.
    texts : mapping of source_id to str
        The normalised texts.
    codes : DataFrame, Codebook or list of code ids, optional
        The codes scored (a codes table is filtered to ``facet``); default: the codes
        of ``facet`` in the codebook, or with no facet every code either side used.
    facet : str, optional
        E.g. ``"theme"``.
    unit : {"character", "turn"}
        ``character``: each character is a decision (the dictionary marks whole turns or
        sentences, people mark passages, so character precision is low by
        construction). ``turn``: each turn is a decision; a side codes a turn when one
        of its segments of the code overlaps it.
    human : {"union", "intersection"} or str
        ``union``: coded by any human coder; ``intersection``: by every human coder
        (only texts every coder coded are scored); another value: that coder alone.
    turns : DataFrame
        ``source_id, turn, start, end[, role]``; needed for ``unit="turn"``.
    role : str, optional
        With ``unit="turn"``: score only turns of this role (the dictionary codes
        participants' turns); None for all turns.

    Returns
    -------
    DataFrame
        ``code_id, unit, n_dictionary, n_human`` (segments in the scored texts),
        ``tp, fp, fn`` (characters or turns), ``precision, recall, f1`` (NaN when
        undefined), rounded to 6 places; codes in order, then an :data:`OVERALL` row
        pooling the counts of all codes (micro-averaged).

    Examples
    --------
    >>> texts = {"P01": "0123456789"}
    >>> dic = pd.DataFrame({"source_id": ["P01"], "code_id": ["th_a"], "start": [0], "end": [6]})
    >>> hum = pd.DataFrame({"source_id": ["P01"], "code_id": ["th_a"], "start": [4],
    ...                     "end": [8], "coder": ["A"]})
    >>> dictionary_vs_human(dic, hum, texts)[["code_id", "tp", "fp", "fn", "precision", "recall"]]
         code_id  tp  fp  fn  precision  recall
    0       th_a   2   4   2   0.333333     0.5
    1  (overall)   2   4   2   0.333333     0.5
    """
    check_choice("unit", unit, UNITS)
    dic = checked_spans(dictionary_segments, "dictionary segments", texts)
    hum = checked_spans(human_segments, "human segments", texts, extra=["coder"])
    hum, coders = _human_reference(hum, human)
    if codes is None and facet is None:
        code_ids = sorted(set(dic["code_id"].astype(str)) | set(hum["code_id"].astype(str)))
    else:
        code_ids = facet_codes(codes, facet)
    # The scored texts: coded by the human reference (by every coder for an intersection).
    per_source = hum.groupby("source_id")["coder"].nunique()
    need = len(coders) if human == "intersection" else 1
    sample = sorted(per_source.index[per_source >= need].astype(str))
    in_sample = pd.Series(sample, dtype=object)
    keep_codes = pd.Series(code_ids, dtype=object)
    dic = dic[dic["source_id"].isin(in_sample) & dic["code_id"].isin(keep_codes)]
    hum = hum[hum["source_id"].isin(in_sample) & hum["code_id"].isin(keep_codes)]

    size, place = _one_axis(texts, sample)
    if unit == "turn":
        if turns is None:
            raise ValueError("unit='turn' needs the turns table")
        decisions = _scored_turns(turns, in_sample, role, place)
    else:
        decisions = size
    mark_dic = _marker(*place(dic), decisions)
    mark_hum = _marker(*place(hum), decisions)
    d_code, h_code = dic["code_id"].astype(str).to_numpy(), hum["code_id"].astype(str).to_numpy()
    h_coder = hum["coder"].astype(str).to_numpy()
    rule_coders = coders if human == "intersection" else [None]
    rows = []
    for code_id in code_ids:
        d_rows = d_code == code_id
        d_mask = mark_dic(d_rows)
        h_mask = np.ones(d_mask.size, dtype=bool)
        for coder in rule_coders:
            h_mask &= mark_hum((h_code == code_id) & ((h_coder == coder) if coder else True))
        rows.append((code_id, int(d_rows.sum()), int((h_code == code_id).sum()),
                     int((d_mask & h_mask).sum()), int((d_mask & ~h_mask).sum()),
                     int((~d_mask & h_mask).sum())))
    return _score_table(rows, unit)


def _human_reference(hum: pd.DataFrame, human: str) -> tuple[pd.DataFrame, list[str]]:
    """The human segments that make the reference, and the coders it is read from."""
    hum = hum[hum["coder"].astype(str) != "dictionary"].reset_index(drop=True)
    coders = sorted(hum["coder"].astype(str).unique())
    if human not in HUMAN_RULES:
        if human not in coders:
            raise ValueError(f"human must be one of {HUMAN_RULES} or a coder in the table "
                             f"({coders}), not {human!r}")
        hum, coders = hum[hum["coder"].astype(str) == human].reset_index(drop=True), [human]
    return hum, coders


def _one_axis(texts: Mapping[str, str], sample: list[str]):
    """One axis for all scored texts, a gap of one between texts: its size, and a function
    placing a span table's spans on it."""
    lengths = np.array([len(texts[s]) for s in sample], dtype=np.int64)
    base = dict(zip(sample, np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).tolist()))

    def place(seg: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        offset = seg["source_id"].astype(str).map(base).to_numpy(np.int64)
        return offset + seg["start"].to_numpy(np.int64), offset + seg["end"].to_numpy(np.int64)

    return int((lengths + 1).sum()), place


def _scored_turns(turns: pd.DataFrame, in_sample: pd.Series, role: str | None, place):
    """Start and end, on the one axis and sorted, of the non-empty turns scored."""
    tr = numeric_spans(turns, "turns", ("source_id", "turn", "start", "end"))
    keep = tr["source_id"].astype(str).isin(in_sample) & (tr["end"] > tr["start"])
    if role is not None:
        if "role" not in tr.columns:
            raise DataError("turns", 1, "table lacks column 'role'")
        keep &= tr["role"].astype(str) == role
    t_start, t_end = place(tr[keep])
    order = np.argsort(t_start, kind="stable")
    return t_start[order], t_end[order]


def _marker(start: np.ndarray, end: np.ndarray, decisions):
    """A function from a selection of these spans (boolean per span) to the decisions they
    mark: characters of an axis of ``decisions`` positions, or the turns ``decisions``
    (their starts and ends) that one of the spans overlaps."""
    if not isinstance(decisions, tuple):
        return lambda rows: covered(decisions, start[rows], end[rows])
    t_start, t_end = decisions
    turn, row = turn_hits(t_start, t_end, start, end)

    def mark(rows: np.ndarray) -> np.ndarray:
        marked = np.zeros(len(t_start), dtype=bool)
        marked[turn[rows[row]]] = True
        return marked

    return mark


def _score_table(rows: list[tuple], unit: str) -> pd.DataFrame:
    """Counts per code, an :data:`OVERALL` row pooling them, precision, recall and F1."""
    out = pd.DataFrame(rows, columns=["code_id", *_COUNTS])
    total = out[_COUNTS].sum()
    out = pd.concat([out, pd.DataFrame([{"code_id": OVERALL, **total.to_dict()}])],
                    ignore_index=True)
    out[_COUNTS] = out[_COUNTS].astype("int64")
    out.insert(1, "unit", unit)
    tp, fp, fn = (out[c].to_numpy(dtype=float) for c in ("tp", "fp", "fn"))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    out["precision"], out["recall"], out["f1"] = (np.round(x, 6) for x in (precision, recall, f1))
    return out
