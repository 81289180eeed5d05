"""The researcher's own study, end to end: ``make all STUDY=private`` on a fixture study.

The fixture study is unlike the demo in every way the issue names: three invented
transcripts in three formats (.txt, .vtt, .docx) in ``transcripts/``, one with a space in
its file name (as a researcher names files; make splits names at spaces), only two tiers,
a register with only the three required columns, an identifier key, a codebook that is
not SST, one coder, and a ``.qdpx`` in ``coding/`` coded on the ORIGINAL (identifying)
texts whose sources carry no ``name`` (GUID only, as qualitative-coding 1.3.2 writes
them): one found by its ``plainTextPath`` stem, one by its text alone.

The build is one step of the user's journey (issue 21, item 6): in a temporary git
repository holding a copy of this one (so that ``git status`` there means what it means
here), with this environment's ``.venv``, the README's commands run in the order a
researcher types them: ``make all``, ``thesis``, ``report``, ``all`` on the demo; then,
with the fixture study, ``make all``, ``thesis``, ``report``, ``test ONLY=notebooks``,
``all`` with ``STUDY=private``; then ``make all`` again. Every test of this file reads
that one copy.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import _private_build
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
REGISTER = [("P01 interview.txt", "P01", "meso"), ("P02_call.vtt", "P02", "micro"),
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
    stems = {"P01": "P01 interview", "P02": "P02_call"}
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
    (t / "P01 interview.txt").write_text(TXT, encoding="utf-8")
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


# ------------------------------------------------------------------ the user's journey
# The README's commands in the order a researcher types them (issue 21, item 6): the demo,
# then the fixture study, then the demo again, in one repository copy. The fixture study's
# build is the journey's `make all STUDY=private`, shared by every test of this file.
DEMO_FIRST = [("all",), ("thesis",), ("report",), ("all",)]
PRIVATE = [("all", "STUDY=private"), ("thesis", "STUDY=private"), ("report", "STUDY=private"),
           ("test", "STUDY=private", "ONLY=notebooks"), ("all", "STUDY=private")]
DEMO_AGAIN = [("all",)]


@dataclass
class Step:
    command: str
    done: subprocess.CompletedProcess
    status: str  # git status --porcelain after it

    def problem(self) -> str | None:
        """Why this step fails the journey (None when it exits 0 with a clean tree)."""
        if self.done.returncode:
            return (f"{self.command}: exit {self.done.returncode}\n"
                    f"{self.done.stdout[-2000:]}{self.done.stderr[-2000:]}")
        if self.status:
            return f"{self.command}: git status not clean:\n{self.status}"
        return None


@dataclass
class Journey:
    repo: Path
    study: dict
    steps: list[Step]


@pytest.fixture(scope="module")
def journey(repository_template, tmp_path_factory) -> Journey:
    repo = _private_build.clone(repository_template,
                                tmp_path_factory.mktemp("journey") / "repo")
    made = Journey(repo, {}, [])

    def run(args):
        done = _make(repo, *args)
        made.steps.append(Step(f"{len(made.steps) + 1}. make {' '.join(args)}", done,
                               _git(repo, "status", "--porcelain")))

    for args in DEMO_FIRST:
        run(args)
    made.study = make_study(repo / "data/raw/private")
    for args in PRIVATE + DEMO_AGAIN:
        run(args)
    return made


@pytest.fixture(scope="module")
def built(journey):
    """The fixture study after its `make all STUDY=private` (and the rest of the journey)."""
    return journey.repo, journey.study, journey.steps[len(DEMO_FIRST)].done


def privacy_lines(step: Step) -> list[str]:
    return [line for line in step.done.stdout.splitlines() if line.startswith("privacy check ok")]


def test_the_journey_exits_0_with_a_clean_tree_and_a_clean_leak_check_throughout(journey):
    assert len(journey.steps) == len(DEMO_FIRST + PRIVATE + DEMO_AGAIN)
    problems = [p for p in (s.problem() for s in journey.steps) if p]
    assert not problems, "\n".join(problems)
    for step in journey.steps:
        # every make all, thesis and report ends with a clean leak check; nbval has none
        if "ONLY=notebooks" in step.command:
            assert " passed" in step.done.stdout, step.done.stdout[-2000:]
        else:
            lines = privacy_lines(step)
            assert lines and all(line.endswith(" 0 findings") for line in lines), \
                (step.command, step.done.stdout[-2000:])
    # the nbval step re-executed every private notebook
    nbval = journey.steps[len(DEMO_FIRST) + 3].done.stdout
    for notebook in (journey.repo / "notebooks").glob("*.ipynb"):
        assert f"build/private/notebooks/{notebook.name} " in nbval, (notebook.name, nbval[-2000:])


def test_make_all_reads_what_changed_and_then_nothing_again(journey):
    # The second make all also checks the thesis kit and the report (trees it reads). The
    # last one, after the private steps, re-reads every file: the private study's key
    # joined the keys (the demo's trees must not hold its names either), and it reads
    # build/private/ too. One more make all then finds every file unchanged.
    first, second, last = (privacy_lines(journey.steps[i])[-1]
                           for i in (0, 3, len(journey.steps) - 1))
    count = lambda line: int(re.search(r"(\d+) files checked", line).group(1))  # noqa: E731
    entries = lambda line: int(re.search(r"(\d+) key entries", line).group(1))  # noqa: E731
    assert count(second) > count(first), (first, second)
    assert entries(last) == entries(second) + len(KEY) and "unchanged" not in last, last
    assert count(last) > count(second), (second, last)
    again = privacy_lines(Step("make all", _make(journey.repo, "all"), ""))[-1]
    assert again.startswith(f"privacy check ok: {count(last)} files checked "
                            f"({count(last)} unchanged"), (last, again)
    assert (journey.repo / "build/thesis/quote_bank.docx").is_file()
    assert (journey.repo / "build/private/thesis/quote_bank.docx").is_file()


def same_size_edit(text: str) -> str:
    """``text`` with its first thirteen-letter word in a sentence replaced by a key entry of
    the demo key of the same length (Harriet Quill), so that the file keeps its size."""
    m = re.search(r"(?<= )[a-z]{13}(?= )", text)
    assert m, "no thirteen-letter word to replace"
    return text[:m.start()] + "Harriet Quill" + text[m.end():]


def test_a_file_planted_or_edited_after_the_build_fails_every_next_make_all(journey):
    repo = journey.repo
    planted = repo / "figures" / "notes.txt"
    planted.write_text("Harriet Quill\n", encoding="utf-8")
    for _ in range(2):
        done = _make(repo, "all")
        assert done.returncode != 0 and "figures/notes.txt:1:1: key entry" in done.stdout, \
            done.stdout[-2000:]
    planted.unlink()
    # an edit that keeps the file's size, with a new modification time
    turns = repo / "data" / "processed" / "interviews" / "turns.csv"
    original = turns.read_bytes()
    edited = same_size_edit(original.decode("utf-8")).encode("utf-8")
    assert len(edited) == len(original) and edited != original
    turns.write_bytes(edited)
    st = turns.stat()
    os.utime(turns, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    done = _make(repo, "all")
    assert done.returncode != 0 and "data/processed/interviews/turns.csv:" in done.stdout
    turns.write_bytes(original)
    done = _make(repo, "all")
    assert done.returncode == 0 and "privacy check ok" in done.stdout, done.stdout[-2000:]
    assert _git(repo, "status", "--porcelain") == ""


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
    # every notebook executed, none with an error output
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


def test_make_sees_an_edit_of_a_file_with_a_space_in_its_name(built):
    repo = built[0]
    stamp = "build/private/stamps/interviews-private"
    assert _make(repo, "-q", stamp, "STUDY=private").returncode == 0  # up to date
    spaced = repo / "data/raw/private/transcripts/P01 interview.txt"
    st = spaced.stat()
    os.utime(spaced, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    try:
        assert _make(repo, "-q", stamp, "STUDY=private").returncode == 1  # stale
    finally:
        os.utime(spaced, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _make(repo, "-q", stamp, "STUDY=private").returncode == 0


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


def test_everything_written_with_a_qdpx_export_passes_the_leak_check(built):
    # what make thesis and make report wrote in the journey, a qdpx export, and everything
    # else under build/private/ has no finding (the leak check's precision, issue 21)
    repo, study, run = built
    done = _private_build.PrivateBuild(repo, study, run).everything_written_is_clean(make=())
    assert done.returncode == 0 and done.stdout.rstrip().endswith(" 0 findings"), \
        done.stdout[-3000:] + done.stderr[-3000:]
