"""A study folder: where its register, key, transcripts, coding and settings are.

One contract for the shipped demo and for the researcher's own study in
``data/raw/private/`` (documented with a worked example in that folder's README)::

    data/raw/private/
    ├── participants.csv        participant_id, tier, transcript (+ optional columns)
    ├── identifier_key.csv      original, replacement[, kind]
    ├── study.yml               optional: title, coders, default_coder, coder_names, roles,
    │                           exclude_sources, case_attributes, parameters
    ├── code_map.csv            optional: your code -> SST code id
    ├── codebook.yml           optional: your codebook, when no project carries one
    ├── transcripts/            transcripts (or flat in the study folder)
    └── coding/                 *.qdpx, *.qde, *.qdc (or flat in the study folder),
        └── round-1/, round-2/  or coding rounds, one folder each (taken in natural order)

:func:`load_study` finds these files and checks ``study.yml``; every problem is a
:class:`~analysis.errors.DataError` (``error: FILE:LINE: reason``). Nothing under
``coding/`` is passed over in silence (:func:`coding_rounds`): every file is a project, a
codebook or a bare ``.qde``'s source, a hidden file (``.DS_Store``) listed in
``Study.skipped`` for the import report, or an error naming it.

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
from .schema import REPORT_COLUMNS

#: Coding-project readers by file type: the one place a new tool's format is added.
#: Each maps a path to the reader that ``refi.read_coding_project`` picks for it:
#: a QualCoder project is its ``NAME.qda`` folder or the ``data.qda`` database inside it.
PROJECT_READERS = {".qdpx": "refi", ".qde": "refi", ".qda": "qualcoder"}
#: Codebook-only files (REFI-QDA codebook exchange).
CODEBOOK_SUFFIXES = (".qdc",)

STUDY_KEYS = ("title", "coders", "default_coder", "coder_names", "roles", "exclude_sources",
              "case_attributes", "parameters")
#: Register columns a coding project's cases may not fill: the id, the file, and the
#: interviewer's label (perhaps a real name, never written out).
NOT_FROM_CASES = ("participant_id", "transcript", "interviewer_label")

#: The name of the one round of a study whose coding is not split into round folders.
FLAT_ROUND = "coding"


@dataclass(frozen=True)
class CodingRound:
    """One round of coding: its name (the folder's), projects and ``.qdc`` codebooks."""

    name: str
    folder: Path
    projects: tuple = ()
    codebooks: tuple = ()


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
        ``data.qda``) of the last round (the analysis), sorted by name.
    codebooks : tuple of Path
        ``*.qdc`` files of the last round and ``codebook.yml``, when present.
    rounds : tuple of CodingRound
        Every round of coding in order, the last being the analysis; a study whose
        ``coding/`` has no round folders has one round, :data:`FLAT_ROUND`.
    skipped : tuple of Path
        Hidden files under ``coding/`` (``.DS_Store``), not read; the import report
        lists them.
    code_map : Path or None
        ``code_map.csv``: the researcher's codes mapped onto SST code ids.
    title : str
    coders : tuple of str
        The coders to compare (empty: whichever coders the data hold).
    default_coder : str
        Whose coding the single-coder notebooks show (empty: the first coder present).
        ``coders`` and ``default_coder`` may name a coder by user name or display name
        (:meth:`shown_coder`).
    coder_names : dict
        ``{user name: display name}``: how a coder appears in every output.
    roles : tuple of str
        Speaker labels that are roles, not names (``Moderator``, ``Committee 1``).
    exclude_sources : tuple of str
        Project sources (by name or file stem) whose codings are dropped: withdrawn
        participants' stubs.
    case_attributes : dict
        ``{register column: case variable}``: register columns the projects' cases fill.
    parameters : dict
        Notebook parameters, ``{notebook stem or "all": {name: value}}``.
    lines : dict
        The line of ``study.yml`` of each key (``"coders"``) and of each entry of a
        mapping or list (``("coder_names", "janesmith")``), for messages.
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
    coder_names: dict = field(default_factory=dict)
    exclude_sources: tuple = ()
    case_attributes: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    rounds: tuple = ()
    skipped: tuple = ()

    def display_coder(self, user: str) -> str:
        """The coder as outputs show them: the display name of ``coder_names``
        (user names compared ignoring case and surrounding space), else ``user``.

        >>> s = Study(Path("."), Path("p"), Path("k"), Path("."),
        ...           coder_names={"JaneSmith": "coder_a"})
        >>> s.display_coder("janesmith "), s.display_coder("bob")
        ('coder_a', 'bob')
        """
        names = {k.strip().casefold(): v for k, v in self.coder_names.items()}
        return names.get(str(user).strip().casefold(), user)

    def shown_coder(self, name: str, pseudonymise=None) -> str:
        """A coder named in ``study.yml`` as the processed tables show them.

        ``name`` is a user name or a display name. A display name stays; a user name
        with a display name becomes it; any other name passes through
        ``pseudonymise`` (the key's text rule), as the coder names of the projects do.

        >>> s = Study(Path("."), Path("p"), Path("k"), Path("."),
        ...           coder_names={"janesmith": "coder_a"})
        >>> key = {"janesmith": "coder_a", "bobjones": "[Person B]"}.get
        >>> [s.shown_coder(n, lambda v: key(v, v)) for n in ("coder_a", "janesmith", "bobjones")]
        ['coder_a', 'coder_a', '[Person B]']
        """
        if name in self.coder_names.values():
            return name
        shown = self.display_coder(name)
        if shown != name:
            return shown
        return pseudonymise(name) if pseudonymise is not None else name

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


