"""The study-folder contract (analysis.study) and the researcher's codebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.codebook import load_codebook
from analysis.errors import DataError
from analysis.participants import load_participants
from analysis.study import load_study, read_code_map


def _folder(tmp_path: Path, flat: bool) -> Path:
    (tmp_path / "participants.csv").write_text("participant_id,tier,transcript\nP01,meso,a.txt\n")
    (tmp_path / "identifier_key.csv").write_text("original,replacement\n")
    where = tmp_path if flat else tmp_path / "transcripts"
    where.mkdir(exist_ok=True)
    (where / "a.txt").write_text("Interviewer: hi\n")
    coding = tmp_path if flat else tmp_path / "coding"
    coding.mkdir(exist_ok=True)
    (coding / "p.qdpx").write_bytes(b"")
    (coding / "book.qdc").write_bytes(b"")
    return tmp_path


@pytest.mark.parametrize("flat", [True, False])
def test_flat_and_foldered_layouts_are_found(tmp_path, flat):
    study = load_study(_folder(tmp_path, flat))
    assert study.transcripts == (tmp_path if flat else tmp_path / "transcripts")
    assert [p.name for p in study.projects] == ["p.qdpx"]
    assert [p.name for p in study.codebooks] == ["book.qdc"]
    assert study.roles == () and study.coders == () and study.code_map is None


def test_study_yml_keys_are_read_and_roles_exposed(tmp_path):
    (tmp_path / "study.yml").write_text(
        "title: T\ncoders: [ann, bo]\ndefault_coder: ann\nroles: [Moderator, Committee 1]\n"
        "parameters:\n  all: {n_boot: 10}\n  06_coding_reliability: {top_n: 3}\n")
    study = load_study(tmp_path)
    assert study.roles == ("Moderator", "Committee 1")
    assert study.coders == ("ann", "bo") and study.default_coder == "ann"
    assert study.notebook_parameters("06_coding_reliability") == {"n_boot": 10, "top_n": 3}
    assert study.notebook_parameters("04_interview_theme_matrix") == {"n_boot": 10}


@pytest.mark.parametrize("text, line, reason", [
    ("title: T\ncolour: red\n", 2, "unknown key 'colour'"),
    ("coders: ann\n", 1, "coders must be a list"),
    ("coders: [a, b, c]\n", 1, "at most two"),
    ("roles: [Moderator, 3]\n", 1, "roles must be a list"),
    ("parameters: [1]\n", 1, "parameters must map"),
    ("title: [unclosed\n", 2, "not valid YAML"),
    ("title: T\ncoder_names: [janesmith]\n", 2, "coder_names must map names to names"),
    ("coder_names: {janesmith: ''}\n", 1, "coder_names must map names to names"),
    ("exclude_sources: P06_removed\n", 1, "exclude_sources must be a list"),
    ("case_attributes: {tier: [Tier]}\n", 1, "case_attributes must map names to names"),
    # the id and the file name are the register's own, never a case's
    ("case_attributes:\n  tier: Tier\n  participant_id: Case\n", 3,
     "'participant_id' is not a register column a case may fill"),
])
def test_bad_study_yml_is_one_error_with_its_line(tmp_path, text, line, reason):
    (tmp_path / "study.yml").write_text(text)
    with pytest.raises(DataError) as exc:
        load_study(tmp_path)
    assert exc.value.line == line and reason in exc.value.reason


def test_coder_names_exclusions_and_case_attributes_are_read_with_their_lines(tmp_path):
    (tmp_path / "study.yml").write_text(
        "coders: [janesmith]\ndefault_coder: coder_a\ncoder_names:\n  janesmith: coder_a\n"
        "exclude_sources: [P06_removed, P09 old]\n"
        "case_attributes: {tier: Tier, position_practice: Role}\n")
    study = load_study(tmp_path)
    assert study.coder_names == {"janesmith": "coder_a"}
    assert study.exclude_sources == ("P06_removed", "P09 old")
    assert study.case_attributes == {"tier": "Tier", "position_practice": "Role"}
    assert study.lines[("coder_names", "janesmith")] == 4
    assert study.lines[("exclude_sources", "P09 old")] == 5
    # either name of the coder gives the one the tables show
    assert study.display_coder("JaneSmith") == "coder_a"
    assert [study.shown_coder(n) for n in ("janesmith", "coder_a")] == ["coder_a", "coder_a"]
    # a user name with no display name shows as the key shows it
    assert study.shown_coder("bobjones", {"bobjones": "[Person B]"}.get) == "[Person B]"


def test_register_needs_only_three_columns_and_checks_optional_ones(tmp_path):
    p = tmp_path / "participants.csv"
    p.write_text("participant_id,tier,transcript,site\nP01,meso,a.txt,north\nP02,micro,b.vtt,\n")
    df = load_participants(p)
    assert list(df.columns) == ["participant_id", "tier", "transcript", "site"]
    p.write_text("participant_id,tier,transcript,years_in_nhs\nP01,meso,a.txt,many\n")
    with pytest.raises(DataError, match="years_in_nhs 'many'") as exc:
        load_participants(p)
    assert exc.value.line == 2
    p.write_text("participant_id,tier\nP01,meso\n")
    with pytest.raises(DataError, match="transcript"):
        load_participants(p)


def test_code_map_maps_names_or_ids_and_refuses_unknown(tmp_path):
    sst = load_codebook()
    codes = pd.DataFrame({"code_id": ["funding_worries"], "label": ["Funding worries"]})
    path = tmp_path / "code_map.csv"
    path.write_text("code,sst_code\nFunding worries,th_funding\n")
    assert read_code_map(path, codes, sst) == {"funding_worries": ("th_funding",)}
    # one code may stand for several SST codes, one row each; a pair twice is refused
    path.write_text("code,sst_code\nFunding worries,th_funding\nfunding_worries,sst_agency\n")
    assert read_code_map(path, codes, sst) == {"funding_worries": ("th_funding", "sst_agency")}
    path.write_text("code,sst_code\nFunding worries,th_funding\nfunding_worries,th_funding\n")
    with pytest.raises(DataError, match="mapped to 'th_funding' twice") as exc:
        read_code_map(path, codes, sst)
    assert exc.value.line == 3
    path.write_text("code,sst_code\nFunding worries,th_nonsense\n")
    with pytest.raises(DataError, match="not an SST code id") as exc:
        read_code_map(path, codes, sst)
    assert exc.value.line == 2
    path.write_text("code,sst_code\nweather,th_funding\n")
    with pytest.raises(DataError, match="not in the study's codebook"):
        read_code_map(path, codes, sst)


def test_private_outputs_are_all_under_build_private():
    roots = paths.output_roots("private")
    assert all(p.is_relative_to(paths.BUILD / "private") for p in roots.values())
    demo = paths.output_roots("demo")
    assert demo["processed"] == paths.DATA / "processed" and demo["notebooks"] == paths.NOTEBOOKS


# ----------------------------------------------------------------- coding rounds

def _touch(folder: Path, *names: str) -> Path:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"")
    return folder


def test_round_folders_are_taken_in_natural_order_the_last_is_the_analysis(tmp_path):
    from analysis.study import coding_rounds

    _touch(tmp_path, "coding/round-10/c.qdpx", "coding/round-9/b.qdpx",
           "coding/round-1/a.qdpx", "coding/round-1/a2.qde", "coding/round-1/sources/x.txt",
           "coding/round-1/book.qdc", "coding/round-9/proj.qda/data.qda")
    rounds, hidden = coding_rounds(tmp_path)
    # round-10 after round-9 (by number, not by letter); the .qde's sources/ and the
    # QualCoder folder belong to their projects
    assert [(r.name, [p.name for p in r.projects]) for r in rounds] == [
        ("round-1", ["a.qdpx", "a2.qde"]), ("round-9", ["b.qdpx", "proj.qda"]),
        ("round-10", ["c.qdpx"])]
    assert [p.name for p in rounds[0].codebooks] == ["book.qdc"]
    study = load_study(tmp_path)
    assert [p.name for p in study.projects] == ["c.qdpx"] and hidden == ()


def test_dated_rounds_and_a_flat_coding_folder(tmp_path):
    from analysis.study import FLAT_ROUND, coding_rounds

    _touch(tmp_path / "dated", "coding/2025-03-14/b.qdpx", "coding/2024-11-02/a.qdpx",
           "coding/.DS_Store")
    rounds, hidden = coding_rounds(tmp_path / "dated")
    assert [r.name for r in rounds] == ["2024-11-02", "2025-03-14"]
    assert [p.name for p in hidden] == [".DS_Store"]  # listed, for the import report
    _touch(tmp_path / "flat", "coding/a.qdpx", "b.qdpx")
    rounds, _ = coding_rounds(tmp_path / "flat")
    assert [(r.name, sorted(p.name for p in r.projects)) for r in rounds] == [
        (FLAT_ROUND, ["a.qdpx", "b.qdpx"])]


@pytest.mark.parametrize("files, culprit, reason", [
    (["coding/round-1/a.qdpx", "coding/b.qdpx"], "coding/b.qdpx", "round folders"),
    (["coding/round-1/a.qdpx", "b.qdpx"], "b.qdpx", "round folders"),
    (["coding/round-1/a.qdpx", "coding/round-1/notes.txt"], "coding/round-1/notes.txt",
     "not a coding project"),
    (["coding/a.qdpx", "coding/memo.docx"], "coding/memo.docx", "not a coding project"),
    (["coding/round-1/a.qdpx", "coding/round-1/old/b.qdpx"], "coding/round-1/old",
     "inside a round folder"),
    (["coding/round-1/a.qdpx", "coding/round-2/book.qdc"], "coding/round-2",
     "no coding project"),
])
def test_a_layout_neither_flat_nor_rounds_stops_naming_the_file(tmp_path, files, culprit,
                                                               reason):
    _touch(tmp_path, *files)
    with pytest.raises(DataError) as exc:
        load_study(tmp_path)
    assert exc.value.path.endswith(culprit) and reason in exc.value.reason


def test_study_inputs_lists_what_the_build_reads_with_hashes(tmp_path):
    import hashlib

    from analysis.study import study_inputs

    folder = _folder(tmp_path, flat=False)
    (folder / "coding" / "p.qdpx").write_bytes(b"project bytes")
    table = study_inputs(load_study(folder), [folder / "transcripts" / "a.txt"])
    rows = {r.file: r for r in table.itertuples(index=False)}
    assert sorted(rows) == ["coding/book.qdc", "coding/p.qdpx", "identifier_key.csv",
                            "participants.csv", "transcripts/a.txt"]
    assert rows["coding/p.qdpx"].sha256 == hashlib.sha256(b"project bytes").hexdigest()
    assert (rows["coding/p.qdpx"].role, rows["coding/p.qdpx"].round) == ("coding project",
                                                                         "coding")
