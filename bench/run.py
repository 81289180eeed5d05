"""The scale benchmark (``make bench``): the whole pipeline on a large SYNTHETIC study.

Generates, outside the repository, a study of 300 interviews of about 8,000 words with
two coders' segments and 200 documents of about 25,000 words
(``generate_large_study`` of ``bench/large_study.py``), runs every pipeline stage on it and
prints one table (stage, wall seconds, peak memory), then the baselines named in the
issues: NLTK's ``Text.concordance_list`` for keyword in context, all-pairs
co-occurrence, and the import of a REFI-QDA project of 100,000 coded selections.

Every stage runs in a fresh interpreter (``python bench/run.py --stage NAME --work DIR``)
so that its peak memory (``ru_maxrss``) is its own; stages hand their outputs to the next
through files in the work folder, as ``make all`` does. A stage's time is split into
``load`` (reading what earlier stages wrote) and ``wall`` (its own work, including
writing its outputs); the pipeline total counts both. Interpreter start-up and imports
are not counted.

Usage::

    python bench/run.py                    # full run; writes bench/results.json
    python bench/run.py --scale 0.05       # quick run (15 interviews, 10 documents)
    python bench/run.py --keep /tmp/study  # keep the work folder
    python bench/run.py --private-only     # only the researcher's loop (private_rebuild.py)

After the large study it times the researcher's loop on a real-size private study in a
repository copy (``bench/private_rebuild.py``: a cold ``make all STUDY=private``, a
rebuild after a re-export with 5 % of codings changed, a no-op), recorded under
``private_rebuild``.

Targets (2-core machine, issue 16): whole pipeline <= 40 s, peak memory <= 800 MB;
character-unit agreement <= 1.5 s, leak check <= 6 s, anchoring <= 5 s; keyword in context
>= 20x faster than NLTK for repeated queries; and from issue 7, REFI import of 100,000
selections, framework matrix and co-occurrence <= 10, 2 and 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the sibling bench_*.py scripts

#: The study of the issue, at --scale 1.
FULL = {"n_interviews": 300, "words": 8000, "n_segments": 60_000, "n_documents": 200,
        "doc_words": 25000, "refi_selections": 100_000, "refi_sources": 100}
SEED = 2006
N_TERMS = 50
CODERS = ("coder_a", "coder_b")
#: Issue 22's targets for the pipeline, the peak counting workers, the leak check and KWIC;
#: issue 16's for anchoring and agreement, issue 7's for the REFI import and the matrices.
TARGETS = {"pipeline_seconds": 40.0, "peak_mb": 1000.0, "refi_100k_seconds": 10.0,
           "framework_matrix_seconds": 2.0, "cooccurrence_seconds": 2.0,
           "character_agreement_seconds": 1.5, "leak_check_seconds": 5.0,
           "anchoring_seconds": 5.0, "kwic_speedup_repeated": 40.0}
PACKAGES = ("pandas", "numpy", "nltk", "lxml", "defusedxml", "python-docx", "pypdf",
            "scikit-learn", "krippendorff", "tqdm")

#: (stage, part of the pipeline?) in the order they run.
STAGES = (
    ("generate", True), ("transcripts", True), ("pseudonymise", True),
    ("refi_export", True), ("refi_import", True), ("code_interviews", True),
    ("ingest_documents", True), ("code_documents", True), ("index_kwic", True),
    ("matrices", True), ("reliability", True), ("anchoring", True), ("leak_check", True),
    ("baseline_kwic_nltk", False), ("baseline_cooccurrence", False),
    ("baseline_refi_100k", False),
)


# ------------------------------------------------------------------ inside one stage

class Stage:
    """What a stage function gets: the work folder, the parameters, and timers."""

    def __init__(self, work: Path):
        self.work = work
        self.params = json.loads((work / "params.json").read_text())
        self.rows: list[dict] = []
        self.load_seconds = 0.0
        self.info: dict = {}

    @contextlib.contextmanager
    def time(self, label: str, **info):
        """Time a step of the stage; it becomes one row of the table."""
        start = time.perf_counter()
        yield
        self.rows.append({"step": label, "seconds": time.perf_counter() - start, **info})

    @contextlib.contextmanager
    def load(self):
        """Time the reading of earlier stages' outputs (counted apart from the work)."""
        start = time.perf_counter()
        yield
        self.load_seconds += time.perf_counter() - start

    # shared loaders ------------------------------------------------------------
    def texts(self, kind: str) -> dict[str, str]:
        from analysis.coding import load_texts

        return load_texts(self.work / "processed" / kind / "texts")

    def table(self, *parts: str, ints=("start", "end")):
        from analysis.io import read_table

        df = read_table(self.work.joinpath(*parts))
        return df.astype({c: "int64" for c in ints if c in df.columns})

    def codebook(self):
        from analysis.codebook import load_codebook

        return load_codebook()