def _files(folder: Path, suffixes) -> list[Path]:
    """Project or codebook files directly in ``folder`` (a QualCoder ``.qda`` may be a folder)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.suffix.lower() in suffixes
             and (p.is_file() or (p.is_dir() and p.suffix.lower() == ".qda"))]
    return sorted(found, key=lambda p: (p.name, str(p)))


def natural_key(name: str) -> tuple:
    """Sort key of a round folder's name: numbers by value, so ``round-10`` follows ``round-9``.

    >>> sorted(["round-10", "round-9", "round-1"], key=natural_key)
    ['round-1', 'round-9', 'round-10']
    >>> sorted(["2025-03-14", "2024-11-02"], key=natural_key)
    ['2024-11-02', '2025-03-14']
    """
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", name) if part)


_KNOWN = tuple(PROJECT_READERS) + CODEBOOK_SUFFIXES


def _scan_coding_folder(folder: Path, allow_rounds: bool):
    """``(projects, codebooks, round folders, hidden files)`` of one folder under ``coding/``.

    A ``sources/`` folder is a bare ``.qde``'s texts when a ``.qde`` sits beside it; any
    other file is an error naming it, and so is a folder where rounds cannot be
    (inside a round folder).
    """
    projects, codebooks, rounds, hidden = [], [], [], []
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    has_qde = any(p.suffix.lower() == ".qde" and p.is_file() for p in entries)
    for entry in entries:
        suffix = entry.suffix.lower()
        if entry.name.startswith("."):
            hidden.append(entry)
        elif entry.is_dir() and suffix == ".qda":
            projects.append(entry)
        elif entry.is_dir() and entry.name.casefold() == "sources" and has_qde:
            hidden += [p for p in entry.rglob(".*") if p.is_file()]
        elif entry.is_dir():
            if not allow_rounds:
                raise DataError(entry, None, "a folder inside a round folder: rounds are one "
                                "level deep (coding/ROUND/project.qdpx); only a bare .qde's "
                                "sources/ folder may sit beside it")
            rounds.append(entry)
        elif suffix in PROJECT_READERS:
            projects.append(entry)
        elif suffix in CODEBOOK_SUFFIXES:
            codebooks.append(entry)
        else:
            raise DataError(entry, None, f"not a coding project or codebook: expected "
                            f"{', '.join(_KNOWN)} files (or round folders in coding/), "
                            "and nothing under coding/ is passed over")
    return projects, codebooks, rounds, hidden


def coding_rounds(folder: os.PathLike | str) -> tuple[tuple[CodingRound, ...], tuple[Path, ...]]:
    """The study's coding rounds, in order, and the hidden files under ``coding/``.

    Coding projects and ``.qdc`` codebooks lie flat in the study folder and ``coding/``
    (one round, :data:`FLAT_ROUND`), or in round folders ``coding/round-1/``,
    ``coding/round-2/``, ``coding/2025-03-14/`` ... (several rounds, ordered by
    :func:`natural_key`; the last is the analysis). Both at once, an empty round folder,
    a folder inside a round folder or a file of another type under ``coding/`` is a
    :class:`DataError` naming it.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("coding/round-10/b.qdpx", "coding/round-9/a.qdpx", "coding/round-9/c.qdc"):
    ...     (folder / name).parent.mkdir(parents=True, exist_ok=True)
    ...     _ = (folder / name).write_bytes(b"")
    >>> rounds, hidden = coding_rounds(folder)
    >>> [(r.name, [p.name for p in r.projects], [p.name for p in r.codebooks]) for r in rounds]
    [('round-9', ['a.qdpx'], ['c.qdc']), ('round-10', ['b.qdpx'], [])]
    """
    folder = Path(folder)
    flat, flat_books = _files(folder, tuple(PROJECT_READERS)), _files(folder, CODEBOOK_SUFFIXES)
    coding = folder / "coding"
    if not coding.is_dir():
        return (CodingRound(FLAT_ROUND, folder, tuple(flat), tuple(flat_books)),), ()
    projects, books, round_dirs, hidden = _scan_coding_folder(coding, allow_rounds=True)
    if not round_dirs:
        found = sorted(flat + projects, key=lambda p: (p.name, str(p)))
        books = sorted(flat_books + books, key=lambda p: (p.name, str(p)))
        return (CodingRound(FLAT_ROUND, coding, tuple(found), tuple(books)),), tuple(hidden)
    loose = flat + projects + flat_books + books
    if loose:
        raise DataError(loose[0], None, f"coding/ holds round folders ({round_dirs[0].name}, "
                        "...) and this file outside them: put every project in a round "
                        "folder, or use no round folders")
    rounds = []
    for folder_ in sorted(round_dirs, key=lambda p: natural_key(p.name)):
        projects, books, _, more_hidden = _scan_coding_folder(folder_, allow_rounds=False)
        hidden += more_hidden
        if not projects:
            raise DataError(folder_, None, "a round folder with no coding project "
                            f"({', '.join(PROJECT_READERS)})")
        rounds.append(CodingRound(folder_.name, folder_, tuple(projects), tuple(books)))
    names = [natural_key(r.name) for r in rounds]
    if len(set(names)) < len(names):
        twice = next(r for r, k in zip(rounds, names) if names.count(k) > 1)
        raise DataError(twice.folder, None, "two round folders have the same place in the "
                        "order (names differing only in case or leading zeros)")
    return tuple(rounds), tuple(sorted(hidden))


def load_study(folder: os.PathLike | str) -> Study:
    """Find a study's files in ``folder`` and read its ``study.yml`` (see module notes)."""
    folder = Path(folder)
    register = folder / "participants.csv"
    transcripts = folder / "transcripts" if (folder / "transcripts").is_dir() else folder
    rounds, hidden = coding_rounds(folder)
    codebooks = list(rounds[-1].codebooks)
    if (folder / "codebook.yml").is_file():
        codebooks.append(folder / "codebook.yml")
    code_map = folder / "code_map.csv"
    settings = _read_settings(folder / "study.yml")
    return Study(folder=folder, register=register, key=folder / "identifier_key.csv",
                 transcripts=transcripts, projects=rounds[-1].projects,
                 codebooks=tuple(codebooks),
                 code_map=code_map if code_map.is_file() else None, rounds=rounds,
                 skipped=hidden, **settings)


