"""The public record: national IT strategies, NHS reorganisations, body counts and eras.

Four hand-compiled CSV files in ``data/raw/timeline/`` (documented in its README) are
loaded and validated here, and turned into the measures the notebooks plot:

* :func:`load_strategies`, :func:`load_reorganisations`, :func:`load_body_counts`,
  :func:`load_eras` read one file each, check every row and add parsed dates;
  :func:`validate_all` checks all four and returns every problem found.
* :func:`era_of` names the era of any date.
* :func:`strategy_periods` and :func:`control_model_over_time` give when each
  strategy was in force and which control model dominated each year.
* :func:`turbulence` counts reorganisations affecting a tier in a rolling window.
* :func:`bodies_by_layer` gives the number of bodies per layer over time, for a
  step chart.

Dates are stored at the precision the sources give (``"1992-12"`` with precision
``month``); the loaders add ``*_date`` columns holding the first day of that period.
Tiers are a ``"|"``-joined string in the fixed order macro, meso, micro (for example
``"macro|meso"``); :func:`affects_tier` tests membership.

Examples
--------
>>> from analysis import timeline
>>> eras = timeline.load_eras()
>>> list(eras["era_id"])
['imt', 'ifh', 'npfit', 'ccg', 'stp_ics', 'icb']
>>> timeline.era_of(["2013-04-01", "1990"]).fillna("(before the eras)").tolist()
['ccg', '(before the eras)']
"""

from __future__ import annotations

import calendar
import os
import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import paths
from .errors import DataError
from .io import read_table, record_lines
from .schema import TIERS, check_choice

__all__ = [
    "STRATEGY_COLUMNS", "REORGANISATION_COLUMNS", "BODY_COUNT_COLUMNS", "ERA_COLUMNS",
    "CONFIDENCE", "PRECISIONS", "STRATEGY_TYPES", "CONTROL_MODELS", "ERA_IDS",
    "ERAS_CSV", "load_strategies", "load_reorganisations", "load_body_counts", "load_eras",
    "validate_all", "affects_tier", "era_of", "strategy_periods", "control_model_over_time",
    "turbulence", "bodies_by_layer", "MESO_LAYERS", "load_layer_ends", "layer_steps",
    "timeline_items",
]

#: The eras table sits beside the three fact tables.
ERAS_CSV = paths.ERAS_CSV

STRATEGY_COLUMNS = (
    "id", "title", "start", "start_precision", "start_detail", "end", "end_precision",
    "end_detail", "publishing_body", "type", "type_detail", "control_model", "tiers",
    "summary", "source_urls", "confidence", "confidence_detail", "notes",
)
REORGANISATION_COLUMNS = (
    "id", "name", "date", "date_precision", "date_detail", "trigger", "tiers", "tier_detail",
    "bodies_created", "bodies_abolished", "summary", "source_urls", "confidence",
    "confidence_detail", "notes",
)
BODY_COUNT_COLUMNS = (
    "year", "body_type", "tiers", "tier_detail", "layer", "scope", "count_low", "count_high",
    "count_detail", "source_urls", "confidence", "confidence_detail", "notes",
)
ERA_COLUMNS = (
    "era_id", "label", "start", "start_precision", "end", "end_precision", "defining_event",
    "notes",
)

CONFIDENCE = ("high", "medium", "low")
PRECISIONS = ("year", "month", "day")
STRATEGY_TYPES = ("strategy", "programme", "review", "plan", "legislation", "body")
#: From most central to most local.
CONTROL_MODELS = ("centralised procurement", "mixed", "local choice with national standards")
#: Fixed era ids shared with the interview data (participants.eras), in time order.
ERA_IDS = ("imt", "ifh", "npfit", "ccg", "stp_ics", "icb")

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PRECISION_OF_LENGTH = {4: "year", 7: "month", 10: "day"}
_URL = re.compile(r"https?://\S+")


# ---------------------------------------------------------------- cell checks
# Each returns the reason a cell is bad, or None; rows are checked one by one because
# the tables are small and each problem needs its own message and line.

