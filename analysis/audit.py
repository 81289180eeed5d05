"""The audit trail: coding rounds, how the codebook changed, agreement over time.

A study may code in rounds (``coding/round-1/``, ``coding/round-2/`` ...,
:func:`analysis.study.coding_rounds`); the last round is the analysis and earlier rounds
are its history. The build writes, under the processed study's ``audit/`` folder:

``rounds.csv``
    one row per round: its projects, coders, numbers of codings and codes, and whether
    it is the analysis;
``codes_by_round.csv``
    every code of every round with its REFI GUID, definition, number of codings and the
    code it continues as in the next round (``continues_as``);
``codebook_changes.csv``
    the change log between consecutive rounds (:func:`compare_rounds`);
``segments_history.csv``, ``memos_history.csv``
    the codings and memos of the earlier rounds, with their ``round``
    (``segments.csv`` and ``memos.csv`` hold the analysis round's);
``inputs.csv``
    every input file the build read, with its SHA-256.

:func:`load_audit` reads them back; :func:`agreement_by_round` and
:func:`code_agreement_by_round` compute inter-coder agreement per round with
:mod:`analysis.reliability`; :func:`audit_sections` gathers the facts the report's
"Audit trail" page and ``build/thesis/audit.md`` show, each with the command that
reproduces it (``python -m analysis audit SECTION``, :func:`main`).

Examples
--------
A code renamed between two rounds (same GUID), and one merged into another:

>>> import pandas as pd
>>> before = pd.DataFrame({"code_id": ["money", "cuts", "staff"], "guid": ["g1", "g2", "g3"],
...     "label": ["Money", "Cuts", "Staff"], "parent_id": "", "definition": ""})
>>> after = pd.DataFrame({"code_id": ["funding", "staff"], "guid": ["g1", "g3"],
...     "label": ["Funding", "Staff"], "parent_id": "", "definition": ""})
>>> seg = lambda rows: pd.DataFrame(rows, columns=["source_id", "code_id", "start", "end",
...                                                "coder"])
>>> changes, _ = compare_rounds(before, seg([("P01", "money", 0, 5, "ann"),
...                                          ("P01", "cuts", 6, 9, "ann")]),
...                             after, seg([("P01", "funding", 0, 5, "ann"),
...                                         ("P01", "funding", 6, 9, "ann")]))
>>> changes[["change", "code_from", "code_to", "n_codings"]].values.tolist()
[['renamed', 'money', 'funding', 2], ['merged', 'cuts', 'funding', 1]]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .io import read_table

__all__ = ["CHANGES", "CHANGE_COLUMNS", "ROUND_COLUMNS", "ROUND_CODE_COLUMNS", "INPUT_COLUMNS",
           "word_diff", "compare_rounds", "change_log", "code_lineage", "round_table",
           "Audit", "load_audit", "agreement_by_round", "code_agreement_by_round",
           "excluded", "Section", "audit_sections", "readable_changes", "markdown_table", "audit_markdown",
           "study_coders", "main"]

#: The kinds of change, in the order the log lists them.
CHANGES = ("added", "removed", "renamed", "moved", "definition edited", "merged", "split")

CHANGE_COLUMNS = ["round_from", "round_to", "change", "code_from", "label_from", "code_to",
                  "label_to", "parent_from", "parent_to", "n_codings", "detail"]
ROUND_COLUMNS = ["round", "position", "folder", "projects", "coders", "n_coders",
                 "n_codings", "n_codes_used", "n_codes", "n_sources", "analysis"]
ROUND_CODE_COLUMNS = ["round", "code_id", "guid", "label", "parent_id", "definition",
                      "n_codings", "continues_as"]
INPUT_COLUMNS = ["file", "role", "round", "bytes", "sha256"]
_SPAN = ["source_id", "start", "end", "coder"]


def _squash(text) -> str:
    return " ".join(str(text if text is not None and text == text else "").split())


# --------------------------------------------------------------------------- the change log

def word_diff(old: str, new: str) -> str:
    """A word-level diff: ``[-removed words-]`` and ``{+added words+}`` in the running text.

    >>> word_diff("Talk of budgets and money.", "Talk of budgets, money and cuts.")
    'Talk of [-budgets-] {+budgets, money+} and [-money.-] {+cuts.+}'
    >>> word_diff("Same words.", "Same  words.")
    'Same words.'
    """
    a, b = _squash(old).split(), _squash(new).split()
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += a[i1:i2]
        if tag in ("delete", "replace"):
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if tag in ("insert", "replace"):
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _flows(seg_a: pd.DataFrame, seg_b: pd.DataFrame):
    """Where the codings of one round went in the next, span by span.

    Only coders who coded in both rounds count (a coder absent from a round took none of
    their codings along). Returns ``(flow, n_a, n_b)``: codings of code a whose span
    (transcript, start, end, coder) carries code b in the later round, per (a, b), and
    each code's number of codings by those coders.
    """
    shared = set(seg_a["coder"].astype(str)) & set(seg_b["coder"].astype(str))
    a = seg_a[seg_a["coder"].astype(str).isin(shared)][_SPAN + ["code_id"]].drop_duplicates()
    b = seg_b[seg_b["coder"].astype(str).isin(shared)][_SPAN + ["code_id"]].drop_duplicates()
    for t in (a, b):
        t[["start", "end"]] = t[["start", "end"]].astype("int64")
    joined = a.merge(b, on=_SPAN, suffixes=("_a", "_b"))
    flow = joined.groupby(["code_id_a", "code_id_b"]).size()
    return flow, a.groupby("code_id").size(), b.groupby("code_id").size()


def compare_rounds(codes_a: pd.DataFrame, segments_a: pd.DataFrame, codes_b: pd.DataFrame,
                   segments_b: pd.DataFrame, round_a: str = "", round_b: str = ""):
    """The codebook's changes from one round (a) to the next (b), and which code became which.

    Parameters
    ----------
    codes_a, codes_b : DataFrame
        Each round's codes: ``code_id, guid, label, parent_id, definition`` (a code
        without a REFI GUID has ``guid`` ``""``).
    segments_a, segments_b : DataFrame
        Each round's codings: ``source_id, code_id, start, end, coder``.
    round_a, round_b : str
        The rounds' names, for the ``round_from`` and ``round_to`` columns.

    Returns
    -------
    (DataFrame, dict)
        The changes (:data:`CHANGE_COLUMNS`, one row per change and code) and
        ``{code in a: the code it continues as in b}``.

    Notes
    -----
    A code of round a is the same code in round b when it has the same REFI GUID, else
    the same name (case and spacing aside), else when it has the same codings: most
    (more than half) of its codings lie on passages that carry the other code in b, and
    most of the other's codings lie on its passages. Only coders who coded in both
    rounds count for codings. Of the same code:

    * **renamed** when the name differs, **moved** when the parent differs (the parent
      compared as the same code), **definition edited** when the definition differs
      (``detail``: :func:`word_diff`); ``n_codings`` is the code's codings in round b.

    Between different codes, from where the same passages' codings went:

    * **merged**: two or more codes of a each have most of their codings now on one
      code of b (a new code, or one of them that stays); one row per code merged in
      (none for the one that stays), ``n_codings`` = its codings now the target's;
    * **split**: two or more codes of b each have most of their codings from passages of
      one code of a (which may stay as one of them); one row per new part,
      ``n_codings`` = the codings that went to it.

    A code of a that is none of these is **removed** (``n_codings``: its codings in a),
    a code of b that is none of these **added** (its codings in b). ``n_codings`` of a
    rename, move or edit counts every coder; of a merge or split, the coders in both
    rounds.
    """
    A = _codes(codes_a)
    B = _codes(codes_b)
    count_a = _count(segments_a)
    count_b = _count(segments_b)
    match, how, taken = {}, {}, set()
    by_guid = {g: b for b, g in B["guid"].items() if g}
    for a, g in A["guid"].items():
        if g and g in by_guid and by_guid[g] not in taken:
            match[a], how[a] = by_guid[g], "guid"
            taken.add(by_guid[g])
    by_name = {}
    for b, label in B["label"].items():
        if b not in taken:
            by_name.setdefault(label.casefold(), b)
    for a, label in A["label"].items():
        b = by_name.get(label.casefold())
        if a not in match and b is not None and b not in taken:
            match[a], how[a] = b, "name"
            taken.add(b)

    flow, n_a, n_b = _flows(segments_a, segments_b)
    matched_b = {b: a for a, b in match.items()}
    target = _most(((a, b, n) for (a, b), n in flow.items()), n_a, match)
    origin = _most(((b, a, n) for (a, b), n in flow.items()), n_b, matched_b)
    rows, explained_a, explained_b = [], set(), set()

    def row(change, a, b, n, detail, parent_a="", parent_b=""):
        rows.append({"round_from": round_a, "round_to": round_b, "change": change,
                     "code_from": a or "", "label_from": A["label"].get(a, "") if a else "",
                     "code_to": b or "", "label_to": B["label"].get(b, "") if b else "",
                     "parent_from": parent_a, "parent_to": parent_b, "n_codings": int(n),
                     "detail": detail})

    # merges: codes of a whose codings mostly went to one code of b (that code's own
    # predecessor may be among them; a code that stays as itself elsewhere is not)
    for b in sorted(set(target.values())):
        group = sorted(a for a, t in target.items() if t == b and match.get(a, b) == b)
        if len(group) < 2:
            continue
        names = ", ".join(A["label"][a] for a in group)
        for a in (a for a in group if match.get(a) != b):  # the code that stays: no row
            row("merged", a, b, flow[(a, b)],
                f"{names} merged into {B['label'][b]}: {flow[(a, b)]} of {n_a[a]} codings "
                f"of {A['label'][a]} are now coded {B['label'][b]}")
        explained_a.update(group)
        explained_b.add(b)
    # splits: codes of b whose codings mostly came from one code of a
    for a in sorted(set(origin.values())):
        parts = sorted(b for b, s in origin.items() if s == a and matched_b.get(b, a) == a)
        if len(parts) < 2:
            continue
        names = ", ".join(B["label"][b] for b in parts)
        for b in (b for b in parts if matched_b.get(b) != a):
            row("split", a, b, flow[(a, b)],
                f"{A['label'][a]} split into {names}: {flow[(a, b)]} of {n_a[a]} codings "
                f"of {A['label'][a]} are now coded {B['label'][b]}")
        explained_a.add(a)
        explained_b.update(parts)
    # the same code by its codings: one-to-one, neither side matched or explained
    for a, b in sorted(target.items()):
        if (a not in match and a not in explained_a and b not in matched_b
                and b not in explained_b and origin.get(b) == a):
            match[a], how[a] = b, "codings"
            matched_b[b] = a

    for a, b in sorted(match.items(), key=lambda ab: ab[1]):
        n = count_b.get(b, 0)
        pa, pb = A["parent_id"][a], B["parent_id"][b]
        found = {"guid": "the same REFI GUID", "name": "the same name",
                 "codings": f"the same codings: {flow.get((a, b), 0)} of {n_a.get(a, 0)} on "
                            f"the same passages"}[how[a]]
        if A["label"][a] != B["label"][b]:
            row("renamed", a, b, n, f"{A['label'][a]} is now {B['label'][b]}, found by "
                f"{found}")
        if (match.get(pa) if pa else "") != pb:
            row("moved", a, b, n, f"from under {A['label'].get(pa, '(top)') if pa else '(top)'}"
                f" to under {B['label'].get(pb, '(top)') if pb else '(top)'}",
                A["label"].get(pa, pa), B["label"].get(pb, pb))
        if A["definition"][a] != B["definition"][b]:
            row("definition edited", a, b, n, word_diff(A["definition"][a],
                                                        B["definition"][b]))
    for a in A.index:
        if a not in match and a not in explained_a:
            row("removed", a, "", count_a.get(a, 0), "")
    for b in B.index:
        if b not in matched_b and b not in explained_b:
            row("added", "", b, count_b.get(b, 0), "")
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    out["_k"] = out["change"].map({c: i for i, c in enumerate(CHANGES)})
    out = out.sort_values(["_k", "code_from", "code_to"], kind="stable").drop(columns="_k")
    return out.reset_index(drop=True), match


def _most(flows, totals, same: dict) -> dict:
    """For each code, the one code most of its codings went to (or came from).

    ``flows``: ``(code, other, n)``. "Most" is more than half of the code's ``totals``;
    where several qualify (passages coded twice over), the code's own continuation
    (``same``) wins, else the largest, and a tie is no answer.
    """
    over: dict = {}
    for code, other, n in flows:
        if n > totals[code] / 2:
            over.setdefault(code, []).append((n, other))
    out = {}
    for code, found in over.items():
        others = [o for _, o in found]
        if same.get(code) in others:
            out[code] = same[code]
            continue
        found.sort(reverse=True)
        if len(found) == 1 or found[0][0] > found[1][0]:
            out[code] = found[0][1]
    return out


def _codes(codes: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"code_id": codes["code_id"].astype(str),
                        "guid": codes["guid"].fillna("").astype(str).str.strip().str.lower(),
                        "label": [_squash(x) for x in codes["label"]],
                        "parent_id": codes["parent_id"].fillna("").astype(str),
                        "definition": [_squash(x) for x in codes["definition"]]})
    return out.set_index("code_id")


def _count(segments: pd.DataFrame) -> dict:
    return segments.groupby("code_id").size().to_dict() if len(segments) else {}


def change_log(codes: pd.DataFrame, segments: pd.DataFrame, rounds: Sequence[str]):
    """:func:`compare_rounds` over each pair of consecutive rounds.

    Parameters
    ----------
    codes : DataFrame
        Every round's codes, with ``round`` (``codes_by_round.csv``'s columns).
    segments : DataFrame
        Every round's codings, with ``round``.
    rounds : sequence of str
        The rounds in order.

    Returns
    -------
    (DataFrame, DataFrame)
        The change log (:data:`CHANGE_COLUMNS`) and ``codes`` with ``n_codings`` and
        ``continues_as`` (the code's id in the next round; ``""`` in the last round or
        when it does not continue as one code).
    """
    logs, codes = [], codes.copy()
    counts = segments.groupby(["round", "code_id"]).size()
    codes["n_codings"] = [int(counts.get((r, c), 0))
                          for r, c in zip(codes["round"], codes["code_id"])]
    codes["continues_as"] = ""
    for before, after in zip(rounds, rounds[1:]):
        log, match = compare_rounds(codes[codes["round"] == before],
                                    segments[segments["round"] == before],
                                    codes[codes["round"] == after],
                                    segments[segments["round"] == after], before, after)
        logs.append(log)
        here = codes["round"] == before
        codes.loc[here, "continues_as"] = codes.loc[here, "code_id"].map(match).fillna("")
    log = (pd.concat(logs, ignore_index=True) if logs
           else pd.DataFrame(columns=CHANGE_COLUMNS))
    return log, codes[ROUND_CODE_COLUMNS].reset_index(drop=True)


def code_lineage(codes: pd.DataFrame, rounds: Sequence[str]) -> pd.DataFrame:
    """The codes present in every round, followed through renames, moves and edits.

    Parameters
    ----------
    codes : DataFrame
        ``round, code_id, continues_as`` (:func:`change_log`).
    rounds : sequence of str
        The rounds in order.

    Returns
    -------
    DataFrame
        ``lineage`` (the code's id in the last round), ``round``, ``code_id``: one row per
        round for each code that runs through all of them.

    >>> codes = pd.DataFrame({"round": ["r1", "r1", "r2"], "code_id": ["money", "gone",
    ...                       "funding"], "continues_as": ["funding", "", ""]})
    >>> code_lineage(codes, ["r1", "r2"]).values.tolist()
    [['funding', 'r1', 'money'], ['funding', 'r2', 'funding']]
    """
    rows = []
    if not len(rounds):
        return pd.DataFrame(rows, columns=["lineage", "round", "code_id"])
    nxt = {(r, c): n for r, c, n in zip(codes["round"], codes["code_id"], codes["continues_as"])}
    for start in codes.loc[codes["round"] == rounds[0], "code_id"]:
        chain = [start]
        for r in rounds[:-1]:
            following = nxt.get((r, chain[-1]), "")
            if not following:
                break
            chain.append(following)
        if len(chain) == len(rounds):
            rows += [(chain[-1], r, c) for r, c in zip(rounds, chain)]
    return pd.DataFrame(rows, columns=["lineage", "round", "code_id"])


def round_table(rounds: Sequence, segments: pd.DataFrame, codes: pd.DataFrame,
                folder: os.PathLike | str = ".") -> pd.DataFrame:
    """One row per round (:data:`ROUND_COLUMNS`), the last marked as the analysis.

    ``rounds`` are :class:`analysis.study.CodingRound`\\ s, ``segments`` and ``codes``
    carry ``round``; folders and project files are shown relative to ``folder``.
    """
    rows = []
    for k, r in enumerate(rounds, start=1):
        seg = segments[segments["round"] == r.name]
        coders = sorted(set(seg["coder"].astype(str)))
        rows.append({
            "round": r.name, "position": k,
            "folder": os.path.relpath(r.folder, folder).replace(os.sep, "/"),
            "projects": "|".join(os.path.relpath(p, r.folder).replace(os.sep, "/")
                                 for p in r.projects),
            "coders": "|".join(coders), "n_coders": len(coders), "n_codings": len(seg),
            "n_codes_used": int(seg["code_id"].nunique()),
            "n_codes": int((codes["round"] == r.name).sum()),
            "n_sources": int(seg["source_id"].nunique()),
            "analysis": "yes" if k == len(rounds) else "no"})
    return pd.DataFrame(rows, columns=ROUND_COLUMNS)


# --------------------------------------------------------------------------- reading it back

@dataclass(frozen=True)
class Audit:
    """A processed study's audit trail, as the build wrote it (see the module notes).

    ``segments`` holds every round's codings with ``round`` (the analysis round's from
    ``segments.csv``), ``report`` the import report.
    """

    rounds: pd.DataFrame
    codes: pd.DataFrame
    changes: pd.DataFrame
    segments: pd.DataFrame
    inputs: pd.DataFrame
    memos: pd.DataFrame
    report: pd.DataFrame
    folder: Path

    @property
    def order(self) -> list[str]:
        """The rounds' names in order."""
        return list(self.rounds["round"])

    @property
    def analysis_round(self) -> str:
        return self.order[-1] if len(self.rounds) else ""


