"""``python -m analysis build``: rebuild ``data/processed/`` from ``data/raw/``.

Stages (the Makefile runs each when its inputs change):

``interviews``
    Parse every transcript named in the study's participants register, pseudonymise
    texts, turns and speakers with the study's identifier key, import the study's
    coding projects (``*.qdpx``, ``*.qde``, QualCoder ``*.qda``; several are united)
    onto those texts, and propose dictionary codings for review. Writes
    ``data/processed/interviews/``.
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
from typing import NamedTuple

from .. import paths
from ..errors import DataError
from ..io import atomic_write, sha256_text, write_table
from ..schema import INTERVIEW_SOURCE_COLUMNS, TURN_COLUMNS


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

    Returns the output folder (``data/processed/interviews/`` by default; for the
    private study ``paths.PROCESSED`` points under ``build/private/``).
    """
    import pandas as pd

    from .. import coding, privacy, transcripts
    from ..codebook import load_codebook
    from ..participants import load_participants
    from ..progress import progress
    from ..study import load_study

    layout = load_study(paths.study_dir(study))
    final = Path(out) if out is not None else paths.PROCESSED_INTERVIEWS
    register = load_participants(layout.register, filled=tuple(layout.case_attributes))
    key = privacy.load_key(layout.key)
    rules = privacy.KeyRules(key)
    _check_display_names(layout, rules)
    sst = load_codebook()
    labels = (transcripts.interviewer_labels(register)
              if "interviewer_label" in register.columns else {})

    texts, originals, edits, turns, sources, raw = {}, {}, {}, [], [], []
    for pid, name in progress(list(zip(register["participant_id"], register["transcript"])),
                              desc="transcripts"):
        parsed = transcripts.parse_transcript(layout.transcripts / name, source_id=pid,
                                              interviewer=labels.get(pid))
        text, turn_table, edits[pid] = privacy.pseudonymise_turns(
            parsed.text, parsed.turns, key, with_edits=True)
        texts[pid], originals[pid] = text, parsed.text
        raw.append((parsed, name))
        turns.append(turn_table)
        sources.append({"source_id": pid, "kind": "interview", "participant_id": pid,
                        "title": f"Interview {pid}", "format": parsed.format,
                        "encoding": parsed.encoding, "sha256": sha256_text(text),
                        "n_chars": len(text), "nfc": parsed.nfc})
    # a label that is no role and not in the key may be a name (Suzanne:): stop
    transcripts.check_speaker_labels(
        pd.concat([t.turns for t, _ in raw], ignore_index=True),
        roles=[*layout.roles, *(x for v in labels.values() for x in v)],
        key=key, texts={t.source_id: t.text for t, _ in raw},
        files={t.source_id: paths.relative(layout.transcripts / n) for t, n in raw})
    turns = pd.concat(turns, ignore_index=True)
    sources = pd.DataFrame(sources, columns=INTERVIEW_SOURCE_COLUMNS)

    report = pd.DataFrame(columns=["level", "item", "what", "detail"])
    segments = pd.DataFrame(columns=coding.SEGMENT_COLUMNS)
    codebook = sst
    # source names are compared pseudonymised: the projects are, before matching
    stems = dict(zip(register["participant_id"],
                     (rules.text(Path(t).stem) for t in register["transcript"])))
    excluded = {rules.text(n).casefold(): n for n in layout.exclude_sources}
    variables = {c: rules.text(v) for c, v in layout.case_attributes.items()}
    used: set = set()
    values = pd.DataFrame(columns=["participant_id", "column", "value", "case", "variable",
                                   "project"])
    rounds, history = [], []  # (round, segments, codebook, imported); earlier rounds' report
    for rnd in layout.rounds:
        if not rnd.projects:
            continue
        last = rnd is layout.rounds[-1]
        done = _code_round(rnd, layout if last else _history_layout(layout, rnd), sst, rules,
                           texts, originals, edits, stems, excluded, used, variables, last)
        rounds.append((rnd, done.segments, done.codebook, done.imported))
        if last:
            segments, codebook, values = done.segments, done.codebook, done.case_values
            report = pd.concat([done.report, _unused(layout, excluded, used, done.imported)],
                               ignore_index=True)
        else:  # an earlier round's rows say which round they are about
            history.append(done.report.assign(detail=f"[{rnd.name}] " + done.report["detail"]))
    if layout.case_attributes:
        from ..participants import fill_register

        register, filled = fill_register(register, layout.register, values, same=rules.text)
        report = pd.concat([report, pd.DataFrame(filled, columns=report.columns)],
                           ignore_index=True)
    audit_tables = _audit_tables(layout, rounds, [layout.transcripts / t
                                                  for t in register["transcript"]], rules)
    report = pd.concat([report, *history, audit_tables.pop("report")], ignore_index=True)
    # file names of projects and codebooks too: every line of the report through the key
    report = report.map(lambda v: rules.text(v) if isinstance(v, str) else v)
    suggestions = coding.dictionary_code(texts, sst, unit="turn",
                                         turns=turns[turns["role"] == "participant"])

    tmp = _fresh(final.with_name(f".{final.name}.tmp"))
    for pid, text in sorted(texts.items()):
        atomic_write(tmp / "texts" / f"{pid}.txt", text)
    write_table(sources, tmp / "sources.csv")
    write_table(turns, tmp / "turns.csv", TURN_COLUMNS)
    # the interviewer label may be a real name: it stays in the raw register
    write_table(_processed_register(register), tmp / "participants.csv")
    write_table(codebook.codes_table(), tmp / "codes.csv")
    write_table(segments, tmp / "segments.csv", coding.SEGMENT_COLUMNS)
    write_table(suggestions, tmp / "dictionary_segments.csv", [*coding.SEGMENT_COLUMNS, "stem"])
    write_table(report, tmp / "import_report.csv")
    for name, table in audit_tables.items():
        write_table(table, tmp / name)
    _swap_in(tmp, final)
    return final


