"""Composing the SYNTHETIC demo interviews from the cast and the text bank.

Each interview follows the eras its participant worked through, oldest first, then
reflective questions; every answer is drawn from :data:`~analysis.synthetic.bank.BANK`
with weights that favour the speaker's position and tier. The utterances drawn are the
ground truth from which the two fictional coders' segments are made
(:mod:`analysis.synthetic.coders`). One seeded generator, no global state.

Examples
--------
>>> truth = demo_ground_truth(seed=DEFAULT_SEED)
>>> sorted(truth["participant_id"].unique())[:3]
['P01', 'P02', 'P03']
>>> bool((truth["codes"].str.len() > 0).all())
True
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from .bank import (ASIDES, BANK, ERA_CONTEXT, ERA_PERIOD, ERA_QUESTIONS, FILLERS, LEAD_INS,
                   PROBES, REFLECTIVE_QUESTIONS, Template, eligible, weight)
from .cast import (COLLEAGUES, DEFAULT_SEED, EMAILS, PEOPLE, PHONES, PLACES, TRUST, TRUST_SHORT,
                   Person)


@dataclass
class Turn:
    """One turn: who speaks, the parts said (joined by the layout), start in seconds."""

    speaker: str
    role: str
    parts: list[str]
    seconds: float = 0.0


@dataclass
class Interview:
    """A composed interview: its turns, and the ground truth of the coded utterances."""

    person: Person
    turns: list[Turn] = field(default_factory=list)
    truth: list[dict] = field(default_factory=list)


def word_count(text: str) -> int:
    """Words in ``text``, split on white space (the unit of the interview lengths).

    Examples
    --------
    >>> word_count("Well, it's  a good question.")
    5
    """
    return len(text.split())


def _fill(text: str, rng: random.Random) -> str:
    return text.format(trust=TRUST, trust_short=TRUST_SHORT, place=rng.choice(PLACES),
                       colleague=rng.choice(COLLEAGUES))


def _draw(pool: list[Template], person: Person, rng: random.Random, k: int) -> list[Template]:
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, weights=[weight(t, person) for t in pool])[0]
        pool.remove(pick)
        chosen.append(pick)
    return chosen


def compose_interview(person: Person, rng: random.Random, min_words: int = 1900,
                      max_words: int = 2700) -> Interview:
    """Compose one interview for ``person`` from the bank, drawing with ``rng``.

    Answers follow the eras the person worked through, oldest first, then reflective
    questions. The interview aims at a length drawn between ``min_words`` and
    ``max_words`` words of talk, and is shorter only if the person's templates run out.
    ``truth`` records each coded utterance with the 0-based index of its turn.
    """
    iv = Interview(person)
    who = "Respondent" if person.layout == "txt_labels" else person.name
    target = rng.randint(min_words, max_words - 250)

    def say(speaker, role, parts):
        iv.turns.append(Turn(speaker, role, parts))

    def answer(templates: list[Template]):
        parts = [rng.choice(LEAD_INS)]
        for t in templates:
            text = _fill(t.text, rng)
            parts.append(text)
            iv.truth.append({"participant_id": person.participant_id,
                             "turn": len(iv.turns), "template_id": t.template_id,
                             "era": t.era, "codes": "|".join(t.codes), "text": text})
        if rng.random() < 0.45:
            parts.append(rng.choice(ASIDES))
        say(who, "participant", [p for p in parts if p])

    def total() -> int:
        return sum(word_count(p) for t in iv.turns for p in t.parts)

    say(person.interviewer_label, "interviewer",
        ["Thank you for talking to me. For the recording, could you say who you are, and "
         "describe your role and how you came to it?"])
    say(who, "participant",
        [f"Of course. I'm {person.name}, and I have been in and around the NHS for "
         f"{person.years_in_nhs} years. "
         f"These days I'd describe myself as {person.role}. Early on I worked at {TRUST}, "
         f"in {rng.choice(PLACES)}, and most of my jobs since have been in the same kind "
         "of work."])

    pool_by_era = {era: [t for t in BANK if t.era == era and eligible(t, person)]
                   for era in person.eras}
    general = [t for t in BANK if not t.era and eligible(t, person)]
    # Round-robin over the eras, oldest first: every era the person worked through gets
    # a question before any gets a second one.
    rounds = 0
    while total() < target and any(pool_by_era.values()):
        for era in person.eras:
            pool = pool_by_era[era]
            if not pool or total() >= target:
                continue
            if rounds == 0:
                q = (rng.choice(ERA_CONTEXT[era]) + " "
                     + rng.choice(ERA_QUESTIONS).format(period=ERA_PERIOD[era]))
            else:
                q = f"Going back to {ERA_PERIOD[era]} for a moment. {rng.choice(PROBES)}"
            say(person.interviewer_label, "interviewer", [q])
            answer(_draw(pool, person, rng, rng.randint(1, 2)))
            if pool and total() < target and rng.random() < 0.6:
                say(person.interviewer_label, "interviewer", [rng.choice(PROBES)])
                answer(_draw(pool, person, rng, 1))
        rounds += 1
    questions = list(REFLECTIVE_QUESTIONS)
    while general and questions and total() < target + 150:
        say(person.interviewer_label, "interviewer", [questions.pop(0)])
        answer(_draw(general, person, rng, rng.randint(1, 2)))
        if rng.random() < 0.3:
            iv.turns[-1].parts.append(rng.choice(FILLERS))
    say(person.interviewer_label, "interviewer",
        ["That's really helpful. Is there anything you'd like to add, or anything I should "
         "read?"])
    n = int(re.sub(r"\D", "", person.participant_id) or 0)
    say(who, "participant",
        [f"There's a set of old board papers I can dig out. Email {EMAILS[n % len(EMAILS)]} "
         f"or ring {PHONES[n % len(PHONES)]}, and if I'm not there ask for someone in "
         f"{rng.choice(COLLEAGUES)}'s team."])
    say(person.interviewer_label, "interviewer", ["Thank you very much. I'll stop the "
                                                  "recording there."])
    _timestamp(iv, rng)
    return iv


def _timestamp(iv: Interview, rng: random.Random) -> None:
    # About 2.5 words a second, with a short pause between turns.
    t = 1.0
    for turn in iv.turns:
        turn.seconds = t
        t += sum(word_count(p) for p in turn.parts) / 2.5 + rng.uniform(0.5, 2.5)


def compose_study(seed: int = DEFAULT_SEED, people=PEOPLE) -> list[Interview]:
    """Compose every interview of the demo study; one seeded generator, no global state."""
    rng = random.Random(seed)
    return [compose_interview(p, rng) for p in people]


def demo_ground_truth(seed: int = DEFAULT_SEED):
    """The planted utterances of the demo study: what each participant said and its codes.

    Returns a DataFrame with ``participant_id, turn, template_id, era, codes, text``;
    ``codes`` are joined by ``|`` and ``text`` is the utterance before pseudonymisation.
    """
    import pandas as pd

    rows = [row for iv in compose_study(seed) for row in iv.truth]
    return pd.DataFrame(rows, columns=["participant_id", "turn", "template_id", "era",
                                       "codes", "text"])
