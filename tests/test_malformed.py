"""The catalogue of malformed input: every reader of the package, one bad input per row,
and the exact error line it must give.

Each row is (id, how the bad input is made, what reads it, the expected line). Where a
command exists the row runs the real command line in process
(:func:`analysis.__main__.main`) and checks exit status 2, that stderr is exactly that
one line, and that the output folder is still empty; elsewhere it calls the loader
and formats its :class:`DataError` as the command line would (``error: {err}``).

Hand-made inputs live in ``tests/fixtures/malformed/`` and appear in messages relative
to the repository root (``M`` below). Binary inputs (zips, other encodings) are built
in the row's temporary folder, shown as ``{tmp}``. Every expected line was worked out
by hand from the fixture and the module's documented messages: the comment on each row
says how (the line counted in the file, the column, the first problem in file order).
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from analysis import coding, participants, timeline
from analysis.__main__ import main as cli
from analysis.codebook import load_codebook
from analysis.errors import DataError
from analysis.paths import relative

FIX = Path(__file__).parent / "fixtures" / "malformed"
M = "tests/fixtures/malformed"  # how DataError shows FIX (relative to the repository root)
T = f"{M}/transcripts"
D = f"{M}/documents"


# ----------------------------------------------------------------------------- makers

def fixture(name):
    """The input is a committed fixture file."""
    return lambda tmp: FIX / name


def written(name, data: bytes):
    """The input is written into the row's temporary folder."""
    def make(tmp):
        (tmp / name).write_bytes(data)
        return tmp / name
    return make


def zipped(members, forge=None, name="p.qdpx"):
    """A zip of ``members`` (name -> bytes, stored uncompressed, so the compressed size
    is the length); ``forge`` maps a member to the uncompressed size to claim in the
    central directory (offset 24 of its header), as a bomb or a lying archive does."""
    def make(tmp):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for member, data in members.items():
                zf.writestr(zipfile.ZipInfo(member), data)
        data = bytearray(buf.getvalue())
        for member, size in (forge or {}).items():
            at = data.find(b"PK\x01\x02")
            while at != -1:
                length = struct.unpack_from("<H", data, at + 28)[0]
                if bytes(data[at + 46:at + 46 + length]) == member.encode():
                    struct.pack_into("<I", data, at + 24, size)
                at = data.find(b"PK\x01\x02", at + 4)
        (tmp / name).write_bytes(bytes(data))
        return tmp / name
    return make


# ----------------------------------------------------------------------------- runners

def cli_row(*argv):
    """Run ``python -m analysis ARGV`` ({src}: the input, {out}: an empty folder)."""
    return ("cli", argv)


def call(fn):
    """Call ``fn(path)``; it must raise DataError."""
    return ("call", fn)


def usage(*argv):
    """A command-line usage error: argparse exits 2 with its message as the last line."""
    return ("usage", argv)


VALID_CODEBOOK = FIX / "codebook_valid.yml"


def segments(path):
    return coding.read_segments_csv(path, coding.load_texts(FIX / "texts"),
                                    load_codebook(VALID_CODEBOOK))


def inline(path):
    return coding.parse_inline(path.read_text(encoding="utf-8"), "P01", "ab", where=path,
                               codebook=load_codebook(VALID_CODEBOOK))


TRANSCRIPTS = cli_row("transcripts", "parse", "{src}", "--out", "{out}")
PSEUDONYMISE = cli_row("privacy", "pseudonymise", str(FIX / "key_text.txt"), "--key", "{src}",
                       "--out", "{out}/text.txt")
INGEST = cli_row("documents", "ingest", "--manifest", "{src}", "--documents-dir",
                 str(FIX / "documents"), "--out", "{out}")
QDPX = cli_row("qdpx", "import", "{src}", "--out", "{out}")

STRATEGY_COLUMNS_BUT_TITLE = ", ".join(c for c in timeline.STRATEGY_COLUMNS if c != "title")
# nine levels of nine aliases: 9**9 lists once expanded, from a few hundred bytes
ALIAS_BOMB = (b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
              + "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n"
                        for p, n in zip("abcdefgh", "bcdefghi")).encode())
MINIMAL_QDE = b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'