def _check_display_names(layout, rules) -> None:
    """A display name of ``coder_names`` that is a key entry would itself be an identifier."""
    for user, shown in layout.coder_names.items():
        if rules.matches(shown):
            raise DataError(layout.folder / "study.yml", layout.lines.get(("coder_names", user)),
                            "coder_names: this display name is itself an entry of the "
                            "identifier key; choose one that names nobody (e.g. coder_a)")


def _through_key(imported, layout, rules, project):
    """A project as read, with its coders under their display names and everything it
    brings through the identifier key (:func:`analysis.privacy.pseudonymise_project`)."""
    import dataclasses

    import pandas as pd

    from .. import privacy

    coder = imported.segments["coder"]
    shown = {c: layout.display_coder(c) for c in coder.unique()}
    imported = dataclasses.replace(imported, segments=imported.segments.assign(
        coder=coder.map(shown)))
    if "author" in imported.memos.columns:  # memos by a coder: under the same name
        author = imported.memos["author"].fillna("").astype(str)
        imported = dataclasses.replace(imported, memos=imported.memos.assign(
            author=author.map(layout.display_coder)))
    imported, rows = privacy.pseudonymise_project(imported, rules, item=project.name)
    imported.report = pd.concat([imported.report,
                                 pd.DataFrame(rows, columns=imported.report.columns)],
                                ignore_index=True)
    return imported


def _unused(layout, excluded, used, imported):
    """Report rows for ``study.yml`` entries that matched nothing (by line, never by name)."""
    import pandas as pd

    study_yml = paths.relative(layout.folder / "study.yml")
    rows = [("warning", study_yml, "exclude_sources entry matches no project source",
             f"line {layout.lines.get(('exclude_sources', raw), '?')}")
            for norm, raw in excluded.items() if norm not in used]
    present = set(imported.segments["coder"])
    rows += [("warning", study_yml, "coder_names entry matches no coder",
              f"line {layout.lines.get(('coder_names', user), '?')}")
             for user, shown in layout.coder_names.items() if shown not in present]
    return pd.DataFrame(rows, columns=["level", "item", "what", "detail"])


def _processed_register(register):
    """The register as the notebooks read it: every known column, empty where not recorded.

    ``transcript`` (a file name) and ``interviewer_label`` (perhaps a real name) stay in
    the raw register; columns the researcher added are kept after the known ones.
    """
    from ..participants import PARTICIPANT_COLUMNS

    out = register.copy()
    for col in PARTICIPANT_COLUMNS:
        if col not in out.columns:
            out[col] = ""
    known = [c for c in PARTICIPANT_COLUMNS if c not in ("transcript", "interviewer_label")]
    extra = [c for c in out.columns if c not in PARTICIPANT_COLUMNS]
    return out.loc[:, known + extra]


