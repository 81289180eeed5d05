"""Check saved SVG figures for legibility, independently of the code that drew them.

``python tools/svg_legibility.py FIGURE.svg ...`` (or a folder) reads each SVG as
matplotlib saved it and checks, from the file alone:

* every tick label has at least 8 pt of axis (the distance between neighbouring labels'
  ticks along their axis);
* at most one annotation (text drawn inside an axes' box) per 100 pt² of the axes;
* no text under 6 pt.

It prints one line per problem, ``FILE: rule: detail``, and exits 1 when there is any
(0 otherwise). Standard library only, and nothing from ``analysis``: the figures module
enforces the same rules on the matplotlib objects before saving
(``analysis/figures/legibility.py``); this reads what was actually written, as a second,
independent measurement.

How the SVG is read. Matplotlib writes each figure as nested groups: ``axes_N`` holds the
axes' background ``patch_N`` (its box), ``matplotlib.axis_N`` groups of ``xtick_N`` /
``ytick_N`` each holding the tick's label, and the axes' other texts. A text is a group
``text_N``: with text drawn as paths (the compendium's ``svg.fonttype: path``) one child
group per line, ``transform="translate(x y) rotate(a) scale(s -s)"``, whose glyphs are
``use`` elements in units of 1/100 em, so the font size is ``100 × s`` points; with real
SVG text, a ``<text>`` element with ``font-size`` in its style and the same transform.

Where a tick label sits along its axis: labels of one axis share a rotation and an
alignment, so the difference between two labels' origins, measured across the text
direction, is the distance between their ticks times the sine of the angle between text
and axis. When text and axis are (nearly) parallel, the label's middle along the axis is
estimated from its glyphs' positions (the last glyph counted as 0.6 em wide).
"""

from __future__ import annotations

import math
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MIN_TICK_PITCH = 8.0
AREA_PER_ANNOTATION = 100.0
MIN_FONT_SIZE = 6.0
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


@dataclass
class Label:
    """One text: its words, origin, rotation (degrees, SVG sense), font size, width."""

    text: str
    x: float
    y: float
    angle: float
    size: float
    width: float  # estimated advance of the text, in points

    def along(self, ux: float, uy: float) -> float | None:
        """Distance along an axis of direction (ux, uy) that this label's tick lies at,
        up to a constant shared by the axis's labels; None when it cannot be told."""
        a = math.radians(self.angle)
        nx, ny = -math.sin(a), math.cos(a)  # normal to the text direction
        across = ux * nx + uy * ny
        if abs(across) >= 0.2:
            return (self.x * nx + self.y * ny) / across
        # text along the axis: its middle (ha=center), estimated from the glyphs
        return (self.x + math.cos(a) * self.width / 2) * ux + \
               (self.y + math.sin(a) * self.width / 2) * uy


def _floats(text: str) -> list[float]:
    return [float(v) for v in re.findall(_NUMBER, text)]


def _transform(value: str) -> tuple[float, float, float, float]:
    """(x, y, rotation, scale) of ``translate(x y) rotate(a) scale(s -s)``."""
    x = y = angle = 0.0
    scale = 1.0
    for name, args in re.findall(r"(\w+)\(([^)]*)\)", value or ""):
        nums = _floats(args)
        if name == "translate" and nums:
            x, y = nums[0], nums[1] if len(nums) > 1 else 0.0
        elif name == "rotate" and nums:
            angle = nums[0]
        elif name == "scale" and nums:
            scale = abs(nums[0])
    return x, y, angle, scale


def _text_labels(group: ET.Element, comment: str = "") -> list[Label]:
    """The lines of one ``text_N`` group as Labels (through clip-path wrappers)."""
    out = []
    for child in group:
        if child.tag is ET.Comment:
            comment = (child.text or "").strip()
        elif child.tag == f"{SVG}g" and "scale(" in child.get("transform", ""):
            x, y, angle, scale = _transform(child.get("transform"))
            advances = [0.0]
            for use in child.iter(f"{SVG}use"):
                ux = float(use.get("x", 0) or 0)
                if "transform" in use.attrib:
                    ux += _transform(use.get("transform"))[0]
                advances.append(ux)
            width = (max(advances) + 60.0) * scale  # the last glyph: about 0.6 em
            out.append(Label(comment, x, y, angle, 100.0 * scale, width))
        elif child.tag == f"{SVG}text":
            x, y, angle, _ = _transform(child.get("transform", ""))
            x += float(child.get("x", 0) or 0)
            y += float(child.get("y", 0) or 0)
            size = re.search(r"font-size:\s*(" + _NUMBER + ")", child.get("style", ""))
            pts = float(size.group(1)) if size else 10.0
            words = "".join(child.itertext())
            out.append(Label(words, x, y, angle, pts, 0.6 * pts * len(words)))
        elif child.tag == f"{SVG}g":
            out += _text_labels(child, comment)
    return out


