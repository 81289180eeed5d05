"""The researcher's own study, end to end: ``make all STUDY=private`` on a fixture study.

The fixture study is unlike the demo in every way the issue names: three invented
transcripts in three formats (.txt, .vtt, .docx) in ``transcripts/``, only two tiers,
a register with only the three required columns, an identifier key, a codebook that is
not SST, one coder, and a ``.qdpx`` in ``coding/`` coded on the ORIGINAL (identifying)
texts whose sources carry no ``name`` (GUID only, as qualitative-coding 1.3.2 writes
them): one found by its ``plainTextPath`` stem, one by its text alone.

The build runs in a temporary git repository holding a copy of this one (so that
``git status`` there means what it means here), with this environment's ``.venv``, once
for all the tests of this file (``build_private_study`` in tests/conftest.py).
"""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path

import pytest
from _private_build import git as _git
from _private_build import make as _make

pytestmark = pytest.mark.slow

# Invented people and places; each is a key entry and must never reach build/private/.
KEY = {"Alice Smith": "[Person A]", "Leeds": "[Place A]", "Jane Doe": "[Person B]",
       "Harrogate": "[Place B]"}

TXT = ("Interviewer: How was the money for the new system found?\n"
       "Alice Smith: In Leeds we never had enough funding for it, so we waited.\n"
       "Interviewer: And who decided?\n"
       "Alice Smith: The region decided, not us. Jane Doe said the same.\n")
VTT = ("WEBVTT\n\n"
       "00:00:01.000 --> 00:00:04.000\n<v Interviewer>What did the trust want?</v>\n\n"
       "00:00:04.500 --> 00:00:09.000\n<v Respondent>Local choice. In Harrogate we "
       "picked our own system and nobody stopped us.</v>\n")
DOCX_LINES = ["Interviewer: Tell me about the budget.",
              "Respondent: Funding was cut twice, and Jane Doe left the board."]

# (transcript file, participant, tier) -- two tiers only, no optional columns.
REGISTER = [("P01_interview.txt", "P01", "meso"), ("P02_call.vtt", "P02", "micro"),
            ("P03_notes.docx", "P03", "micro")]

# Codes of the researcher's own codebook (not SST) and the passages the coder chose,
# as words of the ORIGINAL texts.
CODES = {"Funding worries": "c1", "Local autonomy": "c2", "fun": "c3"}
CHOSEN = {  # participant -> (code name, chosen words)
    "P01": [("Funding worries", "we never had enough funding for it"),
            ("Local autonomy", "The region decided, not us"),
            ("fun", "Jane Doe said the same")],        # a name inside the selection
    "P02": [("Local autonomy", "picked our own system")],
    "P03": [("Funding worries", "Funding was cut twice")],
}


def _write_docx(path: Path, lines) -> None:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(path)


def _parsed_text(path: Path, pid: str) -> str:
    """The text a QDA tool holds for this transcript: the parser's normalised text."""
    from analysis.transcripts import parse_transcript

    return parse_transcript(path, source_id=pid).text


def _guid() -> str:
    return str(uuid.uuid4())


def write_qdpx(target: Path, texts: dict[str, str]) -> dict[str, list[tuple[str, int, int]]]:
    """A REFI-QDA project coded on the original ``texts``; returns what was coded where.

    P01 and P02 reference their transcript file by ``plainTextPath`` (found by stem);
    P03's text is inline with no name and no path (found by its text).
    """
    code_guid = {name: _guid() for name in CODES}
    user = _guid()
    coded, sources, files = {}, [], {}
    stems = {"P01": "P01_interview", "P02": "P02_call"}
    for pid, text in texts.items():
        sels = []
        for code, words in CHOSEN[pid]:
            start = text.index(words)
            sels.append((code, start, start + len(words)))
        coded[pid] = sels
        selections = "".join(
            f'<PlainTextSelection guid="{_guid()}" startPosition="{s}" endPosition="{e}" '
            f'creatingUser="{user}"><Coding guid="{_guid()}" creatingUser="{user}">'
            f'<CodeRef targetGUID="{code_guid[c]}"/></Coding></PlainTextSelection>'
            for c, s, e in sels)
        g = _guid()
        if pid in stems:
            files[f"sources/{stems[pid]}.txt"] = text
            sources.append(f'<TextSource guid="{g}" plainTextPath="internal://{stems[pid]}.txt">'
                           f"{selections}</TextSource>")
        else:
            from xml.sax.saxutils import escape

            sources.append(f'<TextSource guid="{g}"><PlainTextContent>{escape(text)}'
                           f"</PlainTextContent>{selections}</TextSource>")
    codes = "".join(f'<Code guid="{g}" name="{n}" isCodable="true"/>' for n, g in code_guid.items())
    qde = ('<?xml version="1.0" encoding="utf-8"?>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="fixture">'
           f'<Users><User guid="{user}" name="sam"/></Users>'
           f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
           f"<Sources>{''.join(sources)}</Sources></Project>")
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, text in files.items():
            zf.writestr(name, text)
    return coded


