"""Interview transcripts (.txt, .md, .docx, .vtt, .srt) into one text and a turns table.

Each transcript becomes a :class:`Transcript`: one **normalised text** (UTF-8, LF
newlines, no BOM; whether it is already in Unicode NFC is recorded in ``nfc``, never
forced, so offsets stay true to the file) and a **turns** table with the columns
:data:`analysis.schema.TURN_COLUMNS`. ``start``/``end`` are 0-based, end-exclusive
code-point offsets into the normalised text, turns are ordered and never overlap, and
``text == full_text[start:end]`` holds for every turn. ``turn`` counts from 1.

What the normalised text is
---------------------------
* **.txt, .md** -- the file as written, after decoding (see below), BOM removal and
  CRLF/CR -> LF. A turn's span is its utterance without the label: from the first
  character after ``Name:`` (or after the ``Name  00:01:02`` line) to the last
  non-blank character before the next label. Consecutive turns of one speaker stay
  separate, as written.
* **.docx** -- what Word shows: one line per paragraph (paragraphs joined by LF), then
  parsed as plain text. A leading bold run ``Interviewer:`` is a label even if the name
  occurs only once. A 2- or 3-column table of speaker / (timestamp) / text, as some
  transcription services write, becomes one line per row, ``[HH:MM:SS] Speaker: text``
  (the timestamp part only when the table has one); other tables become one line per
  row with cells joined by a tab. Headers, footers and comments are not read.
* **.vtt, .srt** -- the transcript as a reader would see it: one paragraph per turn,
  ``Speaker: utterance`` (just the utterance when there is no speaker), turns separated
  by a blank line, a final LF. The lines of a cue, and consecutive cues of the same
  speaker, are joined with a space; cue timings and markup (``<c>``, ``<i>``, ...) are
  not in the text, HTML entities are decoded and no-break spaces become spaces. Times
  may be unpadded (``0:0:0.210 --> 0:0:1.130``, as Teams wrote them). Rolling
  auto-captions (YouTube's: inline word times such as ``<00:05:04.199><c>``, each cue
  repeating the line before) are de-duplicated: a cue line equal to the line kept last
  is dropped. A cue
  without a label continues the current speaker's turn (captions label a speaker when
  they start talking). Header lines at the top of the text, outside any turn: a
  VTT's title (after ``WEBVTT``), NOTE blocks before the first cue, and (as one
  line) the unlabelled cues before the first labelled one.

Speakers, headers and roles
---------------------------
Labels are found at the start of a line: ``Name:``, ``**Name:**``/``**Name**:``,
``[00:01:02] Name:`` (brackets or parentheses optional, a tab as good as a space),
``[id1]`` (a bracketed label, as anonymised archive transcripts write it) and
``Name  00:01:02`` alone on a line (the layout of Teams' .docx and Otter's .txt
exports, utterance on the following lines; Otter sometimes drops the time, so a line
holding only a name that the file also gives with a time is a label too); in VTT also ``<v Name>`` voice tags and
Zoom's ``Name: text`` cue text. To keep prose
such as ``Note: the SHA...`` or ``2006: we...`` out, a label starts with a letter, has
at most 4 words and 40 characters, and is accepted only when it is

* a label the caller named (``interviewer``, ``speakers``) or the source id (``P01``), or
* a common role label (``Interviewer``, ``IV``, ``Int``, ``I``, ``Q``, ``Question``,
  ``Researcher``, ``Moderator``, ``Facilitator``, ``Respondent``, ``Participant``,
  ``Interviewee``, ``R``, ``A``, ``Answer``, ``P``, ``Speaker``;
  a trailing number is allowed: ``Interviewer 2``, ``Speaker 1``), or
* name-like (every word capitalised, upper-case or with a digit, bar particles such as
  "de" or "van"), not a metadata or discourse word (``Note``, ``Date``, ``Time``,
  ``Location``, ``Yes``, ``So``...),
  and either marked as a label (bold, a timestamp, a VTT voice tag) or used at
  least twice in the file.

Text before the first accepted label (title lines, "SYNTHETIC ...", "Date: ...") stays
in the normalised text but is in no turn. A file with no accepted label at all is one
turn with speaker ``""`` and role ``""`` (no guessing) -- unless at least two lines
start with a time (``00:00:03.120 text``, automatic transcripts): then each such line
starts a timed turn of that one unknown speaker ``""``. Bracketed transcriber notes
(``[Laughter]``, ``[inaudible]``) are never labels. Empty turns (a label with no
words after it) are dropped. ``role`` is ``"interviewer"`` when the label matches the
``interviewer`` labels (case-insensitive, a trailing number ignored), otherwise
``"participant"``; the interviewer labels come from the caller -- the participants
register's ``interviewer_label`` (:func:`interviewer_labels`) or ``--interviewer`` --
and default to :data:`DEFAULT_INTERVIEWER`; names are never guessed.
``timestamp`` is the turn's start as written in the file, normalised to ``HH:MM:SS``
(``HH:MM:SS.mmm`` when the file gives fractions, always for VTT/SRT), or ``""``.

Encodings
---------
Bytes are decoded by :func:`analysis.io.decode_text`: UTF-8 (BOM or not), UTF-16 with
a BOM, otherwise Windows-1252 (which also reads Latin-1 text; recorded as ``cp1252``).
Reported as :class:`~analysis.errors.DataError` instead of mangled: binary data,
UTF-16 without a BOM, bytes valid in neither UTF-8 nor Windows-1252, UTF-8 with a
stray byte (a file holding well-formed multi-byte UTF-8 is UTF-8: an invalid byte
in it is named by line and byte offset, never read as Windows-1252), and *mojibake*
already in the file (UTF-8 that was once decoded as Windows-1252 and saved, e.g.
``cafÃ©``).

Command line
------------
``python -m analysis transcripts parse FILE... --out DIR [--interviewer LABEL]
[--participants CSV]`` parses every file first; only when all parsed does it write
``DIR/texts/<id>.txt`` and ``DIR/turns.csv``. Each bad file is reported as
``error: FILE:LINE: reason``, nothing at all is written, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .captions import plain_cue_text, read_cues
from .errors import DataError
from .io import atomic_write, decode_text, normalise_newlines, sha256_text, write_table
from .schema import INTERVIEW_SOURCE_COLUMNS, TURN_COLUMNS, check_choice

__all__ = [
    "FORMATS", "DEFAULT_INTERVIEWER", "Transcript",
    "parse_transcript", "parse_text", "source_id_from_path", "interviewer_labels",
    "DEFAULT_ROLES", "unlisted_speakers", "check_speaker_labels",
    "turns_table", "sources_table", "write_parsed", "main",
]

#: file suffix -> format name
FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
           ".docx": "docx", ".vtt": "vtt", ".srt": "srt"}

#: Interviewer labels used when the caller names none (compared case-insensitively,
#: a trailing number ignored: "Interviewer 2" matches "interviewer").
DEFAULT_INTERVIEWER = ("interviewer", "iv", "int", "i", "q", "question", "researcher",
                       "moderator", "facilitator")
# Role words that are labels whatever the file; they are participants unless named
# as interviewer labels.
_PARTICIPANT_WORDS = ("respondent", "participant", "interviewee", "r", "a", "answer", "p",
                      "speaker")
# Words that head prose or metadata lines, never speakers unless the caller says so.
_NOT_SPEAKERS = frozenset({
    "note", "notes", "nb", "n.b", "ps", "p.s", "date", "time", "location", "place", "venue",
    "duration", "length", "subject", "re", "title", "file", "filename", "source",
    "summary", "transcript", "transcribed by", "transcriber", "recording", "recorded",
    "update", "example", "e.g", "i.e", "tel", "email", "e-mail", "phone", "fax", "url",
    "web", "website", "ref", "reference", "keywords", "tags", "attendees", "present",
    "apologies", "agenda", "action", "actions", "warning", "caution", "tip", "important",
    "edit", "edited", "comment", "comments", "memo", "status", "version", "audio", "video",
    "see", "cf", "also", "total", "yes", "no", "so", "well", "ok", "okay", "and", "but",
    "then", "now", "first", "second", "third", "finally", "however", "because", "result",
    # transcribers' annotations, written in brackets at the start of a line
    "laughs", "laughter", "laughing", "inaudible", "unclear", "crosstalk", "cross talk",
    "overlapping", "overtalk", "pause", "long pause", "silence", "interruption",
    "interrupted", "break", "redacted", "removed", "cough", "coughs", "sighs", "noise",
    "music", "background noise", "end", "start", "end of interview", "end of recording",
})
_PARTICLES = frozenset({"de", "da", "di", "du", "del", "della", "van", "von", "der", "den",
                        "la", "le", "bin", "ibn", "al", "el", "ap", "of"})

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A label: a letter, then up to 39 word characters, spaces, dots, apostrophes, hyphens.
_LABEL = r"[^\W\d_][\w.'\u2019\- ]{0,39}?"
_LABEL_LINE = re.compile(
    rf"^[ \t]*(?:(?:[\[(](?P<ts>{_TS})[\])]|(?P<ts_bare>{_TS}))[ \t]+)?"
    rf"(?:\*\*(?P<bold>{_LABEL})[ \t]*(?::\*\*|\*\*[ \t]*:)|(?P<plain>{_LABEL})[ \t]*:)"
    rf"(?=[ \t]|$)"
    rf"|^[ \t]*(?P<service>{_LABEL})[ \t]+(?P<ts_after>{_TS})[ \t]*$"
    rf"|^[ \t]*\[(?P<bracket>{_LABEL})\](?:[ \t]*:)?(?=[ \t]|$)",
    re.MULTILINE,
)
# A line that is only a label, no colon, no time: Otter writes ``Name  00:01`` but may drop
# the time (``Sara Mannheimer  `` alone); accepted only for a name seen with a time.
_BARE_LABEL_LINE = re.compile(rf"^[ \t]*(?P<service>{_LABEL})[ \t]*$", re.MULTILINE)
# A line that starts with a time but names no speaker: 00:00:03.120 text...
_TIMED_LINE = re.compile(rf"^[ \t]*[\[(]?(?P<ts>{_TS})[\])]?(?=[ \t]|$)", re.MULTILINE)
_BOLD_LEAD = re.compile(rf"(?:[\[(]?{_TS}[\])]?[ \t]+)?(?P<name>{_LABEL})[ \t]*:?")
_TS_PARTS = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?(?:[.,](\d{1,3}))?")
_TS_CELL = re.compile(rf"[\[(]?{_TS}[\])]?")

_VOICE = re.compile(r"<v(?:\.[^\s>]+)*(?:[ \t]+(?P<name>[^>]*))?>", re.IGNORECASE)
_CUE_LABEL = re.compile(rf"(?P<name>{_LABEL})[ \t]*:[ \t]+")

# UTF-8 read as Windows-1252 turns e.g. "é" (C3 A9) into "Ã©": a lead character
# followed by one of the characters that bytes 0x80-0xBF become.
_HIGH = re.escape(bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore"))
_MOJIBAKE = re.compile(rf"[\u00c2\u00c3][{_HIGH}]|\u00e2\u20ac[{_HIGH}]")

_MAX_DOCX_BYTES = 256 * 2**20  # declared uncompressed size; more is a zip bomb, not a transcript


@dataclass(frozen=True)
class Transcript:
    """One parsed transcript.

    Attributes
    ----------
    source_id : str
        Identifier of the source (from the file name unless given).
    text : str
        The normalised text; every offset refers to it.
    turns : pandas.DataFrame
        Columns :data:`analysis.schema.TURN_COLUMNS`, one row per turn, ordered.
    format : str
        ``txt``, ``md``, ``docx``, ``vtt`` or ``srt``.
    encoding : str
        How the bytes were decoded (``utf-8``, ``utf-16``, ``cp1252``); ``""`` for
        in-memory text.
    bom : bool
        Whether the file began with a byte-order mark.
    nfc : bool
        Whether ``text`` is already in Unicode NFC (recorded, not forced).
    path : pathlib.Path or None
        The file read, or None for :func:`parse_text`.
    """

    source_id: str
    text: str
    turns: object
    format: str
    encoding: str
    bom: bool
    nfc: bool
    path: Path | None = None


# ----------------------------------------------------------------------------- labels

class _Labels:
    """Which labels are speakers, and which of them is the interviewer."""

    def __init__(self, interviewer, speakers, source_id):
        if isinstance(interviewer, str):
            interviewer = [interviewer]
        self.interviewer = {_key(x) for x in (interviewer or DEFAULT_INTERVIEWER) if x.strip()}
        self.explicit = (self.interviewer | {_key(s) for s in speakers or () if s.strip()}
                         | ({_key(source_id)} if source_id else set()))
        self.common = set(DEFAULT_INTERVIEWER) | set(_PARTICIPANT_WORDS)

    def role(self, speaker: str) -> str:
        if not speaker:
            return ""
        return "interviewer" if _matches(speaker, self.interviewer) else "participant"

    def accept(self, name: str, uses: int, marked: bool) -> bool:
        """Whether a candidate label ``name`` (used ``uses`` times) is a speaker."""
        if _matches(name, self.explicit):
            return True
        key = _key(name)
        if key in _NOT_SPEAKERS or len(name.split()) > 4:
            return False
        if _matches(name, self.common):
            return True
        return _name_like(name) and (marked or uses >= 2)


def _key(name: str) -> str:
    return " ".join(name.split()).rstrip(".").casefold()


def _matches(name: str, keys: set) -> bool:
    key = _key(name)
    base = re.sub(r"\s*\d+$", "", key)
    return key in keys or (bool(base) and base in keys)


def _name_like(name: str) -> bool:
    return all(w[0].isupper() or any(c.isdigit() for c in w) or w.casefold() in _PARTICLES
               for w in name.split())


def _clean_name(name: str) -> str:
    return " ".join(name.split())


def _timestamp(raw: str, path, line) -> str:
    """``1:02`` -> ``00:01:02``; ``00:01:02,5`` -> ``00:01:02.500``."""
    m = _TS_PARTS.fullmatch(raw)
    if m is None:
        raise DataError(path, line, f"timestamp {raw!r} is not a time")
    a, b, c, frac = m.groups()
    if c is None:  # two parts are minutes and seconds
        h, mnt, s = 0, int(a), int(b)
        h, mnt = divmod(mnt, 60)
    else:
        h, mnt, s = int(a), int(b), int(c)
    if s > 59 or (c is not None and mnt > 59):
        raise DataError(path, line, f"timestamp {raw!r} is not a valid time")
    out = f"{h:02d}:{mnt:02d}:{s:02d}"
    return out if frac is None else f"{out}.{frac.ljust(3, '0')}"


# ------------------------------------------------------------------------- plain text

def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _span(text: str, a: int, b: int) -> tuple[int, int]:
    """The span [a, b) without its leading and trailing whitespace."""
    seg = text[a:b]
    stripped = seg.strip()
    if not stripped:
        return a, a
    a2 = a + (len(seg) - len(seg.lstrip()))
    return a2, a2 + len(stripped)


def _text_turns(text: str, labels: _Labels, marked_names: Iterable[str] = (), path="<text>"):
    """Turns of a labelled plain/Markdown text as (speaker, timestamp, start, end) tuples."""
    marked_keys = {_key(n) for n in marked_names}
    found = []
    for m in _LABEL_LINE.finditer(text):
        name = _clean_name(m["bold"] or m["plain"] or m["service"] or m["bracket"])
        marked = bool(m["bold"] or m["ts"] or m["ts_bare"] or m["ts_after"]
                      or _key(name) in marked_keys)
        found.append((m, name, marked))
    uses = Counter(_key(name) for _, name, _ in found)
    accepted = [(m, name) for m, name, marked in found
                if labels.accept(name, uses[_key(name)], marked)]
    timed_names = {_key(name) for m, name in accepted if m["service"]}
    if timed_names:
        bare = [(m, _clean_name(m["service"])) for m in _BARE_LABEL_LINE.finditer(text)
                if _key(m["service"]) in timed_names]
        accepted = sorted(accepted + bare, key=lambda pair: pair[0].start())
    if not accepted:
        timed = list(_TIMED_LINE.finditer(text))
        if len(timed) < 2:
            start, end = _span(text, 0, len(text))
            return [("", "", start, end)] if end > start else []
        accepted = [(m, "") for m in timed]  # timed turns of one unknown speaker
    turns = []
    for i, (m, name) in enumerate(accepted):
        stop = accepted[i + 1][0].start() if i + 1 < len(accepted) else len(text)
        start, end = _span(text, m.end(), stop)
        if end == start:
            continue
        groups = m.groupdict()
        raw_ts = groups.get("ts") or groups.get("ts_bare") or groups.get("ts_after")
        ts = _timestamp(raw_ts, path, _line_of(text, m.start())) if raw_ts else ""
        turns.append((name, ts, start, end))
    return turns


# ------------------------------------------------------------------------- VTT and SRT

def _cue_turns(text: str, fmt: str, labels: _Labels, path):
    """(normalised text, [(speaker, timestamp, start, end)]) of a VTT/SRT text."""
    header, cues = read_cues(text, fmt, path)
    pieces = []  # (speaker or None, marked, timestamp, text)
    for ts, raw in cues:
        voices = list(_VOICE.finditer(raw))
        bounds = [0] + [v.start() for v in voices] + [len(raw)]
        names = [None] + [_clean_name(v["name"] or "") or None for v in voices]
        for k, name in enumerate(names):
            part_start = voices[k - 1].end() if k else 0
            part = plain_cue_text(raw[part_start:bounds[k + 1]])
            if part:
                pieces.append((name, ts, part))
    # Zoom writes "Name: text" inside the cue instead of a voice tag.
    candidates = [_CUE_LABEL.match(p[2]) if p[0] is None else None for p in pieces]
    uses = Counter(_key(m["name"]) for m in candidates if m)
    turns = []  # [speaker, timestamp, [texts]]
    for (name, ts, part), m in zip(pieces, candidates):
        if m and labels.accept(_clean_name(m["name"]), uses[_key(m["name"])], False):
            name, part = _clean_name(m["name"]), part[m.end():]
        if name is None:  # an unlabelled cue continues the current turn
            name = turns[-1][0] if turns else ""
        if turns and turns[-1][0] == name:
            turns[-1][2].append(part)
        else:
            turns.append([name, ts, [part]])
    if len(turns) > 1 and turns[0][0] == "":  # unlabelled cues before the first label
        header.append(" ".join(turns.pop(0)[2]))
    out, spans, pos = [], [], 0
    if header:
        out.append("\n".join(header) + "\n\n")
        pos = len(out[0])
    for k, (name, ts, parts) in enumerate(turns):
        prefix = ("\n\n" if k else "") + (f"{name}: " if name else "")
        utterance = " ".join(p for p in parts if p)
        start = pos + len(prefix)
        out += [prefix, utterance]
        pos = start + len(utterance)
        if utterance:
            spans.append((name, ts, start, pos))
    return "".join(out) + "\n", spans


# ------------------------------------------------------------------------------- docx

def _docx_lines(path: Path):
    """The lines of a .docx, names in leading bold runs, and speakers from tables."""
    import docx
    from docx.opc.exceptions import OpcError
    from docx.table import Table
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
        if "word/document.xml" not in {i.filename for i in infos}:
            raise DataError(path, None, "not a Word .docx file (no word/document.xml)")
        if sum(i.file_size for i in infos) > _MAX_DOCX_BYTES:
            raise DataError(path, None, "the .docx unpacks to more than 256 MiB; refusing it")
        document = docx.Document(str(path))
        lines, bold, table_speakers = [], set(), set()
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines += _docx_table_lines(block, table_speakers)
            else:
                lines.append(block.text)
                name = _bold_label(block)
                if name:
                    bold.add(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError,
            ValueError, NotImplementedError, OpcError, etree.LxmlError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(path, None, f"not a readable Word .docx file "
                                    f"(truncated or corrupt?): {reason}") from None
    return lines, bold, table_speakers


def _bold_label(paragraph) -> str | None:
    """The name of a leading bold ``Name:`` run, if the paragraph starts with one."""
    lead, rest = "", ""
    for i, run in enumerate(paragraph.runs):
        bold = run.bold if run.bold is not None else bool(run.style is not None
                                                          and run.style.font.bold)
        if not bold and run.text.strip():
            rest = "".join(r.text for r in paragraph.runs[i:])
            break
        lead += run.text
    lead = lead.strip()
    m = _BOLD_LEAD.fullmatch(lead)
    if not lead or m is None or not (lead.endswith(":") or rest.lstrip().startswith(":")):
        return None
    return _clean_name(m["name"])


_TABLE_HEADINGS = frozenset({"speaker", "name", "who", "person", "time", "timestamp",
                             "start", "text", "transcript", "utterance", "speech", "content"})


def _docx_table_lines(table, speakers: set) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:  # a merged cell appears once per grid column
            if not any(cell._tc is s for s in seen):
                seen.append(cell._tc)
                cells.append(cell.text.strip())
        rows.append(cells)
    if rows and all(c.casefold() in _TABLE_HEADINGS for c in rows[0] if c):
        rows = rows[1:]
    ncols = {len(r) for r in rows}
    transcript_like = len(ncols) == 1 and ncols <= {2, 3}
    if transcript_like:
        width = ncols.pop()
        is_ts = [sum(bool(_TS_CELL.fullmatch(r[c])) for r in rows if r[c]) * 2
                 >= max(1, sum(bool(r[c]) for r in rows)) for c in range(width)]
        ts_col = next((c for c in range(width) if is_ts[c] and any(r[c] for r in rows)), None)
        others = [c for c in range(width) if c != ts_col]
        transcript_like = len(others) == 2 and all(
            len(r[others[0]]) <= 40 and len(r[others[0]].split()) <= 4 for r in rows)
    if not transcript_like:
        return ["\t".join(r) for r in rows]
    who, what = others
    lines = []
    for r in rows:
        name = _clean_name(r[who].rstrip(":"))
        ts = r[ts_col].strip("[]()") if ts_col is not None else ""
        label = f"{name}:" if name else ""
        if name:
            speakers.add(name)
        lines.append(" ".join(x for x in (f"[{ts}]" if ts and name else ts, label, r[what]) if x))
    return lines


# ------------------------------------------------------------------------------ parsing

def _decode(data: bytes, path):
    has_bom = data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:3] == b"\xef\xbb\xbf"
    half = len(data) // 2
    if not has_bom and half and b"\x00" in data:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        if max(even, odd) > 0.4 * half and min(even, odd) < 0.1 * half:
            raise DataError(path, None, "looks like UTF-16 without a byte-order mark; "
                                        "re-save the file as UTF-8")
    return decode_text(data, path)


def _check_mojibake(text: str, path, lines: bool = True) -> None:
    m = _MOJIBAKE.search(text)
    if m:
        raise DataError(path, _line_of(text, m.start()) if lines else None,
                        f"mojibake {m.group()!r}: UTF-8 text that was once read as "
                        "Windows-1252 and saved; repair the file's encoding first")


def _frame(source_id: str, spans, text: str, labels: _Labels):
    import pandas as pd

    rows = [(source_id, k, speaker, labels.role(speaker), start, end, ts, text[start:end])
            for k, (speaker, ts, start, end) in enumerate(spans, start=1)]
    df = pd.DataFrame(rows, columns=TURN_COLUMNS)
    return df.astype({"turn": "int64", "start": "int64", "end": "int64"})


def _build(text, fmt, source_id, interviewer, speakers, path, marked=()):
    labels = _Labels(interviewer, speakers, source_id)
    text = normalise_newlines(text).removeprefix("\ufeff")
    if not text.strip():
        raise DataError(path, None, "file is empty" if fmt != "docx" else "no text in document")
    if fmt in ("vtt", "srt"):
        text, spans = _cue_turns(text, fmt, labels, path)
    else:
        spans = _text_turns(text, labels, marked, path)
    _check_mojibake(text, path, lines=fmt in ("txt", "md"))
    return text, _frame(source_id, spans, text, labels)


def parse_text(text: str, fmt: str, source_id: str, interviewer=None, speakers=None,
               path="<text>") -> Transcript:
    """Parse a transcript held in memory (format ``txt``, ``md``, ``vtt`` or ``srt``).

    Parameters
    ----------
    text : str
        The transcript; newlines are normalised to LF and a leading BOM removed.
    fmt : str
        ``txt``, ``md``, ``vtt`` or ``srt``.
    source_id : str
        The source id; also accepted as a speaker label (``P01:``).
    interviewer : str or sequence of str, optional
        The interviewer's label(s); default :data:`DEFAULT_INTERVIEWER`.
    speakers : sequence of str, optional
        Further labels known to be speakers (accepted even if used once).
    path : str
        Shown in error messages.

    Returns
    -------
    Transcript

    Examples
    --------
    >>> t = parse_text("Interviewer: How did it start?\\nP01: With the SHA.\\n", "txt", "P01")
    >>> t.turns[["speaker", "role", "start", "end"]].values.tolist()
    [['Interviewer', 'interviewer', 13, 30], ['P01', 'participant', 36, 49]]
    >>> t.text[36:49]
    'With the SHA.'
    """
    check_choice("fmt", fmt, ("txt", "md", "vtt", "srt"))
    text, turns = _build(text, fmt, source_id, interviewer, speakers, path)
    return Transcript(source_id, text, turns, fmt, "", False,
                      unicodedata.is_normalized("NFC", text), None)


def parse_transcript(path, source_id: str | None = None, interviewer=None,
                     speakers=None) -> Transcript:
    """Read and parse one transcript file (.txt, .md, .docx, .vtt, .srt).

    Parameters
    ----------
    path : path-like
        The transcript; its suffix decides the format.
    source_id : str, optional
        Default :func:`source_id_from_path`.
    interviewer, speakers :
        As in :func:`parse_text`.

    Returns
    -------
    Transcript

    Raises
    ------
    DataError
        Unreadable, empty, binary or mis-encoded file, corrupt .docx, broken cue.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "P02.txt"
    >>> _ = p.write_bytes("IV: Where were you in 2006?\\r\\nP02: At the SHA, caf\\xe9 included.\\r\\n"
    ...                   .encode("cp1252"))
    >>> t = parse_transcript(p)
    >>> t.source_id, t.encoding, t.turns["role"].tolist()
    ('P02', 'cp1252', ['interviewer', 'participant'])
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(path, None, f"unsupported transcript format {path.suffix!r}; "
                                    f"expected one of {', '.join(sorted(FORMATS))}")
    source_id = source_id or source_id_from_path(path)
    if not path.is_file():
        raise DataError(path, None, "file not found")
    if fmt == "docx":
        lines, bold, table_speakers = _docx_lines(path)
        text, turns = _build("\n".join(lines), fmt, source_id, interviewer,
                             list(speakers or ()) + sorted(table_speakers), path, bold)
        encoding, bom = "utf-8", False
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataError(path, None, f"cannot read the file: {exc.strerror}") from None
        decoded = _decode(data, path)
        text, turns = _build(decoded.text, fmt, source_id, interviewer, speakers, path)
        encoding, bom = decoded.encoding, decoded.bom
    return Transcript(source_id, text, turns, fmt, encoding, bom,
                      unicodedata.is_normalized("NFC", text), path)


