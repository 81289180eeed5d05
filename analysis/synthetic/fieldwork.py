"""A SYNTHETIC researcher's study folder, shaped like a real one coded in QualCoder.

The demo study (:mod:`analysis.synthetic.demo`) is tidy; real studies are not. This
generator writes the study folder a researcher would put in ``data/raw/private/`` after
fieldwork: the interviewer, Jane Smith, is also the only coder, and her QualCoder user
name is her name run together (``janesmith``); the top code category is named after her
(``Smith codes``, with ``Jane's themes`` inside), and code memos name her; codes are
many and nested in categories several deep, with QualCoder's colours (``#AC58FA``);
transcripts are Otter.ai exports (``Speaker Name  0:00`` on a line, the paragraph under
it, ``Transcribed by https://otter.ai`` at the end); withdrawn participants left stub
sources (``P06_removed``: one line, no codings); cases carry attributes (``Tier``,
``Role``) that participants.csv leaves out. The coding project is a QualCoder project
folder (``coding/fieldwork.qda/``, written by :func:`~analysis.synthetic.qualcoder.
write_qualcoder_db`) or a REFI-QDA export of the same project (``coding/fieldwork.qdpx``,
written by :func:`analysis.refi.export_project`).

Everyone in it is fictional; the text is drawn from the demo's utterance bank
(:mod:`analysis.synthetic.bank`). The same arguments give the same files.

Sizes are parameters: the defaults are a whole study (30 interviews of 6,000 words,
230 codes in 55 categories, 750 codings); tests use a few interviews.

Examples
--------
>>> import tempfile, pathlib
>>> study = write_study_folder(pathlib.Path(tempfile.mkdtemp()) / "private", n_interviews=2,
...                            words_per_interview=300, n_codes=12, n_categories=4,
...                            n_codings=10)
>>> sorted(p.name for p in study.folder.iterdir())
['coding', 'identifier_key.csv', 'participants.csv', 'study.yml', 'transcripts']
>>> study.project.name, len(study.codings), study.withdrawn
('fieldwork.qda', 10, ('P02_removed',))
>>> study.codes.loc[0, ["name", "parent"]].tolist(), bool(study.codes.loc[0, "category"])
(['Smith codes', ''], True)
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..schema import check_choice
from .bank import BANK, ERA_PERIOD, ERA_QUESTIONS, LEAD_INS, PROBES, eligible, weight
from .cast import COLLEAGUES, PEOPLE, PLACES, TRUST, TRUST_SHORT

SYNTHETIC_NOTE = ("fictional people, written by analysis.synthetic.fieldwork for "
                  "testing; not real research data.")

__all__ = ["RESEARCHER", "QUALCODER_COLOURS", "Fieldwork", "write_study_folder"]

#: The researcher: interviewer and coder (forename, surname).
RESEARCHER = ("Jane", "Smith")

#: Colours of QualCoder's colour chooser (``colors`` of its ``color_selector.py``), as
#: it stores them in ``code_name.color``.
QUALCODER_COLOURS = (
    "#F5A9A9", "#FE2E2E", "#B40404", "#8A0808", "#8A4B08", "#FF8000", "#FA8258", "#F5DA81",
    "#BCF5A9", "#80FF00", "#688A08", "#21610B", "#088A29", "#01DF3A", "#2EFE64", "#81F79F",
    "#A9BCF5", "#2E9AFE", "#084B8A", "#5858FA", "#0101DF", "#3A01DF", "#8000FF", "#AC58FA",
    "#BCA9F5", "#FAAC58", "#F5D0A9", "#58FAF4", "#01DFD7", "#0B615E", "#045FB4", "#81DAF5",
)

# What the codes and categories are about: researcher-made theme names, not the SST ids.
_TOPICS = (
    "Funding", "Procurement", "Local ownership", "Central control", "Standards",
    "Interoperability", "Clinical safety", "Records sharing", "GP systems",
    "Hospital EPR", "Commissioning", "Workforce", "Leadership", "Reorganisation",
    "Mergers", "Contracts", "Suppliers", "Networks", "Governance", "Information governance",
    "Patient access", "Data quality", "Benefits", "Training", "Culture", "Trust",
    "Memory loss", "Policy churn", "Regional teams", "National bodies", "Clinicians",
    "Managers", "Estates", "Cyber security", "Shared care records", "Analytics",
    "Digital maturity", "Frontline", "Portfolio", "Risk",
)
_FACETS = (
    "barriers", "enablers", "stories", "conflicts", "continuity", "workarounds",
    "tensions", "language", "timing", "costs", "people", "outcomes", "doubts", "hopes",
)
_MODES = ("Zoom", "Teams", "in person", "telephone")


@dataclass
class Fieldwork:
    """What :func:`write_study_folder` wrote, and what tests need to know about it.

    Attributes
    ----------
    folder, project : Path
        The study folder and its coding project (``.qda`` folder or ``.qdpx``).
    key : dict
        ``{original: replacement}`` as in ``identifier_key.csv``.
    researcher : tuple of str
        Forename and surname of the interviewer and coder (every spelling is in ``key``).
    register : pandas.DataFrame
        Every participant's true attributes: ``participant_id, name, tier,
        position_practice, transcript`` (the name only here, never in the register).
    texts : dict
        ``{participant_id: transcript text}`` exactly as the files hold it (what
        QualCoder stores and codes).
    codes : pandas.DataFrame
        ``code_id, name, parent, category, colour, memo``: categories first, ``parent``
        a name (``""`` at the top); ``code_id`` is the id of the REFI export.
    codings : pandas.DataFrame
        ``participant_id, source, code, coder, start, end, words``: each coding on the
        original text (``words == texts[participant_id][start:end]``), ``code`` a name,
        ``coder`` a user name, ``source`` the project's source name.
    withdrawn : tuple of str
        The names of the withdrawn participants' stub sources.
    stub_codings : int
        Codings on each stub (0 for a real withdrawal).
    coder_names, case_attributes : dict
        As written to ``study.yml``.
    """

    folder: Path
    project: Path
    key: dict
    researcher: tuple
    register: object
    texts: dict
    codes: object
    codings: object
    withdrawn: tuple = ()
    stub_codings: int = 0
    coder_names: dict = field(default_factory=dict)
    case_attributes: dict = field(default_factory=dict)


def _participant_ids(n: int, withdrawn: tuple) -> list[str]:
    """``P01``... skipping the numbers the withdrawn stubs carry (``P06_removed``)."""
    gone = {int(m.group(1)) for w in withdrawn if (m := re.match(r"P(\d+)", w))}
    width = 2 if n + len(gone) < 100 else 3
    ids, k = [], 0
    while len(ids) < n:
        k += 1
        if k not in gone:
            ids.append(f"P{k:0{width}d}")
    return ids


def _names(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct fictional full names, crossed from the demo cast's."""
    firsts = sorted({p.name.split()[0] for p in PEOPLE})
    lasts = sorted({p.name.split()[-1] for p in PEOPLE})
    pool = [f"{f} {s}" for f in firsts for s in lasts]
    if n > len(pool):
        raise ValueError(f"at most {len(pool)} interviews")
    return rng.sample(pool, n)


