"""Tests for analysis.timeline.

Two kinds of input:

* the shipped tables in data/raw/timeline/ (expected values counted by hand from
  those CSV files, as each comment says);
* small hand-made fixtures in tests/fixtures/timeline/: valid/ (a four-row strategies
  table etc., designed so the measures can be worked out on paper) and one bad file
  per kind of problem, each differing from the valid file in exactly one cell.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths, timeline
from analysis.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "timeline"
VALID = FIXTURES / "valid"

# Row ids of the three tables of the reference compilation (Tables 1, 2 and 3, as
# listed in data/raw/timeline/README.md), copied by hand.
REFERENCE_STRATEGY_IDS = [f"T1-{i:02d}" for i in range(1, 32)]  # T1-01 … T1-31
REFERENCE_REORGANISATION_IDS = [f"T2-{i:02d}" for i in range(1, 22)] + [
    "T2-IT1", "T2-IT2", "T2-IT3", "T2-IT4", "T2-IT5"]
# Table 3 has no id column: its rows are keyed by (year, body type).
REFERENCE_BODY_COUNT_KEYS = [
    (1974, "Regional health authorities"), (1974, "Area health authorities"),
    (1974, "Health districts (district management teams)"),
    (1982, "Regional health authorities"), (1982, "District health authorities"),
    (1982, "Family practitioner committees"), (1991, "NHS trusts"),
    (1991, "GP fundholding practices (first wave)"), (1992, "NHS trusts"),
    (1993, "NHS trusts"), (1994, "Regional health authorities"),
    (1994, "District health authorities"), (1994, "Family health services authorities"),
    (1994, "NHS trusts"), (1995, "District health authorities"), (1996, "Health authorities"),
    (1996, "NHS Executive regional offices"), (1999, "Primary care groups"),
    (1999, "NHS Executive regional offices"), (2000, "Primary care trusts"),
    (2001, "Primary care trusts"), (2002, "Health authorities (abolished)"),
    (2002, "Strategic health authorities"), (2002, "Primary care trusts"),
    (2002, "Directorates of Health and Social Care"), (2006, "Strategic health authorities"),
    (2006, "Primary care trusts"), (2011, "SHA clusters"),
    (2013, "Clinical commissioning groups"), (2013, "NHS England local area teams"),
    (2013, "Commissioning support units"), (2013, "Clinical senates"),
    (2013, "Health and wellbeing boards"), (2014, "CSU groupings (alliances)"),
    (2016, "STP footprints"), (2016, "Local Digital Roadmap footprints"),
    (2019, "Clinical commissioning groups"), (2019, "NHS England/NHS Improvement regions"),
    (2020, "Clinical commissioning groups"), (2020, "Integrated care systems (non-statutory)"),
    (2021, "Clinical commissioning groups"), (2021, "Integrated care systems (non-statutory)"),
    (2022, "Integrated care boards"), (2025, "ICB senior leadership teams (clusters)"),
    (2025, "NHS regions"), (2026, "ICBs in East of England"),
]


@pytest.fixture(scope="module")
def strategies():
    return timeline.load_strategies()


@pytest.fixture(scope="module")
def reorganisations():
    return timeline.load_reorganisations()


@pytest.fixture(scope="module")
def body_counts():
    return timeline.load_body_counts()


@pytest.fixture(scope="module")
def small():
    """The hand-made valid fixture tables."""
    return {
        "strategies": timeline.load_strategies(VALID / "strategies.csv"),
        "reorganisations": timeline.load_reorganisations(VALID / "reorganisations.csv"),
        "body_counts": timeline.load_body_counts(VALID / "body_counts.csv"),
    }


# ---------------------------------------------------------------- shipped data

def test_every_reference_row_is_present_exactly_once(strategies, reorganisations,
                                                      body_counts):
    assert list(strategies["id"]) == REFERENCE_STRATEGY_IDS
    assert list(reorganisations["id"]) == REFERENCE_REORGANISATION_IDS
    keys = list(zip(body_counts["year"], body_counts["body_type"]))
    assert keys == REFERENCE_BODY_COUNT_KEYS


def test_shipped_files_validate_cleanly():
    assert timeline.validate_all() == []


def test_load_strategies_parses_dates_at_source_precision(strategies):
    row = strategies.set_index("id").loc["T1-05"]
    # reference Table 1, T1-05: published "2002 (DG of NHS IT ... appointed 2002-09 ...)"
    assert (row["start"], row["start_precision"]) == ("2002", "year")
    assert row["start_date"] == pd.Timestamp("2002-01-01")
    assert row["start_detail"].startswith("2002 (DG of NHS IT Richard Granger")
    # T1-05 end: "Dismantling announced 2011-09-22 ...";
    # confidence: "high (dates); low (total cost)"
    assert row["end_date"] == pd.Timestamp("2011-09-22")
    assert (row["confidence"], row["confidence_detail"]) == (
        "high", "high (dates); low (total cost)")
    # T1-08 end is "n/a" in the reference: no end date
    assert pd.isna(strategies.set_index("id").loc["T1-08", "end_date"])


def test_strategy_vocabularies_cover_the_reference_rows(strategies):
    # reference Table 1 control_model column, read row by row: centralised procurement
    # T1-04, 05, 06 (3); local choice T1-01, 02, 07-13, 18, 20, 23 (12); mixed the
    # other 16 (T1-03, 14-17, 19, 21, 22, 24-31).
    counts = strategies["control_model"].value_counts().to_dict()
    assert counts == {"local choice with national standards": 12, "mixed": 16,
                      "centralised procurement": 3}
    # T1-06 "programme (delivery agency)" and T1-20 NHSX "programme (national digital
    # policy unit)" are bodies; the original is kept in type_detail.
    bodies = strategies[strategies["type"] == "body"]
    assert list(bodies["id"]) == ["T1-06", "T1-20"]
    assert bodies["type_detail"].str.startswith("programme").all()


def test_load_reorganisations_splits_tiers(reorganisations):
    r = reorganisations.set_index("id")
    # reference Table 2 tier_affected: T2-01 "macro+meso", T2-03 "micro+meso",
    # T2-04 "meso (regional)", T2-IT1 "macro (national IT body)"
    assert r.loc["T2-01", "tiers"] == "macro|meso"
    assert r.loc["T2-03", "tiers"] == "meso|micro"
    assert r.loc["T2-04", ["tiers", "tier_detail"]].tolist() == ["meso", "meso (regional)"]
    assert r.loc["T2-IT1", "tiers"] == "macro"
    # T2-14 in force "2018 (first ICSs); ..." -> year precision, first day of 2018
    assert (r.loc["T2-14", "date"], r.loc["T2-14", "date_precision"]) == ("2018", "year")
    assert r.loc["T2-14", "event_date"] == pd.Timestamp("2018-01-01")


def test_load_body_counts_splits_ranges(body_counts):
    b = body_counts.set_index(["year", "body_type"])
    # reference Table 3: 2000 PCTs "17-23 (April); 40 (October)"
    pct = b.loc[(2000, "Primary care trusts")]
    assert (pct["count_low"], pct["count_high"]) == (17, 23)
    assert pct["count_detail"] == "17-23 (April); 40 (October)"
    # 2016 LDR footprints "73 (reduced to 65 in autumn 2016)" -> 65 to 73
    ldr = b.loc[(2016, "Local Digital Roadmap footprints")]
    assert (ldr["count_low"], ldr["count_high"]) == (65, 73)
    # a single number: 2013 CCGs 211
    assert tuple(b.loc[(2013, "Clinical commissioning groups"),
                       ["count_low", "count_high"]]) == (211, 211)
    assert body_counts["count_low"].dtype == "int64"


def test_caveats_are_carried_into_notes(strategies, body_counts):
    # Contradictions table C3 (NPfIT end date) concerns T1-04, T1-05 and T1-08
    with_c3 = strategies.loc[strategies["notes"].str.contains("[C3]", regex=False), "id"]
    assert list(with_c3) == ["T1-04", "T1-05", "T1-08"]
    # C12 (CSUs 19 vs 23) concerns the 2013 CSU count
    csu = body_counts[(body_counts["year"] == 2013)
                      & (body_counts["body_type"] == "Commissioning support units")]
    assert "[C12]" in csu["notes"].iloc[0]


def test_load_eras_has_fixed_contiguous_eras():
    eras = timeline.load_eras()
    assert list(eras["era_id"]) == ["imt", "ifh", "npfit", "ccg", "stp_ics", "icb"]
    # the brief's era table: imt 1992-12 to 1998-09 ... icb 2022-07 onward
    assert list(eras["start"]) == ["1992-12", "1998-09", "2002-06", "2011-09", "2016-09",
                                   "2022-07"]
    assert list(eras["defining_event"]) == ["T1-01", "T1-02", "T1-04", "T1-08", "T1-15",
                                            "T2-16"]
    assert pd.isna(eras["end_date"].iloc[-1])


# ---------------------------------------------------------------- measures

def test_era_of_is_end_exclusive():
    dates = pd.Series(["1992-11-30", "1992-12", "2002-05-31", "2002-06-01", "2011-09",
                       "2022-06-30", "2022-07-01", "2100"], index=list("abcdefgh"))
    got = timeline.era_of(dates)
    # eras.csv boundaries: imt starts 1992-12; npfit starts 2002-06; ccg 2011-09; icb 2022-07
    assert got.index.tolist() == list("abcdefgh")
    assert got.fillna("-").tolist() == ["-", "imt", "ifh", "npfit", "ccg", "stp_ics", "icb",
                                        "icb"]


def test_era_of_outside_given_eras_is_missing():
    first_two = timeline.load_eras().iloc[:2]  # imt and ifh; ifh ends 2002-06 (eras.csv)
    got = timeline.era_of(["2002-05", "2002-06", "2005"], eras=first_two)
    assert got.fillna("-").tolist() == ["ifh", "-", "-"]


def test_era_of_accepts_timestamps():
    got = timeline.era_of(pd.to_datetime(pd.Series(["2016-08-31", "2016-09-01"])))
    assert got.tolist() == ["ccg", "stp_ics"]  # stp_ics starts 2016-09 (eras.csv)


def test_strategy_periods_small(small):
    p = timeline.strategy_periods(small["strategies"]).set_index("id")
    # worked by hand from valid/strategies.csv (type strategy: A1, A2, A4):
    # A1 2000 has no end -> next strategy A2 starts 2003-06-01
    assert p.loc["A1", ["end_date", "end_rule"]].tolist() == [pd.Timestamp("2003-06-01"),
                                                              "next strategy"]
    # A2 states its end 2005-03-31
    assert p.loc["A2", ["end_date", "end_rule"]].tolist() == [pd.Timestamp("2005-03-31"),
                                                              "stated"]
    # A4 is last: default until = latest date in the table = A4's start 2006-01-01
    assert p.loc["A4", ["end_date", "end_rule"]].tolist() == [pd.Timestamp("2006-01-01"),
                                                              "until"]
    assert "A3" not in p.index  # a programme
    assert timeline.strategy_periods(small["strategies"], types=None)["id"].tolist() == [
        "A1", "A2", "A3", "A4"]


def test_strategy_periods_shipped(strategies):
    p = timeline.strategy_periods(strategies).set_index("id")
    # strategies.csv, type strategy, by start: T1-01 T1-02 T1-03 T1-04 T1-07 T1-09 T1-12
    # T1-18 T1-22. T1-18 has no end -> T1-22 start 2021-06-22; T1-22 is last -> until =
    # latest date in the file (T1-31 start 2026-05-14).
    assert list(p.index) == ["T1-01", "T1-02", "T1-03", "T1-04", "T1-07", "T1-09", "T1-12",
                             "T1-18", "T1-22"]
    assert p.loc["T1-18", "end_date"] == pd.Timestamp("2021-06-22")
    assert p.loc["T1-22", "end_date"] == pd.Timestamp("2026-05-14")
    assert p.loc["T1-04", "end_date"] == pd.Timestamp("2011-09-22")


def test_control_model_over_time_small(small):
    c = timeline.control_model_over_time(small["strategies"], until="2007-06-30")
    wide = c.pivot(index="year", columns="control_model", values="n_active")
    # by hand from the periods above: A1 (central) 2000-2003, A2 (local) 2003-2005,
    # A4 (mixed) 2006-2007
    assert wide.index.tolist() == list(range(2000, 2008))
    assert wide["centralised procurement"].tolist() == [1, 1, 1, 1, 0, 0, 0, 0]
    assert wide["local choice with national standards"].tolist() == [0, 0, 0, 1, 1, 1, 0, 0]
    assert wide["mixed"].tolist() == [0, 0, 0, 0, 0, 0, 1, 1]
    share = c.set_index(["year", "control_model"])["share"]
    assert share[(2003, "centralised procurement")] == 0.5  # 1 of 2 in force in 2003


def test_control_model_over_time_all_types_and_empty_years(small):
    c = timeline.control_model_over_time(small["strategies"], types=None, years=[1999, 2004],
                                         until="2007-06-30")
    n = c.set_index(["year", "control_model"])["n_active"]
    # 2004: A2 (local) and A3 (mixed programme, 2004-02-10 until A4 starts 2006-01-01)
    assert n[(2004, "mixed")] == 1 and n[(2004, "local choice with national standards")] == 1
    # 1999: nothing in force; share is 0, not NaN
    assert n.loc[1999].sum() == 0
    assert c.loc[c["year"] == 1999, "share"].tolist() == [0.0, 0.0, 0.0]


def test_control_model_over_time_shipped(strategies):
    c = timeline.control_model_over_time(strategies, years=[2001, 2002, 2011])
    n = c.set_index(["year", "control_model"])["n_active"]
    # strategies.csv by hand: 2001 T1-02 (local, to 2002) and T1-03 (mixed);
    # 2002 T1-03 (mixed, to 2002-06) and T1-04 (central, from 2002-06);
    # 2011 T1-04 (central, to 2011-09-22) and T1-07 (local, 2010-10-18 to 2012-05-21)
    assert [n[(2001, m)] for m in timeline.CONTROL_MODELS] == [0, 1, 1]
    assert [n[(2002, m)] for m in timeline.CONTROL_MODELS] == [1, 1, 0]
    assert [n[(2011, m)] for m in timeline.CONTROL_MODELS] == [1, 0, 1]


def test_turbulence_small_meso_three_years(small):
    t = timeline.turbulence(small["reorganisations"], window_years=3, tier="meso",
                            start=1999, end=2005)
    # meso rows of valid/reorganisations.csv: R1 1999-04-01, R3 2001-10, R4 2002-04-01.
    # Windows of three calendar years ending with each year, counted by hand:
    assert t["year"].tolist() == list(range(1999, 2006))
    assert t["events_in_window"].tolist() == [1, 1, 2, 2, 2, 1, 0]
    assert t.loc[t["year"] == 2002, "event_ids"].item() == "R3|R4"
    assert t.loc[0, "window_start"] == pd.Timestamp("1997-01-01")
    assert t.loc[0, "window_end"] == pd.Timestamp("2000-01-01")


def test_turbulence_all_tiers_one_year(small):
    t = timeline.turbulence(small["reorganisations"], window_years=1, tier=None)
    # every row counted in its own year; default span = first to last event (1999-2005)
    assert t["events_in_window"].tolist() == [1, 1, 1, 1, 0, 0, 1]


def test_turbulence_monthly(small):
    t = timeline.turbulence(small["reorganisations"], window_years=1, step="month",
                            start="2001-09", end="2002-04")
    got = dict(zip(t["period"], t["events_in_window"]))
    # window of 12 months ending with the month: R3 (2001-10-01) enters in 2001-10,
    # R4 (2002-04-01) in 2002-04
    assert got["2001-09"] == 0 and got["2001-10"] == 1 and got["2002-03"] == 1
    assert got["2002-04"] == 2


def test_turbulence_shipped_meso(reorganisations):
    t = timeline.turbulence(reorganisations, window_years=3, tier="meso").set_index("year")
    # counted by hand from reorganisations.csv, rows whose tiers include meso:
    # 2011-2013 window: T2-09 (2011-10), T2-10 (2013-04-01) -> 2
    assert t.loc[2013, "events_in_window"] == 2
    # 2016-2018: T2-12 (2016-03-15), T2-14 (2018), T2-13 (2018-04-01) -> 3; T2-11 is macro
    assert t.loc[2018, "events_in_window"] == 3
    assert t.loc[2018, "event_ids"] == "T2-12|T2-14|T2-13"
    # 2024-2026: T2-19 (2025-04-01), T2-21 (2025-09), T2-20 (2026-04-01) -> 3
    assert t.loc[2026, "events_in_window"] == 3
    # 1977-1979: nothing between T2-01 (1974) and T2-02 (1982)
    assert t.loc[1979, "events_in_window"] == 0
    assert t.index.min() == 1974 and t.index.max() == 2026


@pytest.mark.parametrize("kwargs", [{"step": "week"}, {"window_years": 0},
                                    {"window_years": 1.5}, {"tier": "mezzo"}])
def test_turbulence_rejects_bad_parameters(small, kwargs):
    with pytest.raises(ValueError):
        timeline.turbulence(small["reorganisations"], **kwargs)


def test_bodies_by_layer_small(small):
    b = timeline.bodies_by_layer(small["body_counts"])
    # valid/body_counts.csv, meso rows in England, summed per layer and year by hand:
    # PCT 2000 17-23 (the 2001 North row is out of scope); RHA 1990 14, 1995 8;
    # regional office 1996 = offices 8 + directorates 4 = 12
    assert b[["layer", "year", "count_low", "count_high"]].values.tolist() == [
        ["PCT", 2000, 17, 23], ["RHA", 1990, 14, 14], ["RHA", 1995, 8, 8],
        ["regional office", 1996, 12, 12]]
    assert b.loc[b["layer"] == "regional office", "body_types"].item() == (
        "Regional directorates|Regional offices")
    micro = timeline.bodies_by_layer(small["body_counts"], tiers=("micro",), scope=None)
    assert micro[["layer", "year", "count_low"]].values.tolist() == [["trust", 2000, 300]]


def test_bodies_by_layer_shipped(body_counts):
    b = timeline.bodies_by_layer(body_counts)
    ccg = b[b["layer"] == "CCG"]
    # body_counts.csv: CCGs 211 (2013), 191 (2019), 135 (2020), 106 (2021)
    assert ccg[["year", "count_low"]].values.tolist() == [[2013, 211], [2019, 191],
                                                          [2020, 135], [2021, 106]]
    # the East of England 2026 row is out of scope: ICB layer has only 2022 (42)
    assert b.loc[b["layer"] == "ICB", ["year", "count_low"]].values.tolist() == [[2022, 42]]


def test_affects_tier_matches_whole_names():
    t = pd.DataFrame({"tiers": ["macro|meso", "micro", "meso|micro", "macro"]})
    assert timeline.affects_tier(t, "micro").tolist() == [False, True, True, False]
    with pytest.raises(ValueError):
        timeline.affects_tier(t, "mes")


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("name, loader, line, reason", [
    # each fixture differs from valid/ in the one cell named here
    ("bad_date_strategies.csv", "strategies", 5, "bad date '2013-13' in column start"),
    ("bad_precision_strategies.csv", "strategies", 3,
     "start_precision 'day' does not match start '2003-06'"),
    ("end_before_start_strategies.csv", "strategies", 3, "end '2002' is before start"),
    ("bad_url_strategies.csv", "strategies", 4, "'www.example.org/a3' is not a URL"),
    ("duplicate_id_strategies.csv", "strategies", 4, "duplicate id 'A1' (first on line 2)"),
    ("unknown_tier_reorganisations.csv", "reorganisations", 4, "unknown tier 'mezzo'"),
    ("missing_source_reorganisations.csv", "reorganisations", 5, "missing source_urls"),
    # a quoted note spans lines 3-4, so R3's bad tier order is on line 5, not 4
    ("multiline_reorganisations.csv", "reorganisations", 5, "tiers 'meso|macro'"),
    ("bad_confidence_body_counts.csv", "body_counts", 7, "unknown confidence 'certain'"),
    ("wrong_header_body_counts.csv", "body_counts", 1, "header lacks column(s) count_low"),
    ("count_order_body_counts.csv", "body_counts", 3,
     "count_low 30 is greater than count_high 20"),
    ("count_text_body_counts.csv", "body_counts", 7, "non-numeric count_low 'about 300'"),
    ("gap_eras.csv", "eras", 5, "era 'ccg' starts '2011-10'"),
])
def test_bad_input_raises_one_clear_data_error(name, loader, line, reason):
    with pytest.raises(DataError) as info:
        getattr(timeline, f"load_{loader}")(FIXTURES / name)
    err = info.value
    assert err.line == line
    assert reason in err.reason
    assert str(err).startswith(f"tests/fixtures/timeline/{name}:{line}: ")


def test_binary_or_missing_file_is_a_data_error(tmp_path):
    blob = tmp_path / "strategies.csv"
    blob.write_bytes(b"\x00\x01PK\x03\x04")
    with pytest.raises(DataError, match="binary"):
        timeline.load_strategies(blob)
    with pytest.raises(DataError, match="file not found"):
        timeline.load_eras(tmp_path / "eras.csv")


def _timeline_copy(tmp_path: Path, replace: dict[str, str] | None = None) -> Path:
    """A repository root in tmp_path holding the valid fixtures (some replaced)."""
    folder = tmp_path / paths.TIMELINE.relative_to(paths.ROOT)
    folder.mkdir(parents=True)
    for name in ("strategies.csv", "reorganisations.csv", "body_counts.csv", "eras.csv",
                 "layer_ends.csv"):
        shutil.copy(FIXTURES / (replace or {}).get(name, f"valid/{name}"), folder / name)
    return tmp_path


def test_validate_all_accepts_the_valid_fixtures(tmp_path):
    assert timeline.validate_all(_timeline_copy(tmp_path)) == []


def test_validate_all_collects_problems_across_files(tmp_path):
    root = _timeline_copy(tmp_path, {"strategies.csv": "bad_date_strategies.csv",
                                     "body_counts.csv": "count_text_body_counts.csv",
                                     "eras.csv": "gap_eras.csv"})
    errors = timeline.validate_all(root)
    where = [(Path(e.path).name, e.line) for e in errors]
    # one error per bad file, in file order (each fixture has exactly one bad cell)
    assert where == [("strategies.csv", 5), ("body_counts.csv", 7), ("eras.csv", 5)]
    assert all(isinstance(e, DataError) for e in errors)


def test_validate_all_reports_every_problem_in_one_file(tmp_path):
    root = _timeline_copy(tmp_path, {"strategies.csv": "end_before_start_strategies.csv"})
    strategies = root / paths.TIMELINE.relative_to(paths.ROOT) / "strategies.csv"
    strategies.write_text(strategies.read_text().replace(",mixed,macro|micro,",
                                                         ",mixed,macro|mezzo,"))
    errors = timeline.validate_all(root)
    # line 3: A2 ends 2002 before its 2003-06 start (the fixture); line 4: A3's tier (edited)
    assert [(e.line, e.reason.split(":")[0]) for e in errors] == [
        (3, "end '2002' is before start '2003-06'"), (4, "unknown tier 'mezzo'")]


def test_validate_all_checks_era_defining_events(tmp_path):
    root = _timeline_copy(tmp_path)
    eras = root / paths.TIMELINE.relative_to(paths.ROOT) / "eras.csv"
    eras.write_text(eras.read_text().replace(",R4,Open-ended.", ",T9-99,Open-ended."))
    errors = timeline.validate_all(root)
    # the icb row is line 7 of eras.csv (header + 6 eras)
    assert [(e.line, e.reason) for e in errors] == [
        (7, "defining_event 'T9-99' is not an id in strategies.csv or reorganisations.csv")]


def test_validate_all_reports_a_missing_file(tmp_path):
    root = _timeline_copy(tmp_path)
    (root / paths.TIMELINE.relative_to(paths.ROOT) / "reorganisations.csv").unlink()
    errors = timeline.validate_all(root)
    assert [(Path(e.path).name, e.line, e.reason) for e in errors] == [
        ("reorganisations.csv", None, "file not found")]


def test_layer_ends_must_name_real_reorganisations_and_layers(tmp_path):
    root = _timeline_copy(tmp_path)
    ends = root / paths.TIMELINE.relative_to(paths.ROOT) / "layer_ends.csv"
    ends.write_text(ends.read_text().replace("RHA,1996-04-01,day,R1", "RHA,1996-04-01,day,R9")
                    + "Ghost,2001,year,,\n")
    errors = timeline.validate_all(root)
    # line 2: R9 is not in the fixture's reorganisations (R1-R5); line 4: no "Ghost" layer
    assert [(e.line, e.reason) for e in errors] == [
        (2, "reorganisation_id 'R9' is not an id in reorganisations.csv"),
        (4, "layer 'Ghost' has no row in body_counts.csv")]


def test_layer_steps_hold_each_count_until_the_next_or_the_end():
    bodies = pd.DataFrame({"layer": ["SHA", "SHA", "CSU"], "year": [2002, 2006, 2013],
                           "count_low": [28, 10, 19], "count_high": [28, 10, 19]})
    ends = pd.DataFrame({"layer": ["SHA"], "end_date": [pd.Timestamp("2013-04-01")]})
    steps = timeline.layer_steps(bodies, ends, until="2026-01-01", layers=["SHA", "CSU"])
    # By hand: SHA 28 from 2002 to the 2006 count, 10 from 2006 to abolition 2013-04-01;
    # CSU 19 from 2013, open to `until`.
    assert steps[["layer", "count_low", "end_rule"]].values.tolist() == [
        ["SHA", 28, "next count"], ["SHA", 10, "abolished"], ["CSU", 19, "open"]]
    assert [str(d.date()) for d in steps["end_date"]] == ["2006-01-01", "2013-04-01",
                                                          "2026-01-01"]
