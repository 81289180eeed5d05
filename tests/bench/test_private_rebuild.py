"""Tests for bench/private_rebuild.py: the researcher's loop of ``make bench``.

The timing itself is a benchmark, never a test; these check what the scenario does to
the study (the re-export), how it reads make's log, and its sizes. Expected values are
worked by hand from the tables written in each test.
"""

import doctest
import sqlite3


from analysis.synthetic.qualcoder import write_qualcoder_db


def test_doctests(private_rebuild):
    assert doctest.testmod(private_rebuild).failed == 0


def test_a_re_export_recodes_five_percent_on_the_same_words(private_rebuild, tmp_path):
    # 40 codings of 3 codes: 5% is 2 codings, each moved to a code it did not have
    project = tmp_path / "study.qda"
    rows = [{"ctid": i, "cid": 1 + i % 3, "fid": 1, "pos0": 10 * i, "pos1": 10 * i + 5,
             "seltext": f"w{i}", "owner": "janesmith"} for i in range(1, 41)]
    write_qualcoder_db(project, {"code_name": [{"cid": c, "name": f"c{c}"} for c in (1, 2, 3)],
                                 "code_text": rows})
    before = sqlite3.connect(project / "data.qda").execute(
        "SELECT ctid, cid, pos0, pos1, seltext FROM code_text ORDER BY ctid").fetchall()
    assert private_rebuild.re_export(project) == 2
    after = sqlite3.connect(project / "data.qda").execute(
        "SELECT ctid, cid, pos0, pos1, seltext FROM code_text ORDER BY ctid").fetchall()
    changed = [(b, a) for b, a in zip(before, after) if b != a]
    assert len(changed) == 2
    for b, a in changed:
        assert a[1] != b[1] and a[1] in (1, 2, 3)  # another code of the codebook
        assert a[0] == b[0] and a[2:] == b[2:]      # the same coding, on the same words


def test_the_notebooks_a_make_run_executed(private_rebuild):
    # the runner's one line per notebook (analysis.pipeline.notebooks), among make's lines
    log = ("make: Nothing to be done\n"
           "executed build/private/notebooks/04_interview_theme_matrix.ipynb in 6.1 s\n"
           "privacy check ok: 77 files checked\n"
           "executed build/private/notebooks/02_reorganisation_overlay.ipynb in 3.0 s\n")
    assert private_rebuild.executed(log) == ["02_reorganisation_overlay.ipynb",
                                             "04_interview_theme_matrix.ipynb"]
