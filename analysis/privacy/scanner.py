"""The identifier scanner: e-mail, UK phone, NHS number and postcode patterns, and
capitalised words outside the NHS and policy vocabulary, for a researcher to review."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from .. import paths
from ..errors import DataError
from ..io import decode_text
from .keys import APOSTROPHES, SPACE, key_regex, normalise_entry

SCAN_COLUMNS = ["source", "line", "column", "start", "end", "kind", "match"]
VOCABULARY_TXT = paths.RESOURCES / "vocabulary.txt"


# ---------------------------------------------------------------------------- patterns

def nhs_number_is_valid(number: str) -> bool:
    """Whether ``number`` is a well-formed NHS number (Modulus 11 check digit).

    The NHS algorithm: weight the first nine digits 10, 9, ..., 2; the check digit is
    ``11 - (sum mod 11)``, where 11 becomes 0 and 10 means the number is invalid.
    Spaces and hyphens are ignored. Repdigits (``0000000000``, ``1111111111``...) pass
    the check but are placeholders, not issued numbers, and are refused.

    >>> nhs_number_is_valid("943 476 5919")
    True
    >>> nhs_number_is_valid("943 476 5918")
    False
    """
    digits = [int(c) for c in number if c in "0123456789"]
    if len(digits) != 10 or len(set(digits)) == 1 or re.search(r"[^0-9 \-\u00a0]", number):
        return False
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


_SEP = "[ \u00a0-]"
# Each pattern begins with a character class and looks behind only after it: ``re`` then
# jumps from candidate to candidate, three to five times faster on large outputs than a
# pattern that begins with a lookbehind (or one regex with every pattern in it).
_EMAIL_DOMAIN_RX = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_EMAIL_LOCAL_RX = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}$")
# +44 or 0, an area code of 2-5 digits, then groups of 2+ digits; the digit count
# (10 or 11 with the 0) is checked afterwards, so years, ranges and sums never qualify
_PHONE_RX = re.compile(
    rf"[+(0](?<![\w+/.,-].)(?:(?<=\+)44{SPACE}?(?:\(0\){SPACE}?)?[1-9][0-9]{{1,4}}"
    rf"|(?<=\()0[1-9][0-9]{{1,4}}\)|(?<=0)[1-9][0-9]{{1,4}})"
    rf"(?:{_SEP}?[0-9]{{2,}}){{1,3}}(?![\w/]|[.,][0-9])")
_NHS_NUMBER_RX = re.compile(
    rf"[0-9](?<![\w.+/-][0-9])[0-9]{{2}}(?P<sep>{_SEP}?)[0-9]{{3}}(?P=sep)[0-9]{{4}}"
    r"(?![\w/]|[.,][0-9])")
# the UK Government Data Standards postcode pattern, found from its inward code
# (space, digit, two letters) and checked backwards for a valid outward code
# (its optional space before is taken afterwards: a pattern that begins with a digit is
# looked for three times faster)
_INWARD_RX = re.compile(r"[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}(?![\w-])")
_OUTWARD_RX = re.compile(r"(?<![\w-])(?:[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9]"
                         r"[0-9ABEHMNPRV-Y]?)|GIR)$", re.IGNORECASE)
PATTERN_KINDS = ("email", "phone", "nhs_number", "postcode")
POSTCODE_AREAS_TXT = paths.RESOURCES / "postcode_areas.txt"


@functools.lru_cache(maxsize=1)
def postcode_areas() -> frozenset[str]:
    """The UK postcode areas (``LS``, ``SW``, ``B`` ...): the 121 of Royal Mail's list in
    the ONS Postcode Directory, the Crown Dependencies' and the non-geographic ones
    (``analysis/resources/postcode_areas.txt``, which names its source).

    >>> {"LS", "B", "ZE", "JE"} <= postcode_areas() and not {"F", "AC", "Q"} & postcode_areas()
    True
    """
    areas = set()
    text = decode_text(POSTCODE_AREAS_TXT.read_bytes(), POSTCODE_AREAS_TXT).text
    for line in text.splitlines():
        area = line.split("#", 1)[0].split("\t", 1)[0].strip()
        if area:
            areas.add(area)
    return frozenset(areas)


def _in_a_postcode_area(outward: str) -> bool:
    """Whether an outward code (``LS1``, ``sw1a``, ``GIR``) starts with a real area."""
    letters = re.match(r"[A-Za-z]+", outward).group().upper()
    return letters == "GIR" or letters in postcode_areas()


_HEX6_RX = re.compile(r"[0-9A-Fa-f]{6}")


def is_hex_colour(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a colour written as ``#RRGGBB`` (CSS, SVG, HTML,
    a table's colour column): six hexadecimal digits right after a ``#``.

    A postcode written without its space can be six hexadecimal digits (``CB12AB``,
    Cambridge; ``DE11AB``, Derby), but never straight after ``#``.

    >>> text = "fill: #CB12AB; CB12AB"
    >>> is_hex_colour(text, 7, 13), is_hex_colour(text, 15, 21)
    (True, False)
    """
    return (start > 0 and text[start - 1] == "#"
            and _HEX6_RX.fullmatch(text, start, end) is not None)