def _read(path: Path, columns) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=list(columns), dtype=str)
    return read_table(path, required=columns)


def load_audit(folder: os.PathLike | str | None = None) -> Audit:
    """Read the audit trail of a processed study (``data/processed/interviews`` by default).

    A study processed before rounds existed reads as one round with no history.
    """
    from .memos import load_memos
    from .schema import REPORT_COLUMNS, SEGMENT_COLUMNS

    folder = Path(folder) if folder is not None else paths.PROCESSED_INTERVIEWS
    audit = folder / "audit"
    rounds = _read(audit / "rounds.csv", ROUND_COLUMNS)
    for col in ("position", "n_coders", "n_codings", "n_codes_used", "n_codes", "n_sources"):
        rounds[col] = rounds[col].astype(int)
    codes = _read(audit / "codes_by_round.csv", ROUND_CODE_COLUMNS)
    codes["n_codings"] = codes["n_codings"].astype(int)
    changes = _read(audit / "codebook_changes.csv", CHANGE_COLUMNS)
    changes["n_codings"] = changes["n_codings"].astype(int)
    history = _read(audit / "segments_history.csv", ["round", *SEGMENT_COLUMNS])
    current = _read(folder / "segments.csv", SEGMENT_COLUMNS)
    last = rounds["round"].iloc[-1] if len(rounds) else ""
    segments = pd.concat([history, current.assign(round=last)], ignore_index=True)
    segments[["start", "end"]] = segments[["start", "end"]].astype(int)
    inputs = _read(audit / "inputs.csv", INPUT_COLUMNS)
    return Audit(rounds=rounds, codes=codes, changes=changes, segments=segments,
                 inputs=inputs, memos=load_memos(folder),
                 report=_read(folder / "import_report.csv", REPORT_COLUMNS), folder=folder)


