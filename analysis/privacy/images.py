"""The words an image file carries besides its pixels: what the leak check reads in a
JPEG, PNG, GIF, TIFF, WebP, BMP, EMF or WMF file, standing alone or inside a Word file,
a spreadsheet or an archive.

An image can carry a name in its metadata: the camera owner or author in Exif, a caption
in XMP or IPTC, a comment, a PNG text chunk, the description of its colour profile, and
(in a vector image, EMF and WMF) every piece of text it draws. Its pixels are no finding;
reading them as text would only yield false alarms. An image that cannot be parsed is
reported, never passed: :func:`image_texts` raises :class:`ImageError`.

The layouts followed: JPEG (ITU T.81 markers, JFIF, Exif 2.32 APP1, Adobe XMP part 3
APP1 and extended XMP, ICC APP2, Photoshop APP13 image resources with IPTC IIM), PNG
(PNG 1.2 and the eXIf chunk), GIF89a (comment, plain text and application extensions),
TIFF 6.0 IFDs (also inside Exif), WebP (RIFF: EXIF, XMP and ICCP chunks), BMP (header
only), ICC.1 profiles (desc, text and mluc tags), EMF ([MS-EMF] text and comment
records, EMF+ DrawString and DrawDriverString of [MS-EMFPLUS]) and WMF ([MS-WMF]
TEXTOUT, EXTTEXTOUT and ESCAPE records).

>>> import struct, zlib
>>> def chunk(kind, body):
...     return (struct.pack(">I", len(body)) + kind + body
...             + struct.pack(">I", zlib.crc32(kind + body)))
>>> png = (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
...        + chunk(b"tEXt", b"Author\\0Ann") + chunk(b"IDAT", zlib.compress(b"\\0\\0"))
...        + chunk(b"IEND", b""))
>>> image_texts(png)
[('PNG tEXt Author', 'Author\\nAnn')]
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import Callable

__all__ = ["ImageError", "Location", "image_kind", "image_texts", "IMAGE_SUFFIXES"]

#: File suffixes read as images (an ``.emz``/``.wmz`` is a gzipped EMF/WMF: the leak
#: check inflates it first).
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".tif", ".tiff",
                  ".webp", ".bmp", ".dib", ".emf", ".wmf"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ImageError(ValueError):
    """An image that cannot be parsed (truncated, corrupt, or of a kind not read)."""


class Location(str):
    """A text standing for coordinates (Exif GPS): a finding of its own kind, since
    numbers identify a place as well as words do."""


# ----------------------------------------------------------------------------- dispatch

def image_kind(data: bytes, suffix: str = "") -> str | None:
    """The kind of image ``data`` holds, from its first bytes (and, for BMP, which has
    no distinctive magic, its suffix); None when it is no image read here.

    >>> image_kind(b"\\xff\\xd8\\xff\\xe0"), image_kind(b"II*\\0"), image_kind(b"text")
    ('jpeg', 'tiff', None)
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return "tiff"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] == b"\x01\0\0\0" and data[40:44] == b" EMF":
        return "emf"
    if data[:4] == b"\xd7\xcd\xc6\x9a" or data[:6] in (b"\x01\0\x09\0\0\x03", b"\x02\0\x09\0\0\x03",
                                                         b"\x01\0\x09\0\0\x01", b"\x02\0\x09\0\0\x01"):
        return "wmf"
    if suffix in (".bmp", ".dib") and data[:2] == b"BM":
        return "bmp"
    return None


