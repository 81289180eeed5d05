"""The document corpus: the manifest, ingestion into normalised text, and fetching."""

from .ingest import (DOCUMENT_TYPES, FORMATS, MANIFEST_COLUMNS, SOURCE_COLUMNS,  # noqa: F401
                     code_documents, coverage, fetch_documents, ingest_corpus, ingest_document,
                     ingest_text, load_manifest, main, read_texts, repair_conversion,
                     validate_all)
