"""``make thesis``: the tables, quote bank, codebook appendix and figure list of the thesis.

Everything is rebuilt from the processed study, so every quote in the thesis is verbatim
and current. :func:`build_thesis` writes into ``build/thesis/`` (``build/private/thesis/``
for a private study):

``tables/``
    framework counts per tier, SST component × tier, agreement per code with bootstrap
    intervals, policy–practice divergence; each as LaTeX (booktabs, pandas'
    ``Styler.to_latex``; a ``longtable`` with its header repeated on every page when it
    is longer than a page), CSV and Word (the header row repeated on every page). A
    table the study cannot give (one coder: no agreement; no SST components; no
    documents) is left out and the index says why. The per-code tables show the code
    tree as ``level``, ``under`` and ``top`` ask (:func:`table_view`: the deepest level
    with at most :data:`TABLE_ROWS` rows, else the top N), the caption says what was
    rolled up, and the full table, every code as coded, is written beside them as
    ``<name>_full.csv``.
``quote_bank.md``, ``quote_bank.docx``
    per theme and tier one exemplar passage, chosen by :data:`QUOTE_RULE`, under a
    heading for each category above the code (the hierarchy, one heading level per
    level of the tree).
``codebook_appendix.md``, ``.docx``, ``.tex``
    every code with label, facet, parent, definition, inclusion and exclusion criteria,
    SST component and up to two exemplars (:data:`EXEMPLAR_RULE`), in tree order, each
    code's heading one level below its parent's.
``figures.md``, ``figures.tex``
    every figure in ``figures/`` at thesis width (16 cm), referenced, not copied.
``memo_appendix.md``, ``.docx``, ``.tex``
    the analyst's memos (pseudonymised), grouped by code in the order of the code
    hierarchy, then those about no code (:func:`memo_appendix`).
``audit.md``
    the audit trail for the methods chapter: inputs and their hashes, coding rounds,
    codebook changes, agreement by round, what was left out, memos per code, each
    with the command that reproduces it (:func:`analysis.audit.audit_sections`).

Each quote carries its citation (``P07, turn 23``) and its place in the processed
text (``P07:1234-1456``: source, start and end offsets), by which tests read it back.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pandas as pd

from . import hierarchy, matrices, paths
from .codebook import labels_of
from .errors import DataError
from .schema import TIERS
from .io import atomic_write, table_to_csv
from .query import coded_passages, processed_folder
from .wordfile import add_table, docx_bytes, new_document

__all__ = ["QUOTE_RULE", "EXEMPLAR_RULE", "TABLE_ROWS", "LONGTABLE_ROWS", "thesis_folder",
           "primary_coder", "table_view", "thesis_tables", "full_tables", "quote_bank",
           "codebook_exemplars", "build_thesis"]

QUOTE_RULE = ("One passage per theme and tier, coded by the primary coder: of the cell's "
              "segments, the one whose length is closest to the median length of the cell's "
              "segments; ties go to the earliest (source, start, segment id). This is the "
              "exemplar rule of the framework matrix (notebook 04). Quotes are verbatim and "
              "whole.")
EXEMPLAR_RULE = ("Up to two passages per code, coded by the primary coder with that code "
                 "itself: the segment closest to the median length of the code's segments "
                 "(ties to the earliest), then the next by the same ranking from another "
                 "participant.")

SEED = 20261126  # the notebooks' bootstrap seed, so the tables match notebooks 05 and 06
#: Most rows of a per-code table's default view: about a page and a half, past which a
#: table rolls codes up into their categories (the full table is in ``<name>_full.csv``).
TABLE_ROWS = 60
#: Rows a LaTeX table holds on one page; a longer one is a ``longtable``.
LONGTABLE_ROWS = 35


def thesis_folder(study: str = "demo") -> Path:
    """``build/thesis`` for the demo, ``build/private/thesis`` for the private study.

    >>> thesis_folder().relative_to(paths.ROOT).as_posix()
    'build/thesis'
    """
    return paths.output_roots(study)["thesis"]


def primary_coder(segments: pd.DataFrame) -> str:
    """The coder whose coding the counts and quotes use: the first in sorted order.

    >>> primary_coder(pd.DataFrame({"coder": ["coder_b", "coder_a"]}))
    'coder_a'
    """
    coders = sorted(set(segments["coder"].astype(str)) - {"dictionary"})
    if not coders:
        raise DataError("segments.csv", None, "no coded segments")
    return coders[0]


def _tiers(participants: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(participants["tier"].astype(str)))
    order = [t for t in TIERS if t in present]
    return order + sorted(t for t in present if t not in order)


def _interval(est, low, high) -> str:
    if pd.isna(est):
        return ""
    if pd.isna(low) or pd.isna(high):
        return f"{est:.2f}"
    return f"{est:.2f} [{low:.2f}, {high:.2f}]"


def table_view(codes: pd.DataFrame, segments: pd.DataFrame, facet: str | None = "theme",
               level: int | None = None, under: str = "", top: int | None = None,
               other: bool = True):
    """The view of the code tree a per-code table shows: the parameters given, else the
    deepest level with at most :data:`TABLE_ROWS` rows, else the top N
    (:func:`analysis.hierarchy.choose`).

    >>> codes = pd.DataFrame({"code_id": ["a", "a1"], "parent_id": ["", "a"],
    ...                       "label": ["A", "A one"], "codable": ["false", "true"]})
    >>> table_view(codes, pd.DataFrame({"code_id": ["a1"]}), facet=None).labels
    {'a1': 'A one'}
    """
    return hierarchy.choose(codes, segments, TABLE_ROWS, level=level, under=under, top=top,
                            facet=facet, other=other)


def thesis_tables(study, documents=None, facet: str = "theme", coder: str | None = None,
                  n_boot: int = 1000, seed: int = SEED, level: int | None = None,
                  under: str = "", top: int | None = None) -> dict:
    """The thesis tables, by name: DataFrames with readable row labels as the index.

    ``framework_by_tier`` (segments of each ``facet`` code per tier), ``sst_by_tier``
    (segments per SST component and tier, sub-components under their component),
    ``agreement`` (per code: percent agreement, Cohen's kappa and Krippendorff's alpha
    at the segment unit with percentile bootstrap intervals; needs two coders),
    ``divergence`` (per theme: the tier's share minus policy's share with its interval;
    needs processed ``documents``). Also ``notes``: why a table is missing, and
    ``views``: what the per-code tables rolled up or summed (``level``, ``under``,
    ``top``: :func:`table_view`), by table name.
    """
    coder = coder or primary_coder(study.segments)
    codes = study.codes
    tiers = _tiers(study.participants)
    mine = study.segments[study.segments["coder"] == coder]
    out, notes, views = {}, {}, {}

    view = table_view(codes, mine, facet, level, under, top)
    out["framework_by_tier"] = _framework_by_tier(study, view.apply(mine),
                                                  view.codes_with(codes), view.labels, facet,
                                                  tiers)
    views["framework_by_tier"] = view.description

    # SST views read the coding in SST ids: through code_map.csv (codes.csv's sst_code)
    # for a study with its own codebook; the demo's codes are SST codes
    from .codebook import load_codebook, sst_map, to_sst

    sst_codes = load_codebook().codes
    sst_mine = to_sst(mine, sst_map(codes))
    sst_labels = labels_of(sst_codes)
    if sst_mine["code_id"].isin(sst_codes.loc[sst_codes["facet"] == "sst", "code_id"]).any():
        sst = matrices.sst_matrix(sst_mine, study.participants, study.sources, sst_codes,
                                  by="tier", rows="component")
        comps = [c for c in matrices.SST_COMPONENTS if c in set(sst["component"])]
        table = (sst.pivot(index="component", columns="tier", values="n")
                 .reindex(index=comps, columns=tiers).fillna(0).astype(int))
        table.index.name, table.columns.name = "SST component", "tier"
        out["sst_by_tier"] = table
    else:
        notes["sst_by_tier"] = "no coding maps onto an SST component through code_map.csv"

    coders = sorted(set(study.segments["coder"].astype(str)) - {"dictionary"})
    if len(coders) >= 2:
        pair = tuple(coders[:2])
        both = study.segments[study.segments["coder"].isin(pair)]
        view = table_view(codes, both, None, level, under, top, other=False)
        out["agreement"] = _agreement(study, view.apply(both), pair, view.group_ids,
                                      view.labels, n_boot, seed)
        views["agreement"] = view.description
    else:
        notes["agreement"] = "the study has one coder"

    if documents is not None and not documents.segments.empty and sst_mine.empty:
        notes["divergence"] = "no coding maps onto an SST theme through code_map.csv"
    elif documents is not None and not documents.segments.empty:
        from . import alignment, coding

        practice = coding.attach_attributes(sst_mine, study.sources, study.participants,
                                            columns=["tier"])
        ci = alignment.bootstrap_divergence(documents.segments, practice, by="tier",
                                            codes=sst_codes, facet=facet, n=n_boot, seed=seed)
        diff = ci[ci["statistic"] == "difference"]
        table = diff.assign(value=[_interval(e, lo, hi) for e, lo, hi in
                                   zip(diff["estimate"], diff["low"], diff["high"])])
        table = table.pivot(index="code_id", columns="tier", values="value")
        table = table.reindex(index=[c for c in sst_codes["code_id"] if c in table.index],
                              columns=[t for t in tiers if t in table.columns])
        table.index = [sst_labels[c] for c in table.index]
        table.index.name, table.columns.name = facet, "tier"
        out["divergence"] = table
    else:
        notes["divergence"] = "no processed policy documents"
    out["notes"], out["views"] = notes, views
    return out


def _framework_by_tier(study, segments: pd.DataFrame, codes: pd.DataFrame, labels: dict,
                       facet: str, tiers: list[str]) -> pd.DataFrame:
    """Segments per code of ``facet`` (rows, in ``codes`` order) and tier."""
    frame = matrices.framework_matrix(segments, study.participants, study.sources,
                                      study.texts, codes=codes, facet=facet, case="tier")
    wide = frame.pivot(index="code_id", columns="case", values="n_segments")
    order = [c for c in codes["code_id"] if c in wide.index]
    wide = wide.reindex(index=order, columns=tiers).fillna(0).astype(int)
    wide.index = [labels[c] for c in wide.index]
    wide.index.name, wide.columns.name = facet, "tier"
    return wide


def _agreement(study, segments: pd.DataFrame, pair: tuple, order: list[str], labels: dict,
               n_boot: int, seed: int) -> pd.DataFrame:
    """Agreement of ``pair`` per code (in ``order``, those either coder used) at the
    segment unit, as ``estimate [low, high]`` texts."""
    from . import reliability

    used = set(segments["code_id"])
    ci = reliability.agreement_ci(segments, study.texts, coders=pair, unit="segment",
                                  codes=[c for c in order if c in used], n=n_boot, seed=seed)
    ci = ci[ci["code_id"] != reliability.OVERALL]
    rows = {}
    for code, g in ci.groupby("code_id", sort=False):
        stat = g.set_index("statistic")
        rows[labels.get(code, code)] = {
            name: _interval(*stat.loc[key, ["estimate", "low", "high"]])
            for key, name in (("percent_agreement", "agreement"), ("kappa", "kappa"),
                              ("alpha", "alpha"))}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "code"
    return table


def full_tables(study, tables: dict, facet: str = "theme", coder: str | None = None,
                n_boot: int = 1000, seed: int = SEED) -> dict:
    """The per-code tables of :func:`thesis_tables` with every code as coded, for
    ``<name>_full.csv``: one row per code, its place in the tree (``code_id``,
    ``path`` of labels) first. Only for the tables in ``tables``."""
    coder = coder or primary_coder(study.segments)
    codes = hierarchy.tree_order(study.codes)
    labels = labels_of(codes)
    paths_of = {c: " / ".join(labels.get(p, p) for p in path.split("/"))
                for c, path in zip(codes["code_id"], codes["path"])}
    out = {}

    def placed(table: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
        table = table.reset_index(drop=True)
        table.insert(0, "path", [paths_of.get(c, c) for c in ids])
        table.insert(0, "code_id", ids)
        return table

    if "framework_by_tier" in tables:
        mine = study.segments[study.segments["coder"] == coder]
        ids = [c for c in matrices.code_list(codes, facet)]
        wide = _framework_by_tier(study, mine, codes, {c: c for c in ids}, facet,
                                  _tiers(study.participants))
        out["framework_by_tier"] = placed(wide, list(wide.index))
    if "agreement" in tables:
        coders = sorted(set(study.segments["coder"].astype(str)) - {"dictionary"})
        pair = tuple(coders[:2])
        both = study.segments[study.segments["coder"].isin(pair)]
        order = matrices.code_list(codes)
        table = _agreement(study, both, pair, order, {c: c for c in order}, n_boot, seed)
        out["agreement"] = placed(table, list(table.index))
    return out


TABLE_CAPTIONS = {
    "framework_by_tier": "Coded segments per {facet} and tier (coder {coder}).",
    "sst_by_tier": "Coded segments per SST component and tier (coder {coder}); "
                   "sub-components counted under their component.",
    "agreement": "Agreement of {pair} per code at the segment unit: estimate "
                 "[95% percentile bootstrap interval, {n_boot} resamples].",
    "divergence": "Practice minus policy share of each {facet}'s coding, per tier "
                  "[95% bootstrap interval]; policy coded by dictionary, practice by "
                  "{coder}.",
}


def _latex(table: pd.DataFrame, caption: str, label: str) -> str:
    """A booktabs table; longer than a page (:data:`LONGTABLE_ROWS`), a ``longtable``
    whose header and caption repeat on every page (needs ``\\usepackage{longtable}``)."""
    styler = table.style.format(escape="latex").format_index(escape="latex", axis=0)
    styler = styler.format_index(escape="latex", axis=1)
    # a long code label wraps in a paragraph column instead of running off the page
    wrap = max((len(str(i)) for i in table.index), default=0) > 40
    columns = ("p{6cm}" if wrap else "l") + "".join(
        "r" if pd.api.types.is_numeric_dtype(t) else "l" for t in table.dtypes)
    if len(table) > LONGTABLE_ROWS:
        return styler.to_latex(hrules=True, caption=_tex_text(caption), label=f"tab:{label}",
                               environment="longtable", column_format=columns)
    return styler.to_latex(hrules=True, caption=_tex_text(caption), label=f"tab:{label}",
                           position="htbp", position_float="centering",
                           column_format=columns)


# --------------------------------------------------------------------------- quotes

def _ranked(seg: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Segments ranked within ``keys`` by distance to the median length, then position."""
    seg = seg.assign(_len=seg["end"] - seg["start"])
    median = seg.groupby(keys)["_len"].transform("median")
    seg = seg.assign(_dist=(seg["_len"] - median).abs())
    return seg.sort_values(keys + ["_dist", "source_id", "start", "segment_id"],
                           kind="stable")


