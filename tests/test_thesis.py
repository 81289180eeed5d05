"""Tests for analysis.thesis (``make thesis``) and analysis.wordfile.

Every quote is read back out of the written Markdown and Word files and found verbatim in
the processed texts at the offsets it names. Counts are worked out independently from the
processed CSVs with plain pandas, or by hand on the fixture study of
tests/_study_fixture.py (non-SST codebook, one coder).
"""

import re

import docx
import pandas as pd
import pytest

from _study_fixture import write as write_fixture
from analysis import paths, privacy, thesis

DEMO = paths.PROCESSED_INTERVIEWS
PLACE = re.compile(r"(?P<src>[^\s`·]+):(?P<start>\d+)-(?P<end>\d+)`?$")


def _csv(folder, name):
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _texts(folder):
    return {p.stem: p.read_bytes().decode("utf-8") for p in (folder / "texts").glob("*.txt")}


def quotes_from_md(path):
    """(quote, citation line) pairs of a Markdown file: '> ' lines ending in '> — ...'."""
    pairs, lines = [], []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("> — "):
            pairs.append(("\n".join(lines[:-1]), line[4:]))  # drop the empty '>' line
            lines = []
        elif line.startswith(">"):
            lines.append(line[2:])
        else:
            lines = []
    return pairs


def quotes_from_docx(path):
    """(quote, citation) pairs of a Word file: a Quote paragraph and the one after."""
    paras = docx.Document(path).paragraphs
    return [(p.text, paras[i + 1].text[2:]) for i, p in enumerate(paras)
            if p.style.name == "Quote"]


def assert_verbatim(pairs, texts):
    assert pairs
    for quote, cite in pairs:
        m = PLACE.search(cite)
        assert m, cite
        assert texts[m["src"]][int(m["start"]):int(m["end"])] == quote


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("thesis")
    # the committed figures: make test sends this run's figures to a temporary folder
    written = thesis.build_thesis(out, DEMO, paths.PROCESSED_DOCUMENTS, n_boot=40,
                                  figures_dir=paths.ROOT / "figures")
    return out, written


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    folder = write_fixture(root / "processed")
    out = root / "thesis"
    thesis.build_thesis(out, folder, None, figures_dir=root / "no-figures")
    return out, folder


def test_demo_writes_every_output(demo):
    out, written = demo
    names = {p.relative_to(out).as_posix() for p in written}
    for table in ("framework_by_tier", "sst_by_tier", "agreement", "divergence"):
        assert {f"tables/{table}.tex", f"tables/{table}.csv"} <= names
    assert {"tables/tables.docx", "quote_bank.md", "quote_bank.docx", "codebook_appendix.md",
            "codebook_appendix.docx", "codebook_appendix.tex", "figures.md",
            "figures.tex"} <= names


@pytest.mark.parametrize("name", ["quote_bank", "codebook_appendix"])
def test_every_demo_quote_is_verbatim_at_its_offsets(demo, name):
    out, _ = demo
    texts = _texts(DEMO)
    md, word = quotes_from_md(out / f"{name}.md"), quotes_from_docx(out / f"{name}.docx")
    assert_verbatim(md, texts)
    assert_verbatim(word, texts)
    # the two formats carry the same quotes and citations in the same order
    assert [(q, c.replace("`", "")) for q, c in md] == word


def test_quote_bank_has_one_quote_per_theme_and_tier_cell(demo):
    out, _ = demo
    # independent count: (theme, tier) cells with at least one coder_a segment
    seg, codes = _csv(DEMO, "segments.csv"), _csv(DEMO, "codes.csv")
    tier = _csv(DEMO, "sources.csv").merge(_csv(DEMO, "participants.csv"), on="participant_id")
    themes = set(codes.loc[(codes["facet"] == "theme") & (codes["codable"] == "true"),
                           "code_id"])
    mine = seg[(seg["coder"] == "coder_a") & seg["code_id"].isin(themes)].merge(
        tier[["source_id", "tier"]], on="source_id")
    cells = mine.drop_duplicates(["code_id", "tier"])
    assert len(quotes_from_md(out / "quote_bank.md")) == len(cells)


def test_framework_table_counts_match_plain_pandas(demo):
    out, _ = demo
    seg, codes = _csv(DEMO, "segments.csv"), _csv(DEMO, "codes.csv")
    tier = _csv(DEMO, "sources.csv").merge(_csv(DEMO, "participants.csv"), on="participant_id")
    mine = seg[seg["coder"] == "coder_a"].merge(tier[["source_id", "tier"]], on="source_id")
    expected = mine.groupby(["code_id", "tier"]).size()
    labels = dict(zip(codes["code_id"], codes["label"]))
    table = pd.read_csv(out / "tables" / "framework_by_tier.csv").set_index("theme")
    for code in codes.loc[codes["facet"] == "theme", "code_id"]:
        if codes.set_index("code_id").loc[code, "codable"] != "true":
            continue
        for t in ("macro", "meso", "micro"):
            assert table.loc[labels[code], t] == expected.get((code, t), 0)


