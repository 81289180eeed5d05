"""Tests for analysis.hierarchy: views of a code tree (level, under, top).

Expected values are worked by hand on the small tree below, drawn out here:

    money (category, not codable)          people (category)
    ├── budget                             └── skills
    │   ├── capital                              └── training
    │   └── revenue
    └── grants

Seven segments (coder ann) and how many fall to each code:
budget 1, capital 2 (one of them on the same span as the revenue segment), revenue 1,
grants 1, skills 1, training 1.
"""

import pandas as pd
import pytest

from analysis import hierarchy
from analysis.errors import DataError

CODES = pd.DataFrame({
    "code_id": ["money", "budget", "capital", "revenue", "grants", "people", "skills",
                "training"],
    "parent_id": ["", "money", "budget", "budget", "money", "", "people", "skills"],
    "label": ["Money", "Budget", "Capital", "Revenue", "Grants", "People", "Skills",
              "Training"],
    "facet": ["theme"] * 8,
    "codable": ["false", "true", "true", "true", "true", "false", "true", "true"],
})

SEGMENTS = pd.DataFrame({
    "segment_id": [f"s{i}" for i in range(7)],
    "source_id": ["P01", "P01", "P01", "P01", "P02", "P02", "P02"],
    "code_id": ["budget", "capital", "revenue", "grants", "capital", "skills", "training"],
    "start": [0, 10, 10, 30, 0, 20, 40],
    "end": [5, 20, 20, 35, 8, 25, 45],
    "coder": ["ann"] * 7,
})


def test_tree_order_and_depths():
    shuffled = CODES.iloc[[5, 7, 0, 3, 6, 1, 4, 2]]
    table = hierarchy.tree_order(shuffled)
    # people comes first in the shuffled table, so its tree comes first; children keep
    # their order in the table (revenue before capital there, budget before grants)
    assert table["code_id"].tolist() == ["people", "skills", "training", "money", "budget",
                                         "revenue", "capital", "grants"]
    assert dict(zip(table["code_id"], table["depth"])) == {
        "people": 0, "skills": 1, "training": 2, "money": 0, "revenue": 2, "budget": 1,
        "capital": 2, "grants": 1}


def test_ancestor_at_each_level():
    assert hierarchy.ancestor_at(CODES, 0)["capital"] == "money"
    assert hierarchy.ancestor_at(CODES, 1)["capital"] == "budget"
    assert hierarchy.ancestor_at(CODES, 1)["grants"] == "grants"
    assert hierarchy.ancestor_at(CODES, 5)["training"] == "training"


def test_level_zero_rolls_up_and_counts_a_passage_once():
    view = hierarchy.choose(CODES, SEGMENTS, level=0)
    assert view.group_ids == ["money", "people"]
    assert view.description == "2 categories; codes rolled up"
    rolled = view.apply(SEGMENTS)
    # P01 10-20 was coded capital and revenue: one passage of money, counted once
    assert rolled.groupby("code_id").size().to_dict() == {"money": 4, "people": 2}
    assert dict(zip(view.codes["code_id"], view.codes["n_segments"])) == {"money": 4,
                                                                         "people": 2}
    # codable codes each group stands for: budget, capital, revenue, grants; skills, training
    assert dict(zip(view.codes["code_id"], view.codes["n_codes"])) == {"money": 4,
                                                                      "people": 2}


def test_level_one_keeps_shallow_codes_as_themselves():
    view = hierarchy.choose(CODES, SEGMENTS, level=1)
    assert view.group_ids == ["budget", "grants", "skills"]
    assert view.description == "3 codes (level 1); deeper codes rolled up"
    assert view.apply(SEGMENTS)["code_id"].value_counts().to_dict() == {
        "budget": 3, "grants": 1, "skills": 2}


def test_deepest_level_is_every_code_as_coded():
    view = hierarchy.choose(CODES, SEGMENTS)
    assert view.level == 2 and view.description == ""
    assert view.group_ids == ["budget", "capital", "revenue", "grants", "skills", "training"]
    # nothing rolled up: every row stays, the shared span included
    assert len(view.apply(SEGMENTS)) == 7


def test_capacity_picks_the_deepest_level_that_fits():
    # 6 codes at level 2, 3 at level 1, 2 categories at level 0
    assert hierarchy.choose(CODES, SEGMENTS, capacity=6).level == 2
    assert hierarchy.choose(CODES, SEGMENTS, capacity=5).level == 1
    assert hierarchy.choose(CODES, SEGMENTS, capacity=2).level == 0


