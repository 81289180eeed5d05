"""Tests for analysis.privacy.images and the leak check of images: the words an image
carries besides its pixels, in every kind of image, alone or inside Word files, archives,
notebooks and SVGs.

Every planted image is written here byte by byte from the format's specification (the
layout is spelled out beside each), or by Pillow (an independent writer) with the
metadata added by hand; the expected places follow from those layouts. The clean images
are Pillow's own output, which carries no metadata.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import privacy
from analysis.privacy import images

NAME = "Harriet Quill"
KEY = "original,replacement\nHarriet Quill,[Person 1]\nZoë Ann,[Person 2]\n"


# ---------------------------------------------------------------------------- image bytes

def pillow(fmt: str, **save) -> bytes:
    """An 8x8 image written by Pillow in ``fmt``, with no metadata but what ``save`` adds."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (203, 18, 171)).save(buf, fmt, **save)
    return buf.getvalue()


def tiff_one_ascii_tag(tag: int, text: str, order: str = "MM") -> bytes:
    """A TIFF structure with one ASCII tag, by hand from TIFF 6.0 section 2: the header
    (byte order, 42, offset of IFD0 = 8); IFD0 at 8 with one 12-byte entry (tag, type 2 =
    ASCII, count, value offset) and the next-IFD offset 0, so that a value longer than
    four bytes sits at 8 + 2 + 12 + 4 = 26."""
    e = ">" if order == "MM" else "<"
    value = text.encode("utf-8") + b"\0"
    return (order.encode() + struct.pack(e + "HI", 42, 8) + struct.pack(e + "H", 1)
            + struct.pack(e + "HHII", tag, 2, len(value), 26) + struct.pack(e + "I", 0) + value)


def tiff_with_gps() -> bytes:
    """IFD0 with one entry, GPSInfo (34853, LONG, 1, the GPS IFD's offset 26); the GPS
    IFD at 26 with one entry, GPSLatitude (2, RATIONAL, 3 values = 24 bytes at 44), then
    the three rationals 51/1, 30/1, 0/1."""
    return (b"MM\0*" + struct.pack(">I", 8)
            + struct.pack(">H", 1) + struct.pack(">HHII", 34853, 4, 1, 26) + struct.pack(">I", 0)
            + struct.pack(">H", 1) + struct.pack(">HHII", 2, 5, 3, 44) + struct.pack(">I", 0)
            + struct.pack(">6I", 51, 1, 30, 1, 0, 1))


def jpeg_with(*segments: tuple[int, bytes]) -> bytes:
    """Pillow's JPEG with segments ``(marker, body)`` inserted after SOI (FFD8): each
    is FF, the marker, a two-byte length that counts itself, then the body (T.81 B.1.1.4)."""
    clean = pillow("JPEG")
    inserted = b"".join(b"\xff" + bytes([m]) + struct.pack(">H", len(b) + 2) + b
                        for m, b in segments)
    return clean[:2] + inserted + clean[2:]


def png_with(*chunks: tuple[bytes, bytes]) -> bytes:
    """Pillow's PNG with chunks inserted after IHDR (8-byte signature, then IHDR: 4 length
    + 4 type + 13 data + 4 CRC = 25 bytes); each chunk is length, type, data, CRC-32."""
    clean = pillow("PNG")
    inserted = b"".join(struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
                        for t, b in chunks)
    return clean[:33] + inserted + clean[33:]


def gif_with_comment(text: str) -> bytes:
    """Pillow's GIF with a comment extension before its trailer (GIF89a: 0x21, label
    0xFE, data sub-blocks of at most 255 bytes, a zero-length terminator; 0x3B ends)."""
    clean = pillow("GIF")
    assert clean.endswith(b";")
    data = text.encode("latin-1")
    return clean[:-1] + b"\x21\xfe" + bytes([len(data)]) + data + b"\0" + b";"


