"""Offline text analysis of the document corpus: tokens, stems, keyword in context,
term frequencies, keyness and collocations.

Nothing here downloads data. Tokens come from one regular expression (words, numbers,
and words joined by an internal hyphen or apostrophe); stems from NLTK's Porter or
Snowball stemmers, which need no corpora; stop words from the project's own list in
``analysis/resources/stopwords_en.txt``; collocations from NLTK's collocation finders.

An :class:`Index` is built once over a corpus: one array of term ids for all tokens,
their documents and character offsets, and an inverted index (term -> token
positions) held as two NumPy arrays. Keyword-in-context, frequency and keyness queries
then run as array operations instead of scanning the text again.

Offsets are Unicode code points into the texts given, 0-based and end-exclusive, the
same convention as the segments table.

Examples
--------
>>> idx = build_index({"d1": "Local choice, national standards.", "d2": "National care."})
>>> keyword_in_context(idx, ["national"], width=8)[["document", "offset", "left", "match"]]
  document  offset      left     match
0       d1      14  choice,   national
1       d2       0            National
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import paths
from .schema import check_choice

__all__ = [
    "TOKEN_PATTERN", "tokenize", "stem", "stopwords", "Index", "build_index",
    "keyword_in_context", "term_counts", "term_frequencies", "keyness", "keywords",
    "collocations",
]

#: A token: letters or digits, optionally joined by one internal hyphen or apostrophe
#: ("paper-free", "patient's", "don't"). Punctuation and underscores separate tokens.
TOKEN_PATTERN = r"[^\W_]+(?:['\u2019\-][^\W_]+)*"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
#: A key-term candidate: letters only, joined by internal hyphens or apostrophes.
_WORD = r"[^\W\d_]+(?:['\-][^\W\d_]+)*"
_SPLIT_RE = re.compile(f"({TOKEN_PATTERN})")


def _spans(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Tokens of ``text`` with start and end offsets, computed without a Python loop.

    ``re.split`` with a capturing group alternates gaps and tokens, so cumulative
    lengths give every offset; this is several times faster than ``finditer``.
    """
    parts = _SPLIT_RE.split(text)
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    ends_all = np.cumsum(lengths)
    ends = ends_all[1::2]
    starts = ends - lengths[1::2]
    return parts[1::2], starts, ends


def _normalise(text: str) -> str:
    """Lower case with a straight apostrophe: the form tokens are counted in."""
    return text.lower().replace("\u2019", "'")


def tokenize(text: str, lower: bool = False) -> list[tuple[str, int, int]]:
    """Split a text into word tokens with their offsets.

    Parameters
    ----------
    text : str
    lower : bool
        Return tokens lower-cased with the typographic apostrophe made straight (the
        form the index counts); offsets still point into ``text``.

    Returns
    -------
    list of (token, start, end)
        ``text[start:end]`` is the token as written.

    Examples
    --------
    >>> tokenize("Paper-free care, by 2020.")
    [('Paper-free', 0, 10), ('care', 11, 15), ('by', 17, 19), ('2020', 20, 24)]
    >>> tokenize("The NHS\u2019s data", lower=True)[1]
    ("nhs's", 4, 9)
    """
    tokens, starts, ends = _spans(text)
    if lower:
        tokens = [_normalise(t) for t in tokens]
    return list(zip(tokens, starts.tolist(), ends.tolist()))


@functools.lru_cache(maxsize=None)
def _stemmer(algorithm: str):
    from nltk.stem import PorterStemmer, SnowballStemmer

    if algorithm == "porter":
        return PorterStemmer()
    if algorithm == "snowball":
        return SnowballStemmer("english")
    raise ValueError(f"unknown stemmer {algorithm!r}: expected 'porter' or 'snowball'")


def stem(words: Iterable[str], algorithm: str = "porter") -> list[str]:
    """Stem words with NLTK's Porter (default) or English Snowball stemmer.

    Both are rule-based and need no downloaded data. Words are lower-cased first.

    >>> stem(["governance", "governing", "records", "interoperability"])
    ['govern', 'govern', 'record', 'interoper']
    >>> stem(["generously"], algorithm="snowball")
    ['generous']
    """
    stemmer = _stemmer(algorithm)
    return [stemmer.stem(_normalise(w)) for w in words]


