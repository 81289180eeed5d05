"""Tests for analysis.privacy: key files, pseudonymisation with offset maps, the
identifier scanner, and the leak check with its command line.

Expected values are worked out by hand from the fixtures in tests/fixtures/privacy/
or from the strings written in the test; each says how.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import paths, privacy
from analysis.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "privacy"
KEY = FIXTURES / "identifier_key.csv"


@pytest.fixture
def key():
    return privacy.load_key(KEY)


def run_cli(*args, cwd=None):
    """Run ``python -m analysis privacy ...`` as make does; return (status, stdout+stderr)."""
    proc = subprocess.run([sys.executable, "-m", "analysis", "privacy", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or paths.ROOT,
                          env={**os.environ, "PYTHONPATH": str(paths.ROOT)})
    return proc.returncode, proc.stdout + proc.stderr


def empty_allowlist(tmp_path):
    p = tmp_path / "allow.csv"
    p.write_text("match,reason\n")
    return p


# ---------------------------------------------------------------------------- key files

def test_load_key_reads_every_row_with_its_line(key):
    # the fixture has 9 entries on lines 2-10; row 4 (line 5) is "Smith"
    assert len(key) == 9
    assert key["line"].tolist() == list(range(2, 11))
    row = key[key["original"] == "Smith"].iloc[0]
    assert (row["replacement"], row["kind"], row["line"]) == ("[Person 1]", "person", 5)


@pytest.mark.parametrize("name, line, reason", [
    # line 4 "LEEDS" repeats line 2 "Leeds" when case is ignored
    ("key_duplicate.csv", 4, "original repeats line 2"),
    # line 3 holds only spaces in the original column
    ("key_empty_original.csv", 3, "empty original"),
    # line 3's replacement "Leeds hospital" contains its own original "Leeds"
    ("key_loop.csv", 3, "replacement contains the original of line 3"),
    # line 3 kind "human" is not person/organisation/place/other
    ("key_bad_kind.csv", 3, "unknown kind 'human'"),
    # the header names neither original nor replacement
    ("key_bad_header.csv", 1, "header lacks column(s) original, replacement"),
    ("key_empty_replacement.csv", 2, "empty replacement"),
])
def test_load_key_rejects_bad_rows_naming_the_line(name, line, reason):
    with pytest.raises(DataError) as err:
        privacy.load_key(FIXTURES / name)
    assert err.value.line == line
    assert reason in err.value.reason
    # messages give line numbers, not the identifiers (they may reach a shared log)
    assert "Kestlebury" not in str(err.value) and "LEEDS" not in str(err.value)


# ---------------------------------------------------------------------------- pseudonymise

def test_pseudonymise_fixture_interview(key):
    text = (FIXTURES / "interview.txt").read_text(encoding="utf-8")
    new = privacy.pseudonymise(text, key)
    # written by hand from the fixture and its key: the longest entry wins ("Leeds Teaching
    # Hospitals", "James Smith"), "James'" before a word becomes "[Person 2]'s", the curly
    # apostrophe of O’Brien matches the key's straight one, "Leeds-based" keeps "-based"
    assert new.text == (
        "Interviewer: Where were you working in 2006?\n"
        "P01: At [Trust A]. [Person 1]'s team ran the\n"
        "cluster, and I rang [Person 2]'s office on 0113 496 0000 most weeks.\n"
        "P01: Later Dr [Person 3] moved to [Hospital B], a [Place A]-based trust.\n")
    # the first edit, counted by hand: line 1 is 44 characters plus its newline, "P01: At "
    # is 8 more, so "Leeds Teaching Hospitals" (24 characters) spans 53-77 and
    # "[Trust A]" (9 characters) 53-62
    assert new.edits[0] == (53, 77, 53, 62)
    assert len(new.edits) == 6


def test_pseudonymise_edits_and_possessives_by_hand():
    # "Ask Smith's or James' team.": Smith is 4-9, "James'" 15-21 (apostrophe included
    # because it gains an s); "[P1]" is 4 long, "[P2]'s" 6 long after a shift of -1
    new = privacy.pseudonymise("Ask Smith's or James' team.", {"Smith": "[P1]", "James": "[P2]"})
    assert new.text == "Ask [P1]'s or [P2]'s team."
    assert new.edits == [(4, 9, 4, 8), (15, 21, 14, 20)]


@pytest.mark.parametrize("text, expected", [
    # a closing quotation mark after a name ending in s is not a possessive
    ("'Ask James', she said.", "'Ask [P]', she said."),
    # the replacement already ends in s: "Jones'" is grammatical as it stands
    ("James' office", "Jones' office"),
])
def test_pseudonymise_bare_apostrophe(text, expected):
    replacement = "Jones" if expected.startswith("Jones") else "[P]"
    assert privacy.pseudonymise(text, {"James": replacement}).text == expected


def test_pseudonymise_whole_words_and_case():
    key = {"Leeds": "[Place A]", "Ann": "[Person 1]"}
    # "Leedsford" and "Annual" are other words; "LEEDS" and "ann" are the same words
    text = "Leedsford LEEDS Annual ann leeds_x"
    assert privacy.pseudonymise(text, key).text == "Leedsford [Place A] Annual [Person 1] leeds_x"


def test_pseudonymise_whitespace_in_originals_matches_line_breaks():
    key = {"Northmoor Valley NHS Foundation Trust": "[Trust A]"}
    new = privacy.pseudonymise("at Northmoor Valley\nNHS  Foundation Trust.", key)
    assert new.text == "at [Trust A]."


def test_pseudonymise_empty_key_changes_nothing():
    assert privacy.pseudonymise("Leeds", {}) == ("Leeds", [])


# ---------------------------------------------------------------------------- offsets

def test_remap_offsets_by_hand():
    edits = [(4, 9, 4, 8), (15, 21, 14, 20)]  # from the hand-worked example above
    # 0 is before any edit; 6 is inside "Smith" (-> 4 as a start, 8 as an end); 9 is the
    # end of "Smith" (-> 8); 22 lies after both edits: "Smith" -> "[P1]" shortens the
    # text by 1 and "James'" -> "[P2]'s" keeps its 6 characters, so 22 - 1 = 21
    assert privacy.remap_offsets(edits, [0, 6, 9, 22], side="start").tolist() == [0, 4, 8, 21]
    assert privacy.remap_offsets(edits, [0, 6, 9, 22], side="end").tolist() == [0, 8, 8, 21]
    assert privacy.remap_offsets([], [3, 5]).tolist() == [3, 5]
    with pytest.raises(ValueError):
        privacy.remap_offsets(edits, [1], side="middle")


_WORDS = st.sampled_from(["Leeds", "Smith", "James", "Ann", "and", "the", "Leeds Teaching",
                          "Hospitals", "x", "s"])
_GLUE = st.sampled_from([" ", "  ", "\n", "'s ", "' ", ", ", "-", ". "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORDS, _GLUE), max_size=25))
def test_remap_offsets_keeps_unedited_characters(pieces):
    # an independent invariant: every character outside the replaced spans is the same
    # character at its remapped position in the new text
    text = "".join(w + g for w, g in pieces)
    key = {"Leeds": "[Place A]", "Leeds Teaching Hospitals": "[Trust]", "Smith": "[P1]",
           "James": "[P2]"}
    new = privacy.pseudonymise(text, key)
    edited = np.zeros(len(text), dtype=bool)
    for old_start, old_end, _, _ in new.edits:
        edited[old_start:old_end] = True
    outside = np.flatnonzero(~edited)
    mapped = privacy.remap_offsets(new.edits, outside)
    assert [new.text[i] for i in mapped] == [text[i] for i in outside]
    # and the spans of the edits rebuild the new text
    assert len(new.text) == len(text) + sum((ne - ns) - (oe - os)
                                            for os, oe, ns, ne in new.edits)


def test_pseudonymise_turns_keeps_text_equal_to_slices(key):
    text = (FIXTURES / "interview.txt").read_text(encoding="utf-8")
    lines = text.split("\n")[:-1]
    starts = np.cumsum([0] + [len(s) + 1 for s in lines[:-1]])
    # one turn per line, the text after "Speaker: "
    rows = []
    for i, (line, start) in enumerate(zip(lines, starts)):
        speaker, _, said = line.partition(": ")
        if not said:  # line 3 continues P01's turn
            speaker, said = "P01", line
        offset = start + len(line) - len(said)
        rows.append(("P01", i + 1, speaker, "", offset, offset + len(said), "", said))
    turns = pd.DataFrame(rows, columns=["source_id", "turn", "speaker", "role", "start", "end",
                                        "timestamp", "text"])
    turns.loc[0, "speaker"] = "James Smith"
    new_text, new_turns = privacy.pseudonymise_turns(text, turns, key)
    assert all(new_text[s:e] == t for s, e, t in
               zip(new_turns["start"], new_turns["end"], new_turns["text"]))
    # the speaker label uses the same key; the other columns are untouched
    assert new_turns["speaker"].tolist() == ["[Person 1]", "P01", "P01", "P01"]
    assert new_turns["turn"].tolist() == turns["turn"].tolist()
    # turn 2 as written by hand from the expected text of the fixture test above
    assert new_turns["text"].iloc[1] == "At [Trust A]. [Person 1]'s team ran the"
    assert turns["text"].iloc[1].startswith("At Leeds")  # the input is not modified


def test_remap_spans_moves_a_segment_that_cuts_a_name():
    # a segment "eds went" (2-10) starts inside "Leeds" (0-5): it grows to the whole
    # replacement "[Place A]" (0-9), and "went" ends at 10 - 5 + 9 = 14
    new = privacy.pseudonymise("Leeds went on", {"Leeds": "[Place A]"})
    seg = pd.DataFrame({"start": [2], "end": [10], "text": ["eds went"]})
    out = privacy.remap_spans(seg, new.edits, new.text)
    assert out[["start", "end", "text"]].values.tolist() == [[0, 14, "[Place A] went"]]


# ---------------------------------------------------------------------------- NHS numbers

@pytest.mark.parametrize("number, valid", [
    # commonly cited valid test number; by hand: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299,
    # 299 mod 11 = 2, 11 - 2 = 9 = the last digit
    ("943 476 5919", True),
    ("9434765919", True),
    ("943-476-5919", True),
    ("943 476 5918", False),  # same nine digits, wrong check digit
    # the worked example of the NHS Information Authority's NSTS "check digit calculation"
    # page (401 023 213): 40+0+8+0+12+15+8+3+6 = 92, 92 mod 11 = 4, 11 - 4 = 7
    ("401 023 2137", True),
    ("401 023 2136", False),
    # by hand: 1*9 + 1*2 = 11, 11 mod 11 = 0, 11 - 0 = 11 -> check digit 0
    ("010 000 0010", True),
    # by hand: the eighth digit 5 weighs 3, 15 mod 11 = 4, 11 - 4 = 7
    ("000 000 0507", True),
    ("000 000 0508", False),
    # by hand: the ninth digit 6 weighs 2, 12 mod 11 = 1, 11 - 1 = 10: no check digit fits
    ("000 000 0060", False),
    ("000 000 0061", False),
    # repdigits pass the arithmetic (54*d, 54 mod 11 = 10) but are placeholders
    ("111 111 1111", False),
    ("94347659190", False),  # eleven digits
    ("943 476 591", False),  # nine digits
])
def test_nhs_number_is_valid(number, valid):
    assert privacy.nhs_number_is_valid(number) is valid


# ---------------------------------------------------------------------------- scanner

def kinds_found(text):
    found = privacy.scan(text)
    return list(zip(found["kind"], found["match"]))


@pytest.mark.parametrize("text, expected", [
    ("call 0113 496 0000 today", "0113 496 0000"),
    ("call (0113) 496 0000 today", "(0113) 496 0000"),
    ("call +44 (0)113 496 0000 today", "+44 (0)113 496 0000"),
    ("call +44 20 7946 0000 today", "+44 20 7946 0000"),
    ("call 020-7946-0000 today", "020-7946-0000"),
    ("mobile 07700 900123.", "07700 900123"),
    ("ring 01632960412, or", "01632960412"),
    ("ring 0300 311 22 33 now", "0300 311 22 33"),
])
def test_scan_finds_uk_phone_numbers(text, expected):
    assert ("phone", expected) in kinds_found(text)


@pytest.mark.parametrize("text", [
    "from 2006-2011 and 1998 to 2002",          # years and ranges
    "a budget of £12,500,000 or 0.5 per cent",  # money and decimals
    "on 01/02/2003 at 10:30",                  # dates and times
    "00:12:38.000 --> 00:12:40.000",            # WebVTT cue timings
    "extension 0113 496",                       # too few digits
    "ref 0113 4960 0000 1234",                  # too many digits
    "sha 3f0113496000012ab",                    # digits inside a hex digest
])
def test_scan_ignores_numbers_that_are_not_phones(text):
    assert [k for k, _ in kinds_found(text) if k in ("phone", "nhs_number")] == []


@pytest.mark.parametrize("text, expected", [
    ("NHS no 943 476 5919.", [("nhs_number", "943 476 5919")]),
    ("nhs_number,9434765919\n", [("nhs_number", "9434765919")]),
    ("NHS no 943-476-5919", [("nhs_number", "943-476-5919")]),
    ("NHS no 943 476 5918", []),          # invalid check digit
    ("NHS no 943 476-5919", []),          # mixed separators are not an NHS number layout
    ("count 19434765919 rows", []),       # part of a longer number
])
def test_scan_nhs_numbers(text, expected):
    assert [(k, m) for k, m in kinds_found(text) if k == "nhs_number"] == [
        e for e in expected]


@pytest.mark.parametrize("text, expected", [
    ("at LS1 4AP today", ["LS1 4AP"]),
    ("at ls1 4ap today", ["ls1 4ap"]),
    ("SW1A 2AA and EC1A 1BB and M1 1AE", ["SW1A 2AA", "EC1A 1BB", "M1 1AE"]),
    ("at Ls1 4aP", []),              # mixed case
    ("at LS14AP", []),               # no space
    ("in Q3 2025 and COVID 19", []),  # Q never starts a postcode; 19 is no inward code
    ("grade B2 1CO", []),            # inward letters exclude C and O
])
def test_scan_postcodes(text, expected):
    assert [m for k, m in kinds_found(text) if k == "postcode"] == expected


@pytest.mark.parametrize("text, expected", [
    ("write to jo.bloggs@nhs.net.", ["jo.bloggs@nhs.net"]),
    ("a.b+c@trust.nhs.uk, or", ["a.b+c@trust.nhs.uk"]),
    ("@nhsengland on social media", []),
    ("root@localhost", []),
    ("x@y.c", []),
])
def test_scan_email(text, expected):
    assert [m for k, m in kinds_found(text) if k == "email"] == expected


def test_scan_reports_lines_columns_and_offsets():
    text = "Line one.\nCall 0113 496 0000.\n"
    found = privacy.scan(text, source="t.txt")
    # "Call " is 5 characters of line 2 (which starts at 10): the number is at 15-28,
    # line 2, column 6
    row = found[found["kind"] == "phone"].iloc[0]
    assert (row["source"], row["line"], row["column"], row["start"], row["end"]) == \
        ("t.txt", 2, 6, 15, 28)
    assert list(found.columns) == privacy.SCAN_COLUMNS


@pytest.mark.parametrize("text, expected", [
    # mid-sentence capitalised words outside the vocabulary; a title keeps its name
    ("I worked with Sarah at Northmoor.", ["Sarah", "Northmoor"]),
    ("Then Dr Foster rang.", ["Dr Foster"]),
    ("Yes. Dr Foster rang.", ["Dr Foster"]),
    # a run with one unknown word is flagged whole
    ("We met at Leeds Teaching Hospitals NHS Trust.", ["Leeds Teaching Hospitals NHS Trust"]),
    # sentence-initial words are not flagged; vocabulary never
    ("Sarah rang. Northmoor did not.", []),
    ("The NHS Trust and the CCG met in January.", []),
    ("P01: Lorenzo and Cerner Millennium went live.", []),
    # pseudonyms in square brackets and short acronyms are not names
    ("So [Person 1] told [Trust A] about GMC and PCOs.", []),
    # a WebVTT voice tag ends the label: "Thank" starts the sentence
    ("<v Researcher>Thank you.</v>", []),
])
def test_scan_names(text, expected):
    assert [m for k, m in kinds_found(text) if k == "name"] == expected


def test_scan_fixture_interview_before_and_after(key):
    text = (FIXTURES / "interview.txt").read_text(encoding="utf-8")
    before = privacy.scan(text)
    after = privacy.scan(privacy.pseudonymise(text, key).text)
    # by hand: the names (Leeds Teaching Hospitals, James Smith's, James', Dr O’Brien,
    # St. Mary's, Leeds-based) and the phone number; "Interviewer" and "P01" are not names
    assert before["kind"].value_counts().to_dict() == {"name": 6, "phone": 1}
    # the key does not cover the phone number: the scanner still shows it
    assert after[["kind", "match"]].values.tolist() == [["phone", "0113 496 0000"]]


# ---------------------------------------------------------------------------- leak check

def processed_tree(tmp_path, body="source_id,text\nP01,[Person 1] rang [Trust A]\n"):
    root = tmp_path / "processed"
    (root / "interviews").mkdir(parents=True)
    (root / "interviews" / "turns.csv").write_text(body, encoding="utf-8")
    (root / "interviews" / "notes.txt").write_text("nothing to see\n", encoding="utf-8")
    return root


def test_leak_check_clean_tree(tmp_path):
    found = privacy.leak_check([processed_tree(tmp_path)], keys=[KEY],
                               allowlist=[empty_allowlist(tmp_path)])
    assert found.empty and list(found.columns) == privacy.FINDING_COLUMNS


def test_leak_check_finds_a_planted_key_entry(tmp_path):
    root = processed_tree(tmp_path, "source_id,text\nP01,fine\nP02,then JAMES\nsmith left\n")
    found = privacy.leak_check([root], keys=[KEY], allowlist=[empty_allowlist(tmp_path)])
    # "JAMES\nsmith" on lines 3-4 matches "James Smith" (fixture line 4), case and line
    # break ignored; "then " puts it at column 10 of line 3
    assert found[["line", "column", "kind"]].values.tolist() == [[3, 10, "key entry"]]
    assert found["match"].iloc[0] == f"{paths.relative(KEY)}:4"
    assert found["path"].iloc[0].endswith("processed/interviews/turns.csv")


def test_cli_check_fails_on_a_planted_key_entry_without_printing_it(tmp_path):
    root = processed_tree(tmp_path, "source_id,text\nP01,rang Kestlebury\n")
    key = tmp_path / "identifier_key.csv"
    key.write_text("original,replacement\nKestlebury,[Place 3]\n")
    status, out = run_cli("check", "--root", root, "--key", key,
                          "--allowlist", empty_allowlist(tmp_path))
    assert status == 1
    # line 2 of turns.csv, "P01,rang " is 9 characters: column 10; key row on line 2
    assert f"interviews/turns.csv:2:10: key entry ({paths.relative(key)}:2)" in out
    assert "Kestlebury" not in out
    assert "1 findings" in out


def test_cli_check_passes_on_a_clean_tree(tmp_path):
    status, out = run_cli("check", "--root", processed_tree(tmp_path), "--key", KEY,
                          "--allowlist", empty_allowlist(tmp_path))
    assert status == 0, out
    # turns.csv and notes.txt
    assert "privacy check ok: 2 files checked" in out


def test_cli_check_bad_input_exits_2(tmp_path):
    status, out = run_cli("check", "--root", tmp_path / "missing", "--key", KEY)
    assert status == 2 and "error:" in out and "not found" in out


def test_leak_check_patterns_and_allowlist(tmp_path):
    root = processed_tree(tmp_path, "a,b\n1,contact england.ops-planning@nhs.net\n"
                                    "2,or 0113 496 0000 or LS1 4AP or 943 476 5919\n")
    allow = tmp_path / "allow.csv"
    allow.write_text("match,path,reason\n"
                     "England.Ops-Planning@nhs.net,,published contact (case ignored)\n"
                     "0113 496 0000,*/documents/*,allowed only in documents\n"
                     "ls1 4ap,*/interviews/turns.csv,allowed in this one file\n")
    found = privacy.leak_check([root], keys=[KEY], allowlist=[allow])
    # the e-mail is allowlisted everywhere and the postcode in turns.csv; the phone only
    # under documents/, so it stays, as does the NHS number
    assert found[["line", "kind", "match"]].values.tolist() == [
        [3, "phone", "0113 496 0000"], [3, "nhs_number", "943 476 5919"]]


def test_allowlist_rows_need_a_reason(tmp_path):
    allow = tmp_path / "allow.csv"
    allow.write_text("match,reason\nx@y.org,\n")
    with pytest.raises(DataError) as err:
        privacy.load_allowlist([allow])
    assert err.value.line == 2 and "reason" in err.value.reason


def notebook(path, outputs, source="print('Smith')"):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("About Smith"),
                nbformat.v4.new_code_cell(source, outputs=outputs)]
    nbformat.write(nb, path)
    return path


def test_leak_check_reads_notebook_outputs_only(tmp_path):
    import nbformat

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    out = nbformat.v4.new_output
    # the markdown and code sources name Smith: they are not outputs and are not checked
    notebook(nbs / "clean.ipynb", [out("stream", name="stdout", text="[Person 1]\n")])
    notebook(nbs / "leaky.ipynb", [
        out("stream", name="stdout", text="ok\nmet smith\n"),
        out("display_data", data={"text/html": "<td>O&#x27;Brien</td>",
                                  "image/png": "iVBORw0KGgo="}),
    ])
    found = privacy.leak_check([nbs], keys=[KEY], allowlist=[empty_allowlist(tmp_path)])
    # cell 2 output 1 line 2 "met smith" (column 5); cell 2 output 2: the escaped
    # apostrophe of O'Brien is undone before matching (column 5 after "<td>")
    assert found[["line", "column", "match"]].values.tolist() == [
        ["cell 2 output 1 line 2", 5, f"{paths.relative(KEY)}:5"],
        ["cell 2 output 2 line 1", 5, f"{paths.relative(KEY)}:7"]]
    assert set(found["path"].map(lambda p: Path(p).name)) == {"leaky.ipynb"}


def png_with_text(path, keyword, text):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"tEXt", keyword.encode() + b"\0" + text.encode("latin-1"))
            + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b""))
    path.write_bytes(data)
    return path


def test_leak_check_reads_figure_text_svg_json_png_and_archives(tmp_path):
    figs = tmp_path / "figures"
    figs.mkdir()
    # SVG from matplotlib keeps text as a comment; its glyph outlines are number soup in
    # which "513 384 1019" passes the NHS check digit (found in a real figure: ignored);
    # JSON may escape non-ASCII
    (figs / "a.svg").write_text('<svg>\n<!-- Leeds Teaching Hospitals -->\n'
                                '<path d="M 0 0\nQ 384 513 384 1019 "/>\n'
                                '<text x="1" y="2">call 0113 496 0000</text>\n</svg>\n')
    (figs / "a.json").write_text('{"title": "St. Mary\\u0027s"}\n')
    png_with_text(figs / "a.png", "Title", "Ward at Leeds")
    with zipfile.ZipFile(figs / "export.qdpx", "w") as z:
        z.writestr("project.qde", "<Project>\n<Source name='O&apos;Brien'/></Project>")
        z.writestr("sources/x.txt", "clean\n")
    (figs / "a.pdf").write_bytes(b"%PDF-1.4 Leeds")  # no text read from PDFs: skipped
    found, n_files, skipped, _ = privacy._leak_check([figs], [KEY],
                                                     [empty_allowlist(tmp_path)])
    key_rows = dict(zip(privacy.load_key(KEY)["original"], privacy.load_key(KEY)["line"]))
    got = {(Path(p).name, str(line), m.rsplit(":", 1)[-1])
           for p, line, m in zip(found["path"], found["line"], found["match"])}
    assert got == {
        ("a.svg", "2", str(key_rows["Leeds Teaching Hospitals"])),
        ("a.svg", "5", "0113 496 0000"),  # line 5: the path data took lines 3-4
        ("a.json", "1", str(key_rows["St. Mary's"])),
        ("a.png", "PNG tEXt Title line 1", str(key_rows["Leeds"])),
        ("export.qdpx", "project.qde line 2", str(key_rows["O'Brien"])),
    }
    assert (n_files, skipped) == (4, 1)


def test_leak_check_corrupt_inputs_raise_data_error(tmp_path):
    bad_nb = tmp_path / "nb" / "x.ipynb"
    bad_nb.parent.mkdir()
    bad_nb.write_text('{"cells": [\n  oops\n]}')
    with pytest.raises(DataError) as err:
        privacy.leak_check([bad_nb.parent], keys=[KEY], allowlist=[empty_allowlist(tmp_path)])
    assert err.value.line == 2  # the JSON error is on line 2
    bad_zip = tmp_path / "z" / "x.qdpx"
    bad_zip.parent.mkdir()
    bad_zip.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="unreadable archive"):
        privacy.leak_check([bad_zip.parent], keys=[KEY], allowlist=[empty_allowlist(tmp_path)])


def test_repository_outputs_are_clean():
    """The leak check of `make all`, over the repository's committed outputs."""
    found = privacy.leak_check()
    # key entries show as key rows (file:line), never as the identifier
    assert found.empty, "\n" + found.to_string()