def _yaml(path: Path, read):
    """``read`` (``yaml.compose`` or ``yaml.safe_load``) of a UTF-8 YAML file; bad text or
    YAML is one :class:`DataError` at the line the parser stopped on."""
    import yaml

    try:
        return read(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataError(path, None, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(path, mark.line + 1 if mark else None,
                        f"not valid YAML: {getattr(exc, 'problem', exc)}") from None


def _read_settings(path: Path) -> dict:
    """Check ``study.yml``: plain YAML, known keys, each of the right type."""
    if not path.is_file():
        return {}
    import yaml

    nodes = _yaml(path, yaml.compose)
    doc = _yaml(path, yaml.safe_load)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise DataError(path, 1, "study.yml must be a mapping of keys to values")
    lines: dict = {}
    for k, v in nodes.value:
        lines[k.value] = k.start_mark.line + 1
        if isinstance(v, yaml.MappingNode):
            lines.update({(k.value, kk.value): kk.start_mark.line + 1 for kk, _ in v.value
                          if isinstance(kk, yaml.ScalarNode)})
        elif isinstance(v, yaml.SequenceNode):
            lines.update({(k.value, item.value): item.start_mark.line + 1
                          for item in v.value if isinstance(item, yaml.ScalarNode)})

    def fail(key, reason):
        raise DataError(path, lines.get(key), reason)

    out: dict = {"lines": lines}
    for key, value in doc.items():
        if key not in STUDY_KEYS:
            fail(key, f"unknown key {key!r}: expected {', '.join(STUDY_KEYS)}")
        if key in ("title", "default_coder"):
            if not isinstance(value, str):
                fail(key, f"{key} must be text")
            out[key] = value.strip()
        elif key in ("coders", "roles", "exclude_sources"):
            example = {"coders": "a, b", "roles": "Moderator",
                       "exclude_sources": "P06_removed"}[key]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                      for v in value):
                fail(key, f"{key} must be a list of names, e.g. [{example}]")
            out[key] = tuple(v.strip() for v in value)
        elif key in ("coder_names", "case_attributes"):
            out[key] = _name_map(path, key, value, lines)
        elif key == "parameters":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                fail(key, "parameters must map a notebook name (or 'all') to name: value pairs")
            out[key] = value
    if len(out.get("coders", ())) > 2:
        fail("coders", "coders names the two coders to compare: give at most two")
    return out


def _name_map(path: Path, key: str, value, lines: dict) -> dict:
    """``coder_names`` (user name -> display name) or ``case_attributes`` (register
    column -> case variable): a mapping of names to names."""
    import re

    example = ("{janesmith: coder_a}" if key == "coder_names"
               else "{tier: Tier, position_practice: Role}")
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
            for k, v in value.items()):
        raise DataError(path, lines.get(key), f"{key} must map names to names, e.g. {example}")
    out = {k.strip(): v.strip() for k, v in value.items()}
    if key == "case_attributes":
        for column in out:
            if column in NOT_FROM_CASES or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column):
                raise DataError(path, lines.get((key, column)),
                                f"case_attributes: {column!r} is not a register column a "
                                "case may fill")
    return out