def image_texts(data: bytes, suffix: str = "", inflate: Callable | None = None
                ) -> list[tuple[str, str]]:
    """``(place, text)`` of every piece of text ``data``, an image, carries.

    Parameters
    ----------
    data : bytes
        The image file.
    suffix : str
        Its suffix (lower case, with the dot), for the kinds known only by it.
    inflate : callable, optional
        ``inflate(compressed, where) -> bytes`` for zlib streams (PNG zTXt, iTXt, iCCP);
        the leak check passes one that counts against its expansion budget.

    Raises
    ------
    ImageError
        The image cannot be parsed, or is of a kind not read here.
    """
    kind = image_kind(data, suffix)
    if kind is None:
        raise ImageError(f"not an image of a kind read here ({suffix or 'no suffix'})")
    inflate = inflate or _inflate
    reader = {"jpeg": _jpeg, "png": _png, "gif": _gif, "tiff": _tiff_file, "webp": _webp,
              "emf": _emf, "wmf": _wmf, "bmp": _bmp}[kind]
    try:
        return reader(data, inflate)
    except ImageError:
        raise
    except (struct.error, IndexError, ValueError, UnicodeError, zlib.error) as exc:
        raise ImageError(f"corrupt {kind.upper()} ({type(exc).__name__})") from None


def _inflate(data: bytes, where: str) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, 64 * 2**20)
    if inflater.unconsumed_tail:
        raise ImageError(f"{where}: compressed text larger than 64 MiB")
    return out


def _latin1(data: bytes) -> str:
    """Bytes of unknown layout as text: Latin-1, NULs as line breaks."""
    return data.decode("latin-1").replace("\0", "\n")


def _utf8(data: bytes) -> str:
    """Text that should be UTF-8 (Exif ASCII in practice, XMP, IPTC): else Latin-1."""
    try:
        return data.decode("utf-8").replace("\0", "\n")
    except UnicodeDecodeError:
        return _latin1(data)


def _utf16(data: bytes, order: str = "le") -> str:
    data = data[: len(data) // 2 * 2]
    return data.decode(f"utf-16-{order}", "replace").replace("\0", "\n")


def _need(data: bytes, end: int, what: str) -> None:
    if end > len(data):
        raise ImageError(f"truncated {what}")


# ----------------------------------------------------------------------------- TIFF / Exif

_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4,
                    12: 8, 13: 4}
#: Tags pointing to further IFDs: Exif, GPS, Interoperability, SubIFDs.
_IFD_POINTERS = {34665: "Exif", 34853: "GPS", 40965: "Interop", 330: "SubIFD"}
#: Tags of text in UTF-16LE bytes (Windows XP's XPTitle ... XPSubject).
_XP_TAGS = {0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}
#: Tags whose bytes hold no words: JPEG tables of a compressed TIFF, the CFA pattern.
_BINARY_TAGS = {347, 0xA302, 0x828E}
_MAX_IFDS = 256


