"""Tests for analysis.documents: manifest, ingestion of each format, fetching, coverage.

Expected texts were worked out by hand from the fixtures in tests/fixtures/documents/
(or from the bytes built in the test), applying the rules stated in the module
docstring; each assertion says which rule it checks.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import shutil
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis import documents as D
from analysis import paths
from analysis.errors import DataError
from analysis.io import sha256_file

FIX = Path(__file__).parent / "fixtures" / "documents"


# --------------------------------------------------------------------------- helpers

def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF, one text line per string, in the standard Helvetica font.

    Written by hand (objects, content streams and a byte-exact xref table) so the test
    does not depend on a PDF writer.
    """
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None,
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        escaped = [ln.replace("(", "\\(").replace(")", "\\)") for ln in lines]
        body = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(
            f"({ln}) Tj T*" for ln in escaped) + " ET"
        objects.append(f"<< /Length {len(body)} >>\nstream\n{body}\nendstream")
        content = len(objects)
        objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{obj}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_heading("Shared care records", level=1)
    doc.add_paragraph("Every ICS needs one.")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "ICB"
    table.rows[0].cells[1].text = "meso tier"
    doc.add_paragraph("Page 3")
    doc.save(path)
    return path


MANIFEST_HEADER = ",".join(D.MANIFEST_COLUMNS)


def write_manifest(path: Path, rows: list[dict]) -> Path:
    df = pd.DataFrame([{c: r.get(c, "") for c in D.MANIFEST_COLUMNS} for r in rows])
    df.to_csv(path, index=False, lineterminator="\n")
    return path


def row(doc_id="doc_a", **kw) -> dict:
    base = dict(doc_id=doc_id, title="A title", publisher="NHS England", date="2022-06-29",
                date_precision="day", type="plan", strategy_id="T1-25", licence="OGL-3.0",
                canonical_url=f"https://www.gov.uk/government/publications/{doc_id}",
                local_file="", sha256="", notes="")
    base.update(kw)
    return base


# --------------------------------------------------------------------------- manifest

def test_shipped_manifest_is_valid_and_lists_core_strategies():
    m = D.load_manifest()
    assert D.validate_all() == []
    # the strategies named in the issue, by their timeline ids (data/raw/timeline/strategies.csv)
    for sid in ["T1-02", "T1-04", "T1-09", "T1-12", "T1-15", "T1-18", "T1-22", "T1-25",
                "T1-28"]:
        assert sid in set(m["strategy_id"]), sid
    shipped = m[m["local_file"] != ""]
    # 7 GPG v4 chapters + 4 NHS planning texts are shipped (data/raw/documents/README.md)
    assert len(shipped) == 11
    assert set(m["licence"]) == {"OGL-3.0"}


def test_manifest_errors_name_the_line(tmp_path):
    p = write_manifest(tmp_path / "m.csv", [
        row("ok_doc"),
        row("bad_date", date="2022-06", date_precision="day"),     # line 3
        row("ok_doc"),                                              # line 4: repeat
        row("bad_type", type="white paper"),                        # line 5
        row("bad_sid", strategy_id="T2-01"),                        # line 6
        row("bad_url", canonical_url="www.gov.uk"),                 # line 7
        row("bad_path", local_file="../etc/passwd.txt", sha256="0" * 64),  # line 8
        row("no_hash", local_file="x.md"),                          # line 9
        row("bad_day", date="2022-02-30"),                          # line 10
    ])
    with pytest.raises(DataError) as exc:
        D.load_manifest(p)
    assert exc.value.line == 3 and "day precision" in exc.value.reason
    problems = D.validate_all(p, tmp_path)
    assert [e.line for e in problems] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "repeats line 2" in problems[1].reason
    assert "not a calendar date" in problems[-1].reason


