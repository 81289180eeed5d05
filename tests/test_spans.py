"""Tests for analysis.spans: each sweep checked against the plain definition it replaces.

The expected values come from an independent brute-force implementation written here:
sets of character positions for unions and coverage, every pair tested for overlaps.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.spans import covered, merge_intervals, sweep_pairs, turn_hits, union_length

spans = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(0, 12)),
                 max_size=30)


def _arrays(rows):
    group = np.array([g for g, _, _ in rows], dtype=np.int64)
    start = np.array([s for _, s, _ in rows], dtype=np.int64)
    end = start + np.array([n for _, _, n in rows], dtype=np.int64)
    return group, start, end


@settings(max_examples=200, deadline=None)
@given(spans)
def test_union_length_counts_each_covered_character_once(rows):
    group, start, end = _arrays(rows)
    expected = [len({c for g, s, e in zip(group, start, end) if g == k for c in range(s, e)})
                for k in range(4)]
    assert union_length(group, start, end, 4).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(spans)
def test_merged_blocks_are_disjoint_and_cover_the_same_characters(rows):
    group, start, end = _arrays(rows)
    # one coordinate space per group, as the function asks
    g, s, e = merge_intervals(group, group * 100 + start, group * 100 + end)
    assert np.all(s[1:] > e[:-1])  # sorted, and not even touching
    blocks = {c for a, b in zip(s, e) for c in range(a, b)}
    assert blocks == {k * 100 + c for k, a, b in zip(group, start, end) for c in range(a, b)}


@settings(max_examples=200, deadline=None)
@given(spans, st.booleans())
def test_sweep_pairs_finds_exactly_the_pairs_that_meet(rows, inclusive):
    _, start, end = _arrays(rows)
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    i, j = sweep_pairs(start, end, inclusive=inclusive)
    meets = (lambda a, b: start[b] <= end[a]) if inclusive else (lambda a, b: start[b] < end[a])
    expected = {(a, b) for a in range(len(start)) for b in range(a + 1, len(start))
                if meets(a, b)}
    assert set(zip(i.tolist(), j.tolist())) == expected
    assert len(i) == len(expected)  # each pair once


@settings(max_examples=200, deadline=None)
@given(spans)
def test_covered_is_the_set_of_positions_inside_a_span(rows):
    _, start, end = _arrays(rows)
    inside = {c for s, e in zip(start, end) for c in range(s, e)}
    assert np.flatnonzero(covered(60, start, end)).tolist() == sorted(inside)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 8), min_size=1, max_size=8), spans)
def test_turn_hits_are_the_turns_each_span_overlaps(widths, rows):
    edges = np.concatenate([[0], np.cumsum(widths)])
    t_start, t_end = edges[:-1], edges[1:]
    _, start, end = _arrays(rows)
    turn, span = turn_hits(t_start, t_end, start, end)
    expected = {(t, k) for k in range(len(start)) for t in range(len(t_start))
                if start[k] < t_end[t] and t_start[t] < end[k]}
    assert set(zip(turn.tolist(), span.tolist())) == expected
