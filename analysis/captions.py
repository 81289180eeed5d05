"""WebVTT and SubRip caption files (Teams, Zoom, YouTube) read into cues.

:func:`read_cues` checks the file's structure (the ``WEBVTT`` line, timing lines, cue
order) and returns the header lines and the cues with their start times; rolling
auto-captions lose their repeats. Who speaks in a cue (voice tags, ``Name:``) is
:mod:`analysis.transcripts`' concern.

Examples
--------
>>> vtt = "WEBVTT Board\\n\\n1\\n00:00:01.000 --> 00:00:02.500\\n<v Chair>Welcome.\\n"
>>> read_cues(vtt, "vtt", "t.vtt")
(['Board'], [('00:00:01.000', '<v Chair>Welcome.')])
>>> plain_cue_text("<i>Welcome</i>&nbsp;all")
'Welcome all'
"""

from __future__ import annotations

import html
import re

from .errors import DataError

# Teams once wrote unpadded times: 0:0:0.210 --> 0:0:1.130
_VTT_TIME = r"(?:\d+:)?[0-5]?\d:[0-5]?\d\.\d{1,3}"
_VTT_TIMING = re.compile(rf"({_VTT_TIME})[ \t]+-->[ \t]+({_VTT_TIME})(?:[ \t]+\S.*)?")
_SRT_TIME = r"\d{1,3}:[0-5]\d:[0-5]\d[,.]\d{1,3}"
_SRT_TIMING = re.compile(rf"({_SRT_TIME})[ \t]+-->[ \t]+({_SRT_TIME})(?:[ \t]+\S.*)?")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.]*>")


def _blocks(lines: list[str], vtt: bool = False):
    """Blank-line separated blocks as (1-based first line, [lines]).

    In VTT a line of spaces inside a cue is cue text (YouTube's auto-captions write
    one); it ends the block only where a new cue (or a blank line) follows.
    """
    def ends_block(i: int) -> bool:  # i: 0-based index of a whitespace-only line
        nxt = lines[i + 1:i + 3]
        return (not vtt or lines[i] == "" or not nxt or not nxt[0].strip()
                or any("-->" in x for x in nxt))

    block, first = [], 0
    for i, line in enumerate(lines, start=1):
        if line.strip() or (block and not ends_block(i - 1)):
            if not block:
                first = i
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _seconds(ts: str) -> float:
    parts = ts.replace(",", ".").split(":")
    return sum(float(p) * 60 ** i for i, p in enumerate(reversed(parts)))


def _cue_ts(ts: str) -> str:
    """A cue time as ``HH:MM:SS.mmm``."""
    hms, frac = re.split(r"[,.]", ts)
    parts = [int(p) for p in hms.split(":")]
    h, m, s = ([0] * (3 - len(parts)) + parts)
    return f"{h:02d}:{m:02d}:{s:02d}.{frac.ljust(3, '0')}"


def read_cues(text: str, fmt: str, path):
    """The header lines (VTT title and NOTEs) and the (start time, cue text) of each cue.

    ``fmt`` is ``"vtt"`` or ``"srt"``; ``path`` names the file in errors. Start times are
    ``HH:MM:SS.mmm``. Rolling auto-captions (inline word times) come without their
    repeats.

    Raises
    ------
    DataError
        At the line at fault: no ``WEBVTT`` line, a cue without or with a bad timing
        line, a cue that ends before it starts, no cues at all.
    """
    lines = text.split("\n")
    header: list[str] = []
    timing_re = _VTT_TIMING if fmt == "vtt" else _SRT_TIMING
    example = "00:00:01.000 --> 00:00:04.000" if fmt == "vtt" else "00:00:01,000 --> 00:00:04,000"
    blocks = _blocks(lines, vtt=fmt == "vtt")
    if fmt == "vtt":
        if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
            raise DataError(path, 1, "not a WebVTT file: the first line must start with WEBVTT")
        _, head_block = next(blocks)  # WEBVTT and its metadata lines
        bad = next((i for i, line in enumerate(head_block, start=1) if "-->" in line), None)
        if bad:
            raise DataError(path, bad, "a cue directly under WEBVTT (a blank line missing?)")
        title = lines[0][6:].strip(" \t-\u2013\u2014:")
        if title:
            header.append(title)
    cues = []
    for first, block in blocks:
        head = block[0].strip()
        if fmt == "vtt" and re.match(r"(NOTE|STYLE|REGION)(?:[ \t]|$)", head):
            if head.startswith("NOTE") and not cues:
                note = " ".join([head[4:].strip()] + [x.strip() for x in block[1:]]).strip()
                if note:
                    header.append(note)
            continue
        if "-->" in block[0]:
            at = 0
        elif len(block) > 1 and "-->" in block[1]:
            at = 1
        else:
            raise DataError(path, first, f"cue has no timing line such as '{example}'")
        timing = timing_re.fullmatch(block[at].strip())
        if timing is None:
            raise DataError(path, first + at, f"bad cue timing {block[at].strip()!r}; "
                                              f"expected e.g. '{example}'")
        if _seconds(timing[2]) < _seconds(timing[1]):
            raise DataError(path, first + at, "cue ends before it starts")
        for k, line in enumerate(block[at + 1:], start=first + at + 1):
            if "-->" in line:
                raise DataError(path, k, "cue timing inside cue text (a blank line missing?)")
        cues.append((_cue_ts(timing[1]), "\n".join(block[at + 1:])))
    if not cues:
        raise DataError(path, None, f"no cues in this {fmt.upper()} file")
    if any(_INLINE_TIME.search(raw) for _, raw in cues):
        cues = _unroll(cues)
    return header, cues


def plain_cue_text(raw: str) -> str:
    """The words of a cue's text: markup removed, entities decoded, spaces collapsed."""
    text = html.unescape(_TAG.sub("", raw)).replace("\u00a0", " ")
    return " ".join(text.split())


_INLINE_TIME = re.compile(r"<\d+:\d{2}(?::\d{2})?\.\d{3}>")


def _unroll(cues):
    """Rolling auto-captions (YouTube) without their repeats.

    Each cue repeats the line before and adds one, with word times (``<00:05:04.199>``)
    inline; a line that equals the line kept last is a repeat and dropped, cues left
    empty are dropped.
    """
    out, last = [], None
    for ts, raw in cues:
        kept = []
        for line in raw.split("\n"):
            plain = plain_cue_text(line)
            if not plain or plain == last:
                continue
            kept.append(line)
            last = plain
        if kept:
            out.append((ts, "\n".join(kept)))
    return out
