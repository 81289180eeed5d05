"""Pseudonymisation, an identifier scanner, and the leak check over everything committed."""

from .leaks import (FINDING_COLUMNS, KEY_COLUMNS, KEY_KINDS, SCAN_COLUMNS, checked_trees,  # noqa: F401
                    default_allowlist_files, default_key_files, leak_check, load_allowlist,
                    load_key, load_keys, load_vocabulary, main, nhs_number_is_valid,
                    normalise_for_matching, pseudonymise, pseudonymise_turns, remap_offsets,
                    remap_spans, scan)