# --------------------------------------------------------------------------- codebook

def read_code_map(path: os.PathLike | str, codes, sst,
                  rules=None) -> dict[str, tuple[str, ...]]:
    """Read ``code_map.csv`` (``code``, ``sst_code``): the researcher's codes -> SST code ids.

    ``code`` is a code id or name of the researcher's codebook ``codes``; ``sst_code``
    an id of the SST codebook ``sst``. A code may stand for several SST codes, one row
    each. Returns ``{code_id: (sst_code_id, ...)}`` in file order. With ``rules`` (the
    identifier key's :class:`analysis.privacy.KeyRules`), a code named as the project
    names it (``Smith codes``) is found under its pseudonymised name or id.
    """
    from .io import read_table, record_lines

    path = Path(path)
    table = read_table(path, required=["code", "sst_code"])
    ids = dict(zip(codes["code_id"], codes["code_id"]))
    ids.update({str(n).strip().casefold(): c for n, c in zip(codes["label"], codes["code_id"])})
    out: dict[str, tuple[str, ...]] = {}
    for line, code, target in zip(record_lines(path, len(table)), table["code"], table["sst_code"]):
        cid = ids.get(code.strip()) or ids.get(code.strip().casefold())
        if cid is None and rules is not None:
            cid = ids.get(rules.ident(code.strip())) or ids.get(
                rules.text(code.strip()).casefold())
        if cid is None:
            raise DataError(path, line, f"code {code!r} is not in the study's codebook")
        if target.strip() not in sst:
            raise DataError(path, line, f"sst_code {target!r} is not an SST code id")
        if target.strip() in out.get(cid, ()):
            raise DataError(path, line, f"code {code!r} is mapped to {target.strip()!r} twice")
        out[cid] = (*out.get(cid, ()), target.strip())
    return out


