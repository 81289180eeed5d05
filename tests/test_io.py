import os

import pandas as pd
import pytest

from analysis import io
from analysis.errors import DataError


def test_atomic_write_leaves_no_temp_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(io.os, "replace", boom)
    with pytest.raises(OSError):
        io.atomic_write(target, "new\n")
    # The old content survives and no temporary file is left behind.
    assert target.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


def test_write_table_uses_lf_and_no_index(tmp_path):
    p = io.write_table(pd.DataFrame({"b": [1, 2], "a": ["x", "y"]}), tmp_path / "t.csv",
                       columns=["a", "b"])
    assert p.read_bytes() == b"a,b\nx,1\ny,2\n"


def test_read_table_header_check(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,title\n1,a\n")
    with pytest.raises(DataError) as exc:
        io.read_table(p, required=["id", "date"])
    assert exc.value.line == 1 and "date" in exc.value.reason


def test_read_table_keeps_empty_cells_as_empty_strings(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,note\n1,\n2,NA\n")
    df = io.read_table(p, required=["id", "note"])
    # "NA" is a real value in these tables (e.g. a note), not a missing one.
    assert df["note"].tolist() == ["", "NA"]


def test_read_table_rejects_empty_and_missing(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataError, match="empty"):
        io.read_table(tmp_path / "e.csv")
    with pytest.raises(DataError, match="not found"):
        io.read_table(tmp_path / "nope.csv")


def test_read_table_malformed_names_line(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text('a,b\n1,2\n3,"4\n')  # an unterminated quote on line 3
    with pytest.raises(DataError) as exc:
        io.read_table(p)
    assert "well-formed" in exc.value.reason


@pytest.mark.parametrize(
    "raw, text, encoding, bom",
    [
        # Expected values: the byte sequences below are the published encodings of the
        # characters (UTF-8 BOM EF BB BF; UTF-16LE BOM FF FE; cp1252 0x93/0x94 are curly quotes).
        (b"\xef\xbb\xbfcaf\xc3\xa9", "café", "utf-8", True),
        (b"\xff\xfec\x00a\x00f\x00\xe9\x00", "café", "utf-16", True),
        (b"\xfe\xff\x00c\x00a\x00f\x00\xe9", "café", "utf-16", True),
        (b"caf\xc3\xa9", "café", "utf-8", False),
        (b"caf\xe9", "café", "cp1252", False),
        (b"\x93quoted\x94", "\u201cquoted\u201d", "cp1252", False),
    ],
)
def test_decode_text(raw, text, encoding, bom):
    d = io.decode_text(raw)
    assert (d.text, d.encoding, d.bom) == (text, encoding, bom)


def test_decode_text_refuses_binary():
    with pytest.raises(DataError, match="binary"):
        io.decode_text(b"PK\x03\x04\x00\x00", "x.txt")


def test_decode_text_refuses_bytes_undefined_in_cp1252():
    # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte.
    with pytest.raises(DataError) as exc:
        io.decode_text(b"line one\nbad \x81 byte", "x.txt")
    assert exc.value.line == 2


def test_sha256_of_known_value(tmp_path):
    # SHA-256("abc") is the FIPS 180-2 test vector.
    p = tmp_path / "abc"
    p.write_bytes(b"abc")
    assert io.sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
