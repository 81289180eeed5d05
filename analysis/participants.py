"""The participants register: who was interviewed, from which tier and position.

One row per participant (one interview each; the interview's ``source_id`` is the
``participant_id``). The register is pseudonymous: ids like ``P01``, never names.
It is validated like the timeline files: every problem is a
:class:`~analysis.errors.DataError` naming the file and its line.

Only ``participant_id``, ``tier`` and ``transcript`` are required
(:data:`REQUIRED_COLUMNS`); the other columns of :data:`PARTICIPANT_COLUMNS` are
optional and validated when present, and any further columns are kept as they are.

Columns (:data:`PARTICIPANT_COLUMNS`):

``participant_id``
    pseudonymous id (letters, digits, ``_`` or ``-``), unique.
``tier``
    ``macro`` (national), ``meso`` (intermediate tier) or ``micro`` (providers).
``position_practice``
    an id such as the ``pp_*`` codes of the SST coding frame (empty when not recorded).
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
    the transcript's file name, relative to the study's transcript folder.
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
from .schema import TIERS

PARTICIPANT_COLUMNS = [
    "participant_id", "tier", "position_practice", "organisation_type", "sector",
    "years_in_nhs", "eras", "interviewer_label", "transcript", "synthetic",
]

#: The only columns a register must have; the others are optional.
REQUIRED_COLUMNS = ["participant_id", "tier", "transcript"]


#: The nine position-practice codes of the SST coding frame, section 2.2, codes 25-33
#: (listed in data/raw/codebook/README.md). Kept literal so that the register
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
    df = read_table(path, required=REQUIRED_COLUMNS)
    # known columns in the order of PARTICIPANT_COLUMNS, then the researcher's own
    known = [c for c in PARTICIPANT_COLUMNS if c in df.columns]
    df = df.loc[:, known + [c for c in df.columns if c not in PARTICIPANT_COLUMNS]]
    has = set(df.columns)
    seen: dict[str, int] = {}
    for line, row in zip(record_lines(path, len(df)), df.to_dict("records")):

        def fail(reason: str):
            raise DataError(path, line, reason)

        pid = row["participant_id"].strip()
        if not _ID.fullmatch(pid):
            fail(f"participant_id {row['participant_id']!r} is not a pseudonymous id "
                 "(a letter, then letters, digits, '_' or '-')")
        if pid in seen:
            fail(f"duplicate participant_id {pid!r} (first on line {seen[pid]})")
        seen[pid] = line
        if row["tier"] not in TIERS:
            fail(f"unknown tier {row['tier']!r}: expected one of {', '.join(TIERS)}")
        # optional columns: an empty cell says "not recorded"; a filled one must be sound
        pp = row.get("position_practice", "")
        if pp and not _ID.fullmatch(pp):
            fail(f"position_practice {pp!r} is not an id (a letter, then letters, digits, "
                 "'_' or '-')")
        years = row.get("years_in_nhs", "").strip()
        if years and not _YEARS.fullmatch(years):
            fail(f"years_in_nhs {years!r} is not a non-negative whole number")
        eras = row["eras"].split("|") if row.get("eras") else []
        bad = [e for e in eras if e not in ERA_IDS]
        if bad:
            fail(f"unknown era {bad[0]!r}: expected ids from {', '.join(ERA_IDS)}")
        if len(set(eras)) != len(eras):
            fail(f"era listed twice in {row['eras']!r}")
        if "interviewer_label" in has and not row["interviewer_label"].strip():
            fail("interviewer_label is empty")
        name = row["transcript"].strip()
        if not name or "\\" in name or ".." in name.split("/") or name.startswith("/"):
            fail(f"transcript {row['transcript']!r} is not a file name in this folder")
        if "synthetic" in has and row["synthetic"] not in {"yes", "no"}:
            fail(f"synthetic {row['synthetic']!r}: expected yes or no")
    df["participant_id"] = df["participant_id"].str.strip()
    df["transcript"] = df["transcript"].str.strip()
    if "years_in_nhs" in has and (df["years_in_nhs"].str.strip() != "").all():
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
    if (paths.PRIVATE / "participants.csv").is_file():
        found.append(paths.PRIVATE / "participants.csv")
    return found


def validate_all(registers: list[Path] | None = None) -> list[DataError]:
    """Check each register and that each named transcript exists beside it.

    Returns the problems found (empty when all is well), at most one per register
    for its content and one per missing transcript, for ``python -m analysis validate``.
    """
    from .io import csv_line
    from .study import load_study

    problems: list[DataError] = []
    for path in register_paths() if registers is None else registers:
        try:
            df = load_participants(path)
            folder = load_study(Path(path).parent).transcripts
        except DataError as err:
            problems.append(err)
            continue
        for i, name in enumerate(df["transcript"]):
            if not (folder / name).is_file():
                problems.append(DataError(path, csv_line(i), f"transcript {name!r} not found "
                                          f"in {paths.relative(folder)}"))
    return problems
