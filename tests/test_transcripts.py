"""Tests for analysis.transcripts.

Fixtures are hand-made files in tests/fixtures/transcripts/ (plain text, Markdown, VTT,
SRT); .docx fixtures and byte-level encoding fixtures are built in the tests from
literal content. Every expected speaker list, turn text, timestamp and offset below was
worked out by hand from the fixture's content (counted characters are shown in comments);
none is pasted from the parser's output.
"""

import io
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest

from analysis import transcripts as tr
from analysis.__main__ import main as cli
from analysis.errors import DataError
from analysis.schema import INTERVIEW_SOURCE_COLUMNS, TURN_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"


def check_offsets(t):
    """The contract: text == full_text[start:end], ordered, non-overlapping turns."""
    turns = t.turns
    assert list(turns.columns) == TURN_COLUMNS
    for row in turns.itertuples():
        assert t.text[row.start:row.end] == row.text
        assert row.start < row.end
    ends = turns["end"].tolist()
    starts = turns["start"].tolist()
    assert all(e <= s for e, s in zip(ends, starts[1:]))
    assert turns["turn"].tolist() == list(range(1, len(turns) + 1))


def speakers(t):
    return list(zip(t.turns["speaker"], t.turns["role"]))


# ------------------------------------------------------------------- plain-text layouts

def test_colon_labels_with_header_prose_and_multiline_turns():
    t = tr.parse_transcript(FIXTURES / "colon_labels.txt")
    check_offsets(t)
    assert (t.source_id, t.format, t.encoding, t.bom, t.nfc) == (
        "colon_labels", "txt", "utf-8", False, True)
    # The file as written, unchanged (it is ASCII with LF already).
    assert t.text == (FIXTURES / "colon_labels.txt").read_text()
    # "Date:" (header), "Note:" and "2006:" are not speakers; the header is in no turn.
    assert speakers(t) == [("Interviewer", "interviewer"), ("Respondent", "participant"),
                           ("Interviewer", "interviewer"), ("Respondent", "participant")]
    assert t.turns["text"].tolist() == [
        "When did the SHA merge?",
        "In 2006. We had three PCTs then.\nNote: the SHA kept the IT budget.\n"
        "2006: we lost half the team.",
        "And after that?",
        "The clusters came.\n\nIt was a mess.",
    ]
    # By hand: header lines of 25+1, 32+1, 18+1 characters and one empty line = 79;
    # "Interviewer: " is 13 characters, so the first utterance starts at 92 and
    # "When did the SHA merge?" (23 characters) ends at 115.
    assert (t.turns["start"][0], t.turns["end"][0]) == (92, 115)
    assert set(t.turns["timestamp"]) == {""}


def test_upper_case_numbered_and_titled_labels():
    t = tr.parse_transcript(FIXTURES / "caps_numbered.txt")
    check_offsets(t)
    # "INTERVIEWER 1" is the default interviewer label with a number; JANE DOE and
    # Dr Smith are name-like and each used twice.
    assert speakers(t) == [("INTERVIEWER 1", "interviewer"), ("JANE DOE", "participant"),
                           ("Dr Smith", "participant"), ("INTERVIEWER 1", "interviewer"),
                           ("Dr Smith", "participant"), ("JANE DOE", "participant")]
    # A line ending in ":" does not end the turn; the next line continues it.
    assert t.turns["text"][4] == "The cluster contract came first:\nthe LSP was chosen for us."
    # "INTERVIEWER 1: " is 15 characters; "Thank you both for coming." is 26.
    assert (t.turns["start"][0], t.turns["end"][0]) == (15, 41)


def test_q_and_a_labels():
    t = tr.parse_transcript(FIXTURES / "qa.txt")
    check_offsets(t)
    assert speakers(t) == [("Q", "interviewer"), ("A", "participant")] * 2
    # Line 2 starts at 25 ("Q: What changed in 2013?" is 24 characters + LF); "A: " is 3.
    assert (t.turns["start"][1], t.turns["end"][1]) == (28, 28 + len(
        "CCGs and CSUs. Everything moved."))


def test_no_labels_is_one_turn_without_a_speaker():
    t = tr.parse_transcript(FIXTURES / "no_labels.txt")
    check_offsets(t)
    # "Summary:" is a metadata word and "In 2006:" is used once: no speakers at all.
    assert speakers(t) == [("", "")]
    # The turn is the whole text without the leading and trailing blank lines:
    # it starts after the first LF (1) and runs to the end of the last line.
    assert t.turns["start"][0] == 1
    assert t.turns["end"][0] == len(t.text.rstrip())


def test_names_are_not_guessed_as_interviewer():
    text = "Alice: Why?\nBob: Because.\nAlice: When?\nBob: In 2011.\n"
    # Neither name is a known interviewer label, so both are participants ...
    assert set(tr.parse_text(text, "txt", "x").turns["role"]) == {"participant"}
    # ... until the caller names the interviewer (case does not matter).
    t = tr.parse_text(text, "txt", "x", interviewer="ALICE")
    assert speakers(t) == [("Alice", "interviewer"), ("Bob", "participant")] * 2