def _parse(path: Path) -> ET.Element:
    """The SVG's root element, with comments (they carry the texts' words)."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    return ET.parse(path, parser=parser).getroot()


def _box(axes: ET.Element) -> tuple[float, float, float, float] | None:
    """The axes' box (x0, y0, x1, y1) from its background patch (its first path)."""
    for child in axes:
        if child.tag == f"{SVG}g" and child.get("id", "").startswith("patch_"):
            path = child.find(f"{SVG}path")
            if path is not None:
                nums = _floats(path.get("d", ""))
                xs, ys = nums[0::2], nums[1::2]
                if xs and ys:
                    return min(xs), min(ys), max(xs), max(ys)
    return None


def _tick_labels(axis: ET.Element) -> tuple[str, list[Label]]:
    """('x' or 'y', the labels of the axis's ticks)."""
    which, labels = "", []
    for tick in axis:
        tick_id = tick.get("id", "")
        if tick.tag != f"{SVG}g" or not tick_id.startswith(("xtick_", "ytick_")):
            continue
        which = tick_id[0]
        for group in tick:
            if group.get("id", "").startswith("text_"):
                labels += [lab for lab in _text_labels(group)[:1] if lab.text]
    return which, labels


def check_svg(path: Path) -> list[str]:
    """Every problem of one SVG, as ``rule: detail`` sentences."""
    root = _parse(path)
    problems = []
    for group in root.iter(f"{SVG}g"):
        if group.get("id", "").startswith("text_"):
            for lab in _text_labels(group):
                if lab.size < MIN_FONT_SIZE - 1e-6:
                    problems.append(f"text size: {lab.text!r} is {lab.size:g} pt "
                                    f"(at least {MIN_FONT_SIZE:g} pt)")
    for axes in root.iter(f"{SVG}g"):
        if not axes.get("id", "").startswith("axes_"):
            continue
        name = axes.get("id")
        for axis in axes:
            if not axis.get("id", "").startswith("matplotlib.axis"):
                continue
            which, labels = _tick_labels(axis)
            if len(labels) < 2:
                continue
            ux, uy = (1.0, 0.0) if which == "x" else (0.0, 1.0)
            at = sorted(p for p in (lab.along(ux, uy) for lab in labels) if p is not None)
            gaps = [b - a for a, b in zip(at, at[1:])]
            if gaps and min(gaps) < MIN_TICK_PITCH - 0.05:
                problems.append(f"tick spacing: {name} {which} axis has {len(labels)} tick "
                                f"labels {min(gaps):.1f} pt apart (at least "
                                f"{MIN_TICK_PITCH:g} pt)")
        box = _box(axes)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        inside = 0
        for child in axes:
            if child.get("id", "").startswith("text_"):
                for lab in _text_labels(child)[:1]:
                    if lab.text and x0 <= lab.x <= x1 and y0 <= lab.y <= y1:
                        inside += 1
        area = (x1 - x0) * (y1 - y0)
        if inside and inside * AREA_PER_ANNOTATION > area + 1e-6:
            problems.append(f"annotation density: {name} has {inside} annotations in "
                            f"{area:.0f} pt² ({area / inside:.0f} pt² each; at least "
                            f"{AREA_PER_ANNOTATION:g} pt²)")
    return problems


def main(argv: list[str]) -> int:
    files = []
    for arg in argv:
        p = Path(arg)
        files += sorted(p.glob("*.svg")) if p.is_dir() else [p]
    if not files:
        print("usage: python tools/svg_legibility.py FIGURE.svg|FOLDER ...", file=sys.stderr)
        return 2
    bad = 0
    for f in files:
        for problem in check_svg(f):
            print(f"{f}: {problem}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