def quote_bank(study, facet: str = "theme", coder: str | None = None) -> pd.DataFrame:
    """One exemplar passage per code of ``facet`` and tier (:data:`QUOTE_RULE`).

    Returns the passages of :func:`analysis.query.coded_passages` (one per cell), in
    the code tree's order (:func:`analysis.hierarchy.tree_order`) then tier order, with
    ``label`` and ``path`` (the code's place in the tree: ids joined by ``/``).
    """
    coder = coder or primary_coder(study.segments)
    tree = hierarchy.tree_order(study.codes)
    facet_codes = matrices.code_list(tree, facet)
    passages = coded_passages(study, codes=facet_codes, coders=[coder], include_children=False)
    if passages.empty:
        return passages.assign(label="", path="")
    chosen = _ranked(passages, ["code_id", "tier"]).drop_duplicates(["code_id", "tier"])
    code_rank = {c: i for i, c in enumerate(facet_codes)}
    tier_rank = {t: i for i, t in enumerate(_tiers(study.participants))}
    chosen = chosen.assign(_c=chosen["code_id"].map(code_rank),
                           _t=chosen["tier"].map(tier_rank))
    chosen = chosen.sort_values(["_c", "_t"], kind="stable").drop(
        columns=["_c", "_t", "_len", "_dist"])
    return chosen.assign(label=chosen["code_id"].map(labels_of(study.codes)),
                         path=chosen["code_id"].map(dict(zip(tree["code_id"], tree["path"])))
                         ).reset_index(drop=True)