def test_single_use_plain_label_is_prose_but_known_speakers_count():
    text = "Interviewer: Go on.\nRespondent: Fine.\nDecision: we went with Lorenzo.\n"
    t = tr.parse_text(text, "txt", "x")
    # "Decision:" is used once, so it stays inside the respondent's turn.
    assert t.turns["text"].tolist() == ["Go on.", "Fine.\nDecision: we went with Lorenzo."]
    t = tr.parse_text(text, "txt", "x", speakers=["Decision"])
    assert t.turns["speaker"].tolist() == ["Interviewer", "Respondent", "Decision"]


def test_source_id_is_a_label_and_register_label_sets_the_role():
    text = "Researcher: Which era?\nP05: The CCG years.\n"
    t = tr.parse_text(text, "txt", "P05", interviewer=["Researcher"])
    assert speakers(t) == [("Researcher", "interviewer"), ("P05", "participant")]


def test_markdown_bold_labels():
    t = tr.parse_transcript(FIXTURES / "bold.md")
    check_offsets(t)
    assert t.format == "md"
    # Priya Shah speaks once, but a bold label is a label.
    assert speakers(t) == [("Interviewer", "interviewer"), ("Priya Shah", "participant"),
                           ("Interviewer", "interviewer")]
    assert t.turns["text"].tolist() == ["How did the ICB change things?",
                                        "We became accountable for data.\nIt was new to us.",
                                        "Thank you."]
    # "# SYNTHETIC interview P03" (25) + LF + empty line = 27; "**Interviewer:** " is 17.
    assert t.turns["start"][0] == 44


def test_bracketed_timestamps():
    t = tr.parse_transcript(FIXTURES / "timestamped.txt")
    check_offsets(t)
    assert speakers(t) == [("Interviewer", "interviewer"), ("Sam Patel", "participant")] * 2
    # [1:02] is minutes:seconds; [00:01:10.5] keeps its fraction as milliseconds.
    assert t.turns["timestamp"].tolist() == ["00:00:05", "00:00:09", "00:01:02",
                                             "00:01:10.500"]
    # "SYNTHETIC\n" is 10; "[00:00:05] Interviewer: " is 24.
    assert (t.turns["start"][0], t.turns["text"][0]) == (34, "Tell me about Lorenzo.")


def test_transcription_service_layout():
    t = tr.parse_transcript(FIXTURES / "service.txt")
    check_offsets(t)
    assert speakers(t) == [("Interviewer", "interviewer"), ("Alex Morgan", "participant"),
                           ("Interviewer", "interviewer")]
    assert t.turns["timestamp"].tolist() == ["00:00:03", "00:00:07", "00:01:15"]
    assert t.turns["text"].tolist() == ["What was your role in 2016?",
                                        "I led the Local Digital Roadmap\nfor the STP footprint.",
                                        "Thanks."]


def test_invalid_timestamp_in_a_label_is_reported_with_its_line():
    with pytest.raises(DataError) as exc:
        tr.parse_text("Intro\n[00:12:75] Interviewer: Hello?\n", "txt", "x")
    assert exc.value.line == 2 and "12:75" in exc.value.reason


# ------------------------------------------------------------------------ VTT and SRT

def test_teams_vtt_voice_tags_merge_and_header():
    t = tr.parse_transcript(FIXTURES / "teams.vtt")
    check_offsets(t)
    # Written out by hand: title and NOTE as header lines, STYLE and cue ids dropped,
    # Jane Doe's two consecutive cues merged, &amp; decoded, <i> stripped.
    assert t.text == (
        "SYNTHETIC Teams transcript\nRecorded for a test.\n\n"
        "Interviewer: Shall we begin?\n\n"
        "Jane Doe: Yes. In 2002 the national programme started. We lost control & budget.\n\n"
        "Interviewer: Really?\n\n"
        "Jane Doe: Really.\n")
    assert speakers(t) == [("Interviewer", "interviewer"), ("Jane Doe", "participant")] * 2
    assert t.turns["timestamp"].tolist() == ["00:00:01.000", "00:00:04.500", "00:00:12.000",
                                             "00:00:14.000"]
    # Header: 26 + 1 + 20 + 2 = 49; "Interviewer: " is 13, so the first turn starts at 62.
    assert (t.turns["start"][0], t.turns["end"][0]) == (62, 77)