def _words(texts) -> int:
    return sum(len(t.split()) for t in texts)


def stage_generate(st: Stage) -> None:
    from large_study import generate_large_study

    p = st.params
    with st.time("generate the large study"):
        generate_large_study(st.work / "study", p["n_interviews"], p["words"],
                             p["n_documents"], p["doc_words"], SEED,
                             n_segments=p["n_segments"])
        write_key(st.work / "private" / "identifier_key.csv")


def write_key(path: Path) -> None:
    """A key of 300 entries: the study's own placeholders (which occur: the study is
    already pseudonymous, so they stand in for real names) and fictional names that
    do not occur (a real key's size is what makes matching slow)."""
    from analysis.io import write_table
    import pandas as pd

    rows = [("[Trust A]", "[Organisation T]", "organisation")]
    rows += [(f"[Place {i}]", f"[Locality {i}]", "place") for i in range(1, 10)]
    rows += [(f"[Person {i}]", f"[Colleague {i}]", "person") for i in range(1, 100)]
    first = ("Alys Bronwen Cedric Dilys Ewan Fenella Gareth Hester Ifor Jocasta Kester "
             "Lavinia Magnus Nerys Osric Perpetua Quentin Rosamund Tegwen Ulric").split()
    last = "Ashcombe Blenkinsop Carrow Dunmore Eskdale Fairbairn Gilchrist Hartigan " \
           "Inchbold Jessop".split()
    names = [f"{f} {s}" for s in last for f in first][:300 - len(rows)]
    rows += [(n, f"[Person N{i:03d}]", "person") for i, n in enumerate(names, 1)]
    write_table(pd.DataFrame(rows, columns=["original", "replacement", "kind"]), path)


def stage_transcripts(st: Stage) -> None:
    from analysis.io import write_table
    from analysis.progress import progress
    from analysis.schema import INTERVIEW_SOURCE_COLUMNS
    from analysis.transcripts import parse_transcript, sources_table, write_parsed

    files = sorted((st.work / "study" / "interviews" / "texts").glob("*.txt"))
    with st.time("parse transcripts"):
        parsed = [parse_transcript(f, interviewer="Interviewer")
                  for f in progress(files, len(files), "parse")]
        write_parsed(parsed, st.work / "parsed")
        write_table(sources_table(parsed), st.work / "parsed" / "sources.csv",
                    INTERVIEW_SOURCE_COLUMNS)
    words = _words(t.text for t in parsed)
    st.rows[-1].update(items=f"{len(parsed)} transcripts, {words:,} words",
                       words_per_second=words / st.rows[-1]["seconds"])


