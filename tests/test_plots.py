import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import plots


def _items():
    # Three hand-made rows: a bar with an end, a strategy bar, and a point (no end date).
    return pd.DataFrame({
        "id": ["A", "B", "C"],
        "title": ["Alpha: long subtitle", "Beta (B)", "Gamma review"],
        "type": ["strategy", "programme", "review"],
        "control_model": ["centralised procurement", "mixed",
                          "local choice with national standards"],
        "start_date": pd.to_datetime(["2002-06-01", "2005-01-01", "2011-09-22"]),
        "end_date": pd.to_datetime(["2011-09-22", "2010-01-01", None]),
    })


@pytest.mark.parametrize("title, label", [
    ("Information for Health: An Information Strategy", "Information for Health"),
    ("NHS National Programme for IT (NPfIT)", "NHS National Programme for IT"),
    ("Making IT Work", "Making IT Work"),
])
def test_short_label(title, label):
    assert plots.short_label(title) == label


def test_strategy_timeline_draws_bars_and_points():
    fig = plots.strategy_timeline(_items(), 2000, 2015, label_density="none")
    ax = fig.axes[0]
    # Two rows have an end date (bars), one has none (a point marker): counted from _items().
    assert len(ax.patches) == 2
    assert [len(line.get_xdata()) for line in ax.lines] == [1]
    texts = sorted(t.get_text() for t in ax.texts)
    assert {"A", "B", "C"} <= set(texts)  # label_density="none" shows ids only
    plt.close(fig)


def test_strategy_timeline_labels_strategies_only():
    fig = plots.strategy_timeline(_items(), 2000, 2015, label_density="strategies")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert "A Alpha" in texts and "B" in texts and "C" in texts
    plt.close(fig)


def test_bad_label_density():
    with pytest.raises(ValueError):
        plots.strategy_timeline(_items(), 2000, 2015, label_density="some")


def test_steps_table_formats_ranges():
    steps = pd.DataFrame({
        "layer": ["PCT", "PCT"], "start_date": pd.to_datetime(["2000-01-01", "2001-01-01"]),
        "end_date": pd.to_datetime(["2001-01-01", "2002-01-01"]),
        "count_low": [17, 164], "count_high": [23, 164], "end_rule": ["next count", "open"]})
    table = plots.steps_table(steps, ["PCT"])
    # A range in the sources (17–23 PCTs in 2000) is shown as such.
    assert table["count"].tolist() == ["17–23", "164"]


# --------------------------------------------------------------------------- a real-size codebook

