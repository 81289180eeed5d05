"""The audit trail (analysis/audit.py): the codebook's change log between rounds, codes
followed through it, agreement per round; and the three-round study of
tests/_audit_study.py built in this process (analysis.pipeline.build).

Every expected value is worked out by hand from the coding plans in _audit_study.py
(CODING_1, CODING_2, CODING_3: which sentence each coder coded with which code) and
the sentence lengths (PHRASES: counted by hand below), never taken from a run.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pandas as pd
import pytest

import _audit_study as S
from analysis import audit, paths
from analysis.privacy import leak_check, load_key
from analysis.refi.qde import slug

# Sentence lengths, counted by hand (characters, final full stop included).
LENGTH = {"p1": 25, "p2": 21, "p3": 31, "p4": 31, "p5": 35,
          "q1": 29, "q2": 25, "q3": 32, "q4": 31, "q5": 31, "q6": 24}
# The processed texts: "Interviewer: Tell me about the money.\n\nP01: " (44) and the five
# P01 sentences with a space between (25+21+31+31+35 + 4) and a newline: 192 characters;
# P02: "Interviewer: And your team?\n\nP02: " (34) + six sentences (172 + 5) + 1 = 212.
TEXT_LENGTH = {"P01": 192, "P02": 212}


def test_sentence_lengths_were_counted_right():
    # the hand counts above, checked once against the strings themselves
    assert {k: len(v) for k, v in S.PHRASES.items()} == LENGTH
    assert {k: len(v) for k, v in S.TRANSCRIPTS.items()} == TEXT_LENGTH


def _round(book, coding, name):
    """A round's codes and codings as the build names them (ids: slugs of the names)."""
    codes = []

    def walk(items, parent):
        for key, label, definition, children in items:
            codes.append({"round": name, "code_id": slug(label, lower=True),
                          "guid": S.G[key], "label": label, "parent_id": parent,
                          "definition": S.DEF[definition]})
            walk(children, slug(label, lower=True))

    walk(book, "")
    ids = {c["guid"]: c["code_id"] for c in codes}
    seg = [{"round": name, "source_id": S.where(ph, S.TRANSCRIPTS)[0],
            "code_id": ids[S.G[key]], "start": S.where(ph, S.TRANSCRIPTS)[1],
            "end": S.where(ph, S.TRANSCRIPTS)[2], "coder": coder}
           for coder, plan in coding.items() for key, phrases in plan.items()
           for ph in phrases]
    return pd.DataFrame(codes), pd.DataFrame(seg)


ROUNDS = ["round-1", "round-2", "round-3"]


@pytest.fixture(scope="module")
def rounds():
    parts = [_round(S.BOOK_1, S.CODING_1, "round-1"), _round(S.BOOK_2, S.CODING_2, "round-2"),
             _round(S.BOOK_3, S.CODING_3, "round-3")]
    return (pd.concat([c for c, _ in parts], ignore_index=True),
            pd.concat([s for _, s in parts], ignore_index=True))


# The change log, worked out from _audit_study.py's module notes and coding plans:
# (round_from, change, code_from, code_to, parent_from, parent_to, n_codings)
EXPECTED_CHANGES = [
    # Winter pressure: ann codes q6 in round 2 (1 coding)
    ("round-1", "added", "", "winter_pressure", "", "", 1),
    # Training: ann q2 and bob q2 in round 1
    ("round-1", "removed", "training", "", "", "", 2),
    # same GUID; Finance in round 2: ann p1, q1
    ("round-1", "renamed", "funding", "finance", "", "", 2),
    # Cuts from under Funding to the top; round 2: ann p1
    ("round-1", "moved", "cuts", "cuts", "Funding", "", 1),
    # round 2 Systems: ann p3, p5
    ("round-1", "definition edited", "systems", "systems", "", "", 2),
    # ann's (the coder of both rounds) Central control p4 and Local choice q4 are both
    # Governance's in round 2: 1 of 1 each
    ("round-1", "merged", "central_control", "governance", "", "", 1),
    ("round-1", "merged", "local_choice", "governance", "", "", 1),
    # ann's Procurement p5, q3, q5: q3 and q5 now Contracts, p5 Purchasing
    ("round-1", "split", "procurement", "contracts", "", "", 2),
    ("round-1", "split", "procurement", "purchasing", "", "", 1),
    # new GUID, same definition, ann's q6 is Seasonal pressure's; round 3: ann q6, bob q6
    ("round-2", "renamed", "winter_pressure", "seasonal_pressure", "", "", 2),
]


