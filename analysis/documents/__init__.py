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
  (through :func:`analysis.coding.dictionary_code`) and measure coverage per code;
  :func:`code_corpus` writes both for the ingested texts (the documents build stage).

Modules, from the bottom up: :mod:`~analysis.documents.convert` (one file into normalised
text), :mod:`~analysis.documents.manifest`, :mod:`~analysis.documents.ingest` (the corpus:
texts, sources, dictionary coding, coverage), :mod:`~analysis.documents.fetch` and
:mod:`~analysis.documents.cli`.

Command line: ``python -m analysis documents {validate,ingest,fetch,code} ...``.

Examples
--------
>>> text, digest = ingest_text("A *line-broken*\\npara-\\ngraph.\\n\\n12\\n", fmt="md")
>>> text
'A line-broken paragraph.\\n'
"""

from .cli import main
from .convert import FORMATS, REPAIR_COLUMNS, ingest_document, ingest_text, repair_conversion
from .fetch import fetch_documents
from .ingest import (SOURCE_COLUMNS, code_corpus, code_documents, coverage, ingest_corpus,
                     read_texts)
from .manifest import DOCUMENT_TYPES, MANIFEST_COLUMNS, load_manifest, validate_all

__all__ = [
    "MANIFEST_COLUMNS", "SOURCE_COLUMNS", "DOCUMENT_TYPES", "FORMATS", "REPAIR_COLUMNS",
    "load_manifest", "validate_all", "ingest_text", "ingest_document", "repair_conversion",
    "ingest_corpus", "read_texts", "code_corpus", "code_documents", "coverage",
    "fetch_documents", "main",
]