def stage_pseudonymise(st: Stage) -> None:
    import pandas as pd

    from analysis.coding import load_texts
    from analysis.io import atomic_write, sha256_text, write_table
    from analysis.privacy import load_key, pseudonymise, remap_spans
    from analysis.schema import INTERVIEW_SOURCE_COLUMNS, TURN_COLUMNS

    with st.load():
        texts = load_texts(st.work / "parsed" / "texts")
        turns = st.table("parsed", "turns.csv", ints=("turn", "start", "end"))
        segments = st.table("study", "interviews", "segments.csv")
        sources = st.table("parsed", "sources.csv", ints=())
    out = st.work / "processed" / "interviews"
    with st.time("pseudonymise texts, turns, segments"):
        key = load_key(st.work / "private" / "identifier_key.csv")
        new_texts, new_turns, new_segments, n_edits = {}, [], [], 0
        turns_of = dict(tuple(turns.groupby("source_id", sort=False)))
        segments_of = dict(tuple(segments.groupby("source_id", sort=False)))
        for sid, text in texts.items():
            new = pseudonymise(text, key)
            n_edits += len(new.edits)
            new_texts[sid] = new.text
            tt = remap_spans(turns_of[sid], new.edits, new.text)
            speakers = {s: pseudonymise(s, key).text for s in tt["speaker"].unique()}
            tt["speaker"] = tt["speaker"].map(speakers)
            new_turns.append(tt)
            if sid in segments_of:
                new_segments.append(remap_spans(segments_of[sid], new.edits, new.text))
        for sid, text in sorted(new_texts.items()):
            atomic_write(out / "texts" / f"{sid}.txt", text)
        write_table(pd.concat(new_turns, ignore_index=True), out / "turns.csv", TURN_COLUMNS)
        write_table(pd.concat(new_segments, ignore_index=True), out / "segments.csv")
        sources = sources.assign(
            sha256=[sha256_text(new_texts[s]) for s in sources["source_id"]],
            n_chars=[len(new_texts[s]) for s in sources["source_id"]])
        write_table(sources, out / "sources.csv", INTERVIEW_SOURCE_COLUMNS)
        shutil.copyfile(st.work / "study" / "interviews" / "participants.csv",
                        out / "participants.csv")
    st.rows[-1]["items"] = (f"key of {len(key)} entries, {n_edits:,} replacements, "
                            f"{len(segments):,} segments remapped")


def _interviews(st: Stage):
    """Processed interview tables: texts, sources, participants, turns, segments."""
    from analysis.io import read_table

    base = st.work / "processed" / "interviews"
    with st.load():
        texts = st.texts("interviews")
        sources = read_table(base / "sources.csv")
        participants = read_table(base / "participants.csv")
        turns = st.table("processed", "interviews", "turns.csv", ints=("turn", "start", "end"))
        segments = st.table("processed", "interviews", "segments.csv")
    return texts, sources, participants, turns, segments


def stage_refi_export(st: Stage) -> None:
    from analysis.refi import export_project

    texts, sources, participants, _, segments = _interviews(st)
    with st.load():
        codes = st.codebook().codes_table()
    cases = participants.drop(columns=["interviewer_label", "transcript", "synthetic"],
                              errors="ignore")
    with st.time("REFI-QDA export (.qdpx)"):
        path = export_project(st.work / "refi" / "study.qdpx", codes=codes, sources=sources,
                              texts=texts, segments=segments, participants=cases,
                              project_name="SYNTHETIC large benchmark")
    st.rows[-1]["items"] = (f"{len(segments):,} selections, "
                            f"{path.stat().st_size / 1e6:.0f} MB archive")


def stage_refi_import(st: Stage) -> None:
    from analysis.refi import import_project

    with st.load():
        codes = st.codebook().codes_table()
    with st.time("REFI-QDA import (.qdpx)"):
        project = import_project(st.work / "refi" / "study.qdpx", st.work / "refi" / "import",
                                 codebook=codes)
    n = len(project.segments)
    st.rows[-1].update(items=f"{n:,} selections", selections=n)


def stage_code_interviews(st: Stage) -> None:
    from analysis.coding import dictionary_code
    from analysis.io import write_table

    texts, _, _, turns, _ = _interviews(st)
    with st.load():
        codebook = st.codebook()
    with st.time("dictionary coding of interviews (unit turn)"):
        found = dictionary_code(texts, codebook, unit="turn", turns=turns)
        write_table(found, st.work / "processed" / "interviews" / "dictionary_segments.csv")
    st.rows[-1]["items"] = f"{len(turns):,} turns -> {len(found):,} candidates"


