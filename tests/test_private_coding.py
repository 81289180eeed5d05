"""A private study's coding, built at package level (no ``make``): several coding
projects, the study's own ``codebook.yml`` and ``.qdc``, ``code_map.csv`` onto SST ids,
and selections that cannot be carried onto the pseudonymised text.

The fixture study is written here by hand and is unlike the demo: two invented
transcripts, a key, three ``.qdpx`` projects (coder ``ann`` in two batches, coder
``bo``), coded on the ORIGINAL texts, with German and Chinese code names, a nested
``codebook.yml`` and a ``.qdc``. Every expected value below is worked out by hand from
the texts, selections and map written in this file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
import pytest

from analysis import codebook, matrices, paths
from analysis.pipeline import build
from analysis.__main__ import main as cli
from analysis.errors import DataError
from analysis.io import read_table

A1 = ("Interviewer: What happened to the budget?\n"
      "Respondent: The money went to Cardiff and the ward lost its nurse. Dr Owen said so.\n")
A2 = ("Interviewer: And the staff?\n"
      "Respondent: We hired two nurses, but Owen kept the rota in Cardiff.\n")
KEY = {"Cardiff": "[Place A]", "Owen": "[Person A]"}
GELD = "Talk of money and budgets."


def _sel(text: str, words: str, code: str) -> tuple[int, int, str]:
    start = text.index(words)
    return start, start + len(words), code


def write_project(path: Path, user: str, codes: dict[str, str], sources: dict) -> None:
    """A REFI-QDA project: ``codes`` name -> description ("" for none); ``sources``
    participant id -> (text, [(start, end, code name)]), sources named by participant."""
    guid = iter(f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10_000))
    code_guid = {name: next(guid) for name in codes}
    user_guid = next(guid)
    book = "".join(
        f'<Code guid="{code_guid[n]}" name={quoteattr(n)} isCodable="true">'
        + (f"<Description>{escape(d)}</Description>" if d else "") + "</Code>"
        for n, d in codes.items())
    sources_xml = "".join(
        f'<TextSource guid="{next(guid)}" name="{pid}"><PlainTextContent>{escape(text)}'
        "</PlainTextContent>"
        + "".join(f'<PlainTextSelection guid="{next(guid)}" startPosition="{s}" '
                  f'endPosition="{e}" creatingUser="{user_guid}"><Coding guid="{next(guid)}" '
                  f'creatingUser="{user_guid}"><CodeRef targetGUID="{code_guid[c]}"/>'
                  "</Coding></PlainTextSelection>" for s, e, c in sels)
        + "</TextSource>" for pid, (text, sels) in sources.items())
    qde = ('<?xml version="1.0" encoding="utf-8"?>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="fixture">'
           f'<Users><User guid="{user_guid}" name="{user}"/></Users>'
           f"<CodeBook><Codes>{book}</Codes></CodeBook><Sources>{sources_xml}</Sources></Project>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)


CODEBOOK_YML = """\
codes:
  - name: Gefühle
    description: Feelings the respondent voices.
    codes:
      - name: Ärger
        description: Anger or frustration.
      - name: Freude
  - name: 資金
    parent: Geld
"""
QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code guid="00000000-0000-4000-8000-000000000901" name="Zeit" isCodable="true">
      <Description>When things happened.</Description>
      <Code guid="00000000-0000-4000-8000-000000000902" name="Früher" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>
"""


