"""One figure theme and one deterministic :func:`save`.

Every notebook calls :func:`use_theme` once and saves figures only through
:func:`save`, which writes ``figures/<name>.png`` (300 dpi), ``figures/<name>.svg`` and
a provenance sidecar ``figures/<name>.json``. The same figure saved twice gives the
same bytes: PNG without the ``Software`` chunk, SVG without a date and with a fixed
hash salt for its ids, and a sidecar without timestamps.

The palette is Okabe & Ito's colour-blind-safe set (Okabe & Ito 2008, "Color Universal
Design"), the sizes suit an A4 thesis page (text width about 16 cm).
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Iterable, Mapping

from .. import paths
from ..io import atomic_write, sha256_file

#: Okabe–Ito colours, in their published order (black last: used for text and rules).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [c for k, c in OKABE_ITO.items() if k != "black"]

#: Widths in inches: a full A4 text width (16 cm) and a half.
FULL_WIDTH = 6.3
HALF_WIDTH = 3.1

#: Colours of the three tiers, used by every notebook so that tiers read alike.
TIER_COLOURS = {"macro": OKABE_ITO["blue"], "meso": OKABE_ITO["vermillion"],
                "micro": OKABE_ITO["bluish green"]}

SVG_HASH_SALT = "nhs-it-meso-compendium"

_RC = {
    "figure.figsize": (FULL_WIDTH, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "font.family": "DejaVu Sans",  # ships with matplotlib: no font fallback differences
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": SVG_HASH_SALT,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "image.cmap": "cividis",
}

# Provenance defaults, set once per notebook by provenance().
_context: dict = {"notebook": None, "parameters": {}, "inputs": []}


def use_theme() -> None:
    """Apply the compendium's theme (seaborn ``ticks`` style with the rcParams above)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="paper", style="ticks", palette=PALETTE, rc=_RC)
    mpl.rcParams.update(_RC)


def provenance(notebook: str, parameters: Mapping | None = None,
               inputs: Iterable[os.PathLike | str] = ()) -> None:
    """Record the notebook, its parameters and its input files for every later :func:`save`."""
    _context["notebook"] = notebook
    _context["parameters"] = dict(parameters or {})
    _context["inputs"] = [Path(p) for p in inputs]


