"""Benchmark: import a REFI-QDA project with 100,000 coded selections.

Builds, in a temporary folder, an NVivo-style ``.qdpx`` (UTF-8 BOM, CRLF line ends,
emoji, offsets in UTF-16 units with CRLF counted twice) of 100 interviews with 1,000
coded selections each, then times :func:`analysis.refi.import_project` (reading,
offset-unit detection and writing every table). The target is under 10 seconds.

Run: ``python bench/bench_refi.py [--selections N] [--sources K]``; ``bench/run.py`` calls
:func:`measure`.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import zipfile
from pathlib import Path

from analysis import refi

WORDS = ("the trust board agreed national programme local choice funding CCG SHA ICB "
         "supplier contract records interoperability clinicians \U0001F600 managers").split()


def guid(kind: int, n: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


def build(path: Path, n_selections: int, n_sources: int, seed: int = 1) -> None:
    """Write the benchmark project to ``path``."""
    rng = random.Random(seed)
    per_source = n_selections // n_sources
    codes = "".join(f'<Code guid="{guid(1, c)}" name="Code {c}" isCodable="true"/>'
                    for c in range(20))
    users = "".join(f'<User guid="{guid(2, u)}" name="coder{u}"/>' for u in range(3))
    files, sources, sel_id = {}, [], 0
    for s in range(n_sources):
        # Sentences of random words, CRLF between them; word starts in UTF-16 units.
        units, text, word_spans = 0, [], []
        while len(word_spans) < per_source * 2:
            for _ in range(12):
                w = rng.choice(WORDS)
                word_spans.append((units, units + len(w.encode("utf-16-le")) // 2))
                text.append(w + " ")
                units = word_spans[-1][1] + 1
            text.append(".\r\n")
            units += 3
        selections = []
        for _ in range(per_source):
            a = rng.randrange(len(word_spans) - 5)
            start, end = word_spans[a][0], word_spans[a + rng.randrange(1, 5)][1]
            selections.append(
                f'<PlainTextSelection guid="{guid(3, sel_id)}" startPosition="{start}" '
                f'endPosition="{end}" creatingUser="{guid(2, sel_id % 3)}"><Coding '
                f'guid="{guid(4, sel_id)}" creatingUser="{guid(2, sel_id % 3)}"><CodeRef '
                f'targetGUID="{guid(1, rng.randrange(20))}"/></Coding></PlainTextSelection>')
            sel_id += 1
        g = guid(5, s)
        sources.append(f'<TextSource guid="{g}" name="Interview {s:03d}" '
                       f'plainTextPath="internal://{g}.txt">{"".join(selections)}</TextSource>')
        files[f"Sources/{g}.txt"] = b"\xef\xbb\xbf" + "".join(text).encode("utf-8")
    files["project.qde"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="bench"><Users>{users}</Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
        f'<Sources>{"".join(sources)}</Sources></Project>').encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def measure(n_selections: int = 100_000, n_sources: int = 100, folder=None) -> dict:
    """Build the project in ``folder`` (a temporary one by default) and time its import.

    Returns the figures: ``segments``, ``sources``, ``archive_mb``, ``offset_units``,
    ``read_seconds``, ``write_seconds``, ``total_seconds`` (wall) and ``cpu_seconds``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(folder) if folder is not None else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        path = base / "bench.qdpx"
        build(path, n_selections, n_sources)
        size = path.stat().st_size
        t0, c0 = time.perf_counter(), time.process_time()
        project = refi.read_project(path, codebook=None)
        t1 = time.perf_counter()
        refi.write_import(project, base / "out")
        t2, c2 = time.perf_counter(), time.process_time()
    return {"segments": len(project.segments), "sources": len(project.texts),
            "archive_mb": size / 1e6,
            "offset_units": sorted(set(project.sources["offset_unit"])),
            "read_seconds": t1 - t0, "write_seconds": t2 - t1, "total_seconds": t2 - t0,
            "cpu_seconds": c2 - c0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selections", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=100)
    args = parser.parse_args()
    f = measure(args.selections, args.sources)
    print(f"{f['segments']:,} segments from {f['sources']} sources "
          f"({f['archive_mb']:.1f} MB archive); offset units {f['offset_units']}")
    print(f"read {f['read_seconds']:.2f} s, write {f['write_seconds']:.2f} s, total "
          f"{f['total_seconds']:.2f} s wall-clock, {f['cpu_seconds']:.2f} s CPU (target < 10 s)")


if __name__ == "__main__":
    main()