def _check_date(row, column: str, required: bool) -> str | None:
    value, precision = row[column], row[f"{column}_precision"]
    if not value:
        if precision:
            return f"{column}_precision is {precision!r} but {column} is empty"
        return f"missing {column}" if required else None
    m = _ISO.fullmatch(value)
    if not m:
        return f"bad date {value!r} in column {column}: expected YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = (int(g) if g else None for g in m.groups())
    if month is not None and not 1 <= month <= 12:
        return f"bad date {value!r} in column {column}: no month {month}"
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"bad date {value!r} in column {column}: no day {day} in that month"
    if precision not in PRECISIONS:
        return (f"unknown {column}_precision {precision!r}: expected "
                f"{', '.join(PRECISIONS)}")
    if _PRECISION_OF_LENGTH[len(value)] != precision:
        return (f"{column}_precision {precision!r} does not match {column} {value!r} "
                f"(a {_PRECISION_OF_LENGTH[len(value)]})")
    return None


def _check_order(row) -> str | None:
    """An end must not fall before its start (compared at the end's precision)."""
    start, end = row["start"], row["end"]
    if not end or _check_date(row, "start", True) or _check_date(row, "end", False):
        return None  # nothing to compare, or already reported
    if _period_after(end) <= _first_day(start):
        return f"end {end!r} is before start {start!r}"
    return None


def _check_tiers(value: str) -> str | None:
    if not value:
        return "missing tiers"
    parts = value.split("|")
    unknown = [p for p in parts if p not in TIERS]
    if unknown:
        return f"unknown tier {unknown[0]!r}: expected {', '.join(TIERS)} joined by '|'"
    if list(parts) != [t for t in TIERS if t in parts]:
        return f"tiers {value!r} repeated or out of order: write them as macro|meso|micro"
    return None


def _check_sources(value: str) -> str | None:
    if not value.strip():
        return "missing source_urls: every row needs at least one source"
    for url in value.split(" | "):
        if not _URL.fullmatch(url):
            return (f"source_urls entry {url!r} is not a URL starting with http:// or "
                    "https:// (separate URLs with ' | ')")
    return None


def _check_choice(value: str, column: str, allowed: Sequence[str]) -> str | None:
    if value not in allowed:
        return f"unknown {column} {value!r}: expected {', '.join(allowed)}"
    return None


def _check_filled(value: str, column: str) -> str | None:
    return None if value.strip() else f"missing {column}"


def _check_count(value: str, column: str) -> str | None:
    if not re.fullmatch(r"\d+", value):
        return f"non-numeric {column} {value!r}: expected a whole number"
    if int(value) > np.iinfo(np.int64).max:  # the loader stores counts as int64
        return f"{column} {value!r} is too large to be a count"
    return None


def _strategy_problems(row) -> Iterable[str | None]:
    yield _check_filled(row["id"], "id")
    yield _check_filled(row["title"], "title")
    yield _check_date(row, "start", required=True)
    yield _check_date(row, "end", required=False)
    yield _check_order(row)
    yield _check_filled(row["publishing_body"], "publishing_body")
    yield _check_choice(row["type"], "type", STRATEGY_TYPES)
    yield _check_choice(row["control_model"], "control_model", CONTROL_MODELS)
    yield _check_tiers(row["tiers"])
    yield _check_sources(row["source_urls"])
    yield _check_choice(row["confidence"], "confidence", CONFIDENCE)


def _reorganisation_problems(row) -> Iterable[str | None]:
    yield _check_filled(row["id"], "id")
    yield _check_filled(row["name"], "name")
    yield _check_date(row, "date", required=True)
    yield _check_tiers(row["tiers"])
    yield _check_sources(row["source_urls"])
    yield _check_choice(row["confidence"], "confidence", CONFIDENCE)


def _body_count_problems(row) -> Iterable[str | None]:
    yield None if re.fullmatch(r"\d{4}", row["year"]) else (
        f"bad year {row['year']!r}: expected four digits")
    yield _check_filled(row["body_type"], "body_type")
    yield _check_tiers(row["tiers"])
    yield _check_filled(row["layer"], "layer")
    yield _check_filled(row["scope"], "scope")
    low, high = _check_count(row["count_low"], "count_low"), _check_count(
        row["count_high"], "count_high")
    yield low
    yield high
    if low is None and high is None and int(row["count_low"]) > int(row["count_high"]):
        yield f"count_low {row['count_low']} is greater than count_high {row['count_high']}"
    yield _check_sources(row["source_urls"])
    yield _check_choice(row["confidence"], "confidence", CONFIDENCE)