def _qdc_codes(path: Path) -> list[dict]:
    """Every code of a ``.qdc`` codebook (REFI-QDA codebook exchange), nested codes under
    their parent: ``label, parent, definition, line``."""
    from xml.parsers import expat

    from .refi.container import inner_text, kid, kids, local_name, parse_xml, read_capped

    data = read_capped(path)
    root = parse_xml(data, path, None)
    if local_name(root.tag) != "CodeBook":
        raise DataError(path, 1, f"not a REFI-QDA codebook: the root element is "
                                 f"<{local_name(root.tag)}>, not <CodeBook>")
    # ElementTree keeps no line numbers: a second pass records the line of each <Code>
    lines, scan = [], expat.ParserCreate()
    scan.StartElementHandler = lambda tag, _: (
        lines.append(scan.CurrentLineNumber) if tag.rpartition(":")[2] == "Code" else None)
    scan.Parse(data, True)
    line_of = dict(zip((el for el in root.iter() if local_name(el.tag) == "Code"), lines))
    out, stack = [], [(c, "") for c in reversed(kids(kid(root, "Codes"), "Code"))]
    while stack:
        code, parent = stack.pop()
        name = " ".join((code.get("name") or "").split())
        if not name:
            raise DataError(path, line_of.get(code), "a <Code> has no name")
        out.append({"label": name, "parent": parent, "line": line_of.get(code),
                    "definition": " ".join(inner_text(kid(code, "Description")).split())})
        stack += [(c, name) for c in reversed(kids(code, "Code"))]
    return out


YML_CODE_KEYS = ("id", "name", "label", "parent", "description", "codes")


def _yml_codes(path: Path) -> list[dict]:
    """Every code of a study's ``codebook.yml``: ``code_id, label, parent, definition, line``.

    The file holds a list under ``codes:``; each code is a mapping with ``id`` or
    ``name`` (or both), and optionally ``label``, ``description``, ``parent`` (the id or
    name of another code) and ``codes`` (its child codes, nested the same way).
    """
    import yaml

    root = _yaml(path, yaml.compose)

    def line(node):
        return node.start_mark.line + 1

    def mapping(node) -> dict:
        return {k.value: v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}

    def scalar(key, item):
        value = mapping(item).get(key)
        if value is None:
            return ""
        if not isinstance(value, yaml.ScalarNode):
            raise DataError(path, line(value), f"{key} must be text")
        return " ".join(str(value.value).split())

    items = mapping(root).get("codes")
    if not isinstance(items, yaml.SequenceNode):
        raise DataError(path, line(root) if root is not None else None,
                        "expected a list of codes under 'codes:'")
    out, stack = [], [(item, "") for item in reversed(items.value)]
    while stack:
        item, parent = stack.pop()
        if not isinstance(item, yaml.MappingNode):
            raise DataError(path, line(item), "each code must be a mapping with an id or a name")
        for key, _ in item.value:
            if key.value not in YML_CODE_KEYS:
                raise DataError(path, line(key), f"unknown key {key.value!r}: expected "
                                                 f"{', '.join(YML_CODE_KEYS)}")
        code_id, name = scalar("id", item), scalar("name", item)
        label = scalar("label", item) or name or code_id
        if not label:
            raise DataError(path, line(item), "code has no id or name")
        own_parent = scalar("parent", item)
        if own_parent and parent:
            raise DataError(path, line(item), f"code {label!r} is nested under {parent!r} "
                                              f"and names parent {own_parent!r}: give one")
        out.append({"code_id": code_id, "label": label, "parent": own_parent or parent,
                    "definition": scalar("description", item), "line": line(item)})
        children = mapping(item).get("codes")
        if children is not None:
            if not isinstance(children, yaml.SequenceNode):
                raise DataError(path, line(children), "codes must be a list of codes")
            stack += [(c, code_id or label) for c in reversed(children.value)]
    return out


