"""Tests for analysis.synthetic.cast: the fictional participants and planted identifiers.

Expected values are the requirements of issue 3 item 5 and issue 4 item 7 (12-16
participants, 1,500-3,000 words each, at least one .docx, .vtt and plain text, SYNTHETIC
at the top of every file, every planted identifier in the key and in a transcript, two
coders who mostly agree) or of the task brief; each test says which.
"""

import re
from pathlib import Path

from analysis.participants import POSITION_PRACTICES, load_participants
from analysis.privacy import load_key
from analysis.synthetic import cast


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
    assert re.search(r"(?:" + "|".join(cast.COLLEAGUES) + r")'s ", everything)
