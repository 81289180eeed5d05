"""Tests for analysis.refi: REFI-QDA import (lenient) and export (strict).

Every fixture is built here, by hand, in the shape a real exporter writes (see
docs/ARCHITECTURE.md, "REFI-QDA as exporters write it"). Expected offsets are counted by hand in the comments next to
them: "U" for UTF-16 units of the stored file, "cp" for code points of the
normalised text (LF, no BOM) that the project uses.
"""

import io
import struct
import zipfile

import pandas as pd
import pytest
from lxml import etree

from analysis import paths, refi
from analysis.__main__ import main as cli
from analysis.errors import DataError

NS = "urn:QDA-XML:project:1.0"


def G(n: int) -> str:
    """A readable GUID for fixtures: G(7) == '00000000-0000-0000-0000-000000000007'."""
    return f"00000000-0000-0000-0000-{n:012d}"


def qde(body: str, ns: str = NS, name: str = "fixture") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Project xmlns="{ns}" name="{name}">{body}</Project>')


def make_zip(path, files: dict):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def selection(guid, start, end, code=None, user=None, extra=""):
    by = f' creatingUser="{user}"' if user else ""
    coding = (f'<Coding guid="{G(guid + 500)}"{by}><CodeRef targetGUID="{code}"/></Coding>'
              if code else "")
    return (f'<PlainTextSelection guid="{G(guid)}" startPosition="{start}" '
            f'endPosition="{end}">{extra}{coding}</PlainTextSelection>')


CODEBOOK = pd.DataFrame({
    "code_id": ["th_funding", "lvl", "lvl_meso", "sst_external"],
    "label": ["Funding and incentives", "Level", "Intermediate tier", "External structures"],
})

ONE_CODE = ('<Users><User guid="{u}" name="ann"/></Users><CodeBook><Codes>'
            '<Code guid="{c}" name="Funding and incentives" isCodable="true"/></Codes></CodeBook>'
            ).format(u=G(900), c=G(1))


# ----------------------------------------------------------------- offset units

def test_read_offsets_maxqda_counts_crlf_twice():
    # "Yes.\r\nThe SHA left." stored; CRLF counted as 2 code points (MAXQDA):
    # Y0 e1 s2 .3 \r4 \n5 T6 h7 e8 _9 S10 H11 A12 _13 l14 e15 f16 t17 .18
    # "SHA" = [10,13), "left" = [14,18). Normalised "Yes.\nThe SHA left.": SHA [9,12),
    # left [13,17).
    r = refi.read_offsets("Yes.\r\nThe SHA left.", [10, 14], [13, 18])
    assert r.unit == "codepoint+crlf"
    assert (r.start.tolist(), r.end.tolist()) == ([9, 13], [12, 17])
    assert r.score == 1.0


def test_read_offsets_utf8_bytes_and_tie_goes_to_code_points():
    # Taguette counts UTF-8 bytes: "Café cuts" -> C0 a1 f2 é3-4 _5 c6 u7 t8 s9; "cuts" is
    # bytes [6,10) = code points [5,9).
    r = refi.read_offsets("Café cuts", [6], [10])
    assert (r.unit, r.start.tolist(), r.end.tolist()) == ("utf8", [5], [9])
    # Plain ASCII without CRLF: every reading agrees, so the spec's code points win.
    r = refi.read_offsets("plain words", [0], [5])
    assert (r.unit, r.start.tolist(), r.end.tolist()) == ("codepoint", [0], [5])
    # With CRLF but a selection before it, CRLF once or twice agree: the tie goes to the
    # file as stored (spec §10.2), "Yes" = [0,3) either way.
    r = refi.read_offsets("Yes.\r\nNo.", [0], [3])
    assert (r.unit, r.start.tolist(), r.end.tolist()) == ("codepoint+crlf", [0], [3])


def test_read_offsets_bom_counted_and_out_of_range():
    # A tool that counts the BOM as character 0: "PCT" of "The PCT" is [5,8) instead
    # of [4,7) in code points.
    r = refi.read_offsets("The PCT was abolished", [5, 13], [8, 22], bom=True)
    assert (r.unit, r.start.tolist(), r.end.tolist()) == ("codepoint+bom", [4, 12], [7, 21])
    # No reading can place [0, 99) in a 3-character text: it is marked invalid.
    r = refi.read_offsets("abc", [0], [99])
    assert r.valid.tolist() == [False]


# ----------------------------------------------------------------- NVivo style

NVIVO_RAW = "Hi \U0001F600 there.\r\nWe met the CCG.\r\n\U0001F600 Good work."


def nvivo_project(tmp_path):
    # UTF-16 units with CRLF as 2 (NVivo for Windows), BOM not counted, Sources/ capitalised:
    # H0 i1 _2 😀3-4 _5 there6-10 .11 \r12 \n13 We_met_the_14-24 CCG25-27 .28 \r29 \n30
    # 😀31-32 _33 Good34-37 _38 work39-42 .43  ->  there [6,11), CCG [25,28), Good work [34,43)
    sels = (selection(11, 6, 11, G(1), G(900)) + selection(12, 25, 28, G(1), G(900))
            + selection(13, 34, 43, G(1)))
    body = ONE_CODE + (f'<Sources><TextSource guid="{G(10)}" name="Interview 1" '
                       f'plainTextPath="internal://{G(10)}.txt" creatingUser="{G(900)}">'
                       f'{sels}</TextSource></Sources>')
    data = b"\xef\xbb\xbf" + NVIVO_RAW.encode("utf-8")
    return make_zip(tmp_path / "nvivo.qdpx", {"project.qde": qde(body),
                                              f"Sources/{G(10)}.txt": data})