def _changes_as_tuples(log):
    return [(r.round_from, r.change, r.code_from, r.code_to, r.parent_from, r.parent_to,
             int(r.n_codings)) for r in log.itertuples(index=False)]


def test_change_log_finds_every_change_with_its_count_of_codings(rounds):
    codes, segments = rounds
    log, with_next = audit.change_log(codes, segments, ROUNDS)
    assert _changes_as_tuples(log) == EXPECTED_CHANGES
    assert set(log["round_to"]) == {"round-2", "round-3"}
    # the edited definition, word by word: "Records" became "Electronic records", "other"
    # came in before "IT systems."
    edited = log[log["change"] == "definition edited"].iloc[0]
    assert edited["detail"] == "[-Records-] {+Electronic records+} and {+other+} IT systems."
    # the rename by codings says how it was found
    by_codings = log[log["code_from"] == "winter_pressure"].iloc[0]
    assert "the same codings: 1 of 1" in by_codings["detail"]
    # round-1 codings: Funding ann p1 q1 + bob p1 = 3; Procurement 3 + 2 = 5
    counts = with_next.set_index(["round", "code_id"])["n_codings"]
    assert counts[("round-1", "funding")] == 3 and counts[("round-1", "procurement")] == 5
    nxt = with_next.set_index(["round", "code_id"])["continues_as"]
    assert nxt[("round-1", "funding")] == "finance" and nxt[("round-1", "training")] == ""
    assert nxt[("round-1", "procurement")] == "" and nxt[("round-2", "winter_pressure")] == \
        "seasonal_pressure"


def test_a_new_guid_without_the_same_codings_is_a_removal_and_an_addition():
    codes_a = pd.DataFrame({"code_id": ["old"], "guid": ["g1"], "label": ["Old"],
                            "parent_id": [""], "definition": ["Same words."]})
    codes_b = codes_a.assign(code_id="new", guid="g2", label="New")
    seg = lambda code, spans: pd.DataFrame(  # noqa: E731
        [("P01", code, a, b, "ann") for a, b in spans],
        columns=["source_id", "code_id", "start", "end", "coder"])
    # 1 of 3 old codings on the same passage: not "most"
    log, match = audit.compare_rounds(codes_a, seg("old", [(0, 5), (6, 9), (10, 12)]),
                                      codes_b, seg("new", [(0, 5), (20, 25)]))
    assert log[["change", "n_codings"]].values.tolist() == [["added", 2], ["removed", 3]]
    assert match == {}
    # 2 of 3 on the same passages, and 2 of 2 of the new code's: the same code
    log, match = audit.compare_rounds(codes_a, seg("old", [(0, 5), (6, 9), (10, 12)]),
                                      codes_b, seg("new", [(0, 5), (6, 9)]))
    assert log["change"].tolist() == ["renamed"] and match == {"old": "new"}


def test_a_passage_coded_twice_goes_to_the_codes_own_continuation():
    # Cuts' only coding (p1) carries Finance and Cuts in the next round: it stays Cuts,
    # and Cuts is not merged into Finance
    codes = pd.DataFrame({"code_id": ["finance", "cuts"], "guid": ["g1", "g2"],
                          "label": ["Finance", "Cuts"], "parent_id": "", "definition": ""})
    seg = pd.DataFrame([("P01", c, 0, 5, "ann") for c in ("finance", "cuts")],
                       columns=["source_id", "code_id", "start", "end", "coder"])
    log, match = audit.compare_rounds(codes, seg, codes, seg)
    assert log.empty and match == {"finance": "finance", "cuts": "cuts"}


