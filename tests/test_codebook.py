"""Tests of analysis.codebook: the real SST codebook and one fixture per validation rule.

Fixture files are in tests/fixtures/codebook/. In every fixture but bad_stem.yml each
code sits on one line (YAML flow style), so line 5 is the first code, line 8 the
fourth; the line numbers expected below were read off the files by hand.
"""

from pathlib import Path

import pytest

from analysis.codebook import FACETS, load_codebook, main, validate_all
from analysis.errors import DataError

FIX = Path(__file__).parent / "fixtures" / "codebook"

# The 44 codes and parents of the frame's §2.2 table
# ("Code list (summary)", copied by hand into data/raw/codebook/README.md).
FRAME_22 = {
    "sst_external": "", "sst_ext_independent": "sst_external",
    "sst_ext_irresistible": "sst_external", "sst_ext_ppr": "sst_external",
    "sst_ext_sociotech": "sst_external", "sst_internal": "",
    "sst_int_gendisp": "sst_internal", "sst_int_conjspec": "sst_internal",
    "sst_int_horizon": "sst_int_conjspec", "sst_agency": "",
    "sst_ag_routine": "sst_agency", "sst_ag_strategic": "sst_agency",
    "sst_ag_concerns": "sst_agency", "sst_ag_resist": "sst_agency", "sst_outcomes": "",
    "sst_out_intended": "sst_outcomes", "sst_out_unintended": "sst_outcomes",
    "sst_out_reproduce": "sst_outcomes", "sst_out_change": "sst_outcomes",
    "lvl": "", "lvl_macro": "lvl", "lvl_meso": "lvl", "lvl_micro": "lvl",
    "pp": "", "pp_national_exec": "pp", "pp_regional_prog": "pp", "pp_sha_it": "pp",
    "pp_csu_it": "pp", "pp_commiss_digital": "pp", "pp_trust_cio": "pp",
    "pp_gp_practice_mgr": "pp", "pp_clinician": "pp", "pp_supplier": "pp",
    "th": "", "th_central_local": "th", "th_standards_interop": "th", "th_data_ig": "th",
    "th_funding": "th", "th_reorg_memory": "th", "th_mediation": "th",
    "th_local_ownership": "th", "th_supplier_contracts": "th", "th_workforce": "th",
    "th_accountability": "th",
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


# ----------------------------------------------------------------- the real codebook

def test_real_codebook_has_the_44_codes_of_the_frame(codebook):
    assert len(FRAME_22) == 44  # the §2.2 table numbers its rows 1 to 44
    assert len(codebook.codes) == 44
    assert dict(zip(codebook.codes["code_id"], codebook.codes["parent_id"])) == FRAME_22
    assert validate_all() == []


def test_hierarchy_follows_the_frame(codebook):
    # §2.2: sst_int_horizon's parent is sst_int_conjspec, whose parent is sst_internal.
    assert codebook.ancestors("sst_int_horizon") == ["sst_int_conjspec", "sst_internal"]
    assert codebook.descendants("sst_internal") == [
        "sst_int_gendisp", "sst_int_conjspec", "sst_int_horizon"]
    # §2.2 has four sst roots, then lvl, pp and th: seven roots in file order.
    assert codebook.children() == ["sst_external", "sst_internal", "sst_agency",
                                   "sst_outcomes", "lvl", "pp", "th"]
    horizon = codebook.codes.set_index("code_id").loc["sst_int_horizon"]
    assert (horizon["depth"], horizon["root_id"], horizon["path"]) == (
        2, "sst_internal", "sst_internal/sst_int_conjspec/sst_int_horizon")
    with pytest.raises(KeyError):
        codebook.ancestors("th_nothing")


def test_facets_and_codability(codebook):
    # Counted from §2.2: 19 sst rows (1-19), 4 lvl (20-23), 10 pp (24-33), 11 th (34-44);
    # §2.1 point 5: the roots lvl, pp and th group codes and carry no stems.
    table = codebook.facet_table().set_index("facet")
    assert list(table.index) == list(FACETS)
    assert table["n_codes"].to_dict() == {"sst": 19, "level": 4, "position_practice": 10,
                                          "theme": 11}
    not_codable = codebook.codes.loc[~codebook.codes["codable"], "code_id"].tolist()
    assert not_codable == ["lvl", "pp", "th"]
    codes = codebook.codes.set_index("code_id")
    assert codes.loc[["lvl", "pp", "th"], "stems"].map(len).tolist() == [0, 0, 0]
    # Every codable code has stems to propose candidates with (§2.3 gives each some).
    codable = codes[codes["codable"]]
    assert (codable["stems"].map(len) > 0).all()


def test_sst_components_and_brackets(codebook):
    codes = codebook.codes.set_index("code_id")
    # The component is the root's name (§1.2); brackets per §1.9: context analysis covers
    # external structures and conjuncturally-specific knowledge, conduct analysis
    # general dispositions and active agency; outcomes are neither.
    assert codes.loc["sst_ext_ppr", "sst_component"] == "external"
    assert codes.loc["sst_ag_resist", "sst_component"] == "agency"
    assert codes.loc["sst_int_conjspec", "bracket"] == "context"
    assert codes.loc["sst_int_horizon", "bracket"] == "context"
    assert codes.loc["sst_int_gendisp", "bracket"] == "conduct"
    assert codes.loc["sst_ag_routine", "bracket"] == "conduct"
    assert codes.loc["sst_out_change", "bracket"] == "neither"
    assert codes.loc["th_funding", "bracket"] == ""


def test_noisy_stems_the_frame_marks(codebook):
    codes = codebook.codes.set_index("code_id")
    # §2.3 marks 'region' and 'epic' with (!); §2.4 names 'system', 'report', 'chang',
    # 'fund' as generic stems that need a second stem nearby.
    assert "region*" in codes.loc["lvl_meso", "noisy_stems"]
    assert "epic" in codes.loc["pp_supplier", "noisy_stems"]
    assert "system*" in codes.loc["sst_ext_sociotech", "noisy_stems"]
    assert "report*" in codes.loc["th_accountability", "noisy_stems"]
    assert "chang*" in codes.loc["sst_out_change", "noisy_stems"]
    assert "fund*" in codes.loc["th_funding", "noisy_stems"]


def test_codes_table_is_flat(codebook):
    flat = codebook.codes_table().set_index("code_id")
    # th_funding's stems in the YAML start "funding, funded, money".
    assert flat.loc["th_funding", "stems"].startswith("funding|funded|money|")
    assert flat.loc["lvl", "codable"] == "false"
    assert flat.loc["lvl", "stems"] == ""


def test_colours_are_hex_and_distinct_within_facet(codebook):
    codes = codebook.codes
    assert codes["colour"].str.fullmatch(r"#[0-9A-F]{6}").all()
    codable = codes[codes["codable"]]
    assert not codable.duplicated(["facet", "colour"]).any()


# ----------------------------------------------------------------- validation rules

def test_small_valid_fixture_loads():
    cb = load_codebook(FIX / "valid_small.yml")
    assert cb.codes["code_id"].tolist() == ["sst_external", "sst_ext_ppr", "th", "th_funding"]
    assert cb.version == "0.1"


@pytest.mark.parametrize("name, line, reason", [
    # line 9 repeats line 8 (th_funding)
    ("duplicate_id.yml", 9, "duplicate id (first defined on line 8)"),
    # th_funding on line 8 names the parent 'themes'
    ("missing_parent.yml", 8, "parent 'themes' is not a code"),
    # sst_external (line 5) and sst_ext_ppr (line 6) are each other's parent
    ("cycle.yml", 5, "cycle in parents: sst_external -> sst_ext_ppr -> sst_external"),
    # th_funding on line 8 has facet 'topic'
    ("unknown_facet.yml", 8, "unknown facet 'topic'"),
    # block style: the stem item '- bid*s' is on line 20 (a '*' only at the end)
    ("bad_stem.yml", 20, "malformed stem 'bid*s'"),
    # line 3 puts 'broken: indentation' inside the plain scalar begun on line 2
    ("syntax_error.yml", 3, "invalid YAML"),
])
def test_each_rule_names_file_and_line(name, line, reason):
    with pytest.raises(DataError) as info:
        load_codebook(FIX / name)
    err = info.value
    assert err.path.endswith(f"tests/fixtures/codebook/{name}")
    assert err.line == line
    assert reason in err.reason


def test_validate_all_reports_every_problem():
    # two_errors.yml: 'Funding' is not lower case (line 8); colour 'red' (line 9).
    errors = validate_all(FIX / "two_errors.yml")
    assert [(e.line, e.reason.split(": ", 1)[1][:15]) for e in errors] == [
        (8, "malformed stem "), (9, "colour 'red' is")]


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="codebook file not found"):
        load_codebook(tmp_path / "none.yml")


