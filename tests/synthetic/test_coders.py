"""Tests for analysis.coders.coders: the two fictional coders and their REFI-QDA project.

Expected values are the requirements of issue 3 item 5 and issue 4 item 7 (12-16
participants, 1,500-3,000 words each, at least one .docx, .vtt and plain text, SYNTHETIC
at the top of every file, every planted identifier in the key and in a transcript, two
coders who mostly agree) or of the task brief; each test says which. The band of
coder agreement (~80-85% of coder A's segments) is the task brief's.
"""

import pytest

from analysis.codebook import load_codebook
from analysis.coding import validate_segments
from analysis.privacy import load_key, pseudonymise
from analysis.synthetic import coders, compose


def test_pseudonymised_texts_keep_no_key_entry(demo):
    # After the real pipeline no planted identifier is left (the privacy leak check's rule).
    key = load_key(demo / "identifier_key.csv")
    _, texts = coders.pseudonymised_study(demo)
    for text in texts.values():
        lowered = text.lower()
        assert not [o for o in key["original"] if o.lower() in lowered]


def test_coders_mostly_agree(coded):
    # Issue 4 item 7: coder B agrees with A on most but not all segments; the task brief
    # asks ~80-85% agreement (code and overlapping span), some boundary shifts, some
    # sibling codes. A band of 0.75-0.92 allows for the draw.
    segments, texts, _ = coded
    codebook = load_codebook()
    validate_segments(segments, texts, codebook)
    a = segments[segments["coder"] == "coder_a"]
    b = segments[segments["coder"] == "coder_b"]
    pairs = a.merge(b, on=["source_id", "code_id"], suffixes=("_a", "_b"))
    overlap = pairs[(pairs["start_a"] < pairs["end_b"]) & (pairs["start_b"] < pairs["end_a"])]
    agreed = overlap.drop_duplicates(["source_id", "code_id", "start_a", "end_a"])
    share = len(agreed) / len(a)
    assert 0.75 <= share <= 0.92, share
    exact = (agreed["start_a"] == agreed["start_b"]) & (agreed["end_a"] == agreed["end_b"])
    assert 0 < (~exact).sum()          # some boundary differences
    assert exact.mean() > 0.5           # but most spans are the same
    # some of B's codes are siblings of A's on the same span (same parent in the codebook)
    parent = dict(zip(codebook.codes["code_id"], codebook.codes["parent_id"]))
    same_span = a.merge(b, on=["source_id", "start", "end"], suffixes=("_a", "_b"))
    differs = same_span["code_id_a"] != same_span["code_id_b"]
    kin = same_span["code_id_a"].map(parent) == same_span["code_id_b"].map(parent)
    sibling = same_span[differs & kin]
    assert len(sibling) > 0


def test_qdpx_round_trips(demo, coded):
    # Issue 4 item 7: stored as a REFI-QDA project that make all imports; the importer
    # must give back exactly the segments the coders made.
    from analysis.refi import read_project

    segments, texts, _ = coded
    project = read_project(demo / coders.DEMO_QDPX)
    cols = ["source_id", "code_id", "start", "end", "coder"]
    got = project.segments.loc[:, cols].astype({"start": int, "end": int})
    want = segments.loc[:, cols]
    key = lambda df: sorted(map(tuple, df.values.tolist()))  # noqa: E731
    assert key(got) == key(want)
    assert project.texts == texts


def test_utterances_are_found_after_pseudonymisation(demo):
    # Every planted utterance is located in its pseudonymised text, in order.
    _, texts = coders.pseudonymised_study(demo)
    key = load_key(demo / "identifier_key.csv")
    located = coders.locate_utterances(compose.demo_ground_truth(), texts, key)
    for pid, start, end, text in zip(located["source_id"], located["start"], located["end"],
                                     located["text"]):
        span = texts[pid][start:end]
        assert " ".join(span.split()) == " ".join(pseudonymise(text, key).text.split())


def test_wrong_seed_is_a_data_error(demo):
    # Coding transcripts made with another seed cannot find the planted utterances.
    from analysis.errors import DataError

    with pytest.raises(DataError, match="not found"):
        coders.demo_segments(demo, seed=compose.DEFAULT_SEED + 1)
