"""Tests for bench/large_study.py: the large SYNTHETIC study of the scale benchmark.

The benchmark scripts are not a package, so the module is loaded from its file.
"""


import pandas as pd

from analysis.codebook import load_codebook
from analysis.coding import validate_segments


def test_large_study_is_small_when_asked(large_study, tmp_path):
    # generate_large_study with tiny sizes: files exist, segments are valid, lengths hold.
    written = large_study.generate_large_study(tmp_path / "a", n_interviews=3, words=300,
                                               n_documents=2, doc_words=200)
    again = large_study.generate_large_study(tmp_path / "b", n_interviews=3, words=300,
                                             n_documents=2, doc_words=200)
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in again]
    texts = {p.stem: p.read_text() for p in (tmp_path / "a" / "interviews" / "texts").iterdir()}
    assert sorted(texts) == ["L0001", "L0002", "L0003"]
    assert all(len(t.split()) >= 300 for t in texts.values())
    segments = pd.read_csv(tmp_path / "a" / "interviews" / "segments.csv", dtype=str,
                           keep_default_na=False)
    validate_segments(segments, texts, load_codebook())
    assert set(segments["coder"]) == {"coder_a", "coder_b"}
    docs = list((tmp_path / "a" / "documents" / "texts").iterdir())
    assert len(docs) == 2 and all(d.read_text().startswith("SYNTHETIC") for d in docs)