def webp_with_exif(exif: bytes) -> bytes:
    """Pillow's (lossy, simple) WebP with an EXIF chunk appended; RIFF's size field
    (bytes 4-8, little-endian, everything after it) grows by the chunk (8 + data, even)."""
    clean = pillow("WEBP")
    chunk = b"EXIF" + struct.pack("<I", len(exif)) + exif + b"\0" * (len(exif) & 1)
    body = clean[8:] + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def emf(records: list[bytes], description: str = "") -> bytes:
    """An EMF by hand from [MS-EMF]: EMR_HEADER (2.3.4.2; type 1; 88 bytes: bounds and
    frame rectangles, " EMF" at 40, version, total bytes, record count, handles,
    reserved, nDescription and offDescription at 60 and 64, palette entries, device and
    millimetre sizes), an optional UTF-16 description right after it, the records,
    then EMR_EOF (2.3.4.1; type 14, 20 bytes)."""
    desc = description.encode("utf-16-le")
    desc += b"\0" * (-len(desc) % 4)
    eof = struct.pack("<IIIII", 14, 20, 0, 16, 20)
    header_size = 88 + len(desc)
    total = header_size + sum(map(len, records)) + len(eof)
    header = (struct.pack("<II", 1, header_size) + struct.pack("<4i", 0, 0, 100, 100)
              + struct.pack("<4i", 0, 0, 2540, 2540) + b" EMF"
              + struct.pack("<IIIHHIIIii ii", 0x10000, total, len(records) + 2, 1, 0,
                            len(description), 88 if description else 0, 0, 1024, 768, 320, 240))
    assert len(header) == 88
    return header + desc + b"".join(records) + eof


def emr_exttextoutw(text: str) -> bytes:
    """EMR_EXTTEXTOUTW ([MS-EMF] 2.3.5.8; type 84): bounds (16 bytes), graphics mode,
    x and y scales (4 each), then EmrText (2.2.5): reference point (8), Chars, offString,
    options (4 each), rectangle (16), offDx (4). The string therefore starts at 76 and
    the Dx array (4 bytes a character) follows it, padded to 4 bytes."""
    chars = text.encode("utf-16-le")
    chars += b"\0" * (-len(chars) % 4)
    dx_at = 76 + len(chars)
    size = dx_at + 4 * len(text)
    record = (struct.pack("<II4iIff", 84, size, 0, 0, 100, 100, 1, 1.0, 1.0)
              + struct.pack("<iiIIIiiiiI", 0, 0, len(text), 76, 0, 0, 0, 100, 100, dx_at)
              + chars + struct.pack(f"<{len(text)}I", *[10] * len(text)))
    assert len(record) == size
    return record


