"""Reading and writing files safely and deterministically.

* :func:`atomic_write` writes to a temporary file beside the target and renames it,
  so a failed step never leaves a half-written output.
* :func:`write_table` / :func:`read_table` are the one CSV dialect of the compendium:
  UTF-8, LF line ends, a fixed column order, and a header check that names the file.
* :func:`decode_text` turns bytes into text, detecting UTF-8 (with or without BOM),
  UTF-16 with a BOM and Windows-1252, and refuses binary data instead of mangling it.
* :func:`sha256_file` hashes a file for provenance.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .errors import DataError


def atomic_write(path: os.PathLike | str, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Text is written as UTF-8 with the newlines given (no translation).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out" / "a.txt"
    >>> atomic_write(p, "x\\n").read_text()
    'x\\n'
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _atomic_file(path) as fh:
        fh.write(payload)
    return Path(path)


@contextlib.contextmanager
def _atomic_file(path: os.PathLike | str):
    """A binary file that replaces ``path`` when the block ends without an exception."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def table_to_csv(df, columns: Sequence[str] | None = None) -> str:
    """Render a DataFrame as the compendium's CSV text (UTF-8, LF, no index)."""
    if columns is not None:
        df = df.loc[:, list(columns)]
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def write_table(df, path: os.PathLike | str, columns: Sequence[str] | None = None) -> Path:
    """Write ``df`` as CSV atomically; ``columns`` fixes the order when given.

    The bytes are those of :func:`table_to_csv` encoded as UTF-8, streamed to the file
    rather than built as one string (a large table would need its size twice over).
    """
    if columns is not None:
        df = df.loc[:, list(columns)]
    with _atomic_file(path) as fh:
        df.to_csv(fh, index=False, lineterminator="\n", encoding="utf-8")
    return Path(path)


def read_table(
    path: os.PathLike | str,
    required: Iterable[str] = (),
    dtype=str,
    allow_extra: bool = True,
):
    """Read a CSV of the compendium, checking its header.

    Parameters
    ----------
    path : path-like
        The CSV file.
    required : iterable of str
        Columns that must be present; a missing one is a :class:`DataError` on line 1.
    dtype :
        Passed to :func:`pandas.read_csv`; strings by default so that validation,
        not pandas, decides what a value means.
    allow_extra : bool
        When False, columns beyond ``required`` are an error too.

    Returns
    -------
    pandas.DataFrame
        Empty cells are empty strings, never NaN.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "file not found")
    raw = path.read_bytes()
    text = decode_text(raw, path).text
    if not text.strip():
        raise DataError(path, None, "file is empty")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=dtype, keep_default_na=False,
                         na_values=[], skipinitialspace=False)
    except (pd.errors.ParserError, ValueError) as exc:
        line = _parser_error_line(str(exc))
        raise DataError(path, line, f"not a well-formed CSV table ({_first_line(exc)})") from None
    header = [str(c) for c in df.columns]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError(path, 1, f"header lacks column(s) {', '.join(missing)}; "
                                 f"found {_one_line(', '.join(header))}")
    if not allow_extra:
        extra = [c for c in header if c not in set(required)]
        if extra:
            raise DataError(path, 1, f"header has unexpected column(s) "
                                     f"{_one_line(', '.join(extra))}")
    dup = sorted({c for c in header if header.count(c) > 1})
    if dup or any(c.startswith("Unnamed:") for c in header):
        raise DataError(path, 1, "header has duplicate or empty column names")
    return df


def _one_line(text: str) -> str:
    """A quoted header cell may hold line breaks; an error message stays on one line."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _parser_error_line(message: str) -> int | None:
    import re

    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def csv_line(row_index: int) -> int:
    """The file line of DataFrame row ``row_index`` in a CSV with one header line.

    Valid when no quoted cell spans lines, which holds for the compendium's tables.

    >>> csv_line(0)
    2
    """
    return int(row_index) + 2


