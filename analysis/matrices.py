"""Matrices over coded segments: framework matrix, SST matrix, co-occurrence, code × attribute.

Tidy DataFrames in, tidy (long) DataFrames out; nothing here plots. The tables follow
the compendium's contracts:

* segments: ``segment_id, source_id, code_id, start, end, coder, text`` (code-point
  offsets into the normalised text, end-exclusive);
* sources: ``source_id, participant_id, ...`` (one interview per participant);
* participants: ``participant_id, tier, position_practice, organisation_type, ...,
  eras`` (era ids joined by ``"|"``);
* turns: ``source_id, turn, speaker, role, start, end, ...``;
* codes: ``code_id, parent_id, label, facet, codable, sst_component, bracket``.

Functions
---------
framework_matrix
    Cases (participants, ordered by tier and position-practice) × codes of one facet:
    segment counts, coverage of the case's words and one exemplar quote per cell.
framework_table, to_html
    The framework matrix pivoted wide, and as a readable, escaped HTML table.
sst_matrix
    SST components, codes or brackets × tier (or any participant attribute): counts and
    row / column shares.
cooccurrence, cooccurrence_square
    Code × code co-occurrence by overlap, same turn or a character window
    (sort and sweep, never all pairs of segments).
code_by_attribute
    Codes × any participant attribute.
code_list, shorten
    Helpers shared with :mod:`analysis.reliability` and :mod:`analysis.alignment`:
    the code selection and one-line quotes (the span arithmetic is :mod:`analysis.spans`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .errors import DataError
from .io import csv_line
from .schema import SEGMENT_COLUMNS, TIERS, check_choice
from .spans import check_spans_in_texts, merge_intervals, numeric_spans, sweep_pairs

__all__ = [
    "FACET_PREFIX", "SST_COMPONENTS", "DEFAULT_BRACKETS",
    "framework_matrix", "framework_table", "to_html",
    "sst_matrix", "cooccurrence", "cooccurrence_square", "code_by_attribute",
    "shorten", "code_list",
]

#: Code-id prefix of each facet, used when no codes table is given.
FACET_PREFIX = {"sst": "sst_", "level": "lvl_", "position_practice": "pp_", "theme": "th_"}

#: The four SST components in the order of the quadripartite cycle.
SST_COMPONENTS = ("external", "internal", "agency", "outcomes")

#: Bracket of each SST code when the codes table has no ``bracket`` column: agent's context
#: analysis = external structures and conjuncturally-specific knowledge (with the horizon of
#: action); agent's conduct analysis = general-dispositional structures and active agency
#: (coding frame §1.9). Children not listed inherit their parent's bracket.
DEFAULT_BRACKETS = {
    "sst_external": "context", "sst_int_conjspec": "context",
    "sst_int_gendisp": "conduct", "sst_agency": "conduct",
}


# --------------------------------------------------------------------------- helpers

def code_list(codes, facet: str | None = None) -> list[str] | None:
    """Code ids to keep, in codebook order: from a codes table (filtered to ``facet``
    and to codable codes when those columns exist) or from a plain list; None for None.

    >>> code_list(pd.DataFrame({"code_id": ["th", "th_a", "sst_x"], "facet": ["theme"] * 2
    ...     + ["sst"], "codable": ["false", "true", "true"]}), "theme")
    ['th_a']
    """
    if codes is None:
        return None
    if isinstance(codes, pd.DataFrame):
        keep = pd.Series(True, index=codes.index)
        if facet is not None and "facet" in codes.columns:
            keep &= codes["facet"].astype(str) == facet
        if "codable" in codes.columns:
            keep &= codes["codable"].map(_truthy)
        return list(dict.fromkeys(codes.loc[keep, "code_id"].astype(str)))
    return list(dict.fromkeys(str(c) for c in codes))


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "y"}
    return bool(value)


def _select(seg: pd.DataFrame, coder: str | None, code_ids: list[str] | None,
            prefix: str | None = None) -> pd.DataFrame:
    keep = pd.Series(True, index=seg.index)
    if coder is not None:
        keep &= seg["coder"].astype(str) == coder
    if code_ids is not None:
        keep &= seg["code_id"].isin(pd.Series(code_ids, dtype=object))
    elif prefix is not None:
        keep &= seg["code_id"].astype(str).str.startswith(prefix)
    return seg.loc[keep]


def _case_table(participants: pd.DataFrame, sources: pd.DataFrame, case: str) -> pd.DataFrame:
    """source_id -> case, tier, position_practice for interview sources with a participant."""
    for col in ("participant_id", case):
        if col not in participants.columns:
            raise DataError("participants", 1, f"table lacks column {col!r}")
    if "participant_id" not in sources.columns:
        raise DataError("sources", 1, "table lacks column 'participant_id'")
    src = sources.loc[sources["participant_id"].astype(str) != "",
                      ["source_id", "participant_id"]]
    cols = list(dict.fromkeys(["participant_id", case, "tier", "position_practice"]))
    cols = [c for c in cols if c in participants.columns]
    table = src.merge(participants[cols], on="participant_id", how="inner")
    table["case"] = table[case].astype(str)
    for col in ("tier", "position_practice"):
        if col not in table.columns:
            table[col] = ""
    return table


def _case_order(cases: pd.DataFrame, pp_order: list[str] | None) -> list[str]:
    """Cases ordered by tier (macro, meso, micro, others), then position-practice
    (codebook order when known, else alphabetical), then case id."""
    rank_tier = {t: i for i, t in enumerate(TIERS)}
    pp_rank = {p: i for i, p in enumerate(pp_order or [])}
    keyed = cases.assign(
        _t=cases["tier"].map(lambda t: rank_tier.get(t, len(TIERS))),
        _p=cases["position_practice"].map(lambda p: pp_rank.get(p, len(pp_rank))),
    ).sort_values(["_t", "tier", "_p", "position_practice", "case"], kind="stable")
    return list(dict.fromkeys(keyed["case"]))


def _word_starts(texts: Mapping[str, str], source_ids: list[str], batch: int = 1 << 22):
    """Concatenate the texts and return (offset of each source, positions of word starts).

    Each text is followed by a ``"\\n"`` separator. A source without a text counts no
    words. A word is a maximal run of letters and digits, an apostrophe between two such
    characters included ("don't" is one word). The positions are sorted, so the words
    starting inside ``[s, e)`` of the concatenation number
    ``searchsorted(starts, e) - searchsorted(starts, s)``. The texts are scanned a batch
    of about ``batch`` characters at a time (a batch starts after a separator, so it
    finds the same words), never as one array per character of the whole study.
    """
    chunks = [texts.get(s, "") for s in source_ids]
    base = np.zeros(len(chunks) + 1, dtype=np.int64)
    base[1:] = np.cumsum([len(c) + 1 for c in chunks])  # +1: the "\n" separator
    found = [np.zeros(0, dtype=np.int64)]
    first = 0
    for last in range(len(chunks)):
        if last + 1 == len(chunks) or base[last + 1] - base[first] >= batch:
            joined = "\n".join(chunks[first:last + 1]) + "\n"
            found.append(np.flatnonzero(_starts_of_words(joined)) + base[first])
            first = last + 1
    return base, np.concatenate(found)


def _starts_of_words(text: str) -> np.ndarray:
    """True at each character of ``text`` that starts a word (see :func:`_word_starts`)."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    # ASCII through a lookup table; other characters (rare) through str.isalnum.
    table = np.zeros(129, dtype=bool)
    for lo, hi in ((48, 57), (65, 90), (97, 122)):
        table[lo:hi + 1] = True
    is_word = table[np.minimum(cp, 128)]
    high = np.flatnonzero(cp >= 128)
    if high.size:
        uniq, inverse = np.unique(cp[high], return_inverse=True)
        is_word[high] = np.array([chr(u).isalnum() for u in uniq], dtype=bool)[inverse]
    apostrophe = (cp == 39) | (cp == 0x2019)
    inner = np.zeros(cp.size, dtype=bool)
    inner[1:-1] = apostrophe[1:-1] & is_word[:-2] & is_word[2:]
    is_word |= inner
    starts = is_word.copy()
    starts[1:] &= ~is_word[:-1]
    return starts