def _era_problems(row) -> Iterable[str | None]:
    yield _check_choice(row["era_id"], "era_id", ERA_IDS)
    yield _check_filled(row["label"], "label")
    yield _check_date(row, "start", required=True)
    yield _check_date(row, "end", required=False)
    yield _check_order(row)
    yield _check_filled(row["defining_event"], "defining_event")


# ---------------------------------------------------------------- reading

def _check_table(path, columns, problems, key) -> tuple[pd.DataFrame | None, list[DataError]]:
    """Read one table and collect one DataError per bad cell, in line order."""
    path = Path(path)
    try:
        df = read_table(path, required=columns, allow_extra=False)
    except DataError as exc:
        return None, [exc]
    df = df.loc[:, list(columns)]
    lines = record_lines(path, len(df))
    errors, seen = [], {}
    for line, row in zip(lines, df.to_dict("records")):
        errors += [DataError(path, line, reason) for reason in problems(row) if reason]
        k = tuple(row[c] for c in key)
        if k in seen:
            what = ", ".join(f"{c} {row[c]!r}" for c in key)
            errors.append(DataError(path, line, f"duplicate {what} (first on line {seen[k]})"))
        seen.setdefault(k, line)
    return df, errors


_FREQ_OF_LENGTH = {4: "Y", 7: "M", 10: "D"}


def _first_day(value: str) -> pd.Timestamp:
    """The first day of the period a date string names ("2018" -> 2018-01-01)."""
    return pd.Period(value, freq=_FREQ_OF_LENGTH[len(value)]).start_time


def _period_after(value: str) -> pd.Timestamp:
    """The first day after the period a date string names ("2018" -> 2019-01-01)."""
    return (pd.Period(value, freq=_FREQ_OF_LENGTH[len(value)]) + 1).start_time


def _dates(values: pd.Series) -> pd.Series:
    """First day of each ISO period string; empty strings become NaT."""
    return pd.to_datetime(values.where(values != "", None), format="ISO8601")


def _load(path, columns, problems, key) -> pd.DataFrame:
    """Read and check one table; raise its first problem."""
    df, errors = _check_table(path, columns, problems, key)
    if errors:
        raise errors[0]
    return df


def load_strategies(path: os.PathLike | str | None = None) -> pd.DataFrame:
    """Load and validate the national IT strategies table.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/raw/timeline/strategies.csv``.

    Returns
    -------
    pandas.DataFrame
        The :data:`STRATEGY_COLUMNS` as strings, plus ``start_date`` and ``end_date``
        (first day of the stated period; ``NaT`` when no end is given).

    Raises
    ------
    DataError
        The first bad cell, naming the file and line.

    Examples
    --------
    >>> s = load_strategies()
    >>> s.loc[s["id"] == "T1-01", ["start", "start_precision", "start_date"]].iloc[0].tolist()
    ['1992-12', 'month', Timestamp('1992-12-01 00:00:00')]
    """
    path = paths.STRATEGIES_CSV if path is None else path
    df = _load(path, STRATEGY_COLUMNS, _strategy_problems, ["id"])
    return df.assign(start_date=_dates(df["start"]), end_date=_dates(df["end"]))


def load_reorganisations(path: os.PathLike | str | None = None) -> pd.DataFrame:
    """Load and validate the structural reorganisations table (rows T2-*, incl. T2-IT*).

    Returns
    -------
    pandas.DataFrame
        The :data:`REORGANISATION_COLUMNS` as strings, plus ``event_date``: the first
        day of ``date`` (the date the change came into force, at its precision).

    Examples
    --------
    >>> r = load_reorganisations()
    >>> r.loc[r["id"] == "T2-16", ["date", "tiers", "event_date"]].iloc[0].tolist()
    ['2022-07-01', 'macro|meso', Timestamp('2022-07-01 00:00:00')]
    """
    path = paths.REORGANISATIONS_CSV if path is None else path
    df = _load(path, REORGANISATION_COLUMNS, _reorganisation_problems, ["id"])
    return df.assign(event_date=_dates(df["date"]))


