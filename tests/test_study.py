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