# --------------------------------------------------------------------------- agreement

def _pair(seg: pd.DataFrame, coders: Sequence[str]) -> tuple[str, ...]:
    """The two coders compared in a round: ``coders`` when both coded in it, else the
    first two who did (by name); fewer than two when the round has fewer."""
    present = sorted(set(seg["coder"].astype(str)) - {"dictionary"})
    if len(coders) == 2 and set(coders) <= set(present):
        return tuple(coders)
    return tuple(present[:2]) if len(present) >= 2 else tuple(present)


def agreement_by_round(segments: pd.DataFrame, texts: Mapping[str, str],
                       rounds: Sequence[str], coders: Sequence[str] = (),
                       units: Sequence[str] = ("character", "segment"),
                       overlap: float = 0.5, exclude_uncoded: bool = False) -> pd.DataFrame:
    """Pooled agreement of two coders in each round (:func:`analysis.reliability.agreement`).

    Parameters
    ----------
    segments : DataFrame
        Every round's codings with ``round`` (:attr:`Audit.segments`).
    texts : mapping
        The processed texts (every round is coded on them).
    rounds : sequence of str
        The rounds in order.
    coders : pair of str, optional
        The two coders to compare where both coded; otherwise a round's first two
        coders by name.
    units, overlap, exclude_uncoded
        As for :func:`analysis.reliability.agreement`.

    Returns
    -------
    DataFrame
        ``round, coders, unit, n_units, percent_agreement, kappa, alpha``, one row per
        round and unit, pooled over the codes either coder used in the round (notebook
        06's "codes in use"). A round with fewer than two coders has one row with
        ``unit`` empty, its coder in ``coders`` and no statistics.

    Examples
    --------
    >>> texts = {"P01": "0123456789"}
    >>> seg = pd.DataFrame({"round": ["r1", "r1", "r2"], "source_id": "P01",
    ...     "code_id": "a", "start": [0, 2, 0], "end": [4, 6, 4], "coder": ["A", "B", "A"]})
    >>> agreement_by_round(seg, texts, ["r1", "r2"], units=["character"]).iloc[:, :6]
      round coders       unit  n_units  percent_agreement     kappa
    0    r1   A, B  character       10                0.6  0.166667
    1    r2      A                   0                NaN       NaN
    """
    from .reliability import OVERALL, agreement

    rows = []
    for r in rounds:
        seg = segments[segments["round"] == r]
        pair = _pair(seg, coders)
        if len(pair) < 2:
            rows.append({"round": r, "coders": ", ".join(pair), "unit": "", "n_units": 0,
                         "percent_agreement": np.nan, "kappa": np.nan, "alpha": np.nan})
            continue
        for unit in units:
            table = agreement(seg, texts, coders=pair, unit=unit, overlap=overlap,
                              exclude_uncoded=exclude_uncoded)
            pooled = table[table["code_id"] == OVERALL].iloc[0]
            rows.append({"round": r, "coders": ", ".join(pair), "unit": unit,
                         "n_units": int(pooled["n_units"]),
                         "percent_agreement": pooled["percent_agreement"],
                         "kappa": pooled["kappa"], "alpha": pooled["alpha"]})
    return pd.DataFrame(rows, columns=["round", "coders", "unit", "n_units",
                                       "percent_agreement", "kappa", "alpha"])