def test_nvivo_utf16_crlf_bom_emoji(tmp_path):
    project = refi.read_project(nvivo_project(tmp_path), codebook=CODEBOOK)
    src = project.sources.iloc[0]
    assert src["source_id"] == "Interview_1"  # slug of "Interview 1"
    assert src["offset_unit"] == "utf16+crlf"
    assert src["unit_score"] == "1.0000"
    assert src["path_in_archive"] == f"Sources/{G(10)}.txt"
    # Normalised "Hi 😀 there.\nWe met the CCG.\n😀 Good work.": H0 i1 _2 😀3 _4 there5-9
    # .10 \n11 We_met_the_12-22 CCG23-25 .26 \n27 😀28 _29 Good30-33 _34 work35-38
    segs = project.segments
    assert segs[["start", "end", "text"]].values.tolist() == [
        [5, 10, "there"], [23, 26, "CCG"], [30, 39, "Good work"]]
    assert set(segs["code_id"]) == {"th_funding"}  # "Funding and incentives" is its label
    # Coder: the Coding's creatingUser (ann); the third Coding has none, so the
    # TextSource is not consulted (only the selection's user) and it is "unknown".
    assert segs["coder"].tolist() == ["ann", "ann", "unknown"]
    assert project.report[["item", "what"]].values.tolist() == [
        ["Interview_1", "offsets converted"]]
    text = project.texts["Interview_1"]
    assert "\r" not in text and not text.startswith("\ufeff")
    assert len(text) == 40  # 43 code points stored, minus 2 CRs and the BOM not kept


# ----------------------------------------------------------------- ATLAS.ti style

def test_atlas_project_qde_sources_uppercase_crlf_once(tmp_path):
    # ATLAS.ti: any .qde name, "Sources/", upper-case .TXT, upper-case braced GUIDs,
    # CRLF in the file but counted once, and a comment in <Description>.
    raw = "Line one.\r\nThe PCT said no.\r\n"
    # Counting CRLF once: "Line one.\n" is cp 0-9, The10-12 _13 PCT14-16 _17 said18-21 _22
    # no23-24 .25  ->  PCT [14,17), "said no" [18,25)
    code = "{" + G(1).upper() + "}"
    sels = (selection(11, 14, 17, code, extra="<Description>Key moment</Description>")
            + selection(12, 18, 25, code))
    body = (f'<CodeBook><Codes><Code guid="{G(1)}" name="th_funding" isCodable="true"/>'
            f'</Codes></CodeBook><Sources><TextSource guid="{{{G(10).upper()}}}" name="PCT chat" '
            f'plainTextPath="internal://{G(10).upper()}.TXT">{sels}</TextSource></Sources>')
    path = make_zip(tmp_path / "Project.qdpx", {"Trial.qde": qde(body),
                                                f"Sources/{G(10).upper()}.TXT": raw})
    project = refi.read_project(path, codebook=CODEBOOK)
    assert project.sources["offset_unit"].tolist() == ["codepoint"]
    assert project.segments[["code_id", "start", "end", "text"]].values.tolist() == [
        ["th_funding", 14, 17, "PCT"], ["th_funding", 18, 25, "said no"]]
    memo = project.memos.iloc[0]
    assert (memo["target_guid"], memo["target_kind"], memo["text"]) == (
        G(11), "PlainTextSelection", "Key moment")
    assert (memo["source_id"], memo["start"], memo["end"]) == ("PCT_chat", 14, 17)


# ----------------------------------------------------------------- memos

def test_memos_in_each_encoding(tmp_path):
    text = "Alpha beta gamma delta."
    # cp: Alpha0-4 _5 beta6-9 _10 gamma11-15 _16 delta17-21 .22
    note_ref = f'<NoteRef targetGUID="{G(60)}"/></PlainTextSelection>'
    sels = (selection(11, 0, 5, G(1))  # (a) NoteRef to a Note with a file
            .replace("</PlainTextSelection>", note_ref)
            + selection(12, 6, 10, G(1))  # (b) NVivo: a Link from a Note to it
            + selection(13, 11, 16, G(1), extra="<Description>ATLAS comment</Description>")
            + selection(14, 17, 22, extra="<Description>MAXQDA annotation</Description>"))
    body = (ONE_CODE + f'<Sources><TextSource guid="{G(10)}" name="S"><PlainTextContent>{text}'
            f'</PlainTextContent>{sels}</TextSource></Sources><Notes>'
            f'<Note guid="{G(60)}" name="memo a" plainTextPath="internal://{G(60)}.txt"/>'
            f'<Note guid="{G(61)}" name="memo b"><PlainTextContent>Linked memo'
            f'</PlainTextContent></Note><Note guid="{G(62)}" name="journal"><PlainTextContent>'
            f'Journal entry</PlainTextContent></Note></Notes><Links><Link guid="{G(70)}" '
            f'originGUID="{G(61)}" targetGUID="{G(12)}"/></Links>')
    path = make_zip(tmp_path / "m.qdpx", {"project.qde": qde(body),
                                          f"sources/{G(60)}.txt": "File memo\r\n"})
    project = refi.read_project(path, codebook=CODEBOOK)
    memos = {row.text: row for row in project.memos.itertuples()}
    assert set(memos) == {"File memo", "Linked memo", "ATLAS comment", "MAXQDA annotation",
                          "Journal entry"}
    assert (memos["File memo"].target_guid, memos["File memo"].start) == (G(11), 0)
    assert (memos["Linked memo"].target_guid, memos["Linked memo"].start) == (G(12), 6)
    assert memos["ATLAS comment"].target_kind == "PlainTextSelection"
    # The MAXQDA annotation has no Coding: a memo, not a segment.
    assert (memos["MAXQDA annotation"].start, memos["MAXQDA annotation"].end) == (17, 22)
    journal = memos["Journal entry"]
    assert (journal.target_guid, journal.target_kind) == ("", "Project")
    assert project.segments["text"].tolist() == ["Alpha", "beta", "gamma"]


