"""Tests for analysis.query: retrieval of coded passages with citations.

Expected values come from the processed demo CSVs read with plain pandas in the test, or
are worked out by hand on the fixture study of tests/_study_fixture.py (a non-SST
codebook, one coder, tiers not named macro/meso/micro).
"""

import subprocess
import sys

import pandas as pd
import pytest

from _study_fixture import TEXT_A, TEXT_B, write as write_fixture
from analysis import paths, query
from analysis.processed import load_interviews

DEMO = paths.PROCESSED_INTERVIEWS


def _csv(name):
    return pd.read_csv(DEMO / name, dtype=str, keep_default_na=False)


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, cwd=cwd or paths.ROOT)


@pytest.fixture(scope="module")
def fixture_study(tmp_path_factory):
    return load_interviews(write_fixture(tmp_path_factory.mktemp("study") / "processed"))


def test_cli_mediation_meso_csv_matches_plain_pandas(tmp_path):
    out = tmp_path / "q.csv"
    res = _run("query", "--code", "th_mediation", "--tier", "meso", "--format", "csv",
               "--out", str(out))
    assert res.returncode == 0, res.stderr
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    # independent count: segments coded th_mediation (a leaf code) of meso participants
    seg, src, people = _csv("segments.csv"), _csv("sources.csv"), _csv("participants.csv")
    meso = set(src.merge(people, on="participant_id").query("tier == 'meso'")["source_id"])
    expected = seg[(seg["code_id"] == "th_mediation") & seg["source_id"].isin(meso)]
    assert len(got) == len(expected) > 0
    assert set(got["segment_id"]) == set(expected["segment_id"])
    assert set(got["tier"]) == {"meso"}
    # every quote verbatim at its offsets in the processed text
    for r in got.itertuples():
        text = (DEMO / "texts" / f"{r.source_id}.txt").read_bytes().decode("utf-8")
        assert text[int(r.start):int(r.end)] == r.text


def test_citations_name_the_turn_or_its_timestamp():
    hits = query.coded_passages(load_interviews(), codes=["th_mediation"], coders=["coder_a"])
    turns = _csv("turns.csv").astype({"start": int, "end": int, "turn": int})
    for r in hits.itertuples():
        # the turn is found independently: the one whose span holds the passage's start
        mine = turns[(turns["source_id"] == r.source_id) & (turns["start"] <= r.start)
                     & (r.start < turns["end"])]
        assert len(mine) == 1
        t = mine.iloc[0]
        assert r.turn == t["turn"] and r.role == t["role"]
        if t["timestamp"]:
            assert r.citation == f"{r.participant_id}, {t['timestamp'][:8]}"
        else:
            assert r.citation == f"{r.participant_id}, turn {t['turn']}"
    # the demo has both kinds of transcript (the .vtt/.srt ones carry timestamps)
    assert hits["timestamp"].ne("").any() and hits["timestamp"].eq("").any()


def test_a_parent_code_brings_its_children():
    codes = _csv("codes.csv")
    children = set(codes.loc[codes["parent_id"] == "sst_external", "code_id"])
    family = children | {"sst_external"}
    seg = _csv("segments.csv")
    hits = query.coded_passages(load_interviews(), codes=["sst_external"])
    assert len(hits) == int(seg["code_id"].isin(family).sum())
    assert len(children) == 4  # independent, sst_codebook.yml: four external sub-codes


def test_fixture_filters_hand_worked(fixture_study):
    s = fixture_study
    assert len(query.coded_passages(s, codes=["care"])) == 2  # care + care_home
    assert len(query.coded_passages(s, codes=["care"], include_children=False)) == 1
    assert list(query.coded_passages(s, tiers=["local"])["participant_id"].unique()) == ["R2"]
    assert list(query.coded_passages(s, position_practices=["manager"])["source_id"]
                .unique()) == ["IA"]
    assert list(query.coded_passages(s, pattern="NEVER")["code_id"]) == ["money"]
    assert len(query.coded_passages(s, participants=["R1"])) == 2
    assert len(query.coded_passages(s, coders=["somebody"])) == 0