def _phone_digits_ok(matched: str) -> bool:
    """A UK number has 10 or 11 digits with its leading 0 (9 or 10 after +44)."""
    digits = len(re.sub(r"\(0\)|[^0-9]", "", matched))
    return digits - 2 in (9, 10) if matched.startswith("+") else digits in (10, 11)


def pattern_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every e-mail address, UK phone number, valid NHS number
    and postcode in ``text``, by position.

    A postcode has the UK Government Data Standards shape, begins with a real postcode
    area (:func:`postcode_areas`), stands alone (no letter, digit or hyphen either side)
    and is not a ``#RRGGBB`` colour (:func:`is_hex_colour`).

    >>> pattern_spans("ring 0113 496 0000, LS1 4AP")
    [(5, 18, 'phone'), (20, 27, 'postcode')]
    """
    spans = []
    if "@" in text:
        for m in _EMAIL_DOMAIN_RX.finditer(text):
            local = _EMAIL_LOCAL_RX.search(text, max(0, m.start() - 64), m.start())
            if local:
                spans.append((local.start(), m.end(), "email"))
    spans += [(m.start(), m.end(), "phone") for m in _PHONE_RX.finditer(text)
              if _phone_digits_ok(m.group())]
    spans += [(m.start(), m.end(), "nhs_number") for m in _NHS_NUMBER_RX.finditer(text)
              if nhs_number_is_valid(m.group())]
    for m in _INWARD_RX.finditer(text):
        start = m.start()
        spaced = start > 0 and text[start - 1] in " \u00a0"
        start -= spaced
        outward = _OUTWARD_RX.search(text, max(0, start - 4), start)
        if outward and _in_a_postcode_area(outward.group()):
            code = text[outward.start():m.end()]
            # written without its space (LS14AP), a postcode is taken in capitals only;
            # six hexadecimal digits after a # are a colour (#CB12AB), not CB1 2AB
            if ((code == code.upper() or (spaced and code == code.lower()))
                    and not is_hex_colour(text, outward.start(), m.end())):
                spans.append((outward.start(), m.end(), "postcode"))
    spans.sort()
    return spans


# a line that starts as an e-mail domain or a postcode's inward code: the backward
# search for the local part or outward code may end before the line break
ACROSS_LINES_RX = re.compile(r"\n(?=@|[ \u00a0]?" + _INWARD_RX.pattern + ")")


class Lines:
    """Line and column (both 1-based) of increasing offsets, counting newlines once.

    >>> Lines("ab\\ncd").at(4)
    (2, 2)
    """

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line, offset - self.text.rfind("\n", 0, offset)


# ---------------------------------------------------------------------------- scanner

_TITLES = {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "lord",
           "lady", "rev", "revd", "cllr", "councillor"}
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de"
_CAPWORD = rf"[{_UPPER}][^\W\d_]*(?:[-{APOSTROPHES}][^\W\d_]+)*[{APOSTROPHES}]?"
_ABBREVIATED = r"(?:St|Dr|Mr|Mrs|Ms|Mx|Prof|Revd?|Cllr)\."
# a run of capitalised words on one line, with the small words of place and
# organisation names ("University Hospitals of Leicester", "Guy's and St Thomas'")
_NAME_RUN_RX = re.compile(
    rf"(?<![\w{APOSTROPHES}\[-])(?:{_ABBREVIATED}|{_CAPWORD})"
    rf"(?:{SPACE}+(?:(?:of|upon|on|and|de|van|von|der|den|le|la|du|da|di|&){SPACE}+)?"
    rf"(?:{_ABBREVIATED}|{_CAPWORD}))*(?![\w\]])")
_WORD_RX = re.compile(rf"{_ABBREVIATED}|{_CAPWORD}|\S+")
# before a sentence-initial word: a sentence end, line start, bullet, table bar or the
# end of a WebVTT voice tag ("<v Name>"), then nothing but punctuation and numbering
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…|•>\n])[\W\d_]*$")
_URL_RX = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+", re.IGNORECASE)


@functools.lru_cache(maxsize=4)
def load_vocabulary(path: os.PathLike | str = VOCABULARY_TXT) -> frozenset[str]:
    """Capitalised words (and phrases) that are not names: one a line, ``#`` comments.

    Entries are compared in lower case.

    >>> "trust" in load_vocabulary()
    True
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "vocabulary file not found")
    words = set()
    for line in decode_text(path.read_bytes(), path).text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            words.add(normalise_entry(entry))
    return frozenset(words)