def test_memos_keep_author_date_title_and_the_code_they_are_about(tmp_path):
    # A note on the code (NoteRef in <Code>), one on a coding (NoteRef in <Coding>):
    # each with its creatingUser (ann, G(900)) and creationDateTime as written.
    text = "Alpha beta."  # Alpha0-4 _5 beta6-9 .10
    code = (f'<Users><User guid="{G(900)}" name="ann"/></Users><CodeBook><Codes>'
            f'<Code guid="{G(1)}" name="Funding and incentives" isCodable="true">'
            f'<Description>Money.</Description><NoteRef targetGUID="{G(60)}"/></Code>'
            "</Codes></CodeBook>")
    sel = (f'<PlainTextSelection guid="{G(11)}" startPosition="6" endPosition="10">'
           f'<Coding guid="{G(12)}" creatingUser="{G(900)}"><CodeRef targetGUID="{G(1)}"/>'
           f'<NoteRef targetGUID="{G(61)}"/></Coding></PlainTextSelection>')
    body = (code + f'<Sources><TextSource guid="{G(10)}" name="S"><PlainTextContent>{text}'
            f"</PlainTextContent>{sel}</TextSource></Sources><Notes>"
            f'<Note guid="{G(60)}" name="why" creatingUser="{G(900)}" '
            'creationDateTime="2025-03-14T10:00:00Z"><PlainTextContent>Too broad.'
            f'</PlainTextContent></Note><Note guid="{G(61)}" name="check" '
            f'modifyingUser="{G(900)}" modifiedDateTime="2025-03-15T09:00:00">'
            "<PlainTextContent>Only beta?</PlainTextContent></Note></Notes>")
    project = refi.read_project(make_zip(tmp_path / "n.qdpx", {"project.qde": qde(body)}),
                                codebook=CODEBOOK)
    memos = project.memos.set_index("text")
    assert memos.loc["Too broad.", ["target_kind", "code_id", "author", "date", "title"]
                     ].tolist() == ["Code", "th_funding", "ann", "2025-03-14T10:00:00Z", "why"]
    # a note on a coding: its code and the selection's place; the modifying user and
    # date stand in when the creating ones are missing
    assert memos.loc["Only beta?", ["target_kind", "code_id", "source_id", "start", "end",
                                    "author", "date"]].tolist() == [
        "Coding", "th_funding", "S", 6, 10, "ann", "2025-03-15T09:00:00"]
    # the code's Description is its definition, not a memo
    assert "Money." not in memos.index


# ----------------------------------------------------------------- .docx and missing files

def docx_bytes(*paragraphs) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_when_txt_is_empty_and_missing_source(tmp_path):
    # "First paragraph.\nThe ICB lead agreed.": First0-4 _5 paragraph6-14 .15 \n16 The17-19
    # _20 ICB21-23  ->  ICB [21,24)
    body = ONE_CODE + (
        f'<Sources><TextSource guid="{G(10)}" name="D" plainTextPath="internal://{G(10)}.txt" '
        f'richTextPath="internal://{G(10)}.docx">{selection(11, 21, 24, G(1))}</TextSource>'
        f'<TextSource guid="{G(20)}" name="Gone" plainTextPath="internal://{G(20)}.txt">'
        f'{selection(21, 0, 3, G(1))}</TextSource></Sources>')
    path = make_zip(tmp_path / "d.qdpx", {
        "project.qde": qde(body), f"sources/{G(10)}.txt": "\n",
        f"sources/{G(10)}.docx": docx_bytes("First paragraph.", "The ICB lead agreed.")})
    project = refi.read_project(path, codebook=CODEBOOK)
    assert project.segments[["source_id", "start", "end", "text"]].values.tolist() == [
        ["D", 21, 24, "ICB"]]
    assert project.sources.set_index("source_id").loc["D", "path_in_archive"] == \
        f"sources/{G(10)}.docx"
    report = set(map(tuple, project.report[["level", "item", "what"]].values.tolist()))
    assert ("info", "D", "text taken from .docx") in report
    assert ("warning", "Gone", "missing source file") in report
    assert ("warning", "Gone", "selections on a source without text") in report
    assert "Gone" not in project.texts


