"""The no-leak-by-subtraction rule on hand-made sibling sets (coachflow.lib.anonymity)."""

from __future__ import annotations

import itertools

import pytest

from coachflow.lib.anonymity import filter_refused, suppress


def _leaks(counts: dict[str, int], minimum: int) -> bool:
    """Whether the company minus some visible teams equals one hidden team, or a set of hidden
    teams with fewer than ``minimum`` answers: the leak the rule must prevent."""
    rule = suppress(counts, minimum)
    if rule.parent_hidden:
        return False
    hidden = [k for k in counts if k in rule.hidden]
    return 0 < len(hidden) < 2 or (hidden and sum(counts[k] for k in hidden) < minimum)


def test_all_teams_above_the_threshold_are_shown():
    rule = suppress({"a": 5, "b": 9, "c": 12}, 5)
    assert rule.hidden == frozenset()
    assert not rule.parent_hidden


def test_one_small_team_takes_the_next_smallest_with_it():
    rule = suppress({"four": 4, "six": 6, "seven": 7, "twenty": 20}, 5)
    assert rule.hidden == {"four", "six"}
    assert rule.shows("seven")
    assert rule.shows("twenty")


def test_two_tiny_hidden_teams_whose_sum_is_below_the_threshold_take_a_third():
    rule = suppress({"one": 1, "two": 2, "eight": 8, "nine": 9}, 5)
    assert rule.hidden == {"one", "two", "eight"}


def test_two_hidden_teams_holding_enough_together_stay_two():
    rule = suppress({"three": 3, "four": 4, "ten": 10}, 5)
    assert rule.hidden == {"three", "four"}


def test_ties_are_broken_the_same_way_every_time():
    counts = {"b": 6, "a": 6, "small": 2}
    assert suppress(counts, 5).hidden == {"small", "a"}
    assert suppress(dict(reversed(counts.items())), 5).hidden == {"small", "a"}


def test_a_lone_team_under_the_threshold_hides_the_parent_too():
    rule = suppress({"only": 4}, 5)
    assert rule.hidden == {"only"}
    assert rule.parent_hidden


def test_a_small_company_is_hidden_as_a_whole():
    assert suppress({"a": 2, "b": 1}, 5).parent_hidden


def test_the_threshold_cannot_go_below_three():
    with pytest.raises(ValueError, match="at least 3"):
        suppress({"a": 5}, 2)


def test_no_subset_of_visible_teams_reveals_a_hidden_group_in_any_small_case():
    for sizes in itertools.product(range(0, 9), repeat=4):
        counts = {f"t{i}": n for i, n in enumerate(sizes) if n}
        if counts:
            assert not _leaks(counts, 5), counts


def test_a_filter_on_a_hidden_team_is_refused_and_on_a_shown_one_is_not():
    rule = suppress({"four": 4, "six": 6, "nine": 9}, 5)
    assert filter_refused({"four": 4}, rule)
    assert filter_refused({"six": 6}, rule)
    assert not filter_refused({"nine": 9}, rule)