def test_zoom_vtt_labels_in_cue_text_and_entities():
    t = tr.parse_transcript(FIXTURES / "zoom.vtt")
    check_offsets(t)
    # &lt;again&gt; is text, not a tag; &nbsp; becomes a space; <c.yellow> is stripped.
    assert t.text == ("Interviewer: Hello <again>.\n\n"
                      "Chris O'Neil: Hi. The CSU ran our IT. Until 2016, anyway.\n\n"
                      "Interviewer: Thanks.\n")
    assert t.turns["speaker"].tolist() == ["Interviewer", "Chris O'Neil", "Interviewer"]
    assert t.turns["timestamp"].tolist() == ["00:00:01.000", "00:00:03.500", "00:00:09.000"]


def test_vtt_without_speakers_is_one_turn():
    t = tr.parse_transcript(FIXTURES / "no_voices.vtt")
    check_offsets(t)
    assert t.text == "The Spine went live in 2006.\n"
    assert speakers(t) == [("", "")]
    assert t.turns["timestamp"].tolist() == ["00:00:01.000"]


def test_srt_numbered_cues_and_unlabelled_continuation():
    t = tr.parse_transcript(FIXTURES / "subtitles.srt")
    check_offsets(t)
    assert t.text == ("Interviewer: Where were you in 2013?\n\n"
                      "Respondent: At the PCT, until it was abolished. It was sudden.\n")
    assert speakers(t) == [("Interviewer", "interviewer"), ("Respondent", "participant")]
    # SRT's comma becomes a dot.
    assert t.turns["timestamp"].tolist() == ["00:00:01.000", "00:00:04.200"]
    # First paragraph: 13 + 23 = 36, then "\n\n" (38) and "Respondent: " (12) -> 50.
    assert t.turns["start"].tolist() == [13, 50]


@pytest.mark.parametrize("name, line, words", [
    ("broken_timing.vtt", 6, "bad cue timing"),     # a comma in a VTT time, line 6
    ("broken_arrow.vtt", 6, "no timing line"),      # "->" instead of "-->", block at line 6
    ("broken.srt", 6, "bad cue timing"),            # "0x" seconds on line 6
    ("not_vtt.vtt", 1, "WEBVTT"),                   # no WEBVTT on line 1
])
def test_broken_cues_name_the_line(name, line, words):
    with pytest.raises(DataError) as exc:
        tr.parse_transcript(FIXTURES / name)
    assert exc.value.line == line and words in exc.value.reason
    assert str(exc.value).startswith(f"{exc.value.path}:{line}: ")


def test_vtt_cue_running_into_the_next():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOne.\n00:00:02.000 --> 00:00:03.000\nTwo.\n"
    with pytest.raises(DataError) as exc:
        tr.parse_text(text, "vtt", "x")
    assert exc.value.line == 5  # the second timing line, with no blank line before it


def test_vtt_cue_ending_before_it_starts():
    with pytest.raises(DataError, match="ends before"):
        tr.parse_text("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nBack.\n", "vtt", "x")


# ------------------------------------------------------------------------------- docx

def make_docx(path, paragraphs=(), table=None):
    """Write a .docx: paragraphs are strings or (bold lead, rest) pairs."""
    document = docx.Document()
    for p in paragraphs:
        if isinstance(p, tuple):
            para = document.add_paragraph()
            para.add_run(p[0]).bold = True
            para.add_run(p[1])
        else:
            document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(t.rows, table):
            for cell, value in zip(row.cells, values):
                cell.text = value
    document.save(path)
    return path


def test_docx_paragraphs_with_bold_labels(tmp_path):
    p = make_docx(tmp_path / "P09.docx", [
        "SYNTHETIC interview",
        ("Interviewer:", " How was 2013?"),
        ("Morgan Lee", ": Chaotic."),          # bold name, colon outside the bold run
        "The CSU took our IT.",
        ("Interviewer:", " Thanks."),
    ])
    t = tr.parse_transcript(p)
    check_offsets(t)
    assert (t.format, t.source_id) == ("docx", "P09")
    # One line per paragraph, as Word shows it.
    assert t.text == ("SYNTHETIC interview\nInterviewer: How was 2013?\n"
                      "Morgan Lee: Chaotic.\nThe CSU took our IT.\nInterviewer: Thanks.")
    # Morgan Lee is used once, but the bold run marks the label.
    assert speakers(t) == [("Interviewer", "interviewer"), ("Morgan Lee", "participant"),
                           ("Interviewer", "interviewer")]
    assert t.turns["text"][1] == "Chaotic.\nThe CSU took our IT."
    # "SYNTHETIC interview\n" is 20; "Interviewer: " is 13.
    assert t.turns["start"][0] == 33