CASES = [
    # ------------------------------------------------------------------ timeline CSVs
    ("timeline-unknown-tier", fixture("strategies_unknown_tier.csv"),
     call(timeline.load_strategies),
     # line 3 is row A2 (line 2, A1, is valid); its tiers cell is "meso|mezzo"
     f"error: {M}/strategies_unknown_tier.csv:3: unknown tier 'mezzo': expected macro, "
     "meso, micro joined by '|'"),
    ("timeline-bad-month", fixture("strategies_bad_month.csv"),
     call(timeline.load_strategies),
     # line 3: start "2003-13" with precision month
     f"error: {M}/strategies_bad_month.csv:3: bad date '2003-13' in column start: no month 13"),
    ("timeline-duplicate-id", fixture("strategies_duplicate_id.csv"),
     call(timeline.load_strategies),
     # line 4 repeats the id A1 of line 2; lines 2-4 are otherwise valid
     f"error: {M}/strategies_duplicate_id.csv:4: duplicate id 'A1' (first on line 2)"),
    ("timeline-ragged-row", fixture("strategies_ragged.csv"),
     call(timeline.load_strategies),
     # line 3 has 19 cells under an 18-column header; pandas' tokenizer names the line
     f"error: {M}/strategies_ragged.csv:3: not a well-formed CSV table (Error tokenizing "
     "data. C error: Expected 18 fields in line 3, saw 19)"),
    ("timeline-header-with-line-break", fixture("strategies_newline_header.csv"),
     call(timeline.load_strategies),
     # the quoted header cell "id<LF>number" is shown escaped, so the error stays one line;
     # every strategy column but title is missing
     f"error: {M}/strategies_newline_header.csv:1: header lacks column(s) "
     f"{STRATEGY_COLUMNS_BUT_TITLE}; found id\\nnumber, title"),
    ("timeline-empty-file", fixture("strategies_empty.csv"),
     call(timeline.load_strategies),
     # zero bytes: the file as a whole is at fault, no line
     f"error: {M}/strategies_empty.csv: file is empty"),
    ("timeline-not-utf8-nor-cp1252",
     written("strategies.csv", b"id,title\nA1,x\nA2,\x81\n"),
     call(timeline.load_strategies),
     # byte 0x81 is undefined in Windows-1252; it is byte 9+5+3 = 17, on line 3
     "error: {tmp}/strategies.csv:3: not valid UTF-8 (from byte 17) and not Windows-1252 "
     "either (byte 0x81); re-save as UTF-8"),
    ("timeline-multiline-cell", fixture("reorganisations_multiline.csv"),
     call(timeline.load_reorganisations),
     # record R1 spans lines 2-3 (a quoted summary); R2 starts on line 4, confidence "certain"
     f"error: {M}/reorganisations_multiline.csv:4: unknown confidence 'certain': expected "
     "high, medium, low"),
    ("timeline-old-mac-line-ends",
     written("reorganisations.csv",
             (FIX / "reorganisations_multiline.csv").read_bytes().replace(b"\n", b"\r")),
     call(timeline.load_reorganisations),
     # the same table with CR line ends: CR ends lines for pandas and editors alike
     "error: {tmp}/reorganisations.csv:4: unknown confidence 'certain': expected high, "
     "medium, low"),
    ("timeline-count-order", fixture("body_counts_low_above_high.csv"),
     call(timeline.load_body_counts),
     # line 3: count_low 23, count_high 17
     f"error: {M}/body_counts_low_above_high.csv:3: count_low 23 is greater than count_high 17"),
    ("timeline-count-too-large", fixture("body_counts_huge.csv"),
     call(timeline.load_body_counts),
     # line 2: count_high has 20 digits, beyond int64 (19 digits)
     f"error: {M}/body_counts_huge.csv:2: count_high '99999999999999999999' is too large "
     "to be a count"),
    ("timeline-era-gap", fixture("eras_gap.csv"),
     call(timeline.load_eras),
     # line 3: ifh starts 1998-10, imt (line 2) ends 1998-09
     f"error: {M}/eras_gap.csv:3: era 'ifh' starts '1998-10' but the previous era ends "
     "'1998-09'; eras must be contiguous"),
    ("timeline-missing-column", fixture("eras_no_notes.csv"),
     call(timeline.load_eras),
     # the header stops at defining_event: notes is missing
     f"error: {M}/eras_no_notes.csv:1: header lacks column(s) notes; found era_id, label, "
     "start, start_precision, end, end_precision, defining_event"),

    # ------------------------------------------------------------------ participants
    ("participants-unknown-tier", fixture("participants_unknown_tier.csv"),
     call(participants.load_participants),
     # line 3: P02's tier is "mezzo"
     f"error: {M}/participants_unknown_tier.csv:3: unknown tier 'mezzo': expected one of "
     "macro, meso, micro"),
    ("participants-duplicate-id", fixture("participants_duplicate.csv"),
     call(participants.load_participants),
     # line 4 repeats P01 of line 2
     f"error: {M}/participants_duplicate.csv:4: duplicate participant_id 'P01' (first on "
     "line 2)"),
    ("participants-era-twice", fixture("participants_era_twice.csv"),
     call(participants.load_participants),
     # line 2: eras "npfit|npfit"
     f"error: {M}/participants_era_twice.csv:2: era listed twice in 'npfit|npfit'"),
    ("participants-negative-years", fixture("participants_negative_years.csv"),
     call(participants.load_participants),
     # line 2: years_in_nhs "-1"
     f"error: {M}/participants_negative_years.csv:2: years_in_nhs '-1' is not a "
     "non-negative whole number"),
    ("participants-transcript-path", fixture("participants_transcript_path.csv"),
     call(participants.load_participants),
     # line 2: transcript "../P01.txt" leaves the folder
     f"error: {M}/participants_transcript_path.csv:2: transcript '../P01.txt' is not a "
     "file name in this folder"),

    # ------------------------------------------------------------------ identifier key
    ("key-empty-replacement", fixture("key_empty_replacement.csv"), PSEUDONYMISE,
     # line 3: James has no replacement
     f"error: {M}/key_empty_replacement.csv:3: empty replacement (an original cannot be "
     "deleted)"),
    ("key-repeated-original", fixture("key_repeat.csv"), PSEUDONYMISE,
     # line 4: "  leeds " is Leeds of line 2 once stripped and case-folded
     f"error: {M}/key_repeat.csv:4: original repeats line 2 (ignoring case and spacing)"),
    ("key-replacement-leaks", fixture("key_replacement_leaks.csv"), PSEUDONYMISE,
     # line 3: the replacement "[Leeds office]" holds its own original, Leeds, as a word
     f"error: {M}/key_replacement_leaks.csv:3: replacement contains the original of line 3 "
     "as a whole word; the leak check would flag it"),
    ("key-unknown-kind", fixture("key_unknown_kind.csv"), PSEUDONYMISE,
     # line 2: kind "city"
     f"error: {M}/key_unknown_kind.csv:2: unknown kind 'city': expected one of person, "
     "organisation, place, other or empty"),
    ("key-missing-column", fixture("key_no_replacement.csv"), PSEUDONYMISE,
     # header "original,kind"
     f"error: {M}/key_no_replacement.csv:1: header lacks column(s) replacement; found "
     "original, kind"),

    # ------------------------------------------------------------------ codebook YAML
    ("codebook-alias-bomb", written("codebook.yml", ALIAS_BOMB), call(load_codebook),
     # the first anchor, &a, is on line 1; nothing is expanded
     "error: {tmp}/codebook.yml:1: YAML anchor refused: write each value out in full "
     "(aliases can expand without limit)"),
    ("codebook-unknown-facet", fixture("codebook_unknown_facet.yml"), call(load_codebook),
     # line 6 is th_funding, written on one line, with facet "topic"
     f"error: {M}/codebook_unknown_facet.yml:6: code 'th_funding': unknown facet 'topic'; "
     "expected one of sst, level, position_practice, theme"),
    ("codebook-duplicate-id", fixture("codebook_duplicate_id.yml"), call(load_codebook),
     # line 7 defines th_funding again (first on line 6)
     f"error: {M}/codebook_duplicate_id.yml:7: code 'th_funding': duplicate id (first "
     "defined on line 6)"),
    ("codebook-missing-version", fixture("codebook_no_version.yml"), call(load_codebook),
     # the file starts at description: version is missing (reported on line 1)
     f"error: {M}/codebook_no_version.yml:1: missing top-level field 'version'"),
    ("codebook-unknown-parent", fixture("codebook_unknown_parent.yml"), call(load_codebook),
     # line 6: th_funding's parent th_money is not defined
     f"error: {M}/codebook_unknown_parent.yml:6: code 'th_funding': parent 'th_money' is "
     "not a code of this codebook"),
    ("codebook-bad-stem", fixture("codebook_bad_stem.yml"), call(load_codebook),
     # line 18 is the second stems item, "Mandat*" (upper case)
     f"error: {M}/codebook_bad_stem.yml:18: code 'th_funding': malformed stem 'Mandat*': "
     "lower-case letters, digits, spaces, - ' & only, with an optional final *"),
    ("codebook-tab-indent", fixture("codebook_tab.yml"), call(load_codebook),
     # line 6 starts with a tab, which YAML forbids as indentation
     f"error: {M}/codebook_tab.yml:6: invalid YAML: found character '\\t' that cannot "
     "start any token"),
    ("codebook-not-a-mapping", fixture("codebook_list.yml"), call(load_codebook),
     # the document is a list
     f"error: {M}/codebook_list.yml:1: a codebook is a mapping with version, description, "
     "sources, codes"),

    # ------------------------------------------------------------------ segments CSV
    # texts/P01.txt is "The SHA paid\nlate.\n": 19 characters, [4:7] == "SHA".
    ("segments-out-of-range", fixture("segments_out_of_range.csv"), call(segments),
     # line 3: 4-40 against 19 characters
     f"error: {M}/segments_out_of_range.csv:3: offsets 4-40 out of range: text of 'P01' "
     "has 19 characters"),
    ("segments-text-mismatch", fixture("segments_text_mismatch.csv"), call(segments),
     # line 3 quotes "PCT" at 4-7, where the text says "SHA"
     f"error: {M}/segments_text_mismatch.csv:3: text 'PCT' does not match the source text "
     "at 4-7, which is 'SHA'"),
    ("segments-unknown-code", fixture("segments_unknown_code.csv"), call(segments),
     # line 2: th_money is not in codebook_valid.yml
     f"error: {M}/segments_unknown_code.csv:2: unknown code 'th_money' (not in the codebook)"),
    ("segments-grouping-code", fixture("segments_grouping_code.csv"), call(segments),
     # line 2: th is codable: false in codebook_valid.yml
     f"error: {M}/segments_grouping_code.csv:2: code 'th' groups other codes and is not "
     "applied to text; use one of its children"),
    ("segments-not-whole-numbers", fixture("segments_not_whole.csv"), call(segments),
     # line 3: start "4.0"
     f"error: {M}/segments_not_whole.csv:3: start and end must be whole numbers >= 0, got "
     "'4.0' and '7'"),
    ("segments-dictionary-coder", fixture("segments_dictionary.csv"), call(segments),
     # line 2: coder "dictionary" in human coding
     f"error: {M}/segments_dictionary.csv:2: a dictionary suggestion in human coding: review "
     "it and re-attribute it to the coder who accepts it"),
    ("segments-after-multiline-text", fixture("segments_unknown_source.csv"), call(segments),
     # record s1 spans lines 2-3 (its quoted text holds a line break); s2, on line 4,
     # names source P02, which has no text
     f"error: {M}/segments_unknown_source.csv:4: unknown source 'P02' (no text for it)"),

    # ------------------------------------------------------------------ inline markup
    ("inline-unclosed", fixture("inline_unclosed.txt"), call(inline),
     # the first [[ (line 1) closes on line 2; the second opens at line 3, column 5
     f"error: {M}/inline_unclosed.txt:3:5: '[[' is never closed with ']]'"),
    ("inline-stray-close", fixture("inline_stray_close.txt"), call(inline),
     # "The SHA paid" is 12 characters: ]] starts at column 13
     f"error: {M}/inline_stray_close.txt:1:13: ']]' closes nothing (write \\]] for a "
     "literal ']]')"),
    ("inline-no-codes", fixture("inline_no_codes.txt"), call(inline),
     # "The SHA " is 8 characters: [[ at column 9, and "paid]]" has no colon
     f"error: {M}/inline_no_codes.txt:1:9: '[[' must be followed by code ids and a colon, "
     "as in [[th_funding: words]] (write \\[[ for a literal '[[')"),
    ("inline-empty-span", fixture("inline_empty_span.txt"), call(inline),
     # line 2 "The [[th_funding: ]]": [[ at column 5, nothing between ": " and ]]
     f"error: {M}/inline_empty_span.txt:2:5: empty coded span"),
    ("inline-unknown-code", fixture("inline_unknown_code.txt"), call(inline),
     # [[ at column 5 lists th_money, not in codebook_valid.yml
     f"error: {M}/inline_unknown_code.txt:1:5: code 'th_money' is not in the codebook"),
    ("inline-grouping-code", fixture("inline_grouping_code.txt"), call(inline),
     # [[ at column 5 applies th, which is codable: false
     f"error: {M}/inline_grouping_code.txt:1:5: code 'th' groups other codes"),

    # ------------------------------------------------------------------ transcripts
    ("transcript-empty", fixture("transcripts/P01.txt"), TRANSCRIPTS,
     # zero bytes
     f"error: {T}/P01.txt: file is empty"),
    ("transcript-bad-timestamp", fixture("transcripts/P02.txt"), TRANSCRIPTS,
     # line 3 "[00:75:00] Interviewer:" has minute 75
     f"error: {T}/P02.txt:3: timestamp '00:75:00' is not a valid time"),
    ("transcript-mojibake", fixture("transcripts/P03.txt"), TRANSCRIPTS,
     # line 2 holds the bytes C3 83 C2 A9, UTF-8 for "Ã©": é once misread as Windows-1252
     f"error: {T}/P03.txt:2: mojibake 'Ã©': UTF-8 text that was once read as Windows-1252 "
     "and saved; repair the file's encoding first"),
    ("transcript-utf16-without-bom",
     written("P20.txt", "Interviewer: Hello?\nP20: Hi.\n".encode("utf-16-le")), TRANSCRIPTS,
     # every other byte is NUL and there is no byte-order mark
     "error: {tmp}/P20.txt: looks like UTF-16 without a byte-order mark; re-save the file "
     "as UTF-8"),
    ("transcript-utf8-stray-latin1",
     written("P22.txt", "Interviewer: Zo\u00eb?\n".encode() + b"P22: caf\xe9 first\n"),
     TRANSCRIPTS,
     # "Interviewer: Zo" 15 bytes + "ë" (C3 AB) 2 + "?\n" 2 = 19; "P22: caf" 8 more: the
     # lone Latin-1 0xE9 is byte 27, on line 2; the file's one good UTF-8 character is ë
     "error: {tmp}/P22.txt:2: not valid UTF-8 at byte 27 (0xe9) although the rest is UTF-8 "
     "(1 multi-byte character); fix that byte and re-save as UTF-8"),
    ("vtt-unpadded-minute-61", written("P23.vtt", b"WEBVTT\n\n0:61:0.000 --> 0:62:0.000\nHi.\n"),
     TRANSCRIPTS,
     # Teams' unpadded times are read, but minute 61 is no time: line 3
     "error: {tmp}/P23.vtt:3: bad cue timing '0:61:0.000 --> 0:62:0.000'; expected e.g. "
     "'00:00:01.000 --> 00:00:04.000'"),
    ("vtt-no-header", fixture("transcripts/P04.vtt"), TRANSCRIPTS,
     # line 1 is "WEB VTT"
     f"error: {T}/P04.vtt:1: not a WebVTT file: the first line must start with WEBVTT"),
    ("vtt-cue-under-header", fixture("transcripts/P05.vtt"), TRANSCRIPTS,
     # line 2 is a timing line with no blank line after WEBVTT
     f"error: {T}/P05.vtt:2: a cue directly under WEBVTT (a blank line missing?)"),
    ("vtt-comma-timing", fixture("transcripts/P06.vtt"), TRANSCRIPTS,
     # line 6 is the second cue's timing, with SRT-style commas
     f"error: {T}/P06.vtt:6: bad cue timing '00:00:03,000 --> 00:00:04,000'; expected e.g. "
     "'00:00:01.000 --> 00:00:04.000'"),
    ("vtt-ends-before-start", fixture("transcripts/P07.vtt"), TRANSCRIPTS,
     # line 6: 00:00:09 --> 00:00:04
     f"error: {T}/P07.vtt:6: cue ends before it starts"),
    ("vtt-missing-blank-line", fixture("transcripts/P08.vtt"), TRANSCRIPTS,
     # the cue of line 3 runs on: line 5 is a second timing inside its text
     f"error: {T}/P08.vtt:5: cue timing inside cue text (a blank line missing?)"),
    ("vtt-no-cues", fixture("transcripts/P09.vtt"), TRANSCRIPTS,
     # a title and a NOTE, no cue
     f"error: {T}/P09.vtt: no cues in this VTT file"),
    ("srt-cue-without-timing", fixture("transcripts/P10.srt"), TRANSCRIPTS,
     # the block of line 5 ("2", "P10: Hi.") has no timing line
     f"error: {T}/P10.srt:5: cue has no timing line such as '00:00:01,000 --> 00:00:04,000'"),
    ("srt-bad-timing", fixture("transcripts/P11.srt"), TRANSCRIPTS,
     # line 6: "0x" seconds
     f"error: {T}/P11.srt:6: bad cue timing '00:00:03,000 --> 00:00:0x,000'; expected e.g. "
     "'00:00:01,000 --> 00:00:04,000'"),
    ("docx-not-a-zip", fixture("transcripts/P12.docx"), TRANSCRIPTS,
     # a text file named .docx; zipfile says "File is not a zip file"
     f"error: {T}/P12.docx: not a readable Word .docx file (truncated or corrupt?): File is "
     "not a zip file"),
    ("docx-without-document", zipped({"hello.txt": b"hi"}, name="P21.docx"), TRANSCRIPTS,
     # a zip with no word/document.xml
     "error: {tmp}/P21.docx: not a Word .docx file (no word/document.xml)"),
    ("transcript-unsupported-format", fixture("transcripts/P13.rtf"), TRANSCRIPTS,
     # .rtf; the known suffixes sorted
     f"error: {T}/P13.rtf: unsupported transcript format '.rtf'; expected one of .docx, "
     ".markdown, .md, .srt, .text, .txt, .vtt"),
    ("transcript-not-found", fixture("transcripts/P99.txt"), TRANSCRIPTS,
     # no such file
     f"error: {T}/P99.txt: file not found"),

    # ------------------------------------------------------------------ REFI-QDA archives
    ("qdpx-neither-zip-nor-xml", written("p.qdpx", b"hello, world\n"), QDPX,
     # starts with neither PK nor <
     "error: {tmp}/p.qdpx: not a REFI-QDA project: neither a .qdpx (zip) archive nor a "
     ".qde (XML) file"),
    ("qdpx-damaged-zip", written("p.qdpx", b"PK\x03\x04 truncated"), QDPX,
     # a local-file signature and nothing else: no central directory
     "error: {tmp}/p.qdpx: not a REFI-QDA project: a damaged zip archive (File is not a "
     "zip file)"),
    ("qdpx-no-qde", zipped({"sources/a.txt": b"text"}), QDPX,
     # only a source file
     "error: {tmp}/p.qdpx: not a REFI-QDA project: the archive holds no .qde project file"),
    ("qdpx-two-qde", zipped({"a.qde": MINIMAL_QDE, "b.qde": MINIMAL_QDE}), QDPX,
     # two at the root, neither named project.qde
     "error: {tmp}/p.qdpx: the archive holds 2 .qde files (a.qde, b.qde); expected one"),
    ("qdpx-dotdot-member", zipped({"project.qde": MINIMAL_QDE, "../evil.txt": b"x"}), QDPX,
     # the second member climbs out of the folder
     "error: {tmp}/p.qdpx:../evil.txt: refused: the archive entry's path escapes the "
     "project folder (absolute, '..' or backslashes)"),
    ("qdpx-absolute-member", zipped({"project.qde": MINIMAL_QDE, "/etc/passwd": b"x"}), QDPX,
     # an absolute member name
     "error: {tmp}/p.qdpx:/etc/passwd: refused: the archive entry's path escapes the "
     "project folder (absolute, '..' or backslashes)"),
    ("qdpx-backslash-member", zipped({"project.qde": MINIMAL_QDE, "..\\evil.txt": b"x"}),
     QDPX,
     # "..\evil.txt" is "../evil.txt" on Windows
     "error: {tmp}/p.qdpx:..\\evil.txt: refused: the archive entry's path escapes the "
     "project folder (absolute, '..' or backslashes)"),
    ("qdpx-entry-over-limit",
     zipped({"project.qde": MINIMAL_QDE}, forge={"project.qde": 3 * 2**30}), QDPX,
     # claims 3 GiB = 3,221,225,472 bytes, over 2**31 - 1 = 2,147,483,647
     "error: {tmp}/p.qdpx:project.qde: refused: the entry would expand to 3,221,225,472 "
     "bytes, over the REFI-QDA limit of 2,147,483,647"),
    ("qdpx-total-over-limit",
     zipped({"project.qde": MINIMAL_QDE, "sources/a.txt": b"a", "sources/b.txt": b"b"},
            forge={"sources/a.txt": 3 * 2**29, "sources/b.txt": 3 * 2**29}), QDPX,
     # 2 x 1,610,612,736 claimed + 51 bytes of MINIMAL_QDE = 3,221,225,523 > 256 MiB
     # = 268,435,456; the archive as a whole is at fault
     "error: {tmp}/p.qdpx: refused: the archive would expand to 3,221,225,523 bytes "
     "(limit 268,435,456)"),
    ("qdpx-many-small-entries-bomb",
     zipped({"project.qde": MINIMAL_QDE,
             **{f"sources/{i}.txt": b"a" for i in range(200)}},
            forge={f"sources/{i}.txt": 2**20 for i in range(200)}), QDPX,
     # 200 entries of exactly 1 MiB (each at the per-entry floor, so no entry is at fault)
     # + 51 bytes = 209,715,251 expanded, from 200 + 51 = 251 stored bytes:
     # 209,715,251 // 251 = 835,518-fold for the archive as a whole
     "error: {tmp}/p.qdpx: refused: the archive expands 835,518-fold (limit 200), "
     "as a zip bomb does"),
    ("qdpx-too-many-entries",
     zipped({"project.qde": MINIMAL_QDE, **{f"sources/{i}.txt": b"" for i in range(10_000)}}),
     QDPX,
     # 10,000 sources + the project = 10,001 entries, over 10,000
     "error: {tmp}/p.qdpx: refused: the archive holds 10,001 entries (limit 10,000)"),
    ("qdpx-zip-bomb-ratio",
     zipped({"project.qde": MINIMAL_QDE, "sources/a.txt": b"a" * 1000},
            forge={"sources/a.txt": 100 * 2**20}), QDPX,
     # 104,857,600 claimed from 1,000 stored bytes: 104,857,600 // 1,000 = 104,857-fold
     "error: {tmp}/p.qdpx:sources/a.txt: refused: the entry expands 104,857-fold (limit "
     "200), as a zip bomb does"),
    ("qdpx-dtd", zipped({"project.qde": b'<?xml version="1.0"?><!DOCTYPE Project '
                                        b'[<!ENTITY a "x">]><Project>&a;</Project>'}), QDPX,
     # an internal DTD declaring an entity
     "error: {tmp}/p.qdpx:project.qde: refused: the XML declares a DTD or entities; "
     "REFI-QDA files need neither"),
    ("qdpx-malformed-xml", zipped({"project.qde": b"<Project>\n<Sources>\n</Project>\n"}),
     QDPX,
     # line 3 closes Project while Sources is open
     "error: {tmp}/p.qdpx:project.qde:3: not well-formed XML (mismatched tag)"),
    ("qdpx-wrong-root", zipped({"project.qde": b"<CodeBook/>"}), QDPX,
     # a codebook, not a project
     "error: {tmp}/p.qdpx:project.qde: not a REFI-QDA project: the root element is "
     "<CodeBook>, not <Project>"),
    ("qde-truncated", written("p.qde", b"<Project>\n<Sources>\n"), QDPX,
     # the document ends (line 3) with both elements open
     "error: {tmp}/p.qde:3: not well-formed XML (no element found)"),

    # ------------------------------------------------------------------ documents
    ("manifest-date-precision", fixture("documents/manifest_bad_date.csv"), INGEST,
     # line 2: "2002-6" with precision month
     f"error: {D}/manifest_bad_date.csv:2: date '2002-6' does not have month precision "
     "(expected YYYY-MM)"),
    ("manifest-bad-id", fixture("documents/manifest_bad_id.csv"), INGEST,
     # line 3: "Doc_B" has upper case
     f"error: {D}/manifest_bad_id.csv:3: doc_id 'Doc_B' must be lower-case letters, digits "
     "and underscores"),
    ("manifest-path-escapes", fixture("documents/manifest_escape.csv"), INGEST,
     # line 3: local_file "../secret.txt"
     f"error: {D}/manifest_escape.csv:3: local_file '../secret.txt' must be a path inside "
     "data/raw/documents/"),
    ("manifest-file-missing", fixture("documents/manifest_missing_file.csv"), INGEST,
     # line 3: gone.txt does not exist
     f"error: {D}/manifest_missing_file.csv:3: local_file gone.txt is missing; run "
     "`make fetch-documents`"),
    ("manifest-hash-mismatch", fixture("documents/manifest_sha_mismatch.csv"), INGEST,
     # line 3: plain.txt with a hash of 64 zeros
     f"error: {D}/manifest_sha_mismatch.csv:3: sha256 of plain.txt does not match the "
     "manifest (file changed?)"),
    ("document-corrupt-docx", fixture("documents/manifest_corrupt_docx.csv"), INGEST,
     # corrupt.docx (right hash) is a text file; zipfile says "File is not a zip file"
     f"error: {D}/corrupt.docx: not a readable DOCX file, perhaps encrypted or corrupt "
     "(File is not a zip file)"),
    ("document-empty", fixture("documents/manifest_empty_doc.csv"), INGEST,
     # empty.txt (right hash: that of no bytes) has no text
     f"error: {D}/empty.txt: file is empty"),

    # ------------------------------------------------------------------ command line
    ("cli-unknown-command", fixture("key_text.txt"), cli_row("frobnicate"),
     # the first stderr line; the list of commands follows
     "error: unknown command 'frobnicate'"),
    ("cli-missing-option", fixture("transcripts/P02.txt"),
     usage("transcripts", "parse", "{src}"),
     # argparse: "PROG: error: MESSAGE"; --out is required
     "python -m analysis transcripts parse: error: the following arguments are required: --out"),
    ("cli-missing-action", fixture("key_text.txt"), usage("qdpx"),
     # the subcommand (dest "action") is required
     "python -m analysis qdpx: error: the following arguments are required: action"),
    ("cli-unknown-option", fixture("key_text.txt"),
     usage("qdpx", "import", "{src}", "--out", "{out}", "--bogus"),
     # argparse reports leftovers on the top-level parser
     "python -m analysis qdpx: error: unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize("make, run, expected", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_malformed_input(make, run, expected, tmp_path, capsys):
    src = make(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    expected = expected.replace("{tmp}", relative(tmp_path))
    kind, what = run
    if kind == "call":
        with pytest.raises(DataError) as caught:
            what(src)
        assert f"error: {caught.value}" == expected
        return
    argv = [a.replace("{src}", str(src)).replace("{out}", str(out)) for a in what]
    if kind == "usage":
        with pytest.raises(SystemExit) as caught:
            cli(argv)
        assert caught.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1] == expected
        return
    code = cli(argv)
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err[:1] == [expected]
    if argv[0] != "frobnicate":
        assert len(err) == 1, "one bad input, one error line"
    assert list(out.iterdir()) == [], "nothing may be written when the input is bad"


def test_catalogue_covers_every_reader():
    """Each reader of input has at least one row (a guard against a module silently
    dropping out of the catalogue)."""
    groups = {c[0].split("-")[0] for c in CASES}
    assert groups >= {"timeline", "participants", "key", "codebook", "segments", "inline",
                      "transcript", "vtt", "srt", "docx", "qdpx", "qde", "manifest",
                      "document", "cli"}
    assert len({c[0] for c in CASES}) == len(CASES), "row ids must be unique"


# ----------------------------------------------------------- hostile input, quickly

def test_alias_bomb_is_refused_in_well_under_a_second(tmp_path):
    import time

    path = tmp_path / "codebook.yml"
    path.write_bytes(ALIAS_BOMB)
    t0 = time.perf_counter()
    with pytest.raises(DataError, match="anchor refused"):
        load_codebook(path)
    assert time.perf_counter() - t0 < 1


def test_bare_qde_never_follows_a_symlink_out_of_its_folder(tmp_path, capsys):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    project = tmp_path / "project"
    (project / "sources").mkdir(parents=True)
    (project / "sources" / "a.txt").symlink_to(outside)
    (project / "p.qde").write_bytes(
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>'
        b'<TextSource guid="00000000-0000-0000-0000-000000000001" name="a" '
        b'plainTextPath="relative://a.txt"/></Sources></Project>')
    out = tmp_path / "out"
    out.mkdir()
    assert cli(["qdpx", "import", str(project / "p.qde"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"error: {project}/sources/a.txt: refused: a symbolic link out of the "
                   "project folder")
    assert list(out.iterdir()) == []
    # a symlinked sources/ folder is refused as well
    (project / "sources" / "a.txt").unlink()
    (project / "sources").rmdir()
    (project / "sources").symlink_to(tmp_path)
    assert cli(["qdpx", "import", str(project / "p.qde"), "--out", str(out)]) == 2
    assert "symbolic link out of the project folder" in capsys.readouterr().err