def source_id_from_path(path) -> str:
    """A safe source id from a file name: ASCII letters, digits, ``_`` and ``-``.

    Accents are dropped (``é`` -> ``e``), every other run of characters becomes one
    ``_``, and ``_`` at either end is trimmed; the same name always gives the same id.

    >>> source_id_from_path("data/raw/private/Interview 3 (Zoë, final).docx")
    'Interview_3_Zoe_final'
    >>> source_id_from_path("P01.vtt")
    'P01'
    """
    stem = unicodedata.normalize("NFKD", Path(path).stem)
    stem = "".join(c for c in stem if not unicodedata.combining(c))
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")
    return safe or "source"


def interviewer_labels(participants, id_column: str = "participant_id",
                       label_column: str = "interviewer_label") -> dict[str, tuple[str, ...]]:
    """Interviewer label(s) per participant from the participants register.

    Several labels in one cell are joined by ``|``; empty cells give no entry.

    >>> import pandas as pd
    >>> interviewer_labels(pd.DataFrame({"participant_id": ["P01", "P02"],
    ...                                  "interviewer_label": ["IV", "Researcher|Q"]}))
    {'P01': ('IV',), 'P02': ('Researcher', 'Q')}
    """
    out = {}
    for pid, cell in zip(participants[id_column], participants[label_column]):
        labels = tuple(x.strip() for x in str(cell).split("|") if x.strip())
        if labels:
            out[str(pid)] = labels
    return out


