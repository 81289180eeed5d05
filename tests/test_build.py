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
