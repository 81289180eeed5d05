"""A researcher's whole study, shaped like a real one, end to end: ``make all STUDY=private``
on a small instance of :func:`analysis.synthetic.fieldwork.write_study_folder`.

The interviewer, Jane Smith, is in the identifier key and is also the only coder: her
QualCoder user name is ``janesmith``, her top code category is ``Smith codes`` (with
``Jane's themes`` and a code ``JaneSmith to check``), code memos name her, the Otter.ai
transcripts carry her name as the interviewer's label and in the file names, and
participants.csv leaves tier and position-practice to the project's cases. A withdrawn
participant's stub (``P02_removed``) has one line and no codings.

Only ONE full build runs (the module fixture ``built``); the REFI route (the same
project as a ``.qdpx``) runs the build's interview stage only, and the variations
(stubs with codings, contradicting cases, display names) are function-level tests in
``tests/test_build.py``.

Colours: codes carry QualCoder's colours (``#AC58FA``), which the leak check once read as
postcodes; the build must pass its own leak check with them.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.pipeline import build
from analysis.synthetic.fieldwork import write_study_folder

from _private_build import git

SIZE = dict(n_interviews=4, words_per_interview=800, n_codes=40, n_categories=8, depth=3,
            n_codings=60, coder_names={"janesmith": "coder_a"}, colours=True, seed=21)

# Every spelling of the researcher's name, searched for in every byte written: her
# forename or surname on their own (not inside a longer word or a base64 run) and the
# two run together in either order, whatever is between them.
NAME_RX = re.compile(rb"jane\W{0,3}smith|smith\W{0,3}jane"
                     rb"|(?<![A-Za-z0-9+/])(?:jane|smith)(?![A-Za-z0-9+/])", re.IGNORECASE)


def _texts_of(path: Path):
    """The bytes of a file as a reader could see them: the file, each zip member, each
    PNG text chunk (inflated), and a notebook's JSON with its images' text chunks."""
    data = path.read_bytes()
    yield data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for member in z.namelist():
                yield z.read(member)
    if data.startswith(b"\x89PNG"):
        yield from _png_chunks(data)
    if path.suffix == ".ipynb":
        import base64

        for cell in json.loads(data)["cells"]:
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    yield from _png_chunks(base64.b64decode(png))


def _png_chunks(data: bytes):
    at = 8
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + size]
        if kind in (b"tEXt", b"iTXt", b"eXIf"):
            yield body
        elif kind == b"zTXt":
            yield zlib.decompress(body.split(b"\0", 1)[1][1:])
        at += size + 12


def researcher_named(root: Path) -> list[str]:
    """Files under ``root`` where the researcher's name appears (with the match)."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        for text in _texts_of(path):
            # a notebook's own PNGs are read through their chunks, not as base64
            text = re.sub(rb'"image/png": "[A-Za-z0-9+/=\\n]*"', b"", text)
            m = NAME_RX.search(text)
            if m:
                found.append(f"{path.relative_to(root)}: {m.group()!r}")
                break
    return found


def expected_rows(study) -> Counter:
    """``(participant, code label, coder, words)`` of every coding after pseudonymisation,
    worked out with ``str.replace`` of the key's originals (longest first) and the two
    run-together spellings of the researcher's name that the generator writes."""
    key = dict(study.key)
    key.update({"JaneSmith": key["Jane Smith"], "janesmith": key["Jane Smith"]})
    order = sorted(key, key=len, reverse=True)

    def replace(text: str) -> str:
        for original in order:
            text = text.replace(original, key[original])
        return text

    shown = {**{c: replace(c) for c in study.codings["coder"]}, **study.coder_names}
    return Counter((pid, replace(code), shown[coder], replace(words)) for pid, code, coder, words
                   in study.codings[["participant_id", "code", "coder", "words"]]
                   .itertuples(index=False))


def actual_rows(processed: Path) -> Counter:
    segments = pd.read_csv(processed / "segments.csv", dtype=str, keep_default_na=False)
    codes = pd.read_csv(processed / "codes.csv", dtype=str, keep_default_na=False)
    label = dict(zip(codes["code_id"], codes["label"]))
    return Counter((s, label[c], who, t) for s, c, who, t in
                   segments[["source_id", "code_id", "coder", "text"]].itertuples(index=False))


