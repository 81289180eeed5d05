"""Tests for tools/svg_legibility.py, the independent check of saved SVG figures.

The figures here are drawn with plain matplotlib (not the package's save), with axes placed
in inches, so the spacing the checker must read back is worked out by hand: n categorical
ticks on an axes w inches wide are 72 w / n pt apart.
"""

import ast
import importlib.util
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis import figures  # noqa: E402
from analysis.paths import ROOT  # noqa: E402

TOOL = ROOT / "tools" / "svg_legibility.py"
_spec = importlib.util.spec_from_file_location("svg_legibility", TOOL)
svg_legibility = importlib.util.module_from_spec(_spec)
sys.modules["svg_legibility"] = svg_legibility
_spec.loader.exec_module(svg_legibility)


def _save(tmp_path, draw, name="f"):
    figures.use_theme()  # svg.fonttype "path", as the compendium saves
    fig = plt.figure(figsize=(6, 6))
    ax = fig.add_axes((1 / 6, 1 / 6, 3 / 6, 3 / 6))  # 3 × 3 inches: 216 × 216 pt
    draw(ax)
    path = tmp_path / f"{name}.svg"
    fig.savefig(path, format="svg")
    plt.close(fig)
    return path


def _gap(problems):
    """The spacing a 'tick spacing' problem reports, in points."""
    line = [p for p in problems if p.startswith("tick spacing")][0]
    return float(line.split(" pt apart")[0].rsplit(" ", 1)[1])


@pytest.mark.parametrize("rotation", [0, 40, 90])
def test_x_tick_spacing_at_any_rotation(tmp_path, rotation):
    def draw(n):
        def f(ax):
            ax.set_xticks(range(n), [f"c{i}" for i in range(n)], rotation=rotation,
                          ha="right" if rotation == 40 else "center",
                          rotation_mode="anchor" if rotation == 40 else "default")
            ax.set_xlim(-0.5, n - 0.5)
        return f

    # 216 pt / 18 ticks = 12 pt apart: passes; 216 / 36 = 6 pt: fails, read as 6 pt
    assert svg_legibility.check_svg(_save(tmp_path, draw(18))) == []
    gap = _gap(svg_legibility.check_svg(_save(tmp_path, draw(36), "g")))
    # horizontal labels are placed by an estimate of their width (about half a point)
    assert gap == pytest.approx(6.0, abs=0.6 if rotation == 0 else 0.05)


def test_y_tick_spacing(tmp_path):
    def draw(ax):
        ax.set_yticks(range(54), [f"code {i}" for i in range(54)])
        ax.set_ylim(-0.5, 53.5)

    # 216 pt / 54 = 4 pt apart
    assert _gap(svg_legibility.check_svg(_save(tmp_path, draw))) == pytest.approx(4.0, abs=0.05)


def test_annotations_per_area(tmp_path):
    # 216 × 216 = 46,656 pt²: room for 466 annotations at 100 pt² each
    def draw(n):
        def f(ax):
            ax.set_xticks([]), ax.set_yticks([])
            for i in range(n):
                ax.text((i % 25 + 0.5) / 25, (i // 25 + 0.5) / 25, "1", fontsize=6,
                        transform=ax.transAxes)
        return f

    assert svg_legibility.check_svg(_save(tmp_path, draw(466))) == []
    problems = svg_legibility.check_svg(_save(tmp_path, draw(467), "g"))
    assert problems == ["annotation density: axes_1 has 467 annotations in 46656 pt² "
                        "(100 pt² each; at least 100 pt²)"]


def test_text_under_six_points(tmp_path):
    problems = svg_legibility.check_svg(_save(tmp_path, lambda ax: ax.set_title("t", fontsize=5.5)))
    assert problems == ["text size: 't' is 5.5 pt (at least 6 pt)"]


def test_every_committed_demo_figure_passes():
    svgs = sorted((ROOT / "figures").glob("*.svg"))
    assert svgs
    assert [p for f in svgs for p in svg_legibility.check_svg(f)] == []


def test_the_checker_uses_nothing_of_the_package():
    tree = ast.parse(TOOL.read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_command_line_exit_status(tmp_path):
    good = _save(tmp_path, lambda ax: ax.set_title("fine"))
    assert svg_legibility.main([str(good)]) == 0
    _save(tmp_path, lambda ax: ax.set_title("t", fontsize=5), "bad")
    assert svg_legibility.main([str(tmp_path)]) == 1
    assert svg_legibility.main([]) == 2