def load_body_counts(path: os.PathLike | str | None = None) -> pd.DataFrame:
    """Load and validate the counts of bodies by tier and year.

    Returns
    -------
    pandas.DataFrame
        The :data:`BODY_COUNT_COLUMNS`; ``year``, ``count_low`` and ``count_high`` as
        integers (equal when the source gives one number), the rest as strings.

    Examples
    --------
    >>> b = load_body_counts()
    >>> ccg = b[(b["year"] == 2013) & (b["layer"] == "CCG")]
    >>> ccg[["count_low", "count_high"]].iloc[0].tolist()
    [211, 211]
    """
    path = paths.BODY_COUNTS_CSV if path is None else path
    df = _load(path, BODY_COUNT_COLUMNS, _body_count_problems, ["year", "body_type", "scope"])
    return df.astype({"year": "int64", "count_low": "int64", "count_high": "int64"})


def load_eras(path: os.PathLike | str | None = None) -> pd.DataFrame:
    """Load and validate the eras: the fixed :data:`ERA_IDS`, contiguous, end-exclusive.

    Returns
    -------
    pandas.DataFrame
        The :data:`ERA_COLUMNS` as strings plus ``start_date`` and ``end_date``
        (``NaT`` for the open-ended last era).

    Examples
    --------
    >>> e = load_eras()
    >>> e.loc[e["era_id"] == "npfit", ["start_date", "end_date"]].iloc[0].tolist()
    [Timestamp('2002-06-01 00:00:00'), Timestamp('2011-09-01 00:00:00')]
    """
    path = ERAS_CSV if path is None else path
    df = _load(path, ERA_COLUMNS, _era_problems, ["era_id"])
    errors = _era_sequence_problems(path, df)
    if errors:
        raise errors[0]
    return df.assign(start_date=_dates(df["start"]), end_date=_dates(df["end"]))


def _era_sequence_problems(path, df: pd.DataFrame) -> list[DataError]:
    """Eras must be the fixed ids in order, each starting where the previous ended."""
    if list(df["era_id"]) != list(ERA_IDS):
        return [DataError(path, None, f"eras must be {', '.join(ERA_IDS)} in this order; "
                                      f"found {', '.join(df['era_id'])}")]
    lines = record_lines(Path(path), len(df))
    errors = []
    for i in range(len(df) - 1):
        if df["end"].iloc[i] != df["start"].iloc[i + 1]:
            errors.append(DataError(path, lines[i + 1], (
                f"era {df['era_id'].iloc[i + 1]!r} starts {df['start'].iloc[i + 1]!r} but "
                f"the previous era ends {df['end'].iloc[i]!r}; eras must be contiguous")))
    if df["end"].iloc[-1]:
        errors.append(DataError(path, lines[-1], "the last era must be open (empty end)"))
    return errors


def validate_all(root: os.PathLike | str | None = None) -> list[DataError]:
    """Check the four timeline files and return every problem (empty list when valid).

    Parameters
    ----------
    root : path-like, optional
        The repository root (default :data:`analysis.paths.ROOT`); the files are read
        from its ``data/raw/timeline/``.

    Returns
    -------
    list of DataError
        One per problem, in file then line order: bad cells, duplicate keys, wrong
        headers, eras out of sequence, and era ``defining_event`` ids that name no
        strategy or reorganisation.

    Examples
    --------
    >>> validate_all()
    []
    """
    folder = paths.TIMELINE if root is None else (
        Path(root) / paths.TIMELINE.relative_to(paths.ROOT))
    errors: list[DataError] = []
    tables = {}
    for name, columns, problems, key in (
        ("strategies.csv", STRATEGY_COLUMNS, _strategy_problems, ["id"]),
        ("reorganisations.csv", REORGANISATION_COLUMNS, _reorganisation_problems, ["id"]),
        ("body_counts.csv", BODY_COUNT_COLUMNS, _body_count_problems,
         ["year", "body_type", "scope"]),
        ("eras.csv", ERA_COLUMNS, _era_problems, ["era_id"]),
    ):
        df, found = _check_table(folder / name, columns, problems, key)
        errors += found
        tables[name] = None if found else df
    errors += _layer_end_problems(folder / "layer_ends.csv", tables)
    eras = tables["eras.csv"]
    if eras is not None:
        path = folder / "eras.csv"
        errors += _era_sequence_problems(path, eras)
        facts = [tables["strategies.csv"], tables["reorganisations.csv"]]
        if all(df is not None for df in facts):  # otherwise the ids are unreliable
            known = set(facts[0]["id"]) | set(facts[1]["id"])
            lines = record_lines(path, len(eras))
            errors += [DataError(path, line, f"defining_event {event!r} is not an id in "
                                             "strategies.csv or reorganisations.csv")
                       for line, event in zip(lines, eras["defining_event"])
                       if event not in known]
    return errors


