"""The SST codebook: load, validate, and read its hierarchy and facets as tables.

The codebook lives in ``data/raw/codebook/sst_codebook.yml`` (schema and stem syntax in
the README beside it). :func:`load_codebook` checks it and returns a :class:`Codebook`
whose ``codes`` table has one row per code, in file order, with the hierarchy worked
out (``depth``, ``root_id``, ``path``). :func:`validate_all` returns every problem
instead of stopping at the first, for ``python -m analysis validate``.

Examples
--------
>>> cb = load_codebook()
>>> len(cb.codes)
44
>>> cb.ancestors("sst_int_horizon")
['sst_int_conjspec', 'sst_internal']
>>> cb.codes.set_index("code_id").loc["sst_int_horizon", "path"]
'sst_internal/sst_int_conjspec/sst_int_horizon'
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError

#: facet id -> (label, prefix every code id of the facet starts with)
FACETS = {
    "sst": ("SST component", "sst"),
    "level": ("Level (organisational tier)", "lvl"),
    "position_practice": ("Position-practice", "pp"),
    "theme": ("Substantive theme", "th"),
}
SST_COMPONENTS = ("external", "internal", "agency", "outcomes")
#: Stones's methodological brackets; ``both`` for internal structures as a whole
#: (general-dispositional is conduct, conjuncturally-specific is context).
BRACKETS = ("context", "conduct", "both", "neither")

CODE_FIELDS = ("id", "parent", "label", "facet", "codable", "colour", "definition",
               "inclusion", "exclusion", "indicators", "stems", "noisy_stems")
SST_FIELDS = ("sst_component", "bracket")
TOP_FIELDS = ("version", "description", "sources", "codes")

#: Columns of :attr:`Codebook.codes`, in order.
CODE_COLUMNS = ["code_id", "parent_id", "label", "facet", "codable", "colour",
                "sst_component", "bracket", "definition", "inclusion", "exclusion",
                "indicators", "stems", "noisy_stems", "depth", "root_id", "path"]
LIST_COLUMNS = ("indicators", "stems", "noisy_stems")

CODE_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\Z")
#: lower-case words of letters, digits, hyphen, apostrophe or ``&``, single spaces
#: between words, and an optional final ``*`` for a prefix match.
STEM = re.compile(r"[a-z0-9&'-]+(?: [a-z0-9&'-]+)*\*?\Z")


@dataclass(frozen=True, eq=False)
class Codebook:
    """A validated codebook.

    Attributes
    ----------
    codes : pandas.DataFrame
        One row per code in file order, columns :data:`CODE_COLUMNS`. ``indicators``,
        ``stems`` and ``noisy_stems`` hold tuples; ``sst_component`` and ``bracket``
        are ``""`` outside the sst facet.
    version, description : str
        From the YAML file.
    sources : tuple of dict
        The references the codebook draws on.
    path : str
        The file it came from.
    """

    codes: object
    version: str = ""
    description: str = ""
    sources: tuple = ()
    path: str = ""
    _parent: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_parent", dict(zip(self.codes["code_id"],
                                                     self.codes["parent_id"])))

    def __contains__(self, code_id) -> bool:
        return code_id in self._parent

    @property
    def labels(self) -> dict[str, str]:
        """code_id -> label, in file order (see :func:`labels_of`).

        >>> load_codebook().labels["sst_int_horizon"]
        'Horizon of action'
        """
        return labels_of(self.codes)

    def children(self, code_id: str | None = None) -> list[str]:
        """Direct children of ``code_id`` in file order (the roots when ``None``).

        >>> load_codebook().children("sst_internal")
        ['sst_int_gendisp', 'sst_int_conjspec']
        """
        self._check(code_id, allow_none=True)
        want = "" if code_id is None else code_id
        return [c for c, p in self._parent.items() if p == want]

    def ancestors(self, code_id: str) -> list[str]:
        """Ancestors of ``code_id``, nearest first.

        >>> load_codebook().ancestors("lvl_meso")
        ['lvl']
        """
        self._check(code_id)
        out, parent = [], self._parent[code_id]
        while parent:
            out.append(parent)
            parent = self._parent[parent]
        return out

    def descendants(self, code_id: str) -> list[str]:
        """All codes below ``code_id``, depth first, in file order.

        >>> load_codebook().descendants("sst_internal")
        ['sst_int_gendisp', 'sst_int_conjspec', 'sst_int_horizon']
        """
        self._check(code_id)
        out = []
        for child in self.children(code_id):
            out += [child, *self.descendants(child)]
        return out

    def hierarchy(self):
        """Every (ancestor, code) pair with its distance, codes paired with themselves at 0.

        A closure table: join segments on ``code_id`` to count a code under all of
        its ancestors at once.

        >>> h = load_codebook().hierarchy()
        >>> h[h["code_id"] == "sst_int_horizon"].values.tolist()
        [['sst_int_horizon', 'sst_int_horizon', 0],
         ['sst_int_conjspec', 'sst_int_horizon', 1],
         ['sst_internal', 'sst_int_horizon', 2]]
        """
        import pandas as pd

        rows = [(ancestor, code, distance)
                for code in self.codes["code_id"]
                for distance, ancestor in enumerate([code, *self.ancestors(code)])]
        return pd.DataFrame(rows, columns=["ancestor_id", "code_id", "distance"])

    def facet_table(self):
        """One row per facet: ``facet, label, prefix, n_codes, n_codable, roots``.

        >>> load_codebook().facet_table()[["facet", "n_codes", "n_codable"]]
                       facet  n_codes  n_codable
        0                sst       19         19
        1              level        4          3
        2  position_practice       10          9
        3              theme       11         10
        """
        import pandas as pd

        rows = []
        for facet, (label, prefix) in FACETS.items():
            sub = self.codes[self.codes["facet"] == facet]
            rows.append({"facet": facet, "label": label, "prefix": prefix,
                         "n_codes": len(sub), "n_codable": int(sub["codable"].sum()),
                         "roots": "|".join(sub.loc[sub["depth"] == 0, "code_id"])})
        return pd.DataFrame(rows)

    def codes_table(self):
        """The flat form written to ``data/processed/codes.csv``: lists joined by ``|``.

        >>> load_codebook().codes_table().loc[0, ["code_id", "codable", "stems"]].tolist()[:2]
        ['sst_external', 'true']
        """
        table = self.codes.copy()
        for col in LIST_COLUMNS:
            table[col] = table[col].map("|".join)
        table["codable"] = table["codable"].map({True: "true", False: "false"})
        return table

    def _check(self, code_id, allow_none=False):
        if code_id is None and allow_none:
            return
        if code_id not in self._parent:
            raise KeyError(f"unknown code {code_id!r}")


def labels_of(codes) -> dict[str, str]:
    """code_id -> label of a codes table (a codebook's, or a processed ``codes.csv``).

    A code without a label (an imported project may have one) is shown by its id.

    Parameters
    ----------
    codes : pandas.DataFrame
        With columns ``code_id`` and ``label``.

    Returns
    -------
    dict
        In the table's order.

    Examples
    --------
    >>> import pandas as pd
    >>> labels_of(pd.DataFrame({"code_id": ["th_a", "th_b"], "label": ["Alpha", ""]}))
    {'th_a': 'Alpha', 'th_b': 'th_b'}
    """
    return dict(zip(codes["code_id"], codes["label"].where(codes["label"] != "",
                                                           codes["code_id"])))


def load_codebook(path: os.PathLike | str | None = None) -> Codebook:
    """Load and validate a codebook YAML file.

    Parameters
    ----------
    path : path-like, optional
        Defaults to :data:`analysis.paths.CODEBOOK_YML`.

    Returns
    -------
    Codebook

    Raises
    ------
    DataError
        The first problem found, naming the file and the line of the offending code.
    """
    from .paths import CODEBOOK_YML

    path = Path(path or CODEBOOK_YML)
    doc, errors = _check_file(path)
    if errors:
        raise errors[0]
    return _build(doc, path)


def validate_all(path: os.PathLike | str | None = None) -> list[DataError]:
    """Every problem in a codebook file, in file order (empty when it is valid).

    >>> validate_all()
    []
    """
    from .paths import CODEBOOK_YML

    return _check_file(Path(path or CODEBOOK_YML))[1]


# --------------------------------------------------------------------------- checking

def _check_file(path: Path):
    """Parse and check ``path``; return ``(document, errors)``."""
    import yaml

    from .io import decode_text

    if not path.is_file():
        return None, [DataError(path, None, "codebook file not found")]
    try:
        text = decode_text(path.read_bytes(), path).text
    except DataError as err:
        return None, [err]
    try:
        # anchors and aliases first, from the token stream (linear, nothing expanded):
        # a few hundred bytes of nested aliases would otherwise expand into billions of nodes
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                what = "anchor" if isinstance(token, yaml.AnchorToken) else "alias"
                return None, [DataError(path, token.start_mark.line + 1,
                                        f"YAML {what} refused: write each value out in "
                                        "full (aliases can expand without limit)")]
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [DataError(path, line, f"invalid YAML: {problem}")]
    duplicates = _duplicate_keys(root, path)
    if duplicates:  # YAML keeps the last value silently: refuse rather than guess
        return None, duplicates
    if not isinstance(doc, dict) or not isinstance(root, yaml.MappingNode):
        return None, [DataError(path, 1, "a codebook is a mapping with "
                                         f"{', '.join(TOP_FIELDS)}")]
    errors = []
    top = _mapping_lines(root)
    for key in TOP_FIELDS:
        if key not in doc:
            errors.append(DataError(path, 1, f"missing top-level field {key!r}"))
    for key in doc:
        if key not in TOP_FIELDS:
            errors.append(DataError(path, top.get(str(key), 1),
                                    f"unknown top-level field {key!r}"))
    for key in ("version", "description"):
        if key in doc and not (isinstance(doc[key], str) and doc[key].strip()):
            errors.append(DataError(path, top.get(key), f"{key} must be a non-empty text"))
    if "sources" in doc and not isinstance(doc["sources"], list):
        errors.append(DataError(path, top.get("sources"), "sources must be a list"))
    codes = doc.get("codes")
    if not isinstance(codes, list) or not codes:
        errors.append(DataError(path, top.get("codes", 1), "codes must be a non-empty list"))
        return doc, errors
    code_nodes = _value_node(root, "codes").value
    errors += _check_codes(path, codes, code_nodes)
    return doc, errors


def _check_codes(path, codes, nodes) -> list[DataError]:
    """Every code's own fields, then the relations between codes; errors by line."""
    import yaml

    errors = []
    line_of: dict[str, int] = {}  # the line of each id's (first) definition
    valid: dict[str, dict] = {}
    for code, node in zip(codes, nodes):
        line = node.start_mark.line + 1
        if not isinstance(code, dict) or not isinstance(node, yaml.MappingNode):
            errors.append(DataError(path, line, "each code must be a mapping of fields"))
            continue
        cid = _check_code(path, code, node, line, line_of, errors)
        if cid is not None:
            line_of[cid] = line
            valid[cid] = code
    errors += _check_parents(path, valid, line_of)
    errors += _check_cycles(path, valid, line_of)
    return sorted(errors, key=lambda e: e.line if isinstance(e.line, int) else 0)


def _check_code(path, code: dict, node, line: int, line_of: dict[str, int],
                errors: list[DataError]) -> str | None:
    """Check one code's fields, appending to ``errors``; its id when the id is usable
    (well formed and not seen before)."""
    keys = _mapping_lines(node)
    cid = code.get("id")
    name = f"code {cid!r}" if isinstance(cid, str) else "code"

    def err(key, reason, item_line=None):
        errors.append(DataError(path, item_line or keys.get(key, line), f"{name}: {reason}"))

    _check_field_names(code, node, err)
    if not (isinstance(cid, str) and CODE_ID.match(cid)):
        err("id", "id must be lower-case letters, digits and underscores, "
                  "starting with a letter")
        return None
    if cid in line_of:
        err("id", f"duplicate id (first defined on line {line_of[cid]})")
        return None
    _check_values(code, cid, err)
    _check_lists(code, node, err)
    return cid


def _check_field_names(code: dict, node, err) -> None:
    """No field twice, none unknown, the SST fields only on SST codes, none missing."""
    names = [str(k.value) for k, _ in node.value]
    for key in sorted({k for k in names if names.count(k) > 1}):
        err(key, f"field {key!r} given twice")
    is_sst = code.get("facet") == "sst"
    allowed = CODE_FIELDS + SST_FIELDS
    for key in map(str, code):
        if key not in allowed:
            err(key, f"unknown field {key!r}")
        elif key in SST_FIELDS and not is_sst:
            err(key, f"{key} belongs only to codes of the sst facet")
    missing = [k for k in CODE_FIELDS + (SST_FIELDS if is_sst else ()) if k not in code]
    if missing:
        err(None, f"missing field(s) {', '.join(missing)}")


def _check_values(code: dict, cid: str, err) -> None:
    """The facet (and the id's prefix it asks for), parent, texts, codable, colour and
    the SST fields."""
    facet = code.get("facet")
    if not isinstance(facet, str) or facet not in FACETS:
        err("facet", f"unknown facet {facet!r}; expected one of {', '.join(FACETS)}")
    elif not cid.startswith(FACETS[facet][1]):
        err("id", f"ids of facet {facet} start with {FACETS[facet][1]!r}")
    parent = code.get("parent")
    if parent is not None and not isinstance(parent, str):
        err("parent", "parent must be a code id or null")
    for key in ("label", "definition", "inclusion", "exclusion"):
        if key in code and not (isinstance(code[key], str) and code[key].strip()):
            err(key, f"{key} must be a non-empty text")
    if "codable" in code and not isinstance(code["codable"], bool):
        err("codable", "codable must be true or false")
    colour = code.get("colour")
    if "colour" in code and not (isinstance(colour, str) and COLOUR.match(colour)):
        err("colour", f"colour {colour!r} is not of the form #RRGGBB")
    if facet == "sst":
        if code.get("sst_component") not in SST_COMPONENTS:
            err("sst_component", f"sst_component must be one of {', '.join(SST_COMPONENTS)}")
        if code.get("bracket") not in BRACKETS:
            err("bracket", f"bracket must be one of {', '.join(BRACKETS)}")


def _check_lists(code: dict, node, err) -> None:
    """Indicators and stems: lists of texts, stems well formed, none twice, none on a
    code that is not codable."""
    lists_ok = True
    for key in LIST_COLUMNS:
        value = code.get(key, [])
        if not isinstance(value, list):
            err(key, f"{key} must be a list")
            lists_ok = False
            continue
        items = _value_node(node, key)
        for i, item in enumerate(value):
            item_line = items.value[i].start_mark.line + 1 if items is not None else None
            if not isinstance(item, str) or not item.strip() or "|" in item:
                err(key, f"{key} entry {item!r} must be a non-empty text without '|'",
                    item_line)
            elif key != "indicators" and not STEM.match(item):
                err(key, f"malformed stem {item!r}: lower-case letters, digits, "
                         "spaces, - ' & only, with an optional final *", item_line)
    if lists_ok:
        stems = list(code.get("stems", [])) + list(code.get("noisy_stems", []))
        dups = sorted({s for s in stems if stems.count(s) > 1 and isinstance(s, str)})
        if dups:
            err("stems", f"stem(s) listed twice: {', '.join(dups)}")
        if code.get("codable") is False and (stems or code.get("indicators")):
            err("stems", "a code that is not codable carries no stems or indicators")


def _check_parents(path, valid: dict[str, dict], line_of: dict[str, int]) -> list[DataError]:
    """Each parent is a code of the codebook, of the same facet (and SST component)."""
    errors = []
    for cid, code in valid.items():
        parent = code.get("parent")
        here = line_of[cid]
        if isinstance(parent, str):
            if parent not in valid:
                errors.append(DataError(path, here, f"code {cid!r}: parent {parent!r} "
                                                    "is not a code of this codebook"))
            elif valid[parent].get("facet") != code.get("facet"):
                errors.append(DataError(path, here, f"code {cid!r}: facet differs from "
                                                    f"that of its parent {parent!r}"))
            elif (code.get("facet") == "sst"
                  and valid[parent].get("sst_component") != code.get("sst_component")):
                errors.append(DataError(path, here, f"code {cid!r}: sst_component differs "
                                                    f"from that of its parent {parent!r}"))
    return errors


def _check_cycles(path, valid: dict[str, dict], line_of: dict[str, int]) -> list[DataError]:
    """No code is its own ancestor."""
    errors = []
    for cid in valid:
        chain, node = [cid], valid[cid].get("parent")
        while isinstance(node, str) and node in valid and node not in chain:
            chain.append(node)
            node = valid[node].get("parent")
        if node == cid:
            # Report each cycle once, at the code of the cycle that comes first in the file.
            if cid == min(chain, key=line_of.get):
                errors.append(DataError(path, line_of[cid], "cycle in parents: "
                                        + " -> ".join(chain + [cid])))
    return errors


def _duplicate_keys(root, path: Path) -> list[DataError]:
    """A key repeated in one mapping, anywhere in the document, at its second line."""
    import yaml

    errors, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        errors.append(DataError(path, line, f"duplicate key {key.value!r} "
                                                            f"(first on line {seen[key.value]})"))
                    seen.setdefault(key.value, line)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(errors, key=lambda e: e.line)


def _mapping_lines(node) -> dict:
    """Key -> 1-based line of each key of a YAML mapping node."""
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _value_node(node, key):
    for k, v in node.value:
        if str(k.value) == key:
            return v
    return None


# --------------------------------------------------------------------------- building

def _build(doc: dict, path: Path) -> Codebook:
    import pandas as pd

    from .paths import relative

    rows = []
    for code in doc["codes"]:
        rows.append({
            "code_id": code["id"], "parent_id": code["parent"] or "",
            "label": code["label"].strip(), "facet": code["facet"],
            "codable": code["codable"], "colour": code["colour"].upper(),
            "sst_component": code.get("sst_component", ""),
            "bracket": code.get("bracket", ""),
            "definition": _squash(code["definition"]), "inclusion": _squash(code["inclusion"]),
            "exclusion": _squash(code["exclusion"]),
            **{col: tuple(code[col]) for col in LIST_COLUMNS},
        })
    codes = pd.DataFrame(rows)
    parent = dict(zip(codes["code_id"], codes["parent_id"]))
    lineage = []
    for cid in codes["code_id"]:
        chain = [cid]
        while parent[chain[-1]]:
            chain.append(parent[chain[-1]])
        lineage.append(chain[::-1])
    codes["depth"] = [len(chain) - 1 for chain in lineage]
    codes["root_id"] = [chain[0] for chain in lineage]
    codes["path"] = ["/".join(chain) for chain in lineage]
    return Codebook(codes=codes[CODE_COLUMNS], version=str(doc["version"]),
                    description=_squash(doc["description"]),
                    sources=tuple(doc.get("sources") or ()), path=relative(path))


def _squash(text: str) -> str:
    return " ".join(str(text).split())


# --------------------------------------------------------------------------- command line

def main(argv: list[str]) -> int:
    """``check [FILE]`` reports every problem; ``table [FILE] --out CSV`` writes codes.csv."""
    from .io import write_table

    parser = argparse.ArgumentParser(prog="python -m analysis codebook",
                                     description="check the SST codebook or write it as a table")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="report every problem in the codebook")
    check.add_argument("file", nargs="?")
    table = sub.add_parser("table", help="write the flat codes table (codes.csv)")
    table.add_argument("file", nargs="?")
    table.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "check":
        errors = validate_all(args.file)
        for err in errors:
            print(f"error: {err}", file=sys.stderr)
        return 2 if errors else 0
    write_table(load_codebook(args.file).codes_table(), args.out, CODE_COLUMNS)
    return 0