def stage_ingest_documents(st: Stage) -> None:
    from analysis.documents import ingest_document
    from analysis.io import atomic_write, write_table
    from analysis.progress import progress

    files = sorted((st.work / "study" / "documents" / "texts").glob("*.txt"))
    with st.load():
        sources = st.table("study", "documents", "sources.csv", ints=())
    out = st.work / "processed" / "documents"
    with st.time("ingest documents (txt -> normalised text)"):
        texts, hashes = {}, {}
        for f in progress(files, len(files), "ingest"):
            texts[f.stem], hashes[f.stem] = ingest_document(f)
        for doc_id, text in sorted(texts.items()):
            atomic_write(out / "texts" / f"{doc_id}.txt", text)
        sources = sources.assign(sha256=sources["source_id"].map(hashes),
                                 n_chars=sources["source_id"].map(lambda s: len(texts[s])))
        write_table(sources, out / "sources.csv")
    words = _words(texts.values())
    st.rows[-1].update(items=f"{len(texts)} documents, {words:,} words",
                       words_per_second=words / st.rows[-1]["seconds"])


def stage_code_documents(st: Stage) -> None:
    from analysis.documents import code_documents
    from analysis.io import write_table

    with st.load():
        texts = st.texts("documents")
        codebook = st.codebook()
    with st.time("dictionary coding of documents (unit sentence)"):
        found = code_documents(texts, codebook, unit="sentence")
        write_table(found, st.work / "processed" / "documents" / "segments.csv")
    st.rows[-1]["items"] = f"{len(found):,} candidates"


def stage_index_kwic(st: Stage) -> None:
    from analysis.text import build_index, keyword_in_context
    from bench_text import best_of, query_terms

    with st.load():
        texts = st.texts("documents")
        meta = st.table("processed", "documents", "sources.csv", ints=()).set_index(
            "source_id")[["era"]]
    with st.time("tokenise and index documents"):
        index = build_index(texts, metadata=meta)
    st.rows[-1].update(items=f"{len(index):,} tokens",
                       words_per_second=len(index) / st.rows[-1]["seconds"])
    terms = query_terms(index, N_TERMS)
    (st.work / "kwic_terms.json").write_text(json.dumps(terms))
    with st.time(f"KWIC {len(terms)} terms, first pass"):
        hits = keyword_in_context(index, terms, width=40)
    st.rows[-1].update(items=f"{len(hits):,} hits", hits=len(hits))
    st.info["kwic_repeated_seconds"] = best_of(3, keyword_in_context, index, terms, width=40)
    st.info["kwic_hits"] = len(hits)


def stage_matrices(st: Stage) -> None:
    from analysis.matrices import cooccurrence, framework_matrix, sst_matrix

    texts, sources, participants, turns, segments = _interviews(st)
    with st.load():
        codes = st.codebook().codes_table()
    n = f"{len(segments):,} segments"
    with st.time("framework_matrix (themes, participant turns)", items=n):
        framework_matrix(segments, participants, sources, texts, codes=codes, turns=turns)
    with st.time("sst_matrix (components x tier)", items=n):
        sst_matrix(segments, participants, sources, codes)
    with st.time("cooccurrence (overlap)", items=n):
        cooccurrence(segments)


def stage_reliability(st: Stage) -> None:
    from analysis.reliability import agreement

    texts, _, _, _, segments = _interviews(st)
    for unit in ("character", "segment"):
        with st.time(f"agreement, {unit} unit"):
            table = agreement(segments, texts, coders=CODERS, unit=unit)
        overall = table.iloc[-1]
        st.rows[-1]["items"] = (f"{int(overall['n_units']):,} units, "
                                f"alpha {overall['alpha']:.3f}")


def stage_anchoring(st: Stage) -> None:
    from analysis.anchoring import anchor_segments
    from analysis.timeline import load_eras

    texts, _, _, _, segments = _interviews(st)
    with st.load():
        eras = load_eras()
    with st.time("anchor segments to eras"):
        anchors = anchor_segments(segments, texts, eras)
    st.rows[-1]["items"] = f"{len(anchors):,} references"