def test_media_selections_are_reported_not_dropped(tmp_path):
    rep = (f'<Representation guid="{G(31)}" name="pdf text"><PlainTextContent>PDF words'
           f'</PlainTextContent>{selection(32, 0, 3, G(1))}</Representation>')
    body = ONE_CODE + (
        f'<Sources><PDFSource guid="{G(30)}" name="Report" path="internal://{G(30)}.pdf">'
        f'<PDFSelection guid="{G(33)}" page="1" firstX="0" firstY="0" secondX="9" secondY="9"/>'
        f'{rep}</PDFSource>'
        f'<PictureSource guid="{G(40)}" name="Map"><PictureSelection guid="{G(41)}" firstX="0" '
        f'firstY="0" secondX="1" secondY="1"/></PictureSource>'
        f'<AudioSource guid="{G(50)}" name="Tape"><AudioSelection guid="{G(51)}" begin="0" '
        f'end="1000"/></AudioSource>'
        f'<VideoSource guid="{G(55)}" name="Film"><VideoSelection guid="{G(56)}" begin="0" '
        f'end="5"/></VideoSource></Sources>')
    project = refi.read_project(make_zip(tmp_path / "m.qdpx", {"project.qde": qde(body)}),
                                codebook=CODEBOOK)
    assert project.sources[["source_id", "kind"]].values.tolist() == [
        ["Report", "pdf"], ["Map", "picture"], ["Tape", "audio"], ["Film", "video"]]
    # The PDF's text representation keeps its text selection: "PDF" = [0,3).
    assert project.segments[["source_id", "text"]].values.tolist() == [["Report", "PDF"]]
    losses = project.report.set_index("item")["what"].to_dict()
    assert losses[G(33)] == "PDF selection not carried over"
    assert losses[G(41)] == "picture selection not carried over"
    assert losses[G(51)] == "audio selection not carried over"
    assert losses[G(56)] == "video selection not carried over"


# ----------------------------------------------------------------- codes, users, cases

def test_codes_hierarchy_colours_codebook_matching_and_cases(tmp_path):
    body = (
        f'<Users><User guid="{G(900)}" id="u1"/></Users><CodeBook><Codes>'
        f'<Code guid="{G(1)}" name="Level" isCodable="false" color="#f0a">'
        f'<Description>Tier of the NHS</Description>'
        f'<Code guid="{G(2)}" name="lvl_meso" isCodable="true" color="#00ff00"/></Code>'
        f'<Code guid="{G(3)}" name="Trust &amp; risk!" isCodable="true" color="rgb(1,2,3)"/>'
        f'</Codes></CodeBook><Variables>'
        f'<Variable guid="{G(80)}" name="tier" typeOfVariable="Text"/>'
        f'</Variables><Cases><Case guid="{G(81)}" name="Anon"><VariableValue>'
        f'<VariableRef targetGUID="{G(80)}"/><TextValue>meso</TextValue></VariableValue>'
        f'<SourceRef targetGUID="{G(10)}"/></Case></Cases>'
        f'<Sources><TextSource guid="{G(10)}" name="P01">'
        f'<PlainTextContent>Trust me</PlainTextContent><PlainTextSelection guid="{G(11)}" '
        f'startPosition="0" endPosition="5" creatingUser="{G(900)}">'
        f'<Coding guid="{G(12)}"><CodeRef targetGUID="{G(3)}"/></Coding></PlainTextSelection>'
        f'</TextSource></Sources>')
    project = refi.read_project(make_zip(tmp_path / "c.qdpx", {"project.qde": qde(body)}),
                                codebook=CODEBOOK)
    codes = project.codes.set_index("code_id")
    # "Level" matches a label, "lvl_meso" an id, "Trust & risk!" nothing -> slug.
    assert codes.index.tolist() == ["lvl", "lvl_meso", "trust_risk"]
    assert codes.loc["lvl_meso", "parent_id"] == "lvl"
    assert codes.loc["lvl", "colour"] == "#FF00AA"  # #f0a doubled digit by digit
    assert codes.loc["lvl", "description"] == "Tier of the NHS"
    assert codes["is_codable"].tolist() == [False, True, True]
    assert codes["in_codebook"].tolist() == [True, True, False]
    assert codes.loc["trust_risk", "colour"] == ""
    trust = project.report.loc[project.report["item"] == "Trust & risk!"]
    assert trust[["level", "what"]].values.tolist() == [
        ["info", "code not in codebook"], ["warning", "colour not understood"]]
    # The coder falls back to the selection's creatingUser, named by its id (no name).
    assert project.segments["coder"].tolist() == ["u1"]
    assert project.cases.values.tolist() == [["Anon", "tier", "meso", "P01"]]
    people = pd.DataFrame({"participant_id": ["P01", "P02"], "tier": ["", "micro"]})
    assert refi.attach_case_attributes(people, project.cases)["tier"].tolist() == ["meso", "micro"]


