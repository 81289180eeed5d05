"""Tests for analysis.synthetic.render: the transcript layouts of the demo study.

Expected values are the requirements of issue 3 item 5 and issue 4 item 7 (12-16
participants, 1,500-3,000 words each, at least one .docx, .vtt and plain text, SYNTHETIC
at the top of every file, every planted identifier in the key and in a transcript, two
coders who mostly agree) or of the task brief; each test says which.
"""

import zipfile


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