def unique_id(base: str, taken: set) -> str:
    """``base``, or ``base_2``, ``base_3``... : the first not in ``taken``.

    >>> unique_id("funding", {"funding", "funding_2"})
    'funding_3'
    """
    cid, k = base, 2
    while cid in taken:
        cid, k = f"{base}_{k}", k + 1
    return cid


def study_codebook(imported, layout: Study, sst, origin: dict | None = None, rules=None):
    """The codebook a study's coding is read with, and report rows saying how it was found.

    The shipped SST codebook when every code of the project is in it and the study
    brings no codebook of its own (the demo); otherwise the researcher's codebook:
    the project's ``<CodeBook>``, plus the codes of any ``.qdc`` or ``codebook.yml``,
    every code a theme (``facet="theme"``, so theme views show them all) and its SST
    code ids from ``code_map.csv`` in ``sst_code`` (``|``-joined; empty when unmapped),
    which :func:`analysis.codebook.to_sst` follows for the SST views.

    A code of a ``.qdc`` or ``codebook.yml`` whose name is already a code is the same
    code; if both give it a definition and they differ, that is an error naming both
    files (``origin``: code id -> the project file it came from).

    ``rules`` (the identifier key's :class:`analysis.privacy.KeyRules`) passes the
    names, ids and definitions of those files through the key as the projects' are.

    Returns
    -------
    (Codebook, pandas.DataFrame)
    """
    import pandas as pd

    from .codebook import CODE_COLUMNS, Codebook
    from .paths import relative
    from .refi.qde import slug

    codes = imported.codes
    rows = []
    own = bool(layout.codebooks) or layout.code_map is not None
    if not own and bool(codes["in_codebook"].all()):
        return sst, pd.DataFrame(rows, columns=REPORT_COLUMNS)
    table = pd.DataFrame({"code_id": codes["code_id"], "parent_id": codes["parent_id"],
                          "label": codes["name"], "definition": codes["description"],
                          "colour": codes["colour"], "codable": codes["is_codable"]})
    origin = dict(origin or {})
    for book in layout.codebooks:
        extra = _qdc_codes(book) if book.suffix.lower() == ".qdc" else _yml_codes(book)
        if rules is not None:
            extra = [{**code, "label": rules.text(code["label"]),
                      "definition": rules.text(code["definition"]),
                      "code_id": rules.ident(code.get("code_id") or ""),
                      "parent": rules.text(code["parent"]),
                      "parent_id": rules.ident(code["parent"])}
                     for code in extra]
        by_name = {str(n).casefold(): c for n, c in zip(table["label"], table["code_id"])}
        ids = set(table["code_id"])
        definition = dict(zip(table["code_id"], table["definition"]))
        added = []
        for code in extra:
            same = by_name.get(code["label"].casefold()) or (
                code.get("code_id") if code.get("code_id") in ids else None)
            if same is not None:
                mine, theirs = " ".join(str(definition[same]).split()), code["definition"]
                if mine and theirs and mine != theirs:
                    first = relative(origin.get(same, book))
                    raise DataError(book, code["line"], f"code {code['label']!r} is defined "
                                    f"differently here and in {first}: give it one definition")
                if theirs and not mine:
                    definition[same] = theirs
                continue
            cid = unique_id(code.get("code_id") or slug(code["label"], lower=True) or "code",
                             ids)
            parent_id = ""
            if code["parent"]:
                parent_id = (code["parent"] if code["parent"] in ids
                             else code.get("parent_id") if code.get("parent_id") in ids
                             else by_name.get(code["parent"].casefold()))
                if parent_id is None:
                    raise DataError(book, code["line"], f"code {code['label']!r}: parent "
                                    f"{code['parent']!r} is not a code of the study")
            added.append({"code_id": cid, "parent_id": parent_id, "label": code["label"],
                          "definition": code["definition"], "colour": "", "codable": True})
            ids.add(cid)
            by_name[code["label"].casefold()] = cid
            definition[cid] = code["definition"]
            origin.setdefault(cid, book)
        table["definition"] = table["code_id"].map(definition)
        table = pd.concat([table, pd.DataFrame(added, columns=table.columns)],
                          ignore_index=True)
        rows.append(("info", book.name, "codebook", f"{len(added)} code(s) added"))
    mapping = read_code_map(layout.code_map, table, sst, rules) if layout.code_map else {}
    # the researcher's codes are the study's themes; the SST views reach the SST frame
    # through sst_code (codebook.sst_map, codebook.to_sst)
    table["facet"] = "theme"
    table["sst_component"] = ""
    table["bracket"] = ""
    table["sst_code"] = ["|".join(mapping.get(c, ())) for c in table["code_id"]]
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
    return book, pd.DataFrame(rows, columns=REPORT_COLUMNS)