def _history_layout(layout, rnd):
    """The study as an earlier round saw it: that round's projects and ``.qdc`` codebooks,
    and no ``code_map.csv`` or ``codebook.yml`` (they describe the analysis round)."""
    import dataclasses

    return dataclasses.replace(layout, projects=rnd.projects, codebooks=rnd.codebooks,
                               code_map=None)


class _Round(NamedTuple):
    """One round of coding as the build made it (see :func:`_code_round`)."""

    segments: object
    codebook: object
    report: object
    imported: object
    case_values: object


def _code_round(rnd, layout, sst, rules, texts, originals, edits, stems, excluded, used,
                variables, last=True) -> _Round:
    """One round of coding: its projects read, passed through the identifier key, carried
    onto the processed texts and united, with its codebook and the values its cases give
    the register's columns (``variables``: column -> case variable). An earlier round's
    report leaves out how the codebook was found and the unmapped share (``code_map.csv``
    describes the analysis round)."""
    import dataclasses

    import pandas as pd

    from .. import coding
    from ..refi import case_values, read_coding_project
    from ..study import study_codebook

    attached, values = [], []
    for project in rnd.projects:
        imported = _through_key(read_coding_project(project, codebook=sst.codes),
                                layout, rules, project)
        matched: dict = {}
        seg, rep, owners = _attach_coding(imported, texts, project, originals=originals,
                                          edits=edits, stems=stems, excluded=excluded,
                                          used=used, matched=matched)
        imported = dataclasses.replace(imported, memos=_attach_memos(
            imported.memos, matched, edits))
        attached.append((project, imported, seg, rep))
        values.append(case_values(imported.cases, owners, variables)
                      .assign(project=paths.relative(project)))
    imported, segments, report, origin = _unite_projects(attached)
    codebook, book_report = study_codebook(imported, layout, sst, origin=origin, rules=rules)
    if last:
        report = pd.concat([report, book_report], ignore_index=True)
    coding.validate_segments(segments, texts, codebook, where=rnd.projects[0],
                             places=[f"segment {s}" for s in segments["segment_id"]])
    return _Round(segments, codebook, report, imported, pd.concat(values, ignore_index=True))


def _attach_memos(memos, matched: dict, edits: dict):
    """A project's memos (:data:`analysis.refi.qde.MEMO_COLUMNS`) in the study's terms
    (:data:`analysis.memos.MEMO_COLUMNS`): participant ids for source ids, and a memo on a
    passage carried onto the pseudonymised text as its selection was (``matched``:
    source id -> (participant id, whether the project coded the original text))."""
    import pandas as pd

    from ..memos import MEMO_COLUMNS, TARGET_KINDS
    from ..privacy import remap_offsets

    where = [matched.get(s, (s, False)) if s else ("", False) for s in memos["source_id"]]
    start, end = list(memos["start"]), list(memos["end"])
    for k, (pid, original) in enumerate(where):
        if original and pid in edits and str(start[k]) != "":
            start[k] = int(remap_offsets(edits[pid], [int(start[k])], side="start")[0])
            end[k] = int(remap_offsets(edits[pid], [int(end[k])], side="end")[0])
    out = pd.DataFrame({
        "memo_id": memos["memo_id"].astype(str),
        "target_kind": [TARGET_KINDS.get(k, str(k).lower()) for k in memos["target_kind"]],
        "code_id": memos["code_id"].fillna("").astype(str),
        "source_id": [pid for pid, _ in where], "start": start, "end": end,
        "author": memos["author"].fillna("").astype(str),
        "date": memos["date"].fillna("").astype(str),
        "title": memos["title"].fillna("").astype(str),
        "text": memos["text"].fillna("").astype(str)})
    # what the memo is about: a code id, a participant id, a passage (a case is named in
    # cases.csv, not here)
    out["target_id"] = [code if kind == "code" else f"{sid}:{a}-{b}"
                        if kind in ("selection", "coding") else sid if kind == "source"
                        else "" for kind, code, sid, a, b in zip(
                            out["target_kind"], out["code_id"], out["source_id"],
                            out["start"], out["end"])]
    return out[MEMO_COLUMNS]


