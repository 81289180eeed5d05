"""Rendering a composed interview in its participant's transcript layout.

Six layouts, as real transcripts come: Microsoft Word (.docx), a Teams-style WebVTT
file (.vtt, ``<v Name>`` voice spans), SubRip (.srt, ``Name:`` in the cue text),
Markdown, and two plain-text layouts (``Interviewer:`` / ``Respondent:`` labels, and a
transcription service's ``Name  00:01:02`` lines). Every rendering says SYNTHETIC at
the top; the bytes depend on nothing but the interview (no clock in the .docx).

Examples
--------
>>> import random
>>> from analysis.synthetic.cast import PEOPLE
>>> from analysis.synthetic.compose import compose_interview
>>> iv = compose_interview(PEOPLE[1], random.Random(1))
>>> PEOPLE[1].layout, render_text(iv).splitlines()[0][:34]
('vtt', 'WEBVTT - SYNTHETIC demo transcript')
"""

from __future__ import annotations

import io
import zipfile

from .cast import SYNTHETIC_NOTE
from .compose import Interview, word_count


def _clock(seconds: float, sep: str = ".") -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _header(iv: Interview) -> str:
    return f"SYNTHETIC demo transcript {iv.person.participant_id}. {SYNTHETIC_NOTE}"


def render_text(iv: Interview) -> str | bytes:
    """Render ``iv`` in its person's layout: text for .txt/.md/.vtt/.srt, bytes for .docx."""
    return {"txt_labels": _txt_labels, "txt_service": _txt_service, "md": _md,
            "vtt": _vtt, "srt": _srt, "docx": _docx}[iv.person.layout](iv)


def _txt_labels(iv: Interview) -> str:
    # "Interviewer:" / "Respondent:" labels; each utterance of a turn on its own line.
    lines = [_header(iv), ""]
    for t in iv.turns:
        lines.append(f"{t.speaker}: " + "\n".join(t.parts))
        lines.append("")
    return "\n".join(lines)


def _txt_service(iv: Interview) -> str:
    # Transcription-service export: "Name  00:01:02" on its own line, then the talk.
    lines = [_header(iv), ""]
    for t in iv.turns:
        lines += [f"{t.speaker}  {_clock(t.seconds)[:8]}", " ".join(t.parts), ""]
    return "\n".join(lines)


def _md(iv: Interview) -> str:
    lines = [f"# {_header(iv)}", ""]
    for t in iv.turns:
        lines += [f"**{t.speaker}:** " + " ".join(t.parts), ""]
    return "\n".join(lines)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cues(iv: Interview):
    """(start, end, speaker, text) per cue: one cue per part, timed by its words."""
    for t in iv.turns:
        start = t.seconds
        for part in t.parts:
            end = start + max(1.0, word_count(part) / 2.5)
            yield start, end, t.speaker, part
            start = end


def _vtt(iv: Interview) -> str:
    # Teams style: WEBVTT header, cue ids, <v Name> voice spans.
    out = [f"WEBVTT - {_header(iv)}", "", f"NOTE {SYNTHETIC_NOTE}", ""]
    for n, (a, b, who, text) in enumerate(_cues(iv), start=1):
        out += [f"{n}", f"{_clock(a)} --> {_clock(b)}",
                f"<v {who}>{_vtt_escape(text)}</v>", ""]
    return "\n".join(out)


def _srt(iv: Interview) -> str:
    # SRT has no header: the first cue carries the SYNTHETIC notice.
    out = ["1", f"{_clock(0, ',')} --> {_clock(0.9, ',')}", _header(iv), ""]
    for n, (a, b, who, text) in enumerate(_cues(iv), start=2):
        out += [f"{n}", f"{_clock(a, ',')} --> {_clock(b, ',')}", f"{who}: {text}", ""]
    return "\n".join(out)


#: Fixed date and author in the .docx core properties, so the bytes never change.
_DOCX_DATE = (2000, 1, 1, 0, 0, 0)


def _docx(iv: Interview) -> bytes:
    import datetime as dt

    import docx

    doc = docx.Document()
    props = doc.core_properties
    fixed = dt.datetime(*_DOCX_DATE, tzinfo=dt.timezone.utc)
    props.author = props.last_modified_by = "SYNTHETIC"
    props.title = f"SYNTHETIC demo transcript {iv.person.participant_id}"
    props.comments = SYNTHETIC_NOTE
    props.created = props.modified = props.last_printed = fixed
    props.revision = 1
    doc.add_paragraph(_header(iv))
    for t in iv.turns:
        para = doc.add_paragraph()
        para.add_run(f"{t.speaker}:").bold = True
        para.add_run(" " + " ".join(t.parts))
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with a fixed date on every entry (python-docx stamps the clock time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