def wmf_with_text(text: str) -> bytes:
    """A WMF by hand from [MS-WMF]: META_PLACEABLE (2.3.2.3: key 9AC6CDD7, handle,
    bounding box, inch, reserved, checksum = XOR of its first ten 16-bit words), META_HEADER
    (2.3.2.2: type 1, header size 9 words, version 0x0300, size in words, objects, largest
    record, members), META_TEXTOUT (2.3.3.20: size in words, function 0x0521, string length,
    the string padded to a word, y, x) and META_EOF (size 3, function 0)."""
    string = text.encode("cp1252")
    padded = string + b"\0" * (len(string) & 1)
    textout = struct.pack("<IHH", (8 + len(padded) + 4) // 2, 0x0521, len(string)) + padded \
        + struct.pack("<hh", 10, 10)
    eof = struct.pack("<IH", 3, 0)
    words = (18 + len(textout) + len(eof)) // 2
    header = struct.pack("<HHHIHIH", 1, 9, 0x0300, words, 0, len(textout) // 2, 0)
    placeable = struct.pack("<IH4hHI", 0x9AC6CDD7, 0, 0, 0, 1000, 1000, 1440, 0)
    checksum = 0
    for (w,) in struct.iter_unpack("<H", placeable):
        checksum ^= w
    return placeable + struct.pack("<H", checksum) + header + textout + eof


XMP = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
       'syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description><dc:creator>'
       f'<rdf:Seq><rdf:li>{NAME}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>'
       '</x:xmpmeta>')
EXIF_ARTIST = b"Exif\0\0" + tiff_one_ascii_tag(315, NAME)  # Artist, TIFF 6.0 tag 315

#: (file name, bytes) of images that each carry the name once, in one place.
PLANTED = {
    "JPEG Exif Artist, big-endian": ("a.jpg", lambda: jpeg_with((0xE1, EXIF_ARTIST))),
    "JPEG Exif Artist, little-endian": ("a.jpg", lambda: jpeg_with(
        (0xE1, b"Exif\0\0" + tiff_one_ascii_tag(315, NAME, "II")))),
    "JPEG XMP": ("a.jpg", lambda: jpeg_with((0xE1, b"http://ns.adobe.com/xap/1.0/\0"
                                              + XMP.encode()))),
    "JPEG comment": ("a.jpg", lambda: jpeg_with((0xFE, NAME.encode()))),
    "JPEG Photoshop IPTC by-line": ("a.jpg", lambda: jpeg_with((0xED, (
        # APP13: "Photoshop 3.0\0", a resource block: 8BIM, id 0x0404 (IPTC), an empty
        # Pascal name padded to two bytes, the size, then the IPTC dataset 2:80 (By-line):
        # 0x1C, record 2, dataset 80, a two-byte length, the value
        b"Photoshop 3.0\0" + b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0"
        + struct.pack(">I", 5 + len(NAME)) + b"\x1c\x02\x50" + struct.pack(">H", len(NAME))
        + NAME.encode() + b"\0" * ((5 + len(NAME)) & 1))))),
    "JPEG other application segment": ("a.jpg", lambda: jpeg_with((0xEC, b"Ducky\0" + NAME.encode()))),
    "PNG eXIf": ("a.png", lambda: png_with((b"eXIf", tiff_one_ascii_tag(315, NAME)))),
    "PNG iTXt XMP": ("a.png", lambda: png_with((b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0"
                                                  + XMP.encode()))),
    "GIF comment": ("a.gif", lambda: gif_with_comment(NAME)),
    "TIFF Artist (Pillow)": ("a.tif", lambda: pillow("TIFF", tiffinfo={315: NAME})),
    "TIFF ImageDescription by hand": ("a.tiff", lambda: tiff_one_ascii_tag(270, NAME)),
    "WebP EXIF": ("a.webp", lambda: webp_with_exif(tiff_one_ascii_tag(315, NAME))),
    "EMF text drawn": ("a.emf", lambda: emf([emr_exttextoutw(NAME)])),
    "EMF description": ("a.emf", lambda: emf([], description=f"chart\0{NAME}\0")),
    "WMF text drawn": ("a.wmf", lambda: wmf_with_text(NAME)),
    "EMF gzipped (.emz)": ("a.emz", lambda: zlib_gzip(emf([emr_exttextoutw(NAME)]))),
}


def zlib_gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


def check(tmp_path: Path, files: dict[str, bytes]):
    """Leak-check a tree of ``files``; return the findings table."""
    root = tmp_path / "tree"
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    key = tmp_path / "identifier_key.csv"
    key.write_text(KEY, encoding="utf-8")
    allow = tmp_path / "allow.csv"
    allow.write_text("match,reason\n")
    return privacy.leak_check([root], keys=[key], allowlist=[allow])


# ---------------------------------------------------------------------------- planted

@pytest.mark.parametrize("case", sorted(PLANTED))
def test_a_name_in_image_metadata_is_found(tmp_path, case):
    name, make = PLANTED[case]
    found = check(tmp_path, {name: make()})
    # one name planted once in one image: one key-entry finding (key row 2), in that file
    assert found["kind"].tolist() == ["key entry"], found.to_string()
    assert found["match"].iloc[0].endswith("identifier_key.csv:2")
    assert Path(found["path"].iloc[0]).name == name


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_the_same_image_inside_a_zip_is_found(tmp_path, case):
    name, make = PLANTED[case]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "figures for chapter 4\n")
        z.writestr(f"media/{name}", make())
    found = check(tmp_path, {"bundle.zip": buf.getvalue()})
    assert found["kind"].tolist() == ["key entry"], found.to_string()
    # the place names the member, then the image's own place (e.g. its Exif IFD)
    assert found["line"].iloc[0].startswith(f"media/{name}!"), found["line"].iloc[0]


