"""The analyst's memos: what was written about a code, a transcript, a passage, the project.

The build imports memos from every coding project (REFI-QDA ``<Notes>`` with their
``<NoteRef>``, ATLAS.ti comments and MAXQDA annotations; QualCoder's project, code,
source, coding and case memos, annotations and journals), pseudonymised through the
identifier key, into ``memos.csv`` beside ``segments.csv`` (the analysis round; earlier
rounds' memos are in ``audit/memos_history.csv``). One row per memo and target:

``memo_id``
    the note's id in its project (a GUID, or ``<target>:description``);
``target_kind``
    what the memo is about: ``project`` (journals too), ``code``, ``source`` (a
    transcript), ``selection`` (a passage), ``coding`` (one code on one passage) or
    ``case``;
``target_id``
    the code id, the participant id, or ``P01:120-185`` for a passage (empty for the
    project and a case);
``code_id``
    the code of a ``code`` or ``coding`` memo;
``source_id``, ``start``, ``end``
    where a passage memo is in the processed (pseudonymised) text;
``author``, ``date``, ``title``, ``text``
    as the tool recorded them (empty where it records none).

:func:`code_memos` finds the memos about some codes: on the code itself, on its codings,
and on passages coded with it; :func:`memos_by_code` counts them per code, following the
code hierarchy (:func:`code_order`).

Examples
--------
>>> import pandas as pd
>>> memos = pd.DataFrame({"memo_id": ["m1", "m2"], "target_kind": ["code", "selection"],
...     "target_id": ["funding", "P01:0-5"], "code_id": ["funding", ""],
...     "source_id": ["", "P01"], "start": [None, 0], "end": [None, 5],
...     "author": ["ann", "ann"], "date": ["", ""], "title": ["", ""],
...     "text": ["Split capital from revenue?", "Key quote"]})
>>> segments = pd.DataFrame({"source_id": ["P01"], "code_id": ["capital"], "start": [0],
...                          "end": [5]})
>>> codes = pd.DataFrame({"code_id": ["funding", "capital"], "parent_id": ["", "funding"]})
>>> code_memos(memos, segments, codes, ["funding"])[["about", "target_kind", "text"]]
     about target_kind                         text
0  funding        code  Split capital from revenue?
1  capital   selection                    Key quote
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from . import paths
from .io import read_table

__all__ = ["MEMO_COLUMNS", "TARGET_KINDS", "load_memos", "code_order", "code_memos",
           "memos_by_code", "other_memos", "memos_markdown", "describe"]

MEMO_COLUMNS = ["memo_id", "target_kind", "target_id", "code_id", "source_id", "start", "end",
                "author", "date", "title", "text"]

#: REFI-QDA element a memo hangs on -> ``target_kind``.
TARGET_KINDS = {"Project": "project", "Code": "code", "TextSource": "source",
                "PDFSource": "source", "PictureSource": "source", "AudioSource": "source",
                "VideoSource": "source", "PlainTextSelection": "selection",
                "Coding": "coding", "Case": "case"}


def load_memos(folder: os.PathLike | str | None = None, history: bool = False) -> pd.DataFrame:
    """The memos of a processed study (``memos.csv``; ``history``: earlier rounds' too).

    Integer ``start`` and ``end`` (missing for memos not on a passage). A study processed
    before memos were imported has none: an empty table, never an error.
    """
    folder = Path(folder) if folder is not None else paths.PROCESSED_INTERVIEWS
    files = [folder / "memos.csv"] + ([folder / "audit" / "memos_history.csv"]
                                      if history else [])
    tables = [read_table(f, required=MEMO_COLUMNS) for f in files if f.is_file()]
    out = (pd.concat(tables, ignore_index=True) if tables
           else pd.DataFrame(columns=MEMO_COLUMNS, dtype=str))
    for col in ("start", "end"):
        out[col] = pd.to_numeric(out[col].replace("", None)).astype("Int64")
    return out.fillna({c: "" for c in out.columns if c not in ("start", "end")})


def code_order(codes: pd.DataFrame) -> list[str]:
    """Code ids depth first: each code followed by its children, siblings in table order.

    >>> codes = pd.DataFrame({"code_id": ["b", "a1", "a"], "parent_id": ["", "a", ""]})
    >>> code_order(codes)
    ['b', 'a', 'a1']
    """
    ids = [str(c) for c in codes["code_id"]]
    parent = dict(zip(ids, (str(p) for p in codes["parent_id"])))
    children: dict[str, list[str]] = {}
    for cid in ids:
        top = parent[cid] if parent[cid] in parent and parent[cid] != cid else ""
        children.setdefault(top, []).append(cid)
    out, seen, stack = [], set(), list(reversed(children.get("", [])))
    while stack:
        cid = stack.pop()
        if cid in seen:
            continue
        seen.add(cid)
        out.append(cid)
        stack += reversed(children.get(cid, []))
    return out + [c for c in ids if c not in seen]  # a loop of parents: still listed


def code_memos(memos: pd.DataFrame, segments: pd.DataFrame, codes: pd.DataFrame,
               code_ids: Iterable[str], include_children: bool = True) -> pd.DataFrame:
    """The memos about ``code_ids``: on the code, on its codings, on passages coded with it.

    Parameters
    ----------
    memos : DataFrame
        :data:`MEMO_COLUMNS` (:func:`load_memos`).
    segments : DataFrame
        The coded segments (``source_id, code_id, start, end``): a passage memo is about
        every code some segment gives exactly that passage.
    codes : DataFrame
        ``code_id, parent_id``: the hierarchy.
    code_ids : iterable of str
        The codes asked for.
    include_children : bool
        Codes below them too, as :func:`analysis.query.coded_passages` does.

    Returns
    -------
    DataFrame
        ``about`` (the code the memo is about) and :data:`MEMO_COLUMNS`, in code
        hierarchy order, then by kind (code, coding, selection), date and memo id.
    """
    from .query import descendants

    wanted = (descendants(codes, code_ids) if include_children
              else [c for c in code_ids if c in set(codes["code_id"])])
    own = memos[memos["target_kind"].isin(["code", "coding"])
                & memos["code_id"].isin(wanted)].assign(about=lambda m: m["code_id"])
    places = memos[memos["target_kind"] == "selection"]
    seg = segments[segments["code_id"].isin(wanted)][["source_id", "start", "end", "code_id"]]
    if len(places) and len(seg):
        keyed = places.assign(_s=places["start"].astype("int64"),
                              _e=places["end"].astype("int64"))
        on = seg.drop_duplicates().rename(columns={"code_id": "about", "start": "_s",
                                                   "end": "_e"})
        on = on.astype({"_s": "int64", "_e": "int64"})
        passage = keyed.merge(on, on=["source_id", "_s", "_e"]).drop(columns=["_s", "_e"])
    else:
        passage = places.iloc[0:0].assign(about="")
    out = pd.concat([own, passage], ignore_index=True)
    rank = {c: i for i, c in enumerate(code_order(codes))}
    kinds = {"code": 0, "coding": 1, "selection": 2}
    out = out.assign(_c=out["about"].map(rank), _k=out["target_kind"].map(kinds))
    out = out.sort_values(["_c", "_k", "date", "memo_id", "source_id", "start"],
                          kind="stable").drop(columns=["_c", "_k"])
    return out[["about", *MEMO_COLUMNS]].reset_index(drop=True)


def memos_by_code(memos: pd.DataFrame, segments: pd.DataFrame,
                  codes: pd.DataFrame) -> pd.DataFrame:
    """How many memos are about each code (not counting its children's), in hierarchy order.

    Returns ``code_id, label, depth, n_memos`` for every code of ``codes``; the memos not
    about a code (project, journal, transcript, case) are counted in a last row with
    ``code_id`` ``""`` and label ``(not about a code)``.

    >>> memos = pd.DataFrame({"memo_id": ["m1", "m2"], "target_kind": ["code", "project"],
    ...     "target_id": ["a", ""], "code_id": ["a", ""], "source_id": "", "start": None,
    ...     "end": None, "author": "", "date": "", "title": "", "text": ["x", "y"]})
    >>> codes = pd.DataFrame({"code_id": ["a", "b"], "parent_id": ["", "a"],
    ...                       "label": ["A", "B"]})
    >>> memos_by_code(memos, pd.DataFrame(columns=["source_id", "code_id", "start", "end"]),
    ...               codes).values.tolist()
    [['a', 'A', 0, 1], ['b', 'B', 1, 0], ['', '(not about a code)', 0, 1]]
    """
    from .codebook import labels_of

    order = code_order(codes)
    about = code_memos(memos, segments, codes, order, include_children=False)
    counts = about.groupby("about").size()
    parent = dict(zip(codes["code_id"].astype(str), codes["parent_id"].astype(str)))
    labels = labels_of(codes) if "label" in codes.columns else {c: c for c in order}

    def depth(cid):
        d, seen = 0, {cid}
        while parent.get(cid) in parent and parent[cid] not in seen:
            cid = parent[cid]
            seen.add(cid)
            d += 1
        return d

    rows = [(c, labels.get(c, c), depth(c), int(counts.get(c, 0))) for c in order]
    rows.append(("", "(not about a code)", 0, len(other_memos(memos, segments, codes))))
    return pd.DataFrame(rows, columns=["code_id", "label", "depth", "n_memos"])


def other_memos(memos: pd.DataFrame, segments: pd.DataFrame,
                codes: pd.DataFrame) -> pd.DataFrame:
    """The memos about no code: on the project (journals too), a transcript, a case, or a
    passage no segment of ``codes`` covers exactly; project first, then by date.

    >>> memos = pd.DataFrame({"memo_id": ["m1", "m2"], "target_kind": ["project", "code"],
    ...     "target_id": ["", "a"], "code_id": ["", "a"], "source_id": "", "start": None,
    ...     "end": None, "author": "", "date": "", "title": "", "text": ["x", "y"]})
    >>> codes = pd.DataFrame({"code_id": ["a"], "parent_id": [""]})
    >>> other_memos(memos, pd.DataFrame(columns=["source_id", "code_id", "start", "end"]),
    ...             codes)["memo_id"].tolist()
    ['m1']
    """
    about = code_memos(memos, segments, codes, code_order(codes), include_children=False)
    key = ["memo_id", "target_kind", "target_id"]
    seen = set(map(tuple, about[key].astype(str).to_numpy()))
    mine = pd.Series([tuple(r) not in seen for r in memos[key].astype(str).to_numpy()],
                     index=memos.index, dtype=bool)
    out = memos[mine]
    order = {k: i for i, k in enumerate(("project", "source", "case", "selection"))}
    out = out.assign(_k=out["target_kind"].map(order).fillna(len(order)))
    return out.sort_values(["_k", "date", "memo_id"], kind="stable").drop(columns="_k")


def memos_markdown(table: pd.DataFrame, labels: Mapping[str, str] | None = None) -> str:
    """Memos (from :func:`code_memos`) as Markdown: one heading per code, each memo quoted
    with its kind, author and date.

    >>> table = pd.DataFrame({"about": ["a"], "target_kind": ["code"], "target_id": ["a"],
    ...     "author": ["ann"], "date": ["2025-03-14T10:00:00"], "title": [""],
    ...     "text": ["Too broad."]})
    >>> print(memos_markdown(table, {"a": "Funding"}))
    #### Funding (a)
    <BLANKLINE>
    > Too broad.
    >
    > — memo on the code · ann · 2025-03-14
    <BLANKLINE>
    """
    if table.empty:
        return "*No memos on these codes.*\n"
    labels = dict(labels or {})
    out = []
    for about, group in table.groupby("about", sort=False):
        out.append(f"#### {labels.get(about, about)} ({about})\n")
        for r in group.itertuples(index=False):
            quote = "\n".join("> " + line for line in str(r.text).split("\n"))
            out.append(f"{quote}\n>\n> — {describe(r)}\n")
    return "\n".join(out)


def describe(memo) -> str:
    """``memo on the code · ann · 2025-03-14`` (or on a passage ``P01:0-5``) for one memo row."""
    what = {"code": "memo on the code", "coding": f"memo on a coding, {memo.target_id}",
            "selection": f"memo on the passage {memo.target_id}",
            "source": f"memo on {memo.target_id}", "case": "memo on a case",
            "project": "project memo" if not memo.title else f"journal: {memo.title}"}
    parts = [what.get(memo.target_kind, memo.target_kind)]
    parts += [str(x) for x in (memo.author, str(memo.date)[:10]) if str(x)]
    return " · ".join(parts)