def test_case_values_reach_participants_through_their_sources():
    # A classification case linked to two interviews gives each its value; a source's own
    # variable (MAXQDA's document variables: a case named as the source) gives its own;
    # a case of no participant, an unnamed variable and an empty value give nothing.
    cases = pd.DataFrame({
        "case": ["North team", "North team", "P03_doc", "Board", "P01"],
        "variable": ["Tier", "Region", " tier ", "Tier", "Role"],
        "value": ["meso", "north", "micro", "macro", ""],
        "source_ids": ["s1|s2", "s1|s2", "P03_doc", "board_minutes", "s1"]})
    owners = {"s1": "P01", "s2": "P02", "P03_doc": "P03"}
    got = refi.case_values(cases, owners, {"tier": "TIER", "position_practice": "Role"})
    assert got.values.tolist() == [["P01", "tier", "meso", "North team", "Tier"],
                                   ["P02", "tier", "meso", "North team", "Tier"],
                                   ["P03", "tier", "micro", "P03_doc", " tier "]]


def test_namespace_variant_and_bare_qde_with_sources_folder(tmp_path):
    # Prefixed elements in the "1:0" namespace variant; a bare .qde with a "Sources" folder.
    ns = "urn:QDA-XML:project:1:0"
    body = (f'<q:Project xmlns:q="{ns}" name="x"><q:CodeBook><q:Codes><q:Code guid="{G(1)}" '
            f'name="Level" isCodable="true"/></q:Codes></q:CodeBook><q:Sources><q:TextSource '
            f'guid="{G(10)}" name="N" plainTextPath="internal://{G(10)}.txt">'
            f'<q:PlainTextSelection guid="{G(11)}" startPosition="4" endPosition="8">'
            f'<q:Coding guid="{G(12)}"><q:CodeRef '
            f'targetGUID="{G(1)}"/></q:Coding></q:PlainTextSelection></q:TextSource></q:Sources>'
            f'</q:Project>')
    (tmp_path / "proj.qde").write_text(body)
    (tmp_path / "Sources").mkdir()
    (tmp_path / "Sources" / f"{G(10)}.txt").write_text("The meso tier")  # meso = [4,8)
    project = refi.read_project(tmp_path / "proj.qde", codebook=CODEBOOK)
    assert project.segments[["code_id", "text"]].values.tolist() == [["lvl", "meso"]]
    assert ("warning", "namespace variant") in set(
        map(tuple, project.report[["level", "what"]].values.tolist()))


# ----------------------------------------------------------------- hostile and non-projects

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a "aaaaaaaaaa">'
                  '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Project name="&b;"/>')
XXE = ('<?xml version="1.0"?><!DOCTYPE P [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       f'<Project xmlns="{NS}" name="&x;"/>')


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE])
def test_entity_expansion_and_external_entities_refused(tmp_path, xml):
    path = make_zip(tmp_path / "h.qdpx", {"project.qde": xml})
    with pytest.raises(DataError, match="refused: the XML declares a DTD"):
        refi.read_project(path, codebook=CODEBOOK)


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt", "sources\\..\\..\\evil.txt",
                                    "C:/evil.txt"])
def test_paths_escaping_the_folder_refused(tmp_path, member):
    path = make_zip(tmp_path / "h.qdpx", {"project.qde": qde(""), member: "x"})
    with pytest.raises(DataError, match="escapes the project folder") as exc:
        refi.read_project(path, codebook=CODEBOOK)
    assert exc.value.line == member


def test_backslash_separators_inside_the_folder_are_accepted(tmp_path):
    body = ONE_CODE + (f'<Sources><TextSource guid="{G(10)}" name="W" plainTextPath='
                       f'"internal://{G(10)}.txt">{selection(11, 0, 2, G(1))}</TextSource>'
                       f'</Sources>')
    path = make_zip(tmp_path / "w.qdpx", {"project.qde": qde(body),
                                          f"sources\\{G(10)}.txt": "Hi there"})
    assert refi.read_project(path, codebook=CODEBOOK).segments["text"].tolist() == ["Hi"]


def _patch_sizes(path, sizes: dict):
    """Rewrite the uncompressed size in the central directory, as a forged archive does."""
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        name = bytes(data[pos + 46:pos + 46 + name_len]).decode()
        if name in sizes:
            struct.pack_into("<I", data, pos + 24, sizes[name])
        pos = data.find(b"PK\x01\x02", pos + 46)
    path.write_bytes(bytes(data))


def test_zip_bomb_ratio_refused(tmp_path):
    # 2 MiB of zeros deflates to about 2 KiB: a ratio near 1000, over the limit of 200.
    path = make_zip(tmp_path / "b.qdpx", {"project.qde": qde(""),
                                          "sources/a.txt": b"\0" * (2 << 20)})
    with pytest.raises(DataError, match="zip bomb"):
        refi.read_project(path, codebook=CODEBOOK)


def test_absurd_declared_sizes_refused(tmp_path):
    one = make_zip(tmp_path / "one.qdpx", {"project.qde": qde(""), "sources/a.txt": "x"})
    _patch_sizes(one, {"sources/a.txt": 0xFFFFFFF0})  # 4.29e9 > 2^31 - 1 (spec §8.5)
    with pytest.raises(DataError, match="over the REFI-QDA limit"):
        refi.read_project(one, codebook=CODEBOOK)
    two = make_zip(tmp_path / "two.qdpx", {"project.qde": qde(""), "sources/a.txt": "x",
                                           "sources/b.txt": "y"})
    # Each 1.61e9 bytes is under the per-file limit; together 3.2e9 exceed 2 GiB (2.15e9).
    _patch_sizes(two, {"sources/a.txt": 0x60000000, "sources/b.txt": 0x60000000})
    total = 2 * 0x60000000 + len(qde(""))  # 3,221,225,472 plus the project.qde itself
    with pytest.raises(DataError, match=f"would expand to {total:,} bytes"):
        refi.read_project(two, codebook=CODEBOOK)