def code_agreement_by_round(segments: pd.DataFrame, texts: Mapping[str, str],
                            lineage: pd.DataFrame, rounds: Sequence[str],
                            coders: Sequence[str] = (), unit: str = "character",
                            overlap: float = 0.5, exclude_uncoded: bool = False) -> pd.DataFrame:
    """Cohen's kappa and percent agreement per code and round, for the codes present in
    every round (:func:`code_lineage`: a renamed code is one code).

    Returns
    -------
    DataFrame
        ``lineage, round, code_id, coders, unit, n11, n10, n01, n00,
        percent_agreement, kappa`` for each code and each round with two coders.
    """
    from .reliability import agreement

    rows = []
    for r in rounds:
        seg = segments[segments["round"] == r]
        pair = _pair(seg, coders)
        mine = lineage[lineage["round"] == r]
        if len(pair) < 2 or mine.empty:
            continue
        table = agreement(seg, texts, coders=pair, unit=unit, codes=list(mine["code_id"]),
                          overlap=overlap, exclude_uncoded=exclude_uncoded).set_index("code_id")
        for lin, cid in zip(mine["lineage"], mine["code_id"]):
            t = table.loc[cid]
            rows.append({"lineage": lin, "round": r, "code_id": cid,
                         "coders": ", ".join(pair), "unit": unit,
                         **{k: int(t[k]) for k in ("n11", "n10", "n01", "n00")},
                         "percent_agreement": t["percent_agreement"], "kappa": t["kappa"]})
    return pd.DataFrame(rows, columns=["lineage", "round", "code_id", "coders", "unit", "n11",
                                       "n10", "n01", "n00", "percent_agreement", "kappa"])