def stage_leak_check(st: Stage) -> None:
    from analysis.privacy import leak_check, load_keys

    with st.time("privacy leak check of the processed output"):
        found = leak_check([st.work / "processed"],
                           keys=load_keys([st.work / "private" / "identifier_key.csv"]),
                           allowlist=[])
    files = sum(1 for p in (st.work / "processed").rglob("*") if p.is_file())
    st.rows[-1]["items"] = f"{files} files, {len(found)} findings"
    st.info["leak_findings"] = len(found)


def stage_baseline_kwic_nltk(st: Stage) -> None:
    from analysis.text import tokenize
    from bench_text import nltk_concordance

    with st.load():
        texts = st.texts("documents")
        terms = json.loads((st.work / "kwic_terms.json").read_text())
        tokens = [tok for doc_id in sorted(texts) for tok, _, _ in tokenize(texts[doc_id])]
    figures = nltk_concordance(tokens, terms)
    st.rows.append({"step": "NLTK Text() + concordance_list, first pass",
                    "seconds": figures["text_seconds"] + figures["first_seconds"],
                    "items": f"{figures['hits']:,} hits"})
    st.info.update(nltk_repeated_seconds=figures["repeated_seconds"],
                   nltk_first_seconds=figures["first_seconds"],
                   nltk_text_seconds=figures["text_seconds"], nltk_hits=figures["hits"])


def stage_baseline_cooccurrence(st: Stage) -> None:
    from analysis.matrices import cooccurrence
    from bench_matrices import all_pairs_numpy, best_of, self_merge_pandas

    _, _, _, _, segments = _interviews(st)
    sweep_s, sweep = best_of(lambda: cooccurrence(segments))
    ours = {(a, b): int(n) for a, b, n in sweep[["code_a", "code_b", "n"]].itertuples(
        index=False) if n}
    st.info["sweep_seconds"] = sweep_s
    for label, key, baseline in (
            ("all-pairs co-occurrence (NumPy n x n per text)", "all_pairs", all_pairs_numpy),
            ("co-occurrence by pandas self-merge on source", "self_merge", self_merge_pandas)):
        with st.time(label):
            pairs = baseline(segments)
        st.info[f"{key}_counts_agree"] = ours == pairs
        st.rows[-1]["items"] = "same pair counts" if ours == pairs else "COUNTS DIFFER"


def stage_baseline_refi_100k(st: Stage) -> None:
    from bench_refi import measure

    p = st.params
    figures = measure(p["refi_selections"], p["refi_sources"], st.work / "refi_100k")
    st.rows.append({"step": f"REFI import of {p['refi_selections']:,} selections "
                            "(read + write)", "seconds": figures["total_seconds"],
                    "items": f"{figures['segments']:,} segments, "
                             f"{figures['archive_mb']:.1f} MB archive"})
    st.info.update(figures)


def run_stage(name: str, work: Path) -> int:
    """Run one stage in this process and write its figures to ``work/figures``."""
    os.environ.setdefault("ANALYSIS_PROGRESS", "0")
    st = Stage(work)
    globals()[f"stage_{name}"](st)
    figures = {"stage": name, "rows": st.rows, "load_seconds": st.load_seconds,
               "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               # the largest worker process the stage ran (0 when it ran none)
               "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
               "info": st.info}
    out = work / "figures" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1))
    return 0


# ------------------------------------------------------------------ the orchestrator

def parameters(scale: float) -> dict:
    p = {k: max(1, round(v * scale)) if k.startswith(("n_", "refi_")) else v
         for k, v in FULL.items()}
    p["refi_sources"] = min(p["refi_sources"], p["refi_selections"])
    return {"scale": scale, "seed": SEED, "kwic_terms": N_TERMS, **p}


def machine() -> dict:
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GB"
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count(),
            "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(), "memory": mem, "python": platform.python_version()}


def versions() -> dict:
    out = {}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out["compendium_commit"] = subprocess.run(
            ["git", "-C", str(HERE.parent), "rev-parse", "HEAD"], capture_output=True,
            text=True, check=True).stdout.strip()
    return out