def test_codes_present_in_every_round_are_followed_through_renames(rounds):
    codes, segments = rounds
    _, with_next = audit.change_log(codes, segments, ROUNDS)
    lineage = audit.code_lineage(with_next, ROUNDS)
    # Funding -> Finance -> Finance; Cuts, Staffing, Systems throughout; the merged,
    # split, removed and added codes are not in every round as one code
    chains = lineage.groupby("lineage")["code_id"].apply(list).to_dict()
    assert chains == {"finance": ["funding", "finance", "finance"],
                      "cuts": ["cuts"] * 3, "staffing": ["staffing"] * 3,
                      "systems": ["systems"] * 3}


def kappa(n11, n10, n01, n00):
    """Cohen's kappa of a 2 x 2 table, exactly (Cohen 1960): (po - pe) / (1 - pe)."""
    n = n11 + n10 + n01 + n00
    po = Fraction(n11 + n00, n)
    pe = Fraction((n11 + n10) * (n11 + n01) + (n01 + n00) * (n10 + n00), n * n)
    return float((po - pe) / (1 - pe))


def test_agreement_by_round_equals_two_by_two_tables_worked_by_hand(rounds):
    _, segments = rounds
    table = audit.agreement_by_round(segments, S.TRANSCRIPTS, ROUNDS)
    got = {(r.round, r.unit): r for r in table.itertuples(index=False)}
    L, N = LENGTH, sum(TEXT_LENGTH.values())
    # Round 1, character unit, the 8 codes in use over both texts (8 x 404 units):
    # both coded: Funding p1, Cuts p1, Staffing p2, Systems p3, Central p4, Local q4,
    # Procurement p5 q3, Training q2; ann only: Funding q1, Procurement q5; bob only:
    # Staffing q2.
    n11 = 2 * L["p1"] + L["p2"] + L["p3"] + L["p4"] + L["q4"] + L["p5"] + L["q3"] + L["q2"]
    n10, n01 = L["q1"] + L["q5"], L["q2"]
    r1 = (n11, n10, n01, 8 * N - n11 - n10 - n01)
    assert (n11, n10, n01) == (256, 60, 25)
    # Round 3: both: Finance p1 q1, Cuts p1, Staffing p2, Systems p3, Governance p4,
    # Purchasing p5, Contracts q3 q5, Seasonal q6; ann only: Staffing q2, Governance q4.
    n11 = (L["p1"] + L["q1"] + L["p1"] + L["p2"] + L["p3"] + L["p4"] + L["p5"] + L["q3"]
           + L["q5"] + L["q6"])
    r3 = (n11, L["q2"] + L["q4"], 0, 8 * N - n11 - L["q2"] - L["q4"])
    # Segment unit: round 1 has 10 passages (8 coded by both, q1 and q5 by ann only)
    # x 8 codes: both 9 (p1 twice), ann only 2 (q1, q5), bob only 1 (Staffing q2);
    # round 3 has 11 passages x 8 codes: both 10, ann only 2 (Staffing q2, Governance q4)
    s1, s3 = (9, 2, 1, 80 - 12), (10, 2, 0, 88 - 12)
    for (rnd, unit), cells in {("round-1", "character"): r1, ("round-3", "character"): r3,
                               ("round-1", "segment"): s1, ("round-3", "segment"): s3}.items():
        row = got[(rnd, unit)]
        assert row.n_units == sum(cells), (rnd, unit)
        assert row.kappa == pytest.approx(kappa(*cells), abs=1e-6), (rnd, unit)
        assert row.percent_agreement == pytest.approx((cells[0] + cells[3]) / sum(cells))
        assert row.coders == "ann, bob"
    # the same statistics as closed fractions, for the record: 1220/1460 and 1520/1696
    assert got[("round-1", "segment")].kappa == pytest.approx(1220 / 1460, abs=1e-6)
    assert got[("round-3", "segment")].kappa == pytest.approx(1520 / 1696, abs=1e-6)
    # round 2 has one coder: listed, nothing computed
    one = got[("round-2", "")]
    assert one.coders == "ann" and one.n_units == 0 and pd.isna(one.kappa)