def record_lines(path: os.PathLike | str, n_rows: int) -> list[int]:
    """The file line on which each data record of a CSV starts, for error messages.

    Quoted cells may span lines and blank lines are skipped (as pandas does), so the
    line of row ``i`` is not always ``i + 2``. Line ends are counted as pandas counts
    them (CR, LF and CRLF alike). Falls back to :func:`csv_line` when the count of
    records does not match ``n_rows``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text('id,note\\n1,"two\\nlines"\\n\\n2,x\\n')
    >>> record_lines(p, 2)
    [2, 5]
    """
    import csv

    text = normalise_newlines(decode_text(Path(path).read_bytes(), path).text)
    reader = csv.reader(io.StringIO(text))
    starts, line = [], 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):  # pandas skips blank lines too
                starts.append(line)
            line = reader.line_num + 1
    except csv.Error:  # pandas read it, so only the line count is lost
        starts = []
    starts = starts[1:]  # the header
    return starts if len(starts) == n_rows else [csv_line(i) for i in range(n_rows)]


def sha256_file(path: os.PathLike | str) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes.

    >>> sha256_text("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, and how: ``encoding`` and whether a BOM was present."""

    text: str
    encoding: str
    bom: bool


# Bytes that Windows-1252 leaves undefined: their presence means the text is not 1252.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode_text(data: bytes, path: os.PathLike | str = "<bytes>") -> Decoded:
    """Decode bytes of a text file, detecting the encoding honestly.

    The order is: a BOM (UTF-8, UTF-16 LE/BE) decides; otherwise strict UTF-8;
    otherwise Windows-1252 (a superset of Latin-1's printable range, which is what
    Word and older transcription tools write on Windows) -- unless the bytes are
    UTF-8 with a few stray bytes, which is refused with the line and byte offset
    rather than read as mojibake (:func:`_refuse_broken_utf8`). Data with NUL bytes
    and no BOM is binary and raises :class:`DataError`, as do bytes that fit none.

    >>> decode_text("caf\\u00e9".encode("cp1252")).encoding
    'cp1252'
    >>> decode_text(b"\\xef\\xbb\\xbfhi").bom
    True
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(_strict(data[3:], "utf-8", path), "utf-8", True)
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return Decoded(_strict(data[2:], enc, path), "utf-16", True)
    if b"\x00" in data:
        raise DataError(path, None, "binary data (NUL bytes) where text was expected")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    _refuse_broken_utf8(data, first_bad, path)
    undefined = _CP1252_UNDEFINED.intersection(data)
    if undefined:
        at = min(data.index(b) for b in undefined)
        bad = data[at]
        line = data[:at].count(b"\n") + 1
        raise DataError(path, line, f"not valid UTF-8 (from byte {first_bad}) and not "
                                    f"Windows-1252 either (byte 0x{bad:02x}); re-save as UTF-8")
    return Decoded(data.decode("cp1252"), "cp1252", False)


def _refuse_broken_utf8(data: bytes, first_bad: int, path) -> None:
    """Refuse UTF-8 with stray bytes instead of reading it all as Windows-1252.

    The rule: if the bytes hold a well-formed multi-byte UTF-8 sequence, the file was
    written as UTF-8 and its invalid bytes are damage (a Latin-1 ``é`` pasted in, say).
    Genuine Windows-1252 text practically never contains one: it would need a
    lead byte such as ``Ã`` (0xC3) right before a symbol from 0x80-0xBF, i.e. mojibake.
    Pure ASCII plus Windows-1252 bytes cannot be told apart from Windows-1252, and is.

    >>> decode_text("Zo\\u00eb, ".encode() + b"caf\\xe9", "x.txt")  # caf + a Latin-1 e-acute
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: x.txt:1: not valid UTF-8 at byte 9 (0xe9) although the rest is UTF-8 (1 multi-byte character); fix that byte and re-save as UTF-8
    """
    text = data.decode("utf-8", errors="surrogateescape")
    good = sum(1 for c in text if c > "\x7f" and not "\udc80" <= c <= "\udcff")
    if good:
        line = data[:first_bad].count(b"\n") + 1
        raise DataError(path, line, f"not valid UTF-8 at byte {first_bad} "
                        f"(0x{data[first_bad]:02x}) although the rest is UTF-8 ({good} "
                        f"multi-byte character{'s' if good > 1 else ''}); fix that byte "
                        "and re-save as UTF-8")


def _strict(data: bytes, encoding: str, path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise DataError(path, line, f"invalid {encoding} despite its byte-order mark") from None


def normalise_newlines(text: str) -> str:
    r"""CRLF and lone CR become LF.

    >>> normalise_newlines("a\r\nb\rc")
    'a\nb\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")