def make_study(folder: Path) -> dict:
    """Write the fixture study into ``folder``; return the original texts and codings."""
    (folder / "transcripts").mkdir(parents=True)
    (folder / "coding").mkdir()
    t = folder / "transcripts"
    (t / "P01_interview.txt").write_text(TXT, encoding="utf-8")
    (t / "P02_call.vtt").write_text(VTT, encoding="utf-8")
    _write_docx(t / "P03_notes.docx", DOCX_LINES)
    (folder / "participants.csv").write_text(
        "participant_id,tier,transcript\n"
        + "".join(f"{pid},{tier},{name}\n" for name, pid, tier in REGISTER), encoding="utf-8")
    (folder / "identifier_key.csv").write_text(
        "original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()),
        encoding="utf-8")
    (folder / "study.yml").write_text(
        "title: Fixture study\n"
        "coders: [sam]\n"
        "default_coder: sam\n"
        "roles: [Interviewer, Respondent]\n"
        "parameters:\n"
        "  all: {n_boot: 50}\n", encoding="utf-8")
    texts = {pid: _parsed_text(t / name, pid) for name, pid, _ in REGISTER}
    coded = write_qdpx(folder / "coding" / "fixture.qdpx", texts)
    return {"texts": texts, "coded": coded}


@pytest.fixture(scope="module")
def built(build_private_study):
    # one build for every test of this file (tests/conftest.py)
    b = build_private_study("fixture", make_study)
    return b.repo, b.study, b.run


def test_private_build_succeeds(built):
    repo, _, run = built
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_outputs_only_under_build_private_and_git_status_clean(built):
    repo, _, run = built
    assert run.returncode == 0, run.stderr[-2000:]
    assert _git(repo, "status", "--porcelain") == ""
    out = repo / "build/private"
    for name in ("processed", "notebooks", "figures"):
        assert any((out / name).iterdir()), name
    # six notebooks executed, none with an error output
    executed = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    assert executed == sorted(p.name for p in (repo / "notebooks").glob("*.ipynb"))
    for nb in (out / "notebooks").glob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", (nb.name, output.get("ename"))
    assert list((out / "figures").glob("*.png")), "no figure written"


def test_no_key_entry_anywhere_under_build_private(built):
    repo, _, run = built
    assert run.returncode == 0
    for path in (repo / "build/private").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for original in KEY:
                assert original.encode() not in data, (path, original)


def test_coding_lands_on_the_same_words_after_pseudonymisation(built):
    # Expected text: the words the coder chose in the original, pseudonymised with the
    # key by hand ("Jane Doe said the same" -> "[Person B] said the same").
    repo, fixture, run = built
    assert run.returncode == 0
    import pandas as pd

    processed = repo / "build/private/processed/interviews"
    segments = pd.read_csv(processed / "segments.csv", dtype=str, keep_default_na=False)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (processed / "texts").glob("*.txt")}
    expected = sorted((pid, words.replace("Jane Doe", "[Person B]"))
                      for pid, chosen in CHOSEN.items() for _, words in chosen)
    got = sorted(zip(segments["source_id"], segments["text"]))
    assert got == expected
    for row in segments.itertuples(index=False):
        assert texts[row.source_id][int(row.start):int(row.end)] == row.text
    assert set(segments["coder"]) == {"sam"}
    report = pd.read_csv(processed / "import_report.csv", dtype=str, keep_default_na=False)
    moved = report[report["what"] == "coded on the original transcript"]
    # every source of the project holds its original (identifying) text
    assert sorted(moved["item"]) == ["P01", "P02", "P03"]
    assert "0 could not be placed" in " ".join(moved["detail"])
    matched = report[report["what"] == "source matched to participant"]
    assert sorted(matched["detail"]) == ["P01 by file stem", "P02 by file stem", "P03 by text content"]
    codes = pd.read_csv(processed / "codes.csv", dtype=str, keep_default_na=False)
    assert sorted(codes["label"]) == sorted(CODES)


def test_failed_private_build_leaves_git_status_clean_and_demo_rebuild_too(built):
    repo, _, run = built
    assert run.returncode == 0
    broken = repo / "data/raw/private/participants.csv"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good + "P04,nowhere,missing.txt\n", encoding="utf-8")
    failed = _make(repo, "all", "STUDY=private")
    assert failed.returncode != 0
    assert "error: " in failed.stderr and "unknown tier 'nowhere'" in failed.stderr
    assert _git(repo, "status", "--porcelain") == ""
    broken.write_text(good, encoding="utf-8")
    # back to the demo: its stamps are its own, so nothing needs rebuilding, and the
    # tracked artefacts are exactly the committed ones
    back = _make(repo, "all")
    assert back.returncode == 0, back.stderr[-2000:]
    assert _git(repo, "status", "--porcelain") == ""


def test_thesis_report_and_export_pass_the_leak_check(build_private_study):
    # the build the other tests of this file share; what make thesis, make report and a
    # qdpx export write for it, and everything else under build/private/, has no finding
    # (the leak check's precision, issue 21)
    made = build_private_study("fixture", make_study)
    done = made.everything_written_is_clean()
    assert done.returncode == 0 and done.stdout.rstrip().endswith(" 0 findings"), \
        done.stdout[-3000:] + done.stderr[-3000:]