def codebook_exemplars(study, coder: str | None = None, k: int = 2) -> pd.DataFrame:
    """Up to ``k`` exemplar passages per code (:data:`EXEMPLAR_RULE`)."""
    coder = coder or primary_coder(study.segments)
    passages = coded_passages(study, coders=[coder], include_children=False)
    ranked = _ranked(passages, ["code_id"])
    first = ranked.drop_duplicates("code_id")
    rest = ranked.drop(first.index)
    rest = rest[~rest.set_index(["code_id", "participant_id"]).index.isin(
        first.set_index(["code_id", "participant_id"]).index)]
    picked = [first]
    if k > 1:
        picked.append(rest.drop_duplicates("code_id"))
    out = pd.concat(picked).sort_values(["code_id", "_dist", "source_id", "start"],
                                        kind="stable")
    return out.drop(columns=["_len", "_dist"]).reset_index(drop=True)


def _place(r) -> str:
    return f"{r.source_id}:{r.start}-{r.end}"


def _md_quote(r) -> str:
    quote = "\n".join("> " + line for line in str(r.text).split("\n"))
    return f"{quote}\n>\n> — {r.citation} · `{_place(r)}`\n"


def _docx_quote(doc, r) -> None:
    doc.add_paragraph(str(r.text), style="Quote")
    doc.add_paragraph(f"— {r.citation} · {_place(r)}")


