"""A generated processed study with a real-size codebook, for the legibility tests.

:func:`write_study` writes the processed interview tables a build would (``codes.csv``,
``segments.csv``, ``participants.csv``, ``sources.csv``, ``turns.csv``, ``texts/``, an
empty ``dictionary_segments.csv``) for a study shaped like the real projects of issue 23:
250 codes in 50 categories, three levels deep (50 categories, 150 codes under them, 100
sub-codes, two under the first code of each category), some labels far longer than any
figure can show, 28 participants over three tiers, and one coder (monologue
transcripts: one unlabelled turn each, as an automatic transcript without speaker labels
gives) or two (interviewer and participant turns). Coding is skewed: a few categories
carry most of it, as in real coding, so that a top N means something.

Everything comes from one seeded generator: the same arguments give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

N_CATEGORIES = 50
CODES_PER_CATEGORY = 3        # depth 1
SUBCODES = (2, 0, 0)          # depth 2, under each of the three codes
N_PARTICIPANTS = 28
TIERS = ("macro", "meso", "micro")
WORDS = ("system", "budget", "region", "trust", "board", "record", "patient", "local",
         "national", "supplier", "contract", "team", "data", "change", "people", "plan",
         "money", "time", "service", "care", "digital", "report", "network", "target")
LONG = ("relationships with national bodies, arm's-length bodies, regional teams and the "
        "suppliers they contracted with, as the participant saw them at the time")


def codes_table() -> pd.DataFrame:
    """The 300 rows of the codebook: 50 categories (not codable) and 250 codes."""
    rows = []

    def add(cid, parent, label, codable, depth, path):
        rows.append({"code_id": cid, "parent_id": parent, "label": label, "facet": "theme",
                     "codable": "true" if codable else "false", "colour": "",
                     "sst_component": "", "bracket": "", "definition": f"Definition of {label}.",
                     "inclusion": "", "exclusion": "", "indicators": "", "stems": "",
                     "noisy_stems": "", "depth": depth, "root_id": path.split("/")[0],
                     "path": path, "sst_code": ""})

    for c in range(1, N_CATEGORIES + 1):
        cat = f"cat{c:02d}"
        label = f"Category {c:02d}" + (f": {LONG}" if c % 9 == 0 else "")
        add(cat, "", label, False, 0, cat)
        for k in range(CODES_PER_CATEGORY):
            code = f"{cat}_c{k + 1}"
            text = f"Code {c:02d}.{k + 1}" + (f" about {LONG}" if (c + k) % 7 == 0 else "")
            add(code, cat, text, True, 1, f"{cat}/{code}")
            for j in range(SUBCODES[k]):
                sub = f"{code}_s{j + 1}"
                add(sub, code, f"Sub-code {c:02d}.{k + 1}.{j + 1}", True, 2,
                    f"{cat}/{code}/{sub}")
    return pd.DataFrame(rows)


def _text(rng, n_words: int) -> str:
    return " ".join(rng.choice(WORDS, size=n_words)) + "."


def write_study(folder: Path, coders: int = 1, seed: int = 23) -> Path:
    """Write the processed study into ``folder/interviews``; return that folder."""
    rng = np.random.default_rng(seed)
    out = Path(folder) / "interviews"
    (out / "texts").mkdir(parents=True, exist_ok=True)
    codes = codes_table()
    codable = codes[codes["codable"] == "true"]["code_id"].to_numpy()
    # skewed coding: code k is picked with weight 1 / (rank + 1), ranks shuffled
    weights = 1.0 / (rng.permutation(len(codable)) + 1.0)
    weights /= weights.sum()
    people, sources, turns, segments = [], [], [], []
    for i in range(1, N_PARTICIPANTS + 1):
        pid = f"P{i:02d}"
        people.append({"participant_id": pid, "tier": TIERS[i % 3],
                       "position_practice": f"pp_role_{i % 4}", "organisation_type": "",
                       "sector": "", "years_in_nhs": "", "eras": "", "synthetic": "yes"})
        pieces, spans = [], []
        pos = 0
        n_turns = 1 if coders == 1 else 30
        for t in range(n_turns):
            body = " ".join(_text(rng, 25) for _ in range(40 if coders == 1 else 3))
            if coders == 1:
                speaker, role, line = "", "", body
            else:
                speaker = "Interviewer" if t % 2 == 0 else pid
                role = "interviewer" if t % 2 == 0 else "participant"
                line = f"{speaker}: {body}"
            start = pos + (len(speaker) + 2 if speaker else 0)
            turns.append({"source_id": pid, "turn": t + 1, "speaker": speaker, "role": role,
                          "start": start, "end": pos + len(line), "timestamp": "",
                          "text": body})
            if role != "interviewer":
                spans.append((start, pos + len(line)))
            pieces.append(line)
            pos += len(line) + 1
        text = "\n".join(pieces) + "\n"
        (out / "texts" / f"{pid}.txt").write_text(text, encoding="utf-8", newline="")
        sources.append({"source_id": pid, "kind": "interview", "participant_id": pid,
                        "title": pid, "format": "txt", "encoding": "utf-8", "sha256": "",
                        "n_chars": len(text), "nfc": "true"})
        for n in range(60):
            a, b = spans[rng.integers(len(spans))]
            start = int(rng.integers(a, max(a + 1, b - 120)))
            end = min(b, start + int(rng.integers(40, 120)))
            code = str(rng.choice(codable, p=weights))
            segments.append({"source_id": pid, "code_id": code, "start": start, "end": end,
                             "coder": "coder_a", "text": text[start:end]})
            if coders == 2:
                if rng.random() < 0.8:  # mostly agrees, with a shifted boundary
                    shift = int(rng.integers(-5, 6))
                    s2, e2 = max(a, start + shift), end
                    other = code
                else:
                    s2, e2, other = start, end, str(rng.choice(codable, p=weights))
                segments.append({"source_id": pid, "code_id": other, "start": s2, "end": e2,
                                 "coder": "coder_b", "text": text[s2:e2]})
    seg = pd.DataFrame(segments).drop_duplicates(["source_id", "code_id", "start", "end",
                                                  "coder"])
    seg.insert(0, "segment_id", [f"s{k:05d}" for k in range(len(seg))])
    codes.to_csv(out / "codes.csv", index=False, lineterminator="\n")
    seg.to_csv(out / "segments.csv", index=False, lineterminator="\n")
    pd.DataFrame(people).to_csv(out / "participants.csv", index=False, lineterminator="\n")
    pd.DataFrame(sources).to_csv(out / "sources.csv", index=False, lineterminator="\n")
    pd.DataFrame(turns).to_csv(out / "turns.csv", index=False, lineterminator="\n")
    seg.iloc[0:0].to_csv(out / "dictionary_segments.csv", index=False, lineterminator="\n")
    return out
