"""One error for bad input: :class:`DataError`.

It names the file, the line or row (when known) and the reason. The command line
prints it as ``error: FILE:LINE: reason`` and exits with status 2, without a
traceback.

Examples
--------
>>> str(DataError("data/raw/timeline/strategies.csv", 7, "unknown tier 'mezzo'"))
"data/raw/timeline/strategies.csv:7: unknown tier 'mezzo'"
>>> str(DataError("notes.txt", None, "file is empty"))
'notes.txt: file is empty'
"""

from __future__ import annotations

import os


class DataError(Exception):
    """Bad input: a file, a place in it (line, row or element) and a reason.

    Parameters
    ----------
    path : path-like or str
        The file at fault, shown relative to the repository root when inside it.
    line : int or str or None
        1-based line number, a row, or an element path; ``None`` when the file as
        a whole is at fault.
    reason : str
        One sentence saying what is wrong, in the researcher's words.
    """

    def __init__(self, path: os.PathLike | str, line: int | str | None, reason: str):
        from .paths import relative

        self.path = relative(path)
        self.line = line
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"

    def __reduce__(self):  # picklable, e.g. across multiprocessing
        return (type(self), (self.path, self.line, self.reason))
