"""The SYNTHETIC demo study: fictional interviews, deterministic from a seed.

The compendium cannot ship real interviews, so it ships a fictional study that looks
and behaves like one: 14 participants across the macro, meso and micro tiers, one
transcript each (1,500-3,000 words) in a mix of formats (.docx, .vtt, .srt, .md and
two plain-text layouts), talking about real eras and events of NHS IT in England with
year mentions. Planted fictional identifiers (names, a trust, places, e-mail
addresses, phone numbers from Ofcom's drama range 01632 960000-960999) exercise the
pseudonymisation; their key is written beside the transcripts, marked as a demo key.

Each transcript is composed from a bank of utterance templates written for this
package (data: ``analysis/resources/synthetic/*.yml``). Every template carries the
codes of the SST frame it expresses and the era it speaks of; templates are drawn with
weights that favour the speaker's tier, so that the tiers and eras differ in ways an
analysis can find (the demo README lists the designed differences). The composed
utterances are the ground truth from which the two fictional coders' segments are made
(:func:`code_demo`).

Everything this package writes says SYNTHETIC at the top. Its modules, in the order
they build on one another:

``cast``
    the fictional participants, colleagues, trust, places; the register and demo key.
``bank``
    the utterance templates and interview talk, read from the YAML resources.
``compose``
    composing each interview, and the ground truth of the planted utterances.
``render``
    one transcript layout per participant: .docx, .vtt, .srt, .md, two plain texts.
``coders``
    the two fictional coders' segments and their REFI-QDA project.
``demo``
    writing the demo study folder and its README.

The large study of the scale benchmark is written by ``bench/large_study.py``.

Examples
--------
>>> truth = demo_ground_truth(seed=DEFAULT_SEED)
>>> sorted(truth["participant_id"].unique())[:3]
['P01', 'P02', 'P03']
>>> bool((truth["codes"].str.len() > 0).all())
True
"""

from __future__ import annotations

from pathlib import Path

from .. import paths
from .bank import BANK, Template
from .cast import (COLLEAGUES, DEFAULT_SEED, EMAILS, PEOPLE, PHONES, PLACES, SYNTHETIC_NOTE,
                   TRUST, TRUST_SHORT, Person, identifier_key, participants_table,
                   transcript_name)
from .coders import (CODER_B, CODERS, DEMO_PROJECT, DEMO_QDPX, SUB_SPAN, code_demo,
                     code_utterances, demo_segments, locate_utterances, pseudonymised_study)
from .compose import Interview, Turn, compose_interview, compose_study, demo_ground_truth
from .demo import generate_demo, readme_text
from .render import render_text

__all__ = [
    "BANK", "CODER_B", "CODERS", "COLLEAGUES", "DEFAULT_SEED", "DEMO_PROJECT", "DEMO_QDPX",
    "EMAILS", "Interview", "PEOPLE", "PHONES", "PLACES", "Person", "SUB_SPAN",
    "SYNTHETIC_NOTE", "TRUST", "TRUST_SHORT", "Template", "Turn", "code_demo",
    "code_utterances", "compose_interview", "compose_study", "demo_ground_truth",
    "demo_segments", "generate_demo", "identifier_key", "locate_utterances", "main",
    "participants_table", "pseudonymised_study", "readme_text", "render_text",
    "transcript_name",
]


def main(argv: list[str]) -> int:
    """``python -m analysis synthetic demo [--out DIR] [--seed N] [--no-coding]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis synthetic",
                                     description="write the SYNTHETIC demo study")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="write transcripts, register, demo key and README")
    demo.add_argument("--out", type=Path, default=None, help="folder (default: the demo study)")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo.add_argument("--no-coding", action="store_true",
                      help=f"skip the two coders' project ({DEMO_QDPX})")
    args = parser.parse_args(argv)
    written = generate_demo(args.out, args.seed)
    if not args.no_coding:
        written.append(code_demo(args.out, args.seed))
    print(f"wrote {len(written)} files to {paths.relative(written[0].parent)}")
    return 0