# --------------------------------------------------------------------------- the audit page

#: What an import report row says when something was left out of the analysis.
EXCLUDED_PATTERN = (r"withdrawn|excluded|not carried over|could not be placed|not imported|"
                    r"unmapped|not read|without text|unknown code|missing source|out of range")


def excluded(report: pd.DataFrame) -> pd.DataFrame:
    """The import report's rows about what was left out, and why (withdrawn participants,
    unplaceable selections, media codings, unmapped coding, files not read ...).

    >>> report = pd.DataFrame({"level": ["info", "warning"], "item": ["P01", "code_image 1"],
    ...     "what": ["source matched to participant", "picture selection not carried over"],
    ...     "detail": ["P01 by name", "in ward.png"]})
    >>> excluded(report)["item"].tolist()
    ['code_image 1']
    """
    hit = (report["what"].str.contains(EXCLUDED_PATTERN, case=False, regex=True)
           | report["detail"].str.contains(r"\bwithdrawn\b", case=False, regex=True))
    return report[hit].reset_index(drop=True)


@dataclass(frozen=True)
class Section:
    """One part of the audit trail: a title, sentences with their numbers, a table, and
    the command that prints the table again."""

    key: str
    title: str
    sentences: tuple
    table: pd.DataFrame
    command: str


def _fmt(x, digits: int = 3) -> str:
    if isinstance(x, (float, np.floating)):
        return "" if np.isnan(x) else f"{x:.{digits}f}"
    return str(x)


