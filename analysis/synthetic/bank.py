"""The text bank of the SYNTHETIC demo study: utterance templates and interview talk.

The words live as data in ``analysis/resources/synthetic/``: ``utterances.yml`` holds
the utterance templates (each with the era it speaks of, who may say it and the codes
of the SST frame it expresses), ``interview.yml`` the interviewer's questions and the
uncoded talk around the answers. Both are read once, with ``yaml.safe_load``, when this
module is imported; their order matters, since the seeded draws index the lists.

Templates are drawn with weights that favour the speaker's own position and tier
(:func:`weight`), so that the tiers and eras differ in ways an analysis can find.

Examples
--------
>>> BANK[0].template_id, BANK[0].era, BANK[0].codes
('U001', 'imt', ('th_standards_interop', 'sst_ag_routine'))
>>> sorted(ERA_PERIOD) == sorted(ERA_CONTEXT)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import DataError

UTTERANCES_YML = paths.RESOURCES / "synthetic" / "utterances.yml"
INTERVIEW_YML = paths.RESOURCES / "synthetic" / "interview.yml"


@dataclass(frozen=True)
class Template:
    """An utterance template: the era it speaks of, who says it, its codes, its text.

    ``who`` lists tiers (``macro meso micro``), position-practice ids, or ``all``.
    Slots: ``{trust}``, ``{trust_short}``, ``{place}``, ``{colleague}``.
    """

    template_id: str
    era: str
    who: tuple[str, ...]
    codes: tuple[str, ...]
    text: str


def _read_yaml(path: Path):
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(path, mark.line + 1 if mark else None, f"not valid YAML: {exc}") from None


def load_bank(path: Path = UTTERANCES_YML) -> tuple[Template, ...]:
    """Read the utterance templates of ``path`` (a list of ``id, era, who, codes, text``).

    Raises
    ------
    DataError
        The file is not a list of such entries, or an id repeats.

    Examples
    --------
    >>> len(load_bank()) > 100
    True
    """
    rows = _read_yaml(path)
    fields = ("id", "era", "who", "codes", "text")
    if not isinstance(rows, list):
        raise DataError(path, None, "expected a list of utterance templates")
    bank, seen = [], set()
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or set(row) != set(fields) \
                or not all(isinstance(row[f], str) for f in fields):
            raise DataError(path, f"entry {n}",
                            "expected exactly the text fields " + ", ".join(fields))
        if row["id"] in seen:
            raise DataError(path, f"entry {n}", f"template id {row['id']!r} repeats")
        seen.add(row["id"])
        bank.append(Template(row["id"], row["era"], tuple(row["who"].split()),
                             tuple(row["codes"].split()), row["text"]))
    return tuple(bank)


def load_interview(path: Path = INTERVIEW_YML) -> dict:
    """Read the interview talk of ``path``: lists of strings, and per-era mappings.

    Lists become tuples; ``era_period`` maps an era to its name, ``era_context`` an era
    to a tuple of scene-setting sentences.

    Raises
    ------
    DataError
        A section is missing or of the wrong shape.

    Examples
    --------
    >>> load_interview()["era_period"]["npfit"]
    'the National Programme for IT years, from 2002'
    """
    data = _read_yaml(path)
    lists = ("lead_ins", "era_questions", "probes", "reflective_questions", "asides",
             "fillers")
    if not isinstance(data, dict):
        raise DataError(path, None, "expected a mapping of sections")
    talk = {}
    for name in lists:
        values = data.get(name)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise DataError(path, name, "expected a list of strings")
        talk[name] = tuple(values)
    periods, context = data.get("era_period"), data.get("era_context")
    if not isinstance(periods, dict) or not all(isinstance(v, str) for v in periods.values()):
        raise DataError(path, "era_period", "expected a mapping of era to text")
    if not isinstance(context, dict) or list(context) != list(periods) or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in context.values()):
        raise DataError(path, "era_context",
                        "expected a list of strings for each era of era_period, in its order")
    talk["era_period"] = dict(periods)
    talk["era_context"] = {era: tuple(v) for era, v in context.items()}
    return talk


#: The utterance templates, in the order of ``utterances.yml``.
BANK = load_bank()

_TALK = load_interview()
#: Uncoded lead-ins that make answers sound spoken; they are not part of any segment.
LEAD_INS: tuple[str, ...] = _TALK["lead_ins"]
#: How the interviewer names each era.
ERA_PERIOD: dict[str, str] = _TALK["era_period"]
#: What the interviewer says to set the scene before an era question (from the timeline).
ERA_CONTEXT: dict[str, tuple[str, ...]] = _TALK["era_context"]
#: The first question about an era; ``{period}`` is its :data:`ERA_PERIOD`.
ERA_QUESTIONS: tuple[str, ...] = _TALK["era_questions"]
#: Follow-up questions.
PROBES: tuple[str, ...] = _TALK["probes"]
#: Questions after the eras, answered with utterances of no era.
REFLECTIVE_QUESTIONS: tuple[str, ...] = _TALK["reflective_questions"]
#: Uncoded asides that follow an answer, as people digress when they talk.
ASIDES: tuple[str, ...] = _TALK["asides"]
#: Uncoded fillers, now and then at the end of a reflective answer.
FILLERS: tuple[str, ...] = _TALK["fillers"]


def eligible(template: Template, person) -> bool:
    """Whether ``person`` (a :class:`~analysis.synthetic.cast.Person`) may say ``template``.

    Examples
    --------
    >>> from analysis.synthetic.cast import PEOPLE
    >>> eligible(BANK[0], PEOPLE[0]), PEOPLE[0].tier, BANK[0].who
    (False, 'macro', ('micro', 'meso'))
    """
    return ("all" in template.who or person.tier in template.who
            or person.position_practice in template.who)


def weight(template: Template, person) -> int:
    """The weight of ``template`` in a draw for ``person``: 6 own position, 3 tier, else 1.

    Examples
    --------
    >>> from analysis.synthetic.cast import PEOPLE
    >>> weight(BANK[0], PEOPLE[1]), PEOPLE[1].tier
    (3, 'meso')
    """
    # A template written for the speaker's own position counts most, one for their tier
    # next, a generic one least: that is how tiers come to differ in the codes.
    if person.position_practice in template.who:
        return 6
    if person.tier in template.who:
        return 3
    return 1
