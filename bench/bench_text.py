"""Benchmark of analysis.text: ingest and tokenise throughput, and keyword in context
for 50 terms over a 5-million-word corpus against NLTK's Text.concordance_list.

The corpus is made from the shipped documents: their paragraphs are drawn at random
(seed 0) into documents of about 50,000 words until the corpus reaches the target
size, so its vocabulary and term frequencies are those of real policy text. The 50
query terms are spread evenly over the frequency ranks of the 1,000 most frequent
non-stop words (the kind of content words a KWIC study looks at). Both sides get the
same tokens and find the same hits (checked). Repeated passes report the best of three.

Usage: python bench/bench_text.py [--scale 1.0] [--words-per-doc 50000]
(--scale 0.02 for a quick run of 100,000 words).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def best_of(n, fn, *args, **kwargs) -> float:
    return min(timed(fn, *args, **kwargs)[1] for _ in range(n))


def shipped_texts() -> tuple[dict[str, str], float, int]:
    """Ingest the shipped documents; return texts, seconds and raw words (x5 repeats)."""
    from analysis import paths
    from analysis.documents import ingest_document, load_manifest

    manifest = load_manifest()
    files = [paths.DOCUMENTS / f for f in manifest["local_file"] if f]
    texts = {}
    start = time.perf_counter()
    for _ in range(5):  # repeat: one pass over ~60,000 words is too short to time
        for f in files:
            texts[f.stem] = ingest_document(f)[0]
    return texts, time.perf_counter() - start, 5


def build_corpus(texts: dict[str, str], n_words: int, words_per_doc: int) -> dict[str, str]:
    from analysis.text import tokenize

    paragraphs = [p for t in texts.values() for p in t.split("\n\n") if p.strip()]
    sizes = np.array([len(tokenize(p)) for p in paragraphs])
    rng = np.random.default_rng(0)
    corpus, total, doc = {}, 0, 0
    while total < n_words:
        picked, size = [], 0
        while size < words_per_doc and total + size < n_words:
            i = int(rng.integers(len(paragraphs)))
            picked.append(paragraphs[i])
            size += int(sizes[i])
        corpus[f"doc{doc:04d}"] = "\n\n".join(picked) + "\n"
        total += size
        doc += 1
    return corpus


def query_terms(index, n: int = 50, top: int = 1000) -> list[str]:
    from analysis.text import stopwords

    counts = np.bincount(index.term_ids, minlength=len(index.vocabulary))
    stop = stopwords()
    ranked = sorted(((-c, t) for t, c in zip(index.vocabulary, counts)
                     if c >= 5 and t not in stop and t.isalpha()))[:top]
    picks = np.linspace(0, len(ranked) - 1, n).round().astype(int)
    return [ranked[i][1] for i in picks]


def nltk_concordance(tokens: list[str], terms: list[str], repeat: int = 3) -> dict:
    """The NLTK baseline: ``Text(tokens)``, then ``concordance_list`` for every term.

    Returns ``text_seconds`` (building ``Text``), ``first_seconds`` (first pass, which
    builds NLTK's concordance index), ``repeated_seconds`` (best of ``repeat`` further
    passes) and ``hits``.
    """
    from nltk.text import Text

    text, text_s = timed(Text, tokens)

    def one_pass():
        return [text.concordance_list(t, width=80, lines=sys.maxsize) for t in terms]

    first, first_s = timed(one_pass)
    return {"text_seconds": text_s, "first_seconds": first_s,
            "repeated_seconds": best_of(repeat, one_pass),
            "hits": sum(len(x) for x in first)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of 5,000,000 words (default 1.0)")
    parser.add_argument("--words-per-doc", type=int, default=50_000)
    args = parser.parse_args(argv)

    from analysis.text import build_index, keyword_in_context, tokenize

    texts, ingest_s, repeats = shipped_texts()
    shipped_words = sum(len(tokenize(t)) for t in texts.values())
    rows = [("ingest shipped documents (md -> normalised text)",
             f"{shipped_words * repeats / ingest_s:,.0f} words/s")]

    corpus = build_corpus(texts, int(5_000_000 * args.scale), args.words_per_doc)
    spans, tok_s = timed(lambda: [tokenize(t) for t in corpus.values()])
    n_words = sum(len(s) for s in spans)
    rows.append(("tokenize() with offsets", f"{n_words / tok_s:,.0f} words/s"))
    index, build_s = timed(build_index, corpus)
    rows.append(("build_index (tokens, offsets, inverted index)",
                 f"{build_s:.2f} s ({n_words / build_s:,.0f} words/s)"))
    terms = query_terms(index)

    cold, kwic_cold_s = timed(keyword_in_context, index, terms, width=40)
    kwic_warm_s = best_of(3, keyword_in_context, index, terms, width=40)

    tokens = [tok for s in spans for tok, _, _ in s]
    del spans
    nltk = nltk_concordance(tokens, terms)
    nltk_text_s, nltk_cold_s = nltk["text_seconds"], nltk["first_seconds"]
    nltk_warm_s, nltk_hits = nltk["repeated_seconds"], nltk["hits"]
    if nltk_hits != len(cold):
        print(f"warning: hit counts differ (ours {len(cold)}, NLTK {nltk_hits})")

    rows += [
        ("KWIC, 50 terms: ours, first pass", f"{kwic_cold_s:.3f} s"),
        ("KWIC, 50 terms: ours, repeated", f"{kwic_warm_s:.3f} s"),
        ("KWIC, 50 terms: NLTK Text() + first pass (builds its index)",
         f"{nltk_text_s + nltk_cold_s:.3f} s"),
        ("KWIC, 50 terms: NLTK concordance_list, repeated", f"{nltk_warm_s:.3f} s"),
        ("speed-up, repeated queries (NLTK / ours)", f"{nltk_warm_s / kwic_warm_s:.1f}x"),
        ("speed-up, first pass incl. index build (NLTK / ours)",
         f"{(nltk_text_s + nltk_cold_s) / (build_s + kwic_cold_s):.1f}x"),
    ]
    print(f"corpus: {n_words:,} words in {len(corpus)} documents; "
          f"{len(terms)} terms, {len(cold):,} hits")
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