def audit_sections(audit: Audit, texts: Mapping[str, str], codes: pd.DataFrame | None = None,
                   coders: Sequence[str] = (), study: str = "demo") -> list[Section]:
    """The facts of the audit trail, section by section (report page and ``audit.md``).

    Parameters
    ----------
    audit : Audit
        :func:`load_audit` of the processed study.
    texts : mapping
        The processed texts (for agreement).
    codes : DataFrame, optional
        The analysis codebook (``codes.csv``), for memo counts in its hierarchy.
    coders : pair of str, optional
        The coders to compare (``study.yml``'s ``coders``).
    study : str
        ``demo`` or ``private``: the ``--study`` of each section's command.
    """
    from .memos import memos_by_code

    flag = "" if study == "demo" else f" --study {study}"
    cmd = lambda key: f"python -m analysis audit {key}{flag}"  # noqa: E731
    out = []
    inputs = audit.inputs
    out.append(Section("inputs", "Inputs", (
        f"The build read {len(inputs)} input file(s) of the study; each SHA-256 identifies "
        "its exact bytes (names pass through the identifier key).",), inputs, cmd("inputs")))

    rounds = audit.rounds
    said = [f"{len(rounds)} coding round(s); the analysis (every notebook and table) uses "
            f"the last, {audit.analysis_round}." if len(rounds) else "No coding."]
    said += [f"{r.round}: {r.n_codings} coding(s) of {r.n_codes_used} code(s) by "
             f"{r.coders.replace('|', ', ') or 'nobody'} on {r.n_sources} transcript(s)."
             for r in rounds.itertuples(index=False)]
    out.append(Section("rounds", "Coding rounds", tuple(said),
                       rounds.drop(columns=["position"]), cmd("rounds")))

    changes = audit.changes
    said = []
    for (a, b), g in changes.groupby(["round_from", "round_to"], sort=False):
        counts = g["change"].value_counts()
        listed = ", ".join(f"{counts[c]} {c}" for c in CHANGES if c in counts)
        said.append(f"{a} → {b}: {listed}.")
    if len(rounds) > 1 and changes.empty:
        said.append("The codebook did not change between rounds.")
    if len(rounds) <= 1:
        said.append("One round: no change log.")
    out.append(Section("changes", "Codebook changes", tuple(said), readable_changes(changes),
                       cmd("changes")))

    agree = agreement_by_round(audit.segments, texts, audit.order, coders)
    said = []
    for unit, g in agree[agree["unit"] != ""].groupby("unit", sort=False):
        steps = ", ".join(f"{r} {_fmt(k)}" for r, k in zip(g["round"], g["kappa"]))
        said.append(f"Cohen's kappa at the {unit} unit, by round: {steps}.")
    said += [f"{r.round} has one coder ({r.coders or 'none'}): nothing to compare."
             for r in agree[agree["unit"] == ""].itertuples(index=False)]
    out.append(Section("agreement", "Agreement by round", tuple(said),
                       agree.round(6), cmd("agreement")))

    left_out = excluded(audit.report)
    out.append(Section("excluded", "Sources and codings excluded", (
        f"{len(left_out)} row(s) of the import report say what was left out, and why."
        if len(left_out) else "The import report records nothing left out.",),
        left_out, cmd("excluded")))

    memos = audit.memos
    if codes is None:
        last = audit.codes[audit.codes["round"] == audit.analysis_round]
        codes = last.assign(label=last["label"])
    per_code = memos_by_code(memos, audit.segments[audit.segments["round"]
                                                   == audit.analysis_round], codes)
    shown = per_code[per_code["n_memos"] > 0].reset_index(drop=True)
    n_codes = int((shown["code_id"] != "").sum())
    out.append(Section("memos", "Memos per code", (
        f"{len(memos)} memo(s) in the analysis round; {n_codes} code(s) have memos "
        "(on the code, its codings or passages coded with it; codes without memos are "
        "not listed).",), shown, cmd("memos")))
    return out


