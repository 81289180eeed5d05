"""How cost grows with the study: the pipeline at several scales (``make bench SCALES=...``).

``python bench/scaling.py 0.25 0.5 1 2`` runs the pipeline stages of ``bench/run.py``
(not the baselines) on the large SYNTHETIC study at each scale, each scale in its own work
folder and each stage in its own process, as ``make bench`` does at one scale. It records
every stage's time (wall + load) and peak memory (with its worker processes) per scale,
fits how each grows, and says at which scale one machine of 24 GB would no longer hold the
largest stage. It writes ``bench/scaling.json`` and prints the table of bench/README.md.

The fits, per stage, over the scales run:

* time ``t(s) = a * s**b``: least squares on ``log t`` against ``log s``; ``b`` near 1 is
  linear growth, below 1 a fixed cost that does not grow, above 1 worse than linear;
* memory ``m(s) = floor + k * s**c``, where ``floor`` is what an interpreter with NumPy and
  pandas takes before any work (measured here), fitted the same way on ``m - floor``;
* the scale at which a stage's peak reaches :data:`MACHINE_MB` follows from that fit.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import run

#: One machine of 24 GB, in MB (ru_maxrss is in KiB: these are MiB).
MACHINE_MB = 24 * 1024
#: Exponents within this distance of 1 are called linear.
LINEAR = 0.15


def floor_mb() -> float:
    """Peak memory of an interpreter that has imported NumPy and pandas and done nothing."""
    code = ("import resource, numpy, pandas; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout)


def power_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """``(a, b)`` of ``y = a * x**b`` by least squares on the logarithms (positive y only).

    >>> a, b = power_fit([1, 2, 4], [3, 6, 12])
    >>> round(a, 6), round(b, 6)
    (3.0, 1.0)
    >>> round(power_fit([1, 2, 4], [1, 4, 16])[1], 6)
    2.0
    """
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if y > 0]
    if len(pts) < 2:
        return (pts[0][1] if pts else 0.0), float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
    return math.exp(my - b * mx), b


def kind(exponent: float) -> str:
    """``linear``, ``sublinear`` or ``superlinear`` (:data:`LINEAR` either side of 1).

    >>> kind(1.08), kind(0.4), kind(1.6)
    ('linear', 'sublinear', 'superlinear')
    """
    if math.isnan(exponent):
        return "unknown"
    if abs(exponent - 1) <= LINEAR:
        return "linear"
    return "sublinear" if exponent < 1 else "superlinear"


def growth(runs: list[dict], floor: float) -> dict:
    """Per pipeline stage: its fits, and the scale at which its peak fills the machine."""
    scales = [r["scale"] for r in runs]
    out = {}
    for stage in runs[0]["stages"]:
        seconds = [r["stages"][stage]["seconds"] for r in runs]
        peaks = [r["stages"][stage]["peak_with_workers_mb"] for r in runs]
        a, b = power_fit(scales, seconds)
        k, c = power_fit(scales, [m - floor for m in peaks])
        fills = (((MACHINE_MB - floor) / k) ** (1 / c)
                 if k > 0 and not math.isnan(c) and c > 0 else float("inf"))
        out[stage] = {"seconds": seconds, "peak_with_workers_mb": peaks,
                      "time_a": a, "time_exponent": b, "time_growth": kind(b),
                      "memory_k_mb": k, "memory_exponent": c, "memory_growth": kind(c),
                      "scale_filling_machine": fills}
    return out


def measure(scales: list[float], work_root: Path, keep: bool) -> dict:
    """Run the pipeline at every scale; the figures of ``bench/scaling.json``."""
    pipeline = [(name, True) for name, in_pipeline in run.STAGES if in_pipeline]
    runs = []
    for scale in sorted(scales):
        work = work_root / f"scale-{scale:g}"
        load_before = os.getloadavg()
        try:
            params, stages = run.run_stages(scale, work, pipeline)
        finally:
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
        runs.append({
            "scale": scale, "parameters": params,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "study": run.study_counts({s["stage"]: s for s in stages}),
            "stages": {s["stage"]: {"seconds": round(s["seconds"] + s["load_seconds"], 3),
                                    "peak_mb": round(s["peak_mb"], 1),
                                    "peak_with_workers_mb": round(run._stage_peak(s), 1)}
                       for s in stages},
        })
    floor = floor_mb()
    fits = growth(runs, floor)
    limit_stage = min(fits, key=lambda s: fits[s]["scale_filling_machine"])
    limit = fits[limit_stage]["scale_filling_machine"]
    full = run.FULL
    return {
        "note": "make bench SCALES=...: the pipeline at several scales (bench/scaling.py)",
        "machine": run.machine(), "versions": run.versions(),
        "machine_mb": MACHINE_MB, "floor_mb": round(floor, 1),
        "runs": runs,
        "growth": run._rounded(fits),
        "limit": {"stage": limit_stage, "scale": round(limit, 2),
                  "interviews": round(limit * full["n_interviews"]),
                  "documents": round(limit * full["n_documents"]),
                  "document_words": round(limit * full["n_documents"] * full["doc_words"]),
                  "pipeline_seconds_there": round(sum(
                      f["time_a"] * limit ** f["time_exponent"] for f in fits.values()
                      if not math.isnan(f["time_exponent"])), 1)},
    }


def table(results: dict) -> str:
    """The Markdown table of bench/README.md: time and peak per stage and scale, and fits."""
    scales = [r["scale"] for r in results["runs"]]
    head = (["stage"] + [f"s @ {s:g}" for s in scales] + ["time growth"]
            + [f"MB @ {s:g}" for s in scales] + ["memory growth", "fills 24 GB at scale"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for stage, f in results["growth"].items():
        fills = f["scale_filling_machine"]
        cells = ([stage] + [f"{t:.1f}" for t in f["seconds"]]
                 + [f"{f['time_growth']} (s^{f['time_exponent']:.2f})"]
                 + [f"{m:,.0f}" for m in f["peak_with_workers_mb"]]
                 + [f"{f['memory_growth']} (s^{f['memory_exponent']:.2f})",
                    "never" if fills == float("inf") else
                    f"{fills:,.0f}" if fills < 1e5 else "> 100,000"])
        lines.append("| " + " | ".join(cells) + " |")
    totals = [sum(r["stages"][s]["seconds"] for s in r["stages"]) for r in results["runs"]]
    lines.append("| **pipeline** | " + " | ".join(f"**{t:.1f}**" for t in totals)
                 + " | | " + " | ".join(
                     f"{max(r['stages'][s]['peak_with_workers_mb'] for s in r['stages']):,.0f}"
                     for r in results["runs"]) + " | | |")
    return "\n".join(lines)


def main(scales: list[float], out: Path, keep: Path | None) -> int:
    import tempfile

    work = keep or Path(tempfile.mkdtemp(prefix="nhs-it-scaling-"))
    try:
        results = measure(scales, work, keep is not None)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    lim = results["limit"]
    print(f"\none 24 GB machine stops being enough at scale {lim['scale']:,} "
          f"({lim['interviews']:,} interviews, {lim['documents']:,} documents, "
          f"{lim['document_words']:,} document words): the {lim['stage']} stage")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":  # make bench SCALES="0.25 0.5 1 2"
    sys.exit(main([float(x) for x in sys.argv[1:]], run.HERE / "scaling.json", None))