# ------------------------------------------------------------------- speaker labels

#: Speaker labels that are roles, not names (compared case-insensitively, a trailing
#: number ignored: ``Speaker 3``); the parser's role words count too.
DEFAULT_ROLES = ("Interviewer", "Interviewee", "Participant", "Respondent", "Moderator",
                 "Facilitator", "Chair", "Researcher", "Speaker", "Unknown")


def unlisted_speakers(turns, roles=(), key=None, texts=None):
    """Speaker labels that are neither roles nor key entries: names until shown otherwise.

    A label passes when it is ``""`` (no speaker), a role -- :data:`DEFAULT_ROLES`, the
    parser's role words (``IV``, ``Q``, ``R``...), ``roles`` (the study's own list and
    the register's interviewer labels), each with or without a trailing number -- the
    turn's ``source_id`` (``P01:``), or an ``original`` of the identifier ``key``
    (compared ignoring case and spacing; the pseudonymiser will replace it), also after
    a title (``Mr. Dabor`` passes when ``Dabor`` is in the key).

    Parameters
    ----------
    turns : pandas.DataFrame
        Columns ``source_id``, ``speaker``, ``start`` (of
        :data:`analysis.schema.TURN_COLUMNS`).
    roles : iterable of str
        Further labels that are roles.
    key : pandas.DataFrame, optional
        The identifier key (column ``original``).
    texts : mapping, optional
        ``source_id`` -> normalised text, to give the line of each label's first turn.

    Returns
    -------
    pandas.DataFrame
        ``source_id, speaker, line, turns``: one row per unlisted label, ``line`` the
        line of its first turn (0 without ``texts``), ``turns`` how many turns it has.

    Examples
    --------
    >>> import pandas as pd
    >>> turns = pd.DataFrame({"source_id": ["P01"] * 4, "turn": [1, 2, 3, 4],
    ...                       "speaker": ["Interviewer", "Suzanne", "Speaker 2", "P01"],
    ...                       "start": [13, 40, 70, 90]})
    >>> unlisted_speakers(turns, texts={"P01": "Interviewer: a\\n" * 8}).values.tolist()
    [['P01', 'Suzanne', 3, 1]]
    >>> len(unlisted_speakers(turns, roles=["Suzanne"]))
    0
    """
    import pandas as pd

    allowed = {_key(r) for r in (*DEFAULT_ROLES, *DEFAULT_INTERVIEWER, *_PARTICIPANT_WORDS,
                                 *roles) if str(r).strip()}
    if key is not None and len(key):
        allowed |= {_key(str(o)) for o in key["original"]}
    rows = []
    for (sid, speaker), group in turns.groupby(["source_id", "speaker"], sort=True):
        if not speaker or _key(speaker) == _key(str(sid)) or any(
                _matches(label, allowed) for label in (speaker, _without_title(speaker))):
            continue
        first = int(group["start"].min())
        text = (texts or {}).get(sid)
        rows.append((sid, speaker, _line_of(text, first) if text is not None else 0,
                     len(group)))
    return pd.DataFrame(rows, columns=["source_id", "speaker", "line", "turns"])


