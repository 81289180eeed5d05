"""Tests for analysis.synthetic: the SYNTHETIC demo study and its two coders.

Expected values are the requirements of issue 3 item 5 and issue 4 item 7 (12-16
participants, 1,500-3,000 words each, at least one .docx, .vtt and plain text, SYNTHETIC
at the top of every file, every planted identifier in the key and in a transcript, two
coders who mostly agree) or of the task brief (coder B agrees on the code with ~80-85% of
coder A's segments); each test says which.
"""

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths, synthetic
from analysis.codebook import load_codebook
from analysis.coding import validate_segments
from analysis.participants import POSITION_PRACTICES, load_participants
from analysis.privacy import load_key, pseudonymise
from analysis.transcripts import interviewer_labels, parse_transcript

TEXT_SUFFIXES = {".txt", ".md", ".vtt", ".srt", ".csv"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    synthetic.generate_demo(out)
    synthetic.code_demo(out)
    return out


@pytest.fixture(scope="module")
def coded(demo):
    return synthetic.demo_segments(demo)


@pytest.fixture(scope="module")
def parsed(demo):
    register = load_participants(demo / "participants.csv")
    labels = interviewer_labels(register)
    return {pid: parse_transcript(demo / name, source_id=pid, interviewer=labels[pid])
            for pid, name in zip(register["participant_id"], register["transcript"])}


def test_two_runs_give_the_same_bytes(demo, tmp_path):
    # Issue 3 item 5: "deterministic from a seed". Compare every file of a second run.
    assert synthetic.main(["demo", "--out", str(tmp_path)]) == 0
    first = sorted(p.name for p in demo.iterdir())
    assert first == sorted(p.name for p in tmp_path.iterdir())
    for name in first:
        assert (demo / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_another_seed_gives_another_study(demo, tmp_path):
    # A seed that did not matter would make the determinism test above meaningless.
    synthetic.generate_demo(tmp_path, seed=synthetic.DEFAULT_SEED + 1)
    assert (demo / "P03.txt").read_bytes() != (tmp_path / "P03.txt").read_bytes()


def test_committed_demo_study_is_what_the_code_makes(demo):
    # The README's promise (`synthetic demo` is byte-identical): re-running the generator
    # changes no committed byte.
    for path in sorted(demo.iterdir()):
        committed = paths.DEMO_STUDY / path.name
        assert committed.is_file(), f"{path.name} missing from {paths.DEMO_STUDY}"
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} is stale"


def test_participants_and_tiers(demo):
    # Issue 3 item 5: 12-16 participants across the three tiers and the named
    # position-practices (SHA IT lead, CSU IT lead, ICB digital lead, trust CIO, GP
    # practice manager).
    register = load_participants(demo / "participants.csv")
    assert 12 <= len(register) <= 16
    assert set(register["tier"]) == {"macro", "meso", "micro"}
    assert {"pp_sha_it", "pp_csu_it", "pp_commiss_digital", "pp_trust_cio",
            "pp_gp_practice_mgr"} <= set(register["position_practice"])
    assert set(register["position_practice"]) <= POSITION_PRACTICES
    assert set(register["synthetic"]) == {"yes"}


def test_formats_mix(demo):
    # Issue 3 item 5: at least one .docx, one .vtt and one plain text.
    suffixes = [Path(n).suffix for n in load_participants(demo / "participants.csv")["transcript"]]
    for suffix in (".docx", ".vtt", ".txt"):
        assert suffix in suffixes


def test_word_counts(parsed):
    # Issue 3 item 5: one transcript each of 1,500-3,000 words (counted on the parsed
    # turns, i.e. by the transcript parser, not by the generator).
    for pid, t in parsed.items():
        n = sum(len(text.split()) for text in t.turns["text"])
        assert 1500 <= n <= 3000, (pid, n)


def test_turns_have_both_roles(parsed):
    # The register's interviewer_label must let the parser tell interviewer from participant.
    for pid, t in parsed.items():
        assert {"interviewer", "participant"} <= set(t.turns["role"]), pid


def test_every_file_says_synthetic_at_the_top(demo):
    # Issue 3 item 5: "Every file says SYNTHETIC at the top". CSV tables instead carry a
    # synthetic column (register) or sit in this README-marked folder (key); SRT has no
    # header, so its first cue says it.
    for path in sorted(demo.iterdir()):
        if path.suffix in {".txt", ".md", ".vtt"}:
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert "SYNTHETIC" in first, path.name
        elif path.suffix == ".srt":
            cue_text = path.read_text(encoding="utf-8").split("\n\n")[0].splitlines()[2]
            assert cue_text.startswith("SYNTHETIC"), path.name
        elif path.suffix == ".docx":
            import docx

            document = docx.Document(path)
            assert document.paragraphs[0].text.startswith("SYNTHETIC"), path.name
            assert document.core_properties.author == "SYNTHETIC"
        elif path.suffix == ".qdpx":
            with zipfile.ZipFile(path) as zf:
                assert b'name="SYNTHETIC demo coding"' in zf.read("project.qde")


def test_docx_bytes_carry_no_clock(demo):
    # python-docx stamps zip entries with the current time; the generator must fix it.
    for path in demo.glob("*.docx"):
        with zipfile.ZipFile(path) as zf:
            assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_every_key_original_is_planted(demo, parsed):
    # Issue 3 item 5: planted identifiers (names, a trust, an e-mail, a phone number)
    # whose key is committed; so every key entry must occur in some transcript.
    key = load_key(demo / "identifier_key.csv")
    everything = "\n".join(t.text for t in parsed.values())
    for original in key["original"]:
        assert original in everything, original
    kinds = set(key["kind"])
    assert {"person", "organisation", "place", "other"} <= kinds
    # Phones from Ofcom's drama range 01632 960000-960999 (what the module promises).
    phones = [o for o in key["original"] if o[0].isdigit()]
    assert phones and all(re.fullmatch(r"01632 960\d{3}", p) for p in phones)
    # at least one possessive of a planted name, so "possessives kept grammatical" is tested
    assert re.search(r"(?:" + "|".join(synthetic.COLLEAGUES) + r")'s ", everything)


def test_pseudonymised_texts_keep_no_key_entry(demo):
    # After the real pipeline no planted identifier is left (the privacy leak check's rule).
    key = load_key(demo / "identifier_key.csv")
    _, texts = synthetic.pseudonymised_study(demo)
    for text in texts.values():
        lowered = text.lower()
        assert not [o for o in key["original"] if o.lower() in lowered]


def test_transcripts_mention_years_and_eras(parsed):
    # Issue 3 item 5: "talking about real eras and events ... with year mentions".
    for pid, t in parsed.items():
        years = {int(y) for y in re.findall(r"\b(19[89]\d|20[0-2]\d)\b", t.text)}
        assert len(years) >= 3, (pid, sorted(years))


def test_ground_truth_codes_are_in_the_codebook():
    # Each template carries 1-3 codes of the SST frame (task brief) and an era id or "".
    codebook = load_codebook()
    for template in synthetic.BANK:
        assert 1 <= len(template.codes) <= 3, template.template_id
        assert all(c in codebook for c in template.codes), template.template_id
        assert template.era in {"", "imt", "ifh", "npfit", "ccg", "stp_ics", "icb"}


def _share(truth, tier, code):
    rows = truth[truth["tier"] == tier]
    return rows["codes"].str.split("|").map(lambda cs: code in cs).mean()


def test_tiers_differ_as_designed():
    # The task brief's design: meso talks more of th_mediation and th_reorg_memory, macro
    # of th_central_local, micro of th_local_ownership and sst_ag_resist. Shares of coded
    # utterances per tier, so the unequal number of participants does not matter.
    truth = synthetic.demo_ground_truth()
    tier = {p.participant_id: p.tier for p in synthetic.PEOPLE}
    truth["tier"] = truth["participant_id"].map(tier)
    for code, high in [("th_mediation", "meso"), ("th_reorg_memory", "meso"),
                       ("th_central_local", "macro"), ("th_local_ownership", "micro"),
                       ("sst_ag_resist", "micro")]:
        others = [_share(truth, t, code) for t in ("macro", "meso", "micro") if t != high]
        assert _share(truth, high, code) > 2 * max(others), code


def test_eras_differ_as_designed():
    # Task brief: npfit talk is of centralised procurement and suppliers, ccg of
    # reorganisation memory loss, icb of data/IG and accountability; the demo README adds
    # stp_ics and funding. Shares of each era's codes, so eras of unequal size compare.
    truth = synthetic.demo_ground_truth()
    long = truth.assign(code=truth["codes"].str.split("|")).explode("code")
    share = pd.crosstab(long["code"], long["era"], normalize="columns")
    share = share.drop(columns=[""])  # utterances about no particular era
    assert share.loc["th_reorg_memory"].idxmax() == "ccg"
    assert share.loc[["th_central_local", "th_supplier_contracts"]].sum().idxmax() == "npfit"
    assert share.loc["th_funding"].idxmax() == "stp_ics"
    assert share.loc[["th_data_ig", "th_accountability"]].sum().idxmax() == "icb"


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
    project = read_project(demo / synthetic.DEMO_QDPX)
    cols = ["source_id", "code_id", "start", "end", "coder"]
    got = project.segments.loc[:, cols].astype({"start": int, "end": int})
    want = segments.loc[:, cols]
    key = lambda df: sorted(map(tuple, df.values.tolist()))  # noqa: E731
    assert key(got) == key(want)
    assert project.texts == texts


def test_utterances_are_found_after_pseudonymisation(demo):
    # Every planted utterance is located in its pseudonymised text, in order.
    _, texts = synthetic.pseudonymised_study(demo)
    key = load_key(demo / "identifier_key.csv")
    located = synthetic.locate_utterances(synthetic.demo_ground_truth(), texts, key)
    for pid, start, end, text in zip(located["source_id"], located["start"], located["end"],
                                     located["text"]):
        span = texts[pid][start:end]
        assert " ".join(span.split()) == " ".join(pseudonymise(text, key).text.split())


def test_wrong_seed_is_a_data_error(demo):
    # Coding transcripts made with another seed cannot find the planted utterances.
    from analysis.errors import DataError

    with pytest.raises(DataError, match="not found"):
        synthetic.demo_segments(demo, seed=synthetic.DEFAULT_SEED + 1)


def test_large_study_is_small_when_asked(tmp_path):
    # generate_large_study with tiny sizes: files exist, segments are valid, lengths hold.
    written = synthetic.generate_large_study(tmp_path / "a", n_interviews=3, words=300,
                                             n_documents=2, doc_words=200)
    again = synthetic.generate_large_study(tmp_path / "b", n_interviews=3, words=300,
                                           n_documents=2, doc_words=200)
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in again]
    texts = {p.stem: p.read_text() for p in (tmp_path / "a" / "interviews" / "texts").iterdir()}
    assert sorted(texts) == ["L0001", "L0002", "L0003"]
    assert all(len(t.split()) >= 300 for t in texts.values())
    segments = pd.read_csv(tmp_path / "a" / "interviews" / "segments.csv", dtype=str,
                           keep_default_na=False)
    validate_segments(segments, texts, load_codebook())
    assert set(segments["coder"]) == {"coder_a", "coder_b"}
    docs = list((tmp_path / "a" / "documents" / "texts").iterdir())
    assert len(docs) == 2 and all(d.read_text().startswith("SYNTHETIC") for d in docs)
