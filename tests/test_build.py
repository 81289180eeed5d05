import filecmp

import pytest

from analysis import paths, refi
from analysis.pipeline import build
from analysis.errors import DataError
from analysis.processed import load_interviews


def _same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    assert not mismatch and not errors, mismatch
    for sub in cmp.common_dirs:
        _same_tree(a / sub, b / sub)


def test_interviews_rebuild_to_the_committed_bytes(tmp_path):
    # The committed data/processed/interviews/ is what `make all` writes: rebuilding it
    # elsewhere must give the same files, byte for byte.
    out = build.build_interviews("demo", out=tmp_path / "interviews")
    _same_tree(out, paths.PROCESSED_INTERVIEWS)


def test_documents_rebuild_to_the_committed_bytes(tmp_path):
    out = build.build_documents(out=tmp_path / "documents")
    _same_tree(out, paths.PROCESSED_DOCUMENTS)


def test_a_failed_build_leaves_the_previous_output_whole(tmp_path, monkeypatch):
    out = build.build_interviews("demo", out=tmp_path / "interviews")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def broken(*args, **kwargs):
        raise DataError("data/raw/interviews/demo/P03.txt", 7, "planted failure")

    monkeypatch.setattr("analysis.transcripts.parse_transcript", broken)
    with pytest.raises(DataError, match="planted failure"):
        build.build_interviews("demo", out=out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not (tmp_path / ".interviews.tmp").exists() or not any(
        (tmp_path / ".interviews.tmp").iterdir())


def test_coding_on_other_texts_is_refused(tmp_path):
    # A project whose source text differs from the processed transcript would put
    # offsets on other words: build must refuse it, naming the source.
    project = refi.read_project(paths.DEMO_STUDY / "demo_coding.qdpx")
    study = load_interviews()
    texts = dict(study.texts)
    texts["P02"] = texts["P02"].replace("the", "teh", 1)
    with pytest.raises(DataError) as exc:
        build._attach_coding(project, texts, paths.DEMO_STUDY / "demo_coding.qdpx")
    assert exc.value.line == "source 'P02'" and "differs" in exc.value.reason


def test_demo_study_round_trips_through_refi_qda(tmp_path):
    # Issue 4, done-when: export the processed demo study, import the export, and get
    # the same segments (same code, same coder, same offsets, same text).
    study = load_interviews()
    target = tmp_path / "demo.qdpx"
    refi.export_project(target, codes=study.codes, sources=study.sources,
                               texts=study.texts, segments=study.segments,
                               participants=study.participants)
    back = refi.read_project(target)
    key = ["source_id", "code_id", "coder", "start", "end", "text"]
    ours = study.segments[key].astype(str).sort_values(key).reset_index(drop=True)
    theirs = back.segments[key].astype(str).sort_values(key).reset_index(drop=True)
    assert len(ours) == 1778  # 903 + 875 segments of the two demo coders (demo README)
    assert ours.equals(theirs)
    assert back.texts == study.texts


def _one_person_study(folder, transcript, study_yml=None):
    """A private study of one participant (the demo's P03 register row)."""
    folder.mkdir()
    rows = (paths.DEMO_STUDY / "participants.csv").read_text().splitlines()
    header, p03 = rows[0], next(r for r in rows if r.startswith("P03,"))
    (folder / "participants.csv").write_text(f"{header}\n{p03}\n")
    (folder / "identifier_key.csv").write_text("original,replacement,kind\n"
                                                "Harriet Quill,[Person 1],person\n")
    (folder / "P03.txt").write_text(transcript)
    if study_yml is not None:
        (folder / "study.yml").write_text(study_yml)


def test_a_first_name_as_speaker_label_stops_the_build(tmp_path, monkeypatch):
    # "Suzanne" is neither a role nor in the key: the build stops at line 2 (her first
    # turn), and nothing is written.
    study = tmp_path / "private"
    _one_person_study(study, "Interviewer: Where were you in 2006?\nSuzanne: At the SHA.\n"
                             "Interviewer: And then?\nSuzanne: The CSU.\n")
    monkeypatch.setattr(paths, "PRIVATE", study)
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "out")
    assert exc.value.line == 2 and str(exc.value.path).endswith("P03.txt")
    assert "roles:" in exc.value.reason and "Suzanne" not in exc.value.reason
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("study_yml, key_line", [
    ("title: T\nroles: [Chief Officer]\n", ""),          # declared as a role
    (None, "Chief Officer,[Role A],other\n"),              # in the key: pseudonymised
])
def test_a_declared_role_or_key_entry_lets_the_build_pass(tmp_path, monkeypatch,
                                                           study_yml, key_line):
    study = tmp_path / "private"
    _one_person_study(study, "Interviewer: Where were you?\nChief Officer: At the SHA.\n"
                             "Interviewer: Then?\nChief Officer: The CSU.\n", study_yml)
    with open(study / "identifier_key.csv", "a") as f:
        f.write(key_line)
    monkeypatch.setattr(paths, "PRIVATE", study)
    out = build.build_interviews("private", out=tmp_path / "out")
    turns = (out / "turns.csv").read_text()
    assert ("Chief Officer" in turns) == (study_yml is not None)


