"""Shared shapes: the tiers, the columns of the tables every stage hands on, and one
check for an argument that must be one of a few choices.

Every module that makes or reads these tables takes its column names from here, so a
column added to a contract is added once. The tables themselves are described in
``docs/ARCHITECTURE.md`` (data contracts).

Examples
--------
>>> TIERS
('macro', 'meso', 'micro')
>>> check_choice("unit", "turn", ("character", "turn"))
'turn'
>>> check_choice("unit", "word", ("character", "turn"))
Traceback (most recent call last):
...
ValueError: unit must be one of 'character', 'turn', not 'word'
"""

from __future__ import annotations

from typing import Iterable

#: The three levels of the NHS the study compares, from national to provider.
TIERS = ("macro", "meso", "micro")

#: One coded selection: a span [start, end) of a source's text, in characters.
SEGMENT_COLUMNS = ["segment_id", "source_id", "code_id", "start", "end", "coder", "text"]

#: One speaker turn of a parsed transcript.
TURN_COLUMNS = ["source_id", "turn", "speaker", "role", "start", "end", "timestamp", "text"]

#: One interview source: a parsed transcript, its checksum and whether it was NFC already.
INTERVIEW_SOURCE_COLUMNS = ["source_id", "kind", "participant_id", "title", "format",
                            "encoding", "sha256", "n_chars", "nfc"]

#: One line of an import report (``import_report.csv``): ``info`` or ``warning``, what it
#: is about, what happened, the detail.
REPORT_COLUMNS = ["level", "item", "what", "detail"]


def check_choice(name: str, value, options: Iterable):
    """Return `value` when it is one of `options`; otherwise raise one clear error.

    Parameters
    ----------
    name : str
        The argument's name, as the caller wrote it.
    value : object
        What was passed.
    options : iterable
        The allowed values, in the order the message should list them.

    Returns
    -------
    object
        `value`, unchanged.

    Raises
    ------
    ValueError
        ``"{name} must be one of 'a', 'b', not 'c'"``.

    Examples
    --------
    >>> check_choice("bracket", None, ("context", "conduct", None))
    >>> check_choice("step", "week", ("year", "month"))
    Traceback (most recent call last):
    ...
    ValueError: step must be one of 'year', 'month', not 'week'
    """
    options = tuple(options)
    if value not in options:
        listed = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {listed}, not {value!r}")
    return value
