"""Tests of analysis.alignment.

The frames are small and hand-made; every expected value was worked out by hand from
them (the arithmetic is in the comments). The Jensen–Shannon divergence is also checked
against SciPy (``jensenshannon(p, q, base=2) ** 2``), and character-level precision and
recall against the 2 × 2 counts of :func:`analysis.reliability.coding_units`, an
independent implementation of character coverage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import alignment as al
from analysis.dictionary_trust import dictionary_vs_human
from analysis.errors import DataError

CODES = ["th_funding", "th_central_local", "th_data_ig"]


def segs(rows, columns=("source_id", "code_id", "start", "end")):
    return pd.DataFrame(rows, columns=list(columns))


# --------------------------------------------------------------------------- profiles

PRACTICE = segs([
    # P01 (meso): funding twice (one span coded by both coders, counted once), central once.
    ("P01", "meso", "th_funding", 0, 10, "A"),
    ("P01", "meso", "th_funding", 0, 10, "B"),
    ("P01", "meso", "th_funding", 5, 20, "A"),
    ("P01", "meso", "th_central_local", 30, 40, "A"),
    # P02 (meso): central only.
    ("P02", "meso", "th_central_local", 0, 30, "A"),
    # P03 (micro): data once; a level code, outside the theme facet, is ignored.
    ("P03", "micro", "th_data_ig", 0, 5, "A"),
    ("P03", "micro", "lvl_meso", 0, 5, "A"),
], columns=("source_id", "tier", "code_id", "start", "end", "coder"))


def test_profile_share_pooled_by_tier():
    out = al.theme_profile(PRACTICE, by="tier", codes=CODES)
    assert out.columns.tolist() == ["tier", *al.PROFILE_COLUMNS]
    meso = out[out.tier == "meso"].set_index("code_id")
    # meso distinct spans: funding (0,10), (5,20) = 2; central (P01 30-40, P02 0-30) = 2;
    # data 0 -> shares 2/4, 2/4, 0.
    assert meso["n_segments"].to_dict() == {"th_funding": 2, "th_central_local": 2,
                                            "th_data_ig": 0}
    assert meso["share"].to_dict() == {"th_funding": 0.5, "th_central_local": 0.5,
                                       "th_data_ig": 0.0}
    # units with the code: funding only P01; central P01 and P02.
    assert meso["n_units"].to_dict() == {"th_funding": 1, "th_central_local": 2,
                                         "th_data_ig": 0}
    # funding characters: union of 0-10 and 5-20 = 20; central 10 + 30 = 40.
    assert meso["n_chars"].to_dict() == {"th_funding": 20, "th_central_local": 40,
                                         "th_data_ig": 0}
    micro = out[out.tier == "micro"].set_index("code_id")["share"]
    assert micro.to_dict() == {"th_funding": 0.0, "th_central_local": 0.0, "th_data_ig": 1.0}
    # every group x code, codes in the order given, tiers macro-meso-micro.
    assert out["code_id"].tolist() == CODES * 2
    assert out["tier"].tolist() == ["meso"] * 3 + ["micro"] * 3


def test_profile_coverage_and_equal_weighting():
    meso = PRACTICE[PRACTICE.tier == "meso"]
    cov = al.theme_profile(meso, codes=CODES, measure="coverage").set_index("code_id")["share"]
    # coded characters: funding 20, central 40 -> 20/60 and 40/60.
    assert cov.to_dict() == {"th_funding": 0.333333, "th_central_local": 0.666667,
                             "th_data_ig": 0.0}
    equal = al.theme_profile(meso, codes=CODES, weighting="equal").set_index("code_id")["share"]
    # P01's own profile: funding 2/3, central 1/3; P02's: central 1.
    # Mean: funding (2/3 + 0)/2 = 1/3; central (1/3 + 1)/2 = 2/3.
    assert equal.to_dict() == {"th_funding": 0.333333, "th_central_local": 0.666667,
                               "th_data_ig": 0.0}
    # Pooled share is 2/4 = 0.5 (previous test): the weighting matters.


def test_profile_codes_from_codes_table_and_facet():
    table = pd.DataFrame({"code_id": ["th", "th_funding", "th_data_ig", "lvl_meso"],
                          "facet": ["theme", "theme", "theme", "level"],
                          "codable": [False, True, True, True]})
    out = al.theme_profile(PRACTICE, codes=table, facet="level")
    # only lvl_meso is a codable level code; its one segment is all of the level coding.
    assert out[["code_id", "n_segments", "share"]].values.tolist() == [["lvl_meso", 1, 1.0]]
    themes = al.theme_profile(PRACTICE, codes=table)
    assert themes["code_id"].tolist() == ["th_funding", "th_data_ig"]


def test_profile_with_repository_codebook_default():
    # With no codes, the theme codes of the shipped codebook are profiled.
    out = al.theme_profile(PRACTICE)
    assert set(out["code_id"]) >= {"th_funding", "th_central_local", "th_data_ig"}
    assert out["code_id"].str.startswith("th_").all()
    assert out["share"].sum() == pytest.approx(1.0)


def test_profile_empty_and_bad_input():
    empty = al.theme_profile(PRACTICE.iloc[:0], by="tier", codes=CODES)
    assert empty.empty and empty.columns.tolist() == ["tier", *al.PROFILE_COLUMNS]
    bad = PRACTICE.astype({"start": object})
    bad.loc[2, "start"] = "x"
    with pytest.raises(DataError, match=r"segments:4: start 'x'"):  # row 2 -> line 4
        al.theme_profile(bad, codes=CODES)
    no_tier = PRACTICE.copy()
    no_tier.loc[4, "tier"] = ""
    with pytest.raises(DataError, match=r"segments:6: no tier for source 'P02'"):
        al.theme_profile(no_tier, by="tier", codes=CODES)
    with pytest.raises(DataError, match=r"lacks column\(s\) era_id"):
        al.theme_profile(PRACTICE, by="era_id", codes=CODES)
    with pytest.raises(DataError, match=r"end 40 is beyond the text of 'P01'"):
        al.theme_profile(PRACTICE, codes=CODES,
                         texts={"P01": "x" * 20, "P02": "x" * 30, "P03": "x" * 5})
    with pytest.raises(ValueError, match="measure"):
        al.theme_profile(PRACTICE, codes=CODES, measure="words")


# --------------------------------------------------------------------------- divergence

def test_jensen_shannon_bounds_and_hand_value():
    assert al.jensen_shannon([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0  # identical
    disjoint = al.jensen_shannon([0.5, 0.5, 0, 0], [0, 0, 0.3, 0.7])
    assert disjoint == pytest.approx(1.0, abs=1e-12)
    # p = (1/2, 1/2), q = (1, 0), m = (3/4, 1/4):
    # KL(p||m) = 1/2 log2(2/3) + 1/2 log2(2) = 0.2075187; KL(q||m) = log2(4/3) = 0.4150375;
    # JS = (0.2075187 + 0.4150375) / 2 = 0.3112781.
    assert al.jensen_shannon([0.5, 0.5], [1, 0]) == pytest.approx(0.3112781, abs=1e-7)
    assert np.isnan(al.jensen_shannon([0, 0], [1, 0]))


def test_jensen_shannon_against_scipy():
    from scipy.spatial.distance import jensenshannon

    rng = np.random.default_rng(7)
    p = rng.random((50, 6)) * (rng.random((50, 6)) > 0.3)  # some zero cells
    q = rng.random((50, 6)) * (rng.random((50, 6)) > 0.3)
    p[:, 0] += 0.01
    q[:, 1] += 0.01
    ours = al.jensen_shannon(p, q)
    theirs = np.array([jensenshannon(a, b, base=2) ** 2 for a, b in zip(p, q)])
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_divergence_pairs_on_shared_groups_and_crosses_others():
    policy = pd.DataFrame({"era_id": ["npfit", "npfit", "icb", "icb"],
                           "code_id": ["th_funding", "th_central_local"] * 2,
                           "share": [0.5, 0.5, 1.0, 0.0]})
    practice = pd.DataFrame({
        "era_id": ["icb", "icb", "npfit", "npfit", "npfit", "npfit", "ccg", "ccg"],
        "tier": ["meso", "meso", "meso", "meso", "micro", "micro", "meso", "meso"],
        "code_id": ["th_funding", "th_central_local"] * 4,
        "share": [0.0, 1.0, 0.5, 0.5, 1.0, 0.0, 1.0, 0.0]})
    out = al.divergence(policy, practice)
    # ccg has no policy: left out; eras in time order (npfit before icb), tiers within.
    assert out[["era_id", "tier"]].drop_duplicates().values.tolist() == [
        ["npfit", "meso"], ["npfit", "micro"], ["icb", "meso"]]
    js = out.drop_duplicates(["era_id", "tier"])["jensen_shannon"].tolist()
    # npfit meso identical -> 0; npfit micro (1/2,1/2) vs (1,0) -> 0.311278 (hand value
    # above); icb meso (1,0) vs (0,1) disjoint -> 1.
    assert js == [0.0, 0.311278, 1.0]
    icb = out[out.era_id == "icb"].set_index("code_id")
    # difference = practice - policy.
    assert icb["difference"].to_dict() == {"th_funding": -1.0, "th_central_local": 1.0}
    # contributions sum to the divergence in every comparison.
    sums = out.groupby(["era_id", "tier"])["contribution"].sum()
    assert sums.round(5).to_dict() == {("icb", "meso"): 1.0, ("npfit", "meso"): 0.0,
                                       ("npfit", "micro"): 0.31128}


def test_divergence_codes_missing_on_one_side_count_as_zero():
    policy = pd.DataFrame({"code_id": ["th_funding"], "share": [1.0]})
    practice = pd.DataFrame({"code_id": ["th_funding", "th_data_ig"], "share": [0.5, 0.5]})
    out = al.divergence(policy, practice).set_index("code_id")
    assert out["share_policy"].to_dict() == {"th_funding": 1.0, "th_data_ig": 0.0}
    assert out["jensen_shannon"].iloc[0] == pytest.approx(0.311278)  # as the hand value


def test_divergence_from_profiles_matches_hand_values():
    policy = segs([("D1", "th_funding", 0, 10), ("D1", "th_funding", 20, 30),
                   ("D2", "th_central_local", 0, 10)])
    out = al.divergence(al.theme_profile(policy, codes=CODES),
                        al.theme_profile(PRACTICE, by="tier", codes=CODES))
    meso = out[out.tier == "meso"].set_index("code_id")
    # policy 2/3, 1/3, 0; meso practice 1/2, 1/2, 0.
    assert meso["difference"].to_dict() == {"th_funding": -0.166667,
                                            "th_central_local": 0.166667, "th_data_ig": 0.0}


def test_divergence_bad_input():
    good = pd.DataFrame({"code_id": ["th_a"], "share": [1.0]})
    with pytest.raises(DataError, match="lacks column"):
        al.divergence(good, pd.DataFrame({"code_id": ["th_a"]}))
    with pytest.raises(ValueError, match="on must name"):
        al.divergence(good, good.assign(era_id="icb"), on="era_id")


# --------------------------------------------------------------------------- bootstrap

POLICY = segs([("D1", "th_funding", 0, 10), ("D2", "th_funding", 0, 10),
               ("D2", "th_central_local", 10, 20), ("D3", "th_data_ig", 0, 10)])


def test_bootstrap_is_seeded_and_estimates_match_divergence():
    practice = PRACTICE[PRACTICE.code_id.str.startswith("th_")]
    one = al.bootstrap_divergence(POLICY, practice, by="tier", codes=CODES, n=300, seed=5)
    two = al.bootstrap_divergence(POLICY, practice, by="tier", codes=CODES, n=300, seed=5)
    other = al.bootstrap_divergence(POLICY, practice, by="tier", codes=CODES, n=300, seed=6)
    pd.testing.assert_frame_equal(one, two)
    assert not one[["low", "high"]].equals(other[["low", "high"]])
    # Estimates are those of divergence() on theme_profile() (a separate code path).
    point = al.divergence(al.theme_profile(POLICY, codes=CODES),
                          al.theme_profile(practice, by="tier", codes=CODES))
    diff = one[one.statistic == "difference"]
    assert diff["estimate"].tolist() == point["difference"].tolist()
    js = one[one.statistic == "jensen_shannon"]
    assert js["code_id"].unique().tolist() == [al.OVERALL]
    assert js["estimate"].tolist() == point.drop_duplicates("tier")["jensen_shannon"].tolist()
    assert (one["n_resamples"] <= 300).all()
    # A group's interval does not depend on the other groups present.
    meso_only = al.bootstrap_divergence(POLICY, practice[practice.tier == "meso"], by="tier",
                                        codes=CODES, n=300, seed=5)
    pd.testing.assert_frame_equal(meso_only, one[one.tier == "meso"].reset_index(drop=True))


def test_bootstrap_intervals_worked_by_hand():
    policy = segs([("D1", "th_funding", 0, 10)])
    practice = segs([("P01", "th_funding", 0, 10), ("P02", "th_central_local", 0, 10)])
    out = al.bootstrap_divergence(policy, practice, codes=CODES[:2], n=4000, seed=1)
    get = out.set_index(["code_id", "statistic"])
    # One policy unit: every resample is that unit, so its share never moves.
    assert get.loc[("th_funding", "share_policy"), ["low", "high"]].tolist() == [1.0, 1.0]
    # Two practice units, each all one code: a resample draws P01 twice (prob 1/4, funding
    # share 1), P02 twice (1/4, share 0) or one of each (1/2, share 1/2). 2.5% and 97.5%
    # quantiles fall in the masses at 0 and 1.
    assert get.loc[("th_funding", "share_practice"), ["estimate", "low", "high"]].tolist() \
        == [0.5, 0.0, 1.0]
    # difference = practice - policy: estimate -0.5, from -1 to 0.
    assert get.loc[("th_funding", "difference"), ["estimate", "low", "high"]].tolist() \
        == [-0.5, -1.0, 0.0]
    # JS of (1,0) vs practice: 0 (P01 twice), 1 (P02 twice) or 0.311278 (both).
    assert get.loc[(al.OVERALL, "jensen_shannon"), ["estimate", "low", "high"]].tolist() \
        == [0.311278, 0.0, 1.0]


def test_bootstrap_pairs_on_era():
    policy = POLICY.assign(era_id=["npfit", "npfit", "npfit", "icb"])
    practice = PRACTICE[PRACTICE.code_id.str.startswith("th_")].assign(
        era_id=["npfit"] * 4 + ["ccg"] + ["icb"])
    out = al.bootstrap_divergence(policy, practice, on="era_id", by="tier", codes=CODES, n=50)
    # npfit: policy vs P01 (meso); icb: policy D3 vs P03 (micro); ccg has no policy.
    assert out[["era_id", "tier"]].drop_duplicates().values.tolist() == [
        ["npfit", "meso"], ["icb", "micro"]]
    icb = out[(out.era_id == "icb") & (out.statistic == "jensen_shannon")]
    assert icb["estimate"].tolist() == [0.0]  # both all th_data_ig


# --------------------------------------------------------------------------- eras

ERAS = pd.DataFrame({  # as analysis.timeline.load_eras returns them
    "era_id": ["imt", "ifh", "npfit", "ccg", "stp_ics", "icb"],
    "label": ["IM&T strategy", "Information for Health", "NPfIT and the SHAs",
              "Power of Information, CCGs and CSUs", "Wachter, STPs/ICSs, NHSX",
              "ICBs and the Transformation Directorate"],
    "start": ["1992-12", "1998-09", "2002-06", "2011-09", "2016-09", "2022-07"],
    "end": ["1998-09", "2002-06", "2011-09", "2016-09", "2022-07", ""],
    "start_date": pd.to_datetime(["1992-12", "1998-09", "2002-06", "2011-09", "2016-09",
                                  "2022-07"]),
    "end_date": pd.to_datetime(["1998-09", "2002-06", "2011-09", "2016-09", "2022-07", None]),
})
TEXT = "In 2006 we bid for money. That was hard. In 2002 the SHA came. It was fine."
#        0         1         2         3         4         5         6         7
SOURCES = pd.DataFrame({"source_id": ["P01"], "participant_id": ["P01"]})
PEOPLE = pd.DataFrame({"participant_id": ["P01"], "tier": ["meso"], "eras": ["ccg|icb"]})


def interview_segments():
    spans = [(0, 25), (26, 40), (41, 62), (63, 75)]  # the four sentences
    return pd.DataFrame({"segment_id": ["s1", "s2", "s3", "s4"], "source_id": ["P01"] * 4,
                         "code_id": ["th_funding", "th_funding", "th_central_local",
                                     "th_data_ig"],
                         "start": [a for a, _ in spans], "end": [b for _, b in spans]})


def test_interview_eras_by_anchor_and_participant():
    seg = interview_segments()
    assert [TEXT[a:b] for a, b in zip(seg.start, seg.end)][2] == "In 2002 the SHA came."
    out = al.interview_eras(seg, {"P01": TEXT}, ERAS, method="anchor")
    # s1 says 2006 (npfit); 2002 straddles ifh/npfit (June 2002): s3 counts in both;
    # s2 and s4 name no time and are dropped.
    assert out[["segment_id", "era_id", "era_rule"]].values.tolist() == [
        ["s1", "npfit", "anchor"], ["s3", "ifh", "anchor"], ["s3", "npfit", "anchor"]]
    both = al.interview_eras(seg, {"P01": TEXT}, ERAS, SOURCES, PEOPLE,
                             method="anchor_or_participant")
    # s2 and s4 fall back on the participant's eras, ccg and icb.
    assert both[["segment_id", "era_id"]].values.tolist() == [
        ["s1", "npfit"], ["s2", "ccg"], ["s2", "icb"], ["s3", "ifh"], ["s3", "npfit"],
        ["s4", "ccg"], ["s4", "icb"]]
    career = al.interview_eras(seg, None, ERAS, SOURCES, PEOPLE, method="participant")
    assert len(career) == 8 and set(career["era_rule"]) == {"participant"}
    with pytest.raises(ValueError, match="needs the texts"):
        al.interview_eras(seg, method="anchor")


def test_document_eras():
    src = pd.DataFrame({"source_id": ["D1", "D2", "D3"], "era": ["npfit", "npfit", ""]})
    out = al.document_eras(POLICY.iloc[:3], src)
    assert out["era_id"].tolist() == ["npfit"] * 3
    with pytest.raises(DataError, match=r"segments:5: document 'D3' has no era"):
        al.document_eras(POLICY, src)


def test_by_era_worked_by_hand():
    seg = interview_segments()
    policy = POLICY.iloc[:3]  # D1 funding; D2 funding + central
    docs = pd.DataFrame({"source_id": ["D1", "D2"], "era": ["npfit", "npfit"]})
    out = al.by_era(policy, seg, docs, {"P01": TEXT}, SOURCES, PEOPLE, ERAS, codes=CODES)
    # Practice in npfit: s1 funding, s3 central -> 1/2, 1/2, 0; policy 2/3, 1/3, 0.
    # ifh has practice (s3) but no policy: left out.
    assert out["era_id"].unique().tolist() == ["npfit"]
    assert out["tier"].unique().tolist() == ["meso"]
    assert out.set_index("code_id")["difference"].to_dict() == {
        "th_funding": -0.166667, "th_central_local": 0.166667, "th_data_ig": 0.0}
    # JS of (2/3, 1/3) and (1/2, 1/2), m = (7/12, 5/12):
    # 1/2 [2/3 log2(8/7) + 1/3 log2(4/5)] + 1/2 [1/2 log2(6/7) + 1/2 log2(6/5)]
    # = 1/2 (0.0211207 + 0.0203210) = 0.0207208
    assert out["jensen_shannon"].iloc[0] == pytest.approx(0.0207208, abs=1e-6)


# --------------------------------------------------------------------------- trust

# A 40-character text of two participant turns (sentences), plus a text nobody coded.
T40 = "We bid for money. The SHA said no to it."
TEXTS = {"P01": T40, "P02": "Funding again."}
DICTIONARY = segs([("P01", "th_funding", 0, 17), ("P01", "th_central_local", 18, 40),
                   ("P02", "th_funding", 0, 14)])
HUMAN = pd.DataFrame([
    ("P01", "th_funding", 3, 17, "A"),         # "bid for money."
    ("P01", "th_funding", 3, 10, "B"),         # "bid for"
    ("P01", "th_central_local", 18, 33, "A"),  # "The SHA said no"
    ("P01", "th_central_local", 22, 40, "B"),  # "SHA said no to it."
    ("P01", "th_data_ig", 18, 25, "A"),        # "The SHA": the dictionary missed it
    ("P01", "th_funding", 0, 5, "dictionary"),  # not human: ignored
], columns=["source_id", "code_id", "start", "end", "coder"])
TURNS = pd.DataFrame({"source_id": ["P01", "P01", "P02"], "turn": [1, 2, 1],
                      "start": [0, 18, 0], "end": [17, 40, 14],
                      "role": ["participant"] * 3})


def scores(table):
    return {r.code_id: (r.tp, r.fp, r.fn, r.precision, r.recall)
            for r in table.itertuples()}


def test_dictionary_vs_human_characters_union():
    assert len(T40) == 40 and T40[3:17] == "bid for money." and T40[22:40] == "SHA said no to it."
    out = dictionary_vs_human(DICTIONARY, HUMAN, TEXTS, codes=CODES)
    got = scores(out)
    # funding: human union 3-17 (14); dictionary 0-17 -> tp 14, fp 3, fn 0.
    assert got["th_funding"] == (14, 3, 0, 0.823529, 1.0)
    # central: union 18-40 = dictionary 18-40 -> tp 22.
    assert got["th_central_local"] == (22, 0, 0, 1.0, 1.0)
    # data: 7 human characters, none found: recall 0, precision undefined.
    assert got["th_data_ig"][:3] == (0, 0, 7) and np.isnan(got["th_data_ig"][3])
    # overall: tp 36, fp 3, fn 7 -> P 36/39, R 36/43, F1 72/82. P02 (nobody coded) is
    # not scored, so its dictionary segment adds no false positive.
    assert got[al.OVERALL] == (36, 3, 7, 0.923077, 0.837209)
    assert out.set_index("code_id").loc[al.OVERALL, "f1"] == 0.878049
    assert out.set_index("code_id").loc[al.OVERALL, "n_dictionary"] == 2


def test_dictionary_vs_human_intersection_and_one_coder():
    got = scores(dictionary_vs_human(DICTIONARY, HUMAN, TEXTS, codes=CODES,
                                        human="intersection"))
    # both coders: funding 3-10 (7): tp 7, fp 10; central 22-33 (11): tp 11, fp 11;
    # data only A coded it -> nothing in the intersection.
    assert got["th_funding"][:3] == (7, 10, 0)
    assert got["th_central_local"][:3] == (11, 11, 0)
    assert got["th_data_ig"][:3] == (0, 0, 0)
    coder_a = scores(dictionary_vs_human(DICTIONARY, HUMAN, TEXTS, codes=CODES, human="A"))
    # A alone: central 18-33 (15): tp 15, fp 7.
    assert coder_a["th_central_local"][:3] == (15, 7, 0)
    with pytest.raises(ValueError, match="human must be"):
        dictionary_vs_human(DICTIONARY, HUMAN, TEXTS, human="C")


def test_dictionary_vs_human_turns():
    out = dictionary_vs_human(DICTIONARY, HUMAN, TEXTS, codes=CODES, unit="turn",
                                 turns=TURNS)
    got = scores(out)
    # turn 1: dictionary funding, human funding; turn 2: dictionary central, human
    # central and data.
    assert got["th_funding"][:3] == (1, 0, 0)
    assert got["th_central_local"][:3] == (1, 0, 0)
    assert got["th_data_ig"][:3] == (0, 0, 1)
    assert got[al.OVERALL][:3] == (2, 0, 1)
    # Only interviewer turns: none is scored.
    interviewer = TURNS.assign(role="interviewer")
    none = dictionary_vs_human(DICTIONARY, HUMAN, TEXTS, codes=CODES, unit="turn",
                                  turns=interviewer)
    assert none[["tp", "fp", "fn"]].to_numpy().sum() == 0


def test_dictionary_vs_human_matches_reliability_counts():
    from analysis.reliability import coding_units

    # Dictionary as coder "D", the human union as coder "H"; the 2 x 2 counts of an
    # independent character-level implementation must be tp, fp and fn.
    hum = HUMAN[HUMAN.coder != "dictionary"]
    both = pd.concat([DICTIONARY[DICTIONARY.source_id == "P01"].assign(coder="D"),
                      hum.assign(coder="H")], ignore_index=True)
    units = coding_units(both, TEXTS, coders=("D", "H"), codes=CODES[:2])
    ours = dictionary_vs_human(DICTIONARY, hum, TEXTS, codes=CODES[:2]).set_index("code_id")
    for row in units.itertuples():
        assert (ours.at[row.code_id, "tp"], ours.at[row.code_id, "fp"],
                ours.at[row.code_id, "fn"]) == (row.n11, row.n10, row.n01)


def test_dictionary_vs_human_bad_input():
    bad = DICTIONARY.copy()
    bad.loc[0, "end"] = 50
    with pytest.raises(DataError, match=r"dictionary segments:2: end 50 is beyond"):
        dictionary_vs_human(bad, HUMAN, TEXTS)
    with pytest.raises(DataError, match=r"human segments:1: table lacks column"):
        dictionary_vs_human(DICTIONARY, HUMAN.drop(columns="coder"), TEXTS)
    with pytest.raises(ValueError, match="turns"):
        dictionary_vs_human(DICTIONARY, HUMAN, TEXTS, unit="turn")


def test_departures_read_the_interval_against_zero():
    ci = pd.DataFrame({"tier": ["meso"] * 3 + ["micro"], "statistic": "difference",
                       "code_id": ["th_a", "th_b", "th_c", "th_a"],
                       "estimate": [0.2, -0.01, -0.1, 0.5], "low": [0.1, -0.05, -0.2, 0.4],
                       "high": [0.3, 0.02, -0.02, 0.6]})
    out = al.departures(ci, tier="meso")
    # Intervals by hand: th_a (0.1, 0.3) > 0; th_b spans 0; th_c (-0.2, -0.02) < 0.
    assert out[["code_id", "reading"]].values.tolist() == [
        ["th_a", "more than policy"], ["th_b", "follows policy"], ["th_c", "less than policy"]]