def package_versions() -> dict[str, str]:
    """Versions of the packages that decide a figure's bytes."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    from .. import __version__

    out["analysis"] = __version__
    for name in ("matplotlib", "seaborn", "pandas", "numpy", "pillow"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def sidecar(name: str, notebook: str | None = None, parameters: Mapping | None = None,
            inputs: Iterable[os.PathLike | str] | None = None,
            outputs: Iterable[Path] = ()) -> dict:
    """The provenance record written next to a figure (no timestamps, sorted keys)."""
    notebook = notebook if notebook is not None else _context["notebook"]
    parameters = dict(parameters if parameters is not None else _context["parameters"])
    inputs = list(inputs if inputs is not None else _context["inputs"])
    files = []
    for p in sorted({Path(p) for p in inputs}, key=lambda q: paths.relative(q)):
        for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
            if f.is_file():
                files.append({"path": paths.relative(f), "sha256": sha256_file(f)})
    return {
        "figure": name,
        "notebook": notebook,
        "parameters": _jsonable(parameters),
        "inputs": files,
        "outputs": [{"path": paths.relative(o), "sha256": sha256_file(o)} for o in outputs],
        "versions": package_versions(),
    }


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        seq = [_jsonable(v) for v in value]
        return sorted(seq, key=str) if isinstance(value, set) else seq
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


FIGURE_SUFFIXES = (".png", ".svg", ".json")


def compare(built: os.PathLike | str, committed: os.PathLike | str | None = None) -> list[str]:
    """Figure files that differ between a fresh run and the committed ``figures/``.

    Every PNG, SVG and JSON sidecar of either folder is compared byte for byte. A sidecar
    written outside the repository records its output paths as absolute paths under
    ``built``; they are read as ``figures/<file>`` (the sidecar's only machine-dependent
    part) before the comparison, so a sidecar compares equal exactly when it would be
    byte-identical had the run written to ``figures/``.

    Parameters
    ----------
    built : path-like
        Where the run wrote its figures (``ANALYSIS_FIGURES``).
    committed : path-like, optional
        Defaults to the repository's ``figures/``.

    Returns
    -------
    list of str
        One line per problem, ``"<file>: <reason>"``, sorted; empty when all agree.

    Examples
    --------
    >>> import tempfile
    >>> a, b = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> _ = (a / "f.png").write_bytes(b"x"), (b / "f.png").write_bytes(b"y")
    >>> _ = (b / "g.svg").write_bytes(b"z")
    >>> compare(a, b)
    ['f.png: differs from the committed bytes', 'g.svg: committed but not made by the run']
    """
    built = Path(built)
    committed = Path(committed) if committed is not None else paths.ROOT / "figures"

    def files(d: Path) -> set[str]:
        return {f.name for f in d.iterdir() if f.is_file() and f.suffix in FIGURE_SUFFIXES}

    made, kept = files(built), files(committed)
    problems = [f"{n}: committed but not made by the run" for n in kept - made]
    problems += [f"{n}: made by the run but not committed" for n in made - kept]
    for name in made & kept:
        new, old = (built / name).read_bytes(), (committed / name).read_bytes()
        if name.endswith(".json"):
            new = _normalise_sidecar(new, built)
        if new != old:
            problems.append(f"{name}: differs from the committed bytes")
    return sorted(problems)


def _normalise_sidecar(data: bytes, built: Path) -> bytes:
    """A sidecar's bytes as if its figures had been written to ``figures/``."""
    record = json.loads(data)
    prefix = paths.relative(built).rstrip("/") + "/"
    for out in record.get("outputs", []):
        if out["path"].startswith(prefix):
            out["path"] = "figures/" + out["path"][len(prefix):]
    return (json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def save(fig, name: str, *, directory: os.PathLike | str | None = None,
         notebook: str | None = None, parameters: Mapping | None = None,
         inputs: Iterable[os.PathLike | str] | None = None, close: bool = True):
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` with a provenance sidecar.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        File stem, e.g. ``"strategy_timeline"``; letters, digits, ``_`` and ``-``.
    directory : path-like, optional
        Defaults to ``figures/``.
    notebook, parameters, inputs :
        Provenance; default to what :func:`provenance` recorded.
    close : bool
        Close the figure afterwards so that a notebook does not render it twice.

    Returns
    -------
    IPython.display.Image or pathlib.Path
        The PNG, displayable in a notebook (a path where IPython is absent).

    Examples
    --------
    >>> import tempfile, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1], [0, 1])
    >>> out = save(fig, "demo", directory=tempfile.mkdtemp(), notebook="doctest")
    """
    import re

    import matplotlib as mpl
    import matplotlib.pyplot as plt

    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"figure name {name!r} must use letters, digits, '_' or '-'")
    directory = Path(directory) if directory is not None else paths.FIGURES
    directory.mkdir(parents=True, exist_ok=True)
    png, svg, meta = (directory / f"{name}.{ext}" for ext in ("png", "svg", "json"))
    with mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
        for target, fmt, metadata in ((png, "png", {"Software": None}),
                                      (svg, "svg", {"Date": None, "Creator": None})):
            tmp = target.with_name(f".{target.name}.tmp")
            fig.savefig(tmp, format=fmt, dpi=300, metadata=metadata)
            os.replace(tmp, target)
    record = sidecar(name, notebook, parameters, inputs, outputs=[png, svg])
    atomic_write(meta, json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    if close:
        plt.close(fig)
    try:
        from IPython.display import Image
    except ImportError:  # pragma: no cover - IPython ships with the environment
        return png
    return Image(filename=str(png))