def make_study(folder: Path, *, code_map: str | None = None) -> Path:
    (folder / "transcripts").mkdir(parents=True)
    (folder / "coding").mkdir()
    (folder / "transcripts" / "a1.txt").write_text(A1, encoding="utf-8")
    (folder / "transcripts" / "a2.txt").write_text(A2, encoding="utf-8")
    (folder / "participants.csv").write_text(
        "participant_id,tier,transcript\nA1,meso,a1.txt\nA2,micro,a2.txt\n", encoding="utf-8")
    (folder / "identifier_key.csv").write_text(
        "original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()),
        encoding="utf-8")
    coding = folder / "coding"
    # ann, first batch: A1, with one selection that is only a name ("Owen")
    write_project(coding / "ann_1.qdpx", "ann",
                  {"Geld": GELD, "staffing": "", "Ärger": ""},
                  {"A1": (A1, [_sel(A1, "The money went to Cardiff", "Geld"),
                               _sel(A1, "the ward lost its nurse", "staffing"),
                               _sel(A1, "Owen", "staffing")])})
    # ann, second batch: A2, and A1's money passage again (a duplicate)
    write_project(coding / "ann_2.qdpx", "ann", {"Geld": GELD, "staffing": ""},
                  {"A1": (A1, [_sel(A1, "The money went to Cardiff", "Geld")]),
                   "A2": (A2, [_sel(A2, "We hired two nurses", "staffing")])})
    # bo: A1; Geld without a description is the same code, not a conflict
    write_project(coding / "bo.qdpx", "bo", {"Geld": "", "Ärger": ""},
                  {"A1": (A1, [_sel(A1, "The money went to Cardiff", "Geld"),
                               _sel(A1, "Dr Owen said so", "Ärger")])})
    (folder / "codebook.yml").write_text(CODEBOOK_YML, encoding="utf-8")
    (coding / "times.qdc").write_text(QDC, encoding="utf-8")
    if code_map is not None:
        (folder / "code_map.csv").write_text(code_map, encoding="utf-8")
    return folder


CODE_MAP = ("code,sst_code\n"
            "Geld,th_funding\n"
            "staffing,th_workforce\n"
            "staffing,sst_agency\n")


@pytest.fixture
def study(tmp_path, monkeypatch):
    folder = make_study(tmp_path / "study", code_map=CODE_MAP)
    monkeypatch.setattr(paths, "study_dir", lambda study="demo": folder)
    return folder


@pytest.fixture
def built(study, tmp_path):
    out = build.build_interviews("private", out=tmp_path / "interviews")
    return {name: read_table(out / f"{name}.csv")
            for name in ("segments", "codes", "import_report")} | {"out": out}


def test_several_projects_are_united_duplicates_kept_once(built):
    seg = built["segments"]
    # hand-worked: ann 3 (A1 money, A1 ward, A2 hired; the A1 money of ann_2 is a
    # duplicate, "Owen" cannot be placed) + bo 2 (A1 money, A1 "Dr Owen said so")
    got = list(zip(seg["segment_id"], seg["coder"], seg["code_id"], seg["text"]))
    assert got == [
        ("A1-0001", "ann", "geld", "The money went to [Place A]"),
        ("A1-0002", "bo", "geld", "The money went to [Place A]"),
        ("A1-0003", "ann", "staffing", "the ward lost its nurse"),
        ("A1-0004", "bo", "arger", "Dr [Person A] said so"),
        ("A2-0001", "ann", "staffing", "We hired two nurses"),
    ]
    report = built["import_report"]
    united = report[report["what"] == "coding projects united"]["detail"].tolist()
    assert united == ["3 projects, 5 segment(s); 1 segment(s) also in an earlier project "
                      "(same transcript, code, coder and span) kept once; codes of the same "
                      "name are one code"]
    per_project = report[report["what"] == "coding project"]
    assert per_project[["item", "detail"]].values.tolist() == [
        ["ann_1.qdpx", "2 segment(s) on 1 transcript(s)"],
        ["ann_2.qdpx", "2 segment(s) on 2 transcript(s)"],
        ["bo.qdpx", "2 segment(s) on 1 transcript(s)"]]


def test_a_selection_wholly_inside_a_name_is_counted_and_reported(built):
    report = built["import_report"]
    # ann_1 on A1: "The money went to Cardiff" ends after the replaced name (moved end),
    # "the ward lost its nurse" comes after it (shifted); "Owen" IS the name.
    carried = report[(report["what"] == "coded on the original transcript")
                     & (report["item"] == "A1")]["detail"].tolist()
    assert carried[0] == ("3 selection(s) carried onto the pseudonymised text: 2 moved, "
                          "0 unchanged, 0 widened to a whole replacement, 1 could not be "
                          "placed")
    lost = report[report["what"] == "selection could not be placed"]
    assert lost["level"].tolist() == ["warning"]
    # "Owen" starts at character 112 of the original A1 text, counted by hand: the
    # interviewer line is 42 characters with its newline, "Respondent: " 12, and
    # "The money went to Cardiff and the ward lost its nurse. Dr " 58
    assert "characters 112-116 of the original A1" in lost["detail"].iloc[0]
    assert "Owen" not in " ".join(report["detail"])  # the report names no identifier
    assert not built["segments"]["text"].str.contains("Owen").any()


