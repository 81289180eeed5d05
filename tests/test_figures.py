import json
import os
import subprocess
import sys
import textwrap

import matplotlib.pyplot as plt

from analysis import figures
from analysis.paths import ROOT


def _draw():
    figures.use_theme()
    fig, ax = plt.subplots(figsize=(figures.HALF_WIDTH, 2))
    ax.plot([1998, 2002, 2013], [1, 3, 2], marker="o", label="events")
    # whole years, a few: matplotlib's own ticks (1997.5, 2000.0, ...) overlap at this
    # width, which saving now refuses (analysis.figures.legibility)
    ax.set_xticks([2000, 2005, 2010])
    ax.set_title("A figure with text, a clip path and a legend")
    ax.legend()
    return fig


def test_save_writes_identical_bytes_twice(tmp_path):
    inp = tmp_path / "input.csv"
    inp.write_text("a\n1\n")
    out = []
    for _ in range(2):
        figures.provenance("nb", parameters={"window": 3}, inputs=[inp]).save(
            _draw(), "demo", directory=tmp_path / "figs")
        out.append({ext: (tmp_path / "figs" / f"demo.{ext}").read_bytes()
                    for ext in ("png", "svg", "json")})
    assert out[0] == out[1]


def test_save_is_deterministic_across_processes(tmp_path):
    # A fresh interpreter with hash randomisation on: ids in SVG must not depend on it
    # (the check matplotlib's own test_determinism.py makes).
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(ROOT)!r})
        import matplotlib; matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from analysis import figures
        figures.use_theme()
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1]); ax.set_title("x")
        figures.provenance("nb").save(fig, "p", directory=sys.argv[1])
    """)
    digests = []
    for i in range(2):
        d = tmp_path / str(i)
        env = dict(os.environ, PYTHONHASHSEED=str(i + 1))
        subprocess.run([sys.executable, "-c", script, str(d)], check=True, env=env)
        digests.append(((d / "p.svg").read_bytes(), (d / "p.png").read_bytes()))
    assert digests[0] == digests[1]


def test_no_timestamps_or_versions_in_image_metadata(tmp_path):
    figures.provenance("nb").save(_draw(), "meta", directory=tmp_path)
    svg = (tmp_path / "meta.svg").read_text()
    png = (tmp_path / "meta.png").read_bytes()
    assert "<dc:date>" not in svg
    assert b"Software" not in png and b"tIME" not in png


def test_sidecar_records_provenance(tmp_path):
    inp = tmp_path / "in.csv"
    inp.write_bytes(b"abc")
    figs = figures.provenance("01_x", parameters={"start": 1992}, inputs=[inp])
    figs.save(_draw(), "prov", directory=tmp_path)
    meta = json.loads((tmp_path / "prov.json").read_text())
    assert meta["notebook"] == "01_x"
    assert meta["parameters"] == {"start": 1992}
    # SHA-256("abc"), the FIPS 180-2 test vector.
    assert meta["inputs"][0]["sha256"].startswith("ba7816bf8f01cfea")
    assert {o["path"].rsplit(".", 1)[1] for o in meta["outputs"]} == {"png", "svg"}
    assert "matplotlib" in meta["versions"]
    assert not any(k in json.dumps(meta) for k in ("start_time", "date_time", "created"))


def test_the_theme_is_what_seaborn_set_theme_sets():
    # Independent implementation: seaborn itself (what use_theme called until its values
    # were written out), from matplotlib's defaults, then the compendium's settings.
    import matplotlib as mpl
    import seaborn as sns

    from analysis.figures import style

    with mpl.rc_context():
        mpl.rcdefaults()
        sns.set_theme(context="paper", style="ticks", palette=style.PALETTE, rc=style._RC)
        mpl.rcParams.update(style._RC)
        expected = dict(mpl.rcParams)
    with mpl.rc_context():
        mpl.rcdefaults()
        figures.use_theme()
        got = dict(mpl.rcParams)
    assert {k: v for k, v in got.items() if v != expected[k]} == {}


def test_the_theme_does_not_import_seaborn():
    # the reason it is written out: seaborn imports scipy.stats, a second per notebook
    code = ("import sys; from analysis import figures; figures.use_theme(); "
            "print(sorted(m for m in ('seaborn', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == "[]\n"


def test_palette_is_okabe_ito():
    # Okabe & Ito (2008) hex values, as published.
    assert figures.PALETTE[:3] == ["#E69F00", "#56B4E9", "#009E73"]


def test_bad_name_refused(tmp_path):
    import pytest

    with pytest.raises(ValueError):
        figures.provenance("nb").save(_draw(), "../escape", directory=tmp_path)
