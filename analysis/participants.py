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
    which is how the transcript parser tells interviewer from participant; several
    joined by ``|``. Empty where a transcript has no interviewer of its own (a board
    meeting, a monologue): the parser's default role labels then apply.
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


def load_participants(path: os.PathLike | str | None = None, filled: tuple = ()):
    """Read and validate a participants register.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; the demo study's register by default.
    filled : tuple of str
        Columns the study's coding projects fill (``study.yml`` ``case_attributes``):
        they may be missing or empty here, ``tier`` included; the build fills and
        checks them (:func:`fill_register`).

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
    df = read_table(path, required=[c for c in REQUIRED_COLUMNS if c not in filled])
    if "tier" not in df.columns:
        df["tier"] = ""
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
        for column in ("tier", "position_practice", "years_in_nhs", "eras"):
            value = row.get(column, "")
            reason = None if value == "" and column in filled else check_value(column, value)
            if reason:
                fail(reason)
        name = row["transcript"].strip()
        if not name or "\\" in name or ".." in name.split("/") or name.startswith("/"):
            fail(f"transcript {row['transcript']!r} is not a file name in this folder")
        if "synthetic" in has and check_value("synthetic", row["synthetic"]):
            fail(check_value("synthetic", row["synthetic"]))
    df["participant_id"] = df["participant_id"].str.strip()
    df["transcript"] = df["transcript"].str.strip()
    if "years_in_nhs" in has and (df["years_in_nhs"].str.strip() != "").all():
        df["years_in_nhs"] = df["years_in_nhs"].str.strip().astype("int64")
    return df


def check_value(column: str, value: str) -> str | None:
    """Why ``value`` cannot stand in register column ``column``, or None when it can.

    An empty cell says "not recorded", except for ``tier``, which every participant has.

    >>> check_value("tier", "meso"), check_value("years_in_nhs", "")
    (None, None)
    >>> check_value("tier", "Senior")
    "unknown tier 'Senior': expected one of macro, meso, micro"
    """
    if column == "tier":
        if value not in TIERS:
            return f"unknown tier {value!r}: expected one of {', '.join(TIERS)}"
    elif column == "position_practice":
        if value and not _ID.fullmatch(value):
            return (f"position_practice {value!r} is not an id (a letter, then letters, "
                    "digits, '_' or '-')")
    elif column == "years_in_nhs":
        if value.strip() and not _YEARS.fullmatch(value.strip()):
            return f"years_in_nhs {value.strip()!r} is not a non-negative whole number"
    elif column == "eras":
        eras = value.split("|") if value else []
        bad = [e for e in eras if e not in ERA_IDS]
        if bad:
            return f"unknown era {bad[0]!r}: expected ids from {', '.join(ERA_IDS)}"
        if len(set(eras)) != len(eras):
            return f"era listed twice in {value!r}"
    elif column == "synthetic":
        if value not in {"yes", "no"}:
            return f"synthetic {value!r}: expected yes or no"
    return None


def fill_register(register, path: os.PathLike | str, values, same=None):
    """Fill register columns from the values the coding projects' cases give.

    Parameters
    ----------
    register : pandas.DataFrame
        From :func:`load_participants` (with ``filled``).
    path : path-like
        The register's file, for messages.
    values : pandas.DataFrame
        ``participant_id, column, value, project, case, variable``: one row per value a
        case gives a participant (``analysis.refi.case_values``), ``project`` the file.
    same : callable, optional
        The form in which a value already in the register is compared with the
        project's (the build passes the key's text rule: project values passed
        through the key).

    Returns
    -------
    (pandas.DataFrame, list of tuple)
        The register with the columns filled where it had no value (a ``tier``
        given as ``Meso`` reads as ``meso``), and import-report rows saying which
        columns came from which project.

    Raises
    ------
    DataError
        A value that contradicts the register (naming the register's line and the
        project's case), two cases that give one participant different values, a value
        that is not valid in its column, or a ``tier`` still empty.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "participants.csv"
    >>> _ = p.write_text("participant_id,transcript\\nP01,a.txt\\nP02,b.txt\\n")
    >>> reg = load_participants(p, filled=("tier",))
    >>> values = pd.DataFrame({"participant_id": ["P01", "P02"], "column": ["tier", "tier"],
    ...     "value": ["Meso", "micro"], "project": ["x.qdpx"] * 2, "case": ["P01", "P02"],
    ...     "variable": ["Tier", "Tier"]})
    >>> filled, rows = fill_register(reg, p, values)
    >>> filled["tier"].tolist(), rows[0][3]
    (['meso', 'micro'], "2 participant(s) from variable 'Tier' of x.qdpx")
    >>> values.loc[1, "value"] = "macro"
    >>> _ = fill_register(filled, p, values)
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: ...participants.csv:3: tier is 'micro' here but 'macro' in x.qdpx ...
    """
    from .io import record_lines

    path = Path(path)
    same = same or (lambda v: v)
    out = register.copy()
    line_of = dict(zip(out["participant_id"], record_lines(path, len(out))))
    given: dict[tuple[str, str], tuple] = {}
    counts: dict[str, dict] = {}
    for row in values.itertuples(index=False):
        value = str(row.value).strip()
        if row.column == "tier" and value.casefold() in TIERS:
            value = value.casefold()
        where = (row.project, f"case {row.case!r}")
        about = f"(case {row.case!r}, variable {row.variable!r})"
        reason = check_value(row.column, value)
        if reason:
            raise DataError(*where, f"{reason} (variable {row.variable!r}, which fills the "
                                    f"register's {row.column})")
        first = given.setdefault((row.participant_id, row.column), (value, row))
        if first[0] != value:
            other = first[1]
            raise DataError(*where, f"{row.column} of {row.participant_id} is {value!r} here "
                            f"but {first[0]!r} in {Path(str(other.project)).name} (case "
                            f"{other.case!r}, variable {other.variable!r})")
        if row.column not in out.columns:
            out[row.column] = ""
        at = out.index[out["participant_id"] == row.participant_id][0]
        current = out.at[at, row.column]
        current = "" if current is None or (current != current) else str(current).strip()
        counts.setdefault(row.column, {}).setdefault(
            (str(row.variable), Path(str(row.project)).name), set())
        if current:
            if same(current) != value:
                raise DataError(path, line_of[row.participant_id],
                                f"{row.column} is {current!r} here but {value!r} in "
                                f"{Path(str(row.project)).name} {about}")
            continue
        out[row.column] = out[row.column].astype(object)
        out.at[at, row.column] = value
        counts[row.column][(str(row.variable), Path(str(row.project)).name)].add(
            row.participant_id)
    if "tier" in out.columns:
        empty = out.index[out["tier"].astype(str).str.strip() == ""]
        if len(empty):
            pid = out.at[empty[0], "participant_id"]
            raise DataError(path, line_of[pid], "tier is empty and no case of the coding "
                            "projects gives it (study.yml case_attributes, e.g. tier: Tier)")
    rows = []
    for column, sources in counts.items():
        for (variable, project), pids in sorted(sources.items()):
            rows.append(("info", "participants", f"{column} from the coding project",
                         f"{len(pids)} participant(s) from variable {variable!r} of {project}"))
    return out, rows


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
            study = load_study(Path(path).parent)
            df = load_participants(path, filled=tuple(study.case_attributes))
            folder = study.transcripts
        except DataError as err:
            problems.append(err)
            continue
        for i, name in enumerate(df["transcript"]):
            if not (folder / name).is_file():
                problems.append(DataError(path, csv_line(i), f"transcript {name!r} not found "
                                          f"in {paths.relative(folder)}"))
    return problems
