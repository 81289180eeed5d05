"""Fixtures of the tests of analysis.synthetic: one generated demo study for the package."""

from pathlib import Path

import pytest

from analysis.participants import load_participants
from analysis.synthetic import coders, demo as demo_study
from analysis.transcripts import interviewer_labels, parse_transcript


@pytest.fixture(scope="package")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    demo_study.generate_demo(out)
    coders.code_demo(out)
    return out


@pytest.fixture(scope="package")
def coded(demo):
    return coders.demo_segments(demo)


@pytest.fixture(scope="package")
def parsed(demo):
    register = load_participants(demo / "participants.csv")
    labels = interviewer_labels(register)
    return {pid: parse_transcript(demo / name, source_id=pid, interviewer=labels[pid])
            for pid, name in zip(register["participant_id"], register["transcript"])}
