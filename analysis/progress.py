"""Progress you can see in a terminal, and silence everywhere else.

Long steps (many transcripts, large imports, the benchmark) wrap their loops in
:func:`progress`. It draws a tqdm bar only when standard error is a terminal and the code
is not running inside a Jupyter kernel, so notebooks, nbval and CI logs stay byte-stable.
``ANALYSIS_PROGRESS=1`` forces the bar on, ``ANALYSIS_PROGRESS=0`` forces it off.

>>> list(progress(range(3), desc="quiet under doctest"))
[0, 1, 2]
"""

from __future__ import annotations

import os
import sys
from typing import Iterable, TypeVar

T = TypeVar("T")


def enabled() -> bool:
    """Whether a progress bar would be drawn here."""
    forced = os.environ.get("ANALYSIS_PROGRESS")
    if forced in {"0", "1"}:
        return forced == "1"
    if "ipykernel" in sys.modules:  # a notebook: outputs must not change between runs
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def progress(iterable: Iterable[T], total: int | None = None, desc: str = "") -> Iterable[T]:
    """Wrap ``iterable`` in a terminal progress bar when :func:`enabled`, else return it."""
    if not enabled():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="item", leave=False, file=sys.stderr)