def report(processed: Path) -> pd.DataFrame:
    return pd.read_csv(processed / "import_report.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def built(build_private_study):
    """``make all STUDY=private`` once on the small fieldwork study (QualCoder project)."""
    made = build_private_study("fieldwork", lambda folder: write_study_folder(folder, **SIZE))
    assert made.run.returncode == 0, made.run.stdout[-3000:] + made.run.stderr[-3000:]
    return made


@pytest.mark.slow
def test_the_researchers_name_appears_nowhere_under_build_private(built):
    assert built.out.is_dir() and any(built.out.rglob("*.ipynb"))
    assert researcher_named(built.out) == []
    # the search finds her where she is: in the study folder itself
    assert researcher_named(built.repo / "data/raw/private")


@pytest.mark.slow
def test_the_coder_appears_under_her_display_name(built):
    segments = pd.read_csv(built.out / "processed/interviews/segments.csv", dtype=str)
    assert set(segments["coder"]) == {"coder_a"}  # study.yml coder_names: {janesmith: coder_a}
    notebook = json.loads((built.out / "notebooks/06_coding_reliability.ipynb").read_text())
    injected = [c for c in notebook["cells"]
                if "injected-parameters" in c["metadata"].get("tags", [])]
    assert "coder_a" in "".join(injected[0]["source"])


@pytest.mark.slow
def test_at_least_95_percent_of_codings_land_on_the_same_words(built):
    expected = expected_rows(built.study)
    got = actual_rows(built.out / "processed/interviews")
    same = sum((expected & got).values())
    assert sum(got.values()) == sum(expected.values()) == SIZE["n_codings"]
    assert same / SIZE["n_codings"] >= 0.95, (same, expected - got)


@pytest.mark.slow
def test_the_withdrawn_stub_is_skipped_with_one_report_line(built):
    rows = report(built.out / "processed/interviews")
    stub = rows[rows["item"].str.contains("removed")]
    # P02: the default stub sits a third of the way through (max(2, 4 // 3) = 2)
    assert stub.values.tolist() == [["info", "source P02_removed",
                                     "not in the register, no codings: skipped", ""]]


@pytest.mark.slow
def test_cases_fill_tier_and_position_practice(built):
    register = pd.read_csv(built.out / "processed/interviews/participants.csv", dtype=str,
                           keep_default_na=False)
    # P01, P03, P04, P05 (P02 withdrew) take their attributes from the first four people
    # of analysis/synthetic/cast.py: Harriet Quill (macro, national exec), Tobias
    # Fenwright (meso, SHA IT), Marguerite Ellery-Pike (meso, CSU IT), Idris Calloway
    # (micro, trust CIO); the cases give "Meso" with a capital for every second case.
    assert register[["participant_id", "tier", "position_practice"]].values.tolist() == [
        ["P01", "macro", "pp_national_exec"], ["P03", "meso", "pp_sha_it"],
        ["P04", "meso", "pp_csu_it"], ["P05", "micro", "pp_trust_cio"]]
    rows = report(built.out / "processed/interviews")
    filled = rows[rows["item"] == "participants"]
    assert filled[["what", "detail"]].values.tolist() == [
        ["tier from the coding project", "4 participant(s) from variable 'Tier' of fieldwork.qda"],
        ["position_practice from the coding project",
         "4 participant(s) from variable 'Role' of fieldwork.qda"]]


@pytest.mark.slow
def test_codes_keep_categories_under_pseudonymised_ids(built):
    codes = pd.read_csv(built.out / "processed/interviews/codes.csv", dtype=str,
                        keep_default_na=False)
    # "Smith codes" -> key "Smith" -> "[Surname R]": label "[Surname R] codes", and the id
    # smith_codes -> surname_r_codes (the replacement as an id, lower case as the id was)
    top = codes[codes["parent_id"] == ""]
    assert top[["code_id", "label"]].values.tolist() == [["surname_r_codes",
                                                          "[Surname R] codes"]]
    assert (codes["root_id"] == "surname_r_codes").all()
    assert len(codes) == SIZE["n_codes"] + SIZE["n_categories"]
    assert codes["depth"].astype(int).max() == SIZE["depth"]  # codes one below the deepest


@pytest.mark.slow
def test_notebooks_run_and_the_tree_stays_clean(built):
    assert git(built.repo, "status", "--porcelain") == ""
    executed = sorted(p.name for p in (built.out / "notebooks").glob("*.ipynb"))
    assert executed == sorted(p.name for p in (built.repo / "notebooks").glob("*.ipynb"))
    for nb in (built.out / "notebooks").glob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", (nb.name, output.get("ename"))


@pytest.mark.slow
def test_the_refi_export_of_the_same_project_builds_the_same_coding(built, tmp_path,
                                                                     monkeypatch):
    study = write_study_folder(tmp_path / "private", project="qdpx", **SIZE)
    monkeypatch.setattr(paths, "PRIVATE", study.folder)
    out = build.build_interviews("private", out=tmp_path / "out")
    assert actual_rows(out) == actual_rows(built.out / "processed/interviews")
    assert researcher_named(out) == []
    stub = report(out)[lambda r: r["item"].str.contains("removed")]
    assert stub.values.tolist() == [["info", "source P02_removed",
                                     "not in the register, no codings: skipped", ""]]