# ---------------------------------------------------------------- measures

def affects_tier(table: pd.DataFrame, tier: str, column: str = "tiers") -> pd.Series:
    """Boolean Series: does each row's ``"|"``-joined tiers include ``tier``?

    >>> t = pd.DataFrame({"tiers": ["macro|meso", "micro", "meso|micro"]})
    >>> affects_tier(t, "meso").tolist()
    [True, False, True]
    """
    check_choice("tier", tier, TIERS)
    return table[column].str.split("|").apply(lambda parts: tier in parts).astype(bool)


def era_of(dates, eras: pd.DataFrame | None = None) -> pd.Series:
    """The era id of each date (``<NA>`` before the first era).

    Parameters
    ----------
    dates : array-like or Series
        Timestamps, or ISO strings at any precision (``"2013"``, ``"2013-04"``,
        ``"2013-04-01"``; a partial date means its first day).
    eras : DataFrame, optional
        From :func:`load_eras` (the default).

    Returns
    -------
    pandas.Series
        String era ids, aligned with ``dates`` (its index when it is a Series);
        missing (NaN) for dates before the first era.

    Examples
    --------
    >>> era_of(pd.Series(["2002-05-31", "2002-06", "2030"])).tolist()
    ['ifh', 'npfit', 'icb']
    """
    eras = load_eras() if eras is None else eras
    values = dates if isinstance(dates, pd.Series) else pd.Series(list(dates))
    if pd.api.types.is_datetime64_any_dtype(values):
        when = values
    else:
        when = pd.to_datetime(values.astype("str"), format="ISO8601")
    eras = eras.sort_values("start_date")
    starts = eras["start_date"].to_numpy(dtype="datetime64[ns]")
    ends = eras["end_date"].to_numpy(dtype="datetime64[ns]")
    stamps = when.to_numpy(dtype="datetime64[ns]")
    i = np.searchsorted(starts, stamps, side="right") - 1
    j = np.clip(i, 0, None)
    inside = (i >= 0) & (np.isnat(ends[j]) | (stamps < ends[j])) & ~np.isnat(stamps)
    ids = np.where(inside, eras["era_id"].to_numpy(dtype=object)[j], None)
    return pd.Series(ids, index=values.index, dtype="str", name="era_id").where(inside)


def strategy_periods(strategies: pd.DataFrame, types: Sequence[str] | None = ("strategy",),
                     until=None) -> pd.DataFrame:
    """When each strategy was in force.

    A period runs from ``start_date`` to the stated ``end_date``; when none is given,
    to the start of the next selected strategy; for the last one, to ``until``.

    Parameters
    ----------
    strategies : DataFrame
        From :func:`load_strategies`.
    types : sequence of str or None
        Which ``type`` values to keep (default: strategies proper); None keeps all.
    until : date-like, optional
        End of open periods. Defaults to the latest date in ``strategies`` (never
        today, so that results do not change with the calendar).

    Returns
    -------
    pandas.DataFrame
        ``id, title, type, control_model, start_date, end_date, end_rule`` sorted by
        start; ``end_rule`` is ``stated``, ``next strategy`` or ``until``.

    Examples
    --------
    >>> p = strategy_periods(load_strategies())
    >>> p.loc[p["id"] == "T1-18", ["end_date", "end_rule"]].iloc[0].tolist()
    [Timestamp('2021-06-22 00:00:00'), 'next strategy']
    """
    if until is None:
        until = pd.concat([strategies["start_date"], strategies["end_date"]]).max()
    until = pd.Timestamp(until)
    chosen = strategies if types is None else strategies[strategies["type"].isin(types)]
    chosen = chosen.sort_values(["start_date", "id"], kind="stable")
    starts = chosen["start_date"].to_numpy()
    nxt = np.searchsorted(starts, starts, side="right")
    next_start = pd.Series(np.append(starts, np.datetime64("NaT"))[nxt], index=chosen.index)
    stated = chosen["end_date"].notna()
    end = chosen["end_date"].where(stated, next_start).fillna(until)
    rule = np.select([stated, next_start.notna()], ["stated", "next strategy"], "until")
    return pd.DataFrame({
        "id": chosen["id"], "title": chosen["title"], "type": chosen["type"],
        "control_model": chosen["control_model"], "start_date": chosen["start_date"],
        "end_date": end, "end_rule": pd.Series(rule, index=chosen.index, dtype="str"),
    }).reset_index(drop=True)


