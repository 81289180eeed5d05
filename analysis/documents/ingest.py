"""The document corpus: the manifest, ingestion into normalised text, and fetching.

* :func:`load_manifest` / :func:`validate_all` read and check ``data/raw/documents.csv``
  (one row per document, with its date and precision, type, timeline strategy id,
  licence, canonical URL, and the shipped file with its SHA-256).
* :func:`ingest_document` turns a .txt, .md, .html, .pdf or .docx file into normalised
  text: Markdown and HTML markup, footnotes, tables' rules, stray emphasis markers,
  page numbers, running headers and end-of-line hyphenation are removed and
  line-broken paragraphs joined. The raw file is never changed; only the processed
  copy is cleaned. The result is NFC, LF line ends, one blank line between paragraphs.
* :func:`ingest_corpus` writes ``texts/<doc_id>.txt`` and ``sources.csv`` for every
  shipped document, or nothing at all when any file is bad.
* :func:`fetch_documents` downloads the documents that are listed but not shipped,
  checks or records their SHA-256 and rewrites the manifest atomically.
* :func:`code_documents` and :func:`coverage` apply the SST dictionary to the texts
  (through :func:`analysis.coding.dictionary_code`) and measure coverage per code.

Command line: ``python -m analysis documents {validate,ingest,fetch,code} ...``.

Examples
--------
>>> text, digest = ingest_text("A *line-broken*\\npara-\\ngraph.\\n\\n12\\n", fmt="md")
>>> text
'A line-broken paragraph.\\n'
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import html
import io
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

from .. import paths
from ..errors import DataError
from ..io import (atomic_write, csv_line, decode_text, read_table, record_lines, sha256_file,
                 sha256_text, table_to_csv, write_table)

__all__ = [
    "MANIFEST_COLUMNS", "SOURCE_COLUMNS", "DOCUMENT_TYPES", "FORMATS", "load_manifest",
    "validate_all", "ingest_text", "ingest_document", "ingest_corpus",
    "read_texts", "fetch_documents", "code_documents", "coverage", "main",
]

MANIFEST_COLUMNS = ["doc_id", "title", "publisher", "date", "date_precision", "type",
                    "strategy_id", "licence", "canonical_url", "local_file", "sha256", "notes"]
SOURCE_COLUMNS = ["source_id", "kind", "title", "date", "date_precision", "type",
                  "strategy_id", "era", "sha256", "n_chars", "n_words"]
DOCUMENT_TYPES = ("strategy", "plan", "guidance", "review", "legislation", "board paper")
#: file suffix -> format name
FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".pdf": "pdf", ".docx": "docx"}
_DATE_FORMS = {"year": r"\d{4}", "month": r"\d{4}-\d{2}", "day": r"\d{4}-\d{2}-\d{2}"}
_DOC_ID = re.compile(r"[a-z0-9][a-z0-9_]*")
_STRATEGY_ID = re.compile(r"T1-\d{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")

# --------------------------------------------------------------------------- manifest


def _date_problem(date: str, precision: str) -> str | None:
    import datetime as dt

    if precision not in _DATE_FORMS:
        return f"date_precision {precision!r} is not one of year, month, day"
    if not re.fullmatch(_DATE_FORMS[precision], date):
        shape = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[precision]
        return f"date {date!r} does not have {precision} precision (expected {shape})"
    parts = [int(p) for p in date.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return f"date {date!r} is not a calendar date"
    return None


def _row_problems(df, path) -> list[DataError]:
    """Every problem in the manifest's rows, each naming its file line."""
    problems = []
    seen: dict[str, int] = {}
    for line, row in zip(record_lines(path, len(df)), df.itertuples(index=False)):

        def bad(reason: str) -> None:
            problems.append(DataError(path, line, reason))

        if not _DOC_ID.fullmatch(row.doc_id):
            bad(f"doc_id {row.doc_id!r} must be lower-case letters, digits and underscores")
        elif row.doc_id in seen:
            bad(f"doc_id {row.doc_id!r} repeats line {seen[row.doc_id]}")
        else:
            seen[row.doc_id] = line
        for col in ("title", "publisher", "licence"):
            if not getattr(row, col).strip():
                bad(f"{col} is empty")
        problem = _date_problem(row.date, row.date_precision)
        if problem:
            bad(problem)
        if row.type not in DOCUMENT_TYPES:
            bad(f"type {row.type!r} is not one of {', '.join(DOCUMENT_TYPES)}")
        if row.strategy_id and not _STRATEGY_ID.fullmatch(row.strategy_id):
            bad(f"strategy_id {row.strategy_id!r} is not a timeline id like T1-02")
        if not re.fullmatch(r"https?://\S+", row.canonical_url):
            bad(f"canonical_url {row.canonical_url!r} is not an http(s) address")
        if row.local_file:
            rel = Path(row.local_file)
            if rel.is_absolute() or ".." in rel.parts or "\\" in row.local_file:
                bad(f"local_file {row.local_file!r} must be a path inside data/raw/documents/")
            elif rel.suffix.lower() not in FORMATS:
                bad(f"local_file {row.local_file!r} has an unsupported suffix "
                    f"(expected one of {', '.join(sorted(FORMATS))})")
            if not row.sha256:
                bad("sha256 is empty although local_file is given")
        if row.sha256 and not _SHA256.fullmatch(row.sha256):
            bad(f"sha256 {row.sha256!r} is not 64 lower-case hex digits")
    return problems