def test_command_line_check(capsys):
    assert main(["check", str(FIX / "two_errors.yml")]) == 2
    assert capsys.readouterr().err.count("error: ") == 2
    assert main(["check", str(FIX / "valid_small.yml")]) == 0


@pytest.mark.parametrize("text, line, reason", [
    # each case written by hand; the line is that of the code (or of the field at fault)
    ("version: '1'\ndescription: d\nsources: []\ncodes: oops\n", 4,
     "codes must be a non-empty list"),
    ("version: '1'\ndescription: d\nsources: []\ncodes:\n  - just text\n", 5, "must be a mapping"),
    ("version: '1'\ndescription: d\nsources: []\ncodes:\n  - {id: th, parent: null, label: T,"
     " facet: [theme], codable: false, colour: '#BBBBBB', definition: d, inclusion: i,"
     " exclusion: e, indicators: [], stems: [], noisy_stems: []}\n", 5, "unknown facet"),
    ("version: '1'\ndescription: d\nsources: []\ncodes:\n  - {id: 7}\n", 5, "missing field(s)"),
    ("- a list\n", 1, "a codebook is a mapping"),
    ("version: !!python/object:os.system x\n", 1, "invalid YAML"),
])
def test_malformed_structures_are_data_errors(tmp_path, text, line, reason):
    path = tmp_path / "cb.yml"
    path.write_text(text, encoding="utf-8")
    errors = validate_all(path)
    assert errors and all(isinstance(e, DataError) for e in errors)
    assert (errors[0].line, reason in errors[0].reason) == (line, True), errors


