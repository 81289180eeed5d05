"""Tests for analysis.privacy: key files, pseudonymisation with offset maps, the
identifier scanner, and the leak check with its command line.

Expected values are worked out by hand from the fixtures in tests/fixtures/privacy/
or from the strings written in the test; each says how.
"""

from __future__ import annotations

import base64
import gzip
import io
import os
import re
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
from analysis.privacy import leaks, scanner
from analysis.privacy.keys import entry_index, key_matcher, normalise_entry, normalise_text
from analysis.privacy.scanner import Lines, pattern_spans
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
    # "Leedsford" and "Annual" are other words; "LEEDS" and "ann" are the same words;
    # an underscore is a boundary (source ids come from file names: P01_leeds_x)
    text = "Leedsford LEEDS Annual ann leeds_x"
    assert privacy.pseudonymise(text, key).text == (
        "Leedsford [Place A] Annual [Person 1] [Place A]_x")


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
    ("at LS14AP", ["LS14AP"]),       # no space, in capitals
    ("at ls14ap", []),               # no space, lower case: hashes and ids look so
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


def test_leak_check_reads_notebook_sources_and_outputs(tmp_path):
    import nbformat

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    out = nbformat.v4.new_output
    notebook(nbs / "clean.ipynb", [out("stream", name="stdout", text="[Person 1]\n")],
             source="print('[Person 1]')")
    (nbs / "clean.ipynb").write_text((nbs / "clean.ipynb").read_text()
                                     .replace("About Smith", "About [Person 1]"))
    notebook(nbs / "leaky.ipynb", [
        out("stream", name="stdout", text="ok\nmet smith\n"),
        out("display_data", data={"text/html": "<td>O&#x27;Brien</td>",
                                  "image/png": "iVBORw0KGgo="}),
    ])
    found = privacy.leak_check([nbs], keys=[KEY], allowlist=[empty_allowlist(tmp_path)])
    # cell 1 (markdown) "About Smith": column 7; cell 2 source "print('Smith')":
    # column 8; cell 2 output 1 line 2 "met smith" (column 5); cell 2 output 2: the
    # escaped apostrophe of O'Brien is undone before matching (column 5 after "<td>")
    smith, obrien = f"{paths.relative(KEY)}:5", f"{paths.relative(KEY)}:7"
    assert found[["line", "column", "match"]].values.tolist() == [
        ["cell 1 source line 1", 7, smith], ["cell 2 source line 1", 8, smith],
        ["cell 2 output 1 line 2", 5, smith], ["cell 2 output 2 line 1", 5, obrien]]
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
    (figs / "a.pdf").write_bytes(pdf_with_text("Report from Leeds"))
    found, n_files, *_ = privacy.leak_report([figs], [KEY], [empty_allowlist(tmp_path)])
    key_rows = dict(zip(privacy.load_key(KEY)["original"], privacy.load_key(KEY)["line"]))
    got = {(Path(p).name, str(line), m.rsplit(":", 1)[-1])
           for p, line, m in zip(found["path"], found["line"], found["match"])}
    assert got == {
        ("a.svg", "2", str(key_rows["Leeds Teaching Hospitals"])),
        ("a.svg", "5", "0113 496 0000"),  # line 5: the path data took lines 3-4
        ("a.json", "1", str(key_rows["St. Mary's"])),
        # the keyword is line 1 of a text chunk, its text line 2
        ("a.png", "PNG tEXt Title line 2", str(key_rows["Leeds"])),
        ("export.qdpx", "project.qde line 2", str(key_rows["O'Brien"])),
        ("a.pdf", "page 1 line 1", str(key_rows["Leeds"])),
    }
    assert n_files == 5


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


# ------------------------------------------------- normalisation, variants, every file
# Planted cases of the classes a hostile battery found; each is checked to fail the leak
# check (a finding naming the file) and, where the clean form is shown, to pass.

def pdf_with_text(text):
    """A one-page PDF showing ``text`` in Helvetica, written by hand (PDF 1.4 syntax:
    catalog, pages, page, content stream, font; then the cross-reference table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return out


def png_chunks(*chunks):
    """A 1x1 PNG with extra ``(type, body)`` chunks before its pixels."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + b"".join(chunk(k, b) for k, b in chunks)
            + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b""))


HQ_KEY = "original,replacement\nHarriet Quill,[Person 1]\nZoë Ann,[Person 2]\n"