# --------------------------------------------------------------------------- SST views

def sst_map(codes):
    """Pairs (``code_id``, ``sst_code``): each code of a study onto the SST code ids it stands for.

    A study's own codebook (``codes.csv`` with an ``sst_code`` column, filled from its
    ``code_map.csv``; several ids joined by ``|``) maps only the codes listed there. The
    shipped SST codebook (no ``sst_code`` column) maps every code onto itself.

    >>> import pandas as pd
    >>> own = pd.DataFrame({"code_id": ["money", "autonomy", "fun"],
    ...                     "sst_code": ["th_funding", "sst_agency|th_local_ownership", ""]})
    >>> sst_map(own).values.tolist()
    [['money', 'th_funding'], ['autonomy', 'sst_agency'], ['autonomy', 'th_local_ownership']]
    >>> sst_map(pd.DataFrame({"code_id": ["sst_agency"]})).values.tolist()
    [['sst_agency', 'sst_agency']]
    """
    import pandas as pd

    if "sst_code" not in codes.columns:
        ids = codes["code_id"].astype(str)
        return pd.DataFrame({"code_id": ids.to_numpy(), "sst_code": ids.to_numpy()})
    pairs = [(str(c), t) for c, targets in zip(codes["code_id"], codes["sst_code"].fillna(""))
             for t in dict.fromkeys(str(targets).split("|")) if t]
    return pd.DataFrame(pairs, columns=["code_id", "sst_code"])


