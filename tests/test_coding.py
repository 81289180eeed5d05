"""Tests of analysis.coding: segment validation, the three ways in, helpers, dictionary coding.

Fixtures are in tests/fixtures/coding/. texts/P01.txt is (offsets counted by hand):

    The SHA told us to take the LSP's system.\\n      characters 0-41, newline at 41
    We had no choice.\\n                               characters 42-59, 60 in all

so "SHA" is 4-7, "take the LSP's system" 19-40 and "We had no choice." 42-59.
"""

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.codebook import load_codebook
from analysis.coding import (SEGMENT_COLUMNS, attach_attributes, dictionary_code,
                             load_texts, parse_inline, parse_stem, read_segments_csv,
                             roll_up, segment_id, select_facet, sentence_spans,
                             validate_segments)
from analysis.errors import DataError

FIX = Path(__file__).parent / "fixtures" / "coding"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def texts():
    return load_texts(FIX / "texts")


@pytest.fixture
def good():
    return pd.read_csv(FIX / "segments_good.csv", dtype=str, keep_default_na=False)


# ----------------------------------------------------------------- validation

def test_good_segments_pass(texts, codebook):
    assert len(texts["P01"]) == 60  # counted by hand, see the module docstring
    segs = read_segments_csv(FIX / "segments_good.csv", texts, codebook)
    assert segs["start"].tolist() == [4, 42, 19]
    assert segs["end"].dtype == "int64"


def test_offset_out_of_range_names_the_file_line(texts, codebook):
    # Row s2 (end 61 > 60 characters) is on file line 5: the quoted text of s4 spans
    # lines 3 and 4.
    with pytest.raises(DataError) as info:
        read_segments_csv(FIX / "segments_out_of_range.csv", texts, codebook)
    assert info.value.line == 5
    assert "out of range" in info.value.reason and "60 characters" in info.value.reason


@pytest.mark.parametrize("row, column, value, reason", [
    (2, "text", "take the LSP system", "does not match the source text"),
    (0, "code_id", "th_money", "unknown code 'th_money'"),
    (1, "code_id", "th", "groups other codes"),  # th is a root, not codable (§2.1)
    (1, "start", "x", "whole numbers"),
    (0, "end", "4", "end 4 is not after start 4"),
    (2, "source_id", "P99", "unknown source 'P99'"),
    (1, "coder", "dictionary", "dictionary suggestion in human coding"),
    (2, "segment_id", "s1", "duplicate segment_id 's1' (first at 2)"),
])
def test_each_rule_names_the_csv_line(good, texts, codebook, row, column, value, reason):
    good.loc[row, column] = value
    with pytest.raises(DataError) as info:
        validate_segments(good, texts, codebook, where="segments.csv")
    # row i of the table is on CSV line i + 2 (one header line, no multi-line cells)
    assert (info.value.path, info.value.line) == ("segments.csv", row + 2)
    assert reason in info.value.reason


def test_first_bad_row_wins_and_places_can_be_given(good, texts, codebook):
    good.loc[2, "code_id"] = "th_money"
    good.loc[1, "end"] = "99"
    with pytest.raises(DataError) as info:
        validate_segments(good, texts, codebook, where="p.qdpx",
                          places=["Coding[1]", "Coding[2]", "Coding[3]"])
    assert str(info.value) == ("p.qdpx:Coding[2]: offsets 42-99 out of range: text of "
                               "'P01' has 60 characters")


def test_missing_column(good):
    with pytest.raises(DataError, match="lack column.*coder"):
        validate_segments(good.drop(columns="coder"))


def test_segment_id_is_deterministic():
    # Independent computation: hashlib on the documented joined fields.
    import hashlib
    expected = hashlib.sha1("P01\x1flvl_meso\x1f4\x1f7\x1fab".encode()).hexdigest()[:16]
    assert segment_id("P01", "lvl_meso", 4, 7, "ab") == expected


# ----------------------------------------------------------------- inline markup