def planted(tmp_path, name, content):
    """Leak-check a tree holding one file; return the findings as (name, kind) pairs."""
    root = tmp_path / "tree"
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        target.write_text(content, encoding="utf-8")
    else:
        target.write_bytes(content)
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY, encoding="utf-8")
    found = privacy.leak_check([root], keys=[key], allowlist=[empty_allowlist(tmp_path)])
    return [(Path(p).name, k) for p, k in zip(found["path"], found["kind"])]


# Each case: (file name, content with the identifier written in the hostile way).
LEAKS = {
    "decomposed accent": ("t.csv", "a\nZoe\u0308 Ann\n"),
    "composed key, decomposed text via NFKC width": ("t.txt", "\uff28arriet Quill\n"),
    "soft hyphen": ("t.txt", "Har\u00adriet Quill\n"),
    "zero-width space": ("t.txt", "Harriet\u200b Qu\u200bill\n"),
    "no-break space run": ("t.txt", "Harriet\u00a0\u00a0 Quill\n"),
    "underscore (a source id)": ("t.csv", "source\nP01_Harriet_Quill\n"),
    "no separator": ("t.txt", "HarrietQuill\n"),
    "hyphen": ("t.txt", "Harriet-Quill\n"),
    "line break": ("t.txt", "Harriet\nQuill\n"),
    "SVG tspans": ("f.svg", '<svg><text><tspan x="1">Harriet</tspan>'
                            '<tspan x="9">Quill</tspan></text></svg>'),
    "CSV cells": ("t.csv", "first,last\nHarriet,Quill\n"),
    "dotfile": (".notes", "Harriet Quill\n"),
    "dot-folder": (".ipynb_checkpoints/t.txt", "Harriet Quill\n"),
    "unknown suffix, text": ("t.log", "Harriet Quill\n"),
    "gzip": ("t.csv.gz", gzip.compress(b"a\nHarriet Quill\n", mtime=0)),
    "zip of any member": ("t.zip", None),
    "PDF text": ("t.pdf", pdf_with_text("Harriet Quill")),
    "PNG zTXt": ("f.png", png_chunks((b"zTXt", b"Author\0\0" + zlib.compress(b"Harriet Quill")))),
    "PNG iTXt": ("f.png", png_chunks((b"iTXt", b"Author\0\0\0en\0\0Harriet Quill"))),
    "PNG eXIf": ("f.png", png_chunks((b"eXIf", b"MM\0*\0\0\0\x08Harriet Quill\0"))),
    "PNG tEXt keyword": ("f.png", png_chunks((b"tEXt", b"Harriet Quill\0x"))),
    "NHS number in an attribute": ("f.svg", '<svg><g id="9434765919"></g></svg>'),
    "postcode without its space": ("t.txt", "lives at LS14AP\n"),
    "base64 PNG in an SVG": ("f.svg", None),
}


def _zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/data.bin.txt", "ok")
        z.writestr("inner/notes", "Harriet Quill")
    return buf.getvalue()


def _svg_with_png():
    image = base64.b64encode(png_chunks((b"tEXt", b"Title\0Harriet Quill"))).decode()
    return f'<svg><image href="data:image/png;base64,{image}"/></svg>'


@pytest.mark.parametrize("case", sorted(LEAKS))
def test_leak_check_catches_planted_hostile_forms(tmp_path, case):
    name, content = LEAKS[case]
    if case == "zip of any member":
        content = _zip_bytes()
    elif case == "base64 PNG in an SVG":
        content = _svg_with_png()
    found = planted(tmp_path, name, content)
    # hand-planted: exactly one identifier in the one file, so at least one finding there
    assert found and {n for n, _ in found} == {Path(name).name}, found


@pytest.mark.parametrize("name,content", [
    ("t.txt", "Harriet Quillon and Harriets\n"),       # other words, not the name
    ("f.svg", '<svg><path d="M 0 0 L 9434765919 1"/><rect width="9434765919"/></svg>'),
    ("t.txt", "sha 1e5ab0 and ls14ap in lower case\n"),  # no-space postcodes: capitals only
    ("t.txt", "Zoe Annable\n"),
])
def test_leak_check_passes_the_clean_forms(tmp_path, name, content):
    assert planted(tmp_path, name, content) == []


