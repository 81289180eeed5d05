"""Document files into normalised text: Markdown, HTML, PDF and Word markup and page
furniture removed, line-broken paragraphs joined, known PDF-to-text damage repaired."""

from __future__ import annotations

import functools
import html
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

from .. import paths
from ..errors import DataError
from ..io import decode_text, sha256_text
from ..schema import check_choice

#: file suffix -> format name
FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".pdf": "pdf", ".docx": "docx"}


# --------------------------------------------------------------------------- cleaning

_PAGE_NUMBER = re.compile(r"\s*(?:(?:page|p\.)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*",
                          re.IGNORECASE)
# a run of spaces becomes one space; a single space, already one, is not a match (a
# match per space made this the slowest step of ingesting a long text)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}"
                     r"|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_CONTINUES = re.compile(r"[a-z](?![.)]\s)")
_SENTENCE_END = re.compile(r"[.!?:;]['\"\u2019\u201d)]*$")
# (the look-behind starts a match only at a word's first letter: without it, every word
# was tried again from each of its letters)
_HYPHEN_BREAK = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-[ \t]*\n[ \t]*([a-z]+)")
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n")


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
    if not _LINE_END_HYPHEN.search(text):
        return text
    words: Counter = Counter()

    def join(m: re.Match) -> str:
        if not words:  # counted at the first break only: most texts have none
            words.update(w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text))
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
    check_choice("fmt", fmt, ("txt", "md", "html"))
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if fmt == "md":
        text = _markdown_to_text(text)
    elif fmt == "html":
        text = _html_to_text(text, "<text>")
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