@functools.lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """The project's English stop words (``analysis/resources/stopwords_en.txt``).

    >>> {"the", "of", "nhs", "not"} & stopwords() == {"the", "of"}
    True
    """
    lines = (paths.RESOURCES / "stopwords_en.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@dataclass(eq=False)
class Index:
    """Token arrays and an inverted index over a corpus; build with :func:`build_index`.

    Attributes
    ----------
    documents : pandas.DataFrame
        One row per document, in document-number order (sorted ids): ``document``,
        ``n_words``, ``n_chars`` and any metadata columns given (e.g. ``era``).
    vocabulary : numpy.ndarray
        The normalised term of each term id.
    term_ids, doc_of, starts, ends : numpy.ndarray
        Per token, in corpus order: term id, document number, and offsets in its text.
    chars, char_base : numpy.ndarray
        Every text's code points, concatenated in document order, as contexts show
        them (tabs and line breaks as spaces), in the smallest unsigned integer type
        that holds them; and where each document starts in them.
    """

    documents: pd.DataFrame
    vocabulary: np.ndarray
    term_ids: np.ndarray
    doc_of: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    chars: np.ndarray  # every text's code points as contexts show them (uint8, 16 or 32)
    char_base: np.ndarray  # offset of each document in ``chars``
    _lookup: dict = field(repr=False)
    _postings: tuple = field(repr=False)
    _stems: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.term_ids)

    def term_id(self, term: str) -> int:
        """The id of a normalised term, or -1 when it does not occur."""
        return self._lookup.get(term, -1)

    def positions(self, term_id: int) -> np.ndarray:
        """Token positions of a term id, in corpus order."""
        order, ptr = self._postings
        return order[ptr[term_id]:ptr[term_id + 1]]

    def stem_ids(self, algorithm: str = "porter") -> tuple[np.ndarray, dict]:
        """Per term id its stem id, and stem -> stem id (computed once per stemmer)."""
        if algorithm not in self._stems:
            stems = stem(self.vocabulary.tolist(), algorithm)
            codes, uniques = pd.factorize(pd.Series(stems, dtype=object))
            self._stems[algorithm] = (codes.astype(np.int32),
                                      {s: i for i, s in enumerate(uniques)})
        return self._stems[algorithm]


