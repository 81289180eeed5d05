"""The leak check's precision (issue 21): no finding on anything the project writes, nor on
clean files written by the tools a researcher's files come from. The README's commands in
the order a researcher types them, `make thesis` before `make all` among them, run in
tests/test_private_study.py (the user's journey).

A false alarm stops `make all` for good (as python-docx's template colours and its JPEG
thumbnail did), so every expected value here is "no finding", on files that hold what
made the check cry wolf before: colours written as six hexadecimal digits that are
postcode-shaped in a real postcode area (CB12AB: CB1 2AB, Cambridge; DE11AB: DE1 1AB,
Derby; BA12EE: BA1 2EE, Bath; from analysis/resources/postcode_areas.txt), embedded and
thumbnail images, and the tools' metadata. Each test first shows that the risky thing is
really there, so that none passes for want of it. The end-to-end study builds check
their own thesis, report and REFI export (tests/_private_build.py,
``PrivateBuild.everything_written_is_clean``).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from analysis import paths, privacy
from analysis.privacy.scanner import pattern_spans

FIXTURES = Path(__file__).parent / "fixtures" / "real_tools"
#: What the tools wrote (tests/fixtures/real_tools/PROVENANCE.md); the sources and the
#: script that made them spell the colours as postcodes on purpose and are left out.
TOOL_FILES = ["pixels.jpg", "pixels.png", "libreoffice_writer.odt", "libreoffice_writer.docx",
              "libreoffice_writer.pdf", "libreoffice_calc.ods", "libreoffice_calc.xlsx",
              "openpyxl.xlsx"]
COLOURS = ("CB12AB", "DE11AB", "BA12EE")
TEST_KEY = "original,replacement\nHarriet Quill,[Person 1]\nAnn,[Person 2]\n"


def keys(tmp_path) -> list[Path]:
    """The demo's key and a key with a short name (short entries match most easily)."""
    extra = tmp_path / "identifier_key.csv"
    extra.write_text(TEST_KEY, encoding="utf-8")
    return privacy.default_key_files() + [extra]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if not name.endswith("/")}


def test_the_colours_are_postcode_shaped():
    # the premise: without the colour rules each would be a postcode (CB, DE, BA are areas)
    for c in COLOURS:
        assert pattern_spans(f"code {c} here") == [(5, 11, "postcode")]


def test_clean_files_written_by_real_tools(tmp_path):
    files = [FIXTURES / f for f in TOOL_FILES]
    # what makes them risky is there (read with zipfile and pypdf, not the leak check)
    writer_docx = members(FIXTURES / "libreoffice_writer.docx")
    assert re.search(rb'w:(?:fill|val|color)="CB12AB"', writer_docx["word/document.xml"])
    assert any(n.startswith("word/media/") and n.endswith((".jpeg", ".jpg")) for n in writer_docx)
    writer_odt = members(FIXTURES / "libreoffice_writer.odt")
    # LibreOffice writes ODF colours in lower case, the table cells' text as typed
    assert "Thumbnails/thumbnail.png" in writer_odt
    assert b'fo:background-color="#cb12ab"' in writer_odt["content.xml"]
    assert b">#CB12AB<" in writer_odt["content.xml"]
    # ARGB: LibreOffice writes FFCB12AB, openpyxl 00CB12AB
    assert b'rgb="00CB12AB"' in members(FIXTURES / "openpyxl.xlsx")["xl/styles.xml"]
    assert b'rgb="FFCB12AB"' in members(FIXTURES / "libreoffice_calc.xlsx")["xl/styles.xml"]
    assert "xl/media/image1.png" in members(FIXTURES / "openpyxl.xlsx")
    from pypdf import PdfReader

    assert "#CB12AB" in PdfReader(FIXTURES / "libreoffice_writer.pdf").pages[0].extract_text()
    found = privacy.leak_check(files, keys=keys(tmp_path), allowlist=[])
    assert found.empty, "\n" + found.to_string()


def clean_library_files(out: Path) -> list[Path]:
    """Files written here by the libraries the project and a researcher use: python-docx
    (its default template: theme colours, a JPEG thumbnail), matplotlib's PDF, SVG and PNG,
    pandas' HTML (plain and styled), and the project's own Word writer."""
    import docx
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    from analysis.wordfile import add_table, docx_bytes, new_document

    out.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame({"code_id": ["th_a", "th_b", "th_c"], "colour": [f"#{c}" for c in COLOURS],
                          "share": [0.41, 0.35, 0.24], "year": [2002, 2006, 2013]})
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "#" + COLOURS[0]).save(picture, "PNG")
    document = docx.Document()
    run = document.add_paragraph().add_run("Table 3: codes by tier, version 2.1 (2024-03-01)")
    run.font.color.rgb = docx.shared.RGBColor.from_string(COLOURS[1])
    document.add_picture(picture)
    document.save(out / "python_docx.docx")
    word = new_document("Thesis tables")
    add_table(word, table, "Codes by colour")
    (out / "wordfile.docx").write_bytes(docx_bytes(word))
    fig, ax = plt.subplots()
    for i, c in enumerate(COLOURS):
        ax.bar(i, table["share"][i], color=f"#{c}", label=table["code_id"][i])
    ax.set_title("Share of coding by theme, 2002-2013 (n = 1,778)")
    ax.legend()
    for fmt in ("pdf", "svg", "png"):
        fig.savefig(out / f"figure.{fmt}", format=fmt)
    plt.close(fig)
    (out / "table.html").write_text(table.to_html(), encoding="utf-8")
    styled = table.style.map(lambda v: f"background-color: {v}" if str(v).startswith("#") else "")
    (out / "styled.html").write_text(styled.to_html(), encoding="utf-8")
    return sorted(out.iterdir())


def test_clean_files_written_by_the_project_libraries(tmp_path):
    files = clean_library_files(tmp_path / "made")
    assert "docProps/thumbnail.jpeg" in members(tmp_path / "made" / "python_docx.docx")
    assert f'w:val="{COLOURS[1]}"' in members(tmp_path / "made" / "python_docx.docx")[
        "word/document.xml"].decode()
    assert f"background-color: #{COLOURS[0]}" in (tmp_path / "made" / "styled.html").read_text()
    assert f"#{COLOURS[2].lower()}" in (tmp_path / "made" / "figure.svg").read_text().lower()
    found = privacy.leak_check(files, keys=keys(tmp_path), allowlist=[])
    assert found.empty, "\n" + found.to_string()


def test_what_the_project_writes_for_the_demo(tmp_path):
    """The committed outputs (processed tables, figures, notebooks) are checked by
    tests/test_privacy.py::test_repository_outputs_are_clean; here the demo's thesis kit
    (docx, tex, md), report and REFI-QDA export, written to a temporary folder."""
    from analysis.pipeline.report import build_report
    from analysis.refi.cli import load_study
    from analysis.refi.writer import export_project
    from analysis.thesis import build_thesis

    written = build_thesis(tmp_path / "thesis", paths.PROCESSED_INTERVIEWS,
                           paths.PROCESSED_DOCUMENTS, n_boot=50)
    assert {p.suffix for p in written} >= {".docx", ".tex", ".md", ".csv"}
    build_report(tmp_path / "report")
    export_project(tmp_path / "export" / "demo.qdpx", **load_study())
    found = privacy.leak_check([tmp_path / "thesis", tmp_path / "report", tmp_path / "export"],
                               keys=privacy.default_key_files())
    assert found.empty, "\n" + found.to_string()
