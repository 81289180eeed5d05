"""``python -m analysis build``: rebuild ``data/processed/`` from ``data/raw/``.

Stages (the Makefile runs each when its inputs change):

``interviews``
    Parse every transcript named in the study's participants register, pseudonymise
    texts, turns and speakers with the study's identifier key, import the study's
    REFI-QDA coding (``*.qdpx``) onto those texts, and propose dictionary codings for
    review. Writes ``data/processed/interviews/``.
``documents``
    Ingest the documents of the manifest and code them with the codebook's dictionary.
    Writes ``data/processed/documents/``.

Each stage writes into a temporary folder and swaps it in at the end, so a failure
leaves the previous output whole. ``--study private`` processes
``data/raw/private/`` (git-ignored) instead of the synthetic demo study.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from . import paths
from .errors import DataError
from .io import atomic_write, sha256_text, write_table

INTERVIEW_SOURCE_COLUMNS = ["source_id", "kind", "participant_id", "title", "format",
                            "encoding", "sha256", "n_chars", "nfc"]


def key_file(study: str) -> Path:
    """The identifier key of a study: committed demo key, or the private one."""
    return paths.study_dir(study) / "identifier_key.csv"


def coding_file(study_dir: Path) -> Path | None:
    """The study's REFI-QDA coding project: the one ``*.qdpx`` in its folder, if any."""
    found = sorted(study_dir.glob("*.qdpx"))
    if len(found) > 1:
        raise DataError(study_dir, None, "more than one .qdpx coding project: keep one "
                                         f"({', '.join(p.name for p in found)})")
    return found[0] if found else None