def test_sst_table_counts_match_plain_pandas(demo):
    out, _ = demo
    seg, codes = _csv(DEMO, "segments.csv"), _csv(DEMO, "codes.csv")
    tier = _csv(DEMO, "sources.csv").merge(_csv(DEMO, "participants.csv"), on="participant_id")
    comp = dict(zip(codes["code_id"], codes["sst_component"]))
    mine = seg[(seg["coder"] == "coder_a") & seg["code_id"].map(comp).fillna("").ne("")]
    mine = mine.assign(component=mine["code_id"].map(comp)).merge(
        tier[["source_id", "tier"]], on="source_id")
    expected = mine.groupby(["component", "tier"]).size()
    table = pd.read_csv(out / "tables" / "sst_by_tier.csv").set_index("SST component")
    for (component, t), n in expected.items():
        assert table.loc[component, t] == n


def test_latex_tables_use_booktabs(demo):
    out, _ = demo
    for tex in (out / "tables").glob("*.tex"):
        body = tex.read_text(encoding="utf-8")
        assert all(rule in body for rule in ("\\toprule", "\\midrule", "\\bottomrule")), tex
        assert "\\caption{" in body and "\\label{tab:" in body


def test_word_files_open_and_name_every_code(demo):
    out, _ = demo
    codes = _csv(DEMO, "codes.csv")
    appendix = docx.Document(out / "codebook_appendix.docx")
    headings = [(p.style.name, p.text) for p in appendix.paragraphs
                if p.style.name.startswith("Heading") and p.style.name != "Heading 1"]
    # expected: the codes of codes.csv depth first (its `path` column, children in file
    # order), each a heading one level below its parent's (Heading 2 for a root)
    rank = {c: i for i, c in enumerate(codes["code_id"])}
    tree = sorted(zip(codes["path"], codes["code_id"], codes["label"], codes["depth"]),
                  key=lambda r: [rank[c] for c in r[0].split("/")])
    assert headings == [(f"Heading {2 + int(d)}", f"{lab} ({cid})") for _, cid, lab, d in tree]
    md = (out / "codebook_appendix.md").read_text(encoding="utf-8")
    tex = (out / "codebook_appendix.tex").read_text(encoding="utf-8")
    for cid in codes["code_id"]:
        assert f"({cid})" in md and cid.replace("_", "\\_") in tex
    tables = docx.Document(out / "tables" / "tables.docx")
    assert len(tables.tables) == 4


def test_agreement_table_matches_reliability(demo):
    from analysis import reliability
    from analysis.processed import load_interviews

    out, _ = demo
    study = load_interviews()
    point = reliability.agreement(study.segments, study.texts, coders=("coder_a", "coder_b"),
                                  unit="segment", codes=sorted(set(study.segments["code_id"])))
    labels = dict(zip(study.codes["code_id"], study.codes["label"]))
    table = pd.read_csv(out / "tables" / "agreement.csv", keep_default_na=False).set_index(
        "code")
    for r in point[point["code_id"] != reliability.OVERALL].itertuples():
        if pd.notna(r.kappa):
            assert table.loc[labels[r.code_id], "kappa"].startswith(f"{r.kappa:.2f}")


def test_figures_are_referenced_at_thesis_width(demo):
    out, _ = demo
    tex = (out / "figures.tex").read_text(encoding="utf-8")
    pngs = sorted(p.name for p in (paths.ROOT / "figures").glob("*.png"))
    assert tex.count("\\includegraphics[width=\\textwidth]") == len(pngs) > 0
    for name in pngs:
        assert f"figures/{name}" in tex


