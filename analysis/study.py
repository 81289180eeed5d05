"""A study folder: where its register, key, transcripts, coding and settings are.

One contract for the shipped demo and for the researcher's own study in
``data/raw/private/`` (documented with a worked example in that folder's README)::

    data/raw/private/
    ├── participants.csv        participant_id, tier, transcript (+ optional columns)
    ├── identifier_key.csv      original, replacement[, kind]
    ├── study.yml               optional: title, coders, default_coder, roles, parameters
    ├── code_map.csv            optional: your code -> SST code id
    ├── codebook.yml           optional: your codebook, when no project carries one
    ├── transcripts/            transcripts (or flat in the study folder)
    └── coding/                 *.qdpx, *.qde, *.qdc (or flat in the study folder)

:func:`load_study` finds these files and checks ``study.yml``; every problem is a
:class:`~analysis.errors.DataError` (``error: FILE:LINE: reason``).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "participants.csv").write_text("participant_id,tier,transcript\\n")
>>> _ = (folder / "study.yml").write_text("title: My study\\nroles: [Moderator]\\n")
>>> (folder / "coding").mkdir()
>>> _ = (folder / "coding" / "mine.qdpx").write_bytes(b"")
>>> s = load_study(folder)
>>> s.title, s.roles, [p.name for p in s.projects], s.transcripts == folder
('My study', ('Moderator',), ['mine.qdpx'], True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError

#: Coding-project readers by file type: the one place a new tool's format is added.
#: Each maps a path to the reader that ``refi.read_coding_project`` picks for it:
#: a QualCoder project is its ``NAME.qda`` folder or the ``data.qda`` database inside it.
PROJECT_READERS = {".qdpx": "refi", ".qde": "refi", ".qda": "qualcoder"}
#: Codebook-only files (REFI-QDA codebook exchange).
CODEBOOK_SUFFIXES = (".qdc",)

STUDY_KEYS = ("title", "coders", "default_coder", "roles", "parameters")


@dataclass(frozen=True)
class Study:
    """Where everything of one study is, and its settings from ``study.yml``.

    Attributes
    ----------
    folder, register, key, transcripts : Path
        The study folder, ``participants.csv``, ``identifier_key.csv`` and the folder
        the register's ``transcript`` names are relative to.
    projects : tuple of Path
        Coding projects (``*.qdpx``, bare ``*.qde``, QualCoder ``*.qda`` folders or
        ``data.qda``), sorted by name.
    codebooks : tuple of Path
        ``*.qdc`` files and ``codebook.yml``, when present.
    code_map : Path or None
        ``code_map.csv``: the researcher's codes mapped onto SST code ids.
    title : str
    coders : tuple of str
        The coders to compare (empty: whichever coders the data hold).
    default_coder : str
        Whose coding the single-coder notebooks show (empty: the first coder present).
    roles : tuple of str
        Speaker labels that are roles, not names (``Moderator``, ``Committee 1``).
    parameters : dict
        Notebook parameters, ``{notebook stem or "all": {name: value}}``.
    """

    folder: Path
    register: Path
    key: Path
    transcripts: Path
    projects: tuple = ()
    codebooks: tuple = ()
    code_map: Path | None = None
    title: str = ""
    coders: tuple = ()
    default_coder: str = ""
    roles: tuple = ()
    parameters: dict = field(default_factory=dict)

    def notebook_parameters(self, notebook: str) -> dict:
        """Parameters for one notebook: ``parameters.all`` overlaid by ``parameters.<stem>``.

        >>> s = Study(Path("."), Path("p"), Path("k"), Path("."),
        ...           parameters={"all": {"n_boot": 10}, "06_coding_reliability": {"top_n": 5}})
        >>> s.notebook_parameters("06_coding_reliability")
        {'n_boot': 10, 'top_n': 5}
        """
        out = dict(self.parameters.get("all") or {})
        out.update(self.parameters.get(notebook) or {})
        return out


def _files(folder: Path, sub: str, suffixes) -> list[Path]:
    found = []
    for where in (folder, folder / sub):
        if where.is_dir():
            found += [p for p in where.iterdir() if p.suffix.lower() in suffixes
                      and (p.is_file() or (p.is_dir() and p.suffix.lower() == ".qda"))]
    return sorted(found, key=lambda p: (p.name, str(p)))


def load_study(folder: os.PathLike | str) -> Study:
    """Find a study's files in ``folder`` and read its ``study.yml`` (see module notes)."""
    folder = Path(folder)
    register = folder / "participants.csv"
    transcripts = folder / "transcripts" if (folder / "transcripts").is_dir() else folder
    codebooks = _files(folder, "coding", CODEBOOK_SUFFIXES)
    if (folder / "codebook.yml").is_file():
        codebooks.append(folder / "codebook.yml")
    code_map = folder / "code_map.csv"
    settings = _read_settings(folder / "study.yml")
    return Study(folder=folder, register=register, key=folder / "identifier_key.csv",
                 transcripts=transcripts,
                 projects=tuple(_files(folder, "coding", tuple(PROJECT_READERS))),
                 codebooks=tuple(codebooks),
                 code_map=code_map if code_map.is_file() else None, **settings)