def tiff_texts(data: bytes, where: str, inflate: Callable = _inflate) -> list[tuple[str, str]]:
    """Text of every IFD entry of a TIFF structure (a TIFF file, an Exif block).

    ASCII values are read as text, byte and undefined values as the tag's text
    (UTF-16 for the XP tags, the character code of UserComment, XML for XMP, IPTC,
    Photoshop resources, ICC profiles) or, when the layout is unknown (a maker note), as
    Latin-1. Numbers are not words and are skipped, except the GPS position: a GPS IFD
    with a latitude or longitude gives a :class:`Location`.
    """
    if data[:2] == b"II":
        order = "<"
    elif data[:2] == b"MM":
        order = ">"
    else:
        raise ImageError(f"{where}: no TIFF byte order mark")
    magic = struct.unpack(order + "H", data[2:4])[0]
    if magic == 43:
        raise ImageError(f"{where}: BigTIFF is not read")
    if magic != 42:
        raise ImageError(f"{where}: not a TIFF structure")
    texts: list[tuple[str, str]] = []
    queue = [(struct.unpack(order + "I", data[4:8])[0], "IFD0")]
    seen: set[int] = set()
    n_ifd = 0
    while queue:
        offset, name = queue.pop(0)
        if offset == 0 or offset in seen:
            continue
        seen.add(offset)
        n_ifd += 1
        if n_ifd > _MAX_IFDS:
            raise ImageError(f"{where}: more than {_MAX_IFDS} IFDs")
        _need(data, offset + 2, f"{where} {name}")
        count = struct.unpack(order + "H", data[offset:offset + 2])[0]
        _need(data, offset + 2 + 12 * count + 4, f"{where} {name}")
        gps_position = False
        for i in range(count):
            entry = offset + 2 + 12 * i
            tag, typ, n = struct.unpack(order + "HHI", data[entry:entry + 8])
            size = _TIFF_TYPE_SIZES.get(typ, 0) * n
            if size <= 4:
                value = data[entry + 8:entry + 8 + size]
            else:
                at = struct.unpack(order + "I", data[entry + 8:entry + 12])[0]
                _need(data, at + size, f"{where} {name} tag {tag}")
                value = data[at:at + size]
            place = f"{where} {name} tag {tag}"
            if tag in _IFD_POINTERS and typ in (4, 13):
                pointers = struct.unpack(order + "I" * n, value)
                queue += [(p, f"{_IFD_POINTERS[tag]}IFD") for p in pointers]
            elif name == "GPSIFD" and tag in (2, 4) and n:
                gps_position = True
            elif typ == 2:
                texts.append((place, _utf8(value)))
            elif typ in (1, 6, 7) and value and tag not in _BINARY_TAGS:
                texts += _tag_bytes(tag, value, place, order, inflate)
        if gps_position:
            texts.append((f"{where} {name}", Location("GPS latitude/longitude")))
        queue.append((struct.unpack(order + "I", data[offset + 2 + 12 * count:
                                                       offset + 6 + 12 * count])[0],
                      f"IFD{n_ifd}" if name.startswith("IFD") else name))
    return texts


def _tag_bytes(tag: int, value: bytes, place: str, order: str, inflate) -> list:
    if tag in _XP_TAGS:
        return [(place, _utf16(value, "le"))]
    if tag == 0x9286:  # UserComment: an 8-byte character code, then the comment
        code, comment = value[:8], value[8:]
        if code.startswith(b"UNICODE"):
            return [(place, _utf16(comment, "le" if order == "<" else "be"))]
        return [(place, _utf8(comment))]
    if tag == 700:  # XMP
        return [(place, _utf8(value))]
    if tag == 33723:  # IPTC-NAA
        return _iptc(value, place)
    if tag == 34377:  # Photoshop image resources
        return _photoshop(value, place, inflate)
    if tag == 34675:  # ICC profile
        return _icc(value, place)
    return [(place, _latin1(value))]


def _tiff_file(data: bytes, inflate) -> list[tuple[str, str]]:
    return tiff_texts(data, "TIFF", inflate)


# ----------------------------------------------------------------------------- IPTC, Photoshop, ICC

def _iptc(data: bytes, where: str) -> list[tuple[str, str]]:
    """IPTC IIM datasets: 0x1C, record, dataset, length (extended when its top bit is
    set), value."""
    texts, pos = [], 0
    while pos < len(data):
        if data[pos] != 0x1C:
            if not data[pos:].strip(b"\0"):
                break  # padding
            raise ImageError(f"{where}: not an IPTC dataset at byte {pos}")
        _need(data, pos + 5, where)
        record, dataset, length = data[pos + 1], data[pos + 2], struct.unpack(">H", data[pos + 3:pos + 5])[0]
        pos += 5
        if length & 0x8000:  # extended: the next (length & 0x7fff) bytes hold the length
            k = length & 0x7FFF
            _need(data, pos + k, where)
            length = int.from_bytes(data[pos:pos + k], "big")
            pos += k
        _need(data, pos + length, where)
        texts.append((f"{where} IPTC {record}:{dataset}", _utf8(data[pos:pos + length])))
        pos += length
    return texts


#: Photoshop resources of pixels (thumbnails) or of numbers only.
_PHOTOSHOP_SKIP = {0x0409, 0x040C, 0x0425, 0x03ED, 0x0400}