def test_committed_allowlist_is_valid_and_reasoned():
    allow = privacy.load_allowlist([privacy.ALLOWLIST_CSV])
    assert len(allow) >= 1 and (allow["reason"].str.len() > 20).all()


# ---------------------------------------------------------------------------- other commands

def test_cli_pseudonymise_and_scan(tmp_path):
    out = tmp_path / "out" / "interview.txt"
    status, said = run_cli("pseudonymise", FIXTURES / "interview.txt", "--key", KEY,
                           "--out", out)
    assert status == 0 and "6 replacements" in said
    assert "[Trust A]" in out.read_text(encoding="utf-8")
    table = tmp_path / "review.csv"
    status, said = run_cli("scan", FIXTURES / "interview.txt", out, "--out", table)
    # before: 6 names and 1 phone (see the scan test above); after: the phone only
    assert status == 0 and "2 files, 8 to review (name 6, phone 2)" in said
    assert pd.read_csv(table)["kind"].tolist().count("phone") == 2
    # with --key the scan lists what the key leaves: the phone number only
    status, said = run_cli("scan", FIXTURES / "interview.txt", "--key", KEY)
    assert status == 0 and "1 files, 1 to review (phone 1)" in said


def test_cli_scan_reads_word_transcripts(tmp_path):
    import docx

    document = docx.Document()
    for paragraph in ("Interviewer: Who did you work with?",
                      "P01: Mostly with Harriet Quill at the SHA."):
        document.add_paragraph(paragraph)
    document.save(tmp_path / "P01.docx")
    status, said = run_cli("scan", tmp_path / "P01.docx")
    # "Mostly with " puts the name at column 18 of the second paragraph (after "P01: ")
    assert status == 0 and ":2:18: name 'Harriet Quill'" in said


def test_vocabulary_is_well_formed():
    vocab = privacy.load_vocabulary()
    # the words the brief names as NHS vocabulary, and no name of the demo key
    assert {"nhs", "trust", "sha", "pct", "ccg", "csu", "icb", "npfit", "spine", "lorenzo",
            "cerner", "emis", "tpp", "systmone", "january", "monday"} <= vocab
    assert not {"harriet", "quill", "fellbridge", "northmoor", "kestlebury"} & vocab