def test_docx_transcript_table(tmp_path):
    p = make_docx(tmp_path / "table.docx", ["SYNTHETIC"], table=[
        ("Speaker", "Time", "Text"),                     # heading row, dropped
        ("Interviewer", "00:02:00", "Then?"),
        ("morgan", "00:02:05", "The CSU formed."),        # lower-case: still a speaker
        ("", "", "In 2013."),                             # continuation row
    ])
    t = tr.parse_transcript(p)
    check_offsets(t)
    assert t.text == ("SYNTHETIC\n[00:02:00] Interviewer: Then?\n"
                      "[00:02:05] morgan: The CSU formed.\nIn 2013.")
    assert speakers(t) == [("Interviewer", "interviewer"), ("morgan", "participant")]
    assert t.turns["timestamp"].tolist() == ["00:02:00", "00:02:05"]
    assert t.turns["text"].tolist() == ["Then?", "The CSU formed.\nIn 2013."]


def test_docx_truncated_corrupt_and_fake(tmp_path):
    good = make_docx(tmp_path / "good.docx", ["Interviewer: Hi.", "P01: Hello."])
    data = good.read_bytes()
    for cut in (0, 10, len(data) // 3, len(data) // 2, len(data) - 30):
        bad = tmp_path / f"cut{cut}.docx"
        bad.write_bytes(data[:cut])
        with pytest.raises(DataError, match="not a readable Word"):
            tr.parse_transcript(bad)
    # A zip without word/document.xml.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    (tmp_path / "fake.docx").write_bytes(buf.getvalue())
    with pytest.raises(DataError, match="no word/document.xml"):
        tr.parse_transcript(tmp_path / "fake.docx")


def test_docx_without_text(tmp_path):
    with pytest.raises(DataError, match="no text"):
        tr.parse_transcript(make_docx(tmp_path / "empty.docx", ["", "   "]))


# -------------------------------------------------------------------------- encodings

CONVERSATION = "Interviewer: Caf\u00e9 or the \u201cSpine\u201d?\nRespondent: Both \u2013 in 2006.\n"


@pytest.mark.parametrize("data, encoding, bom", [
    # Windows-1252: smart quotes 0x93/0x94 and en dash 0x96 (cp1252 code chart).
    (CONVERSATION.encode("cp1252"), "cp1252", False),
    (CONVERSATION.encode("utf-8"), "utf-8", False),
    (b"\xef\xbb\xbf" + CONVERSATION.encode("utf-8"), "utf-8", True),
    (b"\xff\xfe" + CONVERSATION.encode("utf-16-le"), "utf-16", True),
    (b"\xfe\xff" + CONVERSATION.encode("utf-16-be"), "utf-16", True),
    # CRLF line ends become LF.
    (CONVERSATION.replace("\n", "\r\n").encode("utf-8"), "utf-8", False),
])
def test_encodings_are_detected_and_recorded(tmp_path, data, encoding, bom):
    p = tmp_path / "enc.txt"
    p.write_bytes(data)
    t = tr.parse_transcript(p)
    check_offsets(t)
    assert (t.encoding, t.bom) == (encoding, bom)
    assert t.text == CONVERSATION  # BOM gone, LF newlines, characters intact
    assert t.turns["text"].tolist() == ["Caf\u00e9 or the \u201cSpine\u201d?",
                                        "Both \u2013 in 2006."]


def test_latin1_is_read_as_cp1252(tmp_path):
    p = tmp_path / "latin1.txt"
    # 0xE9 is "é" in ISO 8859-1 and in Windows-1252 alike.
    p.write_bytes("Interviewer: Caf\u00e9?\nRespondent: Oui.\n".encode("latin-1"))
    t = tr.parse_transcript(p)
    assert t.encoding == "cp1252" and t.turns["text"][0] == "Caf\u00e9?"


def test_nfc_is_recorded_not_forced(tmp_path):
    decomposed = "Interviewer: Cafe\u0301?\nRespondent: Yes.\n"  # e + combining acute
    t = tr.parse_text(decomposed, "txt", "x")
    assert t.nfc is False and t.text == decomposed
    assert t.turns["text"][0] == "Cafe\u0301?"


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"  \n\r\n\t\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    # UTF-16 without a BOM: every other byte is NUL.
    (CONVERSATION.encode("utf-16-le"), "UTF-16 without a byte-order mark"),
    # 0x81 is undefined in Windows-1252 and invalid UTF-8.
    (b"Interviewer: \x81\x81\n", "not valid UTF-8"),
    # "café" saved as UTF-8, read as cp1252 and saved again as UTF-8: "cafÃ©".
    ("Interviewer: ok\nRespondent: caf\u00c3\u00a9\n".encode("utf-8"), "mojibake"),
])
def test_bad_text_files_raise_dataerror(tmp_path, data, words):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises(DataError) as exc:
        tr.parse_transcript(p)
    assert words in exc.value.reason


def test_mojibake_names_its_line(tmp_path):
    p = tmp_path / "moji.txt"
    p.write_bytes("Interviewer: ok\nRespondent: it\u00e2\u20ac\u2122s fine\n".encode("utf-8"))
    with pytest.raises(DataError) as exc:
        tr.parse_transcript(p)
    assert exc.value.line == 2  # the "â€™" (a mangled apostrophe) is on line 2