def control_model_over_time(strategies: pd.DataFrame,
                            types: Sequence[str] | None = ("strategy",),
                            years: Iterable[int] | None = None, until=None) -> pd.DataFrame:
    """How many strategies of each control model were in force in each calendar year.

    A strategy counts in a year when its period (from :func:`strategy_periods`)
    overlaps that year.

    Parameters
    ----------
    strategies : DataFrame
        From :func:`load_strategies`.
    types, until :
        Passed to :func:`strategy_periods`.
    years : iterable of int, optional
        Defaults to every year from the first start to the end of the last period.

    Returns
    -------
    pandas.DataFrame
        ``year, control_model, n_active, share`` for every year and every one of
        :data:`CONTROL_MODELS` (zeros included); ``share`` is the year's fraction
        (0 when nothing was in force).

    Examples
    --------
    >>> c = control_model_over_time(load_strategies(), years=[2005])
    >>> c.set_index("control_model")["n_active"].to_dict()
    {'centralised procurement': 1, 'mixed': 0, 'local choice with national standards': 0}
    """
    periods = strategy_periods(strategies, types=types, until=until)
    if years is None:
        years = range(periods["start_date"].min().year, periods["end_date"].max().year + 1)
    years = np.asarray(sorted(years), dtype=int)
    year_start = pd.to_datetime([f"{y}-01-01" for y in years]).to_numpy()
    year_after = pd.to_datetime([f"{y + 1}-01-01" for y in years]).to_numpy()
    start = periods["start_date"].to_numpy()[:, None]
    end = periods["end_date"].to_numpy()[:, None]
    active = (start < year_after[None, :]) & (end > year_start[None, :])  # periods x years
    counts = {model: active[(periods["control_model"] == model).to_numpy()].sum(axis=0)
              for model in CONTROL_MODELS}
    out = pd.DataFrame({
        "year": np.repeat(years, len(CONTROL_MODELS)),
        "control_model": pd.Series(list(CONTROL_MODELS) * len(years), dtype="str"),
        "n_active": np.column_stack([counts[m] for m in CONTROL_MODELS]).ravel(),
    })
    total = out.groupby("year")["n_active"].transform("sum")
    out["share"] = (out["n_active"] / total.where(total > 0)).fillna(0.0)
    return out


def turbulence(reorganisations: pd.DataFrame, window_years: int = 3, tier: str | None = "meso",
               step: str = "year", start=None, end=None) -> pd.DataFrame:
    """Reorganisations affecting a tier in a trailing window, step by step.

    The window of a period covers ``window_years`` years and ends with that period:
    with ``step="year"`` and ``window_years=3``, period 2013 counts events dated from
    2011-01-01 up to (not including) 2014-01-01. An event is dated by the first day
    of its ``date`` (``event_date``).

    Parameters
    ----------
    reorganisations : DataFrame
        From :func:`load_reorganisations`.
    window_years : int
        Window length in years (at least 1).
    tier : {"macro", "meso", "micro"} or None
        Count only events whose ``tiers`` include it; None counts all.
    step : {"year", "month"}
        One row per calendar year or per month.
    start, end : int or str, optional
        First and last period (``2011`` or ``"2011-04"``); default the years (or
        months) of the first and last counted event.

    Returns
    -------
    pandas.DataFrame
        ``period`` (str), ``year``, ``window_start``, ``window_end`` (exclusive),
        ``events_in_window`` and ``event_ids`` (``"|"``-joined, in date order).

    Examples
    --------
    >>> t = turbulence(load_reorganisations(), start=2013, end=2013)
    >>> t["events_in_window"].tolist(), t["event_ids"].tolist()
    ([2], ['T2-09|T2-10'])
    """
    check_choice("step", step, ("year", "month"))
    if int(window_years) != window_years or window_years < 1:
        raise ValueError(f"window_years must be a whole number >= 1, not {window_years!r}")
    events = reorganisations if tier is None else reorganisations[
        affects_tier(reorganisations, tier)]
    events = events.sort_values(["event_date", "id"], kind="stable")
    freq = "Y" if step == "year" else "M"
    if events.empty and (start is None or end is None):
        raise ValueError("no events to count: give start and end")
    first = pd.Period(str(start), freq=freq) if start is not None else (
        events["event_date"].iloc[0].to_period(freq))
    last = pd.Period(str(end), freq=freq) if end is not None else (
        events["event_date"].iloc[-1].to_period(freq))
    periods = pd.period_range(first, last, freq=freq)
    window_end = (periods + 1).start_time
    window_start = (periods - (window_years * (1 if step == "year" else 12) - 1)).start_time
    when = events["event_date"].to_numpy(dtype="datetime64[ns]")
    lo = np.searchsorted(when, window_start.to_numpy(dtype="datetime64[ns]"), side="left")
    hi = np.searchsorted(when, window_end.to_numpy(dtype="datetime64[ns]"), side="left")
    ids = events["id"].to_numpy(dtype=object)
    return pd.DataFrame({
        "period": pd.Series(periods.astype(str), dtype="str"),
        "year": periods.year.astype("int64"),
        "window_start": window_start,
        "window_end": window_end,
        "events_in_window": (hi - lo).astype("int64"),
        "event_ids": pd.Series(["|".join(ids[a:b]) for a, b in zip(lo, hi)], dtype="str"),
    })


