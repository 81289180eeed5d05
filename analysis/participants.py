"""The participants register: who was interviewed, from which tier and position.

One row per participant (one interview each; the interview's ``source_id`` is the
``participant_id``). The register is pseudonymous: ids like ``P01``, never names.
It is validated like the timeline files: every problem is a
:class:`~analysis.errors.DataError` naming the file and its line.

Columns (:data:`PARTICIPANT_COLUMNS`):

``participant_id``
    pseudonymous id (letters, digits, ``_`` or ``-``), unique.
``tier``
    ``macro`` (national), ``meso`` (intermediate tier) or ``micro`` (providers).
``position_practice``
    one of the nine ``pp_*`` code ids of the SST coding frame.
``organisation_type``, ``sector``
    free text (e.g. ``CSU``, ``NHS``).
``years_in_nhs``
    a non-negative whole number.
``eras``
    era ids joined by ``|`` (at least one), e.g. ``npfit|ccg``.
``interviewer_label``
    the label the interviewer carries in that transcript (``Interviewer``, ``IV``...),
    which is how the transcript parser tells interviewer from participant.
``transcript``
    the transcript's file name, in the same folder as the register.
``synthetic``
    ``yes`` for the fictional demo study, ``no`` for real participants.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "participants.csv"
>>> _ = p.write_text(",".join(PARTICIPANT_COLUMNS) + "\\n"
...     "P01,meso,pp_csu_it,CSU,NHS,22,npfit|ccg,Interviewer,P01.txt,yes\\n")
>>> df = load_participants(p)
>>> df.loc[0, "tier"], int(df.loc[0, "years_in_nhs"])
('meso', 22)
>>> participant_eras(df)["era"].tolist()
['npfit', 'ccg']
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import paths
from .errors import DataError

PARTICIPANT_COLUMNS = [
    "participant_id", "tier", "position_practice", "organisation_type", "sector",
    "years_in_nhs", "eras", "interviewer_label", "transcript", "synthetic",
]

TIERS = ("macro", "meso", "micro")

#: The nine position-practice codes of the SST coding frame, section 2.2, codes 25-33
#: (/work/shared/reference/sst_coding_frame.md). Kept literal so that the register
#: validates without the codebook.
POSITION_PRACTICES = frozenset({
    "pp_national_exec", "pp_regional_prog", "pp_sha_it", "pp_csu_it",
    "pp_commiss_digital", "pp_trust_cio", "pp_gp_practice_mgr", "pp_clinician",
    "pp_supplier",
})

#: The era ids fixed for the whole compendium (data/raw/timeline/eras.csv), in time order.
ERA_IDS = ("imt", "ifh", "npfit", "ccg", "stp_ics", "icb")

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_YEARS = re.compile(r"\d{1,2}")


def load_participants(path: os.PathLike | str | None = None):
    """Read and validate a participants register.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; the demo study's register by default.

    Returns
    -------
    pandas.DataFrame
        :data:`PARTICIPANT_COLUMNS`, in file order; ``years_in_nhs`` as integers,
        everything else as strings.

    Raises
    ------
    DataError
        Wrong header, empty or malformed id, duplicate id, unknown tier, unknown
        position-practice, unknown or missing era, bad ``years_in_nhs``, empty
        interviewer label or transcript, ``synthetic`` not yes/no.
    """
    from .io import read_table, record_lines

    path = Path(path) if path is not None else paths.DEMO_STUDY / "participants.csv"
    df = read_table(path, required=PARTICIPANT_COLUMNS, allow_extra=False)
    df = df.loc[:, PARTICIPANT_COLUMNS]
    seen: dict[str, int] = {}
    for line, row in zip(record_lines(path, len(df)), df.itertuples(index=False)):

        def fail(reason: str):
            raise DataError(path, line, reason)

        pid = row.participant_id.strip()
        if not _ID.fullmatch(pid):
            fail(f"participant_id {row.participant_id!r} is not a pseudonymous id "
                 "(a letter, then letters, digits, '_' or '-')")
        if pid in seen:
            fail(f"duplicate participant_id {pid!r} (first on line {seen[pid]})")
        seen[pid] = line
        if row.tier not in TIERS:
            fail(f"unknown tier {row.tier!r}: expected one of {', '.join(TIERS)}")
        if row.position_practice not in POSITION_PRACTICES:
            fail(f"unknown position_practice {row.position_practice!r}: expected a pp_* "
                 "code of the SST frame")
        if not _YEARS.fullmatch(row.years_in_nhs.strip()):
            fail(f"years_in_nhs {row.years_in_nhs!r} is not a non-negative whole number")
        eras = row.eras.split("|") if row.eras else []
        if not eras:
            fail("eras is empty: give at least one era id")
        bad = [e for e in eras if e not in ERA_IDS]
        if bad:
            fail(f"unknown era {bad[0]!r}: expected ids from {', '.join(ERA_IDS)}")
        if len(set(eras)) != len(eras):
            fail(f"era listed twice in {row.eras!r}")
        if not row.interviewer_label.strip():
            fail("interviewer_label is empty")
        name = row.transcript.strip()
        if not name or "/" in name or "\\" in name or name in {".", ".."}:
            fail(f"transcript {row.transcript!r} is not a file name in this folder")
        if row.synthetic not in {"yes", "no"}:
            fail(f"synthetic {row.synthetic!r}: expected yes or no")
    df["participant_id"] = df["participant_id"].str.strip()
    df["transcript"] = df["transcript"].str.strip()
    df["years_in_nhs"] = df["years_in_nhs"].str.strip().astype("int64")
    return df


def participant_eras(participants, id_column: str = "participant_id",
                     eras_column: str = "eras"):
    """One row per participant and era worked through (the ``eras`` list made long).

    Returns a DataFrame with ``participant_id`` and ``era``, eras in the order given.
    """
    long = participants.loc[:, [id_column, eras_column]].copy()
    long["era"] = long[eras_column].str.split("|")
    long = long.explode("era", ignore_index=True)
    return long.loc[:, [id_column, "era"]].rename(columns={id_column: "participant_id"})


def register_paths() -> list[Path]:
    """The registers to validate: the demo study's, and the private one if present."""
    found = [paths.DEMO_STUDY / "participants.csv"]
    for candidate in (paths.PRIVATE / "participants.csv",
                      paths.PRIVATE / "interviews" / "participants.csv"):
        if candidate.is_file():
            found.append(candidate)
    return found


def validate_all(registers: list[Path] | None = None) -> list[DataError]:
    """Check each register and that each named transcript exists beside it.

    Returns the problems found (empty when all is well), at most one per register
    for its content and one per missing transcript, for ``python -m analysis validate``.
    """
    from .io import csv_line

    problems: list[DataError] = []
    for path in register_paths() if registers is None else registers:
        try:
            df = load_participants(path)
        except DataError as err:
            problems.append(err)
            continue
        for i, name in enumerate(df["transcript"]):
            if not (Path(path).parent / name).is_file():
                problems.append(DataError(path, csv_line(i), f"transcript {name!r} not found "
                                                             "beside the register"))
    return problems
