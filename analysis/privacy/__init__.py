"""Pseudonymisation, an identifier scanner, and the leak check over everything committed.

The subpackage, from the bottom up: :mod:`~analysis.privacy.keys` (identifier keys and the
normalised forms entries are matched in), :mod:`~analysis.privacy.pseudonymisation`,
:mod:`~analysis.privacy.projects` (everything a coding project brings, through the key),
:mod:`~analysis.privacy.scanner` (identifier patterns and possible names),
:mod:`~analysis.privacy.leaks` (the leak check over every kind of output file) and
:mod:`~analysis.privacy.cli` (``python -m analysis privacy ...``).

Three tools keep real identifiers out of ``data/processed/``, ``figures/`` and notebook
outputs:

* :func:`pseudonymise` replaces every entry of an identifier key (a CSV kept in
  ``data/raw/private/``: ``original, replacement[, kind]``) and returns the new text
  with an edit map, so that offsets into the old text (turns, coded segments) can be
  moved onto the new one with :func:`remap_offsets` / :func:`remap_spans`.
* :func:`scan` flags what a key may have missed, for the researcher to review:
  e-mail addresses, UK phone numbers, NHS numbers with a valid check digit, postcodes
  and capitalised words that are not NHS or policy vocabulary (noisy by design).
* :func:`leak_check` (``python -m analysis privacy check``) fails when any key entry
  or any e-mail, phone, NHS number or postcode appears in the committed outputs
  (``data/processed/``, ``figures/``, notebook outputs), except strings listed with a
  reason in ``data/raw/privacy_allowlist.csv`` (or a private allowlist beside the real
  key). It names a key entry by its key row, never by the identifier.

Matching rules for key entries (pseudonymisation and leak check alike):

* both sides are normalised first (:func:`normalise_for_matching`): Unicode NFKC (so a
  decomposed ``Zoe`` + combining diaeresis is ``Zoë``), soft hyphens and zero-width
  characters removed;
* whole word: not preceded or followed by a letter or digit. A hyphen, an underscore
  or an apostrophe is a boundary, so ``Leeds-based``, ``P01_Leeds`` (a file name) and
  ``Smith's`` are caught;
* case-insensitive; where an original has a space, hyphen or underscore between words,
  the text may have any run of whitespace (line breaks, no-break spaces), hyphens,
  underscores, CSV cell separators or markup tags between them, or nothing at all:
  ``Harriet Quill`` also matches ``Harriet_Quill``, ``HarrietQuill``, ``Harriet-Quill``,
  ``Harriet</tspan><tspan>Quill`` and ``Harriet,Quill``; a straight apostrophe matches
  a curly one;
* the longest original wins where several match at one place
  (``Leeds Teaching Hospitals`` before ``Leeds``);
* possessives stay grammatical: ``Smith's`` becomes ``[Person A]'s``, and the bare
  apostrophe of ``James' office`` becomes ``'s`` when the replacement does not end in
  ``s`` (an apostrophe counts as possessive when one space and a word follow it).

Examples
--------
>>> new = pseudonymise("Dr Smith's team left Leeds.", {"Smith": "[Person A]",
...                                                      "Leeds": "[Place B]"})
>>> new.text
"Dr [Person A]'s team left [Place B]."
>>> new.edits
[(3, 8, 3, 13), (21, 26, 26, 35)]
"""

from .cli import main
from .keys import (KEY_COLUMNS, KEY_KINDS, default_key_files, load_key, load_keys,
                   normalise_for_matching)
from .leaks import (ALLOWLIST_CSV, FINDING_COLUMNS, Fingerprints, LeakReport, check_context,
                    checked_trees, default_allowlist_files, leak_check, leak_report,
                    load_allowlist, unchanged_since_last_check)
from .projects import KeyRules, pseudonymise_project
from .pseudonymisation import (Pseudonymised, pseudonymise, pseudonymise_turns, remap_offsets,
                               remap_spans)
from .scanner import PATTERN_KINDS, SCAN_COLUMNS, load_vocabulary, nhs_number_is_valid, scan

__all__ = [
    "load_key", "load_keys", "default_key_files", "KEY_KINDS", "KEY_COLUMNS",
    "normalise_for_matching", "Pseudonymised", "pseudonymise", "remap_offsets", "remap_spans",
    "pseudonymise_turns", "KeyRules", "pseudonymise_project",
    "nhs_number_is_valid", "scan", "load_vocabulary", "PATTERN_KINDS",
    "SCAN_COLUMNS", "ALLOWLIST_CSV", "load_allowlist", "default_allowlist_files",
    "checked_trees", "leak_check", "leak_report", "LeakReport", "FINDING_COLUMNS", "main",
    "Fingerprints", "check_context", "unchanged_since_last_check",
]