def test_manifest_header_must_match(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(MANIFEST_HEADER.replace("sha256", "hash") + "\n")
    with pytest.raises(DataError) as exc:
        D.load_manifest(p)
    assert exc.value.line == 1


def test_validate_all_checks_files_and_hashes(tmp_path):
    (tmp_path / "docs").mkdir()
    good = tmp_path / "docs" / "a.md"
    good.write_text("Text.\n")
    p = write_manifest(tmp_path / "m.csv", [
        row("a", local_file="a.md", sha256=sha256_file(good)),
        row("b", local_file="b.md", sha256="0" * 64),               # missing file
        row("c", local_file="a.md", sha256="1" * 64),               # wrong hash
    ])
    problems = D.validate_all(p, tmp_path / "docs")
    assert [(e.line, "missing" in e.reason, "does not match" in e.reason)
            for e in problems] == [(3, True, False), (4, False, True)]


# --------------------------------------------------------------------------- ingestion

# The patterns as first written, before they were made fast: the oracle for the fast ones.
_PLAIN_SPACES = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+"
_PLAIN_HYPHEN_BREAK = r"([^\W\d_]+)-[ \t]*\n[ \t]*([a-z]+)"


@pytest.mark.parametrize("text", [
    "a  b", "a b", "a\tb", " a ", "a \u00a0\u2003 b", "\t", "", "a\t\tb  c d\u3000e",
    "x \n y", "one two  three   four\u202f",
])
def test_space_runs_collapse_as_the_plain_pattern_collapses_them(text):
    import re

    from analysis.documents.convert import _SPACES

    assert _SPACES.sub(" ", text) == re.sub(_PLAIN_SPACES, " ", text)


@pytest.mark.parametrize("text", [
    "infor-\nmation", "infor- \n  mation", "2infor-\nmation", "a_infor-\nmation",
    "x infor-\nMation", "long-\nterm and long-term", "no break here", "-\nstart",
    "word-\n", "\u00e9tat-\nmajor", "re-\ninfor-\nmation",
])
def test_line_end_hyphens_match_where_the_plain_pattern_matches(text):
    import re

    from analysis.documents.convert import _HYPHEN_BREAK

    spans = [(m.span(), m.groups()) for m in _HYPHEN_BREAK.finditer(text)]
    assert spans == [(m.span(), m.groups()) for m in re.finditer(_PLAIN_HYPHEN_BREAK, text)]


def test_markdown_fixture_is_cleaned():
    text, digest = D.ingest_document(FIX / "messy.md")
    # Worked out by hand from messy.md: setext and ATX headings lose their markers and
    # the Pandoc attribute; emphasis, footnote reference and definition, link target
    # and the HTML entity go; the escaped \*not\* stays literal; list items and table
    # rows become paragraphs; the grid border and hard break go; "infor-/mation" joins
    # while "long-/term" keeps its hyphen because the text also writes "long-term";
    # "Page 6 of 9", 7 and 8 are page numbers; "Digital Strategy 2019" opens three of
    # the four pages (page breaks = runs of blank lines), so it is a running header.
    assert text == (
        "Interim Strategy\n\n"
        "1.1 Local choice\n\n"
        "The national programme was replaced by local choice under national standards. "
        "See the review & its appendix.\n\n"
        "Shared records;\n\n"
        "interoperability *not* isolation\n\n"
        "Year Body\n\n"
        "2013 CCGs\n\n"
        "Boxed text that was wrapped over two lines.\n\n"
        "the information revolution needs a long-term view and long-term funding.\n\n"
        "NHS organisations chose their own systems.\n\n"
        "Summary of actions.\n")
    assert digest == hashlib.sha256(text.encode()).hexdigest()


def test_html_fixture_keeps_main_content_only():
    text, _ = D.ingest_document(FIX / "page.html")
    # by hand: header/nav/footer/script/comment dropped; <main> blocks are paragraphs;
    # table cells of a row share one paragraph; &nbsp; becomes a plain space
    assert text == ("A plan for digital health and social care\n\n"
                    "Every ICS should have an electronic patient record by March 2025.\n\n"
                    "NHS App\n\nShared care records & standards\n\nYear Target\n\n2025 EPRs\n\n"
                    "Line one line two\n")


def test_cp1252_text_with_crlf_and_page_numbers():
    text, _ = D.ingest_document(FIX / "cp1252.txt")
    # bytes 0xE9, 0x93, 0x94 are é, “ and ” in Windows-1252; "12" and "Page 13" are
    # page numbers; the two lines of the first paragraph join
    assert text == "Caf\u00e9 culture in the \u201cpaperless\u201d NHS was never the aim.\n"


def test_real_gpg_chapter_keeps_words_and_drops_markup():
    text, _ = D.ingest_document(paths.DOCUMENTS / "gpg_v4_2011" / "ch-1-strategic-context.md")
    # From the raw file, lines 8-11: "*Equity and Excellence:\nLiberating the NHS*[^1]
    # sets out a radical agenda" (emphasis and footnote reference removed, lines joined)
    assert "Equity and Excellence: Liberating the NHS sets out a radical agenda" in text
    assert text.startswith("Chapter 1 - Strategic context")
    assert "[^" not in text and "*" not in text and "###" not in text
    assert "\n\n1.2 Background\n\n" in text


def test_docx(tmp_path):
    text, _ = D.ingest_document(make_docx(tmp_path / "a.docx"))
    # paragraphs and table cells in body order; "Page 3" is a page number
    assert text == "Shared care records\n\nEvery ICS needs one.\n\nICB\n\nmeso tier\n"


def test_pdf_with_running_header_and_hyphenation(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(make_pdf([
        ["Data saves lives 2022", "Secure data environ-", "ments for research.", "1"],
        ["Data saves lives 2022", "Shared care records.", "2"],
        ["Data saves lives 2022", "The NHS App.", "3"],
    ]))
    text, _ = D.ingest_document(pdf)
    # by hand: the header opens all 3 pages; 1, 2, 3 are page numbers; "environ-/ments"
    # joins; each page ends a sentence on a short line, so each is its own paragraph
    assert text == ("Secure data environments for research.\n\n"
                    "Shared care records.\n\nThe NHS App.\n")


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("name, data, reason", [
    ("empty.md", b"  \n", "file is empty"),
    ("nul.txt", b"abc\x00def", "binary data"),
    ("bad.md", b"caf\x81\xe9", "not valid UTF-8"),
    ("markup_only.html", b"<html><body><script>x()</script></body></html>", "no text"),
    ("blank.html", b"<!-- -->", "not readable as HTML"),
    ("not_a_zip.docx", b"PK\x03\x04 this is not a zip", "not a readable DOCX"),
    ("garbage.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "not a readable PDF"),
    ("image.png", b"\x89PNG\r\n", "unsupported document format"),
])
def test_bad_files_raise_one_data_error(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DataError) as exc:
        D.ingest_document(path)
    assert reason in exc.value.reason
    assert exc.value.path.endswith(name)


def test_docx_zip_without_document_part(tmp_path):
    path = tmp_path / "hollow.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(DataError, match="not a readable DOCX"):
        D.ingest_document(path)


def test_encrypted_pdf(tmp_path):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([["Secret."]]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(DataError, match="encrypted PDF"):
        D.ingest_document(path)


def test_truncated_and_textless_pdf(tmp_path):
    good = make_pdf([["Some text."]])
    (tmp_path / "cut.pdf").write_bytes(good[: len(good) // 3])
    with pytest.raises(DataError):
        D.ingest_document(tmp_path / "cut.pdf")
    (tmp_path / "blank.pdf").write_bytes(make_pdf([[]]))
    with pytest.raises(DataError, match="no text layer"):
        D.ingest_document(tmp_path / "blank.pdf")


# --------------------------------------------------------------------------- corpus

def corpus_fixture(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(FIX / "messy.md", docs / "messy.md")
    shutil.copy(FIX / "page.html", docs / "page.html")
    manifest = write_manifest(tmp_path / "m.csv", [
        row("messy", date="2011-03", date_precision="month", type="guidance",
            strategy_id="", local_file="messy.md", sha256=sha256_file(docs / "messy.md")),
        row("listed_only"),
        row("page", local_file="page.html", sha256=sha256_file(docs / "page.html")),
    ])
    return manifest, docs


def test_ingest_corpus_writes_texts_and_sources(tmp_path):
    manifest, docs = corpus_fixture(tmp_path)
    out = tmp_path / "out"
    (out / "texts").mkdir(parents=True)
    (out / "texts" / "stale.txt").write_text("old")
    sources = D.ingest_corpus(manifest, out, docs)
    assert list(sources.columns) == D.SOURCE_COLUMNS
    assert sources["source_id"].tolist() == ["messy", "page"]   # sorted; no listed_only
    # era by hand: 2011-03 is before 2011-09 -> npfit; 2022-06-29 is before 2022-07 -> stp_ics
    assert sources["era"].tolist() == ["npfit", "stp_ics"]
    assert sorted(p.name for p in (out / "texts").iterdir()) == ["messy.txt", "page.txt"]
    page = (out / "texts" / "page.txt").read_text(encoding="utf-8")
    assert sources.loc[1, "n_chars"] == len(page)
    # words of page.html's text, counted by hand ("&" is not a word):
    # 8 + 11 + 2 + 4 + 2 + 2 + 4 = 33
    assert sources.loc[1, "n_words"] == 33
    written = pd.read_csv(out / "sources.csv", dtype=str, keep_default_na=False)
    assert written["sha256"].tolist() == [hashlib.sha256(
        (out / "texts" / f"{s}.txt").read_bytes()).hexdigest() for s in ["messy", "page"]]


def test_ingest_corpus_writes_nothing_when_a_file_is_bad(tmp_path):
    manifest, docs = corpus_fixture(tmp_path)
    (docs / "page.html").write_bytes(b"<html></html>")
    m = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    m.loc[m["doc_id"] == "page", "sha256"] = sha256_file(docs / "page.html")
    m.to_csv(manifest, index=False, lineterminator="\n")
    with pytest.raises(DataError, match="no text"):
        D.ingest_corpus(manifest, tmp_path / "out", docs)
    assert not (tmp_path / "out").exists()


def test_cli_validate_reports_each_problem(tmp_path, capsys):
    manifest, docs = corpus_fixture(tmp_path)
    (docs / "messy.md").write_text("changed")
    assert D.main(["validate", "--manifest", str(manifest), "--documents-dir", str(docs)]) == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 1 and "m.csv:2: sha256 of messy.md" in err


# --------------------------------------------------------------------------- fetching

class _Server:
    """A local HTTP server on 127.0.0.1 that serves a dict of path -> (bytes, type);
    a type of ``"redirect"`` answers 302 with the bytes as the Location."""

    def __init__(self, files: dict[str, tuple[bytes, str]]):
        files_ = files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                if self.path not in files_:
                    self.send_error(404, "Not Found")
                    return
                body, ctype = files_[self.path]
                if ctype == "redirect":
                    self.send_response(302)
                    self.send_header("Location", body.decode())
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_fetch_downloads_records_hashes_and_reports_404_and_mismatch(tmp_path):
    pdf = make_pdf([["Fetched text."]])
    html_page = b"<html><body><main><p>Data saves lives.</p></main></body></html>"
    docs = tmp_path / "docs"
    manifest = write_manifest(tmp_path / "m.csv", [
        row("pdf_doc", canonical_url="https://example.gov.uk/files/plan.pdf"),
        row("html_doc", canonical_url="https://www.gov.uk/government/publications/dsl"),
        row("gone_doc", canonical_url="https://www.gov.uk/missing"),
        row("pinned_doc", canonical_url="https://www.gov.uk/pinned",
            local_file="fetched/pinned_doc.html", sha256="2" * 64),
    ])
    served = {"/files/plan.pdf": (pdf, "application/octet-stream"),
              "/government/publications/dsl": (html_page, "text/html; charset=utf-8"),
              "/pinned": (b"<p>changed since the hash was recorded</p>", "text/html")}
    before = manifest.read_bytes()
    with _Server(served) as server:
        df, errors = D.fetch_documents(manifest, docs, base_url=server.url, timeout=10)
    # row lines: pdf_doc 2, html_doc 3, gone_doc 4, pinned_doc 5
    assert [e.line for e in errors] == [4, 5]
    assert "HTTP 404" in errors[0].reason
    assert "nothing saved" in errors[1].reason
    # all or nothing: two bad rows, so not even the good files are saved
    assert not docs.exists() or not any(p.is_file() for p in docs.rglob("*"))
    assert manifest.read_bytes() == before
    # without the bad rows, the good ones are saved and recorded
    manifest = write_manifest(tmp_path / "m.csv", [
        row("pdf_doc", canonical_url="https://example.gov.uk/files/plan.pdf"),
        row("html_doc", canonical_url="https://www.gov.uk/government/publications/dsl")])
    with _Server(served) as server:
        df, errors = D.fetch_documents(manifest, docs, base_url=server.url, timeout=10)
    assert errors == []
    assert not list(docs.rglob("*.tmp"))
    written = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    assert written["local_file"].tolist() == ["fetched/pdf_doc.pdf", "fetched/html_doc.html"]
    # hashes recorded are those of the bytes served
    assert written.loc[0, "sha256"] == hashlib.sha256(pdf).hexdigest()
    assert written.loc[1, "sha256"] == hashlib.sha256(html_page).hexdigest()
    assert (docs / "fetched" / "pdf_doc.pdf").read_bytes() == pdf
    # the fetched files ingest like shipped ones
    assert D.ingest_document(docs / "fetched" / "html_doc.html")[0] == "Data saves lives.\n"
    # a second run downloads nothing new: the files are there with their hashes
    with _Server({}) as server:
        _, errors2 = D.fetch_documents(manifest, docs, base_url=server.url, timeout=10)
    assert errors2 == []


@pytest.mark.parametrize("url, body, ctype, reason", [
    # a 200 "soft 404" and a login page served where a publication was expected
    ("https://www.gov.uk/p.pdf", b"<html><title>Page not found</title></html>", "text/html",
     "is not a PDF"),
    ("https://www.gov.uk/pub", b"<html><head><title>Page not found - GOV.UK</title></head>"
     b"<body><p>Sorry</p></body></html>", "text/html", "login or 'not found' page"),
    ("https://www.gov.uk/pub", b"<html><body><form action='/login'><input type='password'>"
     b"</form></body></html>", "text/html", "login or 'not found' page"),
    ("https://www.gov.uk/notes.txt", b"<!DOCTYPE html><html><p>x</p></html>", "text/plain",
     "HTML page where a text file was expected"),
    # a redirect to a scheme other than http(s)
    ("https://www.gov.uk/moved", b"ftp://127.0.0.1/plan.pdf", "redirect", "refused a redirect"),
    ("https://www.gov.uk/moved", b"file:///etc/passwd", "redirect", "refused a redirect"),
])
def test_fetch_refuses_what_is_not_the_document(tmp_path, url, body, ctype, reason):
    from urllib.parse import urlparse

    good = make_pdf([["Fetched text."]])
    manifest = write_manifest(tmp_path / "m.csv", [
        row("good_doc", canonical_url="https://example.gov.uk/good.pdf"),
        row("bad_doc", canonical_url=url)])
    before = manifest.read_bytes()
    served = {"/good.pdf": (good, "application/pdf"), urlparse(url).path: (body, ctype)}
    with _Server(served) as server:
        _, errors = D.fetch_documents(manifest, tmp_path / "d", base_url=server.url, timeout=10)
    # one error, on the bad row (line 3); nothing saved, the manifest unchanged
    assert [e.line for e in errors] == [3] and reason in errors[0].reason, errors
    assert not (tmp_path / "d").exists()
    assert manifest.read_bytes() == before


def test_fetch_cli_exit_status_and_unreachable_server(tmp_path, capsys):
    manifest = write_manifest(tmp_path / "m.csv", [row("a")])
    before = manifest.read_bytes()
    # port 9 on 127.0.0.1 (discard) is closed on test machines: connection refused
    code = D.main(["fetch", "--manifest", str(manifest), "--dest", str(tmp_path / "d"),
                   "--base-url", "http://127.0.0.1:9", "--timeout", "5"])
    assert code == 2
    assert "cannot download" in capsys.readouterr().err
    assert manifest.read_bytes() == before


# --------------------------------------------------------------------------- coverage

def test_coverage_merges_overlaps_per_code():
    segs = pd.DataFrame({
        "source_id": ["d1", "d1", "d1", "d1", "d2"],
        "code_id": ["th_funding", "th_funding", "th_data_ig", "th_funding", "th_funding"],
        "start": [0, 5, 0, 50, 10], "end": [10, 20, 4, 60, 20]})
    sources = pd.DataFrame({"source_id": ["d1", "d2"], "n_chars": [100, 40]})
    out = D.coverage(segs, sources)
    # by hand: d1/th_funding = [0,20) u [50,60) = 30 chars of 100; d1/th_data_ig = 4;
    # d2/th_funding = 10 of 40
    assert out.to_dict("list") == {
        "source_id": ["d1", "d1", "d2"], "code_id": ["th_data_ig", "th_funding", "th_funding"],
        "n_segments": [1, 3, 1], "chars": [4, 30, 10], "n_chars": [100, 100, 40],
        "share": [0.04, 0.30, 0.25]}


def test_strategy_ids_must_exist_in_the_timeline(tmp_path):
    strategies = tmp_path / "strategies.csv"
    strategies.write_text("id,title\nT1-25,A plan for digital health and social care\n")
    p = write_manifest(tmp_path / "m.csv", [row("a"), row("b", strategy_id="T1-99")])
    problems = D.validate_all(p, tmp_path, strategies=strategies)
    assert [(e.line, "T1-99" in e.reason) for e in problems] == [(3, True)]


def test_code_documents_calls_the_dictionary_coder():
    from analysis.codebook import load_codebook

    texts = {"d1": "Matched funding came late. It rained.\n"}
    segs = D.code_documents(texts, load_codebook())
    # data/raw/codebook/sst_codebook.yml lists "funding" and "matched funding" among the
    # stems of th_funding; the first sentence is [0, 26) by hand, the second has no stem
    funding = segs[segs["code_id"] == "th_funding"]
    assert funding[["source_id", "start", "end", "coder"]].values.tolist() == \
        [["d1", 0, 26, "dictionary"]]
    assert set(segs["coder"]) == {"dictionary"}
    for r in segs.itertuples():
        assert texts[r.source_id][int(r.start):int(r.end)] == r.text


def test_cli_ingest_then_code(tmp_path, capsys):
    manifest, docs = corpus_fixture(tmp_path)
    out = tmp_path / "out"
    assert D.main(["ingest", "--manifest", str(manifest), "--documents-dir", str(docs),
                   "--out", str(out)]) == 0
    assert D.main(["code", "--out", str(out)]) == 0
    segs = pd.read_csv(out / "segments.csv", dtype=str, keep_default_na=False)
    # the segments table with the dictionary stem that matched, as `make all` writes
    # data/processed/documents/segments.csv (one implementation of the documents stage)
    assert list(segs.columns) == ["segment_id", "source_id", "code_id", "start", "end",
                                  "coder", "text", "stem"]
    texts = D.read_texts(out)
    for r in segs.itertuples():
        assert texts[r.source_id][int(r.start):int(r.end)] == r.text
    # page.html says "Shared care records & standards": the codebook's th_standards_interop
    # stems include "shared care record*", so that paragraph is coded
    assert "th_standards_interop" in set(segs.loc[segs["source_id"] == "page", "code_id"])
    cov = pd.read_csv(out / "coverage.csv")
    assert (cov["share"] > 0).all() and (cov["share"] <= 1).all()


# --------------------------------------------------------------------------- conversion repairs

def test_repair_conversion_undoes_lost_ll_and_ligatures():
    # Each damaged form and its repair written out by hand from the repair list.
    text = ("Al trusts wil col aborate ful y. The plan is wel -informed and signi cant.\n"
            "Al ICBs must be ef cient.")
    fixed, counts = D.repair_conversion(text)
    assert fixed == ("All trusts will collaborate fully. The plan is well -informed and "
                     "significant.\nAll ICBs must be efficient.")
    assert counts == {"col aborate -> collaborate": 1, "signi cant -> significant": 1,
                      "ef cient -> efficient": 1, "ful y -> fully": 1, "wil -> will": 1,
                      "wel -> well": 1, "Al -> All": 2}


def test_repair_conversion_leaves_real_words_alone():
    # "Al" inside a sentence may be a name; "et al" is a citation; words that merely
    # contain a damaged form ("wilful", "fully", "final") are not touched.
    text = "Ask Dr Al Smith (Smith et al, 2009); wilful, fully, final, will."
    assert D.repair_conversion(text) == (text, {})


def test_ingest_corpus_lists_every_repair(tmp_path):
    manifest, docs = corpus_fixture(tmp_path)
    raw = "Plans wil change. Al of them wil.\n"
    (docs / "messy.md").write_text(raw, encoding="utf-8")
    m = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    m.loc[m["doc_id"] == "messy", "sha256"] = sha256_file(docs / "messy.md")
    m.to_csv(manifest, index=False, lineterminator="\n")
    out = tmp_path / "out"
    D.ingest_corpus(manifest, out, docs)
    assert (out / "texts" / "messy.txt").read_text(encoding="utf-8") == (
        "Plans will change. All of them will.\n")
    assert (docs / "messy.md").read_text(encoding="utf-8") == raw  # the raw file stays
    repairs = pd.read_csv(out / "repairs.csv", dtype=str, keep_default_na=False)
    assert repairs.values.tolist() == [["messy", "Al", "All", "1"],
                                       ["messy", "wil", "will", "2"]]
