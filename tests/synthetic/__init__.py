"""Tests of the analysis.synthetic package, one module each (tests mirror the package)."""