def test_codebook_yml_and_qdc_add_nested_and_unicode_codes(built):
    codes = built["codes"].set_index("code_id")
    # projects: Geld, staffing, Ärger; codebook.yml (read after times.qdc): Gefühle,
    # Freude under it, 資金 under Geld (Ärger is the project's code, its definition
    # added); times.qdc: Zeit, Früher under it
    assert list(codes.index) == ["geld", "staffing", "arger", "zeit", "fruher",
                                 "gefuhle", "freude", "code"]
    assert codes.loc["code", "label"] == "資金" and codes.loc["code", "parent_id"] == "geld"
    assert codes.loc["fruher", "parent_id"] == "zeit"
    assert codes.loc["freude", "parent_id"] == "gefuhle"
    assert codes.loc["freude", "definition"] == ""            # no definition given
    assert codes.loc["arger", "definition"] == "Anger or frustration."
    assert codes.loc["geld", "definition"] == GELD
    assert set(codes["facet"]) == {"theme"}
    assert codes.loc["staffing", "sst_code"] == "th_workforce|sst_agency"
    assert codes.loc["arger", "sst_code"] == ""


def test_code_map_translates_coding_into_sst_views(built):
    seg, codes = built["segments"], built["codes"]
    pairs = codebook.sst_map(codes)
    # every coder: 5 segments, bo's Ärger the only unmapped one
    summary = codebook.unmapped_coding(seg, pairs)
    assert summary.iloc[0].tolist() == [5, 4, 1, 0.2]
    assert codebook.describe_unmapped(summary, "all coders").startswith(
        "Unmapped coding (all coders): 1 of 5 coded segments (20%) use codes with no SST")
    ann = codebook.to_sst(seg[seg["coder"] == "ann"], pairs)
    # geld -> th_funding; each staffing segment -> th_workforce and sst_agency
    assert list(zip(ann["segment_id"], ann["code_id"])) == [
        ("A1-0001", "th_funding"), ("A1-0003", "th_workforce"), ("A1-0003", "sst_agency"),
        ("A2-0001", "th_workforce"), ("A2-0001", "sst_agency")]
    participants = pd.DataFrame({"participant_id": ["A1", "A2"], "tier": ["meso", "micro"]})
    sources = pd.DataFrame({"source_id": ["A1", "A2"], "participant_id": ["A1", "A2"]})
    sst = matrices.sst_matrix(ann, participants, sources, codebook.load_codebook().codes,
                              by="tier", rows="component")
    got = sst[sst["n"] > 0][["component", "tier", "n"]].values.tolist()
    assert got == [["agency", "meso", 1], ["agency", "micro", 1]]
    # the study's own codes show no SST component: only the translation reaches them
    assert matrices.sst_matrix(seg, participants, sources, codes)["n"].sum() == 0


def test_import_report_states_the_unmapped_share(built):
    report = built["import_report"]
    row = report[report["what"] == "unmapped coding"]["detail"].tolist()
    assert row == ["1 of 5 coded segment(s) (20%) use codes with no SST mapping"]


def test_one_code_defined_twice_differently_is_one_error_naming_both_files(study, tmp_path):
    write_project(study / "coding" / "bo.qdpx", "bo", {"Geld": "Money matters only."},
                  {"A1": (A1, [_sel(A1, "The money went to Cardiff", "Geld")])})
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "interviews")
    assert exc.value.path.endswith("bo.qdpx")
    assert "'Geld' is defined differently here and in ann_1.qdpx" in exc.value.reason
    assert not (tmp_path / "interviews").exists()


def test_codebook_yml_definition_conflicting_with_a_project_names_both(study, tmp_path):
    (study / "codebook.yml").write_text("codes:\n  - name: Geld\n    description: Other.\n",
                                        encoding="utf-8")
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "interviews")
    assert exc.value.path.endswith("codebook.yml") and exc.value.line == 2
    assert "in" in exc.value.reason and "ann_1.qdpx" in exc.value.reason