def test_leak_check_reports_unreadable_binary(tmp_path):
    # a binary file of an unknown kind is a finding (exit 1), never a silent pass
    assert planted(tmp_path, "blob.bin", b"\0\x01\x02 binary") == [("blob.bin", "unreadable")]
    root = tmp_path / "tree"
    status, out = run_cli("check", "--root", root, "--key", tmp_path / "identifier_key.csv",
                          "--allowlist", empty_allowlist(tmp_path))
    assert status == 1 and "blob.bin:1:1: unreadable" in out


def test_leak_check_refuses_a_zip_bomb_quickly(tmp_path):
    import time

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(300):  # 300 MiB of zeros in well under 1 MB
            z.writestr(f"m{i}.txt", b"a" * 2**20)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "bomb.zip").write_bytes(buf.getvalue())
    t0 = time.perf_counter()
    with pytest.raises(DataError, match="too large to check"):
        privacy.leak_check([tmp_path / "t"], keys=[KEY], allowlist=[empty_allowlist(tmp_path)])
    assert time.perf_counter() - t0 < 10


def test_pseudonymise_normalises_and_keeps_offsets():
    # decomposed ë (e + U+0308), a soft hyphen and a no-break space: all one name
    text = "Met Zoe\u0308\u00a0An\u00adn, then HarrietQuill."
    new = privacy.pseudonymise(text, {"Zoë Ann": "[P2]", "Harriet Quill": "[P1]"})
    assert new.text == "Met [P2], then [P1]."
    # old spans by hand: "Zoe\u0308\u00a0An\u00adn" is 4..13, "HarrietQuill" 20..32
    assert [e[:2] for e in new.edits] == [(4, 13), (20, 32)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aeoZ Qq\n_-") + ["\u0308", "\u0301", "\u00ad",
                                                                 "\u200b", "\u00a0", "\uff21",
                                                                 "\u00e9", "\u2002", "\u037a"]),
               max_size=40))
def test_normaliser_is_idempotent_and_maps_offsets(text):
    norm, starts, ends = privacy.normalise_for_matching(text)
    assert privacy.normalise_for_matching(norm)[0] == norm
    assert len(starts) == len(ends) == len(norm)
    # spans are ordered, inside the text, and each normalised character is what its
    # span of the original normalises to
    assert all(0 <= a < b <= len(text) for a, b in zip(starts, ends))
    assert starts == sorted(starts) and ends == sorted(ends)
    for i, ch in enumerate(norm):
        piece = privacy.normalise_for_matching(text[starts[i]:ends[i]])[0]
        assert ch in piece or (ch == " " and piece.strip() == "")


@given(st.text(max_size=30))
def test_normaliser_is_idempotent_on_any_text(text):
    norm = privacy.normalise_for_matching(text)[0]
    assert privacy.normalise_for_matching(norm)[0] == norm


# ------------------------------------------------- fast leak check against the regex method
# The leak check reads each distinct piece of a text once and finds key entries with an
# Aho-Corasick automaton (privacy.leaks._TextScanner). The oracle is the method it replaced,
# kept here on its own: one case-insensitive whole-word regex of all originals, built as
# a trie, run with finditer over the whole normalised text, and the identifier patterns
# over the whole text.

def reference_key_regex(normalised_originals):
    """The key regex as the leak check built it before the automaton: a trie of the
    originals' units (a space is any run of separators or markup tags, or nothing; an
    apostrophe any of three), greedy so that the longest entry wins at a place."""
    apostrophes = "'\u2019\u02bc"
    gap = r'(?:[\s_\-,;|"]|<[^<>]{0,300}>)*'
    trie: dict = {}
    for entry in normalised_originals:
        node = trie
        for unit in re.findall(rf" |[{apostrophes}]|.", entry):
            node = node.setdefault(unit, {})
        node[""] = {}

    def emit(node):
        alts = []
        for unit, child in sorted(node.items()):
            if unit == "":
                continue
            rx = gap if unit == " " else (f"[{apostrophes}]" if unit in apostrophes
                                          else re.escape(unit))
            alts.append(rx + emit(child))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(rf"(?<![^\W_])(?i:{emit(trie)})(?![^\W_])")


def reference_spans(text, normalised_originals):
    spans = []
    if normalised_originals:
        rx = reference_key_regex(dict.fromkeys(normalised_originals))
        spans = [(m.start(), m.end(), "key") for m in rx.finditer(text)]
    return sorted(spans + pattern_spans(text))


