"""Benchmark of analysis.matrices on a large synthetic study (a script, not a test).

Builds a deterministic study of 100,000 coded segments and 40 codes in two shapes
with the same total text (16 million characters) and the same density of coding:
*interviews* (400 texts of about 40,000 characters, 250 segments each) and *long
texts* (20 texts of about 800,000 characters, 5,000 segments each). Then it times

* ``framework_matrix`` (with and without participant turns),
* ``cooccurrence`` by overlap, by a 200-character window and by turn,

and compares the sort-and-sweep co-occurrence with three baselines written here: a
pure-Python double loop over every pair of segments of a source, a NumPy version that
compares every pair at once (an n × n matrix per source), and what a pandas user would
write (the segments merged with themselves on the source, then filtered for overlap).
The four must agree exactly. All-pairs work grows with the square of the segments per text, the
sweep with their number (plus the pairs found), hence the two shapes.
Run: ``python bench/bench_matrices.py [--segments N]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analysis import matrices as mx

WORDS = ("the trust system data local national programme record money board "
         "meeting clinical staff supplier contract CCG SHA region digital plan").split()


def synthetic_study(n_segments: int = 100_000, per_source: int = 250, seed: int = 1):
    """A deterministic study: texts, sources, participants, turns, segments (SYNTHETIC)."""
    rng = np.random.default_rng(seed)
    n_sources = max(n_segments // per_source, 1)
    texts, turn_rows = {}, []
    for s in range(n_sources):
        source = f"P{s + 1:04d}"
        words = rng.choice(WORDS, 24 * per_source)  # ~160 characters per segment
        text = " ".join(words)
        texts[source] = text
        # Alternating interviewer / participant turns of about 500 characters.
        cuts = np.arange(0, len(text), 500)
        for t, (a, b) in enumerate(zip(cuts, np.append(cuts[1:], len(text)))):
            turn_rows.append((source, t + 1, "interviewer" if t % 2 == 0 else "participant",
                              int(a), int(b)))
    sources = pd.DataFrame({"source_id": list(texts), "participant_id": list(texts)})
    participants = pd.DataFrame({
        "participant_id": list(texts),
        "tier": rng.choice(["macro", "meso", "micro"], n_sources),
        "position_practice": rng.choice(["pp_sha_it", "pp_csu_it", "pp_trust_cio"], n_sources),
    })
    turns = pd.DataFrame(turn_rows, columns=["source_id", "turn", "role", "start", "end"])
    codes = [f"th_{i:02d}" for i in range(40)]
    source = np.repeat(list(texts), per_source)[:n_segments]
    length = np.array([len(texts[s]) for s in source])
    size = rng.integers(50, 600, source.size)
    start = (rng.random(source.size) * (length - size)).astype(np.int64)
    end = start + size
    segments = pd.DataFrame({
        "segment_id": [f"s{i}" for i in range(source.size)],
        "source_id": source, "code_id": rng.choice(codes, source.size),
        "start": start, "end": end, "coder": "A",
    })
    segments["text"] = [texts[s][a:b] for s, a, b in zip(source, start, end)]
    return texts, sources, participants, turns, segments


def all_pairs_python(segments: pd.DataFrame) -> dict:
    """Baseline 1: test every pair of segments of a source in a Python double loop."""
    counts: dict = {}
    for _, group in segments.groupby("source_id", sort=False):
        rows = list(zip(group["code_id"], group["start"], group["end"]))
        for i in range(len(rows)):
            ci, si, ei = rows[i]
            for j in range(i + 1, len(rows)):
                cj, sj, ej = rows[j]
                if ci != cj and si < ej and sj < ei:
                    key = (ci, cj) if ci < cj else (cj, ci)
                    counts[key] = counts.get(key, 0) + 1
    return counts


def all_pairs_numpy(segments: pd.DataFrame) -> dict:
    """Baseline 2: every pair at once per source, as an n × n boolean matrix."""
    codes = sorted(segments["code_id"].unique())
    k = len(codes)
    total = np.zeros(k * k, dtype=np.int64)
    code = pd.Categorical(segments["code_id"], categories=codes).codes.astype(np.int64)
    for idx in segments.groupby("source_id", sort=False).indices.values():
        s = segments["start"].to_numpy()[idx]
        e = segments["end"].to_numpy()[idx]
        c = code[idx]
        meet = (s[:, None] < e[None, :]) & (s[None, :] < e[:, None])
        meet &= c[:, None] != c[None, :]
        i, j = np.nonzero(np.triu(meet, 1))
        lo, hi = np.minimum(c[i], c[j]), np.maximum(c[i], c[j])
        total += np.bincount(lo * k + hi, minlength=k * k)
    return {(codes[x // k], codes[x % k]): int(v) for x, v in enumerate(total) if v}


def self_merge_pandas(segments: pd.DataFrame) -> dict:
    """Baseline 3, what a pandas user would write: merge the segments with themselves on
    the source, keep the pairs of different codes that overlap, count each pair once."""
    s = segments[["source_id", "code_id", "start", "end"]].reset_index(drop=True)
    s["row"] = np.arange(len(s))
    pairs = s.merge(s, on="source_id", suffixes=("_a", "_b"))
    pairs = pairs[(pairs["row_a"] < pairs["row_b"])
                  & (pairs["code_id_a"] != pairs["code_id_b"])
                  & (pairs["start_a"] < pairs["end_b"]) & (pairs["start_b"] < pairs["end_a"])]
    first = pairs["code_id_a"] < pairs["code_id_b"]
    lo = pairs["code_id_a"].where(first, pairs["code_id_b"])
    hi = pairs["code_id_b"].where(first, pairs["code_id_a"])
    counts = pd.DataFrame({"a": lo, "b": hi}).groupby(["a", "b"]).size()
    return {(a, b): int(n) for (a, b), n in counts.items()}


def best_of(fn, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def run(n_segments: int, per_source: int) -> None:
    t0 = time.perf_counter()
    texts, sources, participants, turns, segments = synthetic_study(n_segments, per_source)
    n_chars = sum(len(t) for t in texts.values())
    print(f"\n{len(segments):,} segments, {len(texts)} texts ({per_source:,} segments each), "
          f"{n_chars:,} characters, {len(turns):,} turns "
          f"(built in {time.perf_counter() - t0:.1f} s)")

    for label, kwargs in (("framework_matrix", {}), ("framework_matrix + turns",
                                                       {"turns": turns})):
        secs, m = best_of(lambda: mx.framework_matrix(segments, participants, sources, texts,
                                                      **kwargs))
        print(f"  {label:<34} {secs:7.3f} s   ({len(m):,} cells)")

    for label, kwargs in (("cooccurrence by overlap", {}),
                          ("cooccurrence by window=200", {"by": "window", "window": 200}),
                          ("cooccurrence by turn", {"by": "turn", "turns": turns})):
        secs, table = best_of(lambda: mx.cooccurrence(segments, **kwargs))
        print(f"  {label:<34} {secs:7.3f} s   ({int(table['n'].sum()):,} co-occurrences)")
        if not kwargs:
            sweep_secs, sweep = secs, table

    sweep_counts = {(a, b): int(n) for a, b, n in
                    sweep[["code_a", "code_b", "n"]].itertuples(index=False) if n}
    numpy_secs, numpy_counts = best_of(lambda: all_pairs_numpy(segments), repeat=1)
    python_secs, python_counts = best_of(lambda: all_pairs_python(segments), repeat=1)
    merge_secs, merge_counts = best_of(lambda: self_merge_pandas(segments), repeat=1)
    assert sweep_counts == numpy_counts == python_counts == merge_counts, \
        "baselines disagree with the sweep"
    print(f"  {'all-pairs baseline (NumPy n x n)':<34} {numpy_secs:7.3f} s   "
          f"sweep is x{numpy_secs / sweep_secs:.1f} faster")
    print(f"  {'all-pairs baseline (Python loop)':<34} {python_secs:7.3f} s   "
          f"sweep is x{python_secs / sweep_secs:.1f} faster")
    print(f"  {'pandas self-merge on source':<34} {merge_secs:7.3f} s   "
          f"sweep is x{merge_secs / sweep_secs:.1f} faster")
    print("  sweep and the three baselines give identical pair counts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    args = parser.parse_args()
    for per_source in (250, 5_000):
        run(args.segments, per_source)


if __name__ == "__main__":
    main()