def test_outputs_are_deterministic(demo, tmp_path):
    out, written = demo
    again = thesis.build_thesis(tmp_path, DEMO, paths.PROCESSED_DOCUMENTS, n_boot=40,
                                figures_dir=paths.ROOT / "figures")
    for a, b in zip(written, again):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_fixture_study_one_coder_no_sst(small):
    out, folder = small
    readme = (out / "tables" / "README.md").read_text(encoding="utf-8")
    assert "`agreement`: not made (the study has one coder)" in readme
    assert ("`sst_by_tier`: not made (no coding maps onto an SST component through "
            "code_map.csv)") in readme
    assert not (out / "tables" / "agreement.tex").exists()
    # hand-worked: 4 passages; themes care, care_home, money; tiers regional (R1), local (R2)
    table = pd.read_csv(out / "tables" / "framework_by_tier.csv").set_index("theme")
    assert table.loc["Care", "local"] == 1 and table.loc["Care homes", "regional"] == 1
    assert table.loc["Money", "regional"] == 1 and table.loc["Money", "local"] == 1
    pairs = quotes_from_md(out / "quote_bank.md")
    assert [c.split(" · ")[0] for _, c in pairs] == ["R2, turn 2", "R1, 00:01:40",
                                                      "R2, turn 2", "R1, 00:01:40"]
    texts = _texts(folder)
    assert_verbatim(pairs, texts)
    assert_verbatim(quotes_from_docx(out / "quote_bank.docx"), texts)
    assert_verbatim(quotes_from_md(out / "codebook_appendix.md"), texts)
    assert not (out / "figures.md").exists()


def test_docx_fixed_properties():
    from analysis.wordfile import FIXED_TIME, docx_bytes, new_document

    doc = new_document("T")
    data = docx_bytes(doc)
    import io
    import zipfile

    # SOURCE_DATE_EPOCH 946684800 (the Makefile's) is 2000-01-01 00:00 UTC
    assert FIXED_TIME.year == 2000
    assert docx.Document(io.BytesIO(data)).core_properties.created.replace(
        tzinfo=None) == FIXED_TIME
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {
        (2000, 1, 1, 0, 0, 0)}