#: Titles before a name in a speaker label (``Mr. Dabor:``, ``Cllr Patel:``): the name
#: after them is what the key must hold.
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame",
                     "lord", "lady", "cllr", "councillor", "rev", "revd", "fr"})


def _without_title(label: str) -> str:
    """``Mr. Dabor`` -> ``Dabor``; a label without a leading title is returned as it is.

    >>> _without_title("Mr. Dabor"), _without_title("Cllr  Anna Patel"), _without_title("Mr")
    ('Dabor', 'Anna Patel', 'Mr')
    """
    words = label.split()
    if len(words) > 1 and words[0].rstrip(".").casefold() in _TITLES:
        return " ".join(words[1:])
    return label


def check_speaker_labels(turns, roles=(), key=None, texts=None, files=None) -> None:
    """Stop when a speaker label may be a name (:func:`unlisted_speakers`).

    Raises :class:`~analysis.errors.DataError` at the first label's file and line,
    listing the file and line of each such label's first turn (not the label itself:
    it may be a name) and the two ways out. ``files`` maps ``source_id`` to the
    transcript file for the message.

    >>> import pandas as pd
    >>> turns = pd.DataFrame({"source_id": ["P01"], "speaker": ["Suzanne"], "start": [9]})
    >>> check_speaker_labels(turns, files={"P01": "P01.txt"})
    Traceback (most recent call last):
    ...
    analysis.errors.DataError: P01.txt: 1 speaker label(s) may be names, neither roles nor in the identifier key (first use of each: P01.txt); add each to identifier_key.csv (it is then pseudonymised) or, if it is a role, to the 'roles:' list in study.yml
    """
    found = unlisted_speakers(turns, roles, key, texts)
    if found.empty:
        return
    files = files or {}
    # places, not the labels: this message may end up in a log, and a label may be a name
    where = [f"{files.get(r.source_id, r.source_id)}{f':{r.line}' if r.line else ''}"
             for r in found.itertuples()]
    first = found.iloc[0]
    raise DataError(files.get(first["source_id"], first["source_id"]),
                    int(first["line"]) or None,
                    f"{len(found)} speaker label(s) may be names, neither roles nor in the "
                    f"identifier key (first use of each: {', '.join(where)}); add each to "
                    "identifier_key.csv "
                    "(it is then pseudonymised) or, if it is a role, to the 'roles:' list "
                    "in study.yml")