def test_kappa_per_code_follows_the_renamed_code(rounds):
    codes, segments = rounds
    _, with_next = audit.change_log(codes, segments, ROUNDS)
    lineage = audit.code_lineage(with_next, ROUNDS)
    per_code = audit.code_agreement_by_round(segments, S.TRANSCRIPTS, lineage, ROUNDS)
    got = {(r.lineage, r.round): r for r in per_code.itertuples(index=False)}
    assert sorted({r for _, r in got}) == ["round-1", "round-3"]  # round 2: one coder
    N, L = sum(TEXT_LENGTH.values()), LENGTH
    # Funding (round 1): ann p1 q1, bob p1; Finance (round 3): both p1 q1
    cells = (L["p1"], L["q1"], 0, N - L["p1"] - L["q1"])
    assert (got[("finance", "round-1")].code_id, got[("finance", "round-3")].code_id) == (
        "funding", "finance")
    assert got[("finance", "round-1")].kappa == pytest.approx(kappa(*cells))
    assert got[("finance", "round-3")].kappa == pytest.approx(1.0)
    # Staffing: bob alone on q2 in round 1, ann alone on q2 in round 3: the same kappa
    one = (L["p2"], 0, L["q2"], N - L["p2"] - L["q2"])
    assert got[("staffing", "round-1")].kappa == pytest.approx(kappa(*one))
    assert got[("staffing", "round-3")].kappa == pytest.approx(kappa(*one))


def test_excluded_rows_of_the_import_report():
    report = pd.DataFrame({
        "level": ["info", "warning", "warning", "info"],
        "item": ["P01", "P02-0003", "code_image 1", "code_map"],
        "what": ["source matched to participant", "selection could not be placed",
                 "picture selection not carried over", "unmapped coding"],
        "detail": ["P01 by name", "", "", "3 of 12"]})
    assert audit.excluded(report)["item"].tolist() == ["P02-0003", "code_image 1", "code_map"]


