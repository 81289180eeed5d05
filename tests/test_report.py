"""The HTML report (analysis/pipeline/report.py): its content, and the real report in Chromium.

The first tests build a report from the hand-made fixtures in tests/fixtures/report/
and read its HTML (the fixture notebooks are stored as *.ipynb.json, out of nbval's
way). The browser tests (marker ``browser``) build the report of the
repository with ``python -m analysis report``, serve it on 127.0.0.1 and load the index
and every notebook page in headless Chromium: no broken image, link or anchor, nothing
fetched from outside; screenshots go to build/screenshots/. Without Chromium they are
skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

import _browser
from analysis.pipeline import report
from analysis.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "report"


def _tree(path: Path):
    return lxml_html.fromstring(path.read_bytes())


def _notebooks(folder: Path, target: Path) -> Path:
    """Copy the fixture notebooks, kept as *.ipynb.json so that nbval skips them."""
    target.mkdir(parents=True)
    for stored in folder.glob("*.ipynb.json"):
        shutil.copyfile(stored, target / stored.name.removesuffix(".json"))
    return target


@pytest.fixture(scope="module")
def fixture_notebooks(tmp_path_factory) -> Path:
    return _notebooks(FIXTURES / "notebooks", tmp_path_factory.mktemp("nb") / "notebooks")


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory, fixture_notebooks) -> Path:
    out = tmp_path_factory.mktemp("fixture-report") / "report"
    return report.build_report(out, fixture_notebooks, FIXTURES / "figures")


def test_index_names_the_study_and_the_question_of_each_notebook(fixture_report):
    tree = _tree(fixture_report)
    # The study title, as the README's first heading and first paragraph give it.
    assert tree.findtext(".//h1") == ("National IT strategy in the turbulent English NHS: "
                                      "a structuration study of meso-level practice")
    # One notebook in the fixture folder, linked to its rendered page.
    links = [a.get("href") for a in tree.xpath("//h2[.='Notebooks']/following-sibling::table[1]"
                                                "//a")]
    assert links == ["notebooks/01_strategy_timeline.html"]
    # The question of notebook 01 in the README's notebook table is about central
    # procurement against local choice.
    question = tree.xpath("//a[@href='notebooks/01_strategy_timeline.html']"
                          "/ancestor::tr/td[2]")[0].text_content()
    assert "central procurement" in question and "local choice" in question


def test_each_figure_shows_its_provenance(fixture_report):
    tree = _tree(fixture_report)
    figures = {f.get("id"): f for f in tree.iter("figure")}
    # The fixture folder holds two PNGs: 01_demo (with a sidecar) and 02_bare (without).
    assert sorted(figures) == ["01_demo", "02_bare"]
    demo = figures["01_demo"]
    assert demo.find(".//img").get("src") == "figures/01_demo.png"
    caption = demo.find("figcaption").text_content()
    # Values written by hand in tests/fixtures/report/figures/01_demo.json.
    assert "end_year=2026" in caption and "start_year=1992" in caption
    assert "data/raw/timeline/strategies.csv" in caption
    assert "1cb2da5620267094846ce9511f5a3e64b9198e37f9e9e7774e2e312ce90ce659" in caption
    # The notebook that made it is linked to its page in the report.
    assert demo.xpath(".//figcaption//a/@href") == ["notebooks/01_strategy_timeline.html"]
    # A figure without a sidecar says so instead of passing for documented.
    assert "no provenance sidecar" in figures["02_bare"].find("figcaption").text_content()
    # The images are copied next to the index, byte for byte.
    for name in ("01_demo.png", "02_bare.png"):
        copied = fixture_report.parent / "figures" / name
        assert copied.read_bytes() == (FIXTURES / "figures" / name).read_bytes()


def test_data_sets_table_gives_source_and_licence(fixture_report):
    tree = _tree(fixture_report)
    rows = tree.xpath("//h2[.='Data sets']/following-sibling::table[1]//tr[td]")
    cells = {row[0].text_content(): [td.text_content() for td in row] for row in rows}
    # The four raw data folders of the README's data table that the study publishes.
    assert sorted(cells) == ["data/raw/codebook/", "data/raw/documents/",
                             "data/raw/interviews/demo/", "data/raw/timeline/"]
    # Public-sector documents are under the Open Government Licence (README, Licences).
    assert cells["data/raw/documents/"][3] == "Open Government Licence v3.0"
    assert all(len(c) == 4 and c[2] and c[3] for c in cells.values())


def test_notebook_page_is_standalone_and_offline(fixture_report):
    page = fixture_report.parent / "notebooks" / "01_strategy_timeline.html"
    tree = _tree(page)
    # nbconvert's lab template would load require.js and MathJax from cdnjs.
    assert tree.xpath("//script[@src]") == []
    remote = [e.get("src") or e.get("href") for e in tree.xpath("//*[@src or self::link]")
              if (e.get("src") or e.get("href") or "").startswith(("http:", "https:", "//"))]
    assert remote == []
    text = tree.text_content()
    # The fixture notebook's markdown heading and its printed output.
    assert "01 · Fixture notebook" in text and "3 of 3 rows shown" in text
    # Its image output is embedded, not a file next to the page.
    assert [i.get("src")[:22] for i in tree.iter("img")] == ["data:image/png;base64,"]
    assert tree.xpath("//a[@href='../index.html']")


def test_report_is_deterministic(fixture_report, fixture_notebooks, tmp_path):
    again = report.build_report(tmp_path / "report", fixture_notebooks, FIXTURES / "figures")
    files = sorted(p.relative_to(again.parent) for p in again.parent.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fixture_report.parent)
                           for p in fixture_report.parent.rglob("*") if p.is_file())
    for rel in files:
        assert (again.parent / rel).read_bytes() == (fixture_report.parent / rel).read_bytes()


def test_bad_sidecar_is_one_data_error_and_leaves_the_old_report(fixture_notebooks, tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "index.html").write_text("previous report")
    with pytest.raises(DataError) as err:
        report.build_report(out, fixture_notebooks, FIXTURES / "bad_sidecar")
    # The doubled comma in the hand-made sidecar is on line 3.
    assert err.value.line == 3
    assert err.value.path.endswith("bad_sidecar/03_broken.json")
    assert (out / "index.html").read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_unreadable_notebook_is_a_data_error(tmp_path):
    notebooks = _notebooks(FIXTURES / "bad_notebook", tmp_path / "notebooks")
    with pytest.raises(DataError, match="not a readable notebook") as err:
        report.build_report(tmp_path / "report", notebooks, FIXTURES / "figures")
    assert err.value.path.endswith("notebooks/01_truncated.ipynb")
    assert not (tmp_path / "report").exists()


# ---------------------------------------------------------------- the audit trail page

@pytest.fixture(scope="module")
def audit_study(tmp_path_factory) -> Path:
    """The three-round study of tests/_audit_study.py, processed in this process."""
    import _audit_study
    from analysis import paths
    from analysis.pipeline import build

    root = tmp_path_factory.mktemp("audit-study")
    _audit_study.write_study(root / "study")
    saved = paths.PRIVATE
    paths.PRIVATE = root / "study"
    try:
        return build.build_interviews("private", out=root / "processed" / "interviews")
    finally:
        paths.PRIVATE = saved


def test_audit_page_shows_each_section_with_its_command(audit_study, fixture_notebooks,
                                                        tmp_path):
    index = report.build_report(tmp_path / "report", fixture_notebooks, FIXTURES / "figures",
                                audit_study, "private", ("ann", "bob"))
    assert _tree(index).xpath("//a[@href='audit.html']")
    tree = _tree(index.parent / "audit.html")
    titles = [h.text_content() for h in tree.xpath("//section/h2")]
    assert titles == ["Inputs", "Coding rounds", "Codebook changes", "Agreement by round",
                      "Sources and codings excluded", "Memos per code"]
    commands = [c.text_content() for c in tree.xpath("//section/p/code")]
    assert commands == [f"python -m analysis audit {k} --study private" for k in
                        ("inputs", "rounds", "changes", "agreement", "excluded", "memos")]

    def rows(key):
        table = tree.xpath(f"//section[@id='{key}']//table")[0]
        head = [th.text_content() for th in table.xpath(".//thead//th")]
        return [dict(zip(head, (td.text_content() for td in tr.xpath("td"))))
                for tr in table.xpath(".//tbody/tr")]

    # tests/test_audit.py works these out by hand: 10 changes, 9 between rounds 1 and 2
    changes = rows("changes")
    assert len(changes) == 10 and sum(r["rounds"] == "round-1 → round-2" for r in changes) == 9
    merged = [r for r in changes if r["change"] == "merged"]
    assert [(r["from"], r["to"], r["codings"]) for r in merged] == [
        ("Central control (central_control)", "Governance (governance)", "1"),
        ("Local choice (local_choice)", "Governance (governance)", "1")]
    # segment-unit kappa of rounds 1 and 3: 1220/1460 and 1520/1696 (test_audit.py)
    agreement = {(r["round"], r["unit"]): r for r in rows("agreement")}
    assert agreement[("round-1", "segment")]["kappa"] == f"{1220 / 1460:.3f}"
    assert agreement[("round-3", "segment")]["kappa"] == f"{1520 / 1696:.3f}"
    assert agreement[("round-2", "")]["coders"] == "ann"
    rounds = rows("rounds")
    assert [(r["round"], r["coders"], r["n_codings"]) for r in rounds] == [
        ("round-1", "ann|bob", "21"), ("round-2", "ann", "12"), ("round-3", "ann|bob", "22")]
    page = (index.parent / "audit.html").read_text(encoding="utf-8")
    assert "Harriet" not in page and "kappa at the segment unit, by round: round-1 0.836" in page


def test_audit_page_of_a_study_processed_before_rounds_says_so(tmp_path):
    page = report.audit_page(tmp_path / "audit.html", tmp_path / "no-such-study")
    assert "has no audit trail" in page.read_text(encoding="utf-8")


# ---------------------------------------------------------------- in a real browser

@pytest.fixture(scope="module")
def browser():
    _browser.require_chromium()
    with _browser.chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def repository_report(tmp_path_factory) -> Path:
    """The report of the repository, built by the command ``make report`` runs."""
    out = tmp_path_factory.mktemp("report") / "report"
    # the committed figures, even while make test sends the notebooks' figures elsewhere
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_FIGURES"}
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.browser
def test_report_in_chromium_has_no_broken_image_or_link(browser, repository_report):
    shots = {}
    for stale in _browser.SCREENSHOTS.glob("report_*"):
        stale.unlink()  # a notebook removed since the last run leaves no picture behind

    def screenshot(driver, url):
        rel = url.split("/", 3)[3]
        name = "index" if rel == "index.html" else Path(rel).stem
        shots[rel] = _browser.screenshot(driver, _browser.SCREENSHOTS / f"report_{name}.png")

    with _browser.serve_directory(repository_report) as base:
        result = _browser.crawl(browser, base + "index.html", base, on_page=screenshot)
        pages = [p[len(base):] for p in result["pages"]]
    _browser.write_json(_browser.SCREENSHOTS / "report_links.json", {
        "pages": pages, "problems": result["problems"], "external_links": result["external"]})

    assert result["problems"] == []
    # Every figure of the repository has its provenance sidecar.
    assert "no provenance sidecar" not in (repository_report / "index.html").read_text()
    # The index, the audit trail and one page per notebook in notebooks/ (found here by
    # globbing).
    expected = {f"notebooks/{nb.stem}.html" for nb in (ROOT / "notebooks").glob("*.ipynb")}
    assert pages[0] == "index.html" and set(pages[1:]) == expected | {"audit.html"}
    index_refs = result["references"][base + "index.html"]
    # Every figure in figures/ is shown on the index page and decoded by the browser.
    images = {Path(r["attr"]).name for r in index_refs if r["kind"] == "img" and r["ok"]}
    assert images == {p.name for p in (ROOT / "figures").glob("*.png")}
    for rel, shot in shots.items():
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", rel


@pytest.mark.browser
def test_crawler_finds_broken_images_links_and_anchors(browser, tmp_path):
    # A site with one of each fault, to show that the check above can fail.
    (tmp_path / "ok.html").write_text('<p id="here">ok</p>')
    (tmp_path / "index.html").write_text(
        '<link rel="icon" href="data:,"><a href="ok.html#here">good</a>'
        '<a href="ok.html#gone">missing anchor</a><a href="missing.html">missing page</a>'
        '<img src="missing.png" alt="x"><a href="https://example.org/">external</a>')
    with _browser.serve_directory(tmp_path) as base:
        result = _browser.crawl(browser, base + "index.html", base)
    problems = "\n".join(result["problems"])
    assert "image not loaded: missing.png" in problems
    assert "broken a (404): missing.html" in problems
    assert "broken img (404): missing.png" in problems
    assert "no element for link #gone" in problems
    assert "#here" not in problems
    assert result["external"] == ["https://example.org/"]
    # The 404 of the image also reaches the console.
    assert "console error" in problems
    # Only pages that exist are crawled.
    assert result["pages"] == [base + "index.html", base + "ok.html"]