def test_unsupported_suffix_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="unsupported"):
        tr.parse_transcript(tmp_path / "notes.pdf")
    with pytest.raises(DataError, match="not found"):
        tr.parse_transcript(tmp_path / "gone.txt")


# ---------------------------------------------------------------------- ids and output

@pytest.mark.parametrize("name, expected", [
    ("P01.docx", "P01"),
    ("Interview 3 (final).txt", "Interview_3_final"),     # runs of others -> one "_"
    ("Zo\u00eb Smith.vtt", "Zoe_Smith"),                   # accent dropped
    ("a--b__c.srt", "a--b__c"),                            # allowed characters kept
    ("\u00bf\u00bf.txt", "source"),                        # nothing left
])
def test_source_id_from_path(name, expected):
    assert tr.source_id_from_path(name) == expected


def test_write_parsed(tmp_path):
    a = tr.parse_transcript(FIXTURES / "qa.txt")
    b = tr.parse_transcript(FIXTURES / "subtitles.srt")
    tr.write_parsed([b, a], tmp_path / "out")
    assert (tmp_path / "out" / "texts" / "qa.txt").read_bytes() == a.text.encode("utf-8")
    turns = pd.read_csv(tmp_path / "out" / "turns.csv", dtype=str, keep_default_na=False)
    assert list(turns.columns) == TURN_COLUMNS
    # qa has 4 turns and subtitles 2; sorted by source id.
    assert turns["source_id"].tolist() == ["qa"] * 4 + ["subtitles"] * 2
    texts = {"qa": a.text, "subtitles": b.text}
    for row in turns.itertuples():
        assert texts[row.source_id][int(row.start):int(row.end)] == row.text
    with pytest.raises(DataError, match="also that of"):
        tr.write_parsed([a, a], tmp_path / "dup")


def test_sources_table():
    a = tr.parse_transcript(FIXTURES / "qa.txt")
    df = tr.sources_table([a])
    assert list(df.columns) == INTERVIEW_SOURCE_COLUMNS
    # n_chars: the four lines of qa.txt are 24, 35, 14 and 22 characters, each + LF.
    assert df.iloc[0][["source_id", "kind", "format", "n_chars"]].tolist() == [
        "qa", "interview", "txt", 99]


def test_interviewer_labels_from_register():
    reg = pd.DataFrame({"participant_id": ["P01", "P02"], "interviewer_label": ["", "IV"]})
    assert tr.interviewer_labels(reg) == {"P02": ("IV",)}


# ---------------------------------------------------------------------- command line

