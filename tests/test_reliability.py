"""Tests of analysis.reliability.

Expected values are worked out by hand from the fixtures (the arithmetic is in the
comments), taken from published worked examples (Krippendorff 2011; the Wikipedia
article on Cohen's kappa), or computed by independent implementations: scikit-learn's
``cohen_kappa_score`` and the ``krippendorff`` package (test-only dependencies).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import reliability as rel
from analysis.errors import DataError

krippendorff = pytest.importorskip("krippendorff")
metrics = pytest.importorskip("sklearn.metrics")


def seg_table(rows):
    return pd.DataFrame(rows, columns=["source_id", "code_id", "start", "end", "coder"])


# --------------------------------------------------------------------------- statistics

def test_krippendorff_2011_nominal_example_with_missing_data():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal
    # example: 4 observers, 12 units, missing values; published alpha = 0.743.
    # By hand: pairable values n = 40 (unit 12 has one value, not pairable).
    # Coincidences on the diagonal: o11 = 3 (u1) + 2 (u8) + 2 (u11) = 7; o22 = 2 (u2)
    # + 4 (u5) + 4 (u9) = 10; o33 = 4 + 4 = 8 (u3, u4); o44 = 4 (u7); o55 = 3 (u10);
    # sum 32. Marginals n_c = 9, 13, 10, 5, 3 (sum of squares 384). Nominal alpha =
    # 1 - (n-1)(n - 32)/(n^2 - 384) = 1 - 39*8/1216 = 1 - 312/1216 = 0.74342.
    nan = np.nan
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    assert rel.krippendorff_alpha(data) == pytest.approx(1 - 312 / 1216)
    assert round(rel.krippendorff_alpha(data), 3) == 0.743
    # Independent implementation: the krippendorff package.
    expected = krippendorff.alpha(reliability_data=np.array(data, dtype=float),
                                  level_of_measurement="nominal")
    assert rel.krippendorff_alpha(data) == pytest.approx(expected)


def test_krippendorff_alpha_accepts_strings_and_none():
    # Same example with the values as labels and None for missing: labels are nominal.
    names = {1: "a", 2: "b", 3: "c", 4: "d", 5: "e", None: None}
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
            [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    labelled = [[names[v] for v in row] for row in data]
    assert rel.krippendorff_alpha(labelled) == pytest.approx(1 - 312 / 1216)


def test_krippendorff_alpha_undefined_without_variation():
    # Every pairable value is "x": D_e = 0, alpha is undefined (NaN by our convention).
    assert np.isnan(rel.krippendorff_alpha([["x", "x"], ["x", "x"]]))


def test_cohen_kappa_wikipedia_examples():
    # Wikipedia, "Cohen's kappa", simple example: 50 proposals; yes/yes 20, yes/no 5,
    # no/yes 10, no/no 15. p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert rel.cohen_kappa(a, b) == pytest.approx(0.4)
    assert rel.percent_agreement(a, b) == pytest.approx(0.7)
    # Same article, "same percentage, different numbers": 45/15/25/15 of 100.
    # p_o = 0.6; A yes 0.6, B yes 0.7; p_e = 0.42 + 0.12 = 0.54; kappa = 0.06/0.46.
    a = [1] * 60 + [0] * 40
    b = [1] * 45 + [0] * 15 + [1] * 25 + [0] * 15
    assert rel.cohen_kappa(a, b) == pytest.approx(0.06 / 0.46)
    # 25/35/5/35: p_o = 0.6; A yes 0.6, B yes 0.3; p_e = 0.18 + 0.28; kappa = 0.14/0.54.
    b = [1] * 25 + [0] * 35 + [1] * 5 + [0] * 35
    assert rel.cohen_kappa(a, b) == pytest.approx(0.14 / 0.54)


def test_missing_pairs_are_dropped():
    # Pair 3 has a missing value: the remaining 3 pairs agree on 2 (worked by hand).
    assert rel.percent_agreement(["a", "b", None, "a"], ["a", "b", "a", "b"]) == \
        pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        rel.cohen_kappa([1, 2], [1])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cohen_kappa_matches_scikit_learn(seed):
    # Independent implementation: sklearn.metrics.cohen_kappa_score on seeded random
    # labels (4 categories, B copies A 60% of the time).
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, 300)
    b = np.where(rng.random(300) < 0.6, a, rng.integers(0, 4, 300))
    assert rel.cohen_kappa(a, b) == pytest.approx(metrics.cohen_kappa_score(a, b))


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_krippendorff_alpha_matches_package(seed):
    # Independent implementation: krippendorff.alpha (nominal) on seeded random data,
    # 3 coders x 80 units, 5 categories, about 20% missing.
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, 80)
    data = np.where(rng.random((3, 80)) < 0.7, truth, rng.integers(1, 6, (3, 80))).astype(float)
    data[rng.random((3, 80)) < 0.2] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert rel.krippendorff_alpha(data) == pytest.approx(expected)


@pytest.mark.parametrize("table", [(10, 5, 0, 15), (4, 0, 2, 24), (7, 3, 6, 1), (0, 2, 3, 9)])
def test_binary_stats_agree_with_the_general_functions(table):
    # The 2 x 2 shortcut must equal the general statistics on the expanded vectors,
    # and those equal scikit-learn and the krippendorff package.
    n11, n10, n01, n00 = table
    a = np.array([1] * n11 + [1] * n10 + [0] * n01 + [0] * n00)
    b = np.array([1] * n11 + [0] * n10 + [1] * n01 + [0] * n00)
    p_o, kappa, alpha = rel._binary_stats(*table)
    assert p_o == pytest.approx(np.mean(a == b))
    assert kappa == pytest.approx(metrics.cohen_kappa_score(a, b))
    assert alpha == pytest.approx(krippendorff.alpha(reliability_data=np.vstack([a, b]),
                                                     level_of_measurement="nominal"))


# --------------------------------------------------------------------------- character unit

TEXTS = {"T1": "abcdefghijklmnopqrst", "T2": "0123456789", "T3": "only coder A coded this"}
CHAR_SEGMENTS = seg_table([
    ("T1", "th_a", 0, 10, "A"), ("T1", "th_b", 12, 16, "A"), ("T2", "th_a", 0, 5, "A"),
    ("T1", "th_a", 5, 10, "B"), ("T1", "th_b", 12, 18, "B"), ("T2", "th_a", 0, 5, "B"),
    # T3 was coded by A only: it is not in the double-coded sample.
    ("T3", "th_a", 0, 4, "A"),
])


def test_character_agreement_by_hand():
    out = rel.agreement(CHAR_SEGMENTS, TEXTS).set_index("code_id")
    # 30 characters (T1 20 + T2 10; T3 excluded).
    # th_a: A codes 0-9 of T1 and 0-4 of T2 (15), B 5-9 of T1 and 0-4 of T2 (10):
    # n11 = 10, n10 = 5, n01 = 0, n00 = 15. p_o = 25/30; p_e = (15*10 + 15*20)/900 = 0.5;
    # kappa = (25/30 - 0.5)/0.5 = 2/3; alpha: n = 60, n1 = 25, n0 = 35,
    # alpha = 1 - 59*5/(25*35) = 1 - 295/875.
    a = out.loc["th_a"]
    assert (a.n11, a.n10, a.n01, a.n00, a.n_units) == (10, 5, 0, 15, 30)
    assert a.percent_agreement == pytest.approx(25 / 30, abs=1e-6)
    assert a.kappa == pytest.approx(2 / 3, abs=1e-6)
    assert a.alpha == pytest.approx(1 - 295 / 875, abs=1e-6)
    # th_b: A 12-15 (4), B 12-17 (6): n11 = 4, n01 = 2, n00 = 24. p_e = (4*6 + 26*24)/900
    # = 648/900; kappa = (28/30 - 648/900)/(252/900) = (840 - 648)/252 = 192/252;
    # alpha: n1 = 10, n0 = 50, alpha = 1 - 59*2/500 = 0.764.
    b = out.loc["th_b"]
    assert (b.n11, b.n10, b.n01, b.n00) == (4, 0, 2, 24)
    assert b.kappa == pytest.approx(192 / 252, abs=1e-6)
    assert b.alpha == pytest.approx(0.764, abs=1e-6)
    # Overall pools the two tables: 14, 5, 2, 39 of 60. p_e = (19*16 + 41*44)/3600 =
    # 2108/3600; kappa = (3180 - 2108)/(3600 - 2108) = 1072/1492; alpha: n1 = 35, n0 = 85,
    # alpha = 1 - 119*7/(35*85) = 0.72.
    o = out.loc[rel.OVERALL]
    assert (o.n11, o.n10, o.n01, o.n00, o.n_units) == (14, 5, 2, 39, 60)
    assert o.kappa == pytest.approx(1072 / 1492, abs=1e-6)
    assert o.alpha == pytest.approx(0.72, abs=1e-6)


def test_character_agreement_matches_independent_vectors():
    # Independent route: build the per-character vectors with plain loops and feed them
    # to scikit-learn and the krippendorff package.
    out = rel.agreement(CHAR_SEGMENTS, TEXTS).set_index("code_id")
    for code in ("th_a", "th_b"):
        va, vb = [], []
        for source in ("T1", "T2"):
            for pos in range(len(TEXTS[source])):
                for coder, vec in (("A", va), ("B", vb)):
                    hit = any(s == source and c == code and k == coder and st <= pos < en
                              for s, c, st, en, k in CHAR_SEGMENTS.itertuples(index=False))
                    vec.append(int(hit))
        assert out.loc[code, "kappa"] == pytest.approx(metrics.cohen_kappa_score(va, vb),
                                                       abs=1e-6)
        assert out.loc[code, "alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=np.array([va, vb]),
                               level_of_measurement="nominal"), abs=1e-6)


def test_character_agreement_excluding_uncoded_text():
    # Characters coded by either coder with any code: T1 0-9 and 12-17 (16), T2 0-4 (5),
    # so 21 units. th_a: n11 = 10, n10 = 5, n01 = 0, n00 = 21 - 15 = 6;
    # p_e = (15*10 + 6*11)/441 = 216/441; kappa = (16*21 - 216)/(441 - 216) = 120/225.
    out = rel.agreement(CHAR_SEGMENTS, TEXTS, exclude_uncoded=True).set_index("code_id")
    a = out.loc["th_a"]
    assert (a.n11, a.n10, a.n01, a.n00, a.n_units) == (10, 5, 0, 6, 21)
    assert a.kappa == pytest.approx(120 / 225, abs=1e-6)


def test_qualcoder_kappa_worked_example():
    # The worked example of the module docstring, by hand: "0123456789", A codes [0, 4),
    # B codes [2, 6) -> n11 = 2 (2, 3), n10 = 2 (0, 1), n01 = 2 (4, 5), n00 = 4.
    # Ours (Cohen over every character): p_o = 6/10, p_e = 0.4*0.4 + 0.6*0.6 = 0.52,
    # kappa = 0.08/0.48 = 1/6. QualCoder (coded characters only, Pe = Pyes * Pno):
    # U = 6, Po = 2/6, Pyes = (4/6)^2 = 4/9, Pno = (2/6)^2 = 1/9, Pe = 4/81,
    # kappa = (27/81 - 4/81)/(77/81) = 23/77. Its docstring's Pe = Pyes + Pno over every
    # character (Pyes = 0.16, Pno = 0.36) gives ours: (0.6 - 0.52)/0.48.
    texts = {"P01": "0123456789"}
    seg = seg_table([("P01", "th_a", 0, 4, "A"), ("P01", "th_a", 2, 6, "B")])
    row = rel.agreement(seg, texts).set_index("code_id").loc["th_a"]
    assert (row.n11, row.n10, row.n01, row.n00) == (2, 2, 2, 4)
    assert row.percent_agreement == pytest.approx(0.6)
    assert row.kappa == pytest.approx(1 / 6, abs=1e-6)
    assert row.qualcoder_kappa == pytest.approx(23 / 77, abs=1e-6)
    # A second passage of A overlapping its first ([2, 4) again) changes no character:
    # counted once here (QualCoder would count characters 2-3 twice for A).
    again = pd.concat([seg, seg_table([("P01", "th_a", 2, 4, "A")])], ignore_index=True)
    assert rel.agreement(again, texts).set_index("code_id").loc["th_a", "qualcoder_kappa"] \
        == pytest.approx(23 / 77, abs=1e-6)


def test_qualcoder_kappa_on_the_character_fixture_by_hand():
    out = rel.agreement(CHAR_SEGMENTS, TEXTS).set_index("code_id")
    # th_a: n11 = 10, n10 = 5, n01 = 0: U = 15, Po = 10/15, Pno = 5*0/225 = 0, so Pe = 0
    # and kappa = Po = 2/3 (equal to Cohen's 2/3 here by coincidence).
    assert out.loc["th_a", "qualcoder_kappa"] == pytest.approx(2 / 3, abs=1e-6)
    # th_b: n11 = 4, n10 = 0, n01 = 2: Pno = 0, kappa = Po = 4/6 (Cohen's: 192/252).
    assert out.loc["th_b", "qualcoder_kappa"] == pytest.approx(4 / 6, abs=1e-6)
    # Overall, pooled 14, 5, 2: U = 21, Po = 14/21 = 129654/194481, Pyes = 19*16/441,
    # Pno = 5*2/441, Pe = 3040/194481; kappa = (129654 - 3040)/(194481 - 3040).
    assert out.loc[rel.OVERALL, "qualcoder_kappa"] == pytest.approx(126614 / 191441,
                                                                    abs=1e-6)
    # Uncoded text does not enter it: the same with exclude_uncoded.
    excl = rel.agreement(CHAR_SEGMENTS, TEXTS, exclude_uncoded=True).set_index("code_id")
    assert excl["qualcoder_kappa"].tolist() == out["qualcoder_kappa"].tolist()
    # Only A coded (QualCoder: Po = 0, Pyes = 0, kappa 0); neither coded: undefined.
    assert rel.qualcoder_kappa(0, 4, 0) == 0.0 and np.isnan(rel.qualcoder_kappa(0, 0, 0))
    # Not a character-unit figure elsewhere.
    seg = rel.agreement(CHAR_SEGMENTS, TEXTS, unit="segment")
    assert seg["qualcoder_kappa"].isna().all()


def dense_character_units(segments, texts, coders, codes, exclude_uncoded):
    """Independent route: one boolean per character per code and coder, set in plain loops.

    The sample rule of the docstring (a text counts when each coder made a segment in it,
    of the codes considered); a character is "coded" when a span covers it (start <= pos
    < end). Returns {(code, source): (n11, n10, n01, n00)}.
    """
    rows = [r for r in segments.itertuples(index=False) if codes is None or r.code_id in codes]
    sample = sorted(s for s in texts if all(any(r.source_id == s and r.coder == c for r in rows)
                                            for c in coders))
    # without a codes list: the codes either coder used in the sample
    considered = codes if codes is not None else sorted({r.code_id for r in rows
                                                         if r.source_id in sample})
    out = {}
    for source in sample:
        n = len(texts[source])
        mine = [r for r in rows if r.source_id == source]
        coded = [any(r.start <= pos < r.end for r in mine) for pos in range(n)]
        for code in considered:
            marks = {c: [False] * n for c in coders}
            for r in mine:
                if r.code_id == code:
                    for pos in range(r.start, r.end):
                        marks[r.coder][pos] = True
            cells = [0, 0, 0, 0]
            for pos in range(n):
                if exclude_uncoded and not coded[pos]:
                    continue
                a, b = marks[coders[0]][pos], marks[coders[1]][pos]
                cells[0 if a and b else 1 if a else 2 if b else 3] += 1
            out[code, source] = tuple(cells)
    return out


@st.composite
def coded_texts(draw):
    """2-4 short texts (one may be empty) and both coders' spans of up to 3 codes: spans
    nest, overlap, touch, repeat and may be empty; a coder may leave a text uncoded."""
    lengths = draw(st.lists(st.integers(0, 25), min_size=2, max_size=4))
    texts = {f"T{i}": "x" * n for i, n in enumerate(lengths)}
    rows = []
    for source, n in zip(texts, lengths):
        for coder in draw(st.sampled_from([("A", "B"), ("A",), ("B",), ()])):
            for _ in range(draw(st.integers(0, 5))):
                start = draw(st.integers(0, n))
                end = draw(st.integers(start, min(n, start + 12)))
                rows.append((source, draw(st.sampled_from(["th_a", "th_b", "th_c"])), start,
                             end, coder))
    codes = draw(st.sampled_from([None, ["th_b", "th_a"], ["th_c", "th_empty", "th_a"]]))
    return texts, seg_table(rows), codes


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(coded_texts(), st.booleans())
def test_character_units_match_dense_per_character_counts(study, exclude_uncoded):
    # The interval arithmetic must give exactly the counts of marking every character.
    texts, segments, codes = study
    expected = dense_character_units(segments, texts, ("A", "B"), codes, exclude_uncoded)
    units = rel.coding_units(segments, texts, codes=codes, exclude_uncoded=exclude_uncoded)
    got = {(r.code_id, r.source_id): (r.n11, r.n10, r.n01, r.n00)
           for r in units.itertuples(index=False)}
    assert got == expected
    if len(units):
        assert (units["end"] == units["source_id"].map(lambda s: len(texts[s]))).all()
    # The summary pools the same counts per code.
    summary = rel.agreement(segments, texts, codes=codes, exclude_uncoded=exclude_uncoded)
    for row in summary.itertuples(index=False):
        cells = [v for (code, _), v in expected.items() if row.code_id in (code, rel.OVERALL)]
        n11, n10, n01, _ = (np.sum(cells, axis=0, dtype=int) if cells else (0, 0, 0, 0))
        assert (row.n11, row.n10, row.n01, row.n00) == tuple(np.sum(cells, axis=0, dtype=int)
                                                             if cells else (0, 0, 0, 0))
        # QualCoder's kappa from the dense counts, in exact fractions: coded characters
        # U, Po = n11/U, Pe = (A's share * B's share) * (A-only share * B-only share).
        coded = int(n11 + n10 + n01)
        if coded == 0:
            assert np.isnan(row.qualcoder_kappa)
        else:
            p_o = Fraction(int(n11), coded)
            p_e = (Fraction(int(n11 + n10), coded) * Fraction(int(n11 + n01), coded)
                   * Fraction(int(n10), coded) * Fraction(int(n01), coded))
            assert row.qualcoder_kappa == pytest.approx(float((p_o - p_e) / (1 - p_e)),
                                                        abs=1e-6)


def test_string_offsets_and_codes_filter():
    # Tables read from CSV hold strings; a codes list restricts and orders the rows.
    as_read = CHAR_SEGMENTS.astype(str)
    out = rel.agreement(as_read, TEXTS, codes=["th_b"])
    assert out["code_id"].tolist() == ["th_b", rel.OVERALL]
    assert out.iloc[0]["n11"] == 4  # as in test_character_agreement_by_hand


def test_bad_offsets_raise_data_error():
    bad = CHAR_SEGMENTS.astype(str)
    bad.loc[2, "end"] = "five"
    with pytest.raises(DataError, match=r"segments:4: end 'five'"):  # row 2 -> line 4
        rel.agreement(bad, TEXTS)
    beyond = CHAR_SEGMENTS.copy()
    beyond.loc[0, "end"] = 99
    with pytest.raises(DataError, match=r"segments:2: end 99 is beyond"):
        rel.agreement(beyond, TEXTS)
    with pytest.raises(ValueError):
        rel.agreement(CHAR_SEGMENTS, TEXTS, coders=("A", "A"))


# --------------------------------------------------------------------------- segment unit

SPAN_TEXT = {"S": "x" * 120}
SPAN_SEGMENTS = seg_table([
    ("S", "th_a", 0, 10, "A"), ("S", "th_b", 0, 10, "A"), ("S", "th_a", 20, 30, "A"),
    ("S", "th_c", 50, 60, "A"),
    ("S", "th_a", 0, 12, "B"), ("S", "th_a", 22, 40, "B"), ("S", "th_c", 70, 80, "B"),
])


def test_segment_agreement_by_hand():
    # A spans: [0,10) {a,b}, [20,30) {a}, [50,60) {c}; B spans: [0,12) {a}, [22,40) {a},
    # [70,80) {c}. Ratios (intersection/union): [0,10)-[0,12) = 10/12; [20,30)-[22,40) =
    # 8/20 = 0.4 < 0.5, so not paired. Units: the pair, and four unpaired spans = 5.
    out = rel.agreement(SPAN_SEGMENTS, SPAN_TEXT, unit="segment").set_index("code_id")
    # th_a: pair both; [20,30) A only; [22,40) B only; [50,60), [70,80) neither.
    a = out.loc["th_a"]
    assert (a.n11, a.n10, a.n01, a.n00) == (1, 1, 1, 2)
    assert a.percent_agreement == pytest.approx(3 / 5)
    # th_b: only A on the pair. p_o = 4/5, p_e = (1*0 + 4*5)/25 = 0.8 -> kappa 0;
    # alpha = 1 - 9*1/(1*9) = 0.
    b = out.loc["th_b"]
    assert (b.n11, b.n10, b.n01, b.n00) == (0, 1, 0, 4)
    assert b.kappa == pytest.approx(0.0) and b.alpha == pytest.approx(0.0)
    # th_c: [50,60) A only, [70,80) B only. p_o = 3/5; p_e = 1/25 + 16/25 = 17/25;
    # kappa = (15 - 17)/(25 - 17) = -0.25.
    assert out.loc["th_c", "kappa"] == pytest.approx(-0.25)


def test_segment_agreement_shorter_base_pairs_nested_spans():
    # intersection / shorter span: [20,30)-[22,40) = 8/10 = 0.8 >= 0.5, so paired:
    # 4 units; th_a is coded by both on two of them and by neither on two: kappa 1.
    out = rel.agreement(SPAN_SEGMENTS, SPAN_TEXT, unit="segment",
                        overlap_base="shorter").set_index("code_id")
    a = out.loc["th_a"]
    assert (a.n11, a.n10, a.n01, a.n00) == (2, 0, 0, 2)
    assert a.kappa == pytest.approx(1.0)


def test_segment_matching_is_one_to_one_best_first():
    # A [0,10) overlaps B [0,6) (0.6) and B [0,8) (0.8): the better pair wins, B [0,6)
    # stays unpaired -> th_a: n11 = 1, n01 = 1 (worked by hand).
    seg = seg_table([("S", "th_a", 0, 10, "A"), ("S", "th_a", 0, 6, "B"),
                     ("S", "th_a", 0, 8, "B")])
    units = rel.coding_units(seg, SPAN_TEXT, unit="segment")
    assert units[["n11", "n10", "n01", "n00"]].sum().tolist() == [1, 0, 1, 0]
    paired = units[units["n11"] == 1].iloc[0]
    assert (paired.start, paired.end) == (0, 10)


def test_turn_agreement_by_hand():
    turns = pd.DataFrame({"source_id": ["S"] * 5, "turn": [1, 2, 3, 4, 5],
                          "start": [0, 15, 45, 65, 100], "end": [15, 45, 65, 100, 120]})
    # Turn 1 [0,15): A {a,b}, B {a}; turn 2 [15,45): A {a}, B {a}; turn 3 [45,65): A {c};
    # turn 4 [65,100): B {c}; turn 5: nothing.
    out = rel.agreement(SPAN_SEGMENTS, SPAN_TEXT, unit="turn", turns=turns).set_index("code_id")
    assert out.loc["th_a", ["n11", "n10", "n01", "n00"]].tolist() == [2, 0, 0, 3]
    assert out.loc["th_c", ["n11", "n10", "n01", "n00"]].tolist() == [0, 1, 1, 3]
    # Excluding uncoded turns drops turn 5: 4 units.
    out = rel.agreement(SPAN_SEGMENTS, SPAN_TEXT, unit="turn", turns=turns,
                        exclude_uncoded=True).set_index("code_id")
    assert out.loc["th_a", "n_units"] == 4


def test_disagreements_ranked_by_hand():
    out = rel.disagreements(SPAN_SEGMENTS, SPAN_TEXT)
    # Units (threshold 0.5, union): all five disagree on one code. The pair [0,12) agrees
    # on th_a (share 1/2) so it ranks last; the other four agree on nothing and rank by
    # length ([22,40) is 18 long) then position: [22,40), [20,30), [50,60), [70,80).
    assert list(zip(out["start"], out["end"])) == [(22, 40), (20, 30), (50, 60), (70, 80),
                                                   (0, 12)]
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]
    assert out.iloc[4][["codes_a", "codes_b", "only_a", "only_b"]].tolist() == \
        ["th_a|th_b", "th_a", "th_b", ""]
    assert len(rel.disagreements(SPAN_SEGMENTS, SPAN_TEXT, top=2)) == 2


# --------------------------------------------------------------------------- bootstrap

def test_bootstrap_ci_is_seeded_and_brackets_the_estimate():
    df = pd.DataFrame({"x": [0, 1, 1, 0, 1, 1, 1, 0, 1, 1], "g": list("aabbccddee")})
    first = rel.bootstrap_ci(lambda d: d["x"].mean(), df, n=300, seed=7)
    again = rel.bootstrap_ci(lambda d: d["x"].mean(), df, n=300, seed=7)
    assert first == again
    est, low, high = first
    assert est == pytest.approx(0.7)  # 7 ones in 10 rows
    assert 0 <= low < est < high <= 1
    # Cluster resampling draws whole groups: groups of 4, 2, 1, 1, 2 rows, so in every
    # resample each group's row count is a multiple of its size (row resampling would
    # break this almost surely in 50 draws).
    df["g"] = list("aaaabbcdee")
    size = df.groupby("g").size()
    broken = []

    def check(d):
        counts = d.groupby("g").size()
        broken.extend(g for g, c in counts.items() if c % size[g])
        return 0.0

    rel.bootstrap_ci(check, df, n=50, seed=1, cluster="g")
    assert broken == []


def test_agreement_ci_per_code():
    ci = rel.agreement_ci(CHAR_SEGMENTS, TEXTS, n=200, seed=11)
    again = rel.agreement_ci(CHAR_SEGMENTS, TEXTS, n=200, seed=11)
    pd.testing.assert_frame_equal(ci, again)
    kappa = ci[(ci.statistic == "kappa")].set_index("code_id")
    assert kappa.loc["th_a", "estimate"] == pytest.approx(2 / 3, abs=1e-6)  # as above
    assert (kappa["low"] <= kappa["estimate"] + 1e-9).all()
    assert (kappa["estimate"] <= kappa["high"] + 1e-9).all()
    # Perfect agreement at the segment unit: every resample agrees fully -> [1, 1].
    same = seg_table([("S", "th_a", 0, 10, "A"), ("S", "th_a", 0, 10, "B"),
                      ("S", "th_b", 20, 30, "A"), ("S", "th_b", 20, 30, "B")])
    ci = rel.agreement_ci(same, SPAN_TEXT, unit="segment", n=100, seed=2)
    pa = ci[ci.statistic == "percent_agreement"]
    assert (pa["low"] == 1).all() and (pa["high"] == 1).all()


def test_definition_work_ranks_by_the_lower_bound_of_the_last_unit():
    ci = pd.DataFrame({
        "code_id": ["th_a", "th_a", "sst_ext_irresistible", "sst_ext_irresistible",
                    "(overall)", "(overall)"],
        "unit": ["character", "segment"] * 3, "statistic": "kappa",
        "estimate": [0.9, 0.8, 0.7, 0.6, 0.8, 0.7],
        "low": [0.85, 0.2, 0.6, 0.5, 0.7, 0.6], "high": [0.95, 0.9, 0.8, 0.7, 0.9, 0.8]})
    out = rel.definition_work(ci)
    # Segment lower bounds by hand: th_a 0.2 < irresistible 0.5, so th_a comes first
    # although its character-unit agreement is the higher; the overall row is left out.
    assert out.index.tolist() == ["th_a", "sst_ext_irresistible"]
    assert out["interpretive"].tolist() == [False, True]
    assert list(out.columns) == ["interpretive", "character_estimate", "character_low",
                                 "character_high", "segment_estimate", "segment_low",
                                 "segment_high"]