def test_nothing_fits_gives_the_top_that_fits_with_the_rest_summed():
    # a flat codebook of the six codable codes; room for three columns: the top two
    # (capital 2 segments; then a tie of 1 each, to the first in table order: budget)
    # and "other" for the remaining four
    flat = CODES.assign(parent_id="")
    view = hierarchy.choose(flat, SEGMENTS, capacity=3)
    assert view.group_ids == ["budget", "capital", hierarchy.OTHER]
    assert view.description == "top 2 of 6 codes; 4 others summed"
    # the tree: level 0 (2 categories) does not fit one column, nor does a top 1 with
    # "other": the category with most coding alone (money 4 passages, people 2)
    view = hierarchy.choose(CODES, SEGMENTS, capacity=1)
    assert view.group_ids == ["money"]
    assert view.description == "top 1 of 2 categories; 1 other not shown; codes rolled up"


def test_top_sums_the_rest_into_other():
    view = hierarchy.choose(CODES, SEGMENTS, top=2)
    # by segments: capital 2, then budget, revenue, grants, skills, training 1 each:
    # capital and the first of the ties in tree order (budget)
    assert view.group_ids == ["budget", "capital", hierarchy.OTHER]
    assert view.labels[hierarchy.OTHER] == "other (4 codes)"
    assert view.description == "top 2 of 6 codes; 4 others summed"
    rolled = view.apply(SEGMENTS)
    assert rolled["code_id"].value_counts().to_dict() == {hierarchy.OTHER: 4, "capital": 2,
                                                         "budget": 1}


def test_top_without_other_leaves_the_rest_out():
    view = hierarchy.choose(CODES, SEGMENTS, top=2, other=False)
    assert view.group_ids == ["budget", "capital"]
    assert view.description == "top 2 of 6 codes; 4 others not shown"
    assert len(view.apply(SEGMENTS)) == 3


def test_under_expands_one_category():
    view = hierarchy.choose(CODES, SEGMENTS, under="money")
    assert view.level == 1
    assert view.group_ids == ["budget", "grants"]
    assert view.description == "Money expanded: 2 codes; sub-codes rolled up"
    # only money's coding: budget 1 + capital 2 + revenue 1 on 3 passages, grants 1
    assert view.apply(SEGMENTS)["code_id"].value_counts().to_dict() == {"budget": 3,
                                                                       "grants": 1}


def test_keep_outside_leaves_other_codes_as_they_are():
    view = hierarchy.choose(CODES, SEGMENTS, under="people")
    kept = view.apply(SEGMENTS, keep_outside=True)
    assert len(kept) == 7
    assert kept.loc[kept["member_code_id"] == "training", "code_id"].tolist() == ["skills"]
    assert kept.loc[kept["member_code_id"] == "capital", "code_id"].tolist() == ["capital"] * 2


@pytest.mark.parametrize("kwargs, place", [
    ({"level": -1}, "level"), ({"top": 0}, "top"), ({"under": "nothing"}, "under"),
    ({"level": 0, "under": "money"}, "level"), ({"top": True}, "top"),
])
def test_bad_parameters_are_data_errors(kwargs, place):
    with pytest.raises(DataError) as err:
        hierarchy.choose(CODES, SEGMENTS, **kwargs)
    assert err.value.line == place


def test_navigate_groups_a_category_by_child_with_counts():
    view, nav = hierarchy.navigate(CODES, SEGMENTS, ["money"])
    assert view.group_ids == ["budget", "grants"]
    # the group is added; code_id stays the code the passage was coded with
    assert nav[["code_id", "group"]].values.tolist() == [
        ["budget", "Budget"], ["capital", "Budget"], ["capital", "Budget"],
        ["grants", "Grants"]]
    # a leaf asked for: every code stands for itself
    view, nav = hierarchy.navigate(CODES, SEGMENTS[SEGMENTS["code_id"] == "grants"],
                                   ["grants"])
    assert view.description == "" and nav["group_id"].tolist() == ["grants"]


def test_a_category_coded_itself_is_a_group_of_its_own():
    codes = CODES.assign(codable="true")  # NVivo: a parent node can be coded too
    segs = SEGMENTS.assign(code_id=["money"] + SEGMENTS["code_id"].tolist()[1:])
    view = hierarchy.choose(codes, segs, under="money")
    assert view.labels["money"] == "Money (the category itself)"
    assert view.group_ids == ["money", "budget", "grants"]