def test_fixture_eras_by_anchor_and_by_participant(fixture_study):
    # anchor: only the care_home passage names a year (2006, inside the npfit era)
    anchored = query.coded_passages(fixture_study, eras=["npfit"])
    assert list(anchored["code_id"]) == ["care_home"]
    assert list(anchored["eras"]) == ["npfit"]
    # participant: R1 worked in the npfit era, so both of R1's passages
    by_person = query.coded_passages(fixture_study, eras=["npfit"], era_method="participant")
    assert sorted(by_person["code_id"]) == ["care_home", "money"]


def test_fixture_rows_and_citations(fixture_study):
    hits = query.coded_passages(fixture_study)
    assert list(hits.columns[:len(query.COLUMNS)]) == query.COLUMNS
    a = hits[hits["source_id"] == "IA"].iloc[0]
    # IA's passages lie in turn 2, stamped 00:01:40.250 in turns.csv -> whole seconds
    assert (a["turn"], a["role"], a["citation"]) == (2, "participant", "R1, 00:01:40")
    b = hits[hits["source_id"] == "IB"].iloc[0]
    assert (b["turn"], b["timestamp"], b["citation"]) == (2, "", "R2, turn 2")
    for r in hits.itertuples():
        assert r.text == {"IA": TEXT_A, "IB": TEXT_B}[r.source_id][r.start:r.end]


def test_cooccurring_codes_hand_worked(fixture_study):
    hits = query.coded_passages(fixture_study)
    co = dict(zip(zip(hits["source_id"], hits["code_id"]), query.cooccurring(hits,
                                                                           fixture_study.segments)))
    # in IA "money ran out" lies inside the care_home passage; in IB the two do not touch
    assert co == {("IA", "care_home"): "money", ("IA", "money"): "care_home",
                  ("IB", "care"): "", ("IB", "money"): ""}


def test_notebook_view_highlights_the_quote_in_its_turn(fixture_study):
    hits = query.coded_passages(fixture_study, codes=["money"], participants=["R2"])
    shown = hits._repr_html_()
    assert "Ben: Care was fine; <mark>money was never short</mark>." in shown
    assert "R2, turn 2" in shown


@pytest.mark.parametrize("fmt", ["csv", "md", "html", "docx"])
def test_every_format_carries_quotes_and_citations(fixture_study, tmp_path, fmt):
    import docx

    hits = query.coded_passages(fixture_study)
    out = tmp_path / f"q.{fmt}"
    query.write_passages(hits, fmt, out)
    if fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    else:
        text = out.read_text(encoding="utf-8")
    for r in hits.itertuples():
        assert r.citation in text
        assert r.text in text or (fmt == "html" and r.text.replace("'", "&#x27;") in text)


def test_cli_bad_input_is_one_error_line_and_no_file(tmp_path):
    out = tmp_path / "q.csv"
    res = _run("query", "--code", "th_nope", "--out", str(out))
    assert res.returncode == 2
    assert res.stderr.strip() == ("error: data/processed/interviews/codes.csv: "
                                  "unknown code(s) th_nope")
    assert not out.exists()
    res = _run("query", "--tier", "mezzo", "--out", str(out))
    assert res.returncode == 2 and "unknown tier(s) mezzo" in res.stderr
    res = _run("query", "--processed", str(tmp_path / "missing"))
    assert res.returncode == 2 and res.stderr.startswith("error: ")
    assert not out.exists()


def test_cli_on_another_processed_folder(fixture_study, tmp_path):
    out = tmp_path / "q.md"
    res = _run("query", "--processed", str(fixture_study.folder), "--code", "money",
               "--format", "md", "--out", str(out))
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert "R1, 00:01:40" in text and "R2, turn 2" in text
