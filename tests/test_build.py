import filecmp

import pytest

from analysis import build, paths, refi_export, refi_import
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
    project = refi_import.read_project(paths.DEMO_STUDY / "demo_coding.qdpx")
    study = load_interviews()
    texts = dict(study.texts)
    texts["P02"] = texts["P02"].replace("the", "teh", 1)
    with pytest.raises(DataError) as exc:
        build._attach_coding(project, texts, paths.DEMO_STUDY / "demo_coding.qdpx")
    assert exc.value.line == "source 'P02'" and "differs" in exc.value.reason


def test_two_coding_projects_are_ambiguous(tmp_path):
    for name in ("a.qdpx", "b.qdpx"):
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(DataError, match="more than one"):
        build.coding_file(tmp_path)


def test_demo_study_round_trips_through_refi_qda(tmp_path):
    # Issue 4, done-when: export the processed demo study, import the export, and get
    # the same segments (same code, same coder, same offsets, same text).
    study = load_interviews()
    target = tmp_path / "demo.qdpx"
    refi_export.export_project(target, codes=study.codes, sources=study.sources,
                               texts=study.texts, segments=study.segments,
                               participants=study.participants)
    back = refi_import.read_project(target)
    key = ["source_id", "code_id", "coder", "start", "end", "text"]
    ours = study.segments[key].astype(str).sort_values(key).reset_index(drop=True)
    theirs = back.segments[key].astype(str).sort_values(key).reset_index(drop=True)
    assert len(ours) == 1778  # 903 + 875 segments of the two demo coders (demo README)
    assert ours.equals(theirs)
    assert back.texts == study.texts
