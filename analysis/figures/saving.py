"""Saving a figure: deterministic bytes and a provenance sidecar.

A notebook records its name, parameters and input files once with :func:`provenance`,
and saves every figure through the :class:`Provenance` it gets back: ``<name>.png``
(300 dpi), ``<name>.svg`` and a sidecar ``<name>.json`` listing the notebook, its
parameters, the SHA-256 of every input and output, and the versions of the packages that
decide the bytes. The same figure saved twice gives the same bytes: PNG without the
``Software`` chunk, SVG without a date and with a fixed hash salt for its ids, and a
sidecar without timestamps. :func:`compare` checks a fresh run's figures against the
committed ones.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from .. import paths
from ..io import atomic_write, sha256_file
from . import legibility
from .style import SVG_HASH_SALT


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


def sidecar(name: str, notebook: str | None, parameters: Mapping | None = None,
            inputs: Iterable[os.PathLike | str] = (), outputs: Iterable[Path] = (),
            labels: Mapping[str, str] | None = None) -> dict:
    """The provenance record written next to a figure (no timestamps, sorted keys).

    ``labels``: the labels the figure shows shortened, each with its full text
    (:func:`analysis.figures.legibility.record_labels`); recorded only when there are some.
    """
    files = []
    for p in sorted({Path(p) for p in inputs}, key=lambda q: paths.relative(q)):
        for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
            if f.is_file():
                files.append({"path": paths.relative(f), "sha256": sha256_file(f)})
    record = {
        "figure": name,
        "notebook": notebook,
        "parameters": _jsonable(dict(parameters or {})),
        "inputs": files,
        "outputs": [{"path": paths.relative(o), "sha256": sha256_file(o)} for o in outputs],
        "versions": package_versions(),
    }
    if labels:
        record["labels"] = [{"shown": k, "full": v} for k, v in sorted(labels.items())]
    return record


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


@dataclass(frozen=True)
class Provenance:
    """Where a notebook's figures come from; its :meth:`save` writes them.

    Made by :func:`provenance`, once per notebook.

    Attributes
    ----------
    notebook : str
        The notebook's name, e.g. ``"01_strategy_timeline"``.
    parameters : dict
        Its Papermill parameters.
    inputs : tuple of pathlib.Path
        The files and folders it reads; the sidecar lists the SHA-256 of each file.
    """

    notebook: str | None
    parameters: dict = field(default_factory=dict)
    inputs: tuple = ()

    def save(self, fig, name: str, *, directory: os.PathLike | str | None = None,
             close: bool = True):
        """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` with a provenance sidecar.

        The figure is first measured against the legibility rules
        (:mod:`analysis.figures.legibility`); one that breaks a rule is not saved, and
        the :class:`~analysis.figures.legibility.LegibilityError` names the figure, the
        rule and the parameter that would fix it.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
        name : str
            File stem, e.g. ``"strategy_timeline"``; letters, digits, ``_`` and ``-``.
        directory : path-like, optional
            Defaults to ``figures/``.
        close : bool
            Close the figure afterwards so that a notebook does not render it twice.

        Returns
        -------
        IPython.display.Image or pathlib.Path
            The PNG, displayable in a notebook (a path where IPython is absent).

        Raises
        ------
        analysis.figures.legibility.LegibilityError
            The figure breaks a legibility rule; nothing is written.

        Examples
        --------
        >>> import json, tempfile, matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1], [0, 1])
        >>> out = Path(tempfile.mkdtemp())
        >>> _ = provenance("doctest", {"window": 3}).save(fig, "demo", directory=out)
        >>> sorted(f.name for f in out.iterdir())
        ['demo.json', 'demo.png', 'demo.svg']
        >>> json.loads((out / "demo.json").read_text())["parameters"]
        {'window': 3}
        """
        import re

        import matplotlib as mpl
        import matplotlib.pyplot as plt

        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise ValueError(f"figure name {name!r} must use letters, digits, '_' or '-'")
        directory = Path(directory) if directory is not None else paths.FIGURES
        directory.mkdir(parents=True, exist_ok=True)
        png, svg, meta = (directory / f"{name}.{ext}" for ext in ("png", "svg", "json"))
        try:
            legibility.check(fig, png)
        except legibility.LegibilityError:
            if close:
                plt.close(fig)
            raise
        with mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
            for target, fmt, metadata in ((png, "png", {"Software": None}),
                                          (svg, "svg", {"Date": None, "Creator": None})):
                tmp = target.with_name(f".{target.name}.tmp")
                fig.savefig(tmp, format=fmt, dpi=300, metadata=metadata)
                os.replace(tmp, target)
        record = sidecar(name, self.notebook, self.parameters, self.inputs, outputs=[png, svg],
                         labels=legibility.recorded_labels(fig))
        atomic_write(meta, json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        if close:
            plt.close(fig)
        try:
            from IPython.display import Image
        except ImportError:  # pragma: no cover - IPython ships with the environment
            return png
        return Image(filename=str(png))


def provenance(notebook: str, parameters: Mapping | None = None,
               inputs: Iterable[os.PathLike | str] = ()) -> Provenance:
    """The notebook, its parameters and its inputs, for every figure it saves.

    >>> figs = provenance("01_x", {"start": 1992}, ["data/raw/timeline"])
    >>> figs.notebook, figs.parameters, [p.name for p in figs.inputs]
    ('01_x', {'start': 1992}, ['timeline'])
    """
    return Provenance(notebook, dict(parameters or {}), tuple(Path(p) for p in inputs))
