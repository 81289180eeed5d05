"""Tests of analysis.matrices.

The fixtures are small hand-made studies; every expected value was worked out by hand
from them (the counting is in the comments). Co-occurrence is also checked against a
naive all-pairs implementation written here, independently of the sweep.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import matrices as mx
from analysis.errors import DataError

TEXTS = {
    "P01": "We had no money. The SHA decided everything for us. Money was always short.",
    "P02": "Policy came from the centre. Local choice was a slogan.",
    "P03": "Don't ask me about funding.",
    "P04": "Nothing coded here.",
    "D01": "A strategy document about funding.",
}
PARTICIPANTS = pd.DataFrame({
    "participant_id": ["P01", "P02", "P03", "P04"],
    "tier": ["meso", "macro", "meso", "micro"],
    "position_practice": ["pp_sha_it", "pp_national_exec", "pp_csu_it", "pp_trust_cio"],
    "organisation_type": ["SHA", "DH", "CSU", "trust"],
    "eras": ["npfit|ccg", "npfit", "ccg|stp_ics", "icb"],
})
SOURCES = pd.DataFrame({"source_id": ["P01", "P02", "P03", "P04", "D01"],
                        "participant_id": ["P01", "P02", "P03", "P04", ""]})
CODES = pd.DataFrame({
    "code_id": ["th", "th_central_local", "th_funding", "pp", "pp_national_exec", "pp_sha_it",
                "pp_csu_it", "pp_trust_cio"],
    "parent_id": ["", "th", "th", "", "pp", "pp", "pp", "pp"],
    "facet": ["theme"] * 3 + ["position_practice"] * 5,
    "codable": ["false", "true", "true", "false", "true", "true", "true", "true"],
})


def span(source, phrase):
    start = TEXTS[source].index(phrase)
    return start, start + len(phrase)


def segment(seg_id, source, code, phrase, coder="A"):
    start, end = span(source, phrase)
    return (seg_id, source, code, start, end, coder, phrase)


SEGMENTS = pd.DataFrame([
    segment("s1", "P01", "th_funding", "We had no money."),
    segment("s2", "P01", "th_funding", "no money. The SHA"),
    segment("s3", "P01", "th_funding", "Money was always short."),
    segment("s4", "P01", "th_central_local", "The SHA decided everything for us."),
    segment("s5", "P02", "th_central_local", "Policy came from the centre."),
    segment("s6", "P02", "th_central_local", "Local choice was a slogan."),
    segment("s7", "P03", "th_funding", "Don't ask me about funding."),
    segment("s8", "D01", "th_funding", "about funding"),          # a document: no case
    segment("s9", "P02", "th_funding", "Policy came", coder="B"),  # second coder
], columns=list(mx.SEGMENT_COLUMNS))


# --------------------------------------------------------------------------- framework

def test_framework_matrix_by_hand():
    m = mx.framework_matrix(SEGMENTS, PARTICIPANTS, SOURCES, TEXTS, codes=CODES, coder="A")
    # Cases: macro first (P02), then meso in codebook position-practice order (pp_sha_it
    # before pp_csu_it, although "csu" sorts first), then micro (P04). Codes: codable
    # theme codes in codebook order.
    assert list(dict.fromkeys(m["case"])) == ["P02", "P01", "P03", "P04"]
    assert list(dict.fromkeys(m["code_id"])) == ["th_central_local", "th_funding"]
    assert len(m) == 8  # every case x code cell, empty ones included
    cell = m.set_index(["case", "code_id"])
    # P01 has 14 words (4 + 6 + 4). th_funding: s1 and s2 overlap; their union "We had
    # no money. The SHA" has 6 words, s3 4 more: 10 words; coverage 10/14. Lengths 16,
    # 17, 23: median 17, so s2 is the exemplar.
    f = cell.loc[("P01", "th_funding")]
    assert (f.n_segments, f.n_words, f.case_words) == (3, 10, 14)
    assert f.coverage == pytest.approx(10 / 14, abs=1e-6)
    assert (f.exemplar, f.exemplar_segment_id) == ("no money. The SHA", "s2")
    assert cell.loc[("P01", "th_central_local"), "n_words"] == 6
    # P02: lengths 28 and 26, median 27, both 1 away: the tie goes to the earlier (s5).
    # Coder B's th_funding segment is left out (coder="A").
    c = cell.loc[("P02", "th_central_local")]
    assert (c.n_segments, c.n_words, c.case_words, c.coverage) == (2, 10, 10, 1.0)
    assert c.exemplar == "Policy came from the centre."
    assert cell.loc[("P02", "th_funding"), "n_segments"] == 0
    assert cell.loc[("P02", "th_funding"), "exemplar"] == ""
    # P03: "Don't" is one word (inner apostrophe), so 5 words, all coded.
    assert cell.loc[("P03", "th_funding"), ["n_words", "case_words"]].tolist() == [5, 5]
    # P04: nothing coded; 3 words, coverage 0.
    assert cell.loc[("P04", "th_funding"), ["n_segments", "case_words", "coverage"]].tolist() \
        == [0, 3, 0.0]
    assert cell.loc[("P01", "th_funding"), "tier"] == "meso"


def test_framework_matrix_without_coder_or_codes_table():
    m = mx.framework_matrix(SEGMENTS, PARTICIPANTS, SOURCES, TEXTS)
    # No codes table: the th_ codes used, sorted; no coder filter: B's segment counts
    # (P02 th_funding "Policy came": 1 segment, 2 words of 10).
    assert list(dict.fromkeys(m["code_id"])) == ["th_central_local", "th_funding"]
    cell = m.set_index(["case", "code_id"]).loc[("P02", "th_funding")]
    assert (cell.n_segments, cell.n_words) == (1, 2)
    # Without a codes table the position-practices sort alphabetically: P03 (pp_csu_it)
    # now comes before P01 (pp_sha_it).
    assert list(dict.fromkeys(m["case"])) == ["P02", "P03", "P01", "P04"]


def test_framework_coverage_counts_participant_turns_only():
    # P02 split into an interviewer turn (first sentence) and a participant turn.
    first = span("P02", "Policy came from the centre.")
    second = span("P02", "Local choice was a slogan.")
    turns = pd.DataFrame({"source_id": ["P02", "P02"], "turn": [1, 2],
                          "role": ["interviewer", "participant"],
                          "start": [first[0], second[0]], "end": [first[1], second[1]]})
    m = mx.framework_matrix(SEGMENTS, PARTICIPANTS, SOURCES, TEXTS, codes=CODES, coder="A",
                            turns=turns).set_index(["case", "code_id"])
    # Participant words: 5 ("Local choice was a slogan"); coded among them: 5 -> 1.0.
    c = m.loc[("P02", "th_central_local")]
    assert (c.n_words, c.case_words, c.coverage) == (5, 5, 1.0)
    # P01 has no turns in the table: no participant words, coverage undefined (NaN).
    assert m.loc[("P01", "th_funding"), "case_words"] == 0
    assert np.isnan(m.loc[("P01", "th_funding"), "coverage"])


#: The coverage rule's word, written as a regular expression: a run of letters and digits
#: ([^\W_] is str.isalnum), with an apostrophe between two of them inside the word.
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.lists(st.text(alphabet="ab1 '\u2019\u00e9\u4e00.-\n", max_size=12), max_size=6),
       st.sampled_from([1, 5, 16, 1 << 22]))
def test_word_starts_match_a_regex_in_any_batch_size(chunks, batch):
    # Scanning the texts in batches finds the same word starts as a regex over the whole
    # concatenation (texts joined and ended by "\n"), whatever the batch size.
    texts = {f"S{i}": t for i, t in enumerate(chunks)}
    base, starts = mx._word_starts(texts, sorted(texts), batch=batch)
    joined = "".join(texts[s] + "\n" for s in sorted(texts))
    assert base.tolist() == [0] + list(itertools.accumulate(len(texts[s]) + 1
                                                            for s in sorted(texts)))
    assert starts.tolist() == [m.start() for m in WORD.finditer(joined)]


def test_framework_case_by_attribute_pools_participants():
    m = mx.framework_matrix(SEGMENTS, PARTICIPANTS, SOURCES, TEXTS, codes=CODES, coder="A",
                            case="tier").set_index(["case", "code_id"])
    # tier meso = P01 + P03: th_funding 3 + 1 segments, 10 + 5 words of 14 + 5.
    f = m.loc[("meso", "th_funding")]
    assert (f.n_segments, f.n_words, f.case_words) == (4, 15, 19)
    assert f.position_practice == ""  # two different position-practices


def test_quotes_are_shortened_at_a_word_boundary():
    m = mx.framework_matrix(SEGMENTS, PARTICIPANTS, SOURCES, TEXTS, codes=CODES, coder="A",
                            quote_chars=12).set_index(["case", "code_id"])
    # "Policy came from the centre." cut to 11 characters "Policy came" (ends on a word)
    # plus an ellipsis: 12 characters.
    assert m.loc[("P02", "th_central_local"), "exemplar"] == "Policy came\u2026"
    # "no money. The SHA" -> first 11 "no money. T" ends mid-word: back to "no money."
    # and the full stop is dropped before the ellipsis.
    assert m.loc[("P01", "th_funding"), "exemplar"] == "no money\u2026"


def test_framework_table_and_html():
    m = mx.framework_matrix(SEGMENTS, PARTICIPANTS, SOURCES, TEXTS, codes=CODES, coder="A")
    wide = mx.framework_table(m)
    assert wide.index.tolist() == ["P02", "P01", "P03", "P04"]
    assert wide.loc["P01"].tolist() == [1, 3]  # th_central_local, th_funding (as above)
    hostile = m.copy()
    hostile.loc[0, "exemplar"] = "<script>alert('x')</script> & co"
    page = mx.to_html(hostile, labels={"th_funding": "Funding & incentives"})
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in page
    assert "Funding &amp; incentives" in page
    assert page.index("P02") < page.index("P01") < page.index("P03")


def test_framework_bad_input():
    bad = SEGMENTS.copy()
    bad.loc[2, "end"] = 500
    with pytest.raises(DataError, match=r"segments:4: end 500 is beyond the text of 'P01'"):
        mx.framework_matrix(bad, PARTICIPANTS, SOURCES, TEXTS)
    bad = SEGMENTS.astype(str)
    bad.loc[1, "start"] = "3.5"
    with pytest.raises(DataError, match=r"segments:3: start '3.5'"):
        mx.framework_matrix(bad, PARTICIPANTS, SOURCES, TEXTS)
    with pytest.raises(DataError, match="lacks column"):
        mx.framework_matrix(SEGMENTS.drop(columns="end"), PARTICIPANTS, SOURCES, TEXTS)


# --------------------------------------------------------------------------- SST matrix

SST_CODES = pd.DataFrame({
    "code_id": ["sst_external", "sst_ext_irresistible", "sst_internal", "sst_int_gendisp",
                "sst_int_conjspec", "sst_int_horizon", "sst_agency", "sst_ag_resist",
                "sst_outcomes", "sst_out_change", "th_funding"],
    "parent_id": ["", "sst_external", "", "sst_internal", "sst_internal", "sst_int_conjspec",
                  "", "sst_agency", "", "sst_outcomes", ""],
    "facet": ["sst"] * 10 + ["theme"],
    "sst_component": ["external", "external", "internal", "internal", "internal", "internal",
                      "agency", "agency", "outcomes", "outcomes", ""],
    "bracket": ["context", "", "", "conduct", "context", "", "conduct", "", "", "", ""],
})
SST_SEGMENTS = pd.DataFrame({
    "segment_id": [f"x{i}" for i in range(8)],
    "source_id": ["P01", "P01", "P01", "P02", "P02", "P03", "P03", "P03"],
    "code_id": ["sst_ext_irresistible", "sst_int_horizon", "sst_ag_resist", "sst_external",
                "sst_out_change", "sst_int_gendisp", "sst_int_gendisp", "th_funding"],
    "start": [0] * 8, "end": [5] * 8, "coder": ["A"] * 8,
})


def test_sst_matrix_components_by_tier():
    out = mx.sst_matrix(SST_SEGMENTS, PARTICIPANTS, SOURCES, SST_CODES)
    cell = out.set_index(["component", "tier"])
    # By hand: external = P02 sst_external (macro) + P01 irresistible (meso);
    # internal = P01 horizon + P03 gendisp x2 (meso); agency = P01 resist (meso);
    # outcomes = P02 change (macro); th_funding is not SST. P04 (micro) coded nothing.
    assert out["component"].unique().tolist() == ["external", "internal", "agency", "outcomes"]
    assert out["tier"].unique().tolist() == ["macro", "meso", "micro"]
    assert cell["n"].tolist() == [1, 1, 0, 0, 3, 0, 0, 1, 0, 1, 0, 0]
    # Row external: total 2, macro 1/2. Column meso: total 5, external 1/5.
    assert cell.loc[("external", "macro"), "row_share"] == 0.5
    assert cell.loc[("external", "meso"), "column_share"] == 0.2
    assert np.isnan(cell.loc[("external", "micro"), "column_share"])  # empty column


def test_sst_matrix_brackets():
    out = mx.sst_matrix(SST_SEGMENTS, PARTICIPANTS, SOURCES, SST_CODES, rows="bracket")
    cell = out.set_index(["bracket", "tier"])["n"]
    # Context: external and children (P02 macro, P01 meso) + conjspec's child horizon
    # (P01 meso) -> macro 1, meso 2. Conduct: gendisp x2 (P03) + agency's child resist
    # (P01) -> meso 3. Outcomes belong to neither bracket.
    assert cell.tolist() == [1, 2, 0, 0, 3, 0]
    view = mx.sst_matrix(SST_SEGMENTS, PARTICIPANTS, SOURCES, SST_CODES, rows="code",
                         bracket="conduct")
    # The conduct view lists its codes in codebook order.
    assert view["code_id"].unique().tolist() == ["sst_int_gendisp", "sst_agency",
                                                 "sst_ag_resist"]
    assert view.set_index(["code_id", "tier"]).loc[("sst_int_gendisp", "meso"), "n"] == 2
    # Without a bracket column the default mapping (coding frame §1.9) gives the same.
    default = mx.sst_matrix(SST_SEGMENTS, PARTICIPANTS, SOURCES,
                            SST_CODES.drop(columns="bracket"), rows="bracket")
    pd.testing.assert_frame_equal(default, out)


def test_sst_matrix_by_position_practice():
    out = mx.sst_matrix(SST_SEGMENTS, PARTICIPANTS, SOURCES, SST_CODES,
                        by="position_practice")
    cell = out.set_index(["component", "position_practice"])["n"]
    # internal: P03 (pp_csu_it) 2, P01 (pp_sha_it) 1 (by hand).
    assert cell.loc[("internal", "pp_csu_it")] == 2
    assert cell.loc[("internal", "pp_sha_it")] == 1


# --------------------------------------------------------------------------- co-occurrence

CO_SEGMENTS = pd.DataFrame({
    "segment_id": [f"s{i}" for i in range(1, 8)],
    "source_id": ["S1"] * 5 + ["S2"] * 2,
    "code_id": ["a", "b", "c", "b", "a", "a", "c"],
    "start": [0, 5, 20, 32, 100, 0, 0],
    "end": [10, 15, 30, 40, 110, 10, 10],
    "coder": ["A"] * 7,
})


def co(table):
    return {(a, b): (n, both, either) for a, b, n, both, either in
            table[["code_a", "code_b", "n", "units_both", "units_either"]].itertuples(False)}


def test_cooccurrence_overlap_by_hand():
    out = mx.cooccurrence(CO_SEGMENTS)
    # Overlapping pairs: s1-s2 (a, b) and s6-s7 (a, c). Segments: a 3, b 2, c 2.
    # (a,b): s1 meets b, s2 meets a -> both 2, either 3 + 2 = 5, jaccard 0.4.
    assert co(out) == {("a", "b"): (1, 2, 5), ("a", "c"): (1, 2, 5), ("b", "c"): (0, 0, 4)}
    assert out["jaccard"].tolist() == [0.4, 0.4, 0.0]


def test_cooccurrence_window_by_hand():
    # window 5: s2 [5,15) - s3 [20,30) gap 5 and s3 - s4 [32,40) gap 2 join (b, c):
    # n = 2; b segments meeting c: s2, s4; c meeting b: s3 -> both 3 of 4 = 0.75.
    assert co(mx.cooccurrence(CO_SEGMENTS, by="window", window=5))[("b", "c")] == (2, 3, 4)
    # window 4: only s3 - s4 -> n 1, both 2.
    assert co(mx.cooccurrence(CO_SEGMENTS, by="window", window=4))[("b", "c")] == (1, 2, 4)
    # A huge window pairs everything within S1 but never across sources: ab = s1s2, s1s4,
    # s2s5, s4s5; ac = s1s3, s3s5 (S1) + s6s7 (S2); bc = s2s3, s3s4.
    wide = co(mx.cooccurrence(CO_SEGMENTS, by="window", window=1000))
    assert {k: v[0] for k, v in wide.items()} == {("a", "b"): 4, ("a", "c"): 3, ("b", "c"): 2}


def test_cooccurrence_by_turn_by_hand():
    turns = pd.DataFrame({"source_id": ["S1", "S1", "S1", "S2"], "turn": [1, 2, 3, 1],
                          "start": [0, 12, 50, 0], "end": [12, 50, 120, 10]})
    out = co(mx.cooccurrence(CO_SEGMENTS, by="turn", turns=turns))
    # Codes per turn: S1 t1 {a, b} (s2 spans t1 and t2), t2 {b, c}, t3 {a}; S2 t1 {a, c}.
    # (a,b): 1 turn of 3 + 2 - 1 = 4; (a,c): 1 of 4; (b,c): 1 of 2 + 2 - 1 = 3.
    assert out == {("a", "b"): (1, 1, 4), ("a", "c"): (1, 1, 4), ("b", "c"): (1, 1, 3)}
    overlapping = turns.copy()
    overlapping.loc[1, "start"] = 10
    with pytest.raises(DataError, match="overlaps the previous turn"):
        mx.cooccurrence(CO_SEGMENTS, by="turn", turns=overlapping)


def test_cooccurrence_codes_argument_fixes_the_pairs():
    out = mx.cooccurrence(CO_SEGMENTS, codes=["c", "a", "z"])
    # All pairs of the given codes, sorted, even unused "z"; b is left out.
    assert list(zip(out["code_a"], out["code_b"])) == [("a", "c"), ("a", "z"), ("c", "z")]
    assert out.set_index(["code_a", "code_b"]).loc[("a", "c"), "n"] == 1


def naive_pairs(seg, window, overlap_only):
    """Independent all-pairs reference: test every pair of segments of a source."""
    counts = {}
    rows = list(seg[["source_id", "code_id", "start", "end"]].itertuples(index=False))
    for x, y in itertools.combinations(rows, 2):
        if x.source_id != y.source_id or x.code_id == y.code_id:
            continue
        gap = max(x.start, y.start) - min(x.end, y.end)
        if (gap < 0) if overlap_only else (gap <= window):
            key = tuple(sorted((x.code_id, y.code_id)))
            counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cooccurrence_matches_all_pairs_reference(seed):
    rng = np.random.default_rng(seed)
    n = 400
    start = rng.integers(0, 3000, n)
    seg = pd.DataFrame({"source_id": rng.choice(["A", "B", "C"], n),
                        "code_id": rng.choice(["c1", "c2", "c3", "c4", "c5"], n),
                        "start": start, "end": start + rng.integers(1, 80, n)})
    for by, window in (("overlap", 0), ("window", 0), ("window", 25)):
        got = mx.cooccurrence(seg, by=by, window=window)
        got = {(a, b): n for a, b, n in got[["code_a", "code_b", "n"]].itertuples(False) if n}
        assert got == naive_pairs(seg, window, by == "overlap")


# --------------------------------------------------------------------------- code x attribute

def test_code_by_attribute_by_hand():
    out = mx.code_by_attribute(SEGMENTS, PARTICIPANTS, SOURCES, "tier", coder="A")
    cell = out.set_index(["code_id", "tier"])
    # th_funding: meso = P01 (3) + P03 (1) -> 4 segments, 2 of 2 meso participants.
    assert cell.loc[("th_funding", "meso")].tolist() == [4, 2, 2, 1.0]
    # th_central_local: macro P02 2 segments; meso P01 1 segment (1 of 2 participants).
    assert cell.loc[("th_central_local", "macro"), "n_segments"] == 2
    assert cell.loc[("th_central_local", "meso"), "case_share"] == 0.5
    assert cell.loc[("th_funding", "micro")].tolist() == [0, 0, 1, 0.0]
    assert out["tier"].unique().tolist() == ["macro", "meso", "micro"]


def test_code_by_multi_valued_attribute():
    out = mx.code_by_attribute(SEGMENTS, PARTICIPANTS, SOURCES, "eras", coder="A")
    cell = out.set_index(["code_id", "eras"])
    # eras: P01 npfit|ccg, P02 npfit, P03 ccg|stp_ics, P04 icb.
    # th_funding in ccg: P01 (3) + P03 (1) = 4 segments, 2 cases of 2 with ccg.
    assert cell.loc[("th_funding", "ccg")].tolist() == [4, 2, 2, 1.0]
    # th_central_local in npfit: P01 (1) + P02 (2) = 3 segments, 2 of 2.
    assert cell.loc[("th_central_local", "npfit")].tolist() == [3, 2, 2, 1.0]
    assert sorted(out["eras"].unique()) == ["ccg", "icb", "npfit", "stp_ics"]