def _is_vocabulary(word: str, vocabulary: frozenset[str]) -> bool:
    """Whether a capitalised word is no reason to flag: listed, a single letter, or a
    short acronym (all capitals, at most four letters and maybe a plural s: GMC, PCOs;
    longer capitals such as a speaker label SMITH are still flagged)."""
    word_as_written = word
    letters = re.sub(r"(?<=[A-Z])s$", "", re.sub(r"[^\w]", "", word))  # plural: PCOs
    if letters.isupper() and len(letters) <= 4:
        return True
    word = normalise_entry(word).rstrip(".")
    word = re.sub(r"'s?$", "", word)
    if word in vocabulary or len(re.sub(r"[^\w]", "", word)) < 2:
        return True
    # compounds: "NHS-wide", "Cross-Government"; a lower-case part is never a name
    parts = word_as_written.split("-")
    return len(parts) > 1 and all(p.islower() or _is_vocabulary(p, vocabulary) for p in parts)


def _name_findings(text: str, vocabulary: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of capitalised words or runs that may be names (see :func:`scan`)."""
    import numpy as np

    phrases = sorted(v for v in vocabulary if " " in v)
    skip = np.zeros(len(text) + 1, dtype=bool)  # URLs, e-mail addresses, vocabulary phrases
    for m in _URL_RX.finditer(text):
        skip[m.start():m.end()] = True
    if phrases:
        for m in re.finditer(key_regex(phrases), text):
            skip[m.start():m.end()] = True
    spans = []
    for run in _NAME_RUN_RX.finditer(text):
        words = [(m.start(), m.end(), m.group()) for m in _WORD_RX.finditer(run.group())
                 if m.group()[0].isupper() or m.group().endswith(".")]
        words = [(run.start() + s, run.start() + e, w) for s, e, w in words]
        words = [w for w in words if not skip[w[0]]]
        if not words:
            continue
        first = words[0]
        initial = _SENTENCE_START.search(text, max(0, first[0] - 40), first[0]) is not None
        is_title = normalise_entry(first[2]).rstrip(".") in _TITLES
        if initial and not is_title:
            words = words[1:]
        if not words:
            continue
        if len(words) == 1:
            word = words[0][2]
            flagged = not (_is_vocabulary(word, vocabulary)
                           or normalise_entry(word).rstrip(".") in _TITLES)
        else:
            flagged = any(not _is_vocabulary(w, vocabulary) for _, _, w in words)
        if flagged:
            spans.append((words[0][0], words[-1][1]))
    return spans


def scan(text: str, source: str = "<text>", vocabulary: frozenset[str] | None = None):
    """Flag possible identifiers in ``text`` for a researcher to review.

    Parameters
    ----------
    text : str
        A raw or pseudonymised text.
    source : str
        Name put in the ``source`` column.
    vocabulary : frozenset of str, optional
        Lower-case words that are not names; default :func:`load_vocabulary`.

    Returns
    -------
    pandas.DataFrame
        ``source, line, column, start, end, kind, match`` (line and column 1-based,
        start/end 0-based code points), ordered by position. Kinds: ``email``,
        ``phone`` (UK, 10 or 11 digits with the leading 0, or +44), ``nhs_number``
        (10 digits, optionally 3-3-4, valid check digit), ``postcode`` (all upper or
        all lower case, with its space) and ``name``: a capitalised word, or a run of
        them, with at least one word outside the vocabulary; a sentence-initial word
        is dropped unless it is a title (Dr, Mrs, ...), single letters and words in
        square brackets (pseudonyms) are not flagged. Names are noisy by design.

    Examples
    --------
    >>> found = scan("Call Jo Bloggs on 0113 496 0000 or jo@example.org.")
    >>> found[["line", "column", "kind", "match"]]
       line  column   kind          match
    0     1       6   name      Jo Bloggs
    1     1      19  phone  0113 496 0000
    2     1      36  email  jo@example.org
    """
    import pandas as pd

    import numpy as np

    vocabulary = load_vocabulary() if vocabulary is None else vocabulary
    found = pattern_spans(text)
    taken = np.zeros(len(text) + 1, dtype=bool)  # a postcode is not also a name
    for s, e, _ in found:
        taken[s:e] = True
    found += [(s, e, "name") for s, e in _name_findings(text, vocabulary)
              if not taken[s:e].any()]
    found.sort()
    lines = Lines(text)
    rows = [(source, *lines.at(s), s, e, kind, text[s:e]) for s, e, kind in found]
    return pd.DataFrame(rows, columns=SCAN_COLUMNS).astype(
        {"line": "int64", "column": "int64", "start": "int64", "end": "int64"})