def bodies_by_layer(body_counts: pd.DataFrame, tiers: Sequence[str] = ("meso",),
                    scope: str | None = "England") -> pd.DataFrame:
    """Number of bodies per layer and year, ready for a step chart.

    Rows whose tiers share any of ``tiers`` are kept; body types in the same layer
    and year are summed (e.g. ``regional office``). A layer's last count is the last
    one the sources give, not an abolition: the data hold no zero rows.

    Parameters
    ----------
    body_counts : DataFrame
        From :func:`load_body_counts`.
    tiers : sequence of str
        Tiers to keep (default: the meso tier).
    scope : str or None
        Keep only counts covering this area (default England); None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``layer, year, count_low, count_high, body_types`` sorted by layer and year.

    Examples
    --------
    >>> b = bodies_by_layer(load_body_counts())
    >>> b[b["layer"] == "SHA"][["year", "count_low"]].values.tolist()
    [[2002, 28], [2006, 10]]
    """
    for tier in tiers:
        check_choice("tier", tier, TIERS)
    keep = np.zeros(len(body_counts), dtype=bool)
    for tier in tiers:
        keep |= affects_tier(body_counts, tier).to_numpy()
    if scope is not None:
        keep &= (body_counts["scope"] == scope).to_numpy()
    chosen = body_counts[keep]
    out = (chosen.groupby(["layer", "year"], sort=True)
           .agg(count_low=("count_low", "sum"), count_high=("count_high", "sum"),
                body_types=("body_type", lambda s: "|".join(sorted(s))))
           .reset_index())
    return out.astype({"body_types": "str"})


# ---------------------------------------------------------------- layers for step charts

LAYER_END_COLUMNS = ("layer", "end", "end_precision", "reorganisation_id", "notes")

#: The meso-tier layers of the step chart, in the order the issue lists them.
MESO_LAYERS = ("RHA", "AHA/DHA/HA", "FPC/FHSA", "regional office", "SHA", "PCT", "CCG",
               "CSU", "STP", "ICS", "ICB", "region")


def _layer_end_row_problems(row) -> Iterable[str | None]:
    yield _check_filled(row["layer"], "layer")
    yield _check_date(row, "end", required=True)


def _layer_end_problems(path: Path, tables: dict) -> list[DataError]:
    """Bad cells in layer_ends.csv, and reorganisation ids or layers that do not exist."""
    df, errors = _check_table(path, LAYER_END_COLUMNS, _layer_end_row_problems, ["layer"])
    if errors or df is None:
        return errors
    lines = record_lines(path, len(df))
    reorgs, counts = tables.get("reorganisations.csv"), tables.get("body_counts.csv")
    for line, row in zip(lines, df.itertuples(index=False)):
        if reorgs is not None and row.reorganisation_id and \
                row.reorganisation_id not in set(reorgs["id"]):
            errors.append(DataError(path, line, f"reorganisation_id {row.reorganisation_id!r}"
                                                " is not an id in reorganisations.csv"))
        if counts is not None and row.layer not in set(counts["layer"]):
            errors.append(DataError(path, line, f"layer {row.layer!r} has no row in "
                                                "body_counts.csv"))
    return errors