def case_label(*parts) -> str:
    """A participant as a row label: its id and attributes, the empty ones left out.

    >>> case_label("P01", "meso", "ccg_it_lead"), case_label("board_2017", "meso", "")
    ('P01 · meso · ccg_it_lead', 'board_2017 · meso')
    """
    return " · ".join(str(p) for p in parts if str(p).strip() and str(p) != "nan")


def shorten(text: str, limit: int) -> str:
    """One line, at most ``limit`` characters, cut at a word boundary with an ellipsis.

    >>> shorten("The SHA  decided\\neverything for us", 20)
    'The SHA decided…'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: max(limit - 1, 1)]
    space = cut.rfind(" ")
    # Back up to a word boundary unless the cut already falls on one.
    if flat[len(cut)] != " " and space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "\u2026"


# --------------------------------------------------------------------------- framework

def framework_matrix(segments: pd.DataFrame, participants: pd.DataFrame, sources: pd.DataFrame,
                     texts: Mapping[str, str], codes: pd.DataFrame | Iterable[str] | None = None,
                     facet: str = "theme", case: str = "participant_id",
                     quote_chars: int = 200, turns: pd.DataFrame | None = None,
                     role: str = "participant", coder: str | None = None) -> pd.DataFrame:
    """Framework matrix: cases × codes of one facet, in long (tidy) form.

    Every case × code cell is present, empty cells included, so the table pivots
    straight into the matrix a reader expects (:func:`framework_table`).

    Parameters
    ----------
    segments, participants, sources : DataFrame
        Tables of the compendium's contracts. Sources link texts to participants; a
        source without a participant (a document) is left out.
    texts : mapping of source_id to str
        The normalised texts the offsets refer to.
    codes : DataFrame or list of code ids, optional
        The codes that make the columns, in this order. A codes table is filtered to
        ``facet`` (and to codable codes). Without it, the codes used in ``segments``
        whose id starts with the facet's prefix (``th_`` for themes), sorted.
    facet : {"theme", "sst", "level", "position_practice"}
    case : str
        Participant column that defines a case; ``participant_id`` gives one row per
        interviewee. For another attribute (e.g. ``"organisation_type"``) the cells pool
        its participants and ``tier``/``position_practice`` are shown only when shared.
    quote_chars : int
        Longest exemplar, in characters (whitespace is collapsed first).
    turns : DataFrame, optional
        Turns of the interviews. When given, coverage counts only words in turns whose
        ``role`` equals ``role`` (the participant's own words, not the interviewer's).
    role : str
        Role of the turns that count when ``turns`` is given.
    coder : str, optional
        Use only this coder's segments (double-coded studies would otherwise count twice).

    Returns
    -------
    DataFrame
        ``case, tier, position_practice, code_id, n_segments, n_words, case_words,
        coverage, exemplar, exemplar_segment_id``; rows in case order (tier macro, meso,
        micro; then position-practice; then case id) and code order.

    Notes
    -----
    *Coverage* is ``n_words / case_words``: the words of the union of the code's spans
    in the case (overlapping segments count once) over all words of the case, both
    counted in the participant's turns when ``turns`` is given, else in the whole
    text. A word is counted where it starts; it is a run of letters and digits (an
    inner apostrophe included).

    *Exemplar rule*: among the cell's segments, the one whose length in characters is
    closest to the cell's median segment length; ties go to the earliest
    (``source_id``, ``start``, ``segment_id``). The quote is the segment's text on one
    line, cut at a word boundary before ``quote_chars`` with an ellipsis.

    Examples
    --------
    >>> texts = {"P01": "We had no money. The SHA decided everything for us."}
    >>> seg = pd.DataFrame({"segment_id": ["s1"], "source_id": ["P01"],
    ...     "code_id": ["th_funding"], "start": [0], "end": [16], "coder": ["A"],
    ...     "text": ["We had no money."]})
    >>> part = pd.DataFrame({"participant_id": ["P01"], "tier": ["meso"],
    ...     "position_practice": ["pp_sha_it"]})
    >>> src = pd.DataFrame({"source_id": ["P01"], "participant_id": ["P01"]})
    >>> m = framework_matrix(seg, part, src, texts)
    >>> m[["case", "code_id", "n_segments", "n_words", "case_words", "exemplar"]]
      case     code_id  n_segments  n_words  case_words          exemplar
    0  P01  th_funding           1        4          10  We had no money.
    """
    check_choice("facet", facet, FACET_PREFIX)
    seg = numeric_spans(segments, columns=SEGMENT_COLUMNS[:5])
    code_ids = code_list(codes, facet)
    seg = _select(seg, coder, code_ids, FACET_PREFIX[facet])
    cases = _case_table(participants, sources, case)
    seg = seg[seg["source_id"].isin(cases["source_id"])]
    check_spans_in_texts(seg, texts, "segments")
    seg = seg.merge(cases[["source_id", "case"]], on="source_id", how="inner")
    if code_ids is None:
        code_ids = sorted(seg["code_id"].astype(str).unique())
    pp_order = code_list(codes, "position_practice") if isinstance(codes, pd.DataFrame) else None

    source_ids = sorted(cases["source_id"].astype(str).unique())
    words = _CountedWords(texts, source_ids, turns, role)
    case_words = (cases.assign(w=cases["source_id"].map(words.per_source()).fillna(0))
                  .groupby("case")["w"].sum())
    n_words = _coded_words(seg, cases, code_ids, words)
    chosen = _exemplars(seg)
    n_segments = seg.groupby(["case", "code_id"]).size()

    attributes = cases.groupby("case").agg(
        tier=("tier", lambda v: v.iloc[0] if v.nunique() == 1 else ""),
        position_practice=("position_practice", lambda v: v.iloc[0] if v.nunique() == 1 else ""))
    order = _case_order(attributes.reset_index(), pp_order)
    grid = pd.MultiIndex.from_product([order, code_ids], names=["case", "code_id"])
    out = pd.DataFrame(index=grid).reset_index()
    out = out.join(attributes, on="case")
    out["n_segments"] = n_segments.reindex(grid, fill_value=0).to_numpy().astype("int64")
    out["n_words"] = n_words.reindex(grid, fill_value=0).to_numpy().astype("int64")
    out["case_words"] = out["case"].map(case_words).fillna(0).astype("int64")
    out["coverage"] = (out["n_words"] / out["case_words"].where(out["case_words"] > 0)).round(6)
    quotes = chosen.get("text", pd.Series("", index=chosen.index)).fillna("").astype(str)
    exemplars = pd.DataFrame({
        "exemplar": [shorten(q if q else texts[src][a:b], quote_chars) for q, src, a, b in
                     zip(quotes, chosen["source_id"], chosen["start"], chosen["end"])],
        "exemplar_segment_id": chosen["segment_id"].astype(str).to_numpy(),
    }, index=chosen.index)
    out = out.join(exemplars, on=["case", "code_id"])
    out[["exemplar", "exemplar_segment_id"]] = out[["exemplar", "exemplar_segment_id"]].fillna("")
    return out[["case", "tier", "position_practice", "code_id", "n_segments", "n_words",
                 "case_words", "coverage", "exemplar", "exemplar_segment_id"]]


class _CountedWords:
    """The words that count for coverage, as sorted positions in the concatenation of the
    sources' texts (see :func:`_word_starts`): every word, or with ``turns`` only the
    words starting inside a turn of ``role``."""

    def __init__(self, texts: Mapping[str, str], source_ids: list[str],
                 turns: pd.DataFrame | None, role: str):
        self.source_ids = source_ids
        self.base, word_at = _word_starts(texts, source_ids)
        self.position = pd.Series(np.arange(len(source_ids)), index=source_ids)
        if turns is not None:
            tr = numeric_spans(turns, "turns", ("source_id", "role", "start", "end"))
            tr = tr[(tr["role"].astype(str) == role) & tr["source_id"].isin(self.position.index)]
            offset = self.base[self.position[tr["source_id"]].to_numpy()]
            # Only the words that start inside one of the role's turns count.
            _, t_start, t_end = merge_intervals(np.zeros(len(tr), dtype=np.int64),
                                                offset + tr["start"].to_numpy(),
                                                offset + tr["end"].to_numpy())
            k = np.searchsorted(t_start, word_at, side="right") - 1
            word_at = word_at[(k >= 0) & (word_at < t_end[np.maximum(k, 0)])] \
                if t_start.size else word_at[:0]
        self.word_at = word_at

    def before(self, position: np.ndarray) -> np.ndarray:
        """Counted words starting before each position."""
        return np.searchsorted(self.word_at, position, side="left")

    def per_source(self) -> pd.Series:
        """Counted words of each source."""
        counts = self.before(self.base[1:] - 1) - self.before(self.base[:-1])
        return pd.Series(counts, index=self.source_ids)


def _coded_words(seg: pd.DataFrame, cases: pd.DataFrame, code_ids: list[str],
                 words: _CountedWords) -> pd.Series:
    """Counted words of the union of each (case, code)'s spans (overlaps count once)."""
    code_pos = pd.Series(np.arange(len(code_ids)), index=code_ids)
    total = int(words.base[-1]) + 1
    gkey = code_pos[seg["code_id"]].to_numpy()
    offset = words.base[words.position[seg["source_id"]].to_numpy()]
    shift = gkey * total
    g, s, e = merge_intervals(gkey, shift + offset + seg["start"].to_numpy(),
                              shift + offset + seg["end"].to_numpy())
    block_words = words.before(e - g * total) - words.before(s - g * total)
    block_source = np.searchsorted(words.base, s - g * total, side="right") - 1
    blocks = pd.DataFrame({"code_id": np.asarray(code_ids, dtype=object)[g],
                           "source_id": np.asarray(words.source_ids, dtype=object)[block_source],
                           "n_words": block_words})
    blocks = blocks.merge(cases[["source_id", "case"]], on="source_id")
    return blocks.groupby(["case", "code_id"])["n_words"].sum()