def scan_small(originals, text):
    """Spans from a scanner that cuts even short texts into pieces, so that the reading
    of distinct pieces is exercised on texts hypothesis can shrink."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(leaks, "_MIN_SPLIT", 0)
        return leaks._TextScanner(tuple(originals)).spans(text)


KEY_WORDS = ["ann", "anne", "annex", "zoë", "zoe\u0308", "o'neil", "o\u2019neil", "st",
             "st james's", "harriet quill", "harriet", "quill-smith", "ﬁona",  # ligature
             "ＬＥＥＤＳ", "leeds teaching hospitals", "leeds", "[person 1]", "ıan",
             "σοφια", "straße", "a b c", "ab c", "abc d", "x_y", "9ab", "smith, john",
             'the "ark" trust']
TEXT_PIECES = KEY_WORDS + ["Ann", "ANNE", "Zoë", "ZOË", "O’Neil", "OʼNEIL", "Harriet\nQuill",
                           "Harriet</tspan><tspan>Quill", 'Harriet","Quill', "HarrietQuill",
                           "Harriet_Quill", "St James’s", "LEEDS Teaching\nHospitals", "ΣΟΦΙΑ",
                           "σοφιας", "STRASSE", "İan", "FIONA", "0113 496 0000", "943 476 5919",
                           "LS1 4AP", "SW1\n1AA", "jo\n@example.org", "jo@example.org",
                           "+44 (0)113 496 0000", "07700 900123", "Smith, John",
                           "SMITH,John", 'The "Ark"\nTrust']
FILLER = st.text(alphabet=list("aAnNeEsStT 19.,;|\"'\n-_<>@()+") + ["\u00a0", "\u2019",
                                                                      "\u0308", "\u00ad"],
                 max_size=6)


@st.composite
def keys_and_texts(draw):
    words = draw(st.lists(st.sampled_from(KEY_WORDS), min_size=0, max_size=6, unique=True))
    originals = tuple(dict.fromkeys(normalise_entry(w) for w in words))
    fragments = draw(st.lists(st.one_of(st.sampled_from(TEXT_PIECES), FILLER), max_size=25))
    # repeat some of the text, as candidate tables do, so that pieces occur more than once
    text = "".join(fragments)
    text = text + draw(st.sampled_from(["", "\n", ",", '"'])) + text[: draw(st.integers(0, 60))]
    return originals, normalise_text(text)


@settings(max_examples=400, deadline=None)
@given(keys_and_texts())
def test_scanner_finds_what_the_regex_method_finds(case):
    originals, text = case
    assert scan_small(originals, text) == reference_spans(text, originals)


@pytest.mark.parametrize("text", [
    "ann,ann,ann,annex\nANNE,ann",                  # the same cell again and again
    '"Harriet","Quill"\n"Harriet","Quill"\n',       # an entry across quoted cells
    "x,Harriet\nQuill,Harriet\nQuill",              # across a line break
    "annexe and ann. Anne, annex",                  # one entry a prefix of another
    "ann",                                          # at both edges of the text
    "ab c abc d abcd",                              # the trie's order decides, not length
    "SW1\n1AA and jo\n@example.org,SW1\n1AA",       # patterns that look across a line break
    "call,0113 496 0000,5 or 0113 496 0000,x",      # a cell after a phone number decides
])
def test_scanner_hand_cases(text):
    originals = tuple(normalise_entry(w) for w in
                      ["ann", "anne", "annex", "harriet quill", "ab c", "abc d"])
    assert scan_small(originals, text) == reference_spans(text, originals)


def test_fold_keeps_every_pair_the_regex_takes_for_one_another():
    # exhaustive over every cased character of this Python's Unicode: each character the
    # key regex matches for a letter (re.IGNORECASE) folds to the same character
    cased = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000
             and (chr(c).lower() != chr(c) or chr(c).upper() != chr(c))]
    cased += list(leaks._fold_table())
    everything = "".join(cased)
    for k in cased:
        for a in re.findall("(?i)" + re.escape(k), everything):
            assert leaks._fold(a) == leaks._fold(k), (k, a)
    assert len(leaks._fold(everything)) == len(everything)


def test_leak_check_of_a_repeated_table_matches_the_regex_method(tmp_path):
    # a candidate table at scale: one turn per code, over and over, with leaks planted in
    # some repeats and across cells; the whole-text regex method is the oracle
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY + "Ann,[Person 3]\nLeeds Teaching Hospitals,[Trust 1]\n", encoding="utf-8")
    turn = ('"I rang the trust about it, and then the board, and nobody there knew who '
            'had signed the contract."')
    rows = ["segment_id,code_id,text,stem"]
    for i in range(3000):
        text = turn
        if i % 700 == 3:
            text = '"Harriet Quill rang, and then LEEDS teaching\nhospitals did."'
        rows.append(f"s{i:05d},code_{i % 7},{text},{'Ann' if i % 997 == 0 else 'stem'}")
    rows.append("s9,code,Harriet,Quill")
    root = tmp_path / "tree"
    root.mkdir()
    table = "\n".join(rows) + "\n"
    (root / "candidates.csv").write_text(table, encoding="utf-8")
    assert len(table) > leaks._MIN_SPLIT  # read as distinct pieces
    found = privacy.leak_check([root], keys=[key], allowlist=[empty_allowlist(tmp_path)])
    keys = privacy.load_keys([key])
    originals = tuple(normalise_entry(o) for o in keys["original"])
    rows_of = {i: f"{f}:{n}" for i, (f, n) in enumerate(zip(keys["file"], keys["line"]))}
    lines = Lines(table)
    expected = []
    for s, e, kind in reference_spans(table, originals):
        line, column = lines.at(s)
        entry = entry_index(table[s:e], key_matcher(originals)[1], keys["original"])
        expected.append((line, column, rows_of[entry] if kind == "key" else table[s:e]))
    assert list(zip(found["line"], found["column"], found["match"])) == expected
    # hand count: 5 planted turns x (Harriet Quill + Leeds Teaching Hospitals), Ann in
    # rows 0 and 997 and 1994 and 2991, Harriet,Quill across the last row's cells
    assert len(found) == 5 * 2 + 4 + 1


def test_leak_check_in_parallel_gives_the_serial_findings(tmp_path, monkeypatch):
    root = tmp_path / "tree"
    for i in range(6):
        (root / f"d{i}").mkdir(parents=True)
        (root / f"d{i}" / "t.csv").write_text(f"a,b\n{i},Harriet Quill\n" * (i + 1))
        (root / f"d{i}" / "n.txt").write_text("call 0113 496 0000\n")
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY, encoding="utf-8")
    args = dict(keys=[key], allowlist=[empty_allowlist(tmp_path)])
    serial = privacy.leak_check([root], **args)
    monkeypatch.setattr(leaks, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(leaks.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    parallel = privacy.leak_check([root], **args)
    pd.testing.assert_frame_equal(parallel, serial)
    # by hand: 1 + 2 + ... + 6 planted names and six phone numbers
    assert len(serial) == 21 + 6
    (root / "d3" / "bad.ipynb").write_text("{not json")
    with pytest.raises(DataError, match="not a notebook"):
        privacy.leak_check([root], **args)


def postcode_areas_as_listed():
    """The areas of analysis/resources/postcode_areas.txt, read here on their own: the
    first field of every line that is not a comment."""
    lines = (paths.RESOURCES / "postcode_areas.txt").read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[0] for line in lines if line and not line.startswith("#")}


def reference_postcodes(text):
    """Postcode spans as the scanner found them before its inward code was looked for
    from its digit: the optional space inside the pattern; and only in a real postcode
    area (the letters that begin the outward code, or GIR)."""
    inward = re.compile(r"[ \u00a0]?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![\w-])")
    areas = postcode_areas_as_listed() | {"GIR"}
    out = []
    for m in inward.finditer(text):
        outward = scanner._OUTWARD_RX.search(text, max(0, m.start() - 4), m.start())
        if outward and re.match(r"[A-Za-z]+", outward.group()).group().upper() in areas:
            code = text[outward.start():m.end()]
            spaced = not text[m.start()].isdigit()
            if code == code.upper() or (spaced and code == code.lower()):
                out.append((outward.start(), m.end(), "postcode"))
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("LSW14AaPp \n-_") + ["\u00a0"], max_size=30))
def test_postcodes_as_the_old_pattern_found_them(text):
    assert [s for s in pattern_spans(text) if s[2] == "postcode"] == \
        reference_postcodes(text)


# ------------------------------------------------- postcodes and colours (issue 21)
# Real tools write colours as six hexadecimal digits, some of which are postcode-shaped in
# a real postcode area: CB12AB (CB1 2AB, Cambridge), DE11AB (DE1 1AB, Derby). Areas from
# the ONS/Royal Mail list in analysis/resources/postcode_areas.txt (AB Aberdeen ... ZE
# Lerwick; F, Q, AC and XX are none).

def test_postcode_areas_are_the_published_list():
    areas = postcode_areas_as_listed()
    # 121 geographic areas, 3 Crown Dependencies (GY, JE, IM), 2 non-geographic (BF, BX)
    assert len(areas) == 126 and len(areas - {"GY", "JE", "IM", "BF", "BX"}) == 121
    # the eight one-letter areas, and two-letter ones from each end of the list
    assert {"B", "E", "G", "L", "M", "N", "S", "W", "AB", "ZE", "EC", "WC"} <= areas
    assert not {"F", "Q", "AC", "XX", "SC"} & areas
    assert scanner.postcode_areas() == areas


@pytest.mark.parametrize("text, expected", [
    ("at LS1 4AP", ["LS1 4AP"]),                 # Leeds
    ("at FF1 4AP or QA1 4AP", []),               # FF and QA are no postcode areas
    ('w:color="F5F8EE"', []),                    # python-docx's template: F is no area
    ("colour #AC58FA", []),                      # QualCoder: AC is no area, and a colour
    ("colour #CB12AB", []),                      # CB is an area, but # makes it a colour
    ("code CB12AB here", ["CB12AB"]),            # the same six characters alone: a postcode
    ("ref CB12AB-7 and xCB12AB", []),            # inside longer tokens
    ("GIR 0AA", ["GIR 0AA"]),                    # Girobank: outside the area scheme
    ("JE2 3AB and BF1 2AT", ["JE2 3AB", "BF1 2AT"]),  # Jersey; British Forces (Akrotiri)
])
def test_postcodes_in_real_areas_only_and_not_colours(text, expected):
    assert [m for k, m in kinds_found(text) if k == "postcode"] == expected


@pytest.mark.parametrize("markup, clean", [
    ('<w:color w:val="CB12AB"/>', True),                 # Word run colour (element)
    ('<w:top w:val="single" w:color="CB12AB"/>', True),  # Word border colour (attribute)
    ('<w:shd w:val="clear" w:color="auto" w:fill="DE11AB"/>', True),  # Word shading
    ('<a:srgbClr val="DE11AB"/>', True),                 # DrawingML theme colour
    ("<fgColor rgb='CB12AB'/>", True),                   # spreadsheet fill
    ('<v:shape fillcolor="CB12AB" strokecolor="DE11AB">', True),  # VML
    ('<td bgcolor="CB12AB">', True),                     # old HTML
    ('<Source name="CB12AB"/>', False),                  # a name: a postcode
    ('<w:t>CB12AB</w:t>', False),                        # text: a postcode
    ('<w:color w:val="CB12AB x"/>', False),              # not the whole value: no colour
    ('<w:color w:val="CB1 2AB"/>', False),               # with its space: no colour
])
def test_colour_attributes_in_markup(tmp_path, markup, clean):
    found = planted(tmp_path, "document.xml", f'<?xml version="1.0"?>\n<doc>{markup}</doc>\n')
    assert (found == []) is clean, found


# ------------------------------------------------- large files in regions (issue 22)
# A large plain-text file is read region by region, each region ending just after a
# barrier character; the oracle is the reading of the whole file (_check_file), which
# the region reading must equal exactly: findings, lines and columns.

REGION_TEXT = st.lists(st.one_of(
    st.sampled_from(TEXT_PIECES + ["?", "*", "[", "]", "<", ">", "<b>", "</i>", "\n", '"', ",",
                                   "é", "Zoe\u0308", "\u00ad", "ß", "日本", "#CB12AB", "CB12AB"]),
    FILLER), max_size=60)


def region_job(originals):
    return leaks._CheckJob(tuple(originals), tuple(originals),
                           tuple(f"key.csv:{i + 2}" for i in range(len(originals))), {})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(KEY_WORDS), max_size=5, unique=True), REGION_TEXT,
       st.integers(1, 40))
def test_regions_find_what_the_whole_file_finds(tmp_path_factory, words, fragments, size):
    originals = tuple(dict.fromkeys(normalise_entry(w) for w in words))
    text = "".join(fragments) * 3
    path = tmp_path_factory.mktemp("regions") / "table.csv"
    path.write_bytes(text.encode("utf-8"))
    job = region_job(originals)
    whole = leaks._check_file(path, job)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(leaks, "_SPLIT_BYTES", 1)
        mp.setattr(leaks, "_REGION_BYTES", size)
        mp.setattr(leaks, "_PARALLEL_BYTES", 1 << 60)  # in this process
        regions = [leaks._check_region(path, *part, job) for part in leaks._parts(path)
                   if part is not None]  # an empty file is read whole
        split = leaks._map_files([path], job)[0]
    assert split == whole
    if leaks._barrier_rx(originals) is not None:
        # the region reading itself was used, not the fallback to the whole file
        assert all(r is not None for r in regions)


def test_region_cuts_respect_tags_and_key_characters(tmp_path):
    path = tmp_path / "t.csv"
    # a barrier inside an unclosed "<" is no place to cut (a tag may join a name's
    # words); the first "?" after the "<...>" closes is; "&" is in a key entry here
    path.write_bytes(b"aaaa<span ? title>bbb&cc?dd")
    rx = leaks._barrier_rx(("marks & spencer",))
    assert b"&" not in rx.pattern and b"?" in rx.pattern
    with open(path, "rb") as fh:
        # by hand: the "?" at byte 11 is inside "<span ...", the next "?" is at byte 24
        assert leaks._cut(fh, 0, path.stat().st_size, rx) == 25
        assert leaks._cut(fh, 25, path.stat().st_size, rx) == path.stat().st_size


def test_a_large_table_is_read_in_regions_with_the_same_findings(tmp_path, monkeypatch):
    # 12 MB of candidate rows (three regions of 4 MiB, read by worker processes), with names
    # planted at places counted here: a name split by a line break exactly across the
    # first nominal region boundary, another split by a cell boundary near the second
    row = '{i:08d},L0001,th_{c},199,346,dictionary,"Did anyone push back on that? Yes.",push*\n'
    rows = [row.format(i=i, c=i % 7) for i in range(150_000)]
    text = "".join(rows)
    cut1 = leaks._REGION_BYTES
    text = text[:cut1 - 8] + " Harriet\nQuill " + text[cut1 - 8:]
    cut2 = 2 * leaks._REGION_BYTES
    text = text[:cut2 + 3] + ' Zoë","Ann ' + text[cut2 + 3:]
    path = tmp_path / "tree" / "dictionary_segments.csv"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > leaks._SPLIT_BYTES and len(leaks._parts(path)) == 3
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY, encoding="utf-8")
    monkeypatch.setattr(leaks, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(leaks.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    found = privacy.leak_check([path.parent], keys=[key], allowlist=[empty_allowlist(tmp_path)])
    whole = leaks._check_file(path, leaks._CheckJob(
        ("harriet quill", "zoë ann"), ("Harriet Quill", "Zoë Ann"),
        (f"{paths.relative(key)}:2", f"{paths.relative(key)}:3"), {}))
    assert list(found.itertuples(index=False, name=None)) == whole
    # by hand: line and column of each planted name from the text itself
    expected = []
    for name in ("Harriet\nQuill", 'Zoë","Ann'):
        at = text.index(name)
        expected.append((text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)))
    assert list(zip(found["line"], found["column"])) == expected


def test_a_large_table_is_never_held_whole(tmp_path):
    import tracemalloc

    path = tmp_path / "big.csv"
    path.write_text("id,text\n" + "".join(f'{i},"a turn, with a comma? and more words"\n'
                                          for i in range(600_000)), encoding="utf-8")
    size = path.stat().st_size
    job = region_job(("harriet quill",))
    tracemalloc.start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(leaks, "_PARALLEL_BYTES", 1 << 60)  # in this process, to measure it
            mp.setattr(leaks, "_REGION_BYTES", 1 << 19)  # regions of 512 KiB
            assert len(leaks._parts(path)) > 50
            assert leaks._map_files([path], job) == [[]]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # holding the file whole takes at least its size (its text alone); a region's reading
    # takes several times the region (its pieces as objects), still far below the file
    assert peak < size / 2, (size, peak)


# ------------------------------------------------- fingerprints (issue 22)
# `make all` runs the leak check with --cache: unchanged clean files are not read again,
# a changed or new one is, and findings are reported on every run.

def cached_check(tmp_path, root, key):
    return run_cli("check", "--root", root, "--key", key, "--allowlist",
                   empty_allowlist(tmp_path), "--cache", tmp_path / "fp.json")


def test_fingerprints_read_only_what_changed_and_never_hide_a_finding(tmp_path):
    root = processed_tree(tmp_path)
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY, encoding="utf-8")
    status, out = cached_check(tmp_path, root, key)
    assert status == 0 and "2 files checked, 2 key entries, 0 findings" in out
    status, out = cached_check(tmp_path, root, key)
    assert status == 0 and "2 files checked (2 unchanged since the last check)" in out
    # planted after the check: found, and again on the next run (never recorded as clean)
    (root / "planted.txt").write_text("Harriet Quill\n", encoding="utf-8")
    for _ in range(2):
        status, out = cached_check(tmp_path, root, key)
        assert status == 1 and "planted.txt:1:1: key entry" in out, out
        assert "(2 unchanged since the last check)" in out
    (root / "planted.txt").unlink()
    # an edit that keeps the size (same number of characters), with a new mtime
    turns = root / "interviews" / "turns.csv"
    before = turns.read_text(encoding="utf-8")
    st_before = turns.stat()
    after = before.replace("[Person 1] rang", "Harriet Quill x")
    assert len(after) == len(before)
    turns.write_text(after, encoding="utf-8")
    os.utime(turns, ns=(st_before.st_atime_ns, st_before.st_mtime_ns + 1_000_000))
    assert turns.stat().st_size == st_before.st_size
    status, out = cached_check(tmp_path, root, key)
    assert status == 1 and "turns.csv:2:5: key entry" in out, out
    assert "(1 unchanged since the last check)" in out


def test_fingerprints_see_an_edit_that_restores_size_and_mtime(tmp_path):
    # the change time (ctime) cannot be set back: an edit with its mtime restored is read
    root = processed_tree(tmp_path)
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY, encoding="utf-8")
    assert cached_check(tmp_path, root, key)[0] == 0
    turns = root / "interviews" / "turns.csv"
    st_before = turns.stat()
    turns.write_text(turns.read_text().replace("[Person 1] rang", "Harriet Quill x"))
    os.utime(turns, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
    assert turns.stat().st_mtime_ns == st_before.st_mtime_ns
    status, out = cached_check(tmp_path, root, key)
    assert status == 1 and "turns.csv:2:5" in out


def test_fingerprints_are_void_when_the_key_changes(tmp_path):
    root = processed_tree(tmp_path, "source_id,text\nP01,rang Kestlebury\n")
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY, encoding="utf-8")
    assert cached_check(tmp_path, root, key)[0] == 0
    key.write_text(HQ_KEY + "Kestlebury,[Place 1]\n", encoding="utf-8")
    status, out = cached_check(tmp_path, root, key)
    assert status == 1 and "turns.csv:2:10: key entry" in out
    # the fingerprint file names no file: paths are hashed
    assert "turns" not in (tmp_path / "fp.json").read_text()


def test_the_fingerprint_file_is_not_itself_checked(tmp_path):
    root = processed_tree(tmp_path)
    key = tmp_path / "identifier_key.csv"
    key.write_text(HQ_KEY, encoding="utf-8")
    status, out = run_cli("check", "--root", root, "--key", key, "--allowlist",
                          empty_allowlist(tmp_path), "--cache", root / "fp.json")
    assert status == 0 and "2 files checked" in out
    assert (root / "fp.json").is_file()


def test_leak_check_reads_a_pdfs_xmp_metadata(tmp_path):
    # a PDF whose document information is clean but whose XMP packet (the catalog's
    # /Metadata stream, written here by pypdf) names the author
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.xmp_metadata = ('<x:xmpmeta xmlns:x="adobe:ns:meta/">\n<dc:creator>'
                           'Harriet Quill</dc:creator>\n</x:xmpmeta>').encode()
    buf = io.BytesIO()
    writer.write(buf)
    found = planted(tmp_path, "report.pdf", buf.getvalue())
    assert found == [("report.pdf", "key entry")]
    key = tmp_path / "identifier_key.csv"
    table = privacy.leak_check([tmp_path / "tree"], keys=[key], allowlist=[empty_allowlist(tmp_path)])
    # line 2 of the packet, after "<dc:creator>" (12 characters): column 13
    assert table[["line", "column"]].values.tolist() == [["XMP metadata line 2", 13]]