def test_cli_one_bad_file_writes_nothing_and_reports_every_bad_one(tmp_path, capsys):
    # All or nothing: qa.txt parses, but with two bad files beside it nothing is
    # written (not even qa's text), and each bad file gets its own error line.
    (tmp_path / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    out.mkdir()
    (out / "turns.csv").write_text("earlier run\n")  # an earlier output stays as it was
    status = cli(["transcripts", "parse", str(FIXTURES / "qa.txt"),
                  str(tmp_path / "empty.txt"), str(FIXTURES / "broken_timing.vtt"),
                  "--out", str(out)])
    assert status == 2
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 2 and captured.out == ""
    assert err[0].startswith("error: ") and err[0].endswith("empty.txt: file is empty")
    assert err[1].startswith("error: ") and "broken_timing.vtt:6: bad cue timing" in err[1]
    assert sorted(p.name for p in out.iterdir()) == ["turns.csv"]
    assert (out / "turns.csv").read_text() == "earlier run\n"


def test_cli_all_bad_writes_nothing(tmp_path, capsys):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02\x03")
    status = cli(["transcripts", "parse", str(tmp_path / "bin.txt"),
                  "--out", str(tmp_path / "out")])
    assert status == 2 and not (tmp_path / "out").exists()
    assert capsys.readouterr().err.startswith("error: ")


def test_cli_success_with_register_and_interviewer(tmp_path, capsys):
    (tmp_path / "P05.txt").write_text("Researcher: Which era?\nP05: The CCG years.\n"
                                      "Researcher: Thanks.\n")
    (tmp_path / "reg.csv").write_text("participant_id,interviewer_label\nP05,Researcher\n")
    out = tmp_path / "out"
    assert cli(["transcripts", "parse", str(tmp_path / "P05.txt"), "--out", str(out),
                "--participants", str(tmp_path / "reg.csv")]) == 0
    turns = pd.read_csv(out / "turns.csv", dtype=str)
    assert turns["role"].tolist() == ["interviewer", "participant", "interviewer"]
    assert (out / "texts" / "P05.txt").read_text() == (tmp_path / "P05.txt").read_text()
    # --interviewer names the label directly.
    assert cli(["transcripts", "parse", str(FIXTURES / "caps_numbered.txt"), "--out",
                str(out), "--interviewer", "jane doe"]) == 0
    turns = pd.read_csv(out / "turns.csv", dtype=str)
    assert turns["role"].tolist()[:2] == ["participant", "interviewer"]


def test_cli_duplicate_source_ids(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "qa.txt").write_text("Q: x?\nA: y.\n")
    status = cli(["transcripts", "parse", str(FIXTURES / "qa.txt"),
                  str(tmp_path / "a" / "qa.txt"), "--out", str(tmp_path / "out")])
    assert status == 2 and "already used" in capsys.readouterr().err


def test_unlabelled_cues_before_the_first_label_are_header():
    srt = ("1\n00:00:00,000 --> 00:00:01,000\nSYNTHETIC demo\n\n"
           "2\n00:00:01,000 --> 00:00:02,000\nInterviewer: Ready?\n\n"
           "3\n00:00:02,000 --> 00:00:03,000\nRespondent: Yes.\n")
    t = tr.parse_text(srt, "srt", "x")
    check_offsets(t)
    # Like the title lines of a .txt: in the text, in no turn.
    assert t.text == "SYNTHETIC demo\n\nInterviewer: Ready?\n\nRespondent: Yes.\n"
    assert t.turns["speaker"].tolist() == ["Interviewer", "Respondent"]
    # "SYNTHETIC demo\n\n" is 16, "Interviewer: " 13.
    assert t.turns["start"][0] == 29


def test_discourse_words_are_not_speakers_even_when_repeated():
    text = ("Interviewer: Was it hard?\nRespondent: Very.\nYes: we struggled.\n"
            "Interviewer: Why?\nRespondent: Money.\nYes: and people.\n")
    t = tr.parse_text(text, "txt", "x")
    # "Yes:" is used twice and is capitalised, but it is a discourse word.
    assert t.turns["speaker"].tolist() == ["Interviewer", "Respondent"] * 2
    assert t.turns["text"][1] == "Very.\nYes: we struggled."


def test_question_and_answer_labels():
    t = tr.parse_text("Question: Which year?\nAnswer: 2013.\n", "txt", "x")
    assert speakers(t) == [("Question", "interviewer"), ("Answer", "participant")]


# ------------------------------------------------------- layouts of real exporters
# Each fixture is invented content in the layout of a real exporter; the expected
# turns are read off the fixture by hand.

def test_teams_vtt_with_unpadded_timings_and_cue_ids():
    # Teams' transcript download: GUID/n-0 cue ids, <v Name> voices, times like 0:0:0.210.
    t = tr.parse_transcript(FIXTURES / "teams_unpadded.vtt")
    check_offsets(t)
    assert speakers(t) == [("Interviewer", "interviewer"), ("Dana Whitlock", "participant"),
                           ("Interviewer", "interviewer")]
    assert t.turns["text"].tolist() == ["Can you hear me?",
                                        "Yes, loud and clear. I joined the CCG in 2013.",
                                        "And before that?"]
    # 0:1:2.040 is one minute, two seconds and 40 ms.
    assert t.turns["timestamp"].tolist() == ["00:00:00.210", "00:00:01.980", "00:01:02.040"]
    # "Interviewer: " is 13 characters, so the first utterance starts at 13.
    assert t.text.startswith("Interviewer: Can you hear me?\n\nDana Whitlock: Yes,")
    assert t.turns["start"].tolist()[:2] == [13, 46]  # 13 + 16 + 2 + len("Dana Whitlock: ")


def test_rolling_auto_captions_are_unrolled():
    # YouTube-style auto-captions: each cue repeats the previous line, words carry
    # inline <00:00:00.320><c> times, and a 10 ms cue repeats the finished line.
    t = tr.parse_transcript(FIXTURES / "youtube_auto.vtt")
    check_offsets(t)
    assert t.turns["text"].tolist() == [
        "so the trust merged in twenty twelve and nobody asked us"]
    assert t.turns["timestamp"].tolist() == ["00:00:00.000"]
    assert t.text == "so the trust merged in twenty twelve and nobody asked us\n"


def test_repeated_lines_stay_in_ordinary_captions():
    # Without inline word times a repeated line is speech said twice, not a roll-up.
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nYes.\n\n"
           "00:00:02.000 --> 00:00:03.000\nYes.\n")
    assert tr.parse_text(vtt, "vtt", "x").turns["text"].tolist() == ["Yes. Yes."]


def test_otter_speaker_and_time_header_lines():
    # Otter/Zoom/Teams .txt: "Name  0:03" on its own line, the words below it.
    t = tr.parse_transcript(FIXTURES / "otter.txt", interviewer="Speaker 1")
    check_offsets(t)
    assert speakers(t) == [("Speaker 1", "interviewer"), ("Rowan Ashby", "participant")] * 2
    assert t.turns["text"].tolist() == ["Shall we start with your current post?",
                                        "Sure. I manage the estates team.",
                                        "For how long?", "Since the merger."]
    assert t.turns["timestamp"].tolist() == ["00:00:03", "00:00:09", "00:01:02", "00:01:05"]


