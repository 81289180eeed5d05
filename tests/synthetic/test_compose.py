"""Tests for analysis.synthetic.compose: the composed interviews and their ground truth.

Expected values are the requirements of issue 3 item 5 and issue 4 item 7 (12-16
participants, 1,500-3,000 words each, at least one .docx, .vtt and plain text, SYNTHETIC
at the top of every file, every planted identifier in the key and in a transcript, two
coders who mostly agree) or of the task brief; each test says which.
"""

import re

import pandas as pd

from analysis.synthetic import cast, compose


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


def test_transcripts_mention_years_and_eras(parsed):
    # Issue 3 item 5: "talking about real eras and events ... with year mentions".
    for pid, t in parsed.items():
        years = {int(y) for y in re.findall(r"\b(19[89]\d|20[0-2]\d)\b", t.text)}
        assert len(years) >= 3, (pid, sorted(years))


def _share(truth, tier, code):
    rows = truth[truth["tier"] == tier]
    return rows["codes"].str.split("|").map(lambda cs: code in cs).mean()


def test_tiers_differ_as_designed():
    # The task brief's design: meso talks more of th_mediation and th_reorg_memory, macro
    # of th_central_local, micro of th_local_ownership and sst_ag_resist. Shares of coded
    # utterances per tier, so the unequal number of participants does not matter.
    truth = compose.demo_ground_truth()
    tier = {p.participant_id: p.tier for p in cast.PEOPLE}
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
    truth = compose.demo_ground_truth()
    long = truth.assign(code=truth["codes"].str.split("|")).explode("code")
    share = pd.crosstab(long["code"], long["era"], normalize="columns")
    share = share.drop(columns=[""])  # utterances about no particular era
    assert share.loc["th_reorg_memory"].idxmax() == "ccg"
    assert share.loc[["th_central_local", "th_supplier_contracts"]].sum().idxmax() == "npfit"
    assert share.loc["th_funding"].idxmax() == "stp_ics"
    assert share.loc[["th_data_ig", "th_accountability"]].sum().idxmax() == "icb"