def test_hierarchy_closure_table(codebook):
    # From §2.2: 44 codes pair with themselves; 36 sit at depth 1 (sst 4+2+4+4, lvl 3,
    # pp 9, th 10) and add one ancestor each; sst_int_horizon (depth 2) adds two.
    h = codebook.hierarchy()
    assert len(h) == 44 + 36 + 2
    assert sorted(h.loc[h["ancestor_id"] == "sst_internal", "code_id"]) == [
        "sst_int_conjspec", "sst_int_gendisp", "sst_int_horizon", "sst_internal"]


def test_labels_map_every_code_to_its_label_in_file_order():
    import pandas as pd

    from analysis.codebook import labels_of

    book = load_codebook()
    # The codebook's first code, as written in data/raw/codebook/sst_codebook.yml.
    first = next(iter(book.labels.items()))
    assert first == (book.codes["code_id"].iloc[0], book.codes["label"].iloc[0])
    assert list(book.labels) == list(book.codes["code_id"])
    assert book.labels["sst_int_horizon"] == "Horizon of action"  # the file's label
    # An imported code without a label is shown by its id, not as an empty string.
    codes = pd.DataFrame({"code_id": ["c2", "c1"], "label": ["", "One"]})
    assert labels_of(codes) == {"c2": "c2", "c1": "One"}