def test_inline_worked_example(codebook):
    raw = (FIX / "inline_P02.txt").read_text(encoding="utf-8")
    clean, segs = parse_inline(raw, "P02", "ab")
    # Worked out by hand: line 1 is 44 characters + newline, so line 2 starts at 45;
    # "P02: " is 5 characters, "The PCT went" 12 -> 50-62; " and the " -> "CSU" 71-74;
    # " took over [[sic]]." ends at 93, newline 93, line 3 starts at 94;
    # "We had to bid for\nevery penny" is 29 characters -> 94-123.
    assert clean.splitlines()[1] == "P02: The PCT went and the CSU took over [[sic]]."
    assert len(clean) == 125
    got = segs[["code_id", "start", "end"]].values.tolist()
    assert got == [["lvl_meso", 50, 62], ["th_reorg_memory", 50, 62],
                   ["pp_csu_it", 71, 74], ["th_funding", 94, 123]]
    assert segs.loc[3, "text"] == "We had to bid for\nevery penny"
    assert list(segs.columns) == SEGMENT_COLUMNS
    validate_segments(segs, {"P02": clean}, codebook)


def test_inline_nesting():
    clean, segs = parse_inline("[[lvl_meso: the [[pp_sha_it: SHA CIO]] said]] no", "P03", "cd")
    # "the SHA CIO said no": outer 0-16, inner "SHA CIO" 4-11 (counted by hand)
    assert clean == "the SHA CIO said no"
    assert segs[["code_id", "start", "end"]].values.tolist() == [
        ["lvl_meso", 0, 16], ["pp_sha_it", 4, 11]]


@pytest.mark.parametrize("text, where, reason", [
    ("a [[th_funding: b", "1:3", "never closed"),      # '[[' at column 3
    ("ok\na ]] b", "2:3", "closes nothing"),           # ']]' at line 2, column 3
    ("ok\n  [[th_funding oops]]", "2:3", "code ids and a colon"),
    ("x [[th_funding: ]]", "1:3", "empty coded span"),
    ("[[TH_Funding: b]]", "1:1", "code ids and a colon"),  # ids are lower case
])
def test_inline_errors_give_line_and_column(text, where, reason):
    with pytest.raises(DataError) as info:
        parse_inline(text, "P04", "ab", where="notes/P04.txt")
    assert info.value.line == where and reason in info.value.reason


def test_inline_checks_codes_with_a_codebook(codebook):
    # 'th' (line 2, column 4) is a grouping root, not codable (frame §2.1 point 5).
    with pytest.raises(DataError) as info:
        parse_inline("ok\nab [[th: x]]", "P04", "ab", codebook=codebook)
    assert (info.value.line, info.value.reason) == ("2:4", "code 'th' groups other codes")


# ----------------------------------------------------------------- helpers

def _segs(rows):
    df = pd.DataFrame(rows, columns=["source_id", "code_id", "start", "end", "coder"])
    df["text"] = "x"
    df["segment_id"] = [segment_id(*r) for r in rows]
    return df[SEGMENT_COLUMNS]


def test_roll_up(codebook):
    segs = _segs([("P01", "sst_int_horizon", 0, 5, "ab"), ("P01", "sst_int_conjspec", 0, 5, "ab"),
                  ("P01", "th_funding", 0, 5, "ab"), ("P01", "sst_int_gendisp", 9, 12, "ab")])
    # component: horizon and conjspec both become sst_internal on the same span (one row);
    # th_funding stays (its root th is not codable).
    up = roll_up(segs, codebook)
    assert up[["code_id", "start"]].values.tolist() == [
        ["sst_internal", 0], ["th_funding", 0], ["sst_internal", 9]]
    assert up.loc[0, "segment_id"] == segment_id("P01", "sst_internal", 0, 5, "ab")
    assert roll_up(segs, codebook, to="root")["code_id"].tolist() == [
        "sst_internal", "th", "sst_internal"]
    assert roll_up(segs, codebook, to=1)["code_id"].tolist() == [
        "sst_int_conjspec", "th_funding", "sst_int_gendisp"]


def test_select_facet(codebook):
    segs = _segs([("P01", "lvl_meso", 0, 1, "a"), ("P01", "pp_supplier", 0, 1, "a"),
                  ("P01", "sst_agency", 0, 1, "a")])
    assert select_facet(segs, codebook, "position_practice")["code_id"].tolist() == [
        "pp_supplier"]
    with pytest.raises(ValueError):
        select_facet(segs, codebook, "topics")


