"""Tests of the repository's licences and citation: LICENSE, LICENSE-text, CITATION.cff.

`CITATION.cff` is validated against the Citation File Format 1.2.0 JSON Schema, vendored
with its source and licence in `tests/fixtures/cff/` (`PROVENANCE.md`), with `jsonschema`
(Draft 7 and its format checks), which is what `cffconvert --validate` does; cffconvert
itself cannot join the lock (it pins `jsonschema<4`). Expected values come from the
README's "Licences" section (MIT for code, CC BY 4.0 for text and figures) and from the
licence texts themselves.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml

from analysis import paths

jsonschema = pytest.importorskip("jsonschema")

CFF_SCHEMA = paths.ROOT / "tests" / "fixtures" / "cff" / "schema-1.2.0.json"


def cff_errors(data: dict) -> list[str]:
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [error.message for error in validator.iter_errors(data)]


def citation() -> dict:
    return yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_vendored_schema_is_the_one_its_provenance_names():
    # The SHA-256 recorded in PROVENANCE.md, of cffconvert 2.0.0's schemas/1.2.0/schema.json.
    provenance = (CFF_SCHEMA.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(CFF_SCHEMA.read_bytes()).hexdigest()
    assert digest in provenance
    assert json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))["$id"] == \
        "https://citation-file-format.github.io/1.2.0/schema.json"


def test_citation_cff_is_valid_cff_1_2_0():
    data = citation()
    assert cff_errors(data) == []
    assert data["cff-version"] == "1.2.0" and data["type"] == "software"
    assert data["license"] == "MIT"  # the code's licence, as the README says
    assert data["authors"]


@pytest.mark.parametrize("change, expected", [
    ({"license": "Not-a-licence"}, "is not valid under any of the given schemas"),
    ({"authors": []}, "should be non-empty"),
    ({"cff-version": "1.2"}, "does not match"),
    ({"title": None}, "is not of type"),
])
def test_the_schema_check_rejects_broken_citations(change, expected):
    # Each change breaks a rule of CFF 1.2.0 (an SPDX licence id, at least one author, a
    # semantic version, a title string): the check must say so.
    data = {**citation(), **change}
    errors = cff_errors(data)
    assert errors and any(expected in e for e in errors), errors


def test_licence_files_match_the_readme():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    licences = readme.split("## Licences", 1)[1]
    assert "[`LICENSE`](LICENSE)" in licences and "[`LICENSE-text`](LICENSE-text)" in licences
    assert "MIT" in licences and "CC BY 4.0" in licences
    code = (paths.ROOT / "LICENSE").read_text(encoding="utf-8")
    assert code.startswith("MIT License\n") and "Permission is hereby granted" in code
    text = (paths.ROOT / "LICENSE-text").read_text(encoding="utf-8")
    assert text.startswith("Creative Commons Attribution 4.0 International\n")
    assert "Creative Commons Attribution 4.0 International Public License" in text
    assert "ShareAlike" not in text and "NonCommercial" not in text