def load_manifest(path=None):
    """Read and check the documents manifest.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/raw/documents.csv``.

    Returns
    -------
    pandas.DataFrame
        The :data:`MANIFEST_COLUMNS`, as strings (empty cells are "").

    Raises
    ------
    DataError
        The first problem, with its line: a wrong header, a repeated or malformed id,
        a date that does not match its precision, an unknown type, a bad URL, path or
        hash.

    Examples
    --------
    >>> m = load_manifest()
    >>> m.loc[m["doc_id"] == "data_saves_lives_2022", "strategy_id"].item()
    'T1-22'
    """
    path = Path(path or paths.DOCUMENTS_CSV)
    df = read_table(path, required=MANIFEST_COLUMNS, allow_extra=False)
    df = df[MANIFEST_COLUMNS]
    problems = _row_problems(df, path)
    if problems:
        raise problems[0]
    return df


def _timeline_strategy_ids(strategies) -> set[str] | None:
    """Ids of the timeline's strategies, or None when that table is absent."""
    path = Path(strategies or paths.STRATEGIES_CSV)
    if not path.is_file():
        return None
    return set(read_table(path, required=["id"])["id"])


def validate_all(manifest=None, documents_dir=None, strategies=None) -> list[DataError]:
    """Every problem with the manifest and the shipped files (an empty list when fine).

    Besides the checks of :func:`load_manifest`, each ``strategy_id`` must be an id of
    the timeline's strategies table (when it exists), and each ``local_file`` must
    exist under ``documents_dir`` with the SHA-256 the manifest gives.
    """
    path = Path(manifest or paths.DOCUMENTS_CSV)
    root = Path(documents_dir or paths.DOCUMENTS)
    try:
        df = read_table(path, required=MANIFEST_COLUMNS, allow_extra=False)[MANIFEST_COLUMNS]
    except DataError as exc:
        return [exc]
    problems = _row_problems(df, path)
    bad_lines = {p.line for p in problems}
    known = _timeline_strategy_ids(strategies)
    for line, row in zip(record_lines(path, len(df)), df.itertuples(index=False)):
        if known is not None and row.strategy_id and line not in bad_lines \
                and row.strategy_id not in known:
            problems.append(DataError(path, line, f"strategy_id {row.strategy_id} is not in "
                                                  "the timeline's strategies"))
        if not row.local_file or line in bad_lines:
            continue
        file = root / row.local_file
        if not file.is_file():
            problems.append(DataError(path, line, f"local_file {row.local_file} is missing; "
                                                  "run `make fetch-documents`"))
        elif sha256_file(file) != row.sha256:
            problems.append(DataError(path, line, f"sha256 of {row.local_file} does not match "
                                                  "the manifest (file changed?)"))
    return sorted(problems, key=lambda e: (e.line if isinstance(e.line, int) else 0))


# --------------------------------------------------------------------------- cleaning

_PAGE_NUMBER = re.compile(r"\s*(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*",
                          re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTINUES = re.compile(r"[a-z](?![.)]\s)")
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)]*$")
_HYPHEN_BREAK = re.compile(r"([^\W\d_]+)-[ \t]*\n[ \t]*([a-z]+)")


def _page_start_lines(pages: list[list[str]], from_end: bool) -> list[str]:
    out = []
    for lines in pages:
        seq = reversed(lines) if from_end else lines
        out.append(next((ln.strip() for ln in seq if ln.strip()), ""))
    return out


def _running_header(candidates: list[str]) -> str | None:
    """The longest word prefix that opens (or whole line that closes) many pages.

    A prefix of 3-12 words, with digits ignored, shared by at least three pages and a
    third of them is taken for a running header or footer.
    """
    lines = [c for c in candidates if c]
    if len(lines) < 3:
        return None
    need = max(3, len(lines) / 3)
    best = None
    for n in range(3, 13):
        keys = Counter(" ".join(re.sub(r"\d", "#", c).split()[:n]) for c in lines
                       if len(c.split()) >= n)
        if not keys:
            break
        key, count = keys.most_common(1)[0]
        if count >= need:
            best = key
    whole = Counter(re.sub(r"\d", "#", " ".join(c.split())) for c in lines)
    key, count = whole.most_common(1)[0]
    if count >= need and len(key.split()) >= 2 and (best is None or len(key) > len(best)):
        best = key
    return best


def _strip_prefix(line: str, header: str) -> str:
    words = line.split()
    n = len(header.split())
    if " ".join(re.sub(r"\d", "#", w) for w in words[:n]) == header:
        return " ".join(words[n:])
    return line


