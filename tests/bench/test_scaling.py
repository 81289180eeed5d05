"""Tests for bench/scaling.py: the fits behind ``make bench SCALES=...``.

The benchmark scripts are not a package: tests/conftest.py imports them.
Every expected value is worked by hand from the made-up figures in the test.
"""

import doctest
import math


def _runs(stages):
    """Runs at scales 1, 2, 4 with figures per stage: ``{stage: (seconds, peaks)}``."""
    return [{"scale": s, "stages": {name: {"seconds": secs[i], "peak_with_workers_mb": mb[i]}
                                    for name, (secs, mb) in stages.items()}}
            for i, s in enumerate((1, 2, 4))]


def test_growth_fits_exponents_and_the_scale_that_fills_the_machine(scaling):
    floor = 100.0
    runs = _runs({
        # time 3 s per unit of scale; memory floor + 200 MB per unit
        "straight": ([3, 6, 12], [300, 500, 900]),
        # time and memory above the floor square with the scale
        "squared": ([1, 4, 16], [110, 140, 260]),
        # nothing grows: memory never fills the machine
        "flat": ([5, 5, 5], [150, 150, 150]),
    })
    fits = scaling.growth(runs, floor)
    assert math.isclose(fits["straight"]["time_exponent"], 1.0)
    assert fits["straight"]["time_growth"] == "linear"
    # 24 * 1024 MB = floor + 200 * s  ->  s = (24576 - 100) / 200 = 122.38
    assert math.isclose(fits["straight"]["scale_filling_machine"], 122.38)
    assert math.isclose(fits["squared"]["time_exponent"], 2.0)
    assert fits["squared"]["memory_growth"] == "superlinear"
    # floor + 10 * s**2 = 24576  ->  s = sqrt(24476 / 10) = 49.47...
    assert math.isclose(fits["squared"]["scale_filling_machine"], math.sqrt(2447.6))
    assert fits["flat"]["time_growth"] == "sublinear"
    assert fits["flat"]["scale_filling_machine"] == float("inf")


def test_table_has_a_row_per_stage_and_the_pipeline(scaling):
    runs = _runs({"a": ([1, 2, 4], [200, 300, 500]), "b": ([2, 4, 8], [150, 200, 300])})
    for run in runs:
        run.update(parameters={}, study={})
    results = {"runs": runs, "growth": scaling.growth(runs, 100.0)}
    lines = scaling.table(results).splitlines()
    assert lines[0].startswith("| stage | s @ 1 | s @ 2 | s @ 4 | time growth |")
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| a", "| b", "| **pipeline**"]
    # pipeline seconds: sums per scale (1+2, 2+4, 4+8); peak: the larger stage's
    assert "| **3.0** | **6.0** | **12.0** |" in lines[-1] and "| 500 |" in lines[-1]


def test_doctests(scaling):
    assert doctest.testmod(scaling).failed == 0