# ----------------------------------------------------------------- the study, built

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The three-round study built in this process, as ``build interviews --study private``."""
    from analysis.pipeline import build

    root = tmp_path_factory.mktemp("audit-study")
    S.write_study(root / "study")
    saved = paths.PRIVATE
    paths.PRIVATE = root / "study"
    try:
        out = build.build_interviews("private", out=root / "processed" / "interviews")
    finally:
        paths.PRIVATE = saved
    return out


def _csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_build_writes_the_change_log_of_the_rounds(built):
    log = _csv(built / "audit" / "codebook_changes.csv")
    assert log.columns.tolist() == audit.CHANGE_COLUMNS
    assert _changes_as_tuples(log.astype({"n_codings": int})) == EXPECTED_CHANGES


def test_rounds_table_and_history_carry_the_round_of_every_coding(built):
    rounds = _csv(built / "audit" / "rounds.csv")
    # codings counted from the plans: round 1 ann 11 + bob 10, round 2 ann 12,
    # round 3 ann 12 + bob 10
    assert rounds[["round", "projects", "coders", "n_codings", "analysis"]].values.tolist() == [
        ["round-1", "ann.qdpx|bob.qdpx", "ann|bob", "21", "no"],
        ["round-2", "ann.qdpx", "ann", "12", "no"],
        ["round-3", "team.qdpx", "ann|bob", "22", "yes"]]
    history = _csv(built / "audit" / "segments_history.csv")
    assert history.groupby("round").size().to_dict() == {"round-1": 21, "round-2": 12}
    segments = _csv(built / "segments.csv")
    assert len(segments) == 22 and "round" not in segments.columns
    # the history's codings sit on the same sentences of the processed texts
    texts = {p: (built / "texts" / f"{p}.txt").read_text() for p in ("P01", "P02")}
    assert all(texts[s][int(a):int(b)] == t for s, a, b, t in
               zip(history["source_id"], history["start"], history["end"], history["text"]))


def test_every_file_under_coding_is_in_the_import_report_with_its_round(built):
    report = _csv(built / "import_report.csv")
    read = report[report["what"] == "coding file read"]
    assert dict(zip(read["item"], read["detail"])) == {
        "coding/round-1/ann.qdpx": "round round-1: coding project",
        "coding/round-1/bob.qdpx": "round round-1: coding project",
        "coding/round-2/ann.qdpx": "round round-2: coding project",
        "coding/round-3/team.qdpx": "round round-3: coding project"}
    hidden = report[report["what"] == "coding file not read"]
    assert hidden["item"].tolist() == ["coding/.DS_Store"]
    rounds = report[report["what"] == "coding round"]
    assert rounds["item"].tolist() == ROUNDS
    assert rounds["detail"].str.startswith("history").tolist() == [True, True, False]
    inputs = _csv(built / "audit" / "inputs.csv")
    assert {"participants.csv", "identifier_key.csv", "transcripts/P01.txt",
            "coding/round-3/team.qdpx"} <= set(inputs["file"])
    assert all(re.fullmatch("[0-9a-f]{64}", h) for h in inputs["sha256"])


def test_memos_are_imported_pseudonymised_with_author_date_and_target(built):
    memos = _csv(built / "memos.csv").set_index("memo_id")
    by_text = {m.text: m for m in memos.itertuples()}
    # the source note names "Harriet Quill", a key entry: replaced by its replacement
    assert "Interview in [Person A]'s office; noisy room." in by_text
    assert not any("Harriet" in str(v) for v in memos.to_numpy().ravel())
    code = by_text["Split staffing from workforce planning?"]
    assert (code.target_kind, code.target_id, code.code_id, code.author, code.date) == (
        "code", "staffing", "staffing", "ann", "2025-03-14T10:00:00")
    source = by_text["Interview in [Person A]'s office; noisy room."]
    assert (source.target_kind, source.target_id, source.author) == ("source", "P02", "bob")
    passage = by_text["Key quote on the cuts."]
    start = S.TRANSCRIPTS["P01"].index(S.PHRASES["p1"])
    assert (passage.target_kind, passage.source_id, passage.start, passage.end) == (
        "selection", "P01", str(start), str(start + 25))
    journal = by_text["Round three agreed with bob."]
    assert (journal.target_kind, journal.title) == ("project", "journal note")
    history = _csv(built / "audit" / "memos_history.csv")
    assert history[["round", "target_kind", "text"]].values.tolist() == [
        ["round-1", "code", "Training may belong under Staffing."]]


def test_the_built_study_passes_the_leak_check(built, tmp_path):
    key = tmp_path / "identifier_key.csv"
    key.write_text("original,replacement\nHarriet Quill,[Person A]\n")
    findings = leak_check([built], keys=load_key(key), allowlist=[])
    assert findings.empty, findings


def test_audit_trail_reads_back_and_sections_give_the_commands(built):
    from analysis.processed import load_interviews

    trail = audit.load_audit(built)
    assert trail.order == ROUNDS and trail.analysis_round == "round-3"
    assert trail.segments.groupby("round").size().to_dict() == {
        "round-1": 21, "round-2": 12, "round-3": 22}
    study = load_interviews(built)
    sections = audit.audit_sections(trail, study.texts, study.codes, study="private")
    assert [s.key for s in sections] == ["inputs", "rounds", "changes", "agreement",
                                         "excluded", "memos"]
    said = {s.key: s for s in sections}
    assert said["changes"].sentences == (
        "round-1 → round-2: 1 added, 1 removed, 1 renamed, 1 moved, 1 definition edited, "
        "2 merged, 2 split.", "round-2 → round-3: 1 renamed.")
    assert said["agreement"].command == "python -m analysis audit agreement --study private"
    assert "round-2 has one coder (ann): nothing to compare." in said["agreement"].sentences
    # memos per code: Staffing 1 (on the code); Finance and Cuts 1 each (the note on
    # the passage p1, which both code); the source note and the journal are about no code
    memos = said["memos"].table.set_index("code_id")["n_memos"].to_dict()
    assert memos == {"finance": 1, "cuts": 1, "staffing": 1, "": 2}
    md = audit.audit_markdown(sections)
    assert "Reproduce: `python -m analysis audit changes --study private`" in md
