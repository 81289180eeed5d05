"""A small processed study unlike the demo, written by hand for tests/test_query.py and
tests/test_thesis.py: a non-SST codebook (codes ``care``, ``care_home``, ``money``; no
``th_``/``sst_`` ids, no SST components), one coder (``rk``), two tiers named
``regional`` and ``local``, Zoom-style timestamps on one transcript and none on the other.

Every expected value in the tests that use it is worked out by hand from the texts below.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# Interview A (timestamped): the care_home passage names a year (2006, the npfit era).
TEXT_A = ("Q: How was it in 2006?\n"
          "Ana: In 2006 the care home money ran out. We paid for agency staff instead.\n")
# Interview B (no timestamps, no year).
TEXT_B = ("Q: And later?\n"
          "Ben: Care was fine; money was never short.\n")


def spans():
    """(source, code, start, end) of the four coded passages, found by position."""
    a_care = TEXT_A.index("In 2006 the care home money ran out")
    b_care = TEXT_B.index("Care was fine")
    b_money = TEXT_B.index("money was never short")
    return [
        ("IA", "care_home", a_care, a_care + len("In 2006 the care home money ran out")),
        ("IA", "money", TEXT_A.index("money ran out"), TEXT_A.index("money ran out") + 13),
        ("IB", "care", b_care, b_care + len("Care was fine")),
        ("IB", "money", b_money, b_money + len("money was never short")),
    ]


def write(folder: Path) -> Path:
    """Write the processed tables and texts into ``folder``; return it."""
    folder = Path(folder)
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    (folder / "texts" / "IA.txt").write_bytes(TEXT_A.encode("utf-8"))
    (folder / "texts" / "IB.txt").write_bytes(TEXT_B.encode("utf-8"))
    pd.DataFrame({"source_id": ["IA", "IB"], "participant_id": ["R1", "R2"]}).to_csv(
        folder / "sources.csv", index=False)
    a1, a2 = TEXT_A.index("Ana:"), TEXT_A.index("\n", TEXT_A.index("Ana:"))
    b1, b2 = TEXT_B.index("Ben:"), len(TEXT_B) - 1
    pd.DataFrame({
        "source_id": ["IA", "IA", "IB", "IB"], "turn": [1, 2, 1, 2],
        "speaker": ["Q", "Ana", "Q", "Ben"],
        "role": ["interviewer", "participant", "interviewer", "participant"],
        "start": [0, a1, 0, b1], "end": [23, a2, 13, b2],
        "timestamp": ["00:00:05", "00:01:40.250", "", ""],
        "text": [TEXT_A[0:23], TEXT_A[a1:a2], TEXT_B[0:13], TEXT_B[b1:b2]],
    }).to_csv(folder / "turns.csv", index=False)
    pd.DataFrame({"participant_id": ["R1", "R2"], "tier": ["regional", "local"],
                  "position_practice": ["manager", "nurse"],
                  "eras": ["npfit", "icb"]}).to_csv(folder / "participants.csv", index=False)
    pd.DataFrame({
        "code_id": ["care", "care_home", "money"], "parent_id": ["", "care", ""],
        "label": ["Care", "Care homes", "Money"], "facet": ["theme"] * 3,
        "codable": ["true"] * 3, "sst_component": ["", "", ""],
        "definition": ["Talk about care.", "Care in care homes.", "Funding."],
        "inclusion": ["Any care.", "Homes.", "Budgets."],
        "exclusion": ["", "", "Pay."],
    }).to_csv(folder / "codes.csv", index=False)
    rows = [(f"s{i}", src, code, a, b, "rk", (TEXT_A if src == "IA" else TEXT_B)[a:b])
            for i, (src, code, a, b) in enumerate(spans(), start=1)]
    pd.DataFrame(rows, columns=["segment_id", "source_id", "code_id", "start", "end",
                                "coder", "text"]).to_csv(folder / "segments.csv", index=False)
    pd.DataFrame(columns=["segment_id", "source_id", "code_id", "start", "end", "coder",
                          "text"]).to_csv(folder / "dictionary_segments.csv", index=False)
    return folder
