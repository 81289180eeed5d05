"""Retrieval of coded passages: "every meso-tier passage coded *mediation*, in the CCG era".

:func:`coded_passages` filters the coded segments of a processed interview study by
code (a parent code brings its children), tier, position-practice, era, participant,
coder and a text pattern, and gives each passage what a thesis needs to quote it: the
participant, the turn and speaker role, the timestamp when the transcript has one, the
offsets into the processed text, the verbatim text and a citation (``P07, turn 23`` or
``P07, 00:14:32``). In a notebook the result shows each quote highlighted within its
turn; :func:`write_passages` writes it as CSV, Markdown, Word or HTML.

``python -m analysis query --code th_mediation --tier meso --format csv --out F``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .errors import DataError
from .io import atomic_write, table_to_csv
from .schema import check_choice

__all__ = ["COLUMNS", "Passages", "descendants", "coded_passages", "cooccurring",
           "citation", "passages_html", "write_passages", "processed_folder"]

#: Columns of a retrieval, in order (``context``/``context_start`` carry the turn).
COLUMNS = ["participant_id", "tier", "position_practice", "source_id", "turn", "role",
           "timestamp", "code_id", "coder", "segment_id", "start", "end", "text", "citation"]

FORMATS = ("csv", "md", "docx", "html")


def processed_folder(study: str = "demo") -> Path:
    """The processed interview folder of a study.

    The demo's is ``data/processed/interviews``; the private study's lives under
    ``build/private/processed/interviews`` (never committed).

    >>> processed_folder("demo").relative_to(paths.ROOT).as_posix()
    'data/processed/interviews'
    """
    if study == "demo":
        return paths.PROCESSED_INTERVIEWS  # honours ANALYSIS_PROCESSED
    return paths.output_roots(study)["processed"] / "interviews"


class Passages(pd.DataFrame):
    """A retrieval: a DataFrame whose notebook view highlights each quote in its turn."""

    @property
    def _constructor(self):
        return Passages

    def _repr_html_(self):
        if {"context", "context_start", "start", "end", "citation"} <= set(self.columns):
            return passages_html(self)
        return super()._repr_html_()


def descendants(codes: pd.DataFrame, code_ids: Iterable[str]) -> list[str]:
    """The codes asked for and every code below them, in codebook order.

    >>> codes = pd.DataFrame({"code_id": ["a", "a1", "a11", "b"],
    ...                       "parent_id": ["", "a", "a1", ""]})
    >>> descendants(codes, ["a"])
    ['a', 'a1', 'a11']
    """
    wanted = set(code_ids)
    parent = dict(zip(codes["code_id"].astype(str), codes["parent_id"].astype(str)))
    unknown = sorted(wanted - set(parent))
    if unknown:
        raise KeyError(unknown)
    found = set(wanted)
    changed = True
    while changed:  # the codebook is a tree: each pass adds one level
        new = {c for c, p in parent.items() if p in found and c not in found}
        found |= new
        changed = bool(new)
    return [c for c in parent if c in found]


def citation(participant_id: str, turn, timestamp: str = "") -> str:
    """``P07, 00:14:32`` when the turn has a timestamp, else ``P07, turn 23``.

    >>> citation("P07", 23)
    'P07, turn 23'
    >>> citation("P07", 23, "00:14:32.120")
    'P07, 00:14:32'
    >>> citation("P07", None)
    'P07'
    """
    stamp = str(timestamp or "").strip()
    if stamp and stamp.lower() != "nan":
        return f"{participant_id}, {stamp.split('.')[0].split(',')[0]}"
    if turn is None or pd.isna(turn):
        return str(participant_id)
    return f"{participant_id}, turn {int(turn)}"


def _turn_of(seg: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """The turn each segment starts in (the last turn starting at or before it)."""
    cols = ["turn", "role", "timestamp", "context", "context_start"]
    out = pd.DataFrame(index=seg.index, columns=cols, dtype=object)
    if turns is None or turns.empty:
        return out
    tr = turns.assign(timestamp=turns["timestamp"] if "timestamp" in turns.columns else "")
    for source_id, rows in seg.groupby("source_id", sort=False):
        mine = tr[tr["source_id"] == source_id].sort_values("start", kind="stable")
        if mine.empty:
            continue
        starts = mine["start"].to_numpy(dtype=np.int64)
        k = np.searchsorted(starts, rows["start"].to_numpy(dtype=np.int64), side="right") - 1
        ok = k >= 0
        picked = mine.iloc[np.where(ok, k, 0)]
        values = np.column_stack([
            picked["turn"].to_numpy(dtype=object), picked["role"].astype(str).to_numpy(),
            picked["timestamp"].astype(str).to_numpy(), picked["text"].astype(str).to_numpy(),
            picked["start"].to_numpy(dtype=object)])
        values[~ok] = None
        out.loc[rows.index, cols] = values
    return out


def coded_passages(study, codes: Iterable[str] | None = None,
                   tiers: Iterable[str] | None = None,
                   position_practices: Iterable[str] | None = None,
                   eras: Iterable[str] | None = None, era_method: str = "anchor",
                   participants: Iterable[str] | None = None,
                   coders: Iterable[str] | None = None, pattern: str | None = None,
                   include_children: bool = True, eras_table: pd.DataFrame | None = None
                   ) -> Passages:
    """Coded passages of a processed interview study, filtered, with citations.

    Parameters
    ----------
    study : analysis.processed.Interviews
        From :func:`analysis.processed.load_interviews`.
    codes : iterable of str, optional
        Code ids; with ``include_children`` a parent brings every code below it.
    tiers, position_practices, participants, coders : iterable of str, optional
        Keep only these values (participant attributes, and the segment's coder).
    eras : iterable of str, optional
        Keep passages that speak of one of these eras. ``era_method`` ``"anchor"``
        places a passage by the references to time in its words (years, named eras,
        "when the SHAs went": :mod:`analysis.anchoring`; passages without one drop
        out); ``"participant"`` by the eras the participant worked through;
        ``"anchor_or_participant"`` the anchor where there is one. The passage's eras
        are in the column ``eras`` (``"|"``-joined).
    pattern : str, optional
        A regular expression searched (case-insensitively) in the passage's text.
    eras_table : DataFrame, optional
        The eras (default :func:`analysis.timeline.load_eras`).

    Returns
    -------
    Passages
        :data:`COLUMNS` (plus ``eras`` when filtered by era, and ``context``,
        ``context_start``: the turn's text and offset, for the highlighted view);
        ``text`` is ``texts[source_id][start:end]`` verbatim. Rows by participant,
        position, code and coder.

    Examples
    --------
    >>> from analysis.processed import load_interviews
    >>> hits = coded_passages(load_interviews(), codes=["th_mediation"], tiers=["meso"],
    ...                       coders=["coder_a"])
    >>> sorted(set(hits["tier"])), hits["citation"].iloc[0].split(",")[0]
    (['meso'], 'P02')
    """
    folder = Path(getattr(study, "folder", "segments.csv"))
    seg = study.segments.copy()
    seg["start"] = seg["start"].astype("int64")
    seg["end"] = seg["end"].astype("int64")
    if codes is not None:
        codes = list(codes)
        try:
            wanted = descendants(study.codes, codes) if include_children else codes
        except KeyError as exc:
            raise DataError(folder / "codes.csv", None,
                            f"unknown code(s) {', '.join(exc.args[0])}") from None
        seg = seg[seg["code_id"].isin(wanted)]
    if coders is not None:
        seg = seg[seg["coder"].isin(list(coders))]
    seg = _of_participants(seg, study, folder, {"tier": tiers,
                                                "position_practice": position_practices,
                                                "participant_id": participants})
    if pattern:
        try:
            rx = re.compile(pattern, re.I)
        except re.error as exc:
            raise ValueError(f"bad text pattern {pattern!r}: {exc}") from None
        seg = seg[seg["text"].astype(str).map(lambda t: bool(rx.search(t)))]
    # the verbatim text at the offsets (the processed texts are the reference)
    seg["text"] = [study.texts[s][a:b] for s, a, b in
                   zip(seg["source_id"], seg["start"], seg["end"])]
    if eras is not None:
        seg = _by_era(seg, study, list(eras), era_method, eras_table)
    seg = _cited(seg.reset_index(drop=True), study.turns)
    seg = seg.sort_values(["participant_id", "source_id", "start", "end", "code_id", "coder"],
                          kind="stable", ignore_index=True)
    extra = (["eras"] if eras is not None else []) + ["context", "context_start"]
    return Passages(seg[COLUMNS + extra])


#: What an unknown value of a participant filter is called in the error.
_FILTER_NAMES = {"tier": "tier", "position_practice": "position-practice",
                 "participant_id": "participant"}


def _of_participants(seg: pd.DataFrame, study, folder: Path, filters: dict) -> pd.DataFrame:
    """The segments with their participant's id, tier, position-practice and eras
    (``participant_eras``), kept where each filter given (column -> values) holds."""
    people = study.participants
    link = study.sources[["source_id", "participant_id"]]
    cols = [c for c in ("participant_id", "tier", "position_practice", "eras")
            if c in people.columns]
    seg = seg.merge(link, on="source_id", how="left").merge(
        people[cols].rename(columns={"eras": "participant_eras"}), on="participant_id",
        how="left")
    for col in ("participant_id", "tier", "position_practice"):
        if col not in seg.columns:
            seg[col] = ""
        seg[col] = seg[col].fillna("").astype(str)
    for col, values in filters.items():
        if values is not None:
            values = list(values)
            known = set(people[col]) if col in people.columns else set()
            unknown = sorted(set(values) - known)
            if unknown:
                raise DataError(folder / "participants.csv", None,
                                f"unknown {_FILTER_NAMES[col]}(s) {', '.join(unknown)}")
            seg = seg[seg[col].isin(values)]
    return seg


def _cited(seg: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """The segments with their turn, role, timestamp, context and citation."""
    seg[["turn", "role", "timestamp", "context", "context_start"]] = _turn_of(seg, turns)
    seg["timestamp"] = seg["timestamp"].fillna("").replace("nan", "")
    seg["role"] = seg["role"].fillna("")
    seg["turn"] = seg["turn"].astype("Int64")
    seg["citation"] = [citation(p, t, s) for p, t, s in
                       zip(seg["participant_id"], seg["turn"], seg["timestamp"])]
    return seg


def _by_era(seg, study, eras, method, eras_table):
    from . import alignment, timeline

    table = timeline.load_eras() if eras_table is None else eras_table
    unknown = sorted(set(eras) - set(table["era_id"]))
    if unknown:
        raise DataError(paths.ERAS_CSV, None, f"unknown era(s) {', '.join(unknown)}")
    if seg.empty:
        return seg.assign(eras="")
    keyed = seg.assign(_row=np.arange(len(seg)))
    dated = alignment.interview_eras(keyed[["_row", "source_id", "start", "end"]],
                                     study.texts, table, study.sources, study.participants,
                                     method=method)
    order = {e: i for i, e in enumerate(table["era_id"])}
    found = (dated.groupby("_row")["era_id"]
             .agg(lambda v: "|".join(sorted(set(v), key=order.get))))
    keyed["eras"] = keyed["_row"].map(found).fillna("")
    keep = keyed["eras"].map(lambda v: bool(set(v.split("|")) & set(eras)))
    return keyed[keep].drop(columns="_row")


def cooccurring(passages: pd.DataFrame, segments: pd.DataFrame) -> pd.Series:
    """For each passage, the other codes the same coder applied to overlapping text.

    Returns a Series (aligned with ``passages``) of ``"|"``-joined code ids, sorted.

    >>> seg = pd.DataFrame({"source_id": ["P1"] * 3, "code_id": ["a", "b", "c"],
    ...     "start": [0, 5, 40], "end": [10, 20, 50], "coder": ["x"] * 3})
    >>> cooccurring(seg.iloc[:1], seg).tolist()
    ['b']
    """
    other = segments[["source_id", "code_id", "start", "end", "coder"]].astype(
        {"start": "int64", "end": "int64"})
    by_source = {k: g for k, g in other.groupby(["source_id", "coder"], sort=False)}
    out = []
    for src, coder, code, a, b in zip(passages["source_id"], passages["coder"],
                                      passages["code_id"], passages["start"],
                                      passages["end"]):
        g = by_source.get((src, coder))
        if g is None:
            out.append("")
            continue
        hit = g[(g["start"] < b) & (g["end"] > a) & (g["code_id"] != code)]
        out.append("|".join(sorted(set(hit["code_id"].astype(str)))))
    return pd.Series(out, index=passages.index, dtype=object, name="co_codes")


# --------------------------------------------------------------------------- rendering

def _highlighted(context: str, context_start, start: int, end: int) -> str:
    """The turn with the coded words in ``<mark>``, escaped; the quote alone when the
    passage does not lie within one turn."""
    if context is None or context_start is None or pd.isna(context_start):
        return ""
    a, b = start - int(context_start), end - int(context_start)
    a, b = max(a, 0), min(b, len(context))
    return (html.escape(context[:a]) + "<mark>" + html.escape(context[a:b]) + "</mark>"
            + html.escape(context[b:]))


def passages_html(passages: pd.DataFrame, title: str | None = None) -> str:
    """An HTML table of passages: citation, code, coder (co-occurring codes when the
    column ``co_codes`` is present) and the turn with the quote marked.

    >>> p = pd.DataFrame({"citation": ["P1, turn 2"], "code_id": ["a"], "coder": ["x"],
    ...     "start": [15], "end": [19], "text": ["said"], "context": ["What the nurse said."],
    ...     "context_start": [0]})
    >>> "the nurse <mark>said</mark>." in passages_html(p)
    True
    """
    rows, with_co = [], "co_codes" in passages.columns
    for r in passages.itertuples(index=False):
        turn = _highlighted(r.context, r.context_start, int(r.start), int(r.end))
        if not turn:
            turn = "<mark>" + html.escape(str(r.text)) + "</mark>"
        co = (f"<td>{html.escape(str(r.co_codes).replace('|', ', '))}</td>"
              if with_co else "")
        rows.append(f"<tr><td>{html.escape(str(r.citation))}</td>"
                    f"<td>{html.escape(str(r.code_id))}</td>"
                    f"<td>{html.escape(str(r.coder))}</td>{co}"
                    f"<td style='text-align:left'>{turn}</td></tr>")
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return ("<table class='passages'>" + caption +
            "<thead><tr><th>citation</th><th>code</th><th>coder</th>"
            + ("<th>co-occurring codes</th>" if with_co else "") +
            "<th>passage in its turn</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")


def _markdown(passages: pd.DataFrame) -> str:
    out = []
    for r in passages.itertuples(index=False):
        quote = "\n".join("> " + line for line in str(r.text).split("\n"))
        out.append(f"{quote}\n>\n> — {r.citation} · {r.code_id} · {r.coder} · "
                   f"`{r.source_id}:{r.start}-{r.end}`\n")
    return "\n".join(out)


def write_passages(passages: pd.DataFrame, fmt: str, out: os.PathLike | str | None = None,
                   title: str = "Coded passages") -> str | bytes:
    """Render passages as ``csv``, ``md``, ``docx`` or ``html``; write atomically to ``out``.

    Returns the rendered text (bytes for ``docx``).
    """
    check_choice("fmt", fmt, FORMATS)
    columns = [c for c in COLUMNS + ["eras", "co_codes"] if c in passages.columns]
    if fmt == "csv":
        data = table_to_csv(passages, columns)
    elif fmt == "md":
        data = f"# {title}\n\n{len(passages)} passages.\n\n" + _markdown(passages)
    elif fmt == "html":
        data = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>"
                f"{html.escape(title)}</title><style>mark{{background:#F0E442}}"
                "td{vertical-align:top;padding:4px}</style></head><body>"
                f"<h1>{html.escape(title)}</h1>{passages_html(passages)}</body></html>\n")
    else:
        from .wordfile import docx_bytes, new_document

        doc = new_document(title)
        doc.add_heading(title, level=1)
        for r in passages.itertuples(index=False):
            doc.add_paragraph(str(r.text), style="Quote")
            doc.add_paragraph(f"— {r.citation} · {r.code_id} · {r.coder} · "
                              f"{r.source_id}:{r.start}-{r.end}")
        data = docx_bytes(doc)
    if out is not None:
        atomic_write(out, data)
    return data


# --------------------------------------------------------------------------- command line

def main(argv: list[str]) -> int:
    """``python -m analysis query [filters] [--format F] [--out FILE]``."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis query",
        description="Coded passages filtered by code, tier, era ..., with citations.")
    parser.add_argument("--code", action="append", help="code id; a parent includes its "
                        "children (repeatable)")
    parser.add_argument("--tier", action="append", help="tier (repeatable)")
    parser.add_argument("--position-practice", action="append", dest="pp",
                        help="position-practice code (repeatable)")
    parser.add_argument("--era", action="append", help="era id (repeatable)")
    parser.add_argument("--era-method", default="anchor",
                        choices=["anchor", "participant", "anchor_or_participant"])
    parser.add_argument("--participant", action="append", help="participant id (repeatable)")
    parser.add_argument("--coder", action="append", help="coder (repeatable)")
    parser.add_argument("--pattern", help="regular expression searched in the passage")
    parser.add_argument("--format", default="csv", choices=FORMATS)
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.add_argument("--study", default="demo", choices=["demo", "private"])
    parser.add_argument("--processed", type=Path,
                        help="processed interview folder (default: the study's)")
    args = parser.parse_args(argv)
    if args.format == "docx" and args.out is None:
        parser.error("--format docx needs --out")
    if args.pattern:
        try:
            re.compile(args.pattern)
        except re.error as exc:
            parser.error(f"bad --pattern {args.pattern!r}: {exc}")
    from .processed import load_interviews

    folder = args.processed or processed_folder(args.study)
    if not folder.is_dir():
        raise DataError(folder, None, f"processed study not found (run make processed "
                                      f"STUDY={args.study})")
    study = load_interviews(folder)
    hits = coded_passages(study, codes=args.code, tiers=args.tier, position_practices=args.pp,
                          eras=args.era, era_method=args.era_method,
                          participants=args.participant, coders=args.coder,
                          pattern=args.pattern)
    data = write_passages(hits, args.format, args.out)
    if args.out is None:
        sys.stdout.write(data)
    else:
        print(f"{len(hits)} passages -> {paths.relative(args.out)}", file=sys.stderr)
    return 0