def _remove_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page-number lines, then running headers and footers."""
    pages = [[ln for ln in lines if not _PAGE_NUMBER.fullmatch(ln)] for lines in pages]
    for from_end in (False, True):
        header = _running_header(_page_start_lines(pages, from_end))
        if not header:
            continue
        for lines in pages:
            order = range(len(lines) - 1, -1, -1) if from_end else range(len(lines))
            for j in order:
                if lines[j].strip():
                    lines[j] = _strip_prefix(lines[j], header)
                    break
    return pages


def _dehyphenate(text: str) -> str:
    """Join words hyphenated at a line end.

    The hyphen is kept when the document itself writes the hyphenated form and never
    the joined one ("long-\\nterm" stays "long-term"); otherwise it is dropped
    ("infor-\\nmation" becomes "information").
    """
    words = Counter(w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text))

    def join(m: re.Match) -> str:
        a, b = m.group(1), m.group(2)
        hyphenated, joined = f"{a}-{b}".lower(), f"{a}{b}".lower()
        if words[hyphenated] and not words[joined]:
            return f"{a}-{b}"
        return f"{a}{b}"

    return _HYPHEN_BREAK.sub(join, text)


def _finish(text: str, mend_breaks: bool = True) -> str:
    """Page furniture, hyphenation and paragraph flow: the cleaning every format shares.

    ``text`` has LF line ends, form feeds between pages and blank lines between
    paragraphs; lines inside a paragraph are joined with a space. ``mend_breaks``
    re-joins sentences that a PDF conversion split into "paragraphs"; HTML and DOCX
    mark paragraphs reliably and do not need it.
    """
    pages = [page.split("\n") for page in text.split("\f")]
    text = "\n".join("\n".join(lines) for lines in _remove_page_furniture(pages))
    text = _dehyphenate(text)
    paragraphs: list[str] = []
    for block in re.split(r"\n[ \t\u00a0]*\n", text):
        para = _SPACES.sub(" ", " ".join(ln.strip() for ln in block.split("\n"))).strip()
        if not para:
            continue
        # PDF conversions break sentences into "paragraphs": a lower-case start after a
        # paragraph that does not end a sentence continues it (list items excepted)
        if mend_breaks and paragraphs and _CONTINUES.match(para) \
                and not _SENTENCE_END.search(paragraphs[-1]):
            paragraphs[-1] += " " + para
        else:
            paragraphs.append(para)
    out = unicodedata.normalize("NFC", "\n\n".join(paragraphs))
    return out + "\n" if out else ""


# --------------------------------------------------------------------------- formats

_ESCAPABLE = "\\`*_{}[]()#+-.!'\"<>|~^$"
_FOOTNOTE_DEF = re.compile(r"\s{0,3}\[\^[^\]]+\]:")
_HEADING = re.compile(r"\s{0,3}#{1,6}(?:\s+(.*?))?\s*#*\s*")
_SETEXT_OR_RULE = re.compile(r"\s*(?:=+|-{3,}|\*{3,}|_{3,})\s*")
_GRID_BORDER = re.compile(r"\s*\+(?:[-=:]+\+)+\s*")
_PIPE_RULE = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*")
_LIST_ITEM = re.compile(r"\s*(?:[-*+\u2022\u25aa\u25e6\u25cf]|\d{1,3}[.)])\s+")
_PANDOC_ATTRIBUTES = re.compile(r"[ \t]*\{#[^{}\f]*\}")
_BULLET = re.compile(r"\s*[-*+\u2022\u25aa\u25e6\u25cf]\s+")
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[([^\]^][^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)"), r"\1"),
    (re.compile(r"\[([^\]^][^\]]*)\]\[[^\]]*\]"), r"\1"),  # reference link
    (re.compile(r"\[([^\]^][^\]]*)\]\{[^}]*\}"), r"\1"),  # Pandoc span [text]{.underline}
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote reference
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),  # autolink
    (re.compile(r"</?[A-Za-z][^<>]*>"), ""),  # inline HTML tag
    (re.compile(r"`+"), ""),
    (re.compile(r"\*+"), ""),  # emphasis, paired or stray
    (re.compile(r"(?<![^\W_])__+|__+(?![^\W_])"), ""),
    (re.compile(r"(?<![^\W_])_(?=\S)(.+?)(?<=\S)_(?![^\W_])"), r"\1"),
]


def _inline_markdown(text: str) -> str:
    # a backslash before white space or a line end is a hard line break
    text = re.sub(r"\\(?=\s|$)", "", text, flags=re.MULTILINE)
    # Escaped characters are parked in the private-use area so no rule touches them.
    text = re.sub(r"\\([" + re.escape(_ESCAPABLE) + "])",
                  lambda m: chr(0xE000 + ord(m.group(1))), text)
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group(0)) - 0xE000), text)
    return html.unescape(text)


def _markdown_to_text(text: str) -> str:
    """Markdown (including messy PDF conversions) to plain paragraphs with page breaks."""
    # Three or more blank lines in a PDF conversion mark a page break.
    text = re.sub(r"\n(?:[ \t]*\n){3,}", "\n\f\n", text)
    out: list[str] = []
    in_footnote = False
    for raw in text.split("\n"):
        if raw == "\f":
            out.append("\f")
            continue
        if _FOOTNOTE_DEF.match(raw):
            in_footnote = True
            continue
        if in_footnote:
            # a footnote runs on over blank and indented lines
            if not raw.strip() or raw.startswith(("  ", "\t")):
                continue
            in_footnote = False
        if raw.lstrip().startswith("```") or raw.lstrip().startswith("~~~"):
            continue
        if _GRID_BORDER.fullmatch(raw) or _PIPE_RULE.fullmatch(raw) \
                or _SETEXT_OR_RULE.fullmatch(raw):
            out.append("")
            continue
        line = raw
        if line.lstrip().startswith("|"):
            # table row: cells become text; an empty row separates paragraphs
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
            if not line.strip():
                out.append("")
                continue
        line = re.sub(r"^\s{0,3}>\s?", "", line)
        item = _LIST_ITEM.match(line)
        if item:
            out.append("")  # each list item is its own paragraph
            if _BULLET.match(line):
                line = line[item.end():]
        heading = _HEADING.fullmatch(line)
        if heading:
            out += ["", heading.group(1) or "", ""]
            continue
        out.append(line)
    # Inline markup may run over line ends, so it is removed from the joined text;
    # Pandoc attributes such as {#section-2 .ListParagraph} may even span table rows.
    return _inline_markdown(_PANDOC_ATTRIBUTES.sub("", "\n".join(out)))


_BLOCK_TAGS = {"p", "div", "section", "article", "main", "aside", "blockquote", "pre",
               "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "table", "ul",
               "ol", "dl", "figure", "figcaption", "caption", "address", "hr", "details",
               "summary"}
_DROP_TAGS = ["script", "style", "noscript", "template", "head", "nav", "header", "footer",
              "form", "svg", "button", "iframe"]


def _html_to_text(text: str, path) -> str:
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise DataError(path, None, f"not readable as HTML ({exc})") from None
    for el in root.xpath("|".join(f"//{t}" for t in _DROP_TAGS)):
        el.drop_tree()
    mains = root.xpath("//main")
    body = mains[0] if mains else root
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in ("td", "th"):
            el.tail = " " + (el.tail or "")
        elif el.tag in _BLOCK_TAGS:
            el.text = "\n\n" + (el.text or "")
            el.tail = "\n\n" + (el.tail or "")
    # HTML collapses white space inside a block: keep only the paragraph breaks
    flowed = body.text_content()
    blocks = re.split(r"\n[ \t\u00a0]*\n", flowed)
    return "\n\n".join(" ".join(b.split()) for b in blocks)


def _docx_to_text(data: bytes, path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                seen = set()
                for row in block.rows:
                    for cell in row.cells:
                        if id(cell._tc) not in seen:  # merged cells repeat
                            seen.add(id(cell._tc))
                            paragraphs.append(cell.text)
            else:
                paragraphs.append(block.text)
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise DataError(path, None, f"not a readable DOCX file, perhaps encrypted or "
                                    f"corrupt ({exc})") from None
    except Exception as exc:  # python-docx raises KeyError, lxml and value errors on bad parts
        raise DataError(path, None, f"not a readable DOCX file ({type(exc).__name__}: "
                                    f"{exc})") from None
    return "\n\n".join(p.replace("\n", " ") for p in paragraphs)


def _pdf_to_text(data: bytes, path) -> str:
    import logging

    import pypdf
    from pypdf import PasswordType

    # pypdf reports recoverable damage through logging; we decide ourselves what is fatal
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise DataError(path, None, "encrypted PDF: it needs a password; save an "
                                        "unprotected copy")
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:
                raise DataError(path, f"page {number}",
                                f"text cannot be extracted ({type(exc).__name__}: {exc})"
                                ) from None
    except DataError:
        raise
    except Exception as exc:  # pypdf raises many types on corrupt files
        raise DataError(path, None, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not any(p.strip() for p in pages):
        raise DataError(path, None, "the PDF has no text layer (scanned?); run OCR first")
    return "\f".join(_pdf_paragraphs(p) for p in pages)


def _pdf_paragraphs(page: str) -> str:
    """Mark paragraph ends in a PDF page: a short line that ends a sentence."""
    lines = page.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    longest = max((len(ln.rstrip()) for ln in lines), default=0)
    out = []
    for ln in lines:
        out.append(ln)
        s = ln.rstrip()
        if s.endswith((".", "!", "?", ":")) and len(s) < 0.75 * longest:
            out.append("")
    return "\n".join(out)


def ingest_text(text: str, fmt: str = "txt") -> tuple[str, str]:
    """Normalise an already decoded text in format ``"txt"``, ``"md"`` or ``"html"``.

    Returns the normalised text and its SHA-256 (of the UTF-8 bytes).

    >>> ingest_text("<p>Data&nbsp;saves <b>lives</b></p><p>2</p>", fmt="html")[0]
    'Data saves lives\\n'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if fmt == "md":
        text = _markdown_to_text(text)
    elif fmt == "html":
        text = _html_to_text(text, "<text>")
    elif fmt != "txt":
        raise ValueError(f"ingest_text handles txt, md and html, not {fmt!r}")
    out = _finish(text, mend_breaks=fmt != "html")
    return out, sha256_text(out)