#: Markdown has six heading levels, Word nine; deeper levels of the tree stay at the last.
_MD_DEEPEST, _DOCX_DEEPEST = 6, 9
#: LaTeX sectioning by depth in the code tree (the appendix is a section of its own).
_TEX_SECTIONS = ("subsection", "subsubsection", "paragraph", "subparagraph")


def _tree_headings(path: str, seen: set, labels: dict) -> list[tuple[int, str, str]]:
    """(depth, code id, label) of the nodes of ``path`` not yet given a heading, top
    first; marks them seen. The hierarchy as headings: a category once, above its codes."""
    out = []
    for depth, cid in enumerate(str(path).split("/")):
        if cid and cid not in seen:
            seen.add(cid)
            out.append((depth, cid, labels.get(cid, cid)))
    return out


def _quote_bank_files(bank: pd.DataFrame, codes: pd.DataFrame, facet: str, coder: str,
                      synthetic: bool):
    title = "Quote bank"
    intro = (f"Exemplar passages per {facet} and tier. Selection rule: {QUOTE_RULE} "
             f"Primary coder: {coder}. Each quote ends with its citation and its place in "
             "the processed text (source:start-end). Codes stand under their categories, "
             "one heading level per level of the code tree.")
    if synthetic:
        intro += " The interviews of this study are SYNTHETIC: no real person is quoted."
    md = [f"# {title}\n", intro + "\n"]
    doc = new_document(title)
    doc.add_heading(title, level=1)
    doc.add_paragraph(intro)
    labels, seen = labels_of(codes), set()
    for path, group in bank.groupby("path", sort=False):
        for depth, _, label in _tree_headings(path, seen, labels):
            md.append(f"{'#' * min(2 + depth, _MD_DEEPEST)} {label}\n")
            doc.add_heading(label, level=min(2 + depth, _DOCX_DEEPEST))
        depth = str(path).count("/")
        for r in group.itertuples(index=False):
            md.append(f"{'#' * min(3 + depth, _MD_DEEPEST)} {r.tier}\n")
            doc.add_heading(str(r.tier), level=min(3 + depth, _DOCX_DEEPEST))
            md.append(_md_quote(r))
            _docx_quote(doc, r)
    return "\n".join(md), docx_bytes(doc)


