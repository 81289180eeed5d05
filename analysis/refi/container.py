"""The project container and XML safety: what the REFI-QDA reader opens, before it reads.

A project arrives as a ``.qdpx`` (zip) archive or a bare ``.qde`` file with a
``sources`` folder beside it; either may be hostile. :class:`Container` opens both the
same way and refuses, with one :class:`~analysis.errors.DataError` and before anything
is extracted:

* archive entries whose path escapes the project folder (absolute, a drive letter,
  ``..``, also written with backslashes), and symbolic links out of the folder;
* zip bombs: an entry over the spec's 2^31 - 1 bytes, too many entries or bytes in all,
  or an entry or archive expanding more than :data:`RATIO_LIMIT`-fold (:func:`check_zip`);
* XML with a DTD or entity declarations (:func:`parse_xml`), so that nothing is
  expanded or fetched.

:func:`kid`, :func:`kids`, :func:`local_name` and :func:`inner_text` read the parsed
tree by local name, whatever namespace version an exporter wrote.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import DataError

__all__ = ["ENTRY_LIMIT", "TOTAL_LIMIT", "COUNT_LIMIT", "RATIO_LIMIT", "RATIO_FLOOR",
           "safe_name", "check_zip", "Container", "read_capped", "parse_xml",
           "local_name", "kids", "kid", "inner_text"]

#: Spec §8.5: no internal file may exceed 2^31 - 1 bytes.
ENTRY_LIMIT = 2**31 - 1
#: All entries together, as declared: a budget for the whole archive (the importer reads
#: the project and its text sources; a QDA project's text is far smaller than this).
TOTAL_LIMIT = 256 * 1024**2
#: Entries in one archive.
COUNT_LIMIT = 10_000
#: The archive as a whole, once over RATIO_FLOOR bytes, and any entry over RATIO_FLOOR
#: bytes may not expand more than this from its compressed size.
RATIO_LIMIT = 200
#: Below this an archive or entry is exempt from the ratio: a short run of spaces
#: compresses 200-fold honestly, and so little cannot be a bomb.
RATIO_FLOOR = 1 << 20


def safe_name(name: str) -> str | None:
    """The archive name with '/' separators, or None when it would escape the folder.

    >>> safe_name("sources\\\\P01.txt"), safe_name("../etc/passwd"), safe_name("C:/x.txt")
    ('sources/P01.txt', None, None)
    """
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return None
    if ".." in name.split("/"):
        return None
    return name


def check_zip(zf: zipfile.ZipFile, path, inside: str = "") -> None:
    """Refuse a hostile archive before anything is read from it.

    Raises :class:`DataError` for an entry whose path escapes the folder (absolute,
    a drive letter, ``..``, also written with backslashes), an entry over the spec's
    2^31 - 1 bytes, more than 256 MiB or 10,000 entries in all, or an entry or the
    whole archive over 1 MiB that expands more than 200-fold (many small entries are a
    bomb as well as one large one).

    Parameters
    ----------
    zf : zipfile.ZipFile
        The open archive; only its directory is read.
    path : path-like
        The file to name in the error.
    inside : str
        The place of an archive within an archive (``"sources/P01.docx!"``).

    Examples
    --------
    >>> import io
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as zf:
    ...     zf.writestr("../escape.txt", "x")
    >>> check_zip(zipfile.ZipFile(buffer), "study.qdpx")
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: study.qdpx:../escape.txt: refused: the archive entry's path escapes the project folder (absolute, '..' or backslashes)
    """
    infos = zf.infolist()
    if len(infos) > COUNT_LIMIT:
        raise DataError(path, inside.rstrip("!") or None,
                        f"refused: the archive holds {len(infos):,} entries "
                        f"(limit {COUNT_LIMIT:,})")
    total = packed = 0
    for info in infos:
        where = f"{inside}{info.filename}"
        if safe_name(info.filename) is None:
            raise DataError(path, where, "refused: the archive entry's path escapes the "
                                         "project folder (absolute, '..' or backslashes)")
        if info.file_size > ENTRY_LIMIT:
            raise DataError(path, where, f"refused: the entry would expand to "
                                         f"{info.file_size:,} bytes, over the REFI-QDA "
                                         f"limit of {ENTRY_LIMIT:,}")
        total += info.file_size
        packed += info.compress_size
    if total > TOTAL_LIMIT:
        raise DataError(path, inside.rstrip("!") or None,
                        f"refused: the archive would expand to {total:,} bytes "
                        f"(limit {TOTAL_LIMIT:,})")
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > RATIO_LIMIT:
            raise DataError(path, f"{inside}{info.filename}",
                            f"refused: the entry expands {ratio:,}-fold (limit "
                            f"{RATIO_LIMIT}), as a zip bomb does")
    if total > RATIO_FLOOR and total // max(packed, 1) > RATIO_LIMIT:
        raise DataError(path, inside.rstrip("!") or None,
                        f"refused: the archive expands {total // max(packed, 1):,}-fold "
                        f"(limit {RATIO_LIMIT}), as a zip bomb does")


class Container:
    """The ``.qde`` and its ``sources`` folder, read from a zip or a directory with caps.

    :meth:`open` reads the project XML into ``qde`` (bytes; ``qde_name`` names it) and
    indexes the source files; :meth:`source_file` reads one of them on demand.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "p.qde").write_text("<Project/>")
    >>> (folder / "Sources").mkdir(); _ = (folder / "Sources" / "P01.txt").write_text("Hi")
    >>> c = Container(folder / "p.qde"); c.open()
    >>> c.qde, c.source_file("p01.TXT"), c.source_file("P02.txt")
    (b'<Project/>', ('Sources/P01.txt', b'Hi'), None)
    """

    def __init__(self, path: Path):
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.files: dict[str, str] = {}  # casefolded name in sources/ -> member or file

    # -- opening
    def open(self) -> None:
        if not self.path.is_file():
            raise DataError(self.path, None, "file not found")
        with open(self.path, "rb") as fh:
            head = fh.read(4096)
        if head.startswith(b"PK"):
            self._open_zip()
        elif _looks_like_xml(head):
            if self.path.is_symlink() and not self.path.resolve().is_relative_to(
                    self.path.parent.resolve()):
                raise DataError(self.path, None, "refused: a symbolic link out of its folder")
            self.qde_name = self.path.name
            self.qde = read_capped(self.path)
            self._index_directory(self.path.parent)
        else:
            raise DataError(self.path, None, "not a REFI-QDA project: neither a .qdpx "
                                             "(zip) archive nor a .qde (XML) file")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def _open_zip(self) -> None:
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise DataError(self.path, None, f"not a REFI-QDA project: a damaged zip "
                                             f"archive ({exc})") from None
        check_zip(self.zip, self.path)
        members = {safe_name(i.filename): i for i in self.zip.infolist() if not i.is_dir()}
        qdes = sorted(n for n in members if n.casefold().endswith(".qde"))
        at_root = [n for n in qdes if "/" not in n]
        if len(qdes) == 1:
            chosen = qdes[0]
        elif any(n.casefold() == "project.qde" for n in at_root):
            chosen = next(n for n in at_root if n.casefold() == "project.qde")
        elif len(at_root) == 1:
            chosen = at_root[0]
        elif not qdes:
            raise DataError(self.path, None, "not a REFI-QDA project: the archive holds "
                                             "no .qde project file")
        else:
            raise DataError(self.path, None, f"the archive holds {len(qdes)} .qde files "
                                             f"({', '.join(qdes[:3])}); expected one")
        self.qde_name = chosen
        self.qde = self._read_member(members[chosen])
        base = PurePosixPath(chosen).parent
        for name, info in members.items():
            parts = PurePosixPath(name).parts
            rel = parts[len(base.parts):] if parts[:len(base.parts)] == base.parts else ()
            if len(rel) >= 2 and rel[0].casefold() == "sources":
                self.files["/".join(rel[1:]).casefold()] = info

    def _index_directory(self, folder: Path) -> None:
        # a symlink may point anywhere (/etc/passwd): only files that stay in the folder
        inside = folder.resolve()
        for entry in sorted(folder.iterdir()):
            if entry.is_dir() and entry.name.casefold() == "sources":
                if not entry.resolve().is_relative_to(inside):
                    raise DataError(entry, None, "refused: a symbolic link out of the "
                                                 "project folder")
                for f in sorted(entry.iterdir()):
                    if f.is_symlink() and not f.resolve().is_relative_to(inside):
                        raise DataError(f, None, "refused: a symbolic link out of the "
                                                 "project folder")
                    if f.is_file():
                        self.files[f.name.casefold()] = f

    # -- reading
    def _read_member(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self.zip.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError,
                NotImplementedError, OSError) as exc:
            raise DataError(self.path, info.filename,
                            f"cannot read the archive entry ({exc})") from None
        if len(data) > info.file_size:
            raise DataError(self.path, info.filename, "refused: the entry is larger than "
                                                      "its header says")
        return data

    def source_file(self, ref: str) -> tuple[str, bytes] | None:
        """(path in archive, bytes) of a source file named in the project, or None."""
        key = ref.casefold()
        hit = self.files.get(key)
        if hit is None:
            return None
        if isinstance(hit, zipfile.ZipInfo):
            return hit.filename, self._read_member(hit)
        return f"{hit.parent.name}/{hit.name}", read_capped(hit)


def _looks_like_xml(head: bytes) -> bool:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return True
    return head.lstrip().startswith(b"<")


def read_capped(path: Path) -> bytes:
    """The bytes of a file, refused (:class:`DataError`) over :data:`ENTRY_LIMIT` bytes."""
    if path.stat().st_size > ENTRY_LIMIT:
        raise DataError(path, None, f"refused: larger than the REFI-QDA limit of "
                                    f"{ENTRY_LIMIT:,} bytes")
    return path.read_bytes()


class _Refused(Exception):
    """A DTD or entity declaration met while pre-scanning XML."""


def parse_xml(data: bytes, path, where: str | None):
    """Parse without DTDs or entities; every failure is one DataError naming the place.

    A first pass with expat, and no handlers but for the DOCTYPE and entity declarations,
    refuses any DTD the way defusedxml's ``forbid_dtd`` does; only then does the C
    ElementTree parser build the tree (ten times faster than defusedxml's Python one),
    which without a DTD has no entity to expand or fetch.

    Parameters
    ----------
    data : bytes
        The XML document.
    path : path-like
        The file to name in an error.
    where : str or None
        The entry inside an archive, put before the line number in an error.

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element.

    Examples
    --------
    >>> parse_xml(b'<!DOCTYPE p [<!ENTITY e "x">]><p>&e;</p>', "p.qde", None)
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: p.qde: refused: the XML declares a DTD or entities; REFI-QDA files need neither
    """
    import xml.etree.ElementTree as ET
    from xml.parsers import expat

    def refuse(*_):
        raise _Refused

    scanner = expat.ParserCreate()
    scanner.StartDoctypeDeclHandler = refuse
    scanner.EntityDeclHandler = refuse
    scanner.ExternalEntityRefHandler = refuse
    try:
        scanner.Parse(data, True)
        return ET.fromstring(data)
    except _Refused:
        raise DataError(path, where, "refused: the XML declares a DTD or entities; "
                                     "REFI-QDA files need neither") from None
    except (expat.ExpatError, ET.ParseError) as exc:
        line = getattr(exc, "lineno", None) or exc.position[0]
        raise DataError(path, f"{where}:{line}" if where else line,
                        f"not well-formed XML ({expat.ErrorString(exc.code)})") from None


# --------------------------------------------------------------------------- XML access

def local_name(tag) -> str:
    """The tag without its namespace (``""`` for comments and processing instructions).

    >>> local_name("{urn:QDA-XML:project:1.0}Code")
    'Code'
    """
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def kids(el, name: str) -> list:
    """The children of ``el`` (None: none) with the local name ``name``, in order.

    >>> import xml.etree.ElementTree as ET
    >>> root = ET.fromstring('<C xmlns="urn:x"><Code name="a"/><Note/><Code name="b"/></C>')
    >>> [c.get("name") for c in kids(root, "Code")], kids(None, "Code")
    (['a', 'b'], [])
    """
    return [c for c in el if local_name(c.tag) == name] if el is not None else []


def kid(el, name: str):
    """The first child of ``el`` (None: none) with the local name ``name``, or None.

    >>> import xml.etree.ElementTree as ET
    >>> root = ET.fromstring('<Code xmlns="urn:x"><Description>Money</Description></Code>')
    >>> inner_text(kid(root, "Description")), kid(root, "Note")
    ('Money', None)
    """
    for c in (el if el is not None else ()):
        if local_name(c.tag) == name:
            return c
    return None


def inner_text(el) -> str:
    """All the text inside ``el``, its descendants' included; ``""`` for None."""
    return "".join(el.itertext()) if el is not None else ""
