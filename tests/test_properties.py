"""Property-based tests (Hypothesis): for arbitrary input, every reader either succeeds,
with its contract holding, or raises :class:`DataError`; never another exception, and
the command-line writers leave no partial output behind.

Covered: the transcript parser (plain text, Markdown, WebVTT, SRT, .docx), the REFI-QDA
importer (.qdpx archives and bare .qde files), the CSV loaders (participants, identifier
key, timeline, segments, documents manifest, ``read_table``), the codebook YAML loader
and the inline coding markup.

Generators are of two kinds: fully arbitrary (``st.text``, ``st.binary``) and
structured ones that produce *near-valid* input (label lines, cue blocks with valid and
broken timings, zips with hostile member names and forged sizes, mutated CSV rows and
YAML documents), because most bugs hide one step away from valid input.

Every test runs derandomized with the example database off, so CI sees the same
examples each time; ``max_examples`` is sized so the whole module runs in well under a
minute on two cores.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import struct
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from analysis import coding, documents, participants, privacy, timeline
from analysis import transcripts as tr
from analysis.__main__ import main as cli
from analysis.codebook import load_codebook
from analysis.codebook import validate_all as validate_codebook
from analysis.errors import DataError
from analysis.io import read_table
from analysis.paths import relative
from analysis.refi import read_project
from analysis.schema import TURN_COLUMNS

pytestmark = pytest.mark.slow  # hundreds of generated examples per test

FIXTURES = Path(__file__).parent / "fixtures"
CODEBOOK_YML = FIXTURES / "codebook" / "valid_small.yml"


def fuzz(n: int):
    """Deterministic Hypothesis settings: ``n`` examples, no deadline, no database."""
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


@contextlib.contextmanager
def scratch():
    """A fresh temporary folder per example (pytest's tmp_path is per test, not per example)."""
    with tempfile.TemporaryDirectory(prefix="props-") as folder:
        yield Path(folder)


def check_error(err: DataError, path=None) -> None:
    """A DataError names the file (the one given, when known), a sane place and a reason."""
    event("DataError")  # with --hypothesis-show-statistics: how often each branch ran
    assert isinstance(err.reason, str) and err.reason.strip()
    assert "\n" not in str(err), "an error must fit on one line"
    assert err.line is None or isinstance(err.line, str) or (
        isinstance(err.line, int) and err.line >= 1), err.line
    if path is not None:
        assert err.path.startswith(relative(path)), (err.path, relative(path))


def snapshot(folder: Path) -> dict:
    """Every file under ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_cli(argv: list[str]) -> int:
    """The real command line, in process; its printing is swallowed."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return cli(argv)


# =============================================================================
# Transcripts
# =============================================================================

_TIMESTAMP = re.compile(r"\d{2,}:\d{2}:\d{2}(\.\d{3})?")


def check_transcript(t: tr.Transcript) -> None:
    """The turns contract of analysis.transcripts (module docstring)."""
    text, turns = t.text, t.turns
    assert list(turns.columns) == TURN_COLUMNS
    assert "\r" not in text and not text.startswith("\ufeff")
    starts, ends = turns["start"].tolist(), turns["end"].tolist()
    for start, end, quoted in zip(starts, ends, turns["text"]):
        assert 0 <= start < end <= len(text)
        assert text[start:end] == quoted
    assert all(e <= s for e, s in zip(ends, starts[1:])), "turns overlap or are out of order"
    assert turns["turn"].tolist() == list(range(1, len(turns) + 1))
    assert set(turns["role"]) <= {"interviewer", "participant", ""}
    assert all(ts == "" or _TIMESTAMP.fullmatch(ts) for ts in turns["timestamp"])
    assert (turns["source_id"] == t.source_id).all()


def load_or_error(loader, path: Path):
    """``loader(path)``, or None after checking that its DataError is well formed."""
    try:
        return loader(path)
    except DataError as err:
        check_error(err, path)
        return None


def parse_file_or_error(path: Path) -> None:
    """Parse a transcript file: either its contract holds, or it is a well-formed DataError."""
    t = load_or_error(tr.parse_transcript, path)
    if t is not None:
        check_transcript(t)


def parse_or_error(text: str, fmt: str):
    try:
        t = tr.parse_text(text, fmt, "P01")
    except DataError as err:
        check_error(err)
        return None
    check_transcript(t)
    return t


# ---------------------------------------------------------------- generators

_NAMES = st.sampled_from([
    "Interviewer", "IV", "I", "Q", "P01", "Respondent", "Speaker 2", "Dr Jane Smith",
    "ZOE", "Anne de la Cruz", "Note", "Date", "2006", "so", "A", "the SHA said",
    "Interviewer 2", "Dr. O'Brien", "Zoë", "a very long label with far too many words",
])
_WORDS = st.text(alphabet="abc XYZ,.?é'\t:-*[]()", max_size=30)
_TS_TEXT = st.sampled_from(["00:01:02", "1:02", "12:59:59.5", "00:00:07,250", "12:75:00",
                            "99:99", "1:2", "0:61", "123:45:06"])


@st.composite
def labelled_lines(draw):
    """A plain/Markdown transcript of label lines in every layout the parser knows,
    with valid and invalid timestamps, prose lines and mixed line ends."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        name, words, ts = draw(_NAMES), draw(_WORDS), draw(_TS_TEXT)
        layout = draw(st.integers(0, 6))
        lines.append([
            f"{name}: {words}",
            f"**{name}:** {words}",
            f"**{name}**: {words}",
            f"[{ts}] {name}: {words}",
            f"{ts} {name}: {words}",
            f"{name}  {ts}\n{words}",
            words,
        ][layout])
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + newline.join(lines) + draw(st.sampled_from(["", newline]))


_VTT_TIMES = st.sampled_from([
    "00:00:01.000 --> 00:00:04.000", "00:01.000 --> 00:02.500",
    "00:00:05.000 --> 00:00:06.000 align:start", "00:00:09.000 --> 00:00:08.000",  # ends early
    "00:00:01,000 --> 00:00:04,000", "00:61:00.000 --> 00:62:00.000", "1:2:3 --> 4:5:6",
    "00:00:01.000 -> 00:00:04.000", "00:00:01.000 -->", "--> 00:00:04.000",
])
_SRT_TIMES = st.sampled_from([
    "00:00:01,000 --> 00:00:04,000", "00:00:05,5 --> 00:00:06,25", "00:00:01.000 --> 00:00:02.000",
    "00:00:09,000 --> 00:00:08,000", "00:61:00,000 --> 00:62:00,000", "1:2:3 --> 4:5:6",
    "00:00:01,000 -> 00:00:04,000", "00:00:01,000 -->",
])
_CUE_LINES = st.sampled_from([
    "<v Interviewer>How did it start?", "<v.loud P01>With the SHA.</v>", "<v>", "<v >x",
    "Interviewer: and then?", "P01: the PCTs merged", "Note: not a speaker",
    "<c.yellow>coloured</c> &amp; &lt;b&gt; &nbsp;x", "<i>italic</i>", "plain words",
    "a --> b", "<00:00:02.000>karaoke", "&#x1F600; &bogus;", "", "   ",
])


@st.composite
def cue_file(draw, fmt: str):
    """A WebVTT or SRT file: header, NOTE blocks, cues with ids, timings (valid and broken)
    and voice-tagged or Zoom-labelled text; blocks sometimes lack their blank line."""
    times = _VTT_TIMES if fmt == "vtt" else _SRT_TIMES
    blocks = []
    if fmt == "vtt":
        blocks.append(draw(st.sampled_from(["WEBVTT", "WEBVTT - Interview P01",
                                            "WEBVTT\nKind: captions", "WEBVTTX", "",
                                            "webvtt"])))
    for k in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 9))
        if fmt == "vtt" and kind == 0:
            blocks.append("NOTE " + draw(_WORDS))
            continue
        cue_id = draw(st.sampled_from(["", str(k + 1), "intro", "-->"]))
        text = "\n".join(draw(st.lists(_CUE_LINES, max_size=3)))
        blocks.append("\n".join(x for x in (cue_id, draw(times), text) if x))
    joiner = draw(st.sampled_from(["\n\n", "\n\n", "\n", "\r\n\r\n"]))
    return joiner.join(blocks) + draw(st.sampled_from(["", "\n"]))


# ---------------------------------------------------------------- properties

@fuzz(300)
@given(text=st.text(max_size=200), fmt=st.sampled_from(["txt", "md", "vtt", "srt"]))
def test_transcript_arbitrary_text(text, fmt):
    parse_or_error(text, fmt)


@fuzz(300)
@given(text=labelled_lines(), fmt=st.sampled_from(["txt", "md"]))
def test_transcript_label_lines(text, fmt):
    t = parse_or_error(text, fmt)
    if t is not None and "[" not in text and "(" not in text and not re.search(r"\d:\d", text):
        # Without timestamps the only errors are an empty text or mojibake; neither is
        # generated, so this input must parse, with no text lost from the turns.
        assert t.text == text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


@fuzz(300)
@given(data=st.data(), fmt=st.sampled_from(["vtt", "srt"]))
def test_transcript_cue_blocks(data, fmt):
    text = data.draw(cue_file(fmt))
    t = parse_or_error(text, fmt)
    if t is not None:
        # Timings and tags are never part of the reading text.
        assert "-->" not in t.text.replace("a --> b", "")
        assert not re.search(r"</?[vci][ .>]", t.text)


@fuzz(100)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".md", ".vtt", ".srt"]))
def test_transcript_arbitrary_bytes(data, suffix):
    with scratch() as folder:
        path = folder / f"P01{suffix}"
        path.write_bytes(data)
        parse_file_or_error(path)


@fuzz(100)
@given(text=labelled_lines(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16",
                                                        "utf-16-le", "cp1252", "latin-1"]))
def test_transcript_encodings(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    with scratch() as folder:
        path = folder / "P01.txt"
        path.write_bytes(data)
        parse_file_or_error(path)


# Windows-1252 letters that are not ASCII; each one byte in cp1252.
_CP1252_LETTERS = "\u00e9\u00e8\u00ea\u00eb\u00ef\u00f6\u00fc\u00e7\u00f1\u00c9\u00c0\u2019\u2013"


@fuzz(80)
@given(words=st.lists(st.tuples(st.text(alphabet="abc XY", min_size=1, max_size=6),
                                st.sampled_from(_CP1252_LETTERS)), min_size=1, max_size=12))
def test_cp1252_text_with_separated_accents_loads_as_cp1252(words):
    # One cp1252 byte >= 0x80 followed by an ASCII byte can never start a valid UTF-8
    # sequence, so such text is never mistaken for broken UTF-8.
    text = "Interviewer: " + "".join(a + b for a, b in words) + ".\n"
    with scratch() as folder:
        path = folder / "P01.txt"
        path.write_bytes(text.encode("cp1252"))
        t = tr.parse_transcript(path)
    assert t.encoding == "cp1252" and t.text == text


@fuzz(80)
@given(lines=st.lists(st.text(alphabet="ab \u00e9\u00eb\u2019\u00c5", max_size=10),
                      min_size=1, max_size=5),
       at=st.integers(0, 10_000), stray=st.sampled_from([0xe9, 0xa3, 0x92, 0xfc]))
def test_utf8_with_a_stray_byte_is_refused_at_that_byte(lines, at, stray):
    # Valid UTF-8 with at least one multi-byte character, then one lone byte inserted
    # between two characters: refused at the byte's offset and line, never read.
    text = "\u00e9" + "\n".join(lines)
    data = text.encode("utf-8")
    cuts = [k for k in range(len(data) + 1)
            if k == len(data) or not 0x80 <= data[k] < 0xC0]  # character boundaries
    cut = cuts[at % len(cuts)]
    bad = data[:cut] + bytes([stray]) + b" " + data[cut:]
    with scratch() as folder:
        path = folder / "P01.txt"
        path.write_bytes(bad)
        with pytest.raises(DataError) as exc:
            tr.parse_transcript(path)
    assert exc.value.line == data[:cut].count(b"\n") + 1
    assert f"at byte {cut} (0x{stray:02x})" in exc.value.reason


# .docx: random zips with real-looking and hostile members, random XML bodies

_DOCX_BODY = st.sampled_from([
    "<w:p><w:r><w:t>Interviewer: Hello</w:t></w:r></w:p>",
    "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>P01:</w:t></w:r><w:r><w:t> yes</w:t></w:r></w:p>",
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>IV</w:t></w:r></w:p></w:tc>"
    "<w:tc><w:p><w:r><w:t>Why?</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    "<w:p>", "<w:p><w:r><w:t>&undefined;</w:t></w:r></w:p>", "", "<w:tbl/>", "plain",
])
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_document(body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
            f"<w:body>{body}</w:body></w:document>")


_CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Override PartName="/word/document.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>")
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>")


@st.composite
def docx_bytes(draw):
    members = {}
    if draw(st.booleans()):
        members["[Content_Types].xml"] = _CONTENT_TYPES
    if draw(st.booleans()):
        members["_rels/.rels"] = _RELS
    if draw(st.integers(0, 4)):
        body = "".join(draw(st.lists(_DOCX_BODY, max_size=4)))
        members["word/document.xml"] = draw(st.sampled_from(
            [docx_document(body), body, docx_document(body)[:-5]]))
    for name in draw(st.lists(st.sampled_from(["../evil.txt", "/abs.xml", "word/x.bin",
                                                "C:\\win.txt"]), max_size=2, unique=True)):
        members[name] = draw(st.binary(max_size=20))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    data = buf.getvalue()
    cut = draw(st.sampled_from([None, None, None, 10, len(data) // 2, len(data) - 4]))
    return data if cut is None else data[:cut]


@fuzz(60)
@given(data=docx_bytes())
def test_transcript_docx_zips(data):
    with scratch() as folder:
        path = folder / "P01.docx"
        path.write_bytes(data)
        parse_file_or_error(path)


@fuzz(50)
@given(data=st.one_of(st.binary(max_size=200), labelled_lines().map(str.encode),
                      st.builds(lambda t: t.encode(), cue_file("vtt"))),
       suffix=st.sampled_from([".txt", ".vtt", ".docx"]))
def test_transcripts_cli_writes_nothing_on_error(data, suffix):
    with scratch() as folder:
        path = folder / "raw" / f"P01{suffix}"
        path.parent.mkdir()
        path.write_bytes(data)
        out = folder / "out"
        out.mkdir()
        (out / "keep.txt").write_text("before\n")
        before = snapshot(out)
        code = run_cli(["transcripts", "parse", str(path), "--out", str(out)])
        assert code in (0, 2)
        if code == 2:
            assert snapshot(out) == before, "a failed parse wrote or changed files"
        else:
            after = snapshot(out)
            assert set(after) == {"keep.txt", "turns.csv", "texts/P01.txt"}
            turns = read_table(out / "turns.csv", required=TURN_COLUMNS)
            text = after["texts/P01.txt"].decode("utf-8")
            for start, end, quoted in zip(turns["start"], turns["end"], turns["text"]):
                assert text[int(start):int(end)] == quoted


# =============================================================================
# REFI-QDA import
# =============================================================================

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK = pd.DataFrame({"code_id": ["th_funding"], "label": ["Funding"]})
GUIDS = [f"00000000-0000-0000-0000-{k:012d}" for k in range(1, 7)]
_GUID = st.sampled_from(GUIDS + ["{" + GUIDS[0].upper() + "}", "", "not-a-guid"])
_POSITION = st.one_of(st.integers(-3, 40), st.sampled_from(["", "x", "1.5", "9" * 30]))
_XML_TEXT = st.text(alphabet="Tea time 😀é\r\n<&>\"'", max_size=25)


def _attr(value) -> str:
    return (str(value).replace("&", "&amp;").replace("<", "&lt;")
            .replace('"', "&quot;").replace("\r", "&#13;"))


def _chars(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace("\r", "&#13;")


@st.composite
def project_xml(draw) -> str:
    """A near-valid REFI-QDA project: codes, text sources (inline or by path), selections
    with in- and out-of-range positions, codings of known and unknown codes, notes,
    links, cases and stray elements."""
    code_names = st.sampled_from(["Funding", "Funding", "", "Ré gion", "th_funding"])
    codes = "".join(
        f'<Code guid="{draw(_GUID)}" name="{_attr(draw(code_names))}" '
        f'isCodable="{draw(st.sampled_from(["true", "false", "1", "maybe"]))}" '
        f'color="{draw(st.sampled_from(["#abc", "#A1B2C3", "red", ""]))}"/>'
        for _ in range(draw(st.integers(0, 3))))
    sources = []
    for _ in range(draw(st.integers(0, 3))):
        selections = "".join(
            f'<PlainTextSelection guid="{draw(_GUID)}" startPosition="{_attr(draw(_POSITION))}" '
            f'endPosition="{_attr(draw(_POSITION))}">'
            + "".join(f'<Coding guid="{draw(_GUID)}"><CodeRef targetGUID="{draw(_GUID)}"/>'
                      "</Coding>" for _ in range(draw(st.integers(0, 2))))
            + draw(st.sampled_from(["", "<Description>a memo</Description>",
                                    f'<NoteRef targetGUID="{GUIDS[5]}"/>']))
            + "</PlainTextSelection>"
            for _ in range(draw(st.integers(0, 3))))
        content = draw(st.sampled_from([
            f"<PlainTextContent>{_chars(draw(_XML_TEXT))}</PlainTextContent>",
            "", "<PlainTextContent/>"]))
        tag = draw(st.sampled_from(["TextSource", "TextSource", "PDFSource", "Oddity"]))
        path = draw(st.sampled_from(["", ' plainTextPath="internal://s.txt"',
                                     ' plainTextPath="internal://../s.txt"',
                                     ' plainTextPath="file:///etc/passwd"',
                                     ' richTextPath="internal://s.docx"']))
        sources.append(f'<{tag} guid="{draw(_GUID)}" name="{_attr(draw(_XML_TEXT))}"{path}>'
                       f"{content}{selections}"
                       + draw(st.sampled_from(["", f'<Coding guid="{GUIDS[4]}"><CodeRef '
                                                   f'targetGUID="{GUIDS[0]}"/></Coding>']))
                       + f"</{tag}>")
    extras = "".join(draw(st.lists(st.sampled_from([
        f'<Notes><Note guid="{GUIDS[5]}" name="n"><PlainTextContent>memo'
        "</PlainTextContent></Note></Notes>",
        f'<Links><Link guid="{GUIDS[3]}" originGUID="{GUIDS[5]}" '
        f'targetGUID="{GUIDS[1]}"/></Links>',
        f'<Cases><Case guid="{GUIDS[2]}" name="P01"><SourceRef targetGUID="{GUIDS[1]}"/>'
        f'<VariableValue><VariableRef targetGUID="{GUIDS[3]}"/><TextValue>meso</TextValue>'
        f"</VariableValue></Case></Cases>",
        f'<Variables><Variable guid="{GUIDS[3]}" name="tier" typeOfVariable="Text"/></Variables>',
        "<Sets/>", "<Mystery/>", f'<NoteRef targetGUID="{GUIDS[4]}"/>',
    ]), max_size=3)))
    ns = draw(st.sampled_from([PROJECT_NS, "urn:QDA-XML:project:0.9", ""]))
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><Project{xmlns} name="p">'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{''.join(sources)}</Sources>"
            f"{extras}</Project>")


_XMLISH = st.text(alphabet='<>/="?! abcPrjoetDOCTYPE&;#x[]ENTITY\n', max_size=80)
_HOSTILE_XML = st.sampled_from([
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaa">]><Project>&a;</Project>',
    '<!DOCTYPE Project SYSTEM "http://example.invalid/x.dtd"><Project/>',
    f'<Project xmlns="{PROJECT_NS}"><Sources>',
    "<NotAProject/>", "<Project/>",
])

_MEMBER_NAMES = st.sampled_from([
    "project.qde", "Project.QDE", "other.qde", "sub/deep.qde", "sources/s.txt",
    "Sources/S.TXT", "sources/s.docx", "../escape.txt", "/etc/absolute", "C:\\evil.qde",
    "sources\\..\\..\\x.txt", "a/../../b", "sources/", "noise.bin",
])


def forge_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size recorded for ``member`` in the central directory
    (offset 24 of its header), as a zip bomb or a lying archive does."""
    name = member.encode()
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46:at + 46 + name_len]) == name:
            struct.pack_into("<I", out, at + 24, size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


@st.composite
def qdpx_bytes(draw):
    """A .qdpx: zero or more members with arbitrary names (including ../, absolute and
    backslash paths), a project or hostile/garbage XML, sometimes a forged size."""
    members = {}
    for name in draw(st.lists(_MEMBER_NAMES, max_size=4, unique=True)):
        if name.casefold().endswith(".qde"):
            members[name] = draw(st.one_of(project_xml(), _HOSTILE_XML, _XMLISH)).encode()
        elif name.endswith(".docx"):
            members[name] = draw(docx_bytes())
        else:
            members[name] = draw(st.one_of(_XML_TEXT.map(str.encode), st.binary(max_size=30)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(zipfile.ZipInfo(name), content)
    data = buf.getvalue()
    if members and draw(st.booleans()):
        victim = draw(st.sampled_from(sorted(members)))
        size = draw(st.sampled_from([0, 1, 2**31, 3 * 2**30, 300 * 2**20, 0xFFFFFFFE]))
        data = forge_size(data, victim, size)
    if draw(st.integers(0, 5)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def check_project(project) -> None:
    """The import contract: segments quote their texts at code-point offsets."""
    segs = project.segments
    assert list(segs.columns) == ["segment_id", "source_id", "code_id", "start", "end",
                                  "coder", "text"]
    assert segs["segment_id"].is_unique
    for sid, start, end, quoted in zip(segs["source_id"], segs["start"], segs["end"],
                                       segs["text"]):
        text = project.texts[sid]
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == quoted
    for text in project.texts.values():
        assert "\r" not in text
    assert set(project.report["level"]) <= {"warning", "info"}


def read_or_error(path: Path):
    try:
        project = read_project(path, codebook=CODEBOOK)
    except DataError as err:
        check_error(err, path)
        return None
    check_project(project)
    return project


@fuzz(250)
@given(xml=st.one_of(project_xml(), _HOSTILE_XML, _XMLISH, st.text(max_size=60)),
       encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_refi_bare_qde(xml, encoding):
    with scratch() as folder:
        path = folder / "p.qde"
        path.write_bytes(xml.encode(encoding, errors="surrogatepass"))
        read_or_error(path)


@fuzz(250)
@given(data=qdpx_bytes())
def test_refi_qdpx_archives(data):
    with scratch() as folder:
        path = folder / "p.qdpx"
        path.write_bytes(data)
        read_or_error(path)
        # Nothing is extracted: the folder holds only the archive afterwards.
        assert [p.name for p in folder.iterdir()] == ["p.qdpx"]


@fuzz(60)
@given(data=st.one_of(qdpx_bytes(), st.binary(max_size=100)))
def test_qdpx_import_cli_writes_nothing_on_error(data):
    with scratch() as folder:
        path = folder / "p.qdpx"
        path.write_bytes(data)
        out = folder / "out"
        out.mkdir()
        (out / "keep.txt").write_text("before\n")
        before = snapshot(out)
        codes = folder / "codes.csv"
        codes.write_text("code_id,label\nth_funding,Funding\n")
        code = run_cli(["qdpx", "import", str(path), "--out", str(out),
                        "--codebook-csv", str(codes)])
        assert code in (0, 2)
        if code == 2:
            assert snapshot(out) == before, "a refused import wrote or changed files"
        else:
            assert {"codes.csv", "sources.csv", "segments.csv", "memos.csv", "cases.csv",
                    "import_report.csv"} <= set(snapshot(out))


def test_refi_selection_beyond_int64_is_reported_not_fatal():
    """Regression for a bug these properties found: a 30-digit endPosition overflowed
    NumPy's int64 (OverflowError). Worked out from the rule: it lands outside every
    text, so it is one 'selection out of range' warning and no segment."""
    with scratch() as folder:
        path = folder / "p.qde"
        path.write_text(
            f'<Project xmlns="{PROJECT_NS}"><CodeBook><Codes><Code guid="{GUIDS[0]}" '
            f'name="Funding" isCodable="true"/></Codes></CodeBook><Sources><TextSource '
            f'guid="{GUIDS[1]}" name="P01"><PlainTextContent>No money.</PlainTextContent>'
            f'<PlainTextSelection guid="{GUIDS[2]}" startPosition="0" endPosition="{"9" * 30}">'
            f'<Coding guid="{GUIDS[3]}"><CodeRef targetGUID="{GUIDS[0]}"/></Coding>'
            f"</PlainTextSelection></TextSource></Sources></Project>")
        project = read_or_error(path)
        assert project is not None and project.segments.empty
        warnings = project.report[project.report["level"] == "warning"]
        assert warnings["what"].tolist() == ["selection out of range"]


# =============================================================================
# Documents
# =============================================================================

_HTMLISH = st.text(alphabet="<>/ab p&;#x1 \n-*#[]()!", max_size=80)


@fuzz(60)
@given(data=st.one_of(st.binary(max_size=200), _HTMLISH.map(str.encode), docx_bytes()),
       suffix=st.sampled_from([".txt", ".md", ".html", ".pdf", ".docx"]))
def test_documents_ingest_arbitrary_bytes(data, suffix):
    with scratch() as folder:
        path = folder / f"doc{suffix}"
        path.write_bytes(data)
        try:
            text, digest = documents.ingest_document(path)
        except DataError as err:
            check_error(err, path)
            return
        assert text.strip() and "\r" not in text and text.endswith("\n")


# =============================================================================
# CSV loaders
# =============================================================================

PARTICIPANTS_CSV = (
    "participant_id,tier,position_practice,organisation_type,sector,years_in_nhs,eras,"
    "interviewer_label,transcript,synthetic\n"
    "P01,meso,pp_csu_it,CSU,NHS,19,npfit|ccg|icb,Interviewer,P01.txt,yes\n"
    "P02,micro,pp_trust_cio,acute trust,NHS,0,icb,IV,P02.md,no\n")
KEY_CSV = ("original,replacement,kind\nLeeds,[Place A],place\n"
           "James Smith,[Person 1],person\nO'Brien,[Person 3],person\n")
SEGMENTS_CSV = ("segment_id,source_id,code_id,start,end,coder,text\n"
                "s1,P01,th_funding,0,3,ab,The\ns2,P01,th_funding,4,7,ab,SHA\n")
SEGMENT_TEXTS = {"P01": "The SHA paid."}
MANIFEST_CSV = (
    ",".join(documents.MANIFEST_COLUMNS) + "\n"
    "doc_a,A strategy,NHS,2002-06,month,strategy,T1-01,OGL-3.0,https://example.org/a,"
    "a.txt," + "0" * 64 + ",\n"
    "doc_b,A plan,NHS,2019,year,plan,,OGL-3.0,https://example.org/b,,,\n")


def _timeline_seed(name: str) -> str:
    return (FIXTURES / "timeline" / "valid" / name).read_text(encoding="utf-8")


_CELL_JUNK = st.one_of(
    st.sampled_from(["", " ", "mezzo", "meso|meso", "micro|macro", "pp_nobody", "-1", "1e3",
                     "2003-02-30", "2003-13", "1500", "0000", "9999-12-31", "day", "yes ",
                     "NaN", "None", "http://", "https://x | ftp://y", "T1-1", "a,b",
                     '"quoted"', "line\nbreak", "é", "\u00c3\u00a9", "..", "../x.txt",
                     "dictionary", "sst_external", "P01", "99999999999999999999"]),
    st.text(alphabet='ab1-|,"\n :é', max_size=12))


@st.composite
def mutated_csv(draw, seed: str) -> bytes:
    """A seed table with random cells replaced, columns dropped, renamed or repeated,
    rows duplicated, blank lines and ragged rows, in a random encoding."""
    rows = list(csv.reader(io.StringIO(seed)))
    header, body = rows[0], rows[1:]
    for _ in range(draw(st.integers(0, 4))):
        if not body:
            break
        r = draw(st.integers(0, len(body) - 1))
        c = draw(st.integers(0, len(header) - 1))
        body[r][c] = draw(_CELL_JUNK)
    change = draw(st.integers(0, 9))
    if change == 0:
        header = header[:-1]
    elif change == 1:
        header = header + [draw(st.sampled_from(["extra", header[0], ""]))]
    elif change == 2 and body:
        body.append(list(body[draw(st.integers(0, len(body) - 1))]))
    elif change == 3 and body:
        body[0] = body[0][:-2]
    elif change == 4:
        body = []
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for row in body:
        writer.writerow(row)
        if draw(st.integers(0, 9)) == 0:
            buf.write("\n")
    text = buf.getvalue()
    if draw(st.integers(0, 9)) == 0:  # a raw edit that may break the quoting
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', ",", "\n", "\x00", '"\n"'])) + text[at:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


_LOADERS = {
    "participants": (PARTICIPANTS_CSV, participants.load_participants),
    "key": (KEY_CSV, privacy.load_key),
    "segments": (SEGMENTS_CSV, lambda p: coding.read_segments_csv(p, SEGMENT_TEXTS)),
    "manifest": (MANIFEST_CSV, documents.load_manifest),
    "strategies": ("strategies.csv", timeline.load_strategies),
    "reorganisations": ("reorganisations.csv", timeline.load_reorganisations),
    "body_counts": ("body_counts.csv", timeline.load_body_counts),
    "eras": ("eras.csv", timeline.load_eras),
}


@pytest.mark.parametrize("table", sorted(_LOADERS))
@fuzz(120)
@given(data=st.data())
def test_csv_loaders_near_valid(table, data):
    seed, loader = _LOADERS[table]
    if seed.endswith(".csv"):
        seed = _timeline_seed(seed)
    raw = data.draw(mutated_csv(seed))
    with scratch() as folder:
        path = folder / "table.csv"
        path.write_bytes(raw)
        df = load_or_error(loader, path)
        if df is not None and table == "segments":
            for sid, start, end, quoted in zip(df["source_id"], df["start"], df["end"],
                                               df["text"]):
                assert SEGMENT_TEXTS[sid][start:end] == quoted


@pytest.mark.parametrize("table", sorted(_LOADERS))
@fuzz(40)
@given(raw=st.one_of(st.binary(max_size=120),
                     st.text(alphabet='a,"\n\r|é\x00', max_size=80).map(str.encode)))
def test_csv_loaders_arbitrary_bytes(table, raw):
    with scratch() as folder:
        path = folder / "table.csv"
        path.write_bytes(raw)
        load_or_error(_LOADERS[table][1], path)
        load_or_error(lambda p: read_table(p, required=["a"]), path)


@fuzz(50)
@given(data=st.data(), name=st.sampled_from(["strategies.csv", "reorganisations.csv",
                                             "body_counts.csv", "eras.csv", "layer_ends.csv"]))
def test_timeline_validate_all_returns_errors(data, name):
    """validate_all collects problems as DataErrors; it never raises for bad content."""
    with scratch() as root:
        folder = root / "data" / "raw" / "timeline"
        folder.mkdir(parents=True)
        for f in (FIXTURES / "timeline" / "valid").glob("*.csv"):
            (folder / f.name).write_bytes(f.read_bytes())
        (folder / name).write_bytes(data.draw(mutated_csv(_timeline_seed(name))))
        for err in timeline.validate_all(root):
            assert isinstance(err, DataError)
            check_error(err)


# =============================================================================
# Codebook YAML
# =============================================================================

_YAML_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3),
                          st.sampled_from(["", "sst", "theme", "th", "th_funding", "#12345",
                                           "#0072B2", "x|y", "Mandat*", "fund*", "  "]),
                          st.text(max_size=8))
_YAML_VALUES = st.recursive(_YAML_SCALARS,
                            lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(st.text(max_size=5), inner,
                                                                    max_size=3)),
                            max_leaves=6)


@st.composite
def codebook_yaml(draw) -> str:
    """The small valid codebook with fields replaced, dropped or added, codes repeated,
    then sometimes edited as text (indentation, duplicate keys, stray characters)."""
    doc = yaml.safe_load(CODEBOOK_YML.read_text(encoding="utf-8"))
    codes = doc["codes"]
    for _ in range(draw(st.integers(0, 3))):
        code = codes[draw(st.integers(0, len(codes) - 1))]
        field = draw(st.sampled_from(sorted(code) + ["extra", "parent"]))
        action = draw(st.integers(0, 2))
        if action == 0:
            code.pop(field, None)
        else:
            code[field] = draw(_YAML_VALUES)
    if draw(st.integers(0, 5)) == 0:
        codes.append(dict(codes[0]))
    if draw(st.integers(0, 5)) == 0:
        doc[draw(st.sampled_from(["version", "codes", "sources", "other"]))] = draw(_YAML_VALUES)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    # Text edits, including a repeated key (which the loader must refuse).
    edit = draw(st.integers(0, 6))
    if edit == 0:
        at = draw(st.integers(0, len(text)))
        text = (text[:at] + draw(st.sampled_from([":", "- ", "\t", "{", "&a ", "*a", "\n  ", "'"]))
                + text[at:])
    elif edit == 1:
        text = text + draw(st.sampled_from(["--- \nx: 1\n", "...\n", "%YAML 1.1\n", "\t\n"]))
    elif edit == 2:
        text = text.replace("\n", "\r\n")
    elif edit == 3:
        text = text.replace("version:", "version: '0'\nversion:", 1)
    return text


def codebook_or_error(text: str) -> None:
    with scratch() as folder:
        path = folder / "codebook.yml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        for err in validate_codebook(path):
            check_error(err, path)
        try:
            book = load_codebook(path)
        except DataError as err:
            check_error(err, path)
            return
        assert book.codes["code_id"].is_unique


@fuzz(250)
@given(text=codebook_yaml())
def test_codebook_near_valid_yaml(text):
    codebook_or_error(text)


@fuzz(150)
@given(text=st.one_of(st.text(max_size=100),
                      _YAML_VALUES.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
                      st.text(alphabet="codes:- {}[]&*!|>'\"\n\t #id", max_size=60)))
def test_codebook_arbitrary_yaml(text):
    codebook_or_error(text)


# =============================================================================
# Inline coding markup
# =============================================================================

def check_inline(text: str, clean: str, segs) -> None:
    assert list(segs.columns) == coding.SEGMENT_COLUMNS
    for start, end, quoted in zip(segs["start"], segs["end"], segs["text"]):
        assert 0 <= start < end <= len(clean)
        assert clean[start:end] == quoted
    assert segs["segment_id"].is_unique
    if "\\" not in text:
        # The clean text is the input with the markup deleted: a subsequence of it,
        # and exactly the input when there is no markup at all.
        rest = iter(text)
        assert all(ch in rest for ch in clean)
        if "[[" not in text and "]]" not in text:
            assert clean == text and segs.empty


@fuzz(400)
@given(text=st.text(alphabet="ab [[]]:,\\\n_x1é", max_size=40))
def test_inline_arbitrary(text):
    try:
        clean, segs = coding.parse_inline(text, "P01", "ab")
    except DataError as err:
        check_error(err)
        assert re.fullmatch(r"\d+:\d+", err.line), err.line
        return
    check_inline(text, clean, segs)


@st.composite
def inline_tree(draw, depth: int = 0):
    """(markup, clean text, [(code, start, end)]) built together, so the expected clean
    text and spans are known without the parser; spans nest."""
    markup, clean, spans = [], [], []
    for _ in range(draw(st.integers(1 if depth else 0, 3))):
        if depth < 3 and draw(st.booleans()):
            codes = draw(st.lists(st.sampled_from(["th_funding", "lvl_meso", "sst_external"]),
                                  min_size=1, max_size=2, unique=True))
            inner_m, inner_c, inner_s = draw(inline_tree(depth + 1))
            assume(inner_c)  # an empty span is an error, tested apart
            sep = draw(st.sampled_from([", ", ","]))
            offset = len("".join(clean))
            markup.append(f"[[{sep.join(codes)}: {inner_m}]]")
            spans += [(c, offset, offset + len(inner_c)) for c in codes]
            spans += [(c, s + offset, e + offset) for c, s, e in inner_s]
            clean.append(inner_c)
        else:
            words = draw(st.text(alphabet="ab é\n.", min_size=1, max_size=8))
            literal = draw(st.sampled_from(["", "\\[[", "\\]]"]))
            markup.append(words + literal)
            clean.append(words + literal[1:])
    return "".join(markup), "".join(clean), spans


@fuzz(300)
@given(tree=inline_tree())
def test_inline_structured(tree):
    markup, expected_clean, expected_spans = tree
    clean, segs = coding.parse_inline(markup, "P01", "ab")
    assert clean == expected_clean
    # Identical (code, start, end) triples collapse into one segment.
    assert sorted(set(expected_spans)) == sorted(zip(segs["code_id"], segs["start"], segs["end"]))
    check_inline(markup, clean, segs)


# =============================================================================
# Bugs the properties above found, kept as regression tests with their minimal inputs.
# =============================================================================

_CODE = ("  - {id: th, parent: null, label: Themes, facet: theme, codable: true, "
         "colour: '#BBBBBB', definition: d, inclusion: i, exclusion: e, indicators: [], "
         "stems: [], noisy_stems: []}\n")
_TOP = "version: '1'\ndescription: d\nsources: []\n"


@pytest.mark.parametrize("text, line, key", [
    # The repeated key's second occurrence is on line 5 (after 3 top lines and 'codes: x').
    (_TOP + "codes: x\ncodes:\n" + _CODE, 5, "codes"),
    (_TOP + "codes:\ncodes:\n" + _CODE.replace("definition: d, ", ""), 5, "codes"),
    # 'stems' twice inside one code: the second is line 16 (3 top + codes + 12 fields).
    (_TOP + "codes:\n  - id: th\n    parent: null\n    label: Themes\n    facet: theme\n"
            "    codable: true\n    colour: '#BBBBBB'\n    definition: d\n    inclusion: i\n"
            "    exclusion: e\n    indicators: []\n    stems: ab\n    stems: [bid]\n"
            "    noisy_stems: []\n", 16, "stems"),
], ids=["top-level-scalar-first", "top-level-empty-first", "code-field-twice"])
def test_codebook_duplicate_keys_are_refused(text, line, key):
    # Found by test_codebook_arbitrary: PyYAML keeps the last of repeated keys silently.
    with scratch() as folder:
        path = folder / "codebook.yml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataError) as exc:
            load_codebook(path)
    assert exc.value.line == line and exc.value.reason.startswith(f"duplicate key {key!r}")


def test_segments_huge_offset_is_out_of_range():
    # Found by the segments properties: a 20-digit start overflowed int64.
    with scratch() as folder:
        path = folder / "segments.csv"
        path.write_text("segment_id,source_id,code_id,start,end,coder,text\n"
                        "s1,P01,th_funding,99999999999999999999,3,ab,The\n")
        with pytest.raises(DataError) as exc:
            coding.read_segments_csv(path, SEGMENT_TEXTS)
    assert exc.value.line == 2 and "whole numbers" in exc.value.reason


def test_segments_lone_carriage_return_is_read():
    # Found by the segments properties: a lone CR made the line count raise csv.Error.
    # pandas reads the CR as a line end, so the row is broken: a DataError, not a crash.
    with scratch() as folder:
        path = folder / "segments.csv"
        path.write_bytes(b"segment_id,source_id,code_id,start,end,coder,text\n"
                         b"s1,P01,th_funding,0,3,ab\r,The\n")
        with pytest.raises(DataError):
            coding.read_segments_csv(path, SEGMENT_TEXTS)
