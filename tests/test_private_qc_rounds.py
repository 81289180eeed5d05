"""Coding rounds on a real export nobody here wrote: qc 1.3.2's REFI-QDA project
(tests/fixtures/qc_1_3_2/, see its PROVENANCE.md) as round 1, and a round 2 derived from
it here the way qc would write the project after a second round of coding:

* ``governance`` renamed ``information governance`` (qc makes GUIDs from names, so the
  renamed code has a new GUID: it can only be found by its codings);
* ``sharing`` moved from under ``records`` to the top;
* ``data quality`` merged into ``records`` (its two codings recoded ``records``);
* codings changed: sam drops ``strategy`` on gpg_context line 10 and adds it on line 30;
* a second coder, kim, codes 8 of the lines (below);
* notes on the code ``strategy`` (naming the JGPITC, a key entry), on the transcript
  gpg_context and on the passage of its line 20.

The study is built in this process (``build interviews --study private``, no notebooks).
Expected values are worked out by hand from the plan below and qc's coding plan
(coding_plan.json), or recomputed independently (agreement: character by character).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import audit, paths, thesis
from analysis.privacy import leak_check, load_key

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "qc_1_3_2"
QC = FIXTURE / "gpg_qc_1_3_2.qdpx"
NS = "urn:QDA-XML:project:1.0"
KEY = {"Informatics Directorate": "[Org A]", "JGPITC": "[Org B]"}
TRANSCRIPTS = {"P01": "gpg_summary.txt", "P02": "gpg_context.txt"}
KIM = "6b696d00-0000-4000-8000-000000000001"
NEW_GOVERNANCE = "696e666f-0000-4000-8000-000000000001"
# kim's coding: (file, qc's selection name (0-based line), code name)
KIM_CODES = [("gpg_summary.txt", "line:4", "governance"), ("gpg_summary.txt", "line:5",
                                                            "governance"),
             ("gpg_context.txt", "line:28", "governance"),
             ("gpg_summary.txt", "line:23", "strategy"), ("gpg_context.txt", "line:5",
                                                          "strategy"),
             ("gpg_context.txt", "line:15", "records"), ("gpg_context.txt", "line:19",
                                                         "records"),
             ("gpg_summary.txt", "line:24", "sharing")]


def q(tag):
    return f"{{{NS}}}{tag}"


def round_two(target: Path) -> Path:
    """qc's project after the second round (module notes), as a .qdpx beside its texts."""
    with zipfile.ZipFile(QC) as z:
        files = {n: z.read(n) for n in z.namelist()}
    ET.register_namespace("", NS)
    root = ET.fromstring(files["project.qde"])
    guid = {c.get("name"): c.get("guid") for c in root.iter(q("Code"))}
    codes = root.find(q("CodeBook")).find(q("Codes"))
    records = next(c for c in codes if c.get("name") == "records")
    for child in list(records):  # data quality goes, sharing moves to the top
        records.remove(child)
        if child.get("name") == "sharing":
            codes.append(child)
    governance = next(c for c in codes if c.get("name") == "governance")
    governance.set("name", "information governance")
    governance.set("guid", NEW_GOVERNANCE)
    strategy = next(c for c in codes if c.get("name") == "strategy")
    ET.SubElement(strategy, q("NoteRef"), targetGUID="00000000-0000-4000-a000-000000000001")
    retarget = {guid["data quality"]: guid["records"], guid["governance"]: NEW_GOVERNANCE}
    for ref in root.iter(q("CodeRef")):
        ref.set("targetGUID", retarget.get(ref.get("targetGUID"), ref.get("targetGUID")))
    sam = root.find(q("Users")).find(q("User")).get("guid")
    ET.SubElement(root.find(q("Users")), q("User"), name="kim", guid=KIM)
    code_guid = {"governance": NEW_GOVERNANCE, "strategy": guid["strategy"],
                 "records": guid["records"], "sharing": guid["sharing"]}
    sources = {s.get("plainTextPath"): s for s in root.iter(q("TextSource"))}

    def selection(file, name):
        return next(s for s in sources[file] if s.get("name") == name)

    def coding(sel, user, code, n):
        c = ET.SubElement(sel, q("Coding"), guid=f"c0d1e600-0000-4000-8000-{n:012d}",
                          creatingUser=user)
        ET.SubElement(c, q("CodeRef"), targetGUID=code_guid[code])

    line10 = selection("gpg_context.txt", "line:9")
    sources["gpg_context.txt"].remove(line10)  # its only coding was sam's strategy
    coding(selection("gpg_context.txt", "line:29"), sam, "strategy", 1)
    for n, (file, name, code) in enumerate(KIM_CODES, start=2):
        coding(selection(file, name), KIM, code, n)
    ET.SubElement(sources["gpg_context.txt"], q("NoteRef"),
                  targetGUID="00000000-0000-4000-a000-000000000002")
    ET.SubElement(selection("gpg_context.txt", "line:19"), q("NoteRef"),
                  targetGUID="00000000-0000-4000-a000-000000000003")
    notes = ET.SubElement(root, q("Notes"))
    for n, text in enumerate(["Ask the JGPITC whether strategy means the 2011 plan.",
                              "Chapter 1 excerpt, read aloud.",
                              "Records here means the GP record."], start=1):
        note = ET.SubElement(notes, q("Note"), guid=f"00000000-0000-4000-a000-{n:012d}",
                             name=f"note {n}", creatingUser=sam,
                             creationDateTime=f"2026-12-0{n + 1}T09:00:00")
        ET.SubElement(note, q("PlainTextContent")).text = text
    files["project.qde"] = ET.tostring(root, encoding="utf-8")
    with zipfile.ZipFile(target, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from analysis.pipeline import build

    root = tmp_path_factory.mktemp("qc-rounds")
    study = root / "study"
    (study / "transcripts").mkdir(parents=True)
    for name in TRANSCRIPTS.values():
        shutil.copy(FIXTURE / name, study / "transcripts" / name)
    (study / "participants.csv").write_text(
        "participant_id,tier,transcript\n"
        + "".join(f"{pid},meso,{name}\n" for pid, name in TRANSCRIPTS.items()))
    (study / "identifier_key.csv").write_text(
        "original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()))
    (study / "coding" / "round-1").mkdir(parents=True)
    (study / "coding" / "round-2").mkdir()
    shutil.copy(QC, study / "coding" / "round-1")  # exactly as qc wrote it
    round_two(study / "coding" / "round-2" / "gpg_round2.qdpx")
    saved = paths.PRIVATE
    paths.PRIVATE = study
    try:
        out = build.build_interviews("private", out=root / "processed" / "interviews")
    finally:
        paths.PRIVATE = saved
    return out, study


def _csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_change_log_finds_the_rename_move_and_merge_with_their_codings(built):
    out, _ = built
    log = _csv(out / "audit" / "codebook_changes.csv")
    got = [(r.change, r.code_from, r.code_to, r.parent_from, r.parent_to, int(r.n_codings))
           for r in log.itertuples(index=False)]
    assert got == [
        # new GUID and name; sam's 4 governance lines are all information governance now;
        # round 2: sam 4 + kim 3
        ("renamed", "governance", "information_governance", "", "", 7),
        # round 2 sharing: sam summary lines 21 and 25, kim line 25
        ("moved", "sharing", "sharing", "records", "", 3),
        # sam's data quality lines (summary 21, context 16) are records' now
        ("merged", "data_quality", "records", "", "", 2),
    ]
    assert "found by the same codings: 4 of 4" in log.loc[0, "detail"]


def test_rounds_and_their_coders(built):
    out, _ = built
    rounds = _csv(out / "audit" / "rounds.csv")
    # qc's stats: 12 codings by sam; round 2: sam 12 (one line dropped, one added), kim 8
    assert rounds[["round", "coders", "n_codings", "analysis"]].values.tolist() == [
        ["round-1", "sam", "12", "no"], ["round-2", "kim|sam", "20", "yes"]]
    # round 1's codings are qc's own plan, carried onto the pseudonymised texts
    history = _csv(out / "audit" / "segments_history.csv")
    plan = json.loads((FIXTURE / "coding_plan.json").read_text())
    assert len(history) == sum(len(v.split(",")) for f in plan.values() for v in f.values())


def _char_kappa(segments, texts, pair):
    """Pooled Cohen's kappa, character by character (one boolean per character, code and
    coder): an implementation independent of analysis.reliability's interval sums."""
    codes = sorted(set(segments["code_id"]))
    cells = np.zeros(4)
    for sid, text in texts.items():
        for code in codes:
            marks = []
            for coder in pair:
                row = np.zeros(len(text), bool)
                for a, b in segments.loc[(segments["source_id"] == sid)
                                         & (segments["code_id"] == code)
                                         & (segments["coder"] == coder), ["start", "end"]
                                         ].astype(int).itertuples(index=False):
                    row[a:b] = True
                marks.append(row)
            a, b = marks
            cells += [(a & b).sum(), (a & ~b).sum(), (~a & b).sum(), (~a & ~b).sum()]
    return _kappa(*cells)


def _kappa(n11, n10, n01, n00):
    n = n11 + n10 + n01 + n00
    po = (n11 + n00) / n
    pe = ((n11 + n10) * (n11 + n01) + (n01 + n00) * (n10 + n00)) / n / n
    return (po - pe) / (1 - pe)


def test_agreement_per_round_equals_an_independent_recomputation(built):
    from analysis.processed import load_interviews

    out, _ = built
    trail = audit.load_audit(out)
    study = load_interviews(out)
    table = audit.agreement_by_round(trail.segments, study.texts, trail.order)
    got = {(r.round, r.unit): r for r in table.itertuples(index=False)}
    assert got[("round-1", "")].coders == "sam"  # one coder: listed, nothing computed
    second = trail.segments[trail.segments["round"] == "round-2"]
    assert got[("round-2", "character")].kappa == pytest.approx(
        _char_kappa(second, study.texts, ("kim", "sam")), abs=1e-6)
    # segment unit, by hand: 10 coded lines (kim's 8 are among sam's 10) x 4 codes;
    # both: 8 (kim's codings); sam only: summary line 21 records + sharing, context
    # line 30 governance + strategy; kim only: none
    assert got[("round-2", "segment")].n_units == 40
    assert got[("round-2", "segment")].kappa == pytest.approx(_kappa(8, 4, 0, 28), abs=1e-6)


def test_notes_reach_the_memo_appendix_pseudonymised(built, tmp_path):
    out, study = built
    memos = _csv(out / "memos.csv").set_index("text")
    assert "Ask the [Org B] whether strategy means the 2011 plan." in memos.index
    note = memos.loc["Records here means the GP record."]
    # on qc's line 20 of gpg_context (P02), carried onto the pseudonymised text like
    # the records coding there
    seg = _csv(out / "segments.csv")
    line20 = seg[(seg["source_id"] == "P02") & (seg["code_id"] == "records")
                 & (seg["coder"] == "sam")]
    assert (note["source_id"], note["start"], note["end"]) in set(
        zip(line20["source_id"], line20["start"], line20["end"]))
    thesis.build_thesis(tmp_path / "thesis", out, None, figures_dir=tmp_path / "none",
                        n_boot=20)
    md = (tmp_path / "thesis" / "memo_appendix.md").read_text(encoding="utf-8")
    headings = [line[3:] for line in md.split("\n") if line.startswith("## ")]
    # records (its passage note) comes before strategy (its code note), as in qc's
    # codebook; the transcript's note is about no code
    assert headings == ["records (records)", "strategy (strategy)",
                        "Memos about no code: the project, transcripts, cases, passages"]
    assert "Ask the [Org B] whether strategy" in md and "JGPITC" not in md
    key = tmp_path / "key.csv"
    key.write_text("original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()))
    # the processed study and the appendix's text files (the Word file's text below:
    # the leak check still flags python-docx's template styles and thumbnail in any .docx)
    findings = leak_check([out, tmp_path / "thesis" / "memo_appendix.md",
                           tmp_path / "thesis" / "memo_appendix.tex"], keys=load_key(key))
    assert findings.empty, findings.to_string()
    import docx

    word = "\n".join(p.text for p in docx.Document(tmp_path / "thesis" /
                                                   "memo_appendix.docx").paragraphs)
    assert "[Org B]" in word and not any(k in word for k in KEY)
