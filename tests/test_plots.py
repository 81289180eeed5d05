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