def test_attach_attributes():
    segs = _segs([("P01", "lvl_meso", 0, 1, "a"), ("D01", "th_funding", 0, 1, "a"),
                  ("P02", "lvl_micro", 0, 1, "a")])
    sources = pd.DataFrame({"source_id": ["P01", "P02", "D01"],
                            "participant_id": ["P01", "P02", ""]})
    people = pd.DataFrame({"participant_id": ["P01", "P02"], "tier": ["meso", "micro"],
                           "sector": ["nhs", "nhs"]})
    out = attach_attributes(segs, sources, people, columns=["tier"])
    assert out["tier"].tolist() == ["meso", "", "micro"]
    assert "sector" not in out.columns
    with pytest.raises(DataError, match="more than once"):
        attach_attributes(segs, pd.concat([sources, sources]), people)


# ----------------------------------------------------------------- sentences

def test_sentence_splitter_edge_cases():
    text = ("Dr. Patel met the Rt. Hon. minister at No. 10 Downing St. on Monday. "
            "Spending rose 2.5 per cent, i.e. £2.7bn. It was, e.g. for EPRs, too little!\n\n"
            "New paragraph without a stop\nContinued line. \"Quoted start.\" (Bracketed.)")
    got = [text[a:b] for a, b in sentence_spans(text)]
    # By hand: no break after Dr., Rt., Hon., No. (before 10), St. (abbreviations),
    # 2.5, i.e. and e.g.; a blank line always breaks; a single newline does not.
    assert got == [
        "Dr. Patel met the Rt. Hon. minister at No. 10 Downing St. on Monday.",
        "Spending rose 2.5 per cent, i.e. £2.7bn.",
        "It was, e.g. for EPRs, too little!",
        "New paragraph without a stop\nContinued line.",
        "\"Quoted start.\"",
        "(Bracketed.)",
    ]


# ----------------------------------------------------------------- dictionary coding

THREE = ("The SHA cut the budget for the new system. "
         "Dr. Jones said the trust had no choice. It rained.")
# Sentences by hand: 0-42, 43-82, 83-93.
S1, S2 = (0, 42), (43, 82)


def test_dictionary_three_sentences(codebook):
    out = dictionary_code({"D1": THREE}, codebook)
    got = out[["code_id", "start", "end", "stem"]].values.tolist()
    # Counted by hand from the codebook's stems:
    # S1: 'sha' (lvl_meso); 'budget' and 'system' are noisy stems (sst_external,
    #     th_funding, sst_ext_sociotech) and 'sha' is noisy for pp_sha_it, with no
    #     non-noisy stem of their facets in S1, so they are dropped.
    # S2: 'trust' (lvl_micro), 'no choice' (sst_ext_irresistible), and the noisy
    #     'choice*' (sst_int_horizon) kept because 'no choice' is an sst stem too.
    # S3: nothing.
    assert got == [
        ["lvl_meso", *S1, "sha"],
        ["lvl_micro", *S2, "trust"],
        ["sst_ext_irresistible", *S2, "no choice"],
        ["sst_int_horizon", *S2, "choice*"],
    ]
    assert set(out["coder"]) == {"dictionary"}
    validate_segments(out, {"D1": THREE}, codebook, allow_dictionary=True)
    with pytest.raises(DataError, match="dictionary suggestion"):
        validate_segments(out, {"D1": THREE}, codebook)


def test_dictionary_noisy_options(codebook):
    noisy = dictionary_code({"D1": THREE}, codebook, include_noisy=True)
    # The four noisy S1 hits listed above come back.
    s1 = noisy[noisy["start"] == 0]
    assert s1["code_id"].tolist() == ["lvl_meso", "pp_sha_it", "sst_ext_sociotech",
                                      "sst_external", "th_funding"]
    by_code = dictionary_code({"D1": THREE}, codebook, noisy_requires="code")
    # sst_int_horizon has no non-noisy stem in S2 itself.
    assert "sst_int_horizon" not in set(by_code["code_id"])
    assert len(by_code) == 3


def test_dictionary_by_turn(codebook):
    turns = pd.DataFrame({"source_id": ["D1", "D1"], "turn": ["1", "2"],
                          "start": ["0", "43"], "end": ["42", "93"]})
    # P01 has no turns (as for interviewer-only filtering), so it gets no candidates.
    out = dictionary_code({"D1": THREE, "P01": "The SHA."}, codebook, unit="turn", turns=turns)
    assert out[["code_id", "start", "end"]].values.tolist() == [
        ["lvl_meso", 0, 42], ["lvl_micro", 43, 93], ["sst_ext_irresistible", 43, 93],
        ["sst_int_horizon", 43, 93]]