def to_sst(segments, code_map, code: str = "code_id"):
    """The segments translated into SST code ids through ``code_map``, for the SST views.

    Parameters
    ----------
    segments : DataFrame
        Coded segments with a ``code`` column of the study's code ids.
    code_map : DataFrame
        ``code_id, sst_code`` pairs (:func:`sst_map`).
    code : str
        The segments' code column.

    Returns
    -------
    DataFrame
        One row per (segment, SST code) pair, in segment order: a segment whose code
        maps onto two SST codes appears twice, a segment whose code maps onto none is
        left out (:func:`unmapped_coding` counts those). ``code`` holds the SST id;
        ``study_code_id`` the study's own code.

    Examples
    --------
    >>> import pandas as pd
    >>> seg = pd.DataFrame({"segment_id": ["s1", "s2", "s3"],
    ...                     "code_id": ["autonomy", "fun", "money"]})
    >>> pairs = pd.DataFrame({"code_id": ["money", "autonomy", "autonomy"],
    ...                       "sst_code": ["th_funding", "sst_agency", "th_local_ownership"]})
    >>> to_sst(seg, pairs)
      segment_id          code_id study_code_id
    0         s1       sst_agency      autonomy
    1         s1  th_local_ownership      autonomy
    2         s3       th_funding         money
    """
    seg = segments.reset_index(drop=True)
    pairs = code_map[["code_id", "sst_code"]].astype(str).drop_duplicates()
    pairs = pairs.rename(columns={"code_id": "_study", "sst_code": "_sst"})
    out = (seg.assign(_row=range(len(seg)), _study=seg[code].astype(str))
           .merge(pairs, on="_study", how="inner")
           .sort_values("_row", kind="stable"))
    out["study_code_id"] = out[code]
    out[code] = out["_sst"]
    return out.drop(columns=["_row", "_study", "_sst"]).reset_index(drop=True)