# ------------------------------------------------------------------------------ output

def turns_table(transcripts: Iterable[Transcript]):
    """All turns of ``transcripts`` in one table, ordered by source_id and turn."""
    import pandas as pd

    frames = [t.turns for t in transcripts]
    if not frames:
        return pd.DataFrame(columns=TURN_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values(["source_id", "turn"], kind="stable", ignore_index=True)


def sources_table(transcripts: Iterable[Transcript]):
    """One row per transcript (:data:`analysis.schema.INTERVIEW_SOURCE_COLUMNS`);
    ``sha256`` is of the normalised text.

    ``title`` is the file name; ``participant_id`` is the source id (one interview per
    participant).
    """
    import pandas as pd

    rows = [(t.source_id, "interview", t.source_id, t.path.name if t.path else t.source_id,
             t.format, t.encoding, sha256_text(t.text), len(t.text), "yes" if t.nfc else "no")
            for t in sorted(transcripts, key=lambda t: t.source_id)]
    return pd.DataFrame(rows, columns=INTERVIEW_SOURCE_COLUMNS)


def _check_unique(transcripts) -> None:
    seen = {}
    for t in transcripts:
        if t.source_id in seen:
            raise DataError(t.path or t.source_id, None,
                            f"source id {t.source_id!r} is also that of {seen[t.source_id]}")
        seen[t.source_id] = t.path.name if t.path else t.source_id


def write_parsed(transcripts: Iterable[Transcript], out_dir) -> list[Path]:
    """Write ``texts/<source_id>.txt`` for each transcript and ``turns.csv`` for all.

    Every file is written atomically; texts first, so ``turns.csv`` never names a
    text that is missing. Returns the paths written.
    """
    transcripts = list(transcripts)
    _check_unique(transcripts)
    out_dir = Path(out_dir)
    written = [atomic_write(out_dir / "texts" / f"{t.source_id}.txt", t.text)
               for t in sorted(transcripts, key=lambda t: t.source_id)]
    written.append(write_table(turns_table(transcripts), out_dir / "turns.csv", TURN_COLUMNS))
    return written


def main(argv: list[str]) -> int:
    """``python -m analysis transcripts parse FILE... --out DIR``."""
    from . import paths
    from .io import read_table

    parser = argparse.ArgumentParser(prog="python -m analysis transcripts",
                                     description="Parse interview transcripts into turns.")
    sub = parser.add_subparsers(dest="action", required=True)
    p_parse = sub.add_parser("parse", help="parse transcripts; write DIR/turns.csv and "
                                           "DIR/texts/<source_id>.txt")
    p_parse.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p_parse.add_argument("--out", type=Path, required=True, metavar="DIR")
    p_parse.add_argument("--interviewer", action="append", metavar="LABEL",
                         help="the interviewer's label (repeatable); default: "
                              + ", ".join(DEFAULT_INTERVIEWER))
    p_parse.add_argument("--participants", type=Path, metavar="CSV",
                         help="participants register with participant_id and "
                              "interviewer_label columns")
    args = parser.parse_args(argv)

    register = {}
    if args.participants:
        register = interviewer_labels(read_table(args.participants, required=[
            "participant_id", "interviewer_label"]))
    from .progress import progress

    parsed, errors, seen = [], [], set()
    for path in progress(args.files, desc="transcripts"):
        source_id = source_id_from_path(path)
        labels = list(register.get(source_id, ())) + list(args.interviewer or ())
        try:
            if source_id in seen:
                raise DataError(path, None, f"source id {source_id!r} is already used by "
                                            "another file in this run")
            parsed.append(parse_transcript(path, source_id, interviewer=labels or None))
            seen.add(source_id)
        except DataError as exc:
            errors.append(exc)
    if errors:  # all or nothing: one bad file and nothing is written
        for exc in errors:
            print(f"error: {exc}", file=sys.stderr)
        return 2
    write_parsed(parsed, args.out)
    n_turns = sum(len(t.turns) for t in parsed)
    print(f"parsed {len(parsed)} transcript(s), {n_turns} turns -> {paths.relative(args.out)}")
    return 0