# ---------------------------------------------------------------- a researcher's project
# Small SYNTHETIC fieldwork studies (analysis.synthetic.fieldwork): Jane Smith interviewed
# and coded as ``janesmith``; P02 withdrew and left a stub source ``P02_removed``. Built
# through the interview stage only (the full build runs once, tests/test_private_fieldwork.py).

SMALL = dict(n_interviews=4, words_per_interview=400, n_codes=12, n_categories=4,
             n_codings=20, colours=False, seed=3)


def _fieldwork(tmp_path, monkeypatch, **kwargs):
    from analysis.synthetic.fieldwork import write_study_folder

    study = write_study_folder(tmp_path / "private", **{**SMALL, **kwargs})
    monkeypatch.setattr(paths, "PRIVATE", study.folder)
    return study


def _build(tmp_path, name="out"):
    import pandas as pd

    out = build.build_interviews("private", out=tmp_path / name)
    read = lambda t: pd.read_csv(out / t, dtype=str, keep_default_na=False)  # noqa: E731
    return out, read("segments.csv"), read("import_report.csv")


def test_a_coder_in_the_key_shows_as_its_replacement(tmp_path, monkeypatch):
    _fieldwork(tmp_path, monkeypatch)
    _, segments, report = _build(tmp_path)
    # janesmith is "Jane Smith" run together: the key's "[Researcher]"
    assert set(segments["coder"]) == {"[Researcher]"}
    stub = report[report["item"] == "source P02_removed"]
    assert stub.values.tolist() == [["info", "source P02_removed",
                                     "not in the register, no codings: skipped", ""]]


def test_a_display_name_that_is_a_key_entry_stops_the_build(tmp_path, monkeypatch):
    _fieldwork(tmp_path, monkeypatch, coder_names={"janesmith": "Jane"})
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "out")
    # study.yml: title, coders, default_coder, "coder_names:", then the entry on line 5
    assert exc.value.path.endswith("study.yml") and exc.value.line == 5
    assert "display name is itself an entry of the identifier key" in exc.value.reason
    assert not (tmp_path / "out").exists()


def test_a_withdrawn_stub_with_codings_stops_naming_it_and_its_count(tmp_path, monkeypatch):
    _fieldwork(tmp_path, monkeypatch, stub_codings=2)
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "out")
    assert exc.value.line == "source 'P02_removed'"
    assert "has 2 coding(s)" in exc.value.reason and "exclude_sources" in exc.value.reason
    assert not (tmp_path / "out").exists()


def test_exclude_sources_drops_a_stubs_codings_and_counts_them(tmp_path, monkeypatch):
    # the stub's own name holds the researcher's: listed as written, reported pseudonymised
    name = "P02_Jane_Smith_withdrawn"
    _fieldwork(tmp_path, monkeypatch, withdrawn=(name,), stub_codings=2,
               exclude_sources=(name,))
    _, segments, report = _build(tmp_path)
    assert len(segments) == SMALL["n_codings"]
    assert not segments["text"].str.contains("withdrew").any()
    assert report[report["item"].str.contains("withdrawn")].values.tolist() == [
        ["info", "source P02_[Researcher]_withdrawn", "excluded by study.yml exclude_sources",
         "2 coding(s) dropped"]]


def test_a_case_contradicting_participants_csv_stops_naming_both(tmp_path, monkeypatch):
    study = _fieldwork(tmp_path, monkeypatch)
    register = study.folder / "participants.csv"
    lines = register.read_text().splitlines()
    # P01 (line 2) is the first person of analysis/synthetic/cast.py, Harriet Quill, macro;
    # her case (case 1, "Macro" with a capital) is named after her fictional name.
    lines = [lines[0] + ",tier"] + [lines[1] + ",micro"] + [x + "," for x in lines[2:]]
    register.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as exc:
        build.build_interviews("private", out=tmp_path / "out")
    assert exc.value.path.endswith("participants.csv") and exc.value.line == 2
    assert exc.value.reason == ("tier is 'micro' here but 'macro' in fieldwork.qda "
                                "(case '[Participant P01]', variable 'Tier')")


def test_ids_made_from_pseudonymised_names_are_the_same_on_every_rebuild(tmp_path,
                                                                         monkeypatch):
    _fieldwork(tmp_path, monkeypatch)
    one, _, _ = _build(tmp_path, "one")
    two, _, _ = _build(tmp_path, "two")
    _same_tree(one, two)
    codes = (one / "codes.csv").read_text()
    # "Smith codes" -> "[Surname R] codes" -> id surname_r_codes; "JaneSmith to check"
    # -> "[Researcher] to check" -> researcher_to_check
    assert "\nsurname_r_codes,,[Surname R] codes," in codes
    assert "researcher_to_check," in codes and "smith" not in codes.lower()