@pytest.mark.parametrize("text, line, reason", [
    ("codes:\n  - name: A\n    colour: red\n", 3, "unknown key 'colour'"),
    ("codes:\n  - just a name\n", 2, "each code must be a mapping"),
    ("codes:\n  - name: A\n  - description: nameless\n", 3, "no id or name"),
    ("codes:\n  - name: A\n    parent: Nowhere\n", 2, "parent 'Nowhere' is not a code"),
    ("codes:\n  - name: A\n    codes:\n      - name: B\n        parent: Geld\n", 4,
     "nested under 'A' and names parent 'Geld'"),
    ("codes:\n  - name: [A\n", 3, "not valid YAML"),
    ("codes: Geld\n", 1, "expected a list of codes under 'codes:'"),
    ("codes:\n  - name: A\n    description: [x]\n", 3, "description must be text"),
])
def test_bad_codebook_yml_is_one_error_with_its_line(study, tmp_path, text, line, reason):
    (study / "codebook.yml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "interviews")
    assert exc.value.path.endswith("codebook.yml")
    assert (exc.value.line, reason in exc.value.reason) == (line, True), exc.value.reason


@pytest.mark.parametrize("text, line, reason", [
    ('<Project xmlns="urn:QDA-XML:project:1.0"/>', 1, "root element is <Project>"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code name="A">\n'
     '<Code isCodable="true"/>\n</Code></Codes></CodeBook>', 3, "a <Code> has no name"),
    ('<CodeBook><Codes>\n<Code name="A">\n</Codes></CodeBook>', 3, "not well-formed XML"),
])
def test_bad_qdc_is_one_error_with_its_line(study, tmp_path, text, line, reason):
    (study / "coding" / "times.qdc").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "interviews")
    assert exc.value.path.endswith("times.qdc")
    assert (exc.value.line, reason in exc.value.reason) == (line, True), exc.value.reason


def test_bad_codebook_on_the_command_line_is_one_line_and_exit_2(study, tmp_path,
                                                                  monkeypatch, capsys):
    monkeypatch.setattr(paths, "PROCESSED_INTERVIEWS", tmp_path / "interviews")
    (study / "codebook.yml").write_text("codes:\n  - name: A\n    colour: red\n",
                                        encoding="utf-8")
    assert cli(["build", "interviews", "--study", "private"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert err[0].endswith("codebook.yml:3: unknown key 'colour': expected id, name, label, "
                           "parent, description, codes")
    assert not (tmp_path / "interviews").exists()


def test_dictionary_suggestions_for_transcripts_without_participant_turns():
    # A monologue transcript with no speaker labels (as the qc fixture's texts) has no
    # participant turns: the dictionary proposes nothing instead of failing.
    from analysis.coding import SEGMENT_COLUMNS, dictionary_code
    from analysis.schema import TURN_COLUMNS

    turns = pd.DataFrame({c: pd.Series([], dtype=object) for c in TURN_COLUMNS})
    got = dictionary_code({"A1": "The budget was mandated and funding was cut."},
                          codebook.load_codebook(), unit="turn", turns=turns)
    assert got.empty and list(got.columns)[:len(SEGMENT_COLUMNS)] == SEGMENT_COLUMNS


def test_policy_and_practice_by_era_with_no_dated_practice_is_empty_not_an_error():
    # Interview passages that name no year, range or era (as the qc fixture's) leave the
    # practice side with no era: the comparison by era is empty, with its columns.
    from analysis import alignment

    pra = pd.DataFrame({"source_id": ["A1"], "code_id": ["th_funding"], "start": [0],
                        "end": [10]})
    pol = pd.DataFrame({"source_id": ["D1"], "code_id": ["th_funding"], "start": [0],
                        "end": [9]})
    docs = pd.DataFrame({"source_id": ["D1"], "era": ["npfit"]})
    out = alignment.by_era(pol, pra, docs, {"A1": "Money was short."}, by=None,
                           codes=["th_funding"])
    assert out.empty and {"era_id", "code_id", "difference"} <= set(out.columns)