def _otter_time(seconds: int) -> str:
    """Otter's turn time: ``m:ss`` or ``h:mm:ss``."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _interview(rng, pid, person, name, words, researcher, trust_names,
               interviewer_is_researcher):
    """An Otter.ai transcript: its text and the ``(start, end)`` of each answer sentence."""
    forename, surname = researcher
    me = f"{forename} {surname}" if interviewer_is_researcher else "Interviewer"
    label = name if rng.random() < 0.5 else "Speaker 2"
    pool = [t for t in BANK if eligible(t, person) and (not t.era or t.era in person.eras)]
    weights = [weight(t, person) for t in pool]
    # a title line, as a researcher adds to an export (outside every turn): SYNTHETIC
    title = f"SYNTHETIC fieldwork interview {pid}, {SYNTHETIC_NOTE}\n\n"
    parts, sentences, length, clock, said = [title], [], len(title), 0, 0

    def turn(speaker, chunks):
        nonlocal length, clock, said
        head = f"{speaker}  {_otter_time(clock)}\n"
        parts.append(head)
        length += len(head)
        spans = []
        for i, (chunk, coded) in enumerate(chunks):
            if i:
                parts.append(" ")
                length += 1
            if coded:
                spans.append((length, length + len(chunk)))
            parts.append(chunk)
            length += len(chunk)
            said += len(chunk.split())
        parts.append("\n\n")
        length += 2
        clock = said * 2 // 5  # about 150 words a minute
        sentences.extend(spans)

    hello = f"Hi, I'm {me}, a" if interviewer_is_researcher else "Hi, I'm a"
    turn(me, [(f"{hello} researcher at the university. Thank you for agreeing to talk to "
               "me about NHS IT. Could you start with your current post?", False)])
    thanks = f"Thanks, {forename}." if interviewer_is_researcher else "Thanks."
    turn(label, [(f"{thanks} I'm {name}, {person.role}.", True)])
    while said < words:
        era = rng.choice(person.eras)
        question = rng.choice(ERA_QUESTIONS).format(period=ERA_PERIOD[era])
        turn(me, [(question + " " + rng.choice(PROBES), False)])
        chunks = []
        lead = rng.choice(LEAD_INS)
        if lead:
            chunks.append((lead, False))
        for t in rng.choices(pool, weights=weights, k=rng.randint(2, 4)):
            chunks.append((t.text.format(trust=trust_names[0], trust_short=trust_names[1],
                                         place=rng.choice(PLACES),
                                         colleague=rng.choice(COLLEAGUES)), True))
        aside = rng.random() if interviewer_is_researcher else 1.0
        if aside < 0.08:
            chunks.append((f"As I said to {me} before we started, that was the turning "
                           "point.", True))
        elif aside < 0.14:
            chunks.append((f"You'll remember that, {forename}.", False))
        elif aside < 0.18:
            chunks.append((f"Dr {surname} will know the papers better than me.", True))
        turn(label, chunks)
    parts.append("Transcribed by https://otter.ai\n")
    return "".join(parts), sentences


def _codes(rng, n_codes, n_categories, depth, researcher, colours):
    """Categories (a tree ``depth`` deep under one named after the researcher) and codes."""
    import pandas as pd

    from ..refi.qde import slug

    forename, surname = researcher
    names = iter(rng.sample([f"{t} {f}" for t in _TOPICS for f in _FACETS], n_codes))
    topics = rng.sample(_TOPICS, len(_TOPICS))
    # categories are topics (numbered once the topics run out)
    cat_names = iter(t if k < len(topics) else f"{t} {k // len(topics) + 1}"
                     for k, t in ((k, topics[k % len(topics)]) for k in range(n_categories)))
    cats = [(f"{surname} codes", "", 1, f"{forename}'s coding frame, first pass "
                                         f"after P03.")]
    if n_categories > 1:
        cats.append((f"{forename}'s themes", cats[0][0], 2, ""))
    while len(cats) < n_categories:
        # one chain reaches the full depth; the rest hang anywhere above it
        chain = len(cats) < depth
        parent = cats[-1] if chain else rng.choice([c for c in cats if c[2] < depth])
        memo = f"Split off by {forename} {surname}." if rng.random() < 0.1 else ""
        cats.append((next(cat_names), parent[0], parent[2] + 1, memo))
    rows = [(name, parent, True, "", memo) for name, parent, _, memo in cats]
    for i in range(n_codes):
        name = next(names)
        if i == 0:
            name = f"{forename}{surname} to check"
        memo = ""
        roll = rng.random()
        if roll < 0.06:
            memo = f"{forename}: merge with {rng.choice(_TOPICS).lower()}?"
        elif roll < 0.1:
            memo = f"From {surname} (2021), adapted."
        elif roll < 0.3:
            memo = f"Talk of {name.lower()}."
        # the first code takes QualCoder's purple, the colour real projects are full of
        colour = ("" if not colours else "#AC58FA" if i == 0
                  else rng.choice(QUALCODER_COLOURS))
        # the first code in the deepest category, so codes nest depth levels down
        home = max(cats, key=lambda c: c[2]) if i == 0 else rng.choice(cats)
        rows.append((name, home[0], False, colour, memo))
    codes = pd.DataFrame(rows, columns=["name", "parent", "category", "colour", "memo"])
    ids, taken = [], set()
    for name in codes["name"]:
        cid, k = slug(name, lower=True), 2
        while cid in taken:
            cid, k = f"{slug(name, lower=True)}_{k}", k + 1
        taken.add(cid)
        ids.append(cid)
    codes.insert(0, "code_id", ids)
    return codes


def _codings(rng, spans, texts, codes, coders, n_codings, key):
    """``n_codings`` codings of answer sentences; a few start inside a planted name."""
    import pandas as pd

    codable = codes.loc[~codes["category"], "name"].tolist()
    names = sorted((o for o in key), key=len, reverse=True)
    found = [(pid, s, e) for pid in sorted(spans) for s, e in spans[pid]]
    rows, seen = [], set()
    while len(rows) < n_codings and len(seen) < 50 * n_codings:
        pid, s, e = rng.choice(found)
        code, coder = rng.choice(codable), rng.choice(coders)
        if rng.random() < 0.04:  # starts inside a name: the build widens it
            text = texts[pid][s:e]
            inside = next((text.find(n) for n in names if n in text and len(n) > 3), -1)
            if inside >= 0:
                s += inside + 2
        if (pid, s, e, code, coder) in seen:
            continue
        seen.add((pid, s, e, code, coder))
        rows.append((pid, code, coder, s, e, texts[pid][s:e]))
    return pd.DataFrame(rows, columns=["participant_id", "code", "coder", "start", "end",
                                       "words"])


def write_study_folder(folder: os.PathLike | str, *, n_interviews: int = 30,
                       words_per_interview: int = 6000, n_codes: int = 230,
                       n_categories: int = 55, depth: int = 3, n_codings: int = 750,
                       coders: tuple = ("janesmith",), project: str = "qualcoder",
                       transcripts: str = "otter", interviewer_is_coder: bool = True,
                       withdrawn: tuple | None = None, stub_codings: int = 0,
                       exclude_sources: tuple = (), coder_names: dict | None = None,
                       case_attributes: dict | None = None, colours: bool = True,
                       seed: int = 0) -> Fieldwork:
    """Write a SYNTHETIC study folder as a researcher has it after fieldwork.

    Parameters
    ----------
    folder : path-like
        The study folder (created; ``data/raw/private/`` for a build).
    n_interviews, words_per_interview : int
        Interviews (participants) and their approximate length in words.
    n_codes, n_categories, depth : int
        Codes, categories (the first named after the researcher) and how deep the
        categories nest (2 or more).
    n_codings : int
        Text codings, spread over the answers of every interview.
    coders : tuple of str
        QualCoder user names of the coders (each coding by one of them).
    project : {"qualcoder", "qdpx"}
        A QualCoder project folder ``coding/fieldwork.qda/`` or its REFI-QDA export
        ``coding/fieldwork.qdpx``.
    transcripts : {"otter"}
        The transcript format: Otter.ai's ``.txt`` export.
    interviewer_is_coder : bool
        The interviewer is the researcher (``Jane Smith  0:00``; ``coders`` should hold
        her user name); else the interviewer is labelled ``Interviewer``.
    withdrawn : tuple of str, optional
        Names of the withdrawn participants' stub sources (default one,
        ``P<k>_removed`` with ``k`` about a third of the way through).
    stub_codings : int
        Codings on each stub (a stub that was coded before the withdrawal).
    exclude_sources, coder_names, case_attributes
        Written to ``study.yml``; ``case_attributes`` (default
        ``{tier: Tier, position_practice: Role}``) also leaves those columns out of
        ``participants.csv``: the project's cases give them.
    colours : bool
        Give codes QualCoder colours (:data:`QUALCODER_COLOURS`).
    seed : int
        The same seed and arguments give the same files.

    Returns
    -------
    Fieldwork
    """
    import pandas as pd

    from .. import refi
    from ..io import write_table
    from .qualcoder import write_qualcoder_db

    check_choice("project", project, ("qualcoder", "qdpx"))
    check_choice("transcripts", transcripts, ("otter",))
    if depth < 2 or n_categories < 1 or n_codes < 1:
        raise ValueError("depth must be at least 2, and there must be categories and codes")
    folder = Path(folder)
    rng = random.Random(f"{seed}:fieldwork")
    forename, surname = RESEARCHER
    if withdrawn is None:
        withdrawn = (f"P{max(2, n_interviews // 3):02d}_removed",)
    case_attributes = ({"tier": "Tier", "position_practice": "Role"}
                       if case_attributes is None else dict(case_attributes))
    coder_names = dict(coder_names or {})
    pids = _participant_ids(n_interviews, tuple(withdrawn))
    names = _names(n_interviews, rng)
    people = [PEOPLE[i % len(PEOPLE)] for i in range(n_interviews)]
    me = f"{forename} {surname}" if interviewer_is_coder else "Interviewer"

    key = {f"{forename} {surname}": "[Researcher]", surname: "[Surname R]",
           forename: "[Forename R]"}
    key.update({n: f"[Participant {pid}]" for n, pid in zip(names, pids)})
    key.update({c: f"[Colleague {i}]" for i, c in enumerate(COLLEAGUES, start=1)})
    key.update({TRUST: "[Trust A]", TRUST_SHORT: "[Trust A]"})
    key.update({p: f"[Place {i}]" for i, p in enumerate(PLACES, start=1)})
    kinds = {TRUST: "organisation", TRUST_SHORT: "organisation", **dict.fromkeys(PLACES, "place")}

    texts, spans, files = {}, {}, {}
    for pid, name, person in zip(pids, names, people):
        text, sentences = _interview(rng, pid, person, name, words_per_interview,
                                     (forename, surname), (TRUST, TRUST_SHORT),
                                     interviewer_is_coder)
        texts[pid], spans[pid] = text, sentences
        files[pid] = f"{pid}_interview_{forename}_{surname}.txt"
    codes = _codes(rng, n_codes, n_categories, depth, (forename, surname), colours)
    codings = _codings(rng, spans, texts, codes, list(coders), n_codings, key)
    codings.insert(1, "source", codings["participant_id"].map(files))
    stub_text = "Participant withdrew consent; transcript removed."
    stubs = []
    for w in withdrawn:
        for k in range(stub_codings):
            stubs.append((w, w, codes.loc[~codes["category"], "name"].iloc[k], coders[0],
                          0, len("Participant withdrew"), "Participant withdrew"))
    register = pd.DataFrame({"participant_id": pids, "name": names,
                             "tier": [p.tier for p in people],
                             "position_practice": [p.position_practice for p in people],
                             "transcript": [files[p] for p in pids]})

    (folder / "transcripts").mkdir(parents=True, exist_ok=True)
    for pid in pids:
        (folder / "transcripts" / files[pid]).write_bytes(texts[pid].encode("utf-8"))
    written = pd.DataFrame({
        "participant_id": pids,
        "tier": register["tier"], "position_practice": register["position_practice"],
        "years_in_nhs": [p.years_in_nhs for p in people],
        "eras": ["|".join(p.eras) for p in people],
        "interviewer_label": me, "transcript": register["transcript"], "synthetic": "yes"})
    write_table(written.drop(columns=list(case_attributes)), folder / "participants.csv")
    write_table(pd.DataFrame([(o, r, kinds.get(o, "person")) for o, r in key.items()],
                             columns=["original", "replacement", "kind"]),
                folder / "identifier_key.csv")
    (folder / "study.yml").write_text(_study_yml(coders, coder_names, exclude_sources,
                                                 case_attributes), encoding="utf-8")

    cases = [(name, pid, person) for pid, name, person in zip(pids, names, people)]
    all_codings = pd.concat([codings, pd.DataFrame(stubs, columns=codings.columns)],
                            ignore_index=True)
    if project == "qualcoder":
        target = folder / "coding" / "fieldwork.qda"
        tables = _qualcoder_tables(pids, files, texts, withdrawn, stub_text, codes,
                                   all_codings, cases, coders, rng, (forename, surname))
        write_qualcoder_db(target, tables)
        (target / "documents").mkdir()
        for pid in pids:  # QualCoder keeps a copy of each imported file
            (target / "documents" / files[pid]).write_bytes(texts[pid].encode("utf-8"))
    else:
        target = folder / "coding" / "fieldwork.qdpx"
        _export_qdpx(target, pids, files, texts, withdrawn, stub_text, codes, all_codings,
                     cases)
    return Fieldwork(folder=folder, project=target, key=key, researcher=(forename, surname),
                     register=register, texts=texts, codes=codes, codings=codings,
                     withdrawn=tuple(withdrawn), stub_codings=stub_codings,
                     coder_names=coder_names, case_attributes=case_attributes)


def _study_yml(coders, coder_names, exclude_sources, case_attributes) -> str:
    lines = ["title: Meso-level IT leadership (SYNTHETIC fieldwork study)",
             f"coders: [{', '.join(coders[:2])}]", f"default_coder: {coders[0]}"]
    if coder_names:
        lines.append("coder_names:")
        lines += [f"  {user}: {shown}" for user, shown in coder_names.items()]
    if exclude_sources:
        lines.append(f"exclude_sources: [{', '.join(exclude_sources)}]")
    if case_attributes:
        lines.append("case_attributes:")
        lines += [f"  {column}: {variable}" for column, variable in case_attributes.items()]
    lines += ["parameters:", "  all: {n_boot: 50}"]
    return "\n".join(lines) + "\n"


def _tier_value(tier: str, k: int) -> str:
    # some cases were typed with a capital, as NVivo and QualCoder users do
    return tier.capitalize() if k % 2 else tier


def _qualcoder_tables(pids, files, texts, withdrawn, stub_text, codes, codings, cases,
                      coders, rng, researcher) -> dict:
    """The rows of each QualCoder table for the project."""
    forename, surname = researcher
    fid = {pid: i for i, pid in enumerate(pids, start=1)}
    sources = [{"id": fid[p], "name": files[p], "fulltext": texts[p], "memo": ""}
               for p in pids]
    for k, w in enumerate(withdrawn, start=len(pids) + 1):
        fid[w] = k
        sources.append({"id": k, "name": w, "fulltext": stub_text,
                        "memo": f"Withdrawn; {forename} deleted the transcript."})
    catid = {name: i for i, name in enumerate(codes.loc[codes["category"], "name"], start=1)}
    cats = [{"catid": catid[r.name], "name": r.name, "memo": r.memo,
             "supercatid": catid.get(r.parent)} for r in codes[codes["category"]].itertuples()]
    cid = {name: i for i, name in enumerate(codes.loc[~codes["category"], "name"], start=1)}
    names = [{"cid": cid[r.name], "name": r.name, "memo": r.memo, "catid": catid[r.parent],
              "color": r.colour or None} for r in codes[~codes["category"]].itertuples()]
    by_source = {**{p: p for p in pids}, **{w: w for w in withdrawn}}
    code_text = [{"cid": cid[r.code], "fid": fid[by_source[r.participant_id]],
                  "seltext": r.words, "pos0": r.start, "pos1": r.end, "owner": r.coder,
                  "memo": ""} for r in codings.itertuples()]
    attribute_types = [{"name": "Tier", "caseOrFile": "case", "valuetype": "character"},
                       {"name": "Role", "caseOrFile": "case", "valuetype": "character"},
                       {"name": "Mode", "caseOrFile": "file", "valuetype": "character"}]
    attributes, case_rows, case_text = [], [], []
    for k, (name, pid, person) in enumerate(cases, start=1):
        case_rows.append({"caseid": k, "name": name, "memo": ""})
        case_text.append({"caseid": k, "fid": fid[pid], "pos0": 0, "pos1": len(texts[pid])})
        attributes += [{"name": "Tier", "attr_type": "case", "id": k,
                        "value": _tier_value(person.tier, k)},
                       {"name": "Role", "attr_type": "case", "id": k,
                        "value": person.position_practice},
                       {"name": "Mode", "attr_type": "file", "id": fid[pid],
                        "value": rng.choice(_MODES)}]
    return {"project": [{"databaseversion": "v14", "codername": coders[0],
                         "memo": f"{forename} {surname} PhD fieldwork (SYNTHETIC)",
                         "about": "QualCoder 3.6"}],
            "source": sources, "code_cat": cats, "code_name": names, "code_text": code_text,
            "cases": case_rows, "case_text": case_text, "attribute_type": attribute_types,
            "attribute": attributes,
            "journal": [{"name": "Reflexive journal",
                         "jentry": f"{forename}: P01 went well; I talked too much."}]}


def _export_qdpx(target, pids, files, texts, withdrawn, stub_text, codes, codings, cases):
    """The same project as QualCoder's REFI-QDA export of it, by our writer."""
    import pandas as pd

    from .. import refi

    stem = {p: Path(files[p]).stem for p in pids}
    person = {pid: name for name, pid, _ in cases}
    source_ids = [stem[p] for p in pids] + list(withdrawn)
    sources = pd.DataFrame({"source_id": source_ids,
                            "participant_id": [person[p] for p in pids] + [""] * len(withdrawn)})
    all_texts = {**{stem[p]: texts[p] for p in pids}, **{w: stub_text for w in withdrawn}}
    ids = dict(zip(codes["name"], codes["code_id"]))
    table = pd.DataFrame({"code_id": codes["code_id"], "label": codes["name"],
                          "parent_id": [ids.get(p, "") for p in codes["parent"]],
                          "description": codes["memo"], "colour": codes["colour"],
                          "is_codable": ~codes["category"]})
    src = codings["participant_id"].map(lambda p: stem.get(p, p))
    segments = pd.DataFrame({"segment_id": [f"s{i}" for i in range(len(codings))],
                             "source_id": src, "code_id": codings["code"].map(ids),
                             "start": codings["start"], "end": codings["end"],
                             "coder": codings["coder"], "text": codings["words"]})
    participants = pd.DataFrame({"participant_id": [name for name, _, _ in cases],
                                 "Tier": [_tier_value(p.tier, k)
                                          for k, (_, _, p) in enumerate(cases, start=1)],
                                 "Role": [p.position_practice for _, _, p in cases]})
    refi.export_project(target, codes=table, sources=sources, texts=all_texts,
                        segments=segments, participants=participants,
                        project_name="fieldwork")