# --------------------------------------------------------------------------- inputs

def study_inputs(layout: Study, transcripts):
    """Every file of the study the build reads, with its size and SHA-256.

    Parameters
    ----------
    layout : Study
        From :func:`load_study`.
    transcripts : iterable of Path
        The transcripts the register names.

    Returns
    -------
    DataFrame
        ``file`` (relative to the study folder), ``role``, ``round`` (of a coding
        project or codebook), ``bytes``, ``sha256``; a QualCoder ``.qda`` folder is its
        ``data.qda``, a bare ``.qde`` comes with the files of its ``sources/`` folder.
    """
    import pandas as pd

    from .io import sha256_file

    folder = layout.folder
    found = [(layout.register, "register", ""), (layout.key, "identifier key", "")]
    for name, role in (("study.yml", "settings"), ("code_map.csv", "code map"),
                       ("codebook.yml", "codebook"), ("privacy_allowlist.csv", "allowlist")):
        if (folder / name).is_file():
            found.append((folder / name, role, ""))
    found += [(Path(t), "transcript", "") for t in transcripts]
    for rnd in layout.rounds:
        for project in rnd.projects:
            if project.is_dir():
                found.append((project / "data.qda", "coding project", rnd.name))
                continue
            found.append((project, "coding project", rnd.name))
            if project.suffix.lower() == ".qde":
                sources = [p for p in project.parent.iterdir()
                           if p.is_dir() and p.name.casefold() == "sources"]
                found += [(f, "coding project source", rnd.name)
                          for s in sources for f in sorted(s.rglob("*"))
                          if f.is_file() and not f.name.startswith(".")]
        found += [(b, "codebook", rnd.name) for b in rnd.codebooks]
    found += [(p, "not read (hidden file)", "") for p in layout.skipped]
    rows, seen = [], set()
    for path, role, rnd in found:
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        try:
            shown = path.relative_to(folder).as_posix()
        except ValueError:
            shown = path.name
        rows.append((shown, role, rnd, path.stat().st_size, sha256_file(path)))
    return pd.DataFrame(rows, columns=["file", "role", "round", "bytes", "sha256"])