def test_otter_export_with_summary_header_and_name_lines_without_time():
    # The layout of a real Otter.ai .txt export (a public interview study's transcripts,
    # seen 2026-12): a title, SUMMARY KEYWORDS and SPEAKERS header block, "Name  mm:ss"
    # lines, and now and then a name line whose time Otter left out ("Name  " alone,
    # trailing spaces kept). Such a line is a turn of that speaker with no time; a bare
    # line that is no timed speaker's name ("Conclusion") stays in the turn above it.
    text = ("\nP07_transcript\nSUMMARY KEYWORDS\ndata, sharing\nSPEAKERS\n"
            "P07, Dana Whitlock\n\n"
            "Dana Whitlock  00:00\nShall we start?\n\n"
            "P07  00:04\nYes.\nConclusion\nThat was all.\n\n"
            "Dana Whitlock  \nThank you.\n\n"
            "P07 \nBye.\n")
    t = tr.parse_text(text, "txt", "P07", interviewer="Dana Whitlock")
    check_offsets(t)
    # worked by hand from the text above: four turns, the third and fourth with no time
    assert t.turns[["speaker", "role", "timestamp", "text"]].values.tolist() == [
        ["Dana Whitlock", "interviewer", "00:00:00", "Shall we start?"],
        ["P07", "participant", "00:00:04", "Yes.\nConclusion\nThat was all."],
        ["Dana Whitlock", "interviewer", "", "Thank you."],
        ["P07", "participant", "", "Bye."]]
    # the header block is text outside any turn
    assert t.turns["start"].min() == text.index("Shall we start?")


def test_teams_docx_speaker_and_time_paragraphs(tmp_path):
    # Teams' "Download as .docx": a paragraph "Name   0:03", then the words.
    p = make_docx(tmp_path / "teams.docx", ["Interviewer   0:03", "Can you hear me?",
                                            "Dana Whitlock   0:07", "Yes. I joined in 2013.",
                                            "Interviewer   1:12", "Thank you."])
    t = tr.parse_transcript(p)
    check_offsets(t)
    assert t.text == ("Interviewer   0:03\nCan you hear me?\nDana Whitlock   0:07\n"
                      "Yes. I joined in 2013.\nInterviewer   1:12\nThank you.")
    assert speakers(t) == [("Interviewer", "interviewer"), ("Dana Whitlock", "participant"),
                           ("Interviewer", "interviewer")]
    assert t.turns["timestamp"].tolist() == ["00:00:03", "00:00:07", "00:01:12"]
    assert t.turns["text"].tolist() == ["Can you hear me?", "Yes. I joined in 2013.",
                                        "Thank you."]


def test_tab_separated_time_name_text_lines():
    # A meeting tool's saved .txt transcript: time, name and words separated by tabs.
    text = ("00:00:05\tInterviewer:\tHello there.\n00:00:09\tDana Whitlock:\tHi.\n"
            "00:00:15\tDana Whitlock:\tYes.\n")
    t = tr.parse_text(text, "txt", "x")
    check_offsets(t)
    assert t.turns[["speaker", "timestamp", "text"]].values.tolist() == [
        ["Interviewer", "00:00:05", "Hello there."], ["Dana Whitlock", "00:00:09", "Hi."],
        ["Dana Whitlock", "00:00:15", "Yes."]]


def test_bracket_id_labels():
    # "[id1] text": speaker ids in brackets, as in anonymised archive transcripts.
    t = tr.parse_transcript(FIXTURES / "bracket_ids.txt", interviewer="id1")
    check_offsets(t)
    assert speakers(t) == [("id1", "interviewer"), ("id2", "participant")] * 2
    assert t.turns["text"].tolist() == [
        "What did the reorganisation change for you?",
        "Mostly the reporting lines.\nWe answered to the region after that.",
        "And the budget?", "[laughs] That stayed the same."]
    # the title line is text before the first label: in no turn
    assert t.text.startswith("Interview 7, invented for tests\n\n[id1] What")
    assert t.turns["start"][0] == len("Interview 7, invented for tests\n\n[id1] ")


def test_bracketed_annotations_are_not_speakers():
    text = "[Laughter] right\n[Inaudible] fine\n[Laughter] ok\n[Inaudible] yes\n"
    t = tr.parse_text(text, "txt", "x")
    assert t.turns["speaker"].tolist() == [""]  # no labels: one turn, no speaker


def test_timed_lines_without_speakers():
    # Automatic transcripts that start each line with a time and name nobody.
    t = tr.parse_transcript(FIXTURES / "timed_lines.txt")
    check_offsets(t)
    assert speakers(t) == [("", "")] * 3
    assert t.turns["timestamp"].tolist() == ["00:00:03.120", "00:00:07.480", "00:01:15.000"]
    assert t.turns["text"].tolist() == ["okay so we are recording now",
                                        "thanks for making the time\nand for the papers you sent",
                                        "the first merger was in 2006"]