def test_places_say_where_in_the_image():
    # big-endian Exif by hand: IFD0, one tag, Artist = 315
    texts = images.image_texts(jpeg_with((0xE1, EXIF_ARTIST)))
    assert texts == [("JPEG Exif IFD0 tag 315", NAME + "\n")]
    assert images.image_texts(wmf_with_text(NAME)) == [("WMF record 1", NAME)]
    assert images.image_texts(emf([emr_exttextoutw(NAME)])) == [("EMF record 2", NAME)]


def test_planted_exif_and_xmp_in_a_word_file_are_found(tmp_path):
    """python-docx puts a picture's bytes into word/media/ as they are: a JPEG whose Exif
    names the photographer and a PNG whose XMP names the subject both leak."""
    import docx

    document = docx.Document()
    document.add_paragraph("Site visit, figure 2")
    document.add_picture(io.BytesIO(jpeg_with((0xE1, EXIF_ARTIST))))
    document.add_picture(io.BytesIO(png_with((b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0"
                                                       + XMP.encode()))))
    buf = io.BytesIO()
    document.save(buf)
    found = check(tmp_path, {"thesis.docx": buf.getvalue()})
    # python-docx names pictures image1.jpg, image2.png in the order they are added (the
    # extension of its image class: Jpeg.default_ext is "jpg");
    # the XMP name is on line 3 of the iTXt chunk's text (keyword, translation, value)
    assert sorted(found["line"]) == ["word/media/image1.jpg!JPEG Exif IFD0 tag 315 line 1",
                                     "word/media/image2.png!PNG iTXt XML:com.adobe.xmp line 3"]
    assert set(found["kind"]) == {"key entry"}


def test_exif_gps_position_is_a_finding(tmp_path):
    found = check(tmp_path, {"site.jpg": jpeg_with((0xE1, b"Exif\0\0" + tiff_with_gps()))})
    assert found[["kind", "line"]].values.tolist() == [["location", "JPEG Exif GPSIFD"]]


def test_other_outputs_in_notebooks_and_svgs(tmp_path):
    import nbformat

    photo = jpeg_with((0xE1, EXIF_ARTIST))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("show()", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/jpeg": base64.b64encode(photo).decode(),
                              "text/plain": "<Figure>"})])]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/jpeg;base64,'
           + base64.b64encode(photo).decode() + '"/></svg>')
    found = check(tmp_path, {"nb.ipynb": nbformat.writes(nb).encode(), "f.svg": svg.encode()})
    assert sorted(zip(found["path"].map(lambda p: Path(p).name), found["line"])) == [
        ("f.svg", "embedded image 1 JPEG Exif IFD0 tag 315 line 1"),
        ("nb.ipynb", "cell 1 output 1 JPEG Exif IFD0 tag 315 line 1")]


# ---------------------------------------------------------------------------- clean

@pytest.mark.parametrize("fmt, name", [("JPEG", "a.jpg"), ("PNG", "a.png"), ("GIF", "a.gif"),
                                       ("TIFF", "a.tif"), ("WEBP", "a.webp"), ("BMP", "a.bmp")])
def test_clean_images_pass(tmp_path, fmt, name):
    assert check(tmp_path, {name: pillow(fmt)}).empty


def test_pixels_are_not_read(tmp_path):
    # the name's bytes inside a JPEG's compressed scan data (no 0xFF among them, so no
    # marker: a decoder would show garbled pixels) and inside a PNG's IDAT, stored
    # uncompressed (a deflate "stored" block: header byte 1, length, its complement)
    jpeg = pillow("JPEG")
    eoi = jpeg.rindex(b"\xff\xd9")
    jpeg = jpeg[:eoi] + NAME.encode() + jpeg[eoi:]
    raw = b"\0" + NAME.encode()
    stored = zlib.compress(raw, 0)
    png = png_with()
    idat = png.index(b"IDAT") - 4
    n = struct.unpack(">I", png[idat:idat + 4])[0]
    png = png[:idat] + struct.pack(">I", len(stored)) + b"IDAT" + stored \
        + struct.pack(">I", zlib.crc32(b"IDAT" + stored)) + png[idat + 12 + n:]
    assert NAME.encode() in jpeg and NAME.encode() in png
    assert check(tmp_path, {"a.jpg": jpeg, "a.png": png}).empty