def test_header_that_understates_the_size_is_an_error(tmp_path):
    path = make_zip(tmp_path / "l.qdpx", {"project.qde": qde(ONE_CODE)})
    _patch_sizes(path, {"project.qde": 10})  # the real document is far longer
    with pytest.raises(DataError):
        refi.read_project(path, codebook=CODEBOOK)


@pytest.mark.parametrize("name,data,reason", [
    ("notes.txt", b"hello, not a project", "neither a .qdpx (zip) archive nor a .qde"),
    ("empty.qdpx", None, "holds no .qde project file"),
    ("page.qde", b"<html><body/></html>", "the root element is <html>"),
    ("broken.qde", b"<Project name='x'>\n<Users>\n</Project>", "not well-formed XML"),
])
def test_cli_refuses_non_projects_with_one_line(tmp_path, capsys, name, data, reason):
    path = tmp_path / name
    if data is None:
        make_zip(path, {"readme.txt": "no project here"})
    else:
        path.write_bytes(data)
    out = tmp_path / "out"
    assert cli(["qdpx", "import", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and reason in err[0]
    assert not out.exists()  # nothing half-written


def test_cli_import_writes_tables_and_exits_0_with_losses(tmp_path, capsys):
    path = nvivo_project(tmp_path)
    codes = tmp_path / "codes_in.csv"
    CODEBOOK.to_csv(codes, index=False)
    out = tmp_path / "out"
    assert cli(["qdpx", "import", str(path), "--out", str(out), "--codebook-csv", str(codes)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "cases.csv", "codes.csv", "import_report.csv", "memos.csv", "segments.csv",
        "sources.csv", "texts"]
    assert (out / "texts" / "Interview_1.txt").read_bytes() == \
        NVIVO_RAW.replace("\r\n", "\n").encode("utf-8")
    segments = pd.read_csv(out / "segments.csv", dtype=str, keep_default_na=False)
    assert segments.columns.tolist() == ["segment_id", "source_id", "code_id", "start", "end",
                                         "coder", "text"]
    sources = pd.read_csv(out / "sources.csv", dtype=str, keep_default_na=False)
    assert sources["offset_unit"].tolist() == ["utf16+crlf"]


# ----------------------------------------------------------------- export

STUDY_CODES = pd.DataFrame({
    "code_id": ["sst_external", "sst_ext_independent", "th_funding"],
    "parent_id": ["", "sst_external", ""],
    "label": ["External structures", "Independent causal influence", "Funding and incentives"],
    "colour": ["#336699", "", ""],
    "description": ["Conditions of action", "", ""],
})
STUDY_TEXTS = {"P01": "We had no money \U0001F600 at all.\nThe SHA decided.",
               "P02": "Café budgets were cut, again."}


def study_tables():
    # P01: We0-1 _2 had3-5 _6 no7-8 _9 money10-14 _15 😀16 _17 at18-19 _20 all21-23 .24 \n25
    # The26-28 _29 SHA30-32 _33 decided34-40 .41;  P02: Café0-3 _4 budgets5-11
    rows = [("s1", "P01", "th_funding", 3, 15, "ann"),
            ("s2", "P01", "sst_ext_independent", 26, 42, "bob"),
            ("s3", "P01", "th_funding", 26, 42, "ann"),
            ("s4", "P02", "th_funding", 5, 12, "ann")]
    segments = pd.DataFrame(rows, columns=["segment_id", "source_id", "code_id", "start", "end",
                                           "coder"])
    segments["text"] = [STUDY_TEXTS[s][a:b] for s, a, b in zip(segments.source_id, segments.start,
                                                              segments.end)]
    participants = pd.DataFrame({"participant_id": ["P01", "P02"], "tier": ["meso", "micro"],
                                 "years_in_nhs": ["12", "3"]})
    return dict(codes=STUDY_CODES, sources=pd.DataFrame({"source_id": ["P01", "P02"]}),
                texts=STUDY_TEXTS, segments=segments, participants=participants)


def test_round_trip_gives_the_same_segments(tmp_path):
    tables = study_tables()
    assert tables["segments"]["text"].tolist() == ["had no money", "The SHA decided.",
                                                   "The SHA decided.", "budgets"]
    path = refi.export_project(tmp_path / "study.qdpx", **tables)
    back = refi.read_project(path, codebook=STUDY_CODES)
    key = ["source_id", "code_id", "start", "end", "coder", "text"]
    want = tables["segments"][key].sort_values(key).values.tolist()
    assert back.segments[key].sort_values(key).values.tolist() == want
    codes = back.codes.set_index("code_id")
    assert codes.loc["sst_ext_independent", "parent_id"] == "sst_external"
    assert codes.loc["sst_external", "colour"] == "#336699"
    wide = refi.case_attributes(back.cases)
    assert wide.to_dict("records") == [
        {"participant_id": "P01", "tier": "meso", "years_in_nhs": "12"},
        {"participant_id": "P02", "tier": "micro", "years_in_nhs": "3"}]
    assert (back.report["level"] == "warning").sum() == 0


def test_export_is_strict_deterministic_and_schema_valid(tmp_path):
    a = refi.export_project(tmp_path / "a.qdpx", **study_tables())
    b = refi.export_project(tmp_path / "b.qdpx", **study_tables())
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        names = zf.namelist()
        xml = zf.read("project.qde")
        infos = zf.infolist()
        texts = {n: zf.read(n) for n in names if n != "project.qde"}
    guid = refi.stable_guid("source", "P01")
    assert names == sorted(names) and names[0] == "project.qde"
    assert f"sources/{guid}.txt" in names and all(
        n == "project.qde" or n.startswith("sources/") for n in names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert not xml.startswith(b"\xef\xbb\xbf") and xml.startswith(b"<?xml")
    assert all(not t.startswith(b"\xef\xbb\xbf") for t in texts.values())
    assert f'plainTextPath="internal://{guid}.txt"'.encode() in xml
    assert b"creationDateTime" not in xml
    # Independent check with lxml and the packaged schema file.
    schema = etree.XMLSchema(etree.parse(str(paths.RESOURCES / "refi" / "Project.xsd")))
    assert schema.validate(etree.fromstring(xml)), schema.error_log
    # One selection per (span, coder): P01 [26, 42) coded by bob and by ann is two
    # selections (s2, s3), plus s1 and s4: 4 selections of one coding each.
    assert xml.count(b"<PlainTextSelection ") == 4 and xml.count(b"<Coding ") == 4


def test_export_writes_one_selection_per_span_and_coder(tmp_path):
    # QualCoder's importer takes every coding's coder from its selection's creatingUser and
    # keeps one coding per (code, source, span, coder) (docs/ARCHITECTURE.md, "REFI-QDA as
    # exporters write it"), so no selection may carry two coders.
    text = "The SHA decided. We had no money."
    # The0-2 _3 SHA4-6 _7 decided8-14 .15 _16 We17-18 _19 had20-22 _23 no24-25 _26 money27-31 .32
    rows = [("s1", "P01", "th_funding", 0, 16, "ann"),           # both coders, same code
            ("s2", "P01", "th_funding", 0, 16, "bob"),
            ("s3", "P01", "sst_ext_independent", 17, 33, "ann"),  # both coders, different codes
            ("s4", "P01", "th_funding", 17, 33, "bob"),
            ("s5", "P01", "sst_external", 17, 33, "bob"),         # bob: two codes, one span
            ("s6", "P01", "th_funding", 17, 33, "bob")]           # repeated: one coding
    segments = pd.DataFrame(rows, columns=["segment_id", "source_id", "code_id", "start",
                                           "end", "coder"])
    segments["text"] = [text[a:b] for a, b in zip(segments.start, segments.end)]
    path = refi.export_project(tmp_path / "two.qdpx", codes=STUDY_CODES,
                               sources=pd.DataFrame({"source_id": ["P01"]}),
                               texts={"P01": text}, segments=segments)
    with zipfile.ZipFile(path) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in doc.iter(f"{{{NS}}}User")}
    selections = []
    for sel in doc.iter(f"{{{NS}}}PlainTextSelection"):
        coders = {users[c.get("creatingUser")] for c in sel.iter(f"{{{NS}}}Coding")}
        assert coders == {users[sel.get("creatingUser")]}  # exactly one coder, the selection's
        selections.append((sel.get("startPosition"), sel.get("endPosition"), coders.pop(),
                           len(sel.findall(f"{{{NS}}}Coding"))))
    # By hand: (0,16) ann 1, bob 1; (17,33) ann 1, bob 2 (th_funding once, sst_external).
    assert selections == [("0", "16", "ann", 1), ("0", "16", "bob", 1),
                          ("17", "33", "ann", 1), ("17", "33", "bob", 2)]
    # All selection and coding GUIDs differ.
    guids = [el.get("guid") for el in doc.iter() if el.get("guid")]
    assert len(guids) == len(set(guids))
    back = refi.read_project(path, codebook=STUDY_CODES)
    key = ["code_id", "start", "end", "coder", "text"]
    assert sorted(back.segments[key].values.tolist()) == sorted([
        ["th_funding", 0, 16, "ann", "The SHA decided."],
        ["th_funding", 0, 16, "bob", "The SHA decided."],
        ["sst_ext_independent", 17, 33, "ann", "We had no money."],
        ["th_funding", 17, 33, "bob", "We had no money."],
        ["sst_external", 17, 33, "bob", "We had no money."]])
    assert (back.report["level"] == "warning").sum() == 0


def test_export_refuses_bad_segments_and_writes_nothing(tmp_path):
    tables = study_tables()
    tables["segments"].loc[0, "text"] = "not the text"
    with pytest.raises(DataError, match="segment s1: its text differs"):
        refi.export_project(tmp_path / "x.qdpx", **tables)
    assert not (tmp_path / "x.qdpx").exists()


def test_validate_project_xml_reports_first_error():
    with pytest.raises(DataError, match="invalid against Project.xsd") as exc:
        refi.validate_project_xml(f'<Project xmlns="{NS}" name="x">\n<Bogus/></Project>'.encode())
    assert exc.value.line == 2  # <Bogus/> is on the second line


def test_codebook_export_is_valid_qdc(tmp_path):
    path = refi.export_codebook(tmp_path / "codes.qdc", STUDY_CODES)
    xml = path.read_bytes()
    schema = etree.XMLSchema(etree.parse(str(paths.RESOURCES / "refi" / "Codebook.xsd")))
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    assert doc.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    # sst_ext_independent nests inside sst_external: Codes/Code/Code.
    nested = doc.findall("{*}Codes/{*}Code/{*}Code")
    assert [c.get("name") for c in nested] == ["Independent causal influence"]


def test_cli_export_from_a_processed_study(tmp_path, capsys):
    tables = study_tables()
    study = tmp_path / "interviews"
    (study / "texts").mkdir(parents=True)
    for sid, text in STUDY_TEXTS.items():
        (study / "texts" / f"{sid}.txt").write_text(text, encoding="utf-8", newline="\n")
    tables["codes"].to_csv(study / "codes.csv", index=False)
    tables["sources"].to_csv(study / "sources.csv", index=False)
    tables["segments"].to_csv(study / "segments.csv", index=False)
    tables["participants"].to_csv(study / "participants.csv", index=False)
    out = tmp_path / "study.qdpx"
    assert cli(["qdpx", "export", "--out", str(out), "--study", str(study)]) == 0
    direct = refi.export_project(tmp_path / "direct.qdpx", **tables)
    assert out.read_bytes() == direct.read_bytes()
    qdc = tmp_path / "codes.qdc"
    assert cli(["qdpx", "export", "--codebook-only", str(qdc), "--study", str(study)]) == 0
    assert cli(["qdpx", "validate", str(qdc)]) == 0
    assert cli(["qdpx", "validate", str(out)]) == 0


def test_cli_export_refuses_to_leave_an_identifier_in_the_export(tmp_path, capsys):
    tables = study_tables()
    study = tmp_path / "interviews"
    (study / "texts").mkdir(parents=True)
    for sid, text in STUDY_TEXTS.items():
        # planted: a name from the demo study's identifier key, which the leak check
        # reads by default (data/raw/interviews/demo/identifier_key.csv, line 2)
        (study / "texts" / f"{sid}.txt").write_text(text + "\nHarriet Quill\n",
                                                    encoding="utf-8", newline="\n")
    for name in ("codes", "sources", "segments", "participants"):
        tables[name].to_csv(study / f"{name}.csv", index=False)
    out = tmp_path / "study.qdpx"
    assert cli(["qdpx", "export", "--out", str(out), "--study", str(study)]) == 1
    err = capsys.readouterr().err
    assert "key entry (data/raw/interviews/demo/identifier_key.csv:2)" in err
    assert "Harriet" not in err and not out.exists()

def test_several_qde_files_prefer_project_qde_and_whole_source_coding(tmp_path):
    # A stray backup .qde in a subfolder; the root project.qde is the project (spec §8.1).
    body = ONE_CODE + (f'<Sources><TextSource guid="{G(10)}" name="W"><PlainTextContent>All of it'
                       f'</PlainTextContent><Coding guid="{G(11)}" creatingUser="{G(900)}">'
                       f'<CodeRef targetGUID="{G(1)}"/></Coding></TextSource></Sources>')
    path = make_zip(tmp_path / "s.qdpx", {"project.qde": qde(body),
                                          "backup/old.qde": qde("", name="old")})
    project = refi.read_project(path, codebook=CODEBOOK)
    # A Coding on the whole source is a segment spanning its 9 characters "All of it".
    assert project.segments[["code_id", "start", "end", "coder", "text"]].values.tolist() == [
        ["th_funding", 0, 9, "ann", "All of it"]]
    assert "whole-source coding" in project.report["what"].tolist()


def test_the_project_codebook_exports_as_a_valid_qdc(tmp_path):
    from analysis.codebook import load_codebook

    codes = load_codebook().codes
    xml = refi.export_codebook(tmp_path / "sst.qdc", codes).read_bytes()
    doc = etree.fromstring(xml)
    # 44 codes in the SST coding frame (data/raw/codebook/README.md, "The frame's code list"), one <Code> each.
    assert len(doc.findall(".//{*}Code")) == 44
    # Every exported code comes back under its own id by its GUID, name or label.
    back = refi.read_project(
        refi.export_project(tmp_path / "p.qdpx", codes=codes,
                            sources=pd.DataFrame({"source_id": []}), texts={},
                            segments=pd.DataFrame(columns=["segment_id", "source_id", "code_id",
                                                           "start", "end", "coder"])))
    assert sorted(back.codes["code_id"]) == sorted(codes["code_id"])
    assert back.codes["in_codebook"].all()


def test_zip_bomb_inside_a_docx_is_refused(tmp_path):
    # The .docx is itself a zip: 2 MiB of zeros in it expand ~1000-fold (limit 200).
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as inner:
        inner.writestr("word/document.xml", b"\0" * (2 << 20))
    body = (f'<Sources><TextSource guid="{G(10)}" name="D" richTextPath='
            f'"internal://{G(10)}.docx"/></Sources>')
    path = make_zip(tmp_path / "d.qdpx", {"project.qde": qde(body),
                                          f"sources/{G(10)}.docx": buf.getvalue()})
    with pytest.raises(DataError, match="zip bomb") as exc:
        refi.read_project(path, codebook=CODEBOOK)
    assert exc.value.line == f"sources/{G(10)}.docx!word/document.xml"
