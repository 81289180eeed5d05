"""Tests for analysis.synthetic.bank: the text bank, read from the YAML resources.

Expected values are the requirements of issue 3 item 5 and issue 4 item 7 (12-16
participants, 1,500-3,000 words each, at least one .docx, .vtt and plain text, SYNTHETIC
at the top of every file, every planted identifier in the key and in a transcript, two
coders who mostly agree) or of the task brief; each test says which.
"""

import pytest
import yaml

from analysis.codebook import load_codebook
from analysis.errors import DataError
from analysis.synthetic import bank


def test_ground_truth_codes_are_in_the_codebook():
    # Each template carries 1-3 codes of the SST frame (task brief) and an era id or "".
    codebook = load_codebook()
    for template in bank.BANK:
        assert 1 <= len(template.codes) <= 3, template.template_id
        assert all(c in codebook for c in template.codes), template.template_id
        assert template.era in {"", "imt", "ifh", "npfit", "ccg", "stp_ics", "icb"}


def test_bank_ids_run_in_order():
    # utterances.yml numbers its templates U001 upwards in file order (its header says so);
    # the seeded draws index the list, so a reordered file would change the demo study.
    assert [t.template_id for t in bank.BANK] == [f"U{i:03d}" for i in
                                                  range(1, len(bank.BANK) + 1)]


def test_era_sections_cover_the_eras_of_the_cast():
    # Every era a participant of the cast worked through needs a name and scene-setting
    # sentences, or composing its questions fails.
    from analysis.synthetic.cast import PEOPLE

    eras = {era for p in PEOPLE for era in p.eras}
    assert eras <= set(bank.ERA_PERIOD) == set(bank.ERA_CONTEXT)
    assert all(len(v) >= 1 for v in bank.ERA_CONTEXT.values())


def test_broken_yaml_is_one_data_error_with_its_line(tmp_path):
    # The project's rule for bad input: DataError naming the file and line. The unclosed
    # quote is on line 2 of the file, so the reader reports line 2 or later.
    path = tmp_path / "utterances.yml"
    path.write_text('- id: U001\n  era: "imt\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"utterances\.yml:\d+: not valid YAML") as err:
        bank.load_bank(path)
    assert err.value.line >= 2


@pytest.mark.parametrize("text, reason", [
    ("{a: 1}\n", "expected a list of utterance templates"),
    ("- {id: U001, era: imt, who: all, codes: th_funding}\n", "expected exactly the text fields"),
    ("- {id: U001, era: imt, who: all, codes: th_funding, text: 3}\n",
     "expected exactly the text fields"),
    ("- {id: U001, era: imt, who: all, codes: th_funding, text: a}\n"
     "- {id: U001, era: imt, who: all, codes: th_funding, text: b}\n", "'U001' repeats"),
])
def test_bad_bank_entries_are_data_errors(tmp_path, text, reason):
    path = tmp_path / "utterances.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=reason):
        bank.load_bank(path)


def test_bad_interview_sections_are_data_errors(tmp_path):
    # era_context must follow era_period's eras in the same order (the large benchmark
    # study cycles through them in that order).
    good = {name: ["x"] for name in ("lead_ins", "era_questions", "probes",
                                     "reflective_questions", "asides", "fillers")}
    path = tmp_path / "interview.yml"
    path.write_text(yaml.safe_dump({**good, "era_period": {"imt": "a", "ifh": "b"},
                                    "era_context": {"imt": ["x"], "ifh": ["y"]}}),
                    encoding="utf-8")
    assert bank.load_interview(path)["era_context"] == {"imt": ("x",), "ifh": ("y",)}
    path.write_text(yaml.safe_dump({**good, "era_period": {"imt": "a", "ifh": "b"},
                                    "era_context": {"ifh": ["y"], "imt": ["x"]}},
                                   sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match="interview.yml:era_context: expected a list"):
        bank.load_interview(path)
    path.write_text(yaml.safe_dump({**good, "probes": "not a list"}), encoding="utf-8")
    with pytest.raises(DataError, match="interview.yml:probes: expected a list of strings"):
        bank.load_interview(path)