def readable_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """The change log as the audit page shows it: ``rounds, change, from, to, codings,
    detail``, each code as ``Label (id)`` (``audit/codebook_changes.csv`` has every column).

    >>> log = pd.DataFrame({"round_from": ["r1"], "round_to": ["r2"], "change": ["renamed"],
    ...     "code_from": ["money"], "label_from": ["Money"], "code_to": ["funding"],
    ...     "label_to": ["Funding"], "n_codings": [2], "detail": ["..."]})
    >>> readable_changes(log).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'rounds': 'r1 → r2', 'change': 'renamed', 'from': 'Money (money)',
      'to': 'Funding (funding)', 'codings': 2, 'detail': '...'}]
    """
    def code(ids, labels):
        return [f"{lab} ({cid})" if cid else "" for cid, lab in zip(ids, labels)]

    return pd.DataFrame({
        "rounds": [f"{a} → {b}" for a, b in zip(changes["round_from"], changes["round_to"])],
        "change": list(changes["change"]),
        "from": code(changes["code_from"], changes["label_from"]),
        "to": code(changes["code_to"], changes["label_to"]),
        "codings": list(changes["n_codings"]), "detail": list(changes["detail"])})


def _md_cell(value) -> str:
    return _fmt(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown pipe table (``|`` in cells escaped, floats to 3 places).

    >>> print(markdown_table(pd.DataFrame({"a": ["x|y"], "k": [0.81234]})))
    | a | k |
    |---|---|
    | x\\|y | 0.812 |
    """
    if table.empty:
        return "*(none)*"
    head = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(_md_cell(v) for v in row) + " |"
            for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def audit_markdown(sections: Sequence[Section], title: str = "Audit trail") -> str:
    """The audit trail as Markdown for the methods chapter (``build/thesis/audit.md``):
    each section's sentences, the command that reproduces its numbers, and its table."""
    md = [f"# {title}\n", "Every number below is recomputed from the processed study by "
          "`make thesis`; the command under each section prints its table again.\n"]
    for s in sections:
        md.append(f"## {s.title}\n")
        md += [f"- {line}" for line in s.sentences]
        md.append(f"\nReproduce: `{s.command}`\n")
        md.append(markdown_table(s.table) + "\n")
    return "\n".join(md)


def study_coders(study: str = "demo") -> tuple:
    """The two coders ``study.yml`` names for comparison (``()`` for the demo, or when it
    names none: then each round's first two coders by name are compared).

    >>> study_coders("demo")
    ()
    """
    if study == "demo":
        return ()
    from .study import load_study

    return tuple(load_study(paths.study_dir(study)).coders)


def main(argv: list[str]) -> int:
    """``python -m analysis audit [SECTION] [--study demo|private] [--processed DIR]``."""
    from .io import table_to_csv
    from .processed import load_interviews
    from .query import processed_folder

    keys = ("inputs", "rounds", "changes", "agreement", "excluded", "memos", "codes", "all")
    parser = argparse.ArgumentParser(prog="python -m analysis audit",
                                     description="Print the audit trail of the processed "
                                                 "study: one section as CSV, or all of it "
                                                 "as Markdown.")
    parser.add_argument("section", nargs="?", default="all", choices=keys)
    parser.add_argument("--study", default="demo", choices=["demo", "private"])
    parser.add_argument("--processed", type=Path, help="processed interview folder")
    args = parser.parse_args(argv)
    folder = args.processed or processed_folder(args.study)
    audit = load_audit(folder)
    if args.section == "codes":
        print(table_to_csv(audit.codes), end="")
        return 0
    study = load_interviews(folder)
    sections = audit_sections(audit, study.texts, study.codes, study_coders(args.study),
                              args.study)
    if args.section == "all":
        print(audit_markdown(sections), end="")
    else:
        print(table_to_csv(next(s for s in sections if s.key == args.section).table), end="")
    return 0
