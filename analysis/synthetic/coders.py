"""The two fictional coders of the SYNTHETIC demo study.

The planted utterances (:func:`~analysis.synthetic.compose.demo_ground_truth`) are
located in the transcripts after the real pipeline has parsed and pseudonymised them;
coder A codes each with its codes, coder B follows A with the departures of
:data:`CODER_B`. The result is exported as a REFI-QDA project, ``demo_coding.qdpx``,
that ``make all`` imports like any researcher's coding.

Examples
--------
>>> CODERS
('coder_a', 'coder_b')
>>> round(sum(CODER_B[k] for k in ("miss", "sibling", "boundary")), 2)
0.29
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

from .. import paths
from .cast import DEFAULT_SEED
from .compose import demo_ground_truth

CODERS = ("coder_a", "coder_b")
DEMO_PROJECT = "SYNTHETIC demo coding"
DEMO_QDPX = "demo_coding.qdpx"

#: How coder B departs from coder A, per segment of A (the rest agree exactly):
#: B misses it, B chooses a sibling code, B draws the boundaries a few words
#: differently; and B adds codes of its own on this share of utterances.
CODER_B = {"miss": 0.05, "sibling": 0.09, "boundary": 0.15, "extra": 0.05}
#: Share of A's segments that cover a run of sentences rather than the whole utterance.
SUB_SPAN = 0.2


def pseudonymised_study(study_dir: os.PathLike | str | None = None):
    """Parse and pseudonymise every transcript of a study, as ``make all`` does.

    Returns
    -------
    (participants, texts)
        The validated register and ``{source_id: pseudonymised normalised text}``.
    """
    from ..participants import load_participants
    from ..privacy import load_key, pseudonymise
    from ..transcripts import interviewer_labels, parse_transcript

    study = Path(study_dir) if study_dir is not None else paths.DEMO_STUDY
    register = load_participants(study / "participants.csv")
    key = load_key(study / "identifier_key.csv")
    labels = interviewer_labels(register)
    texts = {}
    for pid, name in zip(register["participant_id"], register["transcript"]):
        parsed = parse_transcript(study / name, source_id=pid, interviewer=labels.get(pid))
        texts[pid] = pseudonymise(parsed.text, key).text
    return register, texts


def locate_utterances(truth, texts, key, study_dir: os.PathLike | str = ""):
    """Find each planted utterance in its pseudonymised transcript.

    The utterance is pseudonymised with the same key, then searched for after the
    previous one of the same transcript (white space may differ: cues and lines are
    re-joined by the parser).

    Returns ``truth`` with ``source_id``, ``start`` and ``end``.

    Raises
    ------
    DataError
        An utterance is missing: the transcripts were not made with this seed.
    """
    from ..errors import DataError
    from ..privacy import pseudonymise

    starts, ends = [], []
    cursor: dict[str, int] = {}
    for pid, template_id, text in zip(truth["participant_id"], truth["template_id"],
                                      truth["text"]):
        body = texts[pid]
        wanted = pseudonymise(text, key).text
        pattern = r"\s+".join(re.escape(w) for w in wanted.split())
        m = re.compile(pattern).search(body, cursor.get(pid, 0))
        if m is None:
            raise DataError(Path(study_dir) / pid, None,
                            f"planted utterance {template_id} not found; regenerate the demo "
                            "study with the same seed (python -m analysis synthetic demo)")
        starts.append(m.start())
        ends.append(m.end())
        cursor[pid] = m.end()
    return truth.assign(source_id=truth["participant_id"], start=starts, end=ends)


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


def _shift(text: str, start: int, end: int, rng: random.Random) -> tuple[int, int]:
    # Move one boundary of [start, end) by one to three words, within the line.
    lo, hi = _line_bounds(text, start, end)
    k = rng.randint(1, 3)
    move = rng.choice(["start_in", "start_out", "end_in", "end_out"])
    if move == "start_in":
        m = re.match(rf"(?:\S+\s+){{{k}}}", text[start:end])
        new = (start + m.end(), end) if m else (start, end)
    elif move == "start_out":
        m = re.search(rf"(?:\S+\s+){{1,{k}}}$", text[lo:start])
        new = (lo + m.start(), end) if m else (start, end)
    elif move == "end_in":
        m = re.search(rf"(?:\s+\S+){{{k}}}$", text[start:end])
        new = (start, start + m.start()) if m else (start, end)
    else:
        m = re.match(rf"(?:\s+\S+){{1,{k}}}", text[end:hi])
        new = (start, end + m.end()) if m else (start, end)
    # never leave less than four words
    return new if len(text[new[0]:new[1]].split()) >= 4 else (start, end)


def code_utterances(located, texts, codebook, seed: int = DEFAULT_SEED):
    """Coder A's and coder B's segments on the located utterances.

    Coder A applies each utterance's codes to the utterance, or (in a share
    :data:`SUB_SPAN`) to a run of its sentences. Coder B follows A but misses some
    segments, picks a sibling code for some, draws some boundaries a few words
    differently and adds some codes of its own, in the shares of :data:`CODER_B`.

    Returns
    -------
    pandas.DataFrame
        :data:`analysis.coding.SEGMENT_COLUMNS`, sorted.
    """
    import pandas as pd

    from ..coding import SEGMENT_COLUMNS, segment_id, sentence_spans

    rng = random.Random(f"{seed}:coding")
    parent_of = dict(zip(codebook.codes["code_id"], codebook.codes["parent_id"]))
    a_rows, b_rows = [], []
    for pid, start, end, codes in zip(located["source_id"], located["start"],
                                      located["end"], located["codes"]):
        text = texts[pid]
        sentences = [(start + s, start + e) for s, e in sentence_spans(text[start:end])]
        for code in codes.split("|"):
            span = (start, end)
            if len(sentences) > 1 and rng.random() < SUB_SPAN:
                i = rng.randrange(len(sentences))
                j = rng.randrange(i, len(sentences))
                if (i, j) != (0, len(sentences) - 1):
                    span = (sentences[i][0], sentences[j][1])
            a_rows.append((pid, code, *span, CODERS[0]))
            r = rng.random()
            if r < CODER_B["miss"]:
                continue
            b_code, b_span = code, span
            if r < CODER_B["miss"] + CODER_B["sibling"]:
                parent = parent_of[code]
                siblings = [c for c in codebook.children(parent) if c != code] if parent else []
                if siblings:
                    b_code = rng.choice(siblings)
            elif r < CODER_B["miss"] + CODER_B["sibling"] + CODER_B["boundary"]:
                b_span = _shift(text, *span, rng)
            b_rows.append((pid, b_code, *b_span, CODERS[1]))
    # B's own additions: a code used elsewhere in the same transcript, on an utterance
    in_source = {pid: set("|".join(codes).split("|"))
                 for pid, codes in located.groupby("source_id", sort=True)["codes"]}
    for pid, start, end, codes in zip(located["source_id"], located["start"],
                                      located["end"], located["codes"]):
        if rng.random() < CODER_B["extra"]:
            pool = sorted(in_source[pid] - set(codes.split("|")))
            if pool:
                b_rows.append((pid, rng.choice(pool), start, end, CODERS[1]))
    rows = sorted(set(a_rows) | set(b_rows))
    seg = pd.DataFrame(rows, columns=["source_id", "code_id", "start", "end", "coder"])
    seg["segment_id"] = [segment_id(*r) for r in rows]
    seg["text"] = [texts[s][a:b] for s, a, b in zip(seg["source_id"], seg["start"], seg["end"])]
    return seg.loc[:, SEGMENT_COLUMNS].sort_values(
        ["source_id", "start", "end", "code_id", "coder"], ignore_index=True)


def demo_segments(study_dir: os.PathLike | str | None = None, seed: int = DEFAULT_SEED):
    """The two coders' segments of a generated demo study, on its pseudonymised texts.

    Returns
    -------
    (segments, texts, participants)
    """
    from ..codebook import load_codebook
    from ..coding import validate_segments
    from ..privacy import load_key

    study = Path(study_dir) if study_dir is not None else paths.DEMO_STUDY
    participants, texts = pseudonymised_study(study)
    key = load_key(study / "identifier_key.csv")
    located = locate_utterances(demo_ground_truth(seed), texts, key, study)
    codebook = load_codebook()
    segments = code_utterances(located, texts, codebook, seed)
    validate_segments(segments, texts, codebook, where=study / DEMO_QDPX)
    return segments, texts, participants


def code_demo(study_dir: os.PathLike | str | None = None, seed: int = DEFAULT_SEED,
              out: os.PathLike | str | None = None) -> Path:
    """Code the demo study as two fictional coders and export a REFI-QDA project.

    Runs the real pipeline (parse, pseudonymise) on the generated transcripts, so the
    project's texts are exactly those ``make all`` puts in ``data/processed/``.
    Writes ``demo_coding.qdpx`` (project name "SYNTHETIC demo coding") in the study
    folder unless ``out`` is given, and returns its path.
    """
    import pandas as pd

    from ..codebook import load_codebook
    from ..refi import export_project

    study = Path(study_dir) if study_dir is not None else paths.DEMO_STUDY
    segments, texts, participants = demo_segments(study, seed)
    sources = pd.DataFrame({"source_id": sorted(texts), "participant_id": sorted(texts)})
    cases = participants.drop(columns=["interviewer_label", "transcript"]).astype(str)
    return export_project(Path(out) if out is not None else study / DEMO_QDPX,
                          codes=load_codebook().codes_table(), sources=sources, texts=texts,
                          segments=segments, participants=cases, project_name=DEMO_PROJECT)
