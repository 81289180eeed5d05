"""A study coded in three rounds, written by the tests (tests/test_audit.py and the one
end-to-end build of it in tests/test_private_audit.py).

Two interviews, P01 and P02, each a list of sentences (:data:`PHRASES`); every coding
covers one whole sentence, so every count below is a count of sentences. The REFI-QDA
projects are written here by hand (XML strings), never by the package's writer.

Round 1 (``coding/round-1/``): two projects, one per coder (ann, bob), one codebook:
Funding (its child Cuts), Staffing, Systems, Central control, Local choice,
Procurement, Training.

Round 2 (``coding/round-2/``): one project, ann only:

* Funding renamed Finance (same GUID);
* Cuts moved from under Funding to the top;
* Systems' definition edited;
* Central control and Local choice merged into a new code, Governance;
* Procurement split into Purchasing and Contracts;
* Training removed (with its coding);
* Winter pressure added; Systems coded on one more sentence (p5).

Round 3 (``coding/round-3/``): one project with both coders; Winter pressure renamed
Seasonal pressure under a NEW GUID (as ATLAS.ti writes on every export), with the same
definition and codings; ann drops Systems on p5 and codes Staffing on q2.

Memos (round 3): a note on the code Staffing, one on the transcript P02 naming
"Harriet Quill" (an entry of the identifier key), one on the passage p1, and a journal.
Round 1 has one memo too (on Training), which goes to the history.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

# P01 and P02: an interviewer's question, then the participant's sentences.
PHRASES = {
    "p1": "The budget was cut twice.",
    "p2": "Staff left the trust.",
    "p3": "We bought a new records system.",
    "p4": "The region told us what to buy.",
    "p5": "The supplier sent the invoice late.",
    "q1": "Money was short every winter.",
    "q2": "Nobody trained the staff.",
    "q3": "The vendor changed the contract.",
    "q4": "Local leaders chose the system.",
    "q5": "We signed a new deal in spring.",
    "q6": "Beds ran out in January.",
}
TRANSCRIPTS = {
    "P01": "Interviewer: Tell me about the money.\n\nP01: " + " ".join(
        PHRASES[k] for k in ("p1", "p2", "p3", "p4", "p5")) + "\n",
    "P02": "Interviewer: And your team?\n\nP02: " + " ".join(
        PHRASES[k] for k in ("q1", "q2", "q3", "q4", "q5", "q6")) + "\n",
}
KEY = {"Harriet Quill": "[Person A]"}

# GUIDs of the codes (the same code keeps its GUID across rounds, except Seasonal pressure)
G = {name: f"00000000-0000-4000-8000-{n:012d}" for n, name in enumerate([
    "funding", "cuts", "staffing", "systems", "central", "local", "procurement", "training",
    "governance", "purchasing", "contracts", "winter", "seasonal"], start=1)}
USERS = {"ann": "00000000-0000-4000-9000-000000000001",
         "bob": "00000000-0000-4000-9000-000000000002"}

DEF = {"funding": "Talk of money and budgets.", "cuts": "Reductions in budget.",
       "staffing": "Staff leaving or short.", "systems": "Records and IT systems.",
       "systems2": "Electronic records and other IT systems.",
       "central": "The centre decides.", "local": "Local bodies decide.",
       "procurement": "Buying systems and signing contracts.", "training": "Staff training.",
       "governance": "Who decides: the centre or local bodies.",
       "purchasing": "Buying systems.", "contracts": "Signing and changing contracts.",
       "winter": "Seasonal strain on services."}

# Each round's codebook: (guid key, name, definition key, children)
BOOK_1 = [("funding", "Funding", "funding", [("cuts", "Cuts", "cuts", [])]),
          ("staffing", "Staffing", "staffing", []), ("systems", "Systems", "systems", []),
          ("central", "Central control", "central", []),
          ("local", "Local choice", "local", []),
          ("procurement", "Procurement", "procurement", []),
          ("training", "Training", "training", [])]
BOOK_2 = [("funding", "Finance", "funding", []), ("cuts", "Cuts", "cuts", []),
          ("staffing", "Staffing", "staffing", []), ("systems", "Systems", "systems2", []),
          ("governance", "Governance", "governance", []),
          ("purchasing", "Purchasing", "purchasing", []),
          ("contracts", "Contracts", "contracts", []),
          ("winter", "Winter pressure", "winter", [])]
BOOK_3 = [*BOOK_2[:-1], ("seasonal", "Seasonal pressure", "winter", [])]

# coder -> guid key -> sentences
CODING_1 = {
    "ann": {"funding": ["p1", "q1"], "cuts": ["p1"], "staffing": ["p2"], "systems": ["p3"],
            "central": ["p4"], "local": ["q4"], "procurement": ["p5", "q3", "q5"],
            "training": ["q2"]},
    "bob": {"funding": ["p1"], "cuts": ["p1"], "staffing": ["p2", "q2"], "systems": ["p3"],
            "central": ["p4"], "local": ["q4"], "procurement": ["p5", "q3"],
            "training": ["q2"]},
}
CODING_2 = {
    "ann": {"funding": ["p1", "q1"], "cuts": ["p1"], "staffing": ["p2"],
            "systems": ["p3", "p5"], "governance": ["p4", "q4"], "purchasing": ["p5"],
            "contracts": ["q3", "q5"], "winter": ["q6"]},
}
CODING_3 = {
    "ann": {"funding": ["p1", "q1"], "cuts": ["p1"], "staffing": ["p2", "q2"],
            "systems": ["p3"], "governance": ["p4", "q4"], "purchasing": ["p5"],
            "contracts": ["q3", "q5"], "seasonal": ["q6"]},
    "bob": {"funding": ["p1", "q1"], "cuts": ["p1"], "staffing": ["p2"], "systems": ["p3"],
            "governance": ["p4"], "purchasing": ["p5"], "contracts": ["q3", "q5"],
            "seasonal": ["q6"]},
}
NOTES_1 = [("n1", "training", "code", "Training may belong under Staffing.", "ann",
            "2025-01-10T09:00:00")]
NOTES_3 = [("n2", "staffing", "code", "Split staffing from workforce planning?", "ann",
            "2025-03-14T10:00:00"),
           ("n3", "P02", "source", "Interview in Harriet Quill's office; noisy room.", "bob",
            "2025-03-15T11:30:00"),
           ("n4", "p1", "selection", "Key quote on the cuts.", "ann", "2025-03-16T12:00:00"),
           ("n5", "", "journal", "Round three agreed with bob.", "ann",
            "2025-03-17T08:00:00")]


def where(phrase: str, texts: dict) -> tuple[str, int, int]:
    """(participant, start, end) of a sentence in the texts."""
    pid = "P01" if phrase.startswith("p") else "P02"
    start = texts[pid].index(PHRASES[phrase])
    return pid, start, start + len(PHRASES[phrase])


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def project_xml(book, coding: dict, texts: dict, notes=()) -> str:
    """A REFI-QDA project document: the codebook, both texts (inline), one selection per
    coded sentence and coder, and the notes with their NoteRefs."""
    note_on = {target: n for n, target, kind, *_ in notes if kind in ("code", "source",
                                                                       "selection")}
    guid_of = {n: f"00000000-0000-4000-a000-{k:012d}" for k, (n, *_) in enumerate(notes, 1)}
    users = "".join(f'<User guid="{g}" name="{u}"/>' for u, g in USERS.items() if u in coding)
    book_xml = _codes_with_notes(book, note_on, guid_of)
    sources = []
    k = 0
    for pid, text in texts.items():
        sels = []
        for coder, codes in coding.items():
            for key, phrases in codes.items():
                for ph in phrases:
                    src, a, b = where(ph, texts)
                    if src != pid:
                        continue
                    k += 1
                    ref = (f'<NoteRef targetGUID="{guid_of[note_on[ph]]}"/>'
                           if ph in note_on and coder == "ann" and key == "cuts" else "")
                    sels.append(f'<PlainTextSelection guid="00000000-0000-4000-b000-{k:012d}" '
                                f'startPosition="{a}" endPosition="{b}" '
                                f'creatingUser="{USERS[coder]}"><Coding '
                                f'guid="00000000-0000-4000-c000-{k:012d}" '
                                f'creatingUser="{USERS[coder]}"><CodeRef targetGUID='
                                f'"{G[key]}"/></Coding>{ref}</PlainTextSelection>')
        ref = f'<NoteRef targetGUID="{guid_of[note_on[pid]]}"/>' if pid in note_on else ""
        sources.append(f'<TextSource guid="00000000-0000-4000-d000-{int(pid[1:]):012d}" '
                       f'name="{pid}"><PlainTextContent>{_esc(text)}</PlainTextContent>'
                       f"{''.join(sels)}{ref}</TextSource>")
    notes_xml = "".join(
        f'<Note guid="{guid_of[n]}" name="{kind} note" creatingUser="{USERS[who]}" '
        f'creationDateTime="{when}"><PlainTextContent>{_esc(text)}</PlainTextContent></Note>'
        for n, _, kind, text, who, when in notes)
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="audit study">'
            f"<Users>{users}</Users><CodeBook><Codes>{book_xml}</Codes></CodeBook>"
            f"<Sources>{''.join(sources)}</Sources>"
            + (f"<Notes>{notes_xml}</Notes>" if notes else "") + "</Project>")


def _codes_with_notes(book, note_on, guid_of) -> str:
    out = []
    for key, name, definition, children in book:
        ref = f'<NoteRef targetGUID="{guid_of[note_on[key]]}"/>' if key in note_on else ""
        out.append(f'<Code guid="{G[key]}" name="{_esc(name)}" isCodable="true">'
                   f"<Description>{_esc(DEF[definition])}</Description>{ref}"
                   + _codes_with_notes(children, note_on, guid_of) + "</Code>")
    return "".join(out)


def write_qdpx(path: Path, xml: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", xml)
    return path


def processed_texts(folder: Path) -> dict:
    """The texts as the build reads the transcripts (parsed and normalised)."""
    from analysis.transcripts import parse_transcript

    return {pid: parse_transcript(folder / "transcripts" / f"{pid}.txt", source_id=pid).text
            for pid in TRANSCRIPTS}


def write_study(folder: Path) -> dict:
    """Write the three-round study into ``folder``; return its texts (processed)."""
    folder = Path(folder)
    (folder / "transcripts").mkdir(parents=True, exist_ok=True)
    for pid, text in TRANSCRIPTS.items():
        (folder / "transcripts" / f"{pid}.txt").write_text(text, encoding="utf-8")
    (folder / "participants.csv").write_text(
        "participant_id,tier,transcript\nP01,meso,P01.txt\nP02,micro,P02.txt\n")
    (folder / "identifier_key.csv").write_text(
        "original,replacement\n" + "".join(f"{o},{r}\n" for o, r in KEY.items()))
    texts = processed_texts(folder)
    coding = folder / "coding"
    for coder in ("ann", "bob"):
        write_qdpx(coding / "round-1" / f"{coder}.qdpx",
                   project_xml(BOOK_1, {coder: CODING_1[coder]}, texts,
                               NOTES_1 if coder == "ann" else ()))
    write_qdpx(coding / "round-2" / "ann.qdpx", project_xml(BOOK_2, CODING_2, texts))
    write_qdpx(coding / "round-3" / "team.qdpx", project_xml(BOOK_3, CODING_3, texts, NOTES_3))
    (coding / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return texts