def _photoshop(data: bytes, where: str, inflate) -> list[tuple[str, str]]:
    """Photoshop image resource blocks (``8BIM``): IPTC, Exif, XMP and ICC are read in
    their own layouts; other resources as Latin-1 and as UTF-16 (Photoshop's strings)."""
    texts, pos = [], 0
    while pos + 12 <= len(data):
        if data[pos:pos + 4] not in (b"8BIM", b"MeSa", b"PHUT", b"AgHg", b"DCSR"):
            if not data[pos:].strip(b"\0"):
                break
            raise ImageError(f"{where}: not a Photoshop resource at byte {pos}")
        rid = struct.unpack(">H", data[pos + 4:pos + 6])[0]
        name_len = data[pos + 6]
        name = data[pos + 7:pos + 7 + name_len]
        pos += 6 + ((1 + name_len + 1) // 2 * 2)
        _need(data, pos + 4, where)
        size = struct.unpack(">I", data[pos:pos + 4])[0]
        pos += 4
        _need(data, pos + size, where)
        body = data[pos:pos + size]
        pos += size + (size & 1)
        place = f"{where} resource {rid}"
        if name:
            texts.append((place, _latin1(name)))
        if rid == 0x0404:
            texts += _iptc(body, place)
        elif rid in (0x0422, 0x0423):
            texts += tiff_texts(body[6:] if body.startswith(b"Exif\0") else body, place, inflate)
        elif rid == 0x0424:
            texts.append((place, _utf8(body)))
        elif rid == 0x040F:
            texts += _icc(body, place)
        elif rid not in _PHOTOSHOP_SKIP and body:
            texts += [(place, _latin1(body)), (f"{place} UTF-16", _utf16(body, "be"))]
    return texts


def _icc(data: bytes, where: str) -> list[tuple[str, str]]:
    """The text tags of an ICC profile: ``desc`` (ICC v2), ``text`` and ``mluc`` (v4)."""
    _need(data, 132, f"{where} ICC profile")
    if data[36:40] != b"acsp":
        raise ImageError(f"{where}: not an ICC profile")
    count = struct.unpack(">I", data[128:132])[0]
    _need(data, 132 + 12 * count, f"{where} ICC tag table")
    texts = []
    for i in range(count):
        sig, offset, size = struct.unpack(">4sII", data[132 + 12 * i:144 + 12 * i])
        _need(data, offset + size, f"{where} ICC tag")
        body = data[offset:offset + size]
        place = f"{where} ICC {sig.decode('latin-1')}"
        kind = body[:4]
        if kind == b"desc":
            n = struct.unpack(">I", body[8:12])[0]
            texts.append((place, _latin1(body[12:12 + n])))
        elif kind == b"text":
            texts.append((place, _latin1(body[8:])))
        elif kind == b"mluc":
            records, record_size = struct.unpack(">II", body[8:16])
            if record_size < 12:
                raise ImageError(f"{where}: bad ICC mluc record size")
            _need(body, 16 + records * record_size, f"{where} ICC mluc")
            for r in range(records):
                at = 16 + r * record_size
                length, start = struct.unpack(">II", body[at + 4:at + 12])
                _need(body, start + length, f"{where} ICC mluc")
                texts.append((place, _utf16(body[start:start + length], "be")))
    return texts


# ----------------------------------------------------------------------------- JPEG

_XMP_ID = b"http://ns.adobe.com/xap/1.0/\0"
_XMP_EXTENSION_ID = b"http://ns.adobe.com/xmp/extension/\0"
_STANDALONE_MARKERS = {0x01, 0xD8, *range(0xD0, 0xD8)}  # TEM, SOI, RSTn: no length
_MARKER_RX = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")


def _jpeg(data: bytes, inflate) -> list[tuple[str, str]]:
    """Segments of a JPEG up to its end (EOI): Exif, XMP (and extended XMP), ICC,
    Photoshop/IPTC, comments, any other application segment as Latin-1; JFIF/JFXX
    thumbnails and the compressed pixels are skipped; data after EOI is read (another
    JPEG, as in an MPF file, is read in turn; anything else as Latin-1)."""
    texts: list[tuple[str, str]] = []
    icc: dict[int, bytes] = {}
    extended: dict[bytes, dict[int, bytes]] = {}
    pos = 2
    while True:
        if pos >= len(data):
            raise ImageError("JPEG without its end marker (EOI)")
        if data[pos] != 0xFF:
            raise ImageError(f"JPEG: no marker at byte {pos}")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        _need(data, pos + 1, "JPEG marker")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            break
        if marker in _STANDALONE_MARKERS:
            continue
        _need(data, pos + 2, "JPEG segment")
        length = struct.unpack(">H", data[pos:pos + 2])[0]
        if length < 2:
            raise ImageError(f"JPEG: bad segment length at byte {pos}")
        _need(data, pos + length, "JPEG segment")
        body = data[pos + 2:pos + length]
        pos += length
        place = f"JPEG APP{marker - 0xE0}" if 0xE0 <= marker <= 0xEF else f"JPEG 0x{marker:02X}"
        if marker == 0xDA:  # start of scan: skip the compressed data to the next marker
            m = _MARKER_RX.search(data, pos)
            if m is None:
                raise ImageError("JPEG without its end marker (EOI)")
            pos = m.start()
        elif marker == 0xFE:
            texts.append(("JPEG comment", _utf8(body)))
        elif marker == 0xE1 and body.startswith(b"Exif\0"):
            texts += tiff_texts(body[6:], "JPEG Exif", inflate)
        elif marker == 0xE1 and body.startswith(_XMP_ID):
            texts.append(("JPEG XMP", _utf8(body[len(_XMP_ID):])))
        elif marker == 0xE1 and body.startswith(_XMP_EXTENSION_ID):
            rest = body[len(_XMP_EXTENSION_ID):]
            guid, offset = rest[:32], struct.unpack(">I", rest[36:40])[0]
            extended.setdefault(guid, {})[offset] = rest[40:]
        elif marker == 0xE2 and body.startswith(b"ICC_PROFILE\0"):
            icc[body[12]] = body[14:]
        elif marker == 0xE2 and body.startswith(b"MPF\0"):
            texts += tiff_texts(body[4:], "JPEG MPF", inflate)
        elif marker == 0xED and body.startswith(b"Photoshop 3.0\0"):
            texts += _photoshop(body[14:], "JPEG Photoshop", inflate)
        elif marker == 0xE0 and body[:5] in (b"JFIF\0", b"JFXX\0"):
            continue  # version, density and a thumbnail's pixels
        elif 0xE0 <= marker <= 0xEF:
            texts.append((place, _latin1(body)))
    if icc:
        texts += _icc(b"".join(icc[k] for k in sorted(icc)), "JPEG")
    for guid, parts in sorted(extended.items()):
        texts.append((f"JPEG extended XMP {guid.decode('latin-1')}",
                      _utf8(b"".join(parts[k] for k in sorted(parts)))))
    trailer = data[pos:]
    if trailer.startswith(b"\xff\xd8\xff"):
        texts += [(f"appended {p}", t) for p, t in _jpeg(trailer, inflate)]
    elif trailer.strip(b"\0\r\n \xff"):
        texts.append(("JPEG data after its end", _latin1(trailer)))
    return texts


# ----------------------------------------------------------------------------- PNG

# chunks that hold pixels or numbers only; every other chunk is read as text
_PNG_BINARY_CHUNKS = {"IHDR", "PLTE", "IDAT", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT",
                      "bKGD", "hIST", "pHYs", "sPLT", "tIME", "acTL", "fcTL", "fdAT",
                      "cICP", "mDCv", "cLLi"}


def _png(data: bytes, inflate) -> list[tuple[str, str]]:
    """Words a PNG can carry: text chunks (tEXt, zTXt, iTXt), Exif (eXIf, read as a
    TIFF structure), the ICC profile's name and text tags (iCCP) and any other
    ancillary chunk, read as Latin-1."""
    texts, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        ctype = data[pos + 4:pos + 8].decode("latin-1")
        body = data[pos + 8:pos + 8 + length]
        if pos + 12 + length > len(data):  # its data or CRC cut off
            raise ImageError(f"truncated PNG chunk {ctype} at byte {pos}")
        keyword, _, rest = body.partition(b"\0")
        where = f"PNG {ctype} {keyword.decode('latin-1')}"
        if ctype == "tEXt":
            texts.append((where, keyword.decode("latin-1") + "\n" + rest.decode("latin-1")))
        elif ctype == "zTXt":
            texts.append((where, keyword.decode("latin-1") + "\n"
                          + inflate(rest[1:], where).decode("latin-1")))
        elif ctype == "iTXt" and len(rest) >= 2:
            compressed, rest = rest[0], rest[2:]
            _language, _, rest = rest.partition(b"\0")
            translated, _, value = rest.partition(b"\0")
            value = inflate(value, where) if compressed else value
            texts.append((where, keyword.decode("latin-1") + "\n"
                          + translated.decode("utf-8", "replace") + "\n"
                          + value.decode("utf-8", "replace")))
        elif ctype == "iCCP":
            texts.append((where, keyword.decode("latin-1")))
            texts += _icc(inflate(rest[1:], where), where)
        elif ctype == "eXIf":
            texts += tiff_texts(body, "PNG eXIf", inflate)
        elif ctype == "IEND":
            break
        elif ctype not in _PNG_BINARY_CHUNKS:
            texts.append((f"PNG {ctype}", _latin1(body)))
        pos += 12 + length
    else:
        # chunks end at IEND or with the data (a PNG cut short after a whole chunk holds
        # no more words); a chunk cut short is an error
        if pos != len(data):
            raise ImageError(f"truncated PNG chunk at byte {pos}")
    return texts


# ----------------------------------------------------------------------------- GIF, WebP, BMP

def _gif_blocks(data: bytes, pos: int) -> tuple[bytes, int]:
    """The data sub-blocks from ``pos`` to their terminator, joined; and the position
    after it."""
    parts = []
    while True:
        _need(data, pos + 1, "GIF data block")
        n = data[pos]
        pos += 1
        if n == 0:
            return b"".join(parts), pos
        _need(data, pos + n, "GIF data block")
        parts.append(data[pos:pos + n])
        pos += n


def _gif(data: bytes, inflate) -> list[tuple[str, str]]:
    """GIF extensions: comments, plain text, application data (XMP); pixels skipped."""
    _need(data, 13, "GIF header")
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    texts = []
    while True:
        _need(data, pos + 1, "GIF block")
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x2C:  # image: descriptor, local colour table, LZW data
            _need(data, pos + 10, "GIF image descriptor")
            flags = data[pos + 9]
            pos += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
            _, pos = _gif_blocks(data, pos + 1)
        elif block == 0x21:
            _need(data, pos + 2, "GIF extension")
            label = data[pos + 1]
            if label == 0xFF:  # application: an identifier block, then its data
                _need(data, pos + 3, "GIF application extension")
                n = data[pos + 2]
                ident = data[pos + 3:pos + 3 + n]
                start = pos + 3 + n
                body, pos = _gif_blocks(data, start)
                if ident == b"XMP DataXMP":
                    # raw XMP: its own bytes (and a "magic trailer") pose as sub-blocks
                    texts.append(("GIF XMP", data[start:pos].decode("utf-8", "replace")))
                    continue
                if ident not in (b"NETSCAPE2.0", b"ANIMEXTS1.0"):  # loop counts
                    texts.append((f"GIF application {ident.decode('latin-1')}", _latin1(body)))
            else:
                body, pos = _gif_blocks(data, pos + 2)
                if label == 0xFE:
                    texts.append(("GIF comment", _latin1(body)))
                elif label == 0x01:
                    texts.append(("GIF plain text", _latin1(body[12:])))
        else:
            raise ImageError(f"GIF: unknown block 0x{block:02X} at byte {pos}")
    return texts


def _webp(data: bytes, inflate) -> list[tuple[str, str]]:
    """WebP chunks: EXIF, XMP and the ICC profile; VP8/VP8L/alpha/animation pixels
    skipped; any other chunk as Latin-1."""
    texts, pos = [], 12
    while pos + 8 <= len(data):
        ctype, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        _need(data, pos + 8 + size, f"WebP chunk {ctype!r}")
        body = data[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)
        if ctype == b"EXIF":
            texts += tiff_texts(body[6:] if body.startswith(b"Exif\0") else body, "WebP EXIF",
                                inflate)
        elif ctype == b"XMP ":
            texts.append(("WebP XMP", _utf8(body)))
        elif ctype == b"ICCP":
            texts += _icc(body, "WebP")
        elif ctype not in (b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"):
            texts.append((f"WebP {ctype.decode('latin-1')}", _latin1(body)))
    return texts


def _bmp(data: bytes, inflate) -> list[tuple[str, str]]:
    """A BMP holds a header and pixels, and no text: its header is checked only."""
    _need(data, 18, "BMP header")
    size, header = struct.unpack("<I", data[2:6])[0], struct.unpack("<I", data[14:18])[0]
    if header not in (12, 16, 40, 52, 56, 64, 108, 124) or size > len(data) + 2:
        raise ImageError("not a BMP file")
    return []


# ----------------------------------------------------------------------------- EMF, WMF

_EMF_TEXT_W, _EMF_TEXT_A, _EMF_POLY_A, _EMF_POLY_W = 84, 83, 96, 97
_EMF_SMALLTEXT, _EMF_COMMENT, _EMF_EOF = 108, 70, 14


def _emf(data: bytes, inflate) -> list[tuple[str, str]]:
    """EMF records: the header's description, every text drawn (ExtTextOutW/A,
    PolyTextOutW/A, SmallTextOut) and comments (EMF+ strings drawn, other comments as
    Latin-1 and UTF-16)."""
    texts, pos, n = [], 0, 0
    while pos + 8 <= len(data):
        rtype, size = struct.unpack("<II", data[pos:pos + 8])
        if size < 8 or size % 4:
            raise ImageError(f"EMF: bad record size at byte {pos}")
        _need(data, pos + size, "EMF record")
        rec = data[pos:pos + size]
        n += 1
        where = f"EMF record {n}"
        if rtype == 1:
            ndesc, offdesc = struct.unpack("<II", rec[60:68]) if size >= 68 else (0, 0)
            if ndesc:
                _need(rec, offdesc + 2 * ndesc, "EMF description")
                texts.append((f"{where} description", _utf16(rec[offdesc:offdesc + 2 * ndesc])))
        elif rtype in (_EMF_TEXT_W, _EMF_TEXT_A):
            texts.append((where, _emr_text(rec, 36, rtype == _EMF_TEXT_W)))
        elif rtype in (_EMF_POLY_W, _EMF_POLY_A):
            count = struct.unpack("<I", rec[36:40])[0]
            _need(rec, 40 + 40 * count, "EMF PolyTextOut")
            texts += [(where, _emr_text(rec, 40 + 40 * i, rtype == _EMF_POLY_W))
                      for i in range(count)]
        elif rtype == _EMF_SMALLTEXT:
            chars, options = struct.unpack("<II", rec[16:24])
            at = 36 + (0 if options & 0x100 else 16)  # ETO_NO_RECT: no clipping rectangle
            wide = not options & 0x200  # ETO_SMALL_CHARS: 8-bit characters
            body = rec[at:at + chars * (2 if wide else 1)]
            texts.append((where, _utf16(body) if wide else _latin1(body)))
        elif rtype == _EMF_COMMENT:
            length = struct.unpack("<I", rec[8:12])[0]
            body = rec[12:12 + length]
            if body.startswith(b"EMF+"):
                texts += _emf_plus(body[4:], where)
            elif body:
                texts += [(where, _latin1(body)), (f"{where} UTF-16", _utf16(body))]
        elif rtype == _EMF_EOF:
            break
        pos += size
    else:
        raise ImageError("EMF without its end record (EOF)")
    return texts


def _emr_text(rec: bytes, at: int, wide: bool) -> str:
    """The string of an EmrText structure at ``at`` (offsets from the record's start)."""
    chars, offset = struct.unpack("<II", rec[at + 8:at + 16])
    body = rec[offset:offset + chars * (2 if wide else 1)]
    if len(body) < chars * (2 if wide else 1):
        raise ImageError("EMF: text outside its record")
    return _utf16(body) if wide else _latin1(body)


def _emf_plus(data: bytes, where: str) -> list[tuple[str, str]]:
    """EMF+ records in a comment: the strings of DrawString (0x401C) and of
    DrawDriverString (0x4036) when it holds characters rather than glyph indices."""
    texts, pos = [], 0
    while pos + 12 <= len(data):
        rtype, _flags, size, dsize = struct.unpack("<HHII", data[pos:pos + 12])
        if size < 12:
            raise ImageError("EMF+: bad record size")
        body = data[pos + 12:pos + 12 + dsize]
        if rtype == 0x401C and len(body) >= 28:
            length = struct.unpack("<I", body[8:12])[0]
            texts.append((f"{where} EMF+ DrawString", _utf16(body[28:28 + 2 * length])))
        elif rtype == 0x4036 and len(body) >= 16:
            options, _matrix, length = struct.unpack("<III", body[4:16])
            if options & 1:  # DriverStringOptionsCmapLookup: characters, not glyphs
                texts.append((f"{where} EMF+ DrawDriverString", _utf16(body[16:16 + 2 * length])))
        pos += size
    return texts


def _wmf(data: bytes, inflate) -> list[tuple[str, str]]:
    """WMF records: TEXTOUT, EXTTEXTOUT and ESCAPE (comments); everything else draws."""
    pos = 22 if data[:4] == b"\xd7\xcd\xc6\x9a" else 0  # the placeable header
    _need(data, pos + 18, "WMF header")
    header_words = struct.unpack("<H", data[pos + 2:pos + 4])[0]
    pos += 2 * header_words
    texts, n = [], 0
    while True:
        _need(data, pos + 6, "WMF record")
        words, function = struct.unpack("<IH", data[pos:pos + 6])
        if words < 3:
            raise ImageError(f"WMF: bad record size at byte {pos}")
        _need(data, pos + 2 * words, "WMF record")
        params = data[pos + 6:pos + 2 * words]
        n += 1
        where = f"WMF record {n}"
        if function == 0x0000:  # EOF
            break
        if function == 0x0521:  # TEXTOUT: length, string (padded to a word), y, x
            length = struct.unpack("<H", params[:2])[0]
            texts.append((where, _latin1(params[2:2 + length])))
        elif function == 0x0A32:  # EXTTEXTOUT: y, x, length, options, [rectangle], string
            length, options = struct.unpack("<HH", params[4:8])
            at = 8 + (8 if options & 0x0006 else 0)  # ETO_OPAQUE | ETO_CLIPPED
            texts.append((where, _latin1(params[at:at + length])))
        elif function == 0x0626:  # ESCAPE: function, byte count, data
            count = struct.unpack("<H", params[2:4])[0]
            texts.append((where, _latin1(params[4:4 + count])))
        pos += 2 * words
    return texts