def _audit_tables(layout, rounds, transcripts, rules) -> dict:
    """The audit trail's tables (:mod:`analysis.audit`) by file name under the processed
    folder, and ``report``: import report rows naming each round and every file read."""
    import pandas as pd

    from .. import audit, coding
    from ..memos import MEMO_COLUMNS
    from ..schema import REPORT_COLUMNS
    from ..study import study_inputs

    seg_parts, code_parts, memo_parts, rows = [], [], [], []
    for rnd, segments, codebook, imported in rounds:
        seg_parts.append(segments.assign(round=rnd.name))
        guid = dict(zip(imported.codes["code_id"], imported.codes["guid"]))
        codes = codebook.codes
        code_parts.append(pd.DataFrame({
            "round": rnd.name, "code_id": codes["code_id"],
            "guid": codes["code_id"].map(guid).fillna(""), "label": codes["label"],
            "parent_id": codes["parent_id"].fillna(""),
            "definition": codes["definition"].fillna("")}))
        memo_parts.append(imported.memos.assign(round=rnd.name))
    names = [r.name for r, *_ in rounds]
    segments = (pd.concat(seg_parts, ignore_index=True) if seg_parts
                else pd.DataFrame(columns=["round", *coding.SEGMENT_COLUMNS]))
    codes = (pd.concat(code_parts, ignore_index=True) if code_parts
             else pd.DataFrame(columns=["round", "code_id", "guid", "label", "parent_id",
                                        "definition"]))
    memos = (pd.concat(memo_parts, ignore_index=True) if memo_parts
             else pd.DataFrame(columns=["round", *MEMO_COLUMNS]))
    changes, codes = audit.change_log(codes, segments, names)
    table = audit.round_table([r for r, *_ in rounds], segments, codes, layout.folder)
    inputs = study_inputs(layout, transcripts)
    # file names may hold names: through the key like every other text of the study
    inputs["file"] = [rules.text(f) for f in inputs["file"]]
    for col in ("projects", "folder"):
        table[col] = [rules.text(p) for p in table[col]]
    for r in table.itertuples(index=False):
        rows.append(("info", r.round, "coding round",
                     f"{'the analysis' if r.analysis == 'yes' else 'history'}: "
                     f"{r.n_codings} coding(s) by {r.coders.replace('|', ', ') or 'nobody'}; "
                     f"project(s) {r.projects.replace('|', ', ')}"))
    for f in inputs.itertuples(index=False):
        if f.round:
            rows.append(("info", f.file, "coding file read", f"round {f.round}: {f.role}"))
        elif f.role.startswith("not read"):
            rows.append(("info", f.file, "coding file not read",
                         "a hidden file (its name starts with a dot)"))
    last = names[-1] if names else ""
    history = segments["round"] != last
    mine = memos["round"] == last
    return {"memos.csv": memos.loc[mine, MEMO_COLUMNS],
            "audit/rounds.csv": table,
            "audit/codes_by_round.csv": codes,
            "audit/codebook_changes.csv": changes,
            "audit/segments_history.csv": segments.loc[history,
                                                       ["round", *coding.SEGMENT_COLUMNS]],
            "audit/memos_history.csv": memos.loc[~mine, ["round", *MEMO_COLUMNS]],
            "audit/inputs.csv": inputs,
            "report": pd.DataFrame(rows, columns=REPORT_COLUMNS)}