def test_word_boundaries_case_and_phrases(codebook):
    text = ("The SHA's shadow team met the Local  Service\nProvider. "
            "Ring-fenced money went to shas. Opt-out rules.")
    out = dictionary_code({"D": text}, codebook, include_noisy=True)
    stems = dict(zip(out["code_id"] + "@" + out["start"].astype(str), out["stem"]))
    # "SHA's" matches 'sha' (the apostrophe ends the word), "shadow" does not;
    # the phrase allows any white space between words; 'ring-fenc*' needs the hyphen.
    # Sentence starts counted by hand: "The SHA's shadow team met the Local  Service\n
    # Provider. " is 55 characters, "Ring-fenced money went to shas. " 32 more (87).
    assert stems["lvl_meso@0"] == "sha"
    assert stems["pp_supplier@0"] == "local service provider*"
    assert stems["th_funding@55"] == "ring-fenc*|money"  # "Ring-fenced money", in order
    assert stems["lvl_meso@55"] == "shas"
    assert stems["th_data_ig@87"] == "opt-out"
    assert parse_stem("im&t") == (["im", "t"], ["&"], False)


def _regex_oracle(texts, codebook):
    """An independent implementation with one regular expression per stem."""
    found = set()
    for row in codebook.codes.itertuples():
        if not row.codable:
            continue
        for stem in row.stems + row.noisy_stems:
            body = r"\s+".join(re.escape(w) for w in stem.rstrip("*").split())
            rx = re.compile(r"(?<![^\W_])" + body + (r"[^\W_]*" if stem.endswith("*") else "")
                            + r"(?![^\W_])", re.IGNORECASE)
            for sid, text in texts.items():
                spans = sentence_spans(text)
                for m in rx.finditer(text):
                    for a, b in spans:
                        if a <= m.start() and m.end() <= b:
                            found.add((sid, row.code_id, a, b))
    return found


def test_dictionary_agrees_with_a_regex_oracle(codebook, texts):
    sample = {**texts, "D2": (
        "NPfIT was procured centrally through Connecting for Health and the LSPs. "
        "The SHA's informatics director said trusts had no choice but to accept the "
        "Cerner or iSoft systems. Interoperability standards such as HL7 and SNOMED CT "
        "were promised. Funding was ring-fenced, but consent and data-sharing rules "
        "slowed adoption. After the abolition of PCTs, CSUs took over GP IT.")}
    out = dictionary_code(sample, codebook, include_noisy=True)
    got = set(zip(out["source_id"], out["code_id"], out["start"], out["end"]))
    assert got == _regex_oracle(sample, codebook)
    assert len(got) > 20  # the sample is built to hit many codes


def test_no_before_a_word_ends_a_sentence():
    # 'No.' is an abbreviation only before a number (No. 10); "said no." ends a sentence.
    text = "They said no. Then they said yes."
    assert [text[a:b] for a, b in sentence_spans(text)] == ["They said no.",
                                                            "Then they said yes."]


# ----------------------------------------------------------------- command line

def test_command_line_inline_and_check(tmp_path):
    from analysis.coding import main

    text_out, segs_out = tmp_path / "texts" / "P02.txt", tmp_path / "P02.csv"
    assert main(["inline", str(FIX / "inline_P02.txt"), "--source-id", "P02", "--coder", "ab",
                 "--text-out", str(text_out), "--segments-out", str(segs_out)]) == 0
    # The four segments of test_inline_worked_example, checked again from the files.
    assert main(["check", str(segs_out), "--texts", str(tmp_path / "texts")]) == 0
    assert len(pd.read_csv(segs_out)) == 4
    bad = tmp_path / "bad.txt"
    bad.write_text("a [[th_nothing: b]]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.txt:1:3: code 'th_nothing' is not in"):
        main(["inline", str(bad), "--source-id", "P09", "--coder", "ab",
              "--text-out", str(tmp_path / "x.txt"), "--segments-out", str(tmp_path / "x.csv")])
    assert not (tmp_path / "x.txt").exists()  # nothing half-written


def test_turns_past_the_end_are_an_error(codebook):
    # THREE has 93 characters (counted above); a turn ending at 94 is on turns.csv line 3.
    turns = pd.DataFrame({"source_id": ["D1", "D1"], "start": [0, 43], "end": [42, 94]})
    with pytest.raises(DataError, match=r"turns.csv:3: turn start and end"):
        dictionary_code({"D1": THREE}, codebook, unit="turn", turns=turns)