def _exemplars(seg: pd.DataFrame) -> pd.DataFrame:
    """The exemplar segment of each (case, code): closest to the median length, ties by
    position (the rule in :func:`framework_matrix`)."""
    seg = seg.assign(_len=seg["end"] - seg["start"])
    median = seg.groupby(["case", "code_id"])["_len"].transform("median")
    seg["_dist"] = (seg["_len"] - median).abs()
    ranked = seg.sort_values(["case", "code_id", "_dist", "source_id", "start", "segment_id"],
                             kind="stable")
    return ranked.drop_duplicates(["case", "code_id"]).set_index(["case", "code_id"])


def framework_table(matrix: pd.DataFrame, value: str = "n_segments") -> pd.DataFrame:
    """Pivot a framework matrix wide: one row per case, one column per code.

    Row and column order are those of ``matrix``.

    Examples
    --------
    >>> m = pd.DataFrame({"case": ["P02", "P02", "P01", "P01"],
    ...                   "code_id": ["th_b", "th_a", "th_b", "th_a"],
    ...                   "n_segments": [0, 1, 2, 3]})
    >>> framework_table(m)
    code_id  th_b  th_a
    case
    P02         0     1
    P01         2     3
    """
    wide = matrix.pivot(index="case", columns="code_id", values=value)
    return wide.loc[list(dict.fromkeys(matrix["case"])), list(dict.fromkeys(matrix["code_id"]))]


