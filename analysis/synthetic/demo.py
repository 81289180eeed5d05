"""Writing the SYNTHETIC demo study: transcripts, register, demo key and README.

:func:`generate_demo` composes every interview, renders each in its layout and writes
them with the register and the demo key; the README is the template
``analysis/resources/synthetic/demo_README.md`` filled with counts taken from the
composed interviews (the designed differences an analysis should find).

Examples
--------
>>> from analysis.synthetic.compose import compose_study
>>> readme_text(DEFAULT_SEED, compose_study()).splitlines()[0]
'# SYNTHETIC demo study (fictional interviews)'
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import paths
from .cast import (DEFAULT_SEED, PLACES, TRUST, TRUST_SHORT, identifier_key, participants_table,
                   transcript_name)
from .coders import CODER_B, SUB_SPAN
from .compose import Interview, compose_study, word_count
from .render import render_text

#: The demo README, a ``str.format`` template.
README_TEMPLATE = paths.RESOURCES / "synthetic" / "demo_README.md"


def readme_text(seed: int, interviews: list[Interview]) -> str:
    """The demo README, with counts taken from the composed interviews."""
    import pandas as pd

    people = [iv.person for iv in interviews]
    tiers = pd.Series([p.tier for p in people]).value_counts()
    words = sum(word_count(p) for iv in interviews for t in iv.turns for p in t.parts)
    layouts = pd.Series([p.layout for p in people]).value_counts().sort_index()
    truth = pd.DataFrame([{**r, "tier": iv.person.tier} for iv in interviews for r in iv.truth])
    long = truth.assign(code=truth["codes"].str.split("|")).explode("code")
    focus = ["th_mediation", "th_reorg_memory", "sst_int_conjspec", "sst_ext_ppr",
             "th_central_local", "th_standards_interop", "sst_out_intended",
             "th_local_ownership", "sst_ag_resist", "th_workforce", "sst_out_unintended"]
    counts = (long[long["code"].isin(focus)]
              .pivot_table(index="code", columns="tier", values="text", aggfunc="count",
                           fill_value=0)
              .reindex(index=focus, columns=["macro", "meso", "micro"], fill_value=0))
    era_focus = ["th_central_local", "th_supplier_contracts", "sst_ext_irresistible",
                 "th_reorg_memory", "th_funding", "th_mediation", "th_data_ig",
                 "th_accountability"]
    eras = ["imt", "ifh", "npfit", "ccg", "stp_ics", "icb"]
    per_era = truth.groupby("era").size()
    by_era = (long[long["code"].isin(era_focus)]
              .pivot_table(index="code", columns="era", values="text", aggfunc="count",
                           fill_value=0)
              .reindex(index=era_focus, columns=eras, fill_value=0)
              .div(per_era.reindex(eras)).mul(100).round())
    return README_TEMPLATE.read_text(encoding="utf-8").format(
        seed=seed, n=len(people), sub_span=SUB_SPAN, **CODER_B,
        tiers=", ".join(f"{int(tiers.get(t, 0))} {t}" for t in ("macro", "meso", "micro")),
        words=f"{words:,}",
        formats=", ".join(f"{n} {layout}" for layout, n in layouts.items()),
        trust=TRUST, trust_short=TRUST_SHORT, places=", ".join(PLACES),
        table=_markdown_counts(counts), era_table=_markdown_counts(by_era))


def _markdown_counts(counts) -> str:
    lines = ["| code | " + " | ".join(counts.columns) + " |",
             "|---" * (len(counts.columns) + 1) + "|"]
    lines += [f"| `{code}` | " + " | ".join(str(int(v)) for v in row) + " |"
              for code, row in counts.iterrows()]
    return "\n".join(lines)


def generate_demo(out_dir: os.PathLike | str | None = None,
                  seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the demo study: transcripts, register, demo key and README.

    Parameters
    ----------
    out_dir : path-like, optional
        Where to write; ``data/raw/interviews/demo/`` by default.
    seed : int
        Seed of the one random generator; the same seed gives the same bytes.

    Returns
    -------
    list of Path
        The files written, sorted.
    """
    from ..io import atomic_write, write_table

    out = Path(out_dir) if out_dir is not None else paths.DEMO_STUDY
    interviews = compose_study(seed)
    # Render everything before writing anything, so a failure leaves no half study.
    files = {transcript_name(iv.person): render_text(iv) for iv in interviews}
    files["README.md"] = readme_text(seed, interviews)
    written = [atomic_write(out / name, data) for name, data in sorted(files.items())]
    written.append(write_table(participants_table(), out / "participants.csv"))
    written.append(write_table(identifier_key(), out / "identifier_key.csv"))
    return sorted(written)