def unmapped_coding(segments, code_map, code: str = "code_id"):
    """How much of the coding the SST views cannot show: one row.

    Returns ``n_segments, n_mapped, n_unmapped, share_unmapped``: coded segments, those
    whose code maps onto at least one SST code, those whose code maps onto none, and
    ``n_unmapped / n_segments`` (NaN with no segments).

    >>> import pandas as pd
    >>> seg = pd.DataFrame({"code_id": ["autonomy", "fun", "money", "fun"]})
    >>> pairs = pd.DataFrame({"code_id": ["money", "autonomy"],
    ...                       "sst_code": ["th_funding", "sst_agency"]})
    >>> unmapped_coding(seg, pairs)
       n_segments  n_mapped  n_unmapped  share_unmapped
    0           4         2           2             0.5
    """
    import pandas as pd

    mapped = segments[code].astype(str).isin(set(code_map["code_id"].astype(str)))
    n, n_mapped = len(segments), int(mapped.sum())
    return pd.DataFrame({"n_segments": [n], "n_mapped": [n_mapped],
                         "n_unmapped": [n - n_mapped],
                         "share_unmapped": [(n - n_mapped) / n if n else float("nan")]})


def describe_unmapped(summary, who: str = "") -> str:
    """One labelled sentence for a notebook: the share of the coding with no SST mapping.

    >>> import pandas as pd
    >>> describe_unmapped(pd.DataFrame({"n_segments": [4], "n_mapped": [2],
    ...                                 "n_unmapped": [2], "share_unmapped": [0.5]}), "sam")
    'Unmapped coding (sam): 2 of 4 coded segments (50%) use codes with no SST mapping (code_map.csv); the SST views show the other 2.'
    """
    row = summary.iloc[0]
    n, unmapped = int(row["n_segments"]), int(row["n_unmapped"])
    label = f"Unmapped coding ({who})" if who else "Unmapped coding"
    if n == 0:
        return f"{label}: there are no coded segments, so there is no SST view."
    return (f"{label}: {unmapped} of {n} coded segments ({unmapped / n:.0%}) use codes with "
            f"no SST mapping (code_map.csv); the SST views show the other {n - unmapped}.")