# --------------------------------------------------------------------------- appendix

APPENDIX_FIELDS = (("label", "Label"), ("facet", "Facet"), ("parent_id", "Parent"),
                   ("definition", "Definition"), ("inclusion", "Include"),
                   ("exclusion", "Exclude"), ("sst_component", "SST component"))


def _appendix_files(codes: pd.DataFrame, exemplars: pd.DataFrame, coder: str):
    title = "Codebook appendix"
    intro = (f"Every code of the codebook ({len(codes)} codes), in the order of the code "
             "tree: each category, then the codes under it, one heading level deeper. "
             f"Exemplars: {EXEMPLAR_RULE} Primary coder: {coder}.")
    codes = hierarchy.tree_order(codes)
    md, tex = [f"# {title}\n", intro + "\n"], []
    doc = new_document(title)
    doc.add_heading(title, level=1)
    doc.add_paragraph(intro)
    labels = labels_of(codes)
    by_code = {c: g for c, g in exemplars.groupby("code_id", sort=False)}
    tex.append("% Codebook appendix, written by `make thesis` (analysis.thesis).\n"
               "% Needs \\usepackage{booktabs,array}.\n")
    for code in codes.to_dict("records"):
        cid = str(code["code_id"])
        rows = []
        for key, name in APPENDIX_FIELDS:
            value = str(code.get(key, "") or "")
            if key == "parent_id" and value:
                value = f"{labels.get(value, value)} ({value})"
            rows.append((name, value or "—"))
        heading, depth = f"{labels[cid]} ({cid})", int(code["depth"])
        md.append(f"{'#' * min(2 + depth, _MD_DEEPEST)} {heading}\n")
        md += [f"- **{name}:** {value}" for name, value in rows]
        md.append("")
        doc.add_heading(heading, level=min(2 + depth, _DOCX_DEEPEST))
        add_table(doc, pd.DataFrame(rows, columns=["field", "value"]))
        field_table = pd.DataFrame(rows, columns=["Field", "Value"]).set_index("Field")
        styler = field_table.style.format(escape="latex").format_index(escape="latex", axis=0)
        section = _TEX_SECTIONS[min(depth, len(_TEX_SECTIONS) - 1)]
        tex.append(f"\\{section}*{{{_tex_text(heading)}}}\n")
        tex.append(styler.hide(axis="columns").to_latex(hrules=True,
                                                        column_format="p{3cm}p{12cm}"))
        quotes = by_code.get(cid)
        if quotes is None or quotes.empty:
            md.append("*No coded passage.*\n")
            doc.add_paragraph("No coded passage.")
            continue
        md.append("Exemplars:\n")
        doc.add_paragraph("Exemplars:")
        for r in quotes.itertuples(index=False):
            md.append(_md_quote(r))
            _docx_quote(doc, r)
            tex.append("\\begin{quote}\n" + _tex_text(str(r.text)) + "\\\\\n--- "
                       + _tex_text(f"{r.citation} · {_place(r)}") + "\n\\end{quote}\n")
    return "\n".join(md), docx_bytes(doc), "\n".join(tex)