def test_one_timed_line_is_not_a_layout():
    t = tr.parse_text("10:30 the meeting began.\nIt went on.\n", "txt", "x")
    assert t.turns[["speaker", "timestamp", "text"]].values.tolist() == [
        ["", "", "10:30 the meeting began.\nIt went on."]]


def test_unpadded_vtt_time_out_of_range_is_refused():
    vtt = "WEBVTT\n\n0:0:1.000 --> 0:0:61.000\nHello.\n"
    with pytest.raises(DataError) as exc:
        tr.parse_text(vtt, "vtt", "x", path="bad.vtt")
    assert exc.value.line == 3 and "bad cue timing" in exc.value.reason


# -------------------------------------------------------------------- encodings

def test_utf8_with_one_stray_latin1_byte_is_refused(tmp_path):
    # "Zoë" is proper UTF-8 (C3 AB); the "é" of "café" is a lone Latin-1 byte 0xE9.
    # Bytes: "Interviewer: Zo" 15, "ë" 2, " said\n" 6 -> line 2 starts at byte 23;
    # "Respondent: caf" 15 more -> the bad byte is byte 38 (0-based) on line 2.
    p = tmp_path / "stray.txt"
    p.write_bytes("Interviewer: Zo\u00eb said\n".encode("utf-8") + b"Respondent: caf\xe9\n")
    with pytest.raises(DataError) as exc:
        tr.parse_transcript(p)
    assert exc.value.line == 2
    assert "byte 38 (0xe9)" in exc.value.reason and "UTF-8" in exc.value.reason


def test_genuine_cp1252_with_many_accents_still_loads(tmp_path):
    # Every non-ASCII byte here is a Windows-1252 character standing alone, so none
    # forms a UTF-8 sequence: the file is Windows-1252, not broken UTF-8.
    text = "Interviewer: \u201cCaf\u00e9\u201d \u2013 na\u00efve?\nRespondent: Z\u00f6e, s\u00ed.\n"
    p = tmp_path / "cp.txt"
    p.write_bytes(text.encode("cp1252"))
    t = tr.parse_transcript(p)
    assert t.encoding == "cp1252" and t.text == text


# ------------------------------------------------------------- speaker labels

def _turns(*rows):
    return pd.DataFrame(rows, columns=["source_id", "speaker", "start"])


def test_speaker_labels_that_may_be_names_are_listed():
    text = "Interviewer: Hello.\nSuzanne: Hi.\nSpeaker 2: Yes.\nP01: Me.\nSuzanne: Again.\n"
    turns = _turns(("P01", "Interviewer", 13), ("P01", "Suzanne", 29),
                   ("P01", "Speaker 2", 44), ("P01", "P01", 55), ("P01", "Suzanne", 69))
    found = tr.unlisted_speakers(turns, texts={"P01": text})
    # Suzanne's first turn starts at 29, on line 2; she has two turns.
    assert found.values.tolist() == [["P01", "Suzanne", 2, 2]]
    with pytest.raises(DataError) as exc:
        tr.check_speaker_labels(turns, texts={"P01": text}, files={"P01": "raw/P01.txt"})
    assert (exc.value.path, exc.value.line) == ("raw/P01.txt", 2)
    assert "first use of each: raw/P01.txt:2)" in exc.value.reason
    assert "Suzanne" not in exc.value.reason  # a label may be a name: places only
    assert "identifier_key.csv" in exc.value.reason and "roles:" in exc.value.reason


@pytest.mark.parametrize("roles, key", [
    (["Suzanne"], None),                                    # declared a role
    ([], pd.DataFrame({"original": ["  suzanne "]})),        # in the key (case, spaces)
])
def test_roles_and_key_entries_pass(roles, key):
    turns = _turns(("P01", "Suzanne", 0), ("P01", "Chair", 9), ("P01", "Unknown", 20),
                   ("P01", "", 30), ("P01", "Moderator 2", 40))
    tr.check_speaker_labels(turns, roles=roles, key=key)


def test_a_titled_label_passes_when_the_name_after_the_title_is_in_the_key():
    # a public meeting's transcript (the qc demo project's board_2017.txt writes
    # "Mr. Dabor:", "Ms. Ofek:"): the key holds the surname; the title is no name
    key = pd.DataFrame({"original": ["Dabor", "Ofek"]})
    turns = _turns(("B", "Mr. Dabor", 0), ("B", "Ms Ofek", 9), ("B", "Mr. Tyeri", 20),
                   ("B", "Mr", 30))
    found = tr.unlisted_speakers(turns, key=key)
    # Tyeri is in no key; "Mr" alone is a word, not a title before a name
    assert found["speaker"].tolist() == ["Mr", "Mr. Tyeri"]