def _read_settings(path: Path) -> dict:
    """Check ``study.yml``: plain YAML, known keys, each of the right type."""
    if not path.is_file():
        return {}
    import yaml

    try:
        nodes = yaml.compose(path.read_text(encoding="utf-8"))
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataError(path, None, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(path, mark.line + 1 if mark else None,
                        f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise DataError(path, 1, "study.yml must be a mapping of keys to values")
    lines = {k.value: k.start_mark.line + 1 for k, _ in nodes.value}

    def fail(key, reason):
        raise DataError(path, lines.get(key), reason)

    out = {}
    for key, value in doc.items():
        if key not in STUDY_KEYS:
            fail(key, f"unknown key {key!r}: expected {', '.join(STUDY_KEYS)}")
        if key in ("title", "default_coder"):
            if not isinstance(value, str):
                fail(key, f"{key} must be text")
            out[key] = value.strip()
        elif key in ("coders", "roles"):
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                      for v in value):
                fail(key, f"{key} must be a list of names, e.g. [{'a, b' if key == 'coders' else 'Moderator'}]")
            out[key] = tuple(v.strip() for v in value)
        elif key == "parameters":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                fail(key, "parameters must map a notebook name (or 'all') to name: value pairs")
            out[key] = value
    if len(out.get("coders", ())) > 2:
        fail("coders", "coders names the two coders to compare: give at most two")
    return out


# --------------------------------------------------------------------------- codebook

def read_code_map(path: os.PathLike | str, codes, sst) -> dict[str, str]:
    """Read ``code_map.csv`` (``code``, ``sst_code``): the researcher's code -> SST code id.

    ``code`` is a code id or name of the researcher's codebook ``codes``; ``sst_code``
    an id of the SST codebook ``sst``. Returns ``{code_id: sst_code_id}``.
    """
    from .io import read_table, record_lines

    path = Path(path)
    table = read_table(path, required=["code", "sst_code"])
    ids = dict(zip(codes["code_id"], codes["code_id"]))
    ids.update({str(n).strip().casefold(): c for n, c in zip(codes["label"], codes["code_id"])})
    out: dict[str, str] = {}
    for line, code, target in zip(record_lines(path, len(table)), table["code"], table["sst_code"]):
        cid = ids.get(code.strip()) or ids.get(code.strip().casefold())
        if cid is None:
            raise DataError(path, line, f"code {code!r} is not in the study's codebook")
        if target.strip() not in sst:
            raise DataError(path, line, f"sst_code {target!r} is not an SST code id")
        if cid in out:
            raise DataError(path, line, f"code {code!r} is mapped twice")
        out[cid] = target.strip()
    return out


def _qdc_codes(path: Path):
    """(guid, name, parent name, description) of every code in a ``.qdc`` codebook."""
    from .refi.container import inner_text, kid, kids, parse_xml, read_capped

    root = parse_xml(read_capped(path), path, None)
    book = root if root.tag.endswith("CodeBook") else kid(root, "CodeBook")
    out, stack = [], [(c, "") for c in reversed(kids(kid(book, "Codes"), "Code"))]
    while stack:
        code, parent = stack.pop()
        name = (code.get("name") or "").strip()
        out.append((name, parent, " ".join(inner_text(kid(code, "Description")).split())))
        stack += [(c, name) for c in reversed(kids(code, "Code"))]
    return out


def _yml_codes(path: Path):
    """(name, parent, description) of every code in a study's ``codebook.yml``.

    The file is a list under ``codes:`` of mappings with ``id`` (or ``name``), and
    optionally ``label``, ``parent`` and ``description``.
    """
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = doc.get("codes") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DataError(path, None, "expected a list of codes under 'codes:'")
    out = []
    for item in items:
        if not isinstance(item, dict) or not (item.get("id") or item.get("name")):
            raise DataError(path, None, f"code {item!r} has no id or name")
        out.append((str(item.get("id") or item.get("name")), str(item.get("parent") or ""),
                    " ".join(str(item.get("description") or "").split())))
    return out


def study_codebook(imported, layout: Study, sst):
    """The codebook a study's coding is read with, and report rows saying how it was found.

    The shipped SST codebook when every code of the project is in it and the study
    brings no codebook of its own (the demo); otherwise the researcher's codebook:
    the project's ``<CodeBook>``, plus the codes of any ``.qdc`` or ``codebook.yml``,
    with the SST facet, component and bracket of codes named in ``code_map.csv``.
    Codes without a mapping are themes (``facet="theme"``): theme views show them.

    Returns
    -------
    (Codebook, pandas.DataFrame)
    """
    import pandas as pd

    from .codebook import CODE_COLUMNS, Codebook
    from .refi.qde import slug

    codes = imported.codes
    rows = []
    own = bool(layout.codebooks) or layout.code_map is not None
    if not own and bool(codes["in_codebook"].all()):
        return sst, pd.DataFrame(rows, columns=["level", "item", "what", "detail"])
    table = pd.DataFrame({"code_id": codes["code_id"], "parent_id": codes["parent_id"],
                          "label": codes["name"], "definition": codes["description"],
                          "colour": codes["colour"], "codable": codes["is_codable"]})
    known = {n.casefold() for n in table["label"]} | set(table["code_id"])
    for book in layout.codebooks:
        extra = _qdc_codes(book) if book.suffix.lower() == ".qdc" else _yml_codes(book)
        added = []
        for name, parent, description in extra:
            if name.casefold() in known:
                continue
            cid = slug(name, lower=True) or "code"
            parent_id = next((c for c, n in zip(table["code_id"], table["label"])
                              if n.casefold() == parent.casefold()), "") if parent else ""
            added.append({"code_id": cid, "parent_id": parent_id, "label": name,
                          "definition": description, "colour": "", "codable": True})
            known |= {name.casefold(), cid}
        table = pd.concat([table, pd.DataFrame(added)], ignore_index=True)
        rows.append(("info", book.name, "codebook", f"{len(added)} code(s) added"))
    mapping = read_code_map(layout.code_map, table, sst) if layout.code_map else {}
    sst_row = sst.codes.set_index("code_id")
    table["facet"] = [sst_row.at[mapping[c], "facet"] if c in mapping else "theme"
                      for c in table["code_id"]]
    for col in ("sst_component", "bracket"):
        table[col] = [sst_row.at[mapping[c], col] if c in mapping else ""
                      for c in table["code_id"]]
    table["sst_code"] = [mapping.get(c, "") for c in table["code_id"]]
    for col in ("inclusion", "exclusion"):
        table[col] = ""
    for col in ("indicators", "stems", "noisy_stems"):
        table[col] = [() for _ in range(len(table))]
    parent = dict(zip(table["code_id"], table["parent_id"]))
    chains = []
    for cid in table["code_id"]:
        chain = [cid]
        while parent.get(chain[-1]) and parent[chain[-1]] not in chain:
            chain.append(parent[chain[-1]])
        chains.append(chain[::-1])
    table["depth"] = [len(c) - 1 for c in chains]
    table["root_id"] = [c[0] for c in chains]
    table["path"] = ["/".join(c) for c in chains]
    used = imported.segments["code_id"]
    n_unmapped = int((~used.isin(list(mapping))).sum())
    share = f"{n_unmapped / len(used):.0%}" if len(used) else "no coding"
    rows.append(("info", "codebook", "the study's own codebook",
                 f"{len(table)} code(s); {len(mapping)} mapped to SST codes by code_map.csv"
                 if mapping else f"{len(table)} code(s); no code_map.csv, so no SST mapping"))
    rows.append(("info", "code_map", "unmapped coding",
                 f"{n_unmapped} of {len(used)} coded segment(s) ({share}) use codes with no "
                 "SST mapping"))
    book = Codebook(codes=table[CODE_COLUMNS + ["sst_code"]].reset_index(drop=True),
                    description=layout.title, path="study")
    return book, pd.DataFrame(rows, columns=["level", "item", "what", "detail"])