def _tex_text(text: str) -> str:
    """Escape running text for LaTeX with pandas' own escaper (via a one-cell Styler)."""
    from pandas.io.formats.style_render import _escape_latex

    return _escape_latex(text)


# --------------------------------------------------------------------------- memos and audit

def memo_appendix(memos: pd.DataFrame, segments: pd.DataFrame,
                  codes: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The memos of the appendix, in order: ``(heading, memos)`` per code that has memos,
    in the order of the code hierarchy, then one for the memos about no code
    (:func:`analysis.memos.other_memos`).

    A code's memos are those on the code, on its codings and on passages coded with it
    (:func:`analysis.memos.code_memos`; a child's memos sit under the child). The
    heading gives the code's label, id and place in the hierarchy
    (``Funding › Capital (capital)``).
    """
    from .memos import code_memos, code_order, other_memos

    labels = labels_of(codes)
    parent = dict(zip(codes["code_id"].astype(str), codes["parent_id"].astype(str)))
    about = code_memos(memos, segments, codes, code_order(codes), include_children=False)
    out = []
    for cid, group in about.groupby("about", sort=False):
        chain, seen = [cid], {cid}
        while parent.get(chain[-1]) in parent and parent[chain[-1]] not in seen:
            chain.append(parent[chain[-1]])
            seen.add(chain[-1])
        path = " › ".join(labels.get(c, c) for c in reversed(chain))
        out.append((f"{path} ({cid})", group.drop(columns="about")))
    other = other_memos(memos, segments, codes)
    if len(other):
        out.append(("Memos about no code: the project, transcripts, cases, passages", other))
    return out


def _memo_appendix_files(groups: list[tuple[str, pd.DataFrame]], n_memos: int):
    from .memos import describe

    title = "Memo appendix"
    intro = (f"The analyst's memos ({n_memos}), pseudonymised through the identifier key: "
             "for each code in the order of the code hierarchy, the memos on the code, on "
             "its codings and on passages coded with it; then those about no code: on "
             "the project (journals included), the transcripts, the cases and passages "
             "no code covers.")
    md = [f"# {title}\n", intro + "\n"]
    tex = ["% Memo appendix, written by `make thesis` (analysis.thesis).\n"]
    doc = new_document(title)
    doc.add_heading(title, level=1)
    doc.add_paragraph(intro)
    if not groups:
        md.append("*No memos.*\n")
        doc.add_paragraph("No memos.")
        tex.append("No memos.\n")
    for heading, group in groups:
        md.append(f"## {heading}\n")
        doc.add_heading(heading, level=2)
        tex.append(f"\\subsection*{{{_tex_text(heading)}}}\n")
        for r in group.itertuples(index=False):
            said = describe(r)
            md.append("\n".join("> " + line for line in str(r.text).split("\n"))
                      + f"\n>\n> — {said}\n")
            doc.add_paragraph(str(r.text), style="Quote")
            doc.add_paragraph(f"— {said}")
            tex.append("\\begin{quote}\n" + _tex_text(str(r.text)) + "\\\\\n--- "
                       + _tex_text(said) + "\n\\end{quote}\n")
    return "\n".join(md), docx_bytes(doc), "\n".join(tex)


def _audit_files(out: Path, study, processed: Path, which: str) -> dict:
    """``memo_appendix.*`` and ``audit.md`` of the processed study (nothing when it was
    processed before memos and rounds were imported)."""
    from .audit import audit_markdown, audit_sections, load_audit, study_coders
    from .memos import load_memos

    files: dict[Path, str | bytes] = {}
    memos = load_memos(processed)
    md, docx, tex = _memo_appendix_files(memo_appendix(memos, study.segments, study.codes),
                                         len(memos))
    files[out / "memo_appendix.md"] = md
    files[out / "memo_appendix.docx"] = docx
    files[out / "memo_appendix.tex"] = tex
    if (processed / "audit" / "rounds.csv").is_file():
        sections = audit_sections(load_audit(processed), study.texts, study.codes,
                                  study_coders(which), which)
        files[out / "audit.md"] = audit_markdown(sections)
    return files


# --------------------------------------------------------------------------- figures

def _figure_files(figures_dir: Path, out: Path):
    md, tex = ["# Figures\n", "Every figure of the compendium at thesis width (16 cm), "
               "referenced from its folder; the JSON sidecar beside each names the notebook "
               "and parameters that made it.\n"], []
    tex.append("% Figures, written by `make thesis`. Needs \\usepackage{graphicx}.\n")
    for png in sorted(figures_dir.glob("*.png")):
        rel = Path(os.path.relpath(png, out)).as_posix()
        side = png.with_suffix(".json")
        notebook = ""
        if side.is_file():
            notebook = json.loads(side.read_text(encoding="utf-8")).get("notebook") or ""
        caption = png.stem.replace("_", " ") + (f" (notebook {notebook})" if notebook else "")
        md.append(f"![{caption}]({rel}){{width=16cm}}\n")
        tex.append("\\begin{figure}[htbp]\n\\centering\n"
                   f"\\includegraphics[width=\\textwidth]{{{rel}}}\n"
                   f"\\caption{{{_tex_text(caption)}}}\n\\label{{fig:{png.stem}}}\n"
                   "\\end{figure}\n")
    return "\n".join(md), "\n".join(tex)


# --------------------------------------------------------------------------- build

def build_thesis(out: os.PathLike | str, processed: os.PathLike | str | None = None,
                 documents: os.PathLike | str | None = None, figures_dir=None,
                 facet: str = "theme", n_boot: int = 1000, level: int | None = None,
                 under: str = "", top: int | None = None, which: str = "demo") -> list[Path]:
    """Write every thesis output into ``out``; return the files written (sorted).

    Parameters
    ----------
    out : path-like
        The thesis folder (e.g. :func:`thesis_folder`).
    processed : path-like, optional
        The processed interview folder (default ``data/processed/interviews``).
    documents : path-like, optional
        The processed document folder for the divergence table; ``None`` skips it.
    figures_dir : path-like, optional
        Where the figures are (default ``figures/``); ``None`` there: no figure list.
    level, under, top
        The view of the code tree the per-code tables show (:func:`table_view`).
    which : str
        ``demo`` or ``private``: the study the audit trail's commands name.
    """
    from .processed import load_documents, load_interviews

    out = Path(out)
    study = load_interviews(processed)
    docs = load_documents(documents) if documents is not None else None
    coder = primary_coder(study.segments)
    coders = sorted(set(study.segments["coder"].astype(str)) - {"dictionary"})
    tables = thesis_tables(study, docs, facet=facet, coder=coder, n_boot=n_boot, level=level,
                           under=under, top=top)
    notes, views = tables.pop("notes"), tables.pop("views")
    files: dict[Path, str | bytes] = _full_table_files(
        out, full_tables(study, tables, facet=facet, coder=coder, n_boot=n_boot))
    word = new_document("Thesis tables")
    word.add_heading("Thesis tables", level=1)
    index = ["# Thesis tables\n"]
    fill = dict(facet=facet, coder=coder, pair=" and ".join(coders[:2]), n_boot=n_boot)
    for name, table in tables.items():
        caption = TABLE_CAPTIONS[name].format(**fill)
        if views.get(name):
            caption += f" Codes shown: {views[name]} (every code: {name}_full.csv)."
        files[out / "tables" / f"{name}.tex"] = _latex(table, caption, name)
        files[out / "tables" / f"{name}.csv"] = table_to_csv(table.reset_index())
        add_table(word, table, caption, index=True)
        index.append(f"- `{name}`: {caption}")
    for name, why in notes.items():
        index.append(f"- `{name}`: not made ({why})")
    files[out / "tables" / "tables.docx"] = docx_bytes(word)
    files[out / "tables" / "README.md"] = "\n".join(index) + "\n"

    synthetic = (study.participants.get("synthetic", pd.Series(dtype=str)) == "yes").any()
    bank = quote_bank(study, facet=facet, coder=coder)
    md, docx = _quote_bank_files(bank, study.codes, facet, coder, bool(synthetic))
    files[out / "quote_bank.md"], files[out / "quote_bank.docx"] = md, docx
    exemplars = codebook_exemplars(study, coder=coder)
    md, docx, tex = _appendix_files(study.codes, exemplars, coder)
    files[out / "codebook_appendix.md"] = md
    files[out / "codebook_appendix.docx"] = docx
    files[out / "codebook_appendix.tex"] = tex
    files.update(_audit_files(out, study, Path(processed or paths.PROCESSED_INTERVIEWS),
                              which))
    figures_dir = paths.FIGURES if figures_dir is None else Path(figures_dir)
    if figures_dir.is_dir():
        md, tex = _figure_files(figures_dir, out)
        files[out / "figures.md"], files[out / "figures.tex"] = md, tex
    for path, data in files.items():  # written only once everything is computed
        atomic_write(path, data)
    return sorted(files)


def _full_table_files(out: Path, full: dict) -> dict:
    """``tables/<name>_full.csv``: every code as coded, beside the table's view."""
    return {out / "tables" / f"{name}_full.csv": table_to_csv(table)
            for name, table in full.items()}


def view_parameters(study: str = "demo") -> dict:
    """``level``, ``under`` and ``top`` for the thesis tables from the study's
    ``study.yml`` (``parameters: {thesis: ...}``, over ``parameters: {all: ...}``)."""
    from .study import load_study

    folder = paths.study_dir(study)
    if not (folder / "study.yml").is_file():
        return {}
    given = load_study(folder).notebook_parameters("thesis")
    return {k: given[k] for k in ("level", "under", "top") if k in given}


def main(argv: list[str]) -> int:
    """``python -m analysis thesis [--study demo|private] [--processed DIR] [--out DIR]
    [--level N] [--under CODE] [--top N]``."""
    parser = argparse.ArgumentParser(prog="python -m analysis thesis",
                                     description="Write the thesis tables, quote bank, "
                                                 "codebook appendix and figure list.")
    parser.add_argument("--study", default="demo", choices=["demo", "private"])
    parser.add_argument("--processed", type=Path, help="processed interview folder")
    parser.add_argument("--documents", type=Path, help="processed document folder "
                        "(default data/processed/documents when present)")
    parser.add_argument("--out", type=Path, help="output folder (default build/thesis or "
                        "build/private/thesis)")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--level", type=int, help="roll codes up to this depth of the code "
                        "tree (0: the top categories); default: the deepest that fits "
                        f"{TABLE_ROWS} rows")
    parser.add_argument("--under", help="expand one category: just its children")
    parser.add_argument("--top", type=int, help="keep the N codes with most coding, the "
                        "rest summed")
    args = parser.parse_args(argv)
    processed = args.processed or processed_folder(args.study)
    if not processed.is_dir():
        raise DataError(processed, None, "processed study not found (run make processed "
                                         f"STUDY={args.study})")
    documents = args.documents
    if documents is None and (paths.PROCESSED_DOCUMENTS / "sources.csv").is_file():
        documents = paths.PROCESSED_DOCUMENTS
    out = args.out or thesis_folder(args.study)
    view = view_parameters(args.study)
    view.update({k: v for k, v in (("level", args.level), ("under", args.under),
                                   ("top", args.top)) if v is not None})
    written = build_thesis(out, processed, documents, n_boot=args.n_boot, which=args.study,
                           **view)
    print(f"thesis: {len(written)} files -> {paths.relative(out)}")
    return 0