def test_leak_check_covers_build_thesis(tmp_path, monkeypatch):
    build = tmp_path / "build"
    (build / "thesis").mkdir(parents=True)
    (build / "thesis" / "quote_bank.md").write_text("> I rang Leeds\n", encoding="utf-8")
    monkeypatch.setattr(paths, "BUILD", build)
    for name in ("PROCESSED", "FIGURES", "NOTEBOOKS"):
        monkeypatch.setattr(paths, name, tmp_path / "absent")
    key = pd.DataFrame({"original": ["Leeds"], "file": ["key.csv"], "line": [2]})
    found = privacy.leak_check(keys=key, allowlist=[])
    assert list(found["kind"]) == ["key entry"]
    assert found["path"].iloc[0].endswith("thesis/quote_bank.md")


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The thesis of the generated real-size study (tests/_big_codebook.py, two coders)."""
    from _big_codebook import write_study

    root = tmp_path_factory.mktemp("big")
    folder = write_study(root / "processed", coders=2)
    thesis.build_thesis(root / "thesis", folder, None, figures_dir=root / "no-figures",
                        n_boot=20)
    return root / "thesis", folder


def test_big_codebook_tables_roll_up_to_categories(big):
    out, folder = big
    seg, codes = _csv(folder, "segments.csv"), _csv(folder, "codes.csv")
    tier = _csv(folder, "participants.csv").set_index("participant_id")["tier"]
    mine = seg[seg["coder"] == "coder_a"].assign(tier=lambda d: d["source_id"].map(tier))
    category = dict(zip(codes["code_id"], codes["path"].str.split("/").str[0]))
    mine = mine.assign(category=mine["code_id"].map(category))
    # independent count: a passage (source, span) counts once per category and tier
    expected = mine.drop_duplicates(["source_id", "start", "end", "category"]).groupby(
        ["category", "tier"]).size()
    labels = dict(zip(codes["code_id"], codes["label"]))
    table = pd.read_csv(out / "tables" / "framework_by_tier.csv").set_index("theme")
    assert len(table) == 50  # at most 60 rows: the 50 categories, not 250 codes
    for (cat, t), n in expected.items():
        assert table.loc[labels[cat], t] == n
    readme = (out / "tables" / "README.md").read_text(encoding="utf-8")
    assert "Codes shown: 50 categories; codes rolled up" in readme
    # beside it, every code as coded: the 250 codable codes with their place in the tree
    full = pd.read_csv(out / "tables" / "framework_by_tier_full.csv")
    assert len(full) == 250 and full["path"].iloc[0] == "Category 01 / Code 01.1"
    assert (out / "tables" / "agreement_full.csv").is_file()


def test_big_codebook_tables_run_over_pages(big):
    out, _ = big
    tex = (out / "tables" / "framework_by_tier.tex").read_text(encoding="utf-8")
    # 50 rows: more than a page (35), so a longtable whose header repeats on every page
    assert tex.startswith("\\begin{longtable}") and "\\endhead" in tex
    assert tex.count("tier & macro & meso & micro") == 2  # first head and repeated head
    word = docx.Document(out / "tables" / "tables.docx")
    for grid in word.tables:  # Word repeats the header row on every page
        assert grid.rows[0]._tr.xml.count("<w:tblHeader") == 1


def test_big_codebook_quote_bank_is_grouped_by_category(big):
    out, folder = big
    codes = _csv(folder, "codes.csv")
    parent = {lab: codes.set_index("code_id").loc[p, "label"] if p else ""
              for lab, p in zip(codes["label"], codes["parent_id"])}
    tiers = {"macro", "meso", "micro"}
    stack = {}
    for line in (out / "quote_bank.md").read_text(encoding="utf-8").split("\n"):
        if not line.startswith("##"):
            continue
        level, title = len(line) - len(line.lstrip("#")), line.lstrip("# ")
        stack[level] = title
        if title in tiers:
            continue
        # a code's heading sits one level below its parent's (a category: level 2)
        expected = parent[title]
        assert (stack.get(level - 1, "") if level > 2 else "") == expected, line


def test_command_line_level_rolls_the_tables_up(tmp_path):
    root = tmp_path
    folder = write_fixture(root / "processed")
    assert thesis.main(["--processed", str(folder), "--out", str(root / "thesis"),
                        "--level", "0", "--n-boot", "10"]) == 0
    table = pd.read_csv(root / "thesis" / "tables" / "framework_by_tier.csv").set_index("theme")
    # hand-worked (tests/_study_fixture.py): care_home (R1, regional) counts under Care,
    # beside care itself (R2, local); Money as it was
    assert table.loc["Care", "regional"] == 1 and table.loc["Care", "local"] == 1
    assert "Care homes" not in table.index
    assert table.loc["Money", "regional"] == 1 and table.loc["Money", "local"] == 1
    full = pd.read_csv(root / "thesis" / "tables" / "framework_by_tier_full.csv")
    assert full["code_id"].tolist() == ["care", "care_home", "money"]
    assert "Codes shown: 2 codes; codes rolled up" in (
        root / "thesis" / "tables" / "README.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------- memo appendix

def test_memo_appendix_follows_the_code_hierarchy(tmp_path):
    from _study_fixture import TEXT_A, spans

    folder = write_fixture(tmp_path / "processed")
    _, _, a, b = spans()[0]  # the care_home passage of IA
    rows = [  # written in an order unlike the appendix's
        ("m1", "project", "", "", "", "", "", "rk", "2025-01-03", "Reflexive notes",
         "Day one went well."),
        ("m2", "code", "money", "money", "", "", "", "rk", "2025-01-02", "", "Money or funding?"),
        ("m3", "selection", f"IA:{a}-{b}", "", "IA", str(a), str(b), "rk", "2025-01-01", "",
         "A good care-home quote."),
        ("m4", "code", "care", "care", "", "", "", "rk", "2025-01-04", "", "Care is broad."),
        ("m5", "code", "care_home", "care_home", "", "", "", "rk", "2025-01-05", "",
         "Homes only."),
    ]
    pd.DataFrame(rows, columns=["memo_id", "target_kind", "target_id", "code_id",
                                "source_id", "start", "end", "author", "date", "title",
                                "text"]).to_csv(folder / "memos.csv", index=False)
    out = tmp_path / "thesis"
    thesis.build_thesis(out, folder, None, figures_dir=tmp_path / "no-figures")
    md = (out / "memo_appendix.md").read_text(encoding="utf-8")
    headings = [line[3:] for line in md.split("\n") if line.startswith("## ")]
    # codes.csv of the fixture: care, its child care_home, then money; the passage memo
    # sits under care_home, the code it is coded with, after that code's own memo
    assert headings == ["Care (care)", "Care › Care homes (care_home)", "Money (money)",
                        "Memos about no code: the project, transcripts, cases, passages"]
    quotes = quotes_from_md(out / "memo_appendix.md")
    assert [q for q, _ in quotes] == ["Care is broad.", "Homes only.",
                                      "A good care-home quote.", "Money or funding?",
                                      "Day one went well."]
    assert quotes[2][1] == f"memo on the passage IA:{a}-{b} · rk · 2025-01-01"
    assert quotes[4][1] == "journal: Reflexive notes · rk · 2025-01-03"
    assert TEXT_A[a:b].startswith("In 2006 the care home")
    word = [p.text for p in docx.Document(out / "memo_appendix.docx").paragraphs]
    assert word.index("Care is broad.") < word.index("Homes only.") < word.index(
        "Day one went well.")
    tex = (out / "memo_appendix.tex").read_text(encoding="utf-8")
    assert tex.index("Care homes") < tex.index("Money or funding?")
    assert "\\begin{quote}" in tex
