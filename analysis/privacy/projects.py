"""What a coding project brings, passed through the identifier key before anything is
written: coder names, code and category names and ids, descriptions and memos, source
and case names, variables and their values, and the import report about them.

A coding project is read into tables (``analysis.refi.RefiProject``: codes, sources,
segments, memos, cases, report) and the texts of its sources. Every text of every table
passes through the key with the rules transcripts pass through
(:func:`~analysis.privacy.pseudonymise`: every spelling of an entry, ``janesmith`` and
``Jane_Smith`` for ``Jane Smith`` included). Nothing here knows the columns by name but
one convention: a column whose name ends in ``_id`` or ``_ids`` (``|``-joined), or
``guid``, holds ids, which must stay usable as ids and equal across tables. An id takes
the key's replacement made into an id (``[Person A]`` -> ``Person_A``; all lower case
when the id was), so ``smith_codes`` becomes ``person_b_codes`` in ``code_id``,
``parent_id`` and ``segments.code_id`` alike, and on every rebuild; where a line of the
import report (the table ``report``) names an id, it names the new one. A table or
column added to a project later is covered without a change here.

The texts of the sources are not changed: the build carries the coding made on them onto
the pseudonymised transcripts (:func:`~analysis.privacy.remap_spans`); only their keys
(source ids) follow the id rule.

Examples
--------
>>> import pandas as pd
>>> from dataclasses import dataclass
>>> @dataclass
... class Project:
...     codes: object
...     segments: object
...     texts: dict
>>> project = Project(
...     codes=pd.DataFrame({"code_id": ["smith_codes", "funding"],
...                         "parent_id": ["", "smith_codes"],
...                         "name": ["Smith codes", "Funding"],
...                         "description": ["Jane's first pass", ""]}),
...     segments=pd.DataFrame({"source_id": ["P01"], "code_id": ["funding"],
...                            "start": [0], "end": [4], "coder": ["janesmith"]}),
...     texts={"P01": "Cuts, said Jane."})
>>> key = {"Jane Smith": "[Person A]", "Smith": "[Surname A]", "Jane": "[Name A]"}
>>> new, rows = pseudonymise_project(project, key)
>>> new.codes.values.tolist()  # doctest: +NORMALIZE_WHITESPACE
[['surname_a_codes', '', '[Surname A] codes', "[Name A]'s first pass"],
 ['funding', 'surname_a_codes', 'Funding', '']]
>>> new.segments["coder"].tolist(), new.texts
(['[Person A]'], {'P01': 'Cuts, said Jane.'})
>>> rows[0][3].split(": ")[1].split(", ")
['codes.code_id 1', 'codes.parent_id 1', 'codes.name 1', 'codes.description 1', 'segments.coder 1']
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Mapping

from .keys import key_matcher, normalise_entry, normalise_text
from .pseudonymisation import pseudonymise

__all__ = ["KeyRules", "pseudonymise_project", "is_id_column"]

_QUOTED = re.compile(r"'([^'\s]+)'")


def _id_part(replacement: str) -> str:
    """A replacement as it may stand in an id: ASCII letters, digits and ``_``."""
    plain = unicodedata.normalize("NFKD", replacement).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_") or "x"


def is_id_column(name: str) -> bool:
    """Whether a column holds ids (``*_id``, ``*_ids`` joined by ``|``, ``guid``).

    >>> [is_id_column(c) for c in ("code_id", "source_ids", "target_guid", "name")]
    [True, True, True, False]
    """
    return name.endswith(("_id", "_ids", "guid"))


class KeyRules:
    """One identifier key's two rules: for text (:meth:`text`) and for ids (:meth:`ident`).

    Parameters
    ----------
    key : pandas.DataFrame or mapping
        A key from :func:`~analysis.privacy.load_key` or ``{original: replacement}``.

    Examples
    --------
    >>> rules = KeyRules({"Jane Smith": "[Person A]"})
    >>> rules.text("coded by janesmith"), rules.ident("Jane_Smith_notes-0001")
    ('coded by [Person A]', 'Person_A_notes-0001')
    >>> rules.matches("coder_a"), rules.matches("JANE SMITH")
    (False, True)
    """

    def __init__(self, key):
        if isinstance(key, Mapping):
            pairs = [(str(o).strip(), str(r).strip()) for o, r in key.items()]
        else:
            pairs = list(zip(key["original"], key["replacement"]))
        # pairs made once: pseudonymise() takes them as they are
        self.pairs = tuple(pairs)
        self.id_pairs = tuple((o, _id_part(r)) for o, r in pairs)
        self._rx = key_matcher(tuple(normalise_entry(o) for o, _ in pairs))[0] if pairs else None
        self._text: dict[str, str] = {}
        self._ident: dict[str, str] = {}

    def matches(self, value: str) -> bool:
        """Whether any key entry occurs in ``value`` (as the pseudonymiser finds them)."""
        return self._rx is not None and self._rx.search(normalise_text(value)) is not None

    def text(self, value: str) -> str:
        """``value`` with every key entry replaced (:func:`~analysis.privacy.pseudonymise`)."""
        if value not in self._text:
            self._text[value] = (pseudonymise(value, self.pairs).text
                                 if self.matches(value) else value)
        return self._text[value]

    def ident(self, value: str) -> str:
        """``value`` as an id: each key entry replaced by its replacement made an id;
        the whole in lower case when ``value`` was (``smith_codes`` -> ``person_b_codes``)."""
        if value not in self._ident:
            new = value
            if self.matches(value):
                new = pseudonymise(value, self.id_pairs).text
                new = new.lower() if value == value.lower() else new
            self._ident[value] = new
        return self._ident[value]


def _id_values(table, column):
    values = table[column].dropna()
    values = values[values.map(lambda v: isinstance(v, str))]
    if column.endswith("_ids"):
        return {part for joined in values for part in joined.split("|")}
    return set(values)


def _is_text(series) -> bool:
    import pandas as pd

    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _text_columns(table):
    return [c for c in table.columns if _is_text(table[c])]


def pseudonymise_project(project, key, item: str = "coding project"):
    """Every text of every table of ``project`` through the key; the ids by the id rule.

    Parameters
    ----------
    project : dataclass
        A coding project as read (``analysis.refi.RefiProject``): each field that is a
        DataFrame is a table; a dict field maps source ids to texts (its keys follow the
        id rule; the texts are left to the carry-over); a str field is text.
    key : pandas.DataFrame, mapping or KeyRules
        The study's identifier key.
    item : str
        What the report rows name (the project's file name, itself pseudonymised).

    Returns
    -------
    (project, list of tuple)
        A new project of the same type, and import-report rows
        ``(level, item, what, detail)``: one naming each column in which the key
        changed something, with the number of values changed (never the values).

    Notes
    -----
    Ids are changed consistently over the whole project: one map from each id to its
    new form, also applied where a line of the import report (the field ``report``) is
    an id or quotes one (``imported as 'smith_codes'``). Two ids that would become one (``jane_smith`` and ``janesmith``), or an id
    that would become one the project already has, take ``_2``, ``_3``... in sorted
    order of the old ids, so the same project and key give the same ids on every build.
    """
    import pandas as pd

    rules = key if isinstance(key, KeyRules) else KeyRules(key)
    fields = [(f.name, getattr(project, f.name)) for f in dataclasses.fields(project)]
    tables = {n: v for n, v in fields if isinstance(v, pd.DataFrame)}

    ids: set[str] = set()
    for table in tables.values():
        for column in table.columns:
            if is_id_column(column) and _is_text(table[column]):
                ids |= _id_values(table, column)
    for _, value in fields:
        if isinstance(value, dict):
            ids |= {k for k in value if isinstance(k, str)}
    changed = sorted(i for i in ids if rules.ident(i) != i)
    taken = ids - set(changed)
    id_map = {}
    for old in changed:
        new, k = rules.ident(old), 2
        base = new
        while new in taken:
            new, k = f"{base}_{k}", k + 1
        taken.add(new)
        id_map[old] = new

    def as_id(value):
        return id_map.get(value, value) if isinstance(value, str) else value

    def as_ids(value):
        return "|".join(as_id(p) for p in value.split("|")) if isinstance(value, str) else value

    def as_text(value):
        return rules.text(value) if isinstance(value, str) else value

    def as_message(value):
        # the report names ids: whole ("P01_Jane_txt", "source variable") or quoted
        # ("imported as 'smith_codes'"); they are the ids the project now has
        if not isinstance(value, str):
            return value
        if value in id_map:
            return id_map[value]
        if id_map and "'" in value:
            value = _QUOTED.sub(lambda m: f"'{id_map.get(m.group(1), m.group(1))}'", value)
        return rules.text(value)

    changes, updates = [], {}
    for name, value in fields:
        if isinstance(value, pd.DataFrame):
            table = value.copy()
            for column in _text_columns(table):
                rule = (as_ids if column.endswith("_ids") else
                        as_id if is_id_column(column) else
                        as_message if name == "report" else as_text)
                distinct = table[column].drop_duplicates()
                new = {v: rule(v) for v in distinct if isinstance(v, str)}
                moved = {v: n for v, n in new.items() if n != v}
                if not moved:
                    continue
                count = int(table[column].isin(list(moved)).sum())
                table[column] = table[column].map(lambda v: moved.get(v, v)
                                                  if isinstance(v, str) else v)
                changes.append(f"{name}.{column} {count}")
            updates[name] = table
        elif isinstance(value, dict):
            updates[name] = {as_id(k): v for k, v in value.items()}
        elif isinstance(value, str):
            updates[name] = rules.text(value)
    rows = [("info", rules.text(item), "passed through the identifier key",
             "values changed: " + ", ".join(changes))] if changes else []
    return dataclasses.replace(project, **updates), rows
