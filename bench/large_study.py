"""The large SYNTHETIC study of the scale benchmark (``bench/run.py``), in processed form.

Texts are composed from the demo study's text bank (:mod:`analysis.synthetic.bank`) and
coded by its two fictional coders (:func:`analysis.synthetic.code_utterances`), but
written directly as plain, already pseudonymous text: the benchmark measures the
pipeline on a study of the size of issue 7 (300 interviews of about 8,000 words, 200
documents of about 25,000 words, 60,000 coded segments), not the generator.

Usage::

    python bench/large_study.py --out DIR [--interviews N] [--words N]
        [--documents N] [--doc-words N] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

import pandas as pd

from analysis.codebook import load_codebook
from analysis.io import atomic_write, write_table
from analysis.synthetic import (DEFAULT_SEED, PEOPLE, SYNTHETIC_NOTE, Person, code_utterances,
                                participants_table)
from analysis.synthetic.bank import BANK, ERA_CONTEXT, PROBES, eligible, weight


def generate_large_study(out_dir: os.PathLike | str, n_interviews: int = 300,
                         words: int = 8000, n_documents: int = 200, doc_words: int = 25000,
                         seed: int = DEFAULT_SEED, n_segments: int | None = 60_000) -> list[Path]:
    """Write a large SYNTHETIC study for benchmarks, already in processed form.

    Texts are composed from the same bank as the demo (already pseudonymous: no
    planted identifiers), written directly as plain text, with the two coders'
    segments. Layout under ``out_dir``: ``interviews/texts/<id>.txt``,
    ``interviews/participants.csv``, ``interviews/segments.csv``,
    ``documents/texts/<id>.txt`` and ``documents/sources.csv``.

    Parameters
    ----------
    out_dir : path-like
        The folder to write (created).
    n_interviews, words : int
        Number of interviews and their approximate length in words.
    n_documents, doc_words : int
        Number of strategy-like documents and their approximate length in words.
    seed : int
        Seed of the generator; the same arguments give the same bytes.
    n_segments : int or None
        About how many coded segments the two coders make together (issue 7 asks for
        60,000): a seeded sample of the utterances is coded. None codes every utterance
        (about four times as many at the default size).

    Returns
    -------
    list of Path
        The tables written (texts are written beside them).
    """
    out = Path(out_dir)
    rng = random.Random(f"{seed}:large")
    people, texts, truth = [], {}, []
    for i in range(1, n_interviews + 1):
        model = PEOPLE[(i - 1) % len(PEOPLE)]
        pid = f"L{i:04d}"
        person = Person(pid, "", model.tier, model.position_practice, model.organisation_type,
                        model.sector, model.years_in_nhs, model.eras, "txt_labels",
                        "Interviewer", model.role)
        people.append(person)
        pool = [t for t in BANK if eligible(t, person) and (not t.era or t.era in person.eras)]
        weights = [weight(t, person) for t in pool]
        chunks = [f"SYNTHETIC large benchmark interview {pid}. {SYNTHETIC_NOTE}\n"]
        length, n = len(chunks[0]), 0
        while n < words:
            era = rng.choice(person.eras)
            q = f"\nInterviewer: {rng.choice(ERA_CONTEXT[era])} {rng.choice(PROBES)}\n"
            chunks.append(q)
            length += len(q)
            chunks.append("Respondent: ")
            length += len("Respondent: ")
            for t in rng.choices(pool, weights=weights, k=rng.randint(1, 3)):
                text = t.text.format(trust="[Trust A]", trust_short="[Trust A]",
                                     place=f"[Place {rng.randint(1, 9)}]",
                                     colleague=f"[Person {rng.randint(1, 99)}]")
                truth.append((pid, length, length + len(text), "|".join(t.codes)))
                chunks.append(text + " ")
                length += len(text) + 1
                n += len(text.split())
            chunks.append("\n")
            length += 1
        texts[pid] = "".join(chunks)
    located = pd.DataFrame(truth, columns=["source_id", "start", "end", "codes"])
    codebook = load_codebook()
    segments = code_utterances(located, texts, codebook, seed)
    if n_segments is not None and len(segments) > n_segments:
        # Thin by utterance, so both coders' segments of an utterance stay together.
        keep = max(1, round(len(located) * n_segments / len(segments)))
        rows = sorted(random.Random(f"{seed}:thin").sample(range(len(located)), keep))
        located = located.iloc[rows].reset_index(drop=True)
        segments = code_utterances(located, texts, codebook, seed)
    for pid, text in texts.items():
        atomic_write(out / "interviews" / "texts" / f"{pid}.txt", text)
    written = [write_table(participants_table(people), out / "interviews" / "participants.csv"),
               write_table(segments, out / "interviews" / "segments.csv")]
    # Documents: era-by-era prose from the scene-setting sentences and the bank.
    sentences = [t.text.format(trust="the trust", trust_short="the trust", place="the region",
                               colleague="the director") for t in BANK]
    eras = list(ERA_CONTEXT)
    rows = []
    for i in range(1, n_documents + 1):
        doc_id = f"D{i:04d}"
        era = eras[(i - 1) % len(eras)]
        paras, n = [f"SYNTHETIC large benchmark document {doc_id} ({era})."], 0
        while n < doc_words:
            para = " ".join(rng.choices(list(ERA_CONTEXT[era]) + sentences, k=6))
            paras.append(para)
            n += len(para.split())
        atomic_write(out / "documents" / "texts" / f"{doc_id}.txt", "\n\n".join(paras) + "\n")
        rows.append((doc_id, "document", f"SYNTHETIC document {i}", era))
    written.append(write_table(pd.DataFrame(rows, columns=["source_id", "kind", "title", "era"]),
                               out / "documents" / "sources.csv"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/large_study.py",
                                     description="write a large SYNTHETIC study for benchmarks")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--interviews", type=int, default=300)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--doc-words", type=int, default=25000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    written = generate_large_study(args.out, args.interviews, args.words, args.documents,
                                   args.doc_words, args.seed)
    print(f"wrote {len(written)} tables (and their texts) under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