def _csr(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Group positions by key: positions of key k are order[ptr[k]:ptr[k + 1]]."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n_keys), out=ptr[1:])
    return order, ptr


def _doc_tokens(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The normalised tokens of one text with their offsets into it."""
    lowered = _normalise(text)
    # Lower-casing can change the length of a few characters (e.g. U+0130); only
    # then tokenise the original and lower each token.
    if len(lowered) == len(text):
        return _spans(lowered)
    toks, s, e = _spans(text)
    return [_normalise(t) for t in toks], s, e


def build_index(texts: Mapping[str, str] | pd.Series,
                metadata: pd.DataFrame | None = None) -> Index:
    """Tokenise a corpus once and index it.

    Parameters
    ----------
    texts : mapping or Series
        Document id -> text.
    metadata : DataFrame, optional
        Indexed by document id; its columns (e.g. ``era``, ``date``) are copied into
        ``Index.documents`` so that frequencies can be grouped by them.

    Returns
    -------
    Index

    Examples
    --------
    >>> idx = build_index({"b": "Data saves lives.", "a": "Data, data."})
    >>> idx.documents[["document", "n_words"]].to_dict("list")
    {'document': ['a', 'b'], 'n_words': [2, 3]}
    >>> idx.positions(idx.term_id("data")).tolist()
    [0, 1, 2]
    """
    texts = dict(texts)
    doc_ids = sorted(texts)
    n_chars = np.array([len(texts[d]) for d in doc_ids], dtype=np.int64)
    char_base = np.concatenate([[0], np.cumsum(n_chars)]).astype(np.int64)
    # One document at a time, into arrays allocated once: the strings of a document's
    # tokens are dropped once numbered (a list of every token of a large corpus takes
    # hundreds of megabytes), and no per-document pieces wait to be concatenated. The
    # token arrays are sized for the most tokens the texts can hold (a token and a
    # separator per two characters); the pages never written take no memory.
    chars, encoding = _code_points([texts[d] for d in doc_ids])
    most = int(((n_chars + 1) // 2).sum())
    term_ids = np.empty(most, dtype=np.int32)
    starts, ends = np.empty(most, dtype=np.int64), np.empty(most, dtype=np.int64)
    counts = np.zeros(len(doc_ids), dtype=np.int64)
    # terms numbered in order of first appearance in the corpus (document order)
    lookup: dict[str, int] = {}
    at = 0
    for d, doc in enumerate(doc_ids):
        text = texts[doc]
        points = chars[char_base[d]:char_base[d + 1]]
        points[:] = np.frombuffer(text.encode(encoding), dtype=chars.dtype)
        points[(points == 10) | (points == 13) | (points == 9)] = 32  # as contexts show them
        toks, s, e = _doc_tokens(text)
        n = counts[d] = len(toks)
        local, distinct = pd.factorize(np.array(toks, dtype=object))
        number = np.array([lookup.setdefault(t, len(lookup)) for t in distinct.tolist()],
                          dtype=np.int32)
        term_ids[at:at + n] = number[local]
        starts[at:at + n], ends[at:at + n] = s, e
        at += n
    term_ids, starts, ends = term_ids[:at], starts[:at], ends[:at]
    vocabulary = np.empty(len(lookup), dtype=object)
    vocabulary[:] = list(lookup)
    documents = pd.DataFrame({"document": pd.Series(doc_ids, dtype=object),
                              "n_words": counts, "n_chars": n_chars})
    if metadata is not None:
        extra = metadata.reindex(doc_ids)
        for col in extra.columns:
            if col not in documents:
                documents[col] = extra[col].to_numpy()
    doc_of = np.repeat(np.arange(len(doc_ids), dtype=np.int32), counts)
    return Index(
        documents=documents, vocabulary=vocabulary, term_ids=term_ids, doc_of=doc_of,
        starts=starts, ends=ends, chars=chars, char_base=char_base, _lookup=lookup,
        _postings=_csr(term_ids, len(vocabulary)),
    )


def _query_hits(index: Index, term: str, use_stems: str | None) -> tuple[np.ndarray, int]:
    """First-token positions of a (possibly multi-word) query, and its length in tokens."""
    words = [t for t, _, _ in tokenize(term, lower=True)]
    if not words:
        return np.zeros(0, np.int64), 0
    if use_stems:
        stem_of_term, stem_lookup = index.stem_ids(use_stems)
        wanted = [stem_lookup.get(s, -1) for s in stem(words, use_stems)]
        if min(wanted) < 0:
            return np.zeros(0, np.int64), len(words)
        first_terms = np.flatnonzero(stem_of_term == wanted[0])
        hits = np.sort(np.concatenate([index.positions(t) for t in first_terms])
                       if len(first_terms) else np.zeros(0, np.int64))
        ids = stem_of_term[index.term_ids]
    else:
        wanted = [index.term_id(w) for w in words]
        if min(wanted) < 0:
            return np.zeros(0, np.int64), len(words)
        hits = index.positions(wanted[0])
        ids = index.term_ids
    n = len(index.term_ids)
    for k, want in enumerate(wanted[1:], start=1):
        nxt = hits + k
        inside = nxt < n
        hits, nxt = hits[inside], nxt[inside]
        keep = (ids[nxt] == want) & (index.doc_of[nxt] == index.doc_of[hits])
        hits = hits[keep]
    return hits.astype(np.int64), len(words)


def _code_points(texts: list[str]) -> tuple[np.ndarray, str]:
    """An empty array for the code points of ``texts``, in the smallest unsigned type that
    holds them all (one byte for Latin-1 text, two for the Basic Multilingual Plane,
    else four, as Python's own strings do), and the encoding that writes into it."""
    top = max((0 if t.isascii() else int(np.frombuffer(t.encode("utf-32-le"), "<u4").max())
               for t in texts if t), default=0)
    dtype, encoding = ((np.uint8, "latin-1") if top < 0x100 else
                       (np.uint16, "utf-16-le") if top < 0x10000 else (np.uint32, "utf-32-le"))
    return np.empty(sum(map(len, texts)), dtype=dtype), encoding


def _gather(chars: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Strings chars[lo[i]:hi[i]] for many i at once, as a fixed-width Unicode array.

    ``chars`` is viewed (without a copy) as overlapping records of the longest length,
    one starting at every code point; the records are picked by their starts in one
    copy, widened to four-byte code points and cut to each string's length with zeros,
    which NumPy drops on reading. A record that would run past the end is copied alone.
    """
    length = hi - lo
    width = max(int(length.max()) if len(lo) else 0, 1)
    size = chars.dtype.itemsize
    fits = lo <= len(chars) - width
    records = np.ndarray((max(len(chars) - width + 1, 0),), dtype=f"V{width * size}",
                         buffer=chars, strides=(size,))
    if fits.all():
        picked = records[lo].view(chars.dtype).reshape(len(lo), width)
    else:
        picked = np.zeros((len(lo), width), dtype=chars.dtype)
        picked[fits] = records[lo[fits]].view(chars.dtype).reshape(-1, width)
        for i in np.flatnonzero(~fits).tolist():
            picked[i, :length[i]] = chars[lo[i]:hi[i]]
    points = picked.astype(np.uint32)
    short = length < width
    if short.sum() * 4 > len(lo):  # many short strings (matches): cut every row at once
        points *= np.arange(width) < length[:, None]
    elif short.any():  # a few (contexts at a document's edge): cut only those
        rows = np.flatnonzero(short)
        points[rows] *= np.arange(width) < length[rows, None]
    return points.view(f"<U{width}").ravel()


def keyword_in_context(index: Index, terms: Sequence[str] | str, width: int = 40,
                       stemmed: str | None = None) -> pd.DataFrame:
    """Every occurrence of each term with its left and right context.

    Parameters
    ----------
    index : Index
    terms : str or sequence of str
        Words or phrases (matched token by token, case-insensitively, never across
        documents).
    width : int
        Characters of context on each side (fewer at the edge of a document).
    stemmed : {None, "porter", "snowball"}
        Match any word with the same stem instead of the exact word.

    Returns
    -------
    pandas.DataFrame
        ``term, document, offset, end, left, match, right``: ``offset``/``end`` are
        code-point offsets of the match in its document; line breaks in the context
        are shown as spaces. Sorted by query order, document and offset.

    Examples
    --------
    >>> idx = build_index({"d": "Shared care records need shared standards."})
    >>> keyword_in_context(idx, "shared", width=5)[["offset", "left", "match", "right"]]
       offset   left   match  right
    0       0         Shared   care
    1      25  need   shared   stan
    >>> keyword_in_context(idx, "record", stemmed="porter")["match"].tolist()
    ['records']
    """
    if isinstance(terms, str):
        terms = [terms]
    # Hits of all terms are gathered together: the per-term cost is one postings lookup
    hits, lasts, which = [], [], []
    for k, term in enumerate(terms):
        first, n_words = _query_hits(index, term, stemmed)
        hits.append(first)
        lasts.append(first + max(n_words - 1, 0))
        which.append(np.full(len(first), k, dtype=np.int64))
    hits = np.concatenate(hits) if hits else np.zeros(0, np.int64)
    last = np.concatenate(lasts) if lasts else np.zeros(0, np.int64)
    term_no = np.concatenate(which) if which else np.zeros(0, np.int64)
    doc = index.doc_of[hits].astype(np.int64)
    base = index.char_base[doc]
    start, end = index.starts[hits], index.ends[last]
    g_start, g_end = base + start, base + end
    chars = index.chars  # line breaks already shown as spaces
    left = _gather(chars, np.maximum(g_start - width, base), g_start)
    right = _gather(chars, g_end, np.minimum(g_end + width, index.char_base[doc + 1]))
    match = _gather(chars, g_start, g_end)
    columns = {
        "term": pd.Series(np.asarray(list(terms), dtype=object)[term_no], dtype=str),
        "document": pd.Series(index.documents["document"].to_numpy(dtype=object)[doc],
                              dtype=str),
        "offset": start, "end": end,
        "left": pd.Series(left, dtype=str),
        "match": pd.Series(match, dtype=str),
        "right": pd.Series(right, dtype=str),
    }
    # every column was made here and is shared with nothing: no copy (a tenth of the time)
    return pd.DataFrame(columns, copy=False)


def _group_codes(index: Index, by: str) -> tuple[np.ndarray, np.ndarray]:
    """Per document its group number, and the sorted group labels."""
    if by == "document":
        labels = index.documents["document"].astype(str)
    elif by in index.documents:
        labels = index.documents[by].fillna("").astype(str)
    else:
        raise ValueError(f"cannot group by {by!r}: the index has no such document column")
    groups = np.array(sorted(set(labels)), dtype=object)
    return np.searchsorted(groups, labels.to_numpy(dtype=object)), groups


def term_frequencies(index: Index, terms: Sequence[str] | None = None, by: str = "document",
                     per: int = 10_000, drop_stopwords: bool = False) -> pd.DataFrame:
    """Counts of terms per document or per group of documents, and rates per ``per`` words.

    Parameters
    ----------
    index : Index
    terms : sequence of str, optional
        Single words (matched case-insensitively; repeats are counted once); each
        gets a row in every group, zero counts included. When omitted, every term
        that occurs in a group is listed.
    by : str
        ``"document"`` or a metadata column of the index such as ``"era"``.
    per : int
        Rate denominator: occurrences per ``per`` running words of the group
        (all tokens, stop words included).
    drop_stopwords : bool
        When listing every term, leave out the project's stop words.

    Returns
    -------
    pandas.DataFrame
        ``<by>, term, count, words, rate``, sorted by group and term.

    Examples
    --------
    >>> idx = build_index({"a": "data data care", "b": "care"},
    ...                   metadata=pd.DataFrame({"era": ["icb", "icb"]}, index=["a", "b"]))
    >>> term_frequencies(idx, ["data"], by="era", per=100)
       era  term  count  words  rate
    0  icb  data      2      4  50.0
    """
    doc_group, groups = _group_codes(index, by)
    token_group = doc_group[index.doc_of]
    words = np.bincount(token_group, minlength=len(groups))
    n_terms = len(index.vocabulary)
    if terms is not None:
        words_of = [[t for t, _, _ in tokenize(term, lower=True)] for term in terms]
        if any(len(w) != 1 for w in words_of):
            raise ValueError("term_frequencies counts single words; use "
                             "keyword_in_context for phrases")
        normalised = list(dict.fromkeys(w[0] for w in words_of))
        ids = np.array([index.term_id(w) for w in normalised], dtype=np.int64)
        # column j of ``counts`` is requested term j; a term absent from the corpus
        # keeps its column of zeros
        column_of = np.full(n_terms, -1, dtype=np.int64)
        column_of[ids[ids >= 0]] = np.flatnonzero(ids >= 0)
        col = column_of[index.term_ids]
        hit = col >= 0
        counts = np.bincount(token_group[hit].astype(np.int64) * len(ids) + col[hit],
                             minlength=len(groups) * len(ids))
        out = pd.DataFrame({by: np.repeat(groups, len(ids)),
                            "term": np.tile(np.asarray(normalised, dtype=object), len(groups)),
                            "count": counts.ravel()})
    else:
        key = token_group.astype(np.int64) * n_terms + index.term_ids
        uniq, cnt = np.unique(key, return_counts=True)
        out = pd.DataFrame({by: groups[uniq // n_terms],
                            "term": index.vocabulary[uniq % n_terms], "count": cnt})
        if drop_stopwords:
            out = out[~out["term"].isin(stopwords())]
    out["words"] = words[np.searchsorted(groups, out[by].to_numpy(dtype=object))]
    out["rate"] = np.where(out["words"] > 0, out["count"] * per / out["words"].clip(lower=1), 0.0)
    for name in (by, "term"):
        out[name] = out[name].astype(str)
    return out.sort_values([by, "term"], kind="stable").reset_index(drop=True)


def term_counts(index: Index, documents: Iterable[str] | None = None) -> pd.Series:
    """Frequency of every term in a sub-corpus (all documents when ``documents`` is None).

    The Series sums to the sub-corpus size in words, which is what :func:`keyness`
    needs as corpus size.

    >>> term_counts(build_index({"a": "care data care", "b": "data"}), ["a"]).to_dict()
    {'care': 2, 'data': 1}
    """
    mask = slice(None)
    if documents is not None:
        wanted = set(documents)
        unknown = wanted - set(index.documents["document"])
        if unknown:
            raise ValueError(f"documents not in the index: {', '.join(sorted(unknown))}")
        doc_mask = index.documents["document"].isin(wanted).to_numpy()
        mask = doc_mask[index.doc_of]
    counts = np.bincount(index.term_ids[mask], minlength=len(index.vocabulary))
    nonzero = np.flatnonzero(counts)
    series = pd.Series(counts[nonzero], index=pd.Index(index.vocabulary[nonzero].astype(str),
                                                       name="term"), name="count")
    return series.sort_index()


def keyness(counts_a: Mapping[str, int] | pd.Series, counts_b: Mapping[str, int] | pd.Series,
            total_a: int | None = None, total_b: int | None = None) -> pd.DataFrame:
    """Keyness of every term in corpus A against corpus B.

    Parameters
    ----------
    counts_a, counts_b : Series or mapping
        Term -> frequency in each corpus.
    total_a, total_b : int, optional
        Corpus sizes in words; default to the sums of the counts (right when the
        counts cover every word, as :func:`term_counts` does).

    Returns
    -------
    pandas.DataFrame
        ``term, freq_a, freq_b, g2, p_value, log_ratio``, sorted by ``g2`` (largest
        first) and then term.

    Notes
    -----
    Log-likelihood as in Rayson & Garside (2000) and Rayson's log-likelihood
    calculator, with observed frequencies :math:`a, b` and corpus sizes :math:`c, d`:

    .. math:: E_1 = c\\,\\frac{a+b}{c+d}, \\quad E_2 = d\\,\\frac{a+b}{c+d}, \\quad
              G^2 = 2\\left(a \\ln\\frac{a}{E_1} + b \\ln\\frac{b}{E_2}\\right)

    with :math:`0 \\ln 0 = 0`. ``p_value`` is the upper tail of :math:`\\chi^2_1`.
    Effect size is Hardie's (2014) log ratio, :math:`\\log_2\\frac{a/c}{b/d}`:
    positive when the term is relatively more frequent in A. A zero frequency is
    replaced by 0.5 in the log ratio only (Hardie's adjustment), so that it stays
    finite.

    Examples
    --------
    >>> k = keyness({"data": 100, "x": 99900}, {"data": 50, "x": 99950})
    >>> k.head(1).round(4)
       term  freq_a  freq_b       g2  p_value  log_ratio
    0  data     100      50  16.9899      0.0        1.0
    """
    a = pd.Series(counts_a, dtype="float64")
    b = pd.Series(counts_b, dtype="float64")
    c = float(a.sum() if total_a is None else total_a)
    d = float(b.sum() if total_b is None else total_b)
    if c <= 0 or d <= 0:
        raise ValueError("both corpora need a positive size")
    terms = a.index.union(b.index)
    fa = a.reindex(terms, fill_value=0.0).to_numpy()
    fb = b.reindex(terms, fill_value=0.0).to_numpy()
    e1 = c * (fa + fb) / (c + d)
    e2 = d * (fa + fb) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        la = np.where(fa > 0, fa * np.log(fa / e1), 0.0)
        lb = np.where(fb > 0, fb * np.log(fb / e2), 0.0)
    g2 = 2 * (la + lb)
    erfc = np.frompyfunc(math.erfc, 1, 1)
    p = erfc(np.sqrt(np.maximum(g2, 0) / 2)).astype(float)
    log_ratio = np.log2((np.where(fa > 0, fa, 0.5) / c) / (np.where(fb > 0, fb, 0.5) / d))
    out = pd.DataFrame({"term": np.asarray(terms, dtype=object).astype(str),
                        "freq_a": fa.astype(np.int64), "freq_b": fb.astype(np.int64),
                        "g2": g2, "p_value": p, "log_ratio": log_ratio})
    out = out.sort_values(["g2", "term"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def keywords(index: Index, documents_a: Iterable[str], documents_b: Iterable[str],
             min_freq: int = 5, drop_stopwords: bool = True) -> pd.DataFrame:
    """Keyness of sub-corpus A against B, keeping the words worth reading.

    :func:`keyness` over the two groups of documents, then only words (letters, with
    internal hyphens or apostrophes: "five-year", "patient's"; no numbers) whose
    combined frequency is at least ``min_freq`` and (by default) that are not stop
    words; sorted by G² as :func:`keyness` sorts.

    >>> idx = build_index({"a": "the ICB plans the ICB budget", "b": "the SHA and the PCT"})
    >>> keywords(idx, ["a"], ["b"], min_freq=2)["term"].tolist()
    ['icb']
    >>> idx = build_index({"a": "five-year plans; the ICB's five-year plans", "b": "2025 2025"})
    >>> keywords(idx, ["a"], ["b"], min_freq=2)["term"].tolist()
    ['five-year', 'plans']
    """
    key = keyness(term_counts(index, documents_a), term_counts(index, documents_b))
    keep = ((key["freq_a"] + key["freq_b"] >= min_freq)
            & key["term"].str.fullmatch(_WORD, na=False))
    if drop_stopwords:
        keep &= ~key["term"].isin(stopwords())
    return key[keep].reset_index(drop=True)


def collocations(index: Index, measure: str = "pmi", min_freq: int = 3,
                 drop_stopwords: bool = True, top: int | None = None) -> pd.DataFrame:
    """Scored adjacent word pairs, from NLTK's :class:`BigramCollocationFinder`.

    Parameters
    ----------
    index : Index
    measure : {"pmi", "likelihood_ratio"}
        NLTK's ``BigramAssocMeasures`` score: pointwise mutual information (log2), or
        Dunning's log-likelihood ratio over the full 2x2 table.
    min_freq : int
        Pairs seen fewer times are dropped before scoring.
    drop_stopwords : bool
        Drop pairs with a stop word on either side.
    top : int, optional
        Keep the best ``top`` pairs.

    Returns
    -------
    pandas.DataFrame
        ``w1, w2, freq, score``, best first (ties by pair). Pairs never span documents.

    Examples
    --------
    >>> idx = build_index({"a": "care record care record the record", "b": "care record"})
    >>> collocations(idx, min_freq=2)
         w1      w2  freq  score
    0  care  record     3    1.0
    """
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    scorers = {"pmi": BigramAssocMeasures.pmi,
               "likelihood_ratio": BigramAssocMeasures.likelihood_ratio}
    check_choice("measure", measure, sorted(scorers))
    bounds = np.concatenate([[0], np.cumsum(index.documents["n_words"].to_numpy())])
    words = index.vocabulary[index.term_ids]
    docs = [words[bounds[i]:bounds[i + 1]].tolist() for i in range(len(bounds) - 1)]
    finder = BigramCollocationFinder.from_documents(docs)
    finder.apply_freq_filter(min_freq)
    if drop_stopwords:
        stop = stopwords()
        finder.apply_word_filter(lambda w: w in stop)
    scored = finder.score_ngrams(scorers[measure])
    rows = [(w1, w2, finder.ngram_fd[(w1, w2)], score) for (w1, w2), score in scored]
    out = pd.DataFrame(rows, columns=["w1", "w2", "freq", "score"])
    out = out.sort_values(["score", "w1", "w2"], ascending=[False, True, True], kind="stable")
    out = out.reset_index(drop=True)
    return out.head(top) if top is not None else out