def study_roles(study_dir: Path) -> list[str]:
    """The ``roles:`` list of ``study.yml`` in the study folder (speaker labels that are
    roles, not names); ``[]`` without the file or the key."""
    import yaml

    path = study_dir / "study.yml"
    if not path.is_file():
        return []
    try:
        study = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(path, None, f"not valid YAML: {exc}") from None
    roles = study.get("roles", []) if isinstance(study, dict) else None
    if roles is None:
        return []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise DataError(path, None, "'roles' must be a list of speaker labels (strings)")
    return roles


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` (both folders) as nearly atomically as a file system allows."""
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def build_interviews(study: str = "demo", out: os.PathLike | str | None = None) -> Path:
    """Process a study's interviews into pseudonymised texts, turns, sources and codings.

    Returns the output folder (``data/processed/interviews/`` by default).
    """
    import pandas as pd

    from . import coding, privacy, transcripts
    from .codebook import load_codebook
    from .participants import load_participants
    from .progress import progress
    from .refi_import import read_project

    study_dir = paths.study_dir(study)
    final = Path(out) if out is not None else paths.PROCESSED_INTERVIEWS
    register = load_participants(study_dir / "participants.csv")
    key = privacy.load_key(key_file(study))
    codebook = load_codebook()
    labels = transcripts.interviewer_labels(register)

    texts, turns, sources, raw = {}, [], [], []
    for pid, name in progress(list(zip(register["participant_id"], register["transcript"])),
                              desc="transcripts"):
        parsed = transcripts.parse_transcript(study_dir / name, source_id=pid,
                                              interviewer=labels.get(pid))
        raw.append((parsed, name))
        text, turn_table = privacy.pseudonymise_turns(parsed.text, parsed.turns, key)
        texts[pid] = text
        turns.append(turn_table)
        sources.append({"source_id": pid, "kind": "interview", "participant_id": pid,
                        "title": f"Interview {pid}", "format": parsed.format,
                        "encoding": parsed.encoding, "sha256": sha256_text(text),
                        "n_chars": len(text), "nfc": parsed.nfc})
    # a label that is no role and not in the key may be a name (Suzanne:): stop
    transcripts.check_speaker_labels(
        pd.concat([t.turns for t, _ in raw], ignore_index=True),
        roles=[*study_roles(study_dir), *(x for v in labels.values() for x in v)],
        key=key, texts={t.source_id: t.text for t, _ in raw},
        files={t.source_id: paths.relative(study_dir / n) for t, n in raw})
    turns = pd.concat(turns, ignore_index=True)
    sources = pd.DataFrame(sources, columns=INTERVIEW_SOURCE_COLUMNS)

    project = coding_file(study_dir)
    report = pd.DataFrame(columns=["level", "item", "what", "detail"])
    segments = pd.DataFrame(columns=coding.SEGMENT_COLUMNS)
    if project is not None:
        imported = read_project(project, codebook=codebook.codes)
        segments, report = _attach_coding(imported, texts, project)
        coding.validate_segments(segments, texts, codebook, where=project,
                                 places=[f"segment {s}" for s in segments["segment_id"]])
    suggestions = coding.dictionary_code(texts, codebook, unit="turn",
                                         turns=turns[turns["role"] == "participant"])

    tmp = _fresh(final.with_name(f".{final.name}.tmp"))
    for pid, text in sorted(texts.items()):
        atomic_write(tmp / "texts" / f"{pid}.txt", text)
    write_table(sources, tmp / "sources.csv")
    write_table(turns, tmp / "turns.csv", transcripts.TURN_COLUMNS)
    # the interviewer label may be a real name: it stays in the raw register
    write_table(register.drop(columns=["transcript", "interviewer_label"]), tmp / "participants.csv")
    write_table(codebook.codes_table(), tmp / "codes.csv")
    write_table(segments, tmp / "segments.csv", coding.SEGMENT_COLUMNS)
    write_table(suggestions, tmp / "dictionary_segments.csv", [*coding.SEGMENT_COLUMNS, "stem"])
    write_table(report, tmp / "import_report.csv")
    _swap_in(tmp, final)
    return final


def _attach_coding(imported, texts: dict[str, str], project: Path):
    """Map an imported project's sources onto the processed texts; refuse any mismatch.

    Coding is done on the pseudonymised transcripts (as ethics approvals usually
    require), so each project source must be named after a participant and hold
    exactly the processed text: otherwise offsets would point at different words.
    """
    import pandas as pd

    by_name = dict(zip(imported.sources["source_id"], imported.sources["name"]))
    segments = imported.segments.copy()
    segments["source_id"] = segments["source_id"].map(by_name)
    for sid, name in sorted(by_name.items()):
        if name not in texts:
            raise DataError(project, f"source {name!r}", "names no participant of the study")
        if imported.texts.get(sid) != texts[name]:
            raise DataError(project, f"source {name!r}", "text differs from the processed "
                            "(pseudonymised) transcript: code the processed texts")
    report = imported.report.copy()
    return segments.reset_index(drop=True), pd.DataFrame(report)


def build_documents(out: os.PathLike | str | None = None) -> Path:
    """Ingest the shipped documents of the manifest and dictionary-code them by sentence.

    Writes ``texts/``, ``sources.csv``, ``segments.csv`` (``coder="dictionary"``) and
    ``coverage.csv`` (share of each document each code covers).
    """
    from . import documents
    from .codebook import load_codebook

    final = Path(out) if out is not None else paths.PROCESSED_DOCUMENTS
    tmp = _fresh(final.with_name(f".{final.name}.tmp"))
    sources = documents.ingest_corpus(paths.DOCUMENTS_CSV, tmp)
    texts = documents.read_texts(tmp)
    segments = documents.code_documents(texts, load_codebook(), unit="sentence")
    write_table(segments, tmp / "segments.csv")
    write_table(documents.coverage(segments, sources), tmp / "coverage.csv")
    _swap_in(tmp, final)
    return final


STAGES = {"interviews": build_interviews, "documents": build_documents}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis build",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--study", default="demo", choices=["demo", "private"],
                        help="which interview study to process (interviews stage)")
    args = parser.parse_args(argv)
    if args.stage == "interviews":
        out = build_interviews(args.study)
    else:
        out = STAGES[args.stage]()
    print(f"built {paths.relative(out)}")
    return 0
