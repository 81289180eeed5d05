"""The three-round study of tests/_audit_study.py end to end: ``make all STUDY=private``
(which ends with the leak check), then ``make report STUDY=private`` with its "Audit
trail" page loaded in headless Chromium, and the thesis's ``audit.md`` and memo appendix.

ONE full build (the ``build_private_study`` fixture); the expected numbers are those
worked out by hand in tests/test_audit.py (which checks the package functions on the
same coding plans).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import _audit_study as S
import _browser
from _private_build import VENV
from _private_build import run as run_in
from analysis.privacy import leak_check, load_key

pytestmark = pytest.mark.slow


def make_study(folder: Path):
    texts = S.write_study(folder)
    (folder / "study.yml").write_text(
        "coders: [ann, bob]\nparameters:\n  all: {n_boot: 50}\n"
        "  07_coded_evidence: {codes: [staffing]}\n")
    return texts


@pytest.fixture(scope="module")
def built(build_private_study):
    made = build_private_study("audit-rounds", make_study)
    assert made.run.returncode == 0, made.run.stdout[-3000:] + made.run.stderr[-3000:]
    return made


def _outputs(nb: Path) -> list[str]:
    """Each cell's text and plain or Markdown outputs, in order (errors fail the test)."""
    out = []
    for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", (nb.name, o.get("ename"))
            data = o.get("data", {})
            out.append("".join(o.get("text", "")) + "".join(data.get("text/markdown", ""))
                       + "".join(data.get("text/plain", "")))
    return out


def test_the_study_builds_with_git_clean_and_nothing_identifying(built):
    assert built.git("status", "--porcelain") == ""
    # make all ended with the leak check (its return code is 0); and, plainly, the name
    # in the memo on P02 reached no file
    for path in built.out.rglob("*"):
        if path.is_file():
            assert b"Harriet" not in path.read_bytes(), path


def test_notebook_06_shows_agreement_over_the_rounds(built):
    text = "\n".join(_outputs(built.out / "notebooks" / "06_coding_reliability.ipynb"))
    assert "round-2: one coder (ann), nothing to compare" in text
    # segment-unit kappa of rounds 1 and 3, worked by hand: 1220/1460 and 1520/1696
    rows = [line.split() for line in text.split("\n") if " segment " in f" {line} "
            and line.split()[1:2] in (["round-1"], ["round-3"])]
    # columns: index, round, coders (two words), unit, n_units, percent agreement, kappa
    assert {(r[1], r[7]) for r in rows} == {("round-1", f"{1220 / 1460:.3f}"),
                                            ("round-3", f"{1520 / 1696:.3f}")}
    assert ("kappa per code at the character unit, for the 4 code(s) present in all 3 "
            "rounds") in text
    assert (built.out / "figures" / "06_kappa_by_round.png").is_file()


def test_notebook_07_shows_the_codes_memos_above_its_passages(built):
    outputs = _outputs(built.out / "notebooks" / "07_coded_evidence.ipynb")
    memo = next(i for i, o in enumerate(outputs)
                if "Split staffing from workforce planning?" in o)
    passage = next(i for i, o in enumerate(outputs) if S.PHRASES["p2"] in o)
    assert memo < passage
    assert "> — memo on the code · ann · 2025-03-14" in outputs[memo]


def test_make_report_has_an_audit_page_that_works_in_chromium(built):
    done = built.make("report", "STUDY=private")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    site = built.out / "report"
    page = (site / "audit.html").read_text(encoding="utf-8")
    for title in ("Inputs", "Coding rounds", "Codebook changes", "Agreement by round",
                  "Sources and codings excluded", "Memos per code"):
        assert f"<h2>{title}</h2>" in page
    assert "python -m analysis audit changes --study private" in page
    assert "round-1 → round-2: 1 added, 1 removed, 1 renamed, 1 moved, 1 definition " \
           "edited, 2 merged, 2 split." in page
    _browser.require_chromium()
    with _browser.chromium() as driver, _browser.serve_directory(site) as base:
        result = _browser.crawl(driver, base + "index.html", base)
        driver.get(base + "audit.html")
        _browser.screenshot(driver, _browser.SCREENSHOTS / "report_private_audit.png")
        sections = driver.execute_script(
            "return [...document.querySelectorAll('section h2')].map(h => h.innerText)")
    assert result["problems"] == []
    assert base + "audit.html" in result["pages"]
    assert len(sections) == 6


def test_thesis_writes_the_audit_trail_and_the_memo_appendix(built, tmp_path):
    done = run_in(built.repo, str(VENV / "bin" / "python"), "-m", "analysis", "thesis",
                  "--study", "private", "--n-boot", "20")
    assert done.returncode == 0, done.stderr[-2000:]
    thesis = built.out / "thesis"
    audit_md = (thesis / "audit.md").read_text(encoding="utf-8")
    assert "Reproduce: `python -m analysis audit agreement --study private`" in audit_md
    assert "round-3: 22 coding(s) of 8 code(s) by ann, bob on 2 transcript(s)." in audit_md
    memos = (thesis / "memo_appendix.md").read_text(encoding="utf-8")
    assert "Interview in [Person A]'s office; noisy room." in memos
    headings = [line[3:] for line in memos.split("\n") if line.startswith("## ")]
    # the analysis codebook's order: Finance, Cuts, Staffing ... (round 3); the note on
    # the passage p1 is about Finance and Cuts, which both code it
    assert headings == ["Finance (finance)", "Cuts (cuts)", "Staffing (staffing)",
                        "Memos about no code: the project, transcripts, cases, passages"]
    key = tmp_path / "key.csv"
    key.write_text("original,replacement\nHarriet Quill,[Person A]\n")
    assert leak_check([thesis / "audit.md", thesis / "memo_appendix.md",
                       thesis / "memo_appendix.tex"], keys=load_key(key)).empty
    # the audit command prints the same table again
    again = run_in(built.repo, str(VENV / "bin" / "python"), "-m", "analysis", "audit",
                   "changes", "--study", "private")
    assert again.returncode == 0 and len(again.stdout.strip().split("\n")) == 11


def test_make_notices_a_changed_project_in_a_round_folder(built):
    import os

    stamp = "build/private/stamps/interviews-private"
    assert built.make("-q", stamp, "STUDY=private").returncode == 0  # up to date
    project = built.repo / "data/raw/private/coding/round-2/ann.qdpx"
    before = project.stat()
    try:
        os.utime(project, (before.st_atime + 3600, before.st_mtime + 3600))
        # make -q: exit 1 when the target would be rebuilt
        assert built.make("-q", stamp, "STUDY=private").returncode == 1
    finally:
        os.utime(project, (before.st_atime, before.st_mtime))
    assert built.make("-q", stamp, "STUDY=private").returncode == 0