def load_layer_ends(path: os.PathLike | str | None = None) -> pd.DataFrame:
    """When each layer of bodies ended, with the reorganisation that ended it.

    Adds ``end_date`` (first day of ``end`` at its precision). Layers absent from the
    file (CSUs, ICBs, regions) were still in place at the end of the data.

    >>> ends = load_layer_ends()
    >>> ends.set_index("layer").loc["SHA", "reorganisation_id"]
    'T2-10'
    """
    path = Path(paths.LAYER_ENDS_CSV if path is None else path)
    df, errors = _check_table(path, LAYER_END_COLUMNS, _layer_end_row_problems, ["layer"])
    if errors:
        raise errors[0]
    df = df.copy()
    df["end_date"] = _dates(df["end"])
    return df


def layer_steps(bodies: pd.DataFrame, layer_ends: pd.DataFrame, until=None,
                layers: Sequence[str] | None = MESO_LAYERS) -> pd.DataFrame:
    """Step-chart segments: each count holds from its year to the layer's next count or end.

    Parameters
    ----------
    bodies : DataFrame
        From :func:`bodies_by_layer` (``layer, year, count_low, count_high``).
    layer_ends : DataFrame
        From :func:`load_layer_ends`.
    until : date-like, optional
        Where open layers stop; default 1 January after the last year in ``bodies``.
    layers : sequence of str or None
        Layers to keep, in this order; None keeps every layer in ``bodies``.

    Returns
    -------
    pandas.DataFrame
        ``layer, start_date, end_date, count_low, count_high, end_rule`` where
        ``end_rule`` is ``next count``, ``abolished`` or ``open``.

    Examples
    --------
    >>> steps = layer_steps(bodies_by_layer(load_body_counts()), load_layer_ends())
    >>> sha = steps[steps["layer"] == "SHA"]
    >>> sha[["count_low", "end_rule"]].values.tolist()
    [[28, 'next count'], [10, 'abolished']]
    >>> str(sha["end_date"].iloc[-1].date())
    '2013-04-01'
    """
    if until is None:
        until = pd.Timestamp(f"{int(bodies['year'].max()) + 1}-01-01")
    until = pd.Timestamp(until)
    chosen = bodies if layers is None else bodies[bodies["layer"].isin(layers)]
    order = list(layers) if layers is not None else sorted(chosen["layer"].unique())
    ends = layer_ends.set_index("layer")["end_date"]
    rows = []
    for layer in order:
        part = chosen[chosen["layer"] == layer].sort_values("year")
        if part.empty:
            continue
        starts = pd.to_datetime(part["year"].astype(str) + "-01-01").tolist()
        end = ends.get(layer, pd.NaT)
        for i, r in enumerate(part.itertuples(index=False)):
            if i + 1 < len(starts):
                stop, rule = starts[i + 1], "next count"
            elif pd.notna(end):
                stop, rule = end, "abolished"
            else:
                stop, rule = until, "open"
            rows.append((layer, starts[i], stop, r.count_low, r.count_high, rule))
    return pd.DataFrame(rows, columns=["layer", "start_date", "end_date", "count_low",
                                       "count_high", "end_rule"]).astype(
        {"layer": "str", "end_rule": "str"})


def timeline_items(strategies: pd.DataFrame, types: Sequence[str] | None = None,
                   start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """Rows for the strategy timeline: strategies with their periods, the rest as given.

    Strategies proper take their end from :func:`strategy_periods` (stated, or the next
    strategy's start); other items keep their stated end, or none (a point in time).
    Items are kept when their span meets the years ``start``–``end``.

    >>> items = timeline_items(load_strategies(), types=["strategy"], start=2015, end=2019)
    >>> items["id"].tolist()
    ['T1-12', 'T1-18']
    """
    chosen = strategies if types is None else strategies[strategies["type"].isin(types)]
    periods = strategy_periods(strategies).set_index("id")["end_date"]
    is_strategy = chosen["type"] == "strategy"
    end_date = chosen["end_date"].where(~is_strategy, chosen["id"].map(periods))
    out = chosen.assign(end_date=end_date)[["id", "title", "type", "control_model",
                                            "start_date", "end_date"]]
    if start is not None:
        out = out[out["end_date"].fillna(out["start_date"]) >= pd.Timestamp(f"{start}-01-01")]
    if end is not None:
        out = out[out["start_date"] < pd.Timestamp(f"{end + 1}-01-01")]
    return out.reset_index(drop=True)