def _attach_coding(imported, texts: dict[str, str], project: Path, originals=None,
                   edits=None, stems=None, excluded=None, used=None,
                   matched: dict | None = None):
    """Map an imported project's sources onto the processed texts.

    A source is the participant whose id is its REFI ``name``, whose transcript file
    stem is the stem of its name or ``plainTextPath``, or whose text it holds. Its text
    must be the processed (pseudonymised) transcript, or the original transcript: then
    every selection is carried onto the pseudonymised text through the key's
    replacements (:func:`analysis.privacy.remap_spans`; a selection that starts or ends
    inside a replaced identifier covers the whole replacement). Anything else would
    put offsets on other words, and is refused.

    A source of no participant (a withdrawn participant's stub) is skipped when it has
    no codings; with codings it stops the build, unless its name or stem is in
    ``excluded`` (``study.yml`` ``exclude_sources``, casefolded, as pseudonymised as the
    names): then its codings are dropped and counted. ``used`` collects the entries of
    ``excluded`` that matched. ``matched``, when given, is filled with source id ->
    (participant id, whether the source holds the original transcript). Returns
    segments, report and ``{source id: participant}``.
    """
    import pandas as pd

    from ..privacy import remap_spans

    originals, edits, stems = originals or {}, edits or {}, stems or {}
    excluded = excluded or {}
    used = used if used is not None else set()
    owners = {}
    by_stem = {stem.casefold(): pid for pid, stem in stems.items()}
    by_text = {text: pid for pid, text in texts.items()}
    by_original = {text: pid for pid, text in originals.items()}
    rows = []
    pieces = []
    for src in imported.sources.itertuples(index=False):
        sid, name = src.source_id, src.name
        text = imported.texts.get(sid)
        if text is None and not (imported.segments["source_id"] == sid).any():
            continue  # a picture or recording: the import report lists its codings
        place = f"source {name!r}"
        candidates = [name, Path(str(name)).stem,
                      Path(str(src.path_in_archive or "")).stem]
        n_codings = int((imported.segments["source_id"] == sid).sum())
        out = next((c.casefold() for c in candidates if c and c.casefold() in excluded), None)
        if out is not None:
            used.add(out)
            rows.append(("info", f"source {name}", "excluded by study.yml exclude_sources",
                         f"{n_codings} coding(s) dropped"))
            continue
        pid = next((c for c in candidates if c in texts), None)
        pid = pid or next((by_stem[c.casefold()] for c in candidates if c
                           and c.casefold() in by_stem), None)
        how = ("name" if pid == name else "file stem") if pid else None
        if pid is None and text is not None:
            pid = by_text.get(text) or by_original.get(text)
            how = "text content"
        if pid is None and not n_codings:
            rows.append(("info", f"source {name}", "not in the register, no codings: skipped",
                         ""))
            continue
        if pid is None:
            raise DataError(project, place, f"names no participant of the study (by REFI "
                            f"name, plainTextPath or file stem), holds none of its texts, and "
                            f"has {n_codings} coding(s): add it to participants.csv, or list "
                            "it under exclude_sources in study.yml to drop its codings")
        owners[sid] = pid
        seg = imported.segments[imported.segments["source_id"] == sid].copy()
        seg["source_id"] = pid
        if matched is not None:
            matched[sid] = (pid, text != texts[pid] and pid in originals
                            and text == originals[pid])
        if how == "text content" or name != pid:
            rows.append(("info", name, "source matched to participant", f"{pid} by {how}"))
        if text == texts[pid]:
            pieces.append(seg)
            continue
        if pid in originals and text == originals[pid]:
            seg, unplaced = _drop_unplaceable(seg, edits[pid])
            rows += [("warning", f"{pid}-{str(sid_).rsplit('-', 1)[-1]}",
                      "selection could not be placed",
                      f"characters {a}-{b} of the original {pid} lie wholly inside one "
                      "replaced identifier: none of the chosen words remain in the "
                      "pseudonymised text, so it is left out")
                     for sid_, a, b in unplaced]
            moved = remap_spans(seg, edits[pid], texts[pid])
            n_moved = int(((moved["start"] != seg["start"]) | (moved["end"] != seg["end"])).sum())
            cut = [any(a < pos < b for a, b, _, _ in edits[pid])
                   for pos in (*seg["start"], *seg["end"])]
            widened = int(sum(x or y for x, y in zip(cut[:len(seg)], cut[len(seg):])))
            rows.append(("info", pid, "coded on the original transcript",
                         f"{len(seg) + len(unplaced)} selection(s) carried onto the "
                         f"pseudonymised text: {n_moved} moved, {len(seg) - n_moved} "
                         f"unchanged, {widened} widened to a whole replacement, "
                         f"{len(unplaced)} could not be placed"))
            pieces.append(moved)
            continue
        raise DataError(project, place, "text differs from both the original and the "
                        "processed (pseudonymised) transcript: code either of them")
    # the importer's order and ids, its source ids replaced by participant ids
    segments = (pd.concat(pieces).sort_index() if pieces
                else imported.segments.iloc[0:0].copy())
    number = segments["segment_id"].str.rsplit("-", n=1).str[-1]
    segments["segment_id"] = segments["source_id"] + "-" + number
    report = pd.concat([imported.report, pd.DataFrame(rows, columns=imported.report.columns)],
                       ignore_index=True) if rows else imported.report.copy()
    return segments.reset_index(drop=True), pd.DataFrame(report), owners


