"""Shared test settings: a headless backend and the repository's fixed environment."""

import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("TZ", "UTC")