def ingest_document(path, fmt: str | None = None) -> tuple[str, str]:
    """Read one document file into normalised text.

    Parameters
    ----------
    path : path-like
        A .txt, .md, .html/.htm, .pdf or .docx file.
    fmt : str, optional
        Overrides the format implied by the suffix (one of the values of
        :data:`FORMATS`).

    Returns
    -------
    (text, sha256)
        The normalised text (NFC, LF, paragraphs separated by one blank line, ending
        in a newline) and the SHA-256 of its UTF-8 bytes.

    Raises
    ------
    DataError
        A missing, empty, undecodable, corrupt or password-protected file, or one with
        no text.
    """
    path = Path(path)
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt not in set(FORMATS.values()):
        raise DataError(path, None, f"unsupported document format {path.suffix or fmt!r}; "
                                    f"expected one of {', '.join(sorted(FORMATS))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, f"cannot read the file ({exc.strerror})") from None
    if not data.strip():
        raise DataError(path, None, "file is empty")
    if fmt == "pdf":
        text = _pdf_to_text(data, path)
    elif fmt == "docx":
        text = _docx_to_text(data, path)
    else:
        decoded = decode_text(data, path).text.replace("\r\n", "\n").replace("\r", "\n")
        if fmt == "md":
            text = _markdown_to_text(decoded)
        elif fmt == "html":
            text = _html_to_text(decoded, path)
        else:
            text = decoded
    out = _finish(text, mend_breaks=fmt not in ("html", "docx"))
    if not out.strip():
        raise DataError(path, None, "no text left after removing markup")
    return out, sha256_text(out)


#: Known PDF-to-text damage: a lost "ll" ("wil", "col aboration") or a lost ligature
#: ("ef cient", "signi cant"). ``where`` is ``word`` (a whole word anywhere) or
#: ``sentence_start`` (only at the start of a line or sentence: "Al" may be a name).
REPAIRS_CSV = paths.RESOURCES / "conversion_repairs.csv"
REPAIR_COLUMNS = ["source_id", "damaged", "repaired", "count"]


@functools.lru_cache(maxsize=1)
def _repair_patterns() -> tuple[tuple[str, str, re.Pattern], ...]:
    import csv

    with open(REPAIRS_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    # longest first: "ful y" -> "fully" before "ful" -> "full"
    for row in sorted(rows, key=lambda r: -len(r["damaged"])):
        body = re.escape(row["damaged"])
        if row["where"] == "sentence_start":
            rx = re.compile(rf"(?:^|(?<=[.!?:] ))[ \t]*{body}\b", re.M)
        else:
            # "et al" is a citation, not a lost "ll"
            rx = re.compile(rf"(?<![\w'’-])(?<!et ){body}(?![\w'’]|-\w)")
        out.append((row["damaged"], row["repaired"], rx))
    return tuple(out)


def repair_conversion(text: str) -> tuple[str, dict[str, int]]:
    """Undo known PDF-conversion damage; return the text and the count of each repair.

    Parameters
    ----------
    text : str
        A normalised text.

    Returns
    -------
    tuple of (str, dict)
        The repaired text and ``{"damaged -> repaired": count}`` for repairs made.

    Examples
    --------
    >>> repair_conversion("Al plans wil be signi cant. Al Smith et al agreed.")
    ('All plans will be significant. All Smith et al agreed.', {'signi cant -> significant': 1, 'wil -> will': 1, 'Al -> All': 2})
    """
    counts: dict[str, int] = {}
    for damaged, repaired, rx in _repair_patterns():
        text, n = rx.subn(lambda m: m[0][: len(m[0]) - len(damaged)] + repaired, text)
        if n:
            counts[f"{damaged} -> {repaired}"] = n
    return text, counts


def ingest_corpus(manifest=None, out_dir=None, documents_dir=None):
    """Ingest every shipped document of the manifest.

    Writes ``out_dir/texts/<doc_id>.txt`` (removing texts of documents no longer
    shipped) and ``out_dir/sources.csv``. Every file is read and checked first, so a
    bad document writes nothing.

    Parameters
    ----------
    manifest : path-like, optional
        Defaults to ``data/raw/documents.csv``.
    out_dir : path-like, optional
        Defaults to ``data/processed/documents``.
    documents_dir : path-like, optional
        Where ``local_file`` paths point; defaults to ``data/raw/documents``.

    Returns
    -------
    pandas.DataFrame
        The sources table (:data:`SOURCE_COLUMNS`), sorted by ``source_id``.
    """
    import pandas as pd

    from ..text import tokenize
    from ..timeline import era_of

    manifest = Path(manifest or paths.DOCUMENTS_CSV)
    out_dir = Path(out_dir or paths.PROCESSED_DOCUMENTS)
    root = Path(documents_dir or paths.DOCUMENTS)
    df = load_manifest(manifest)
    texts, rows, repairs = {}, [], []
    for i, row in enumerate(df.itertuples(index=False)):
        if not row.local_file:
            continue
        file = root / row.local_file
        if not file.is_file():
            raise DataError(manifest, csv_line(i), f"local_file {row.local_file} is missing; "
                                                   "run `make fetch-documents`")
        if sha256_file(file) != row.sha256:
            raise DataError(manifest, csv_line(i), f"sha256 of {row.local_file} does not "
                                                   "match the manifest (file changed?)")
        text, _ = ingest_document(file)
        # the processed copy is repaired; every repair is listed in repairs.csv
        text, counts = repair_conversion(text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        repairs += [{"source_id": row.doc_id, "damaged": k.split(" -> ")[0],
                     "repaired": k.split(" -> ")[1], "count": n} for k, n in counts.items()]
        texts[row.doc_id] = text
        rows.append({"source_id": row.doc_id, "kind": "document", "title": row.title,
                     "date": row.date, "date_precision": row.date_precision,
                     "type": row.type, "strategy_id": row.strategy_id,
                     "era": "", "sha256": digest, "n_chars": len(text),
                     "n_words": len(tokenize(text))})
    sources = pd.DataFrame(rows, columns=SOURCE_COLUMNS).sort_values("source_id")
    if len(sources):
        sources["era"] = era_of(sources["date"]).fillna("").to_numpy(dtype=object)
    sources = sources.reset_index(drop=True)
    text_dir = out_dir / "texts"
    for doc_id, text in sorted(texts.items()):
        atomic_write(text_dir / f"{doc_id}.txt", text)
    for stale in sorted(text_dir.glob("*.txt")):
        if stale.stem not in texts:
            stale.unlink()
    write_table(sources, out_dir / "sources.csv", SOURCE_COLUMNS)
    write_table(pd.DataFrame(repairs, columns=REPAIR_COLUMNS).sort_values(
        ["source_id", "damaged"], kind="stable"), out_dir / "repairs.csv", REPAIR_COLUMNS)
    return sources


def read_texts(out_dir=None) -> dict[str, str]:
    """The processed texts written by :func:`ingest_corpus`, by source id."""
    from ..processed import read_texts as read_listed

    out_dir = Path(out_dir or paths.PROCESSED_DOCUMENTS)
    sources = read_table(out_dir / "sources.csv", required=SOURCE_COLUMNS)
    return read_listed(out_dir, sources["source_id"])


# --------------------------------------------------------------------------- fetching

_MIME_FORMATS = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt",
                 "text/markdown": ".md", "application/xhtml+xml": ".html",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
                     ".docx"}
_MAX_BYTES = 200 * 1024 * 1024


class _DownloadFailed(Exception):
    """A download that did not work; the caller names the manifest line."""


def _opener():
    """urllib with redirects to http(s) only (urllib's own also follows ftp://)."""
    import urllib.request
    from urllib.parse import urljoin, urlparse

    class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
        def http_error_302(self, req, fp, code, msg, headers):
            newurl = headers.get("location") or headers.get("uri") or ""
            scheme = urlparse(urljoin(req.full_url, newurl)).scheme.lower()
            if scheme not in ("http", "https"):
                raise _DownloadFailed(f"refused a redirect from {req.full_url} to a "
                                      f"{scheme}:// address")
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    return urllib.request.build_opener(HttpOnlyRedirects)


def _download(url: str, timeout: float) -> tuple[bytes, str]:
    """Bytes and content type of a URL."""
    import http.client
    import urllib.error
    import urllib.request
    from urllib.parse import urlparse

    if urlparse(url).scheme.lower() not in ("http", "https"):
        raise _DownloadFailed(f"refused {url}: only http:// and https:// are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "analysis-compendium"})
    try:
        with _opener().open(request, timeout=timeout) as response:
            data = response.read(_MAX_BYTES + 1)
            ctype = response.headers.get_content_type() if response.headers else ""
    except urllib.error.HTTPError as exc:
        raise _DownloadFailed(f"download failed: HTTP {exc.code} {exc.reason} for {url}") from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError,
            ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _DownloadFailed(f"cannot download {url} ({reason}); is the network available?"
                              ) from None
    if len(data) > _MAX_BYTES:
        raise _DownloadFailed(f"download of {url} exceeds {_MAX_BYTES // 2**20} MiB")
    if not data:
        raise _DownloadFailed(f"download of {url} is empty")
    return data, ctype


_LOGIN_RX = re.compile(rb"<input[^>]*type\s*=\s*[\"']?password|<form[^>]*(?:login|signin|sign-in)",
                       re.IGNORECASE)
_NOT_FOUND_RX = re.compile(rb"<title[^>]*>[^<]*(?:not found|404|page missing|"
                           rb"sign in|log in|access denied)", re.IGNORECASE)


def _content_problem(data: bytes, suffix: str) -> str | None:
    """Why ``data`` is not the kind of document the manifest names, or None: a PDF
    starts with ``%PDF-``; an HTML publication is HTML with some text and is neither a
    login page nor a "not found" page served with status 200; a Word file is a zip; a
    text file is not HTML."""
    head = data[:2048].lstrip().lower()
    if suffix == ".pdf":
        return None if b"%PDF-" in data[:1024] else "is not a PDF (no %PDF- header)"
    if suffix == ".docx":
        return None if data.startswith(b"PK\x03\x04") else "is not a Word file (not a zip)"
    looks_html = head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
    if suffix in (".html", ".htm"):
        if not (looks_html or b"<body" in data[:65536].lower() or b"<p" in head):
            return "is not an HTML page"
        if _LOGIN_RX.search(data) or _NOT_FOUND_RX.search(data[:65536]):
            return "is a login or 'not found' page, not the publication"
        return None
    if looks_html:
        return "is an HTML page where a text file was expected"
    return None


def _suffix_for(url: str, ctype: str) -> str | None:
    from urllib.parse import urlparse

    suffix = Path(urlparse(url).path).suffix.lower()
    if suffix in FORMATS:
        return suffix
    return _MIME_FORMATS.get(ctype)


def fetch_documents(manifest=None, dest=None, base_url: str | None = None,
                    timeout: float = 60.0):
    """Download the listed documents whose files are not here, and record their hashes.

    For each row: a present file is only checked against its SHA-256; a missing file
    with a recorded SHA-256 is downloaded from ``canonical_url`` and must match it; a
    row with no file is downloaded to ``fetched/<doc_id><suffix>`` and its
    ``local_file`` and ``sha256`` are filled in. What arrives must be what the row
    names (a PDF for ``.pdf``, an HTML publication rather than a login or "not found"
    page for ``.html``) before its hash is recorded; redirects go to http(s) only.

    All or nothing: every row is downloaded and checked first; when any row fails,
    nothing is saved and the manifest is left as it was. Otherwise the files are
    written atomically and the manifest rewritten once.

    This is the one command that writes into ``data/raw/`` (``data/raw/documents/``
    and the manifest), because the user asked for the files: ``make all`` never runs
    it, and it needs the network.

    Parameters
    ----------
    manifest : path-like, optional
        Defaults to ``data/raw/documents.csv``.
    dest : path-like, optional
        The documents folder; defaults to ``data/raw/documents``.
    base_url : str, optional
        Replace scheme and host of every URL (for tests against a local server).
    timeout : float
        Seconds per download.

    Returns
    -------
    (manifest DataFrame, list of DataError)
        The updated manifest, and one error per row that failed.
    """
    from urllib.parse import urlparse

    manifest = Path(manifest or paths.DOCUMENTS_CSV)
    dest = Path(dest or paths.DOCUMENTS)
    df = load_manifest(manifest).copy()
    errors: list[DataError] = []
    to_write: list[tuple[Path, bytes]] = []
    for i, row in enumerate(df.itertuples(index=False)):
        line = csv_line(i)
        target = dest / row.local_file if row.local_file else None
        if target is not None and target.is_file():
            if sha256_file(target) != row.sha256:
                errors.append(DataError(manifest, line, f"sha256 of {row.local_file} does not "
                                                        "match the manifest"))
            continue
        url = row.canonical_url
        if base_url:
            parsed = urlparse(url)
            url = base_url.rstrip("/") + (parsed.path or "/") + \
                (f"?{parsed.query}" if parsed.query else "")
        try:
            data, ctype = _download(url, timeout)
        except _DownloadFailed as exc:
            errors.append(DataError(manifest, line, f"{row.doc_id}: {exc}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if row.sha256 and digest != row.sha256:
            errors.append(DataError(manifest, line, f"{row.doc_id}: downloaded file has sha256 "
                                                    f"{digest[:12]}..., the manifest expects "
                                                    f"{row.sha256[:12]}...; nothing saved"))
            continue
        suffix = target.suffix.lower() if target is not None else _suffix_for(url, ctype)
        if suffix is None:
            errors.append(DataError(manifest, line, f"{row.doc_id}: cannot tell the format "
                                                    f"of {url} (content type {ctype!r})"))
            continue
        problem = _content_problem(data, suffix)
        if problem:
            errors.append(DataError(manifest, line, f"{row.doc_id}: what {url} sent {problem}; "
                                                    "nothing saved"))
            continue
        if target is None:
            rel = f"fetched/{row.doc_id}{suffix}"
            target = dest / rel
            df.loc[df.index[i], "local_file"] = rel
        if not row.sha256:
            df.loc[df.index[i], "sha256"] = digest
        to_write.append((target, data))
    if errors:  # all or nothing: no file saved, the manifest untouched
        return load_manifest(manifest), errors
    for target, data in to_write:
        atomic_write(target, data)
    if to_write:
        atomic_write(manifest, table_to_csv(df, MANIFEST_COLUMNS))
    return df, errors


# --------------------------------------------------------------------------- coding


def code_documents(texts: Mapping[str, str], codebook, **options):
    """SST dictionary coding of the document texts: segments with ``coder="dictionary"``.

    A thin call of :func:`analysis.coding.dictionary_code` (``options`` such as
    ``unit=`` are passed on), so documents and interviews are coded by one rule.

    Returns
    -------
    pandas.DataFrame
        The segments table: ``segment_id, source_id, code_id, start, end, coder, text``.
    """
    from ..coding import dictionary_code

    return dictionary_code(dict(texts), codebook, **options)


def coverage(segments, sources, source_col: str = "source_id", code_col: str = "code_id"):
    """How much of each document each code covers.

    Overlapping segments of one code are merged first, so no character counts twice.

    Parameters
    ----------
    segments : DataFrame
        ``source_id, code_id, start, end`` (offsets into the normalised texts).
    sources : DataFrame
        ``source_id, n_chars``.

    Returns
    -------
    pandas.DataFrame
        ``source_id, code_id, n_segments, chars, n_chars, share`` (``share`` =
        chars / n_chars), sorted by source and code.

    Examples
    --------
    >>> import pandas as pd
    >>> segs = pd.DataFrame({"source_id": ["d", "d", "d"], "code_id": ["th_funding"] * 3,
    ...                      "start": [0, 5, 20], "end": [10, 12, 30]})
    >>> coverage(segs, pd.DataFrame({"source_id": ["d"], "n_chars": [100]}))
      source_id     code_id  n_segments  chars  n_chars  share
    0         d  th_funding           3     22      100   0.22
    """
    import pandas as pd

    seg = segments[[source_col, code_col, "start", "end"]].copy()
    seg["start"] = pd.to_numeric(seg["start"]).astype("int64")
    seg["end"] = pd.to_numeric(seg["end"]).astype("int64")
    seg = seg.sort_values([source_col, code_col, "start", "end"], kind="stable")
    keys = [source_col, code_col]
    # a segment starts a new merged run when it begins after every earlier end
    reach = seg.groupby(keys, sort=False)["end"].cummax()
    prev_reach = reach.groupby([seg[source_col], seg[code_col]], sort=False).shift(1)
    seg["run"] = (prev_reach.isna() | (seg["start"] > prev_reach)).cumsum()
    runs = seg.groupby(keys + ["run"], sort=False).agg(start=("start", "min"),
                                                      end=("end", "max"))
    runs["chars"] = runs["end"] - runs["start"]
    chars = runs.groupby(level=keys)["chars"].sum()
    counts = seg.groupby(keys).size().rename("n_segments")
    out = pd.concat([counts, chars], axis=1).reset_index()
    n_chars = sources.set_index(source_col)["n_chars"].astype("int64")
    out["n_chars"] = out[source_col].map(n_chars).astype("int64")
    out["share"] = (out["chars"] / out["n_chars"]).round(6)
    out = out.rename(columns={source_col: "source_id", code_col: "code_id"})
    out = out[["source_id", "code_id", "n_segments", "chars", "n_chars", "share"]]
    return out.sort_values(["source_id", "code_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis documents {validate,ingest,fetch,code}``."""
    parser = argparse.ArgumentParser(prog="python -m analysis documents",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_val = sub.add_parser("validate", help="check the manifest and the shipped files")
    p_ing = sub.add_parser("ingest", help="write normalised texts and sources.csv")
    p_fet = sub.add_parser("fetch", help="download listed documents that are missing")
    for p in (p_val, p_ing, p_fet):
        p.add_argument("--manifest", type=Path, default=paths.DOCUMENTS_CSV)
    for p in (p_val, p_ing):
        p.add_argument("--documents-dir", type=Path, default=paths.DOCUMENTS)
    p_ing.add_argument("--out", type=Path, default=paths.PROCESSED_DOCUMENTS)
    p_fet.add_argument("--dest", type=Path, default=paths.DOCUMENTS)
    p_fet.add_argument("--base-url", default=None,
                       help="fetch from this server instead (tests)")
    p_fet.add_argument("--timeout", type=float, default=60.0)
    p_cod = sub.add_parser("code", help="SST dictionary coding of the ingested texts: "
                                        "segments.csv and coverage.csv")
    p_cod.add_argument("--out", type=Path, default=paths.PROCESSED_DOCUMENTS,
                       help="folder of sources.csv and texts/ (written by ingest)")
    p_cod.add_argument("--codebook", type=Path, default=paths.CODEBOOK_YML)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))

    if args.command == "validate":
        errors = validate_all(args.manifest, args.documents_dir)
    elif args.command == "ingest":
        sources = ingest_corpus(args.manifest, args.out, args.documents_dir)
        print(f"ingested {len(sources)} documents into {paths.relative(args.out)}")
        return 0
    elif args.command == "code":
        from ..codebook import load_codebook
        from ..coding import SEGMENT_COLUMNS

        texts = read_texts(args.out)
        segments = code_documents(texts, load_codebook(args.codebook))
        sources = read_table(args.out / "sources.csv", required=SOURCE_COLUMNS)
        covered = coverage(segments, sources)
        write_table(segments, args.out / "segments.csv", SEGMENT_COLUMNS)
        write_table(covered, args.out / "coverage.csv")
        print(f"{len(segments)} dictionary segments in {paths.relative(args.out)}")
        return 0
    else:
        _, errors = fetch_documents(args.manifest, args.dest, args.base_url, args.timeout)
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
    return 2 if errors else 0
