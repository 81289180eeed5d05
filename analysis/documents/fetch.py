"""Downloading the documents the manifest lists but the repository does not ship
(``python -m analysis documents fetch``; needs the network, never run by ``make all``)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .. import paths
from ..errors import DataError
from ..io import atomic_write, csv_line, sha256_file, table_to_csv
from .convert import FORMATS
from .manifest import MANIFEST_COLUMNS, load_manifest

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
