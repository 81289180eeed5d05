"""Tests for analysis.figures.legibility: the rules Provenance.save enforces.

Each rule is broken on a figure whose geometry is set by hand (axes placed in inches with
``fig.add_axes``), so the expected measurement is worked out here: a 2-inch-wide axes is
144 pt; 60 categorical ticks on it are 144 / 60 = 2.4 pt apart.
"""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis import figures  # noqa: E402
from analysis.errors import DataError  # noqa: E402
from analysis.figures import legibility  # noqa: E402


def _axes(width_in=2.0, height_in=2.0, fig_in=(4.0, 4.0)):
    """A figure with one axes of exactly ``width_in`` × ``height_in`` inches."""
    figures.use_theme()
    fig = plt.figure(figsize=fig_in)
    ax = fig.add_axes((1 / fig_in[0], 1 / fig_in[1], width_in / fig_in[0],
                       height_in / fig_in[1]))
    return fig, ax


def _rules(fig):
    return [p.rule for p in legibility.problems(fig)]


def test_a_legible_figure_breaks_no_rule():
    fig, ax = _axes()
    ax.set_xticks(range(10), [f"c{i}" for i in range(10)], rotation=90)  # 14.4 pt apart
    ax.set_xlim(-0.5, 9.5)
    ax.text(0.5, 0.5, "one note", transform=ax.transAxes)
    assert _rules(fig) == []
    plt.close(fig)


def test_tick_spacing_measures_the_axis():
    fig, ax = _axes()
    ax.set_xticks(range(60), [str(i) for i in range(60)], rotation=90)
    ax.set_xlim(-0.5, 59.5)
    legibility.hint(ax, x="set `top`")
    found = legibility.problems(fig)
    spacing = [p for p in found if p.rule == "tick spacing"][0]
    # 144 pt / 60 ticks = 2.4 pt each; 59 gaps + one pitch = 144 pt of axis
    assert "2.4 pt each" in spacing.detail and "on 144 pt" in spacing.detail
    assert spacing.fix == "set `top`" and spacing.where == "the x axis"
    plt.close(fig)


def test_tick_overlap_from_the_text_extents():
    fig, ax = _axes(width_in=3.0)
    # 6 horizontal labels 36 pt apart (216 pt / 6), each about 100 pt wide at 7 pt
    ax.set_xticks(range(6), [f"a rather long label number {i}" for i in range(6)])
    ax.set_xlim(-0.5, 5.5)
    assert _rules(fig) == ["tick overlap"]
    ax.set_xticks(range(6), [f"label {i}" for i in range(6)])  # about 25 pt wide: clear
    assert _rules(fig) == []
    plt.close(fig)


def test_rotated_labels_clear_their_neighbours_when_spaced_enough():
    # a 7 pt label is about 8.2 pt high: at 90 degrees it clears a neighbour 10 pt away,
    # and overlaps one 7.2 pt away (also too close for the 8 pt rule)
    for n, expected in ((20, []), (20 * 10 // 7, ["tick spacing", "tick overlap"])):
        fig, ax = _axes(width_in=200 / 72)
        ax.set_xticks(range(n), [f"code {i}" for i in range(n)], rotation=90, fontsize=7)
        ax.set_xlim(-0.5, n - 0.5)
        assert _rules(fig) == expected, n
        plt.close(fig)


def test_annotation_density():
    # a 1 × 1 inch axes is 72 × 72 = 5184 pt²: room for 51 annotations at 100 pt² each
    for n, expected in ((51, []), (52, ["annotation density"])):
        fig, ax = _axes(1.0, 1.0, (3.0, 3.0))
        ax.set_xticks([]), ax.set_yticks([])
        for i in range(n):
            ax.text((i % 8 + 0.5) / 8, (i // 8 + 0.5) / 8, "1", fontsize=6,
                    transform=ax.transAxes)
        assert _rules(fig) == expected, n
        plt.close(fig)


def test_text_size_label_length_and_page_size():
    fig, ax = _axes()
    ax.set_title("small", fontsize=5.5)
    assert _rules(fig) == ["text size"]
    plt.close(fig)
    fig, ax = _axes()
    ax.set_yticks([0], ["x" * 61])
    assert "label length" in _rules(fig)
    plt.close(fig)
    fig, ax = _axes(10, 10, (12.0, 12.0))  # 30.5 cm each way: over A4 (21.0 × 29.7 cm)
    ax.set_xticks([]), ax.set_yticks([])
    assert _rules(fig) == ["page size"]
    plt.close(fig)


def test_fit_label_keeps_short_labels_and_cuts_long_ones_at_a_word():
    assert legibility.fit_label("Workforce and skills") == "Workforce and skills"
    cut = legibility.fit_label("a " * 40)
    assert len(cut) <= legibility.MAX_LABEL_CHARS and cut.endswith("…")


def test_save_refuses_an_illegible_figure_and_writes_nothing(tmp_path):
    fig, ax = _axes()
    ax.set_xticks(range(60), [str(i) for i in range(60)], rotation=90)
    ax.set_xlim(-0.5, 59.5)
    legibility.hint(ax, x="set `top` (e.g. top: 10)")
    with pytest.raises(legibility.LegibilityError) as err:
        figures.provenance("nb").save(fig, "crowded", directory=tmp_path)
    message = str(err.value)
    assert isinstance(err.value, DataError) and "\n" not in message
    # the figure, the rule and the parameter that would fix it, in one line
    assert "crowded.png" in message and "tick spacing" in message and "top: 10" in message
    assert list(tmp_path.iterdir()) == []


def test_shortened_labels_are_kept_in_full_in_the_sidecar(tmp_path):
    import pandas as pd

    from analysis import plots

    long = "Relationships with national bodies, arm's-length bodies and the suppliers they chose"
    wide = pd.DataFrame([[1, 2]], index=["P01"], columns=["a", "b"])
    fig = plots.heatmap(wide, "t", "n", col_labels=[long, "Short"])
    shown = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert shown[0] == legibility.fit_label(long) and shown[0].endswith("…")
    figures.provenance("nb").save(fig, "labels", directory=tmp_path)
    record = json.loads((tmp_path / "labels.json").read_text())
    assert record["labels"] == [{"shown": shown[0], "full": long}]
