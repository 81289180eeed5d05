import shutil

import pytest

from analysis import paths
from analysis.errors import DataError
from analysis.processed import load_documents, load_interviews


def test_interviews_load_with_integer_offsets_and_matching_texts():
    study = load_interviews()
    seg = study.segments
    assert str(seg["start"].dtype) == "int64" and str(seg["end"].dtype) == "int64"
    # The segment contract: text == texts[source_id][start:end], for every segment.
    assert all(study.texts[s][a:b] == t for s, a, b, t in
               zip(seg["source_id"], seg["start"], seg["end"], seg["text"]))
    assert set(study.sources["source_id"]) == set(study.texts)


def test_documents_load_with_numeric_coverage():
    corpus = load_documents()
    assert corpus.coverage["share"].between(0, 1).all()
    assert set(corpus.sources["source_id"]) == set(corpus.texts)


def test_missing_text_is_a_data_error(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(paths.PROCESSED_INTERVIEWS, folder)
    (folder / "texts" / "P01.txt").unlink()
    with pytest.raises(DataError) as exc:
        load_interviews(folder)
    assert exc.value.path.endswith("texts/P01.txt") and "not found" in exc.value.reason


def test_non_integer_offset_is_a_data_error(tmp_path):
    folder = tmp_path / "interviews"
    shutil.copytree(paths.PROCESSED_INTERVIEWS, folder)
    seg = folder / "segments.csv"
    lines = seg.read_text().splitlines(keepends=True)
    head, first = lines[0], lines[1].split(",")
    first[3] = "twelve"  # the start column (4th in SEGMENT_COLUMNS)
    seg.write_text(head + ",".join(first) + "".join(lines[2:]))
    with pytest.raises(DataError, match="non-integer"):
        load_interviews(folder)


def test_read_texts_refuses_non_utf8(tmp_path):
    from analysis.processed import read_texts

    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "D1.txt").write_bytes(b"caf\xe9")  # Latin-1 é: not UTF-8
    with pytest.raises(DataError, match="not UTF-8"):
        read_texts(tmp_path, ["D1"])