def run_stages(scale: float, work: Path, stages=STAGES) -> tuple[dict, list[dict]]:
    """Run ``stages`` at ``scale`` in ``work``, each in its own process; their figures."""
    from analysis.progress import progress

    params = parameters(scale)
    work.mkdir(parents=True, exist_ok=True)
    (work / "params.json").write_text(json.dumps(params))
    env = {**os.environ, "ANALYSIS_PROGRESS": "0"}
    out = []
    for name, in_pipeline in progress(stages, len(stages), f"bench stages, scale {scale:g}"):
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--stage", name,
                               "--work", str(work)], env=env)
        if done.returncode:
            raise SystemExit(f"error: stage {name} failed (exit {done.returncode})")
        figures = json.loads((work / "figures" / f"{name}.json").read_text())
        figures["pipeline"] = in_pipeline
        figures["seconds"] = sum(r["seconds"] for r in figures["rows"])
        out.append(figures)
    return params, out


def orchestrate(scale: float, work: Path) -> dict:
    load_before = os.getloadavg()
    params, stages = run_stages(scale, work)
    return summarise(params, stages, load_before, os.getloadavg())


def _stage_peak(stage: dict) -> float:
    """A stage's peak memory: its own process, plus, when it ran worker processes, one
    largest worker per core. An upper bound: forked workers share the parent's pages."""
    return stage["peak_mb"] + (os.cpu_count() or 1) * stage.get("worker_peak_mb", 0.0)