@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The generated study of tests/_big_codebook.py with two coders: 250 codes in 50
    categories, three levels deep, long labels, 28 participants."""
    from _big_codebook import write_study

    from analysis.processed import load_interviews

    return load_interviews(write_study(tmp_path_factory.mktemp("big"), coders=2))


def _checker():
    import importlib.util
    import sys

    from analysis.paths import ROOT

    spec = importlib.util.spec_from_file_location("svg_legibility",
                                                  ROOT / "tools" / "svg_legibility.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["svg_legibility"] = module
    spec.loader.exec_module(module)
    return module


def test_default_views_of_250_codes_are_saved_legibly(big, tmp_path):
    # as notebooks 04 and 06 draw them, each view chosen for its figure; saved through
    # Provenance.save (which enforces the rules), then checked again from the SVG
    from analysis import figures, matrices, reliability

    figures.use_theme()
    figs = figures.provenance("test")
    mine = big.segments[big.segments["coder"] == "coder_a"]
    people = [f"{p} · {t}" for p, t in zip(big.participants["participant_id"],
                                            big.participants["tier"])]
    view = plots.choose_view(big.codes, mine, rows=people, facet="theme")
    # 150 level-1 codes need 1500 pt at 10 pt each, more than a landscape page; the 50
    # categories fit (tests/_big_codebook.py: 50 categories, 150 codes, 100 sub-codes)
    assert (view.level, len(view.codes)) == (0, 50)
    frame = matrices.framework_matrix(view.apply(mine), big.participants, big.sources,
                                      big.texts, codes=view.codes_with(big.codes))
    wide = matrices.framework_table(frame)
    figs.save(plots.heatmap(wide, plots.view_title("Framework", view), "segments",
                            col_labels=[view.labels[c] for c in wide.columns]),
              "framework", directory=tmp_path)
    co_view = plots.cooccurrence_view(big.codes, mine, 3)
    co = matrices.cooccurrence(co_view.apply(mine), codes=co_view.codes)
    square = matrices.cooccurrence_square(co[co["n"] >= 3], "jaccard")
    assert len(square) <= plots.grid_capacity(None, [], list(co_view.labels.values()))
    figs.save(plots.heatmap(square, plots.view_title("Co-occurrence", co_view), "Jaccard",
                            annotate=False, row_labels=[co_view.labels[c] for c in square.index],
                            col_labels=[co_view.labels[c] for c in square.columns]),
              "cooccurrence", directory=tmp_path)
    both = big.segments
    rows = plots.choose_view(big.codes, both, shape="rows", other=False)
    rolled = rows.apply(both)
    ci = reliability.agreement_ci(rolled, big.texts, coders=("coder_a", "coder_b"),
                                  unit="segment", codes=rows.group_ids, n=20, seed=1)
    figs.save(plots.agreement_forest(ci, rows.labels,
                                     title=plots.view_title("Agreement", rows)),
              "agreement", directory=tmp_path)
    checker = _checker()
    svgs = sorted(tmp_path.glob("*.svg"))
    assert len(svgs) == 3
    assert [p for f in svgs for p in checker.check_svg(f)] == []
    # the PNGs fit an A4 page at 300 dpi (2480 × 3508 pixels, either way), read from the
    # PNG header: width and height are the big-endian words at bytes 16 and 20
    for png in tmp_path.glob("*.png"):
        head = png.read_bytes()[16:24]
        w, h = int.from_bytes(head[:4], "big"), int.from_bytes(head[4:], "big")
        assert (w <= 2480 and h <= 3508) or (w <= 3508 and h <= 2480), png.name


def test_an_explicit_view_too_large_to_read_is_refused_at_save(big, tmp_path):
    from analysis import figures, matrices
    from analysis.figures.legibility import LegibilityError

    figures.use_theme()
    mine = big.segments[big.segments["coder"] == "coder_a"]
    view = plots.choose_view(big.codes, mine, rows=["x"] * 28, level=1, facet="theme")
    assert len(view.codes) == 150  # honoured as asked
    frame = matrices.framework_matrix(view.apply(mine), big.participants, big.sources,
                                      big.texts, codes=view.codes_with(big.codes))
    fig = plots.heatmap(matrices.framework_table(frame), "t", "n", col_hint=plots.VIEW_HINT)
    with pytest.raises(LegibilityError, match="tick spacing.*set `top`"):
        figures.provenance("test").save(fig, "too_many", directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_kappa_by_round_joins_rounds_with_two_coders_and_marks_the_others():
    # three rounds, the middle one coded by one coder (as audit.agreement_by_round gives it)
    table = pd.DataFrame({"round": ["r1", "r1", "r2", "r3", "r3"],
                          "unit": ["character", "segment", "", "character", "segment"],
                          "kappa": [0.58, 0.5, float("nan"), 0.81, 0.7]})
    fig = plots.kappa_by_round(table, ["r1", "r2", "r3"])
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines if not line.get_label().startswith("_")}
    assert sorted(lines) == ["character", "segment"]
    # each unit's line joins r1 (x 0) and r3 (x 2), skipping the one-coder round
    assert list(lines["character"].get_xdata()) == [0, 2]
    assert list(lines["character"].get_ydata()) == [0.58, 0.81]
    assert [t.get_text() for t in ax.texts] == ["one coder"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["r1", "r2", "r3"]
    plt.close(fig)