def _drop_unplaceable(seg, edits):
    """Split off the selections that lie wholly inside one replaced identifier.

    Such a selection chose only identifying words (``Smith`` of ``Alice Smith``): none of
    them is left in the pseudonymised text, so it has no place there. Returns the rest
    and ``(segment_id, start, end)`` of each one left out.
    """
    import numpy as np

    if not len(edits) or seg.empty:
        return seg, []
    old_start, old_end = np.asarray(edits, dtype=np.int64)[:, :2].T
    start, end = seg["start"].to_numpy(np.int64), seg["end"].to_numpy(np.int64)
    at = np.searchsorted(old_start, start, side="right") - 1
    safe = np.maximum(at, 0)
    inside = (at >= 0) & (start >= old_start[safe]) & (end <= old_end[safe])
    out = seg[inside]
    return seg[~inside], list(zip(out["segment_id"], out["start"], out["end"]))


def _unite_projects(attached):
    """One coding from several projects: ``(project, imported, segments, report)`` each.

    Codes are one code when their names match (case aside); two projects defining one
    code differently is an error naming both files. A segment found in more than one
    project (same transcript, code, coder, start and end) is kept once, from the first
    project by file name. Segments are numbered per transcript in order of position.
    Returns the united project (codes and segments), segments, report and each code's
    project (code id -> path).
    """
    import dataclasses

    import pandas as pd

    from ..study import unique_id

    if len(attached) == 1:
        project, imported, segments, report = attached[0]
        return (dataclasses.replace(imported, segments=segments), segments, report,
                {c: project for c in imported.codes["code_id"]})
    codes, origin, by_name, reports, pieces, memos = [], {}, {}, [], [], []
    for project, imported, segments, report in attached:
        own = {}
        for row in imported.codes.itertuples(index=False):
            key = " ".join(str(row.name).split()).casefold()
            if key in by_name:
                first = by_name[key]
                mine = " ".join(str(row.description).split())
                theirs = " ".join(str(codes[first[1]]["description"]).split())
                if mine and theirs and mine != theirs:
                    raise DataError(project, None, f"code {row.name!r} is defined "
                                    f"differently here and in {first[0].name}: one "
                                    "codebook per study, so give it one definition")
                if mine and not theirs:
                    codes[first[1]]["description"] = row.description
                own[row.code_id] = codes[first[1]]["code_id"]
                continue
            cid = unique_id(row.code_id, set(origin))
            own[row.code_id] = cid
            origin[cid] = project
            by_name[key] = (project, len(codes))
            codes.append({**row._asdict(), "code_id": cid})
        for code in codes:
            if origin[code["code_id"]] == project:
                code["parent_id"] = own.get(code["parent_id"], code["parent_id"])
        pieces.append(segments.assign(code_id=segments["code_id"].map(own)))
        memos.append(imported.memos.assign(code_id=imported.memos["code_id"].map(
            lambda c: own.get(c, c))))
        reports.append(pd.DataFrame([("info", project.name, "coding project",
                                      f"{len(segments)} segment(s) on "
                                      f"{segments['source_id'].nunique()} transcript(s)")],
                                    columns=report.columns))
        reports.append(report)
    segments = pd.concat(pieces, ignore_index=True)
    key = ["source_id", "code_id", "coder", "start", "end"]
    repeated = segments.duplicated(key)
    segments = (segments[~repeated]
                .sort_values(["source_id", "start", "end", "code_id", "coder"], kind="stable")
                .reset_index(drop=True))
    number = segments.groupby("source_id", sort=False).cumcount() + 1
    segments["segment_id"] = segments["source_id"] + "-" + number.astype(str).str.zfill(4)
    reports.append(pd.DataFrame([(
        "info", "coding", "coding projects united",
        f"{len(attached)} projects, {len(segments)} segment(s); {int(repeated.sum())} "
        "segment(s) also in an earlier project (same transcript, code, coder and span) "
        "kept once; codes of the same name are one code")], columns=reports[0].columns))
    first = attached[0][1]
    united = dataclasses.replace(first, codes=pd.DataFrame(codes, columns=first.codes.columns),
                                 segments=segments, memos=pd.concat(memos, ignore_index=True))
    return united, segments, pd.concat(reports, ignore_index=True), origin


def build_documents(out: os.PathLike | str | None = None) -> Path:
    """Ingest the shipped documents of the manifest and dictionary-code them by sentence.

    Writes ``texts/``, ``sources.csv``, ``segments.csv`` (``coder="dictionary"``) and
    ``coverage.csv`` (share of each document each code covers).
    """
    from .. import documents

    final = Path(out) if out is not None else paths.PROCESSED_DOCUMENTS
    tmp = _fresh(final.with_name(f".{final.name}.tmp"))
    documents.ingest_corpus(paths.DOCUMENTS_CSV, tmp)
    documents.code_corpus(tmp)
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