def test_clean_word_file_with_pictures_and_thumbnail(tmp_path):
    import docx

    document = docx.Document()  # its template holds docProps/thumbnail.jpeg with an ICC profile
    document.add_paragraph("Figure 1: tiers by era")
    document.add_picture(io.BytesIO(pillow("JPEG")))
    document.add_picture(io.BytesIO(pillow("PNG")))
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert "docProps/thumbnail.jpeg" in z.namelist()
    assert check(tmp_path, {"clean.docx": buf.getvalue()}).empty


# ---------------------------------------------------------------------------- cannot parse

@pytest.mark.parametrize("name, data", [
    ("cut.jpg", pillow("JPEG")[:40]),                       # a JPEG cut off in its header
    ("noise.jpg", b"\xff\xd8\xff\xe0" + b"\x00\x02" * 3),  # a segment of length 2, then junk
    ("cut.png", pillow("PNG")[:30]),                        # IHDR cut short
    ("bad.gif", b"GIF89a" + b"\x08\x00\x08\x00\x00\x00\x00" + b"\x99"),  # unknown block 0x99
    ("cut.emf", emf([emr_exttextoutw(NAME)])[:-30]),        # EOF record missing
    ("wrong.jpg", b"this is not an image at all\n"),       # a .jpg that is no image
    ("big.tif", b"II+\0" + b"\0" * 12),                     # BigTIFF, not read
])
def test_an_image_that_cannot_be_parsed_is_a_finding(tmp_path, name, data):
    found = check(tmp_path, {name: data})
    assert found["kind"].tolist() == ["unreadable"], found.to_string()
    assert "image cannot be parsed" in found["match"].iloc[0]


def test_an_unparseable_image_inside_a_word_file_is_a_finding(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/media/image1.jpeg", pillow("JPEG")[:100])
    found = check(tmp_path, {"t.docx": buf.getvalue()})
    assert found[["line", "kind"]].values.tolist() == [["word/media/image1.jpeg", "unreadable"]]


def test_image_kind_from_magic_bytes():
    # magic numbers from each format's specification
    assert images.image_kind(pillow("JPEG")) == "jpeg"      # FF D8 FF
    assert images.image_kind(pillow("PNG")) == "png"        # 89 'PNG' 0D 0A 1A 0A
    assert images.image_kind(pillow("GIF")) == "gif"        # 'GIF89a' (or 87a)
    assert images.image_kind(pillow("TIFF")) == "tiff"      # 'II' 42 or 'MM' 42
    assert images.image_kind(pillow("WEBP")) == "webp"      # 'RIFF' size 'WEBP'
    assert images.image_kind(emf([])) == "emf"              # type 1, ' EMF' at 40
    assert images.image_kind(wmf_with_text("x")) == "wmf"   # placeable key D7CDC69A
    assert images.image_kind(pillow("BMP")) is None         # 'BM' only with its suffix
    assert images.image_kind(pillow("BMP"), ".bmp") == "bmp"
    assert images.image_kind(json.dumps({"a": 1}).encode()) is None


# ---------------------------------------------------------------------------- hostile images

@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PLANTED)), st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=6)),
                                                  min_size=1, max_size=6))
def test_a_damaged_image_is_parsed_or_refused_never_crashes(case, edits):
    # each edit overwrites bytes at a relative position of a planted image: the reader
    # returns texts or raises ImageError (an "unreadable" finding), nothing else
    data = bytearray(PLANTED[case][1]())
    for where, new in edits:
        at = int(where * (len(data) - 1))
        data[at:at + len(new)] = new
    try:
        texts = images.image_texts(bytes(data), Path(PLANTED[case][0]).suffix)
    except images.ImageError:
        return
    assert all(isinstance(p, str) and isinstance(t, str) for p, t in texts)