def summarise(params: dict, stages: list[dict], load_before, load_after) -> dict:
    by = {s["stage"]: s for s in stages}
    pipeline = [s for s in stages if s["pipeline"]]
    total = sum(s["seconds"] + s["load_seconds"] for s in pipeline)
    peak = max(_stage_peak(s) for s in pipeline)

    def step(stage: str, prefix: str) -> float:
        return next(r["seconds"] for r in by[stage]["rows"] if r["step"].startswith(prefix))

    kwic, nltk = by["index_kwic"]["info"], by["baseline_kwic_nltk"]["info"]
    first_ours = step("index_kwic", "tokenise") + step("index_kwic", "KWIC")
    first_nltk = nltk["nltk_text_seconds"] + nltk["nltk_first_seconds"]
    cooc = by["baseline_cooccurrence"]["info"]
    sweep_s = cooc["sweep_seconds"]
    all_pairs_s = step("baseline_cooccurrence", "all-pairs")
    self_merge_s = step("baseline_cooccurrence", "co-occurrence by pandas self-merge")
    refi = by["baseline_refi_100k"]["info"]
    baselines = {
        "kwic": {"terms": params["kwic_terms"], "hits_ours": kwic["kwic_hits"],
                 "hits_nltk": nltk["nltk_hits"],
                 "ours_repeated_seconds": kwic["kwic_repeated_seconds"],
                 "nltk_repeated_seconds": nltk["nltk_repeated_seconds"],
                 "speedup_repeated": nltk["nltk_repeated_seconds"]
                 / kwic["kwic_repeated_seconds"],
                 "ours_first_seconds_with_index": first_ours,
                 "nltk_first_seconds_with_text": first_nltk,
                 "speedup_first_pass": first_nltk / first_ours},
        "cooccurrence": {"sweep_seconds": sweep_s,
                         "all_pairs_numpy_seconds": all_pairs_s,
                         "speedup": all_pairs_s / sweep_s,
                         "counts_agree": cooc["all_pairs_counts_agree"],
                         "self_merge_pandas_seconds": self_merge_s,
                         "speedup_vs_self_merge": self_merge_s / sweep_s,
                         "self_merge_counts_agree": cooc["self_merge_counts_agree"]},
        "refi_import": refi,
    }
    figures = {
        "pipeline_seconds": total, "peak_mb": peak,
        "refi_100k_seconds": refi["total_seconds"],
        "framework_matrix_seconds": step("matrices", "framework_matrix"),
        "cooccurrence_seconds": step("matrices", "cooccurrence"),
        "character_agreement_seconds": step("reliability", "agreement, character"),
        "leak_check_seconds": step("leak_check", "privacy leak check"),
        "anchoring_seconds": step("anchoring", "anchor segments"),
        "kwic_speedup_repeated": baselines["kwic"]["speedup_repeated"],
    }
    met = {k: (figures[k] >= v if k.startswith("kwic") else figures[k] <= v)
           for k, v in TARGETS.items()}
    rows = [{"stage": s["stage"], "step": r["step"], "pipeline": s["pipeline"],
             "seconds": round(r["seconds"], 3), "peak_mb": round(s["peak_mb"], 1),
             **{k: v for k, v in r.items() if k not in ("step", "seconds")}}
            for s in stages for r in s["rows"]]
    return {
        "note": "make bench: the pipeline on a SYNTHETIC large study (bench/run.py)",
        "machine": {**machine(), "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after]},
        "versions": versions(), "parameters": params,
        "study": study_counts(by),
        "stages": [{"stage": s["stage"], "pipeline": s["pipeline"],
                    "wall_seconds": round(s["seconds"], 3),
                    "load_seconds": round(s["load_seconds"], 3),
                    "peak_mb": round(s["peak_mb"], 1),
                    "worker_peak_mb": round(s.get("worker_peak_mb", 0.0), 1),
                    "peak_with_workers_mb": round(_stage_peak(s), 1)} for s in stages],
        "steps": rows, "baselines": _rounded(baselines),
        "totals": _rounded(figures), "targets": TARGETS, "targets_met": met,
    }


def study_counts(by: dict) -> dict:
    info = {}
    for s in by.values():
        for r in s["rows"]:
            if "items" in r:
                info[r["step"]] = r["items"]
    return info


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def report(results: dict) -> str:
    """The table: stage step, wall s, load s (once per stage), peak MB (with the stage's
    workers, :func:`_stage_peak`), what it did."""
    lines = [f"{'stage':<48} {'wall s':>8} {'load s':>7} {'peak MB':>8}  what"]
    load = {s["stage"]: s["load_seconds"] for s in results["stages"]}
    peak = {s["stage"]: s.get("peak_with_workers_mb", s["peak_mb"]) for s in results["stages"]}
    t = results["totals"]
    seen: set[str] = set()
    for r in results["steps"]:
        if not r["pipeline"] and "(baselines)" not in seen:
            seen.add("(baselines)")
            lines.append(f"{'= whole pipeline (wall + load; peak = max)':<48} "
                         f"{t['pipeline_seconds']:8.2f} {'':>7} {t['peak_mb']:8.0f}")
            lines.append("baselines (not part of the pipeline):")
        loaded = "" if r["stage"] in seen else f"{load[r['stage']]:.2f}"
        seen.add(r["stage"])
        lines.append(f"{r['step']:<48} {r['seconds']:8.2f} {loaded:>7} "
                     f"{peak[r['stage']]:8.0f}  {r.get('items', '')}")
    return "\n".join(lines)


def ratios(results: dict) -> str:
    """The baselines as ratios, and the targets met or missed."""
    b, t, goal = results["baselines"], results["totals"], results["targets"]
    k, c, r = b["kwic"], b["cooccurrence"], b["refi_import"]
    lines = [
        "",
        f"KWIC {k['terms']} terms, repeated: ours {k['ours_repeated_seconds']:.3f} s, NLTK "
        f"{k['nltk_repeated_seconds']:.3f} s -> x{k['speedup_repeated']:.1f} "
        f"(hits {k['hits_ours']:,} / {k['hits_nltk']:,})",
        f"KWIC first pass incl. index: ours {k['ours_first_seconds_with_index']:.2f} s, NLTK "
        f"Text() + first pass {k['nltk_first_seconds_with_text']:.2f} s -> "
        f"x{k['speedup_first_pass']:.1f}",
        f"co-occurrence: sweep {c['sweep_seconds']:.3f} s, all-pairs (NumPy) "
        f"{c['all_pairs_numpy_seconds']:.2f} s -> x{c['speedup']:.1f}"
        f"{'' if c['counts_agree'] else ' (COUNTS DIFFER)'}",
        f"co-occurrence: sweep {c['sweep_seconds']:.3f} s, pandas self-merge on source "
        f"{c['self_merge_pandas_seconds']:.2f} s -> x{c['speedup_vs_self_merge']:.1f}"
        f"{'' if c['self_merge_counts_agree'] else ' (COUNTS DIFFER)'}",
        f"REFI import of {r['segments']:,} selections: {r['total_seconds']:.2f} s "
        f"(read {r['read_seconds']:.2f} s, write {r['write_seconds']:.2f} s)",
        "",
    ]
    lines += [f"throughput, {r['step']}: {r['words_per_second']:,.0f} words/s"
              for r in results["steps"] if "words_per_second" in r]
    lines += ["", "targets:"]
    for name, met in results["targets_met"].items():
        sign = ">=" if name.startswith("kwic") else "<="
        lines.append(f"  {name:<26} {t[name]:10.2f} {sign} {goal[name]:<8g} "
                     f"{'met' if met else 'MISSED'}")
    return "\n".join(lines)


def before_section(earlier: dict) -> dict:
    """The figures of an earlier run (``--before``), per stage, to set beside this one."""
    return {"compendium_commit": earlier.get("versions", {}).get("compendium_commit", ""),
            "machine": earlier.get("machine", {}),
            "parameters": earlier.get("parameters", {}),
            "stages": {s["stage"]: {k: s[k] for k in ("wall_seconds", "load_seconds",
                                                      "peak_mb")}
                       for s in earlier.get("stages", [])},
            "totals": earlier.get("totals", {})}


def comparison(results: dict) -> str:
    """Before and after, per stage: seconds (wall + load) and peak memory."""
    before = results.get("before", {}).get("stages", {})
    if not before:
        return ""
    lines = ["", f"before ({results['before']['compendium_commit'][:10] or '?'}) and now:",
             f"{'stage':<22} {'before s':>9} {'now s':>8} {'before MB':>10} {'now MB':>8}"]
    for s in results["stages"]:
        b = before.get(s["stage"])
        if b:
            lines.append(f"{s['stage']:<22} {b['wall_seconds'] + b['load_seconds']:9.2f} "
                         f"{s['wall_seconds'] + s['load_seconds']:8.2f} "
                         f"{b['peak_mb']:10.0f} {s['peak_mb']:8.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the issue's study (default 1; 0.05 for a quick run)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default bench/results.json at scale 1, "
                             "else none)")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="work in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--before", type=Path, default=None, metavar="FILE",
                        help="an earlier results file (e.g. bench/results.json of the "
                             "commit before a change), recorded under 'before' and compared; "
                             "without it, the 'before' of the results file written is kept")
    parser.add_argument("--private-only", action="store_true",
                        help="run only the researcher's loop (bench/private_rebuild.py) and "
                             "update its part of the results file")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        return run_stage(args.stage, args.work)
    if not args.scale > 0:
        parser.error("--scale must be positive")
    import private_rebuild

    out = args.out or (HERE / "results.json" if args.scale == 1 else None)
    if args.private_only:
        results = json.loads(out.read_text()) if out is not None and out.exists() else {}
        results["private_rebuild"] = private_rebuild.run(args.scale)
        print(private_rebuild.report(results["private_rebuild"]))
        if out is not None:
            out.write_text(json.dumps(results, indent=1) + "\n")
            print(f"wrote {out}")
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="nhs-it-bench-"))
    try:
        results = orchestrate(args.scale, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    # the researcher's loop on a real-size private study, in a repository copy
    results["private_rebuild"] = private_rebuild.run(args.scale)
    earlier = args.before or (out if out is not None and out.exists() else None)
    if earlier is not None:
        data = json.loads(earlier.read_text())
        results["before"] = before_section(data) if args.before else data.get("before", {})
    else:
        results["before"] = {}
    print(report(results))
    print(ratios(results))
    print(comparison(results))
    print()
    print(private_rebuild.report(results["private_rebuild"]))
    if out is not None:
        out.write_text(json.dumps(results, indent=1) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