def to_html(matrix: pd.DataFrame, labels: Mapping[str, str] | None = None,
            title: str = "Framework matrix") -> str:
    """Render a framework matrix as a standalone, readable HTML table.

    Each cell shows the number of segments, the coverage as a percentage and the
    exemplar quote; every piece of text is HTML-escaped. Export to CSV with
    :func:`analysis.io.write_table` instead.

    Parameters
    ----------
    matrix : DataFrame
        Output of :func:`framework_matrix`.
    labels : mapping of code_id to label, optional
        Column headings; the code ids otherwise.
    title : str
        Caption of the table.

    Examples
    --------
    >>> m = pd.DataFrame({"case": ["P01"], "tier": ["meso"], "position_practice": ["pp_x"],
    ...     "code_id": ["th_a"], "n_segments": [1], "coverage": [0.25],
    ...     "exemplar": ["<b>budget</b> & cuts"]})
    >>> "&lt;b&gt;budget&lt;/b&gt; &amp; cuts" in to_html(m)
    True
    """
    labels = dict(labels or {})
    codes = list(dict.fromkeys(matrix["code_id"]))
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(labels.get(c, c))}</th>' for c in codes)
    lines = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>table{border-collapse:collapse;font:13px/1.35 sans-serif}"
        "th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;max-width:22em}"
        "td .n{font-weight:bold}td q{display:block;color:#333;margin-top:2px}"
        "td.empty{background:#f4f4f4}</style>",
        "</head>", "<body>", "<table>", f"<caption>{esc(title)}</caption>",
        f'<thead><tr><th scope="col">case</th><th scope="col">tier</th>'
        f'<th scope="col">position-practice</th>{head}</tr></thead>', "<tbody>",
    ]
    for case_id, rows in matrix.groupby("case", sort=False):
        first = rows.iloc[0]
        cells = []
        for _, r in rows.set_index("code_id").reindex(codes).iterrows():
            n = int(r["n_segments"]) if pd.notna(r["n_segments"]) else 0
            if n == 0:
                cells.append('<td class="empty"></td>')
                continue
            cov = "" if pd.isna(r["coverage"]) else f" · {100 * float(r['coverage']):.1f}%"
            cells.append(f'<td><span class="n">{n}</span>{esc(cov)}'
                         f"<q>{esc(str(r['exemplar']))}</q></td>")
        lines.append(f'<tr><th scope="row">{esc(str(case_id))}</th>'
                     f"<td>{esc(str(first.get('tier', '')))}</td>"
                     f"<td>{esc(str(first.get('position_practice', '')))}</td>"
                     + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>", "</body>", "</html>", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- SST matrix

def _brackets(codes: pd.DataFrame) -> pd.Series:
    """Bracket of each code: its own, else its nearest ancestor's ("" when none)."""
    ids = codes["code_id"].astype(str)
    if "bracket" in codes.columns:
        own = dict(zip(ids, codes["bracket"].fillna("").astype(str)))
    else:
        own = {c: DEFAULT_BRACKETS.get(c, "") for c in ids}
    parent = dict(zip(ids, codes["parent_id"].fillna("").astype(str))) \
        if "parent_id" in codes.columns else {}
    out = {}
    for code in ids:
        seen, node = set(), code
        while node and not own.get(node) and node not in seen:
            seen.add(node)
            node = parent.get(node, "")
        out[code] = own.get(node, "") if node else ""
    return pd.Series(out)


def sst_matrix(segments: pd.DataFrame, participants: pd.DataFrame, sources: pd.DataFrame,
               codes: pd.DataFrame, by: str = "tier", rows: str = "component",
               bracket: str | None = None, coder: str | None = None) -> pd.DataFrame:
    """SST components (or codes, or brackets) × a participant attribute.

    Parameters
    ----------
    segments, participants, sources : DataFrame
        Tables of the compendium's contracts.
    codes : DataFrame
        Codes table with ``code_id`` and ``sst_component`` (and ``facet``, ``parent_id``,
        ``bracket`` when available). SST codes are those of facet ``sst`` (or, without a
        facet column, ids starting ``sst_``).
    by : str
        Participant column for the columns: ``"tier"`` or ``"position_practice"`` (any
        single-valued attribute works).
    rows : {"component", "code", "bracket"}
        ``component``: the four components (external, internal, agency, outcomes);
        ``code``: every SST code (components and sub-components, codebook order);
        ``bracket``: agent's context analysis vs agent's conduct analysis.
    bracket : {"context", "conduct"}, optional
        Keep only the codes of one bracket: the *view* of that bracket. A code's bracket
        is its own ``bracket`` value or, if empty, its nearest ancestor's (the default
        mapping :data:`DEFAULT_BRACKETS` when the table has no bracket column).
    coder : str, optional
        Use only this coder's segments.

    Returns
    -------
    DataFrame
        ``<rows>, <by>, n, row_share, column_share``: ``n`` counts segments, so a segment
        coded with two codes of one component counts twice; ``row_share`` is ``n`` over
        its row total and ``column_share`` over its column total (NaN for an empty
        total). Every row × column combination is present.

    Examples
    --------
    >>> codes = pd.DataFrame({"code_id": ["sst_external", "sst_agency"],
    ...     "parent_id": ["", ""], "facet": ["sst", "sst"],
    ...     "sst_component": ["external", "agency"], "bracket": ["context", "conduct"]})
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "source_id": ["P01", "P02", "P02"],
    ...     "code_id": ["sst_external", "sst_external", "sst_agency"],
    ...     "start": [0, 0, 5], "end": [4, 4, 9]})
    >>> part = pd.DataFrame({"participant_id": ["P01", "P02"], "tier": ["macro", "meso"]})
    >>> src = pd.DataFrame({"source_id": ["P01", "P02"], "participant_id": ["P01", "P02"]})
    >>> sst_matrix(seg, part, src, codes, rows="bracket")
       bracket   tier  n  row_share  column_share
    0  context  macro  1        0.5           1.0
    1  context   meso  1        0.5           0.5
    2  conduct  macro  0        0.0           0.0
    3  conduct   meso  1        1.0           0.5
    """
    check_choice("rows", rows, ("component", "code", "bracket"))
    check_choice("bracket", bracket, ("context", "conduct", None))
    if "facet" in codes.columns:
        sst = codes[codes["facet"].astype(str) == "sst"]
    else:
        sst = codes[codes["code_id"].astype(str).str.startswith("sst_")]
    sst = sst.assign(_bracket=_brackets(codes).reindex(sst["code_id"].astype(str)).to_numpy())
    if bracket is not None:
        sst = sst[sst["_bracket"] == bracket]
    if rows == "component":
        row_of = dict(zip(sst["code_id"], sst["sst_component"].astype(str)))
        row_order = [c for c in SST_COMPONENTS if c in set(row_of.values())]
        row_order += sorted(set(row_of.values()) - set(row_order))
    elif rows == "code":
        row_of = dict(zip(sst["code_id"], sst["code_id"]))
        row_order = list(dict.fromkeys(sst["code_id"]))
    else:
        sst = sst[sst["_bracket"] != ""]
        row_of = dict(zip(sst["code_id"], sst["_bracket"]))
        row_order = [b for b in ("context", "conduct") if b in set(row_of.values())]
    row_name = {"component": "component", "code": "code_id", "bracket": "bracket"}[rows]

    seg = numeric_spans(segments, columns=("source_id", "code_id", "start", "end"))
    seg = _select(seg, coder, list(row_of))
    cases = _case_table(participants, sources, by)
    seg = seg.merge(cases[["source_id", "case"]], on="source_id", how="inner")
    seg[row_name] = seg["code_id"].map(row_of)
    columns = _ordered_values(cases["case"], by)
    counts = seg.groupby([row_name, "case"]).size()
    grid = pd.MultiIndex.from_product([row_order, columns], names=[row_name, by])
    out = pd.DataFrame(index=grid).reset_index()
    out["n"] = counts.reindex(grid, fill_value=0).to_numpy().astype("int64")
    row_total = out.groupby(row_name)["n"].transform("sum")
    col_total = out.groupby(by)["n"].transform("sum")
    out["row_share"] = (out["n"] / row_total.where(row_total > 0)).round(6)
    out["column_share"] = (out["n"] / col_total.where(col_total > 0)).round(6)
    return out


def _ordered_values(values: pd.Series, attribute: str) -> list[str]:
    present = set(values.astype(str))
    if attribute == "tier":
        first = [t for t in TIERS if t in present]
        return first + sorted(present - set(first))
    return sorted(present)


# --------------------------------------------------------------------------- co-occurrence

def cooccurrence(segments: pd.DataFrame, codes: pd.DataFrame | Iterable[str] | None = None,
                 by: str = "overlap", window: int = 0, turns: pd.DataFrame | None = None,
                 coder: str | None = None) -> pd.DataFrame:
    """Code × code co-occurrence, with counts and a Jaccard index.

    Parameters
    ----------
    segments : DataFrame
        Coded segments.
    codes : DataFrame or list of code ids, optional
        Restrict to these codes (all pairs of them are reported); default: the codes used.
    by : {"overlap", "turn", "window"}
        ``overlap``: two segments co-occur when their spans share at least one character.
        ``window``: when they overlap or the gap between them is at most ``window``
        characters (``window=0``: touching spans count).
        ``turn``: two codes co-occur in a turn when each has a segment overlapping it.
    window : int
        Largest gap in characters for ``by="window"``.
    turns : DataFrame
        Needed for ``by="turn"``; turns of one source must not overlap.
    coder : str, optional
        Use only this coder's segments.

    Returns
    -------
    DataFrame
        ``code_a, code_b, n, units_both, units_either, jaccard`` with ``code_a < code_b``,
        one row per pair of codes considered, sorted.

    Notes
    -----
    Counting, and the units of the Jaccard index ``units_both / units_either``:

    * ``by="turn"``: the unit is the turn; ``n = units_both`` = turns where both codes
      appear, ``units_either`` = turns where either appears.
    * ``by="overlap"`` / ``"window"``: ``n`` counts pairs of segments (one of each code)
      that meet, each pair once. The units are the segments of the two codes; a
      segment "has" the other code when it meets a segment of it. So ``units_both`` =
      segments of either code that meet the other code and ``units_either`` = all
      segments of the two codes: the share of the two codes' segments that co-occur.

    Segments of a source are sorted once and swept (:func:`sweep_pairs`); nothing
    compares all pairs of segments.

    Examples
    --------
    >>> seg = pd.DataFrame({"source_id": ["P01"] * 3, "code_id": ["th_a", "th_b", "th_b"],
    ...                     "start": [0, 5, 40], "end": [10, 20, 50]})
    >>> cooccurrence(seg)
      code_a code_b  n  units_both  units_either  jaccard
    0   th_a   th_b  1           2             3   0.666667
    """
    check_choice("by", by, ("overlap", "turn", "window"))
    if window < 0:
        raise ValueError("window must be zero or positive")
    seg = numeric_spans(segments)
    code_ids = code_list(codes)
    seg = _select(seg, coder, code_ids)
    seg = seg[seg["end"] > seg["start"]]
    # Sorted ids, so that the upper triangle of the k x k counts has code_a < code_b.
    code_ids = sorted(seg["code_id"].astype(str).unique() if code_ids is None else code_ids)
    k = len(code_ids)
    code = pd.Categorical(seg["code_id"], categories=code_ids).codes.astype(np.int64)
    source, source_names = pd.factorize(seg["source_id"], sort=True)

    if by == "turn":
        if turns is None:
            raise ValueError("by='turn' needs the turns table")
        both, either_units = _turn_units(seg, code, source, source_names, turns, k)
        n = both
    else:
        n, both, either_units = _segment_units(seg, code, source, k,
                                               window if by == "window" else None)
    a, b = np.triu_indices(k, 1)
    out = pd.DataFrame({
        "code_a": np.asarray(code_ids, dtype=object)[a],
        "code_b": np.asarray(code_ids, dtype=object)[b],
        "n": n[a, b].astype("int64"),
        "units_both": both[a, b].astype("int64"),
        "units_either": either_units[a, b].astype("int64"),
    })
    out["jaccard"] = (out["units_both"] / out["units_either"].where(out["units_either"] > 0)
                      ).round(6)
    return out


def _segment_units(seg, code, source, k, window):
    """Pairs of segments that meet (overlap, or with ``window`` not None lie at most
    ``window`` characters apart), as k × k arrays: (pairs, segments of either code that
    meet the other, all segments of the two codes)."""
    stride = int(seg["end"].max() if len(seg) else 0) + (window or 0) + 2
    key_s = source * stride + seg["start"].to_numpy()
    key_e = source * stride + seg["end"].to_numpy()
    order = np.argsort(key_s, kind="stable")
    key_s, key_e, code = key_s[order], key_e[order], code[order]
    limit = key_e + (window or 0)
    i, j = sweep_pairs(key_s, limit, inclusive=window is not None)
    differ = code[i] != code[j]
    i, j = i[differ], j[differ]
    lo, hi = np.minimum(code[i], code[j]), np.maximum(code[i], code[j])
    n = np.bincount(lo * k + hi, minlength=k * k).reshape(k, k)
    # Segment i "has" code[j] and j "has" code[i]; count each (segment, code) once.
    unit = np.concatenate([i, j])
    other = np.concatenate([code[j], code[i]])
    # Distinct (segment, code) keys by sorting (faster here than np.unique's hashing).
    keys = np.sort(unit * k + other)
    uniq = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if keys.size else keys
    met = np.bincount(code[uniq // k] * k + uniq % k, minlength=k * k).reshape(k, k)
    per_code = np.bincount(code, minlength=k)
    return n, met + met.T, per_code[:, None] + per_code[None, :]


def _turn_units(seg, code, source, source_names, turns, k):
    """Turns × codes incidence: (turns with both codes, turns with either) as k × k arrays."""
    tr = numeric_spans(turns, "turns", ("source_id", "start", "end"))
    tr = tr[tr["source_id"].isin(pd.Series(source_names, dtype=object))]
    t_source = pd.Index(source_names).get_indexer(tr["source_id"])
    stride = int(max(tr["end"].max() if len(tr) else 0,
                     seg["end"].max() if len(seg) else 0)) + 2
    t_start = t_source * stride + tr["start"].to_numpy()
    t_end = t_source * stride + tr["end"].to_numpy()
    order = np.lexsort((t_start, t_source))
    t_start, t_end = t_start[order], t_end[order]
    if np.any(t_start[1:] < t_end[:-1]):
        bad = int(order[np.flatnonzero(t_start[1:] < t_end[:-1])[0] + 1])
        raise DataError("turns", csv_line(bad), "turn overlaps the previous turn of its source")
    s_start = source * stride + seg["start"].to_numpy()
    s_end = source * stride + seg["end"].to_numpy()
    first = np.searchsorted(t_end, s_start, side="right")
    last = np.searchsorted(t_start, s_end, side="left") - 1
    span = np.maximum(last - first + 1, 0)
    turn = np.repeat(first, span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span,
                                                                        span))
    incidence = np.zeros((t_start.size, k), dtype=np.int32)
    incidence[turn, np.repeat(code, span)] = 1
    both = incidence.T @ incidence
    per_code = np.diag(both)
    return both, per_code[:, None] + per_code[None, :] - both


def cooccurrence_square(table: pd.DataFrame, value: str = "n") -> pd.DataFrame:
    """The co-occurrence table as a symmetric code × code matrix (diagonal empty).

    Examples
    --------
    >>> t = pd.DataFrame({"code_a": ["a"], "code_b": ["b"], "n": [3]})
    >>> cooccurrence_square(t)
         a    b
    a  NaN  3.0
    b  3.0  NaN
    """
    ids = sorted(set(table["code_a"]) | set(table["code_b"]))
    square = pd.DataFrame(np.nan, index=ids, columns=ids)
    for a, b, v in zip(table["code_a"], table["code_b"], table[value]):
        square.loc[a, b] = square.loc[b, a] = v
    return square


# --------------------------------------------------------------------------- code × attribute

def code_by_attribute(segments: pd.DataFrame, participants: pd.DataFrame, sources: pd.DataFrame,
                      attribute: str = "tier", codes: pd.DataFrame | Iterable[str] | None = None,
                      coder: str | None = None, sep: str = "|") -> pd.DataFrame:
    """Codes × the values of one participant attribute (tier, eras, organisation type ...).

    Parameters
    ----------
    segments, participants, sources : DataFrame
        Tables of the compendium's contracts.
    attribute : str
        A participant column. Multi-valued cells (``eras`` = ``"npfit|ccg"``) are split on
        ``sep``: a participant then counts under each of its values.
    codes : DataFrame or list of code ids, optional
        Restrict to these codes (codebook order kept); default: the codes used, sorted.
    coder : str, optional
        Use only this coder's segments.

    Returns
    -------
    DataFrame
        ``code_id, <attribute>, n_segments, n_cases, cases_total, case_share``: segments
        of the code from participants with the value, how many of those participants
        used the code, how many participants have the value, and ``n_cases /
        cases_total``. Every code × value combination is present.

    Examples
    --------
    >>> seg = pd.DataFrame({"source_id": ["P01", "P01", "P02"], "code_id": ["th_a"] * 3,
    ...                     "start": [0, 5, 0], "end": [4, 9, 4]})
    >>> part = pd.DataFrame({"participant_id": ["P01", "P02"], "eras": ["npfit|ccg", "ccg"]})
    >>> src = pd.DataFrame({"source_id": ["P01", "P02"], "participant_id": ["P01", "P02"]})
    >>> code_by_attribute(seg, part, src, "eras")
      code_id eras  n_segments  n_cases  cases_total  case_share
    0    th_a  ccg           3        2            2         1.0
    1    th_a npfit           2        1            1         1.0
    """
    seg = numeric_spans(segments)
    code_ids = code_list(codes)
    seg = _select(seg, coder, code_ids)
    cases = _case_table(participants, sources, "participant_id")
    if attribute not in participants.columns:
        raise DataError("participants", 1, f"table lacks column {attribute!r}")
    values = (participants[["participant_id", attribute]].astype({attribute: str})
              .assign(**{attribute: lambda d: d[attribute].str.split(sep, regex=False)})
              .explode(attribute))
    values[attribute] = values[attribute].str.strip()
    values = values[values[attribute] != ""].drop_duplicates()
    seg = seg.merge(cases[["source_id", "participant_id"]], on="source_id", how="inner")
    seg = seg.merge(values, on="participant_id", how="inner")
    if code_ids is None:
        code_ids = sorted(seg["code_id"].astype(str).unique())
    levels = _ordered_values(values[attribute], attribute)
    grid = pd.MultiIndex.from_product([code_ids, levels], names=["code_id", attribute])
    grouped = seg.groupby(["code_id", attribute])
    out = pd.DataFrame(index=grid).reset_index()
    out["n_segments"] = grouped.size().reindex(grid, fill_value=0).to_numpy().astype("int64")
    out["n_cases"] = (grouped["participant_id"].nunique().reindex(grid, fill_value=0)
                      .to_numpy().astype("int64"))
    totals = values.groupby(attribute)["participant_id"].nunique()
    out["cases_total"] = out[attribute].map(totals).astype("int64")
    out["case_share"] = (out["n_cases"] / out["cases_total"].where(out["cases_total"] > 0)
                         ).round(6)
    return out
