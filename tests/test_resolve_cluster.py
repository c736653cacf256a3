"""Constrained clustering and stable subject ids (pure: no database, no Splink)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from test_resolve_support import hand_set_model, person
from writ.resolve.cluster import NOT_SAME, SAME, UNSURE, assign_subject_ids, cluster
from writ.resolve.linkage import ScoredPair
from writ.resolve.model import Thresholds
from writ.resolve.scoring import PairScorer

THRESHOLDS = Thresholds(accept=10, review=0)
A1, A2 = "012345678", "087654321"  # two A-numbers, not one mistyped


def pair(a: str, b: str, weight: float = 20.0, conflicts: tuple[str, ...] = ()) -> ScoredPair:
    left, right = sorted((a, b))
    return ScoredPair(left, right, weight, 0.99, conflicts=conflicts)


def groups(clusters: list[frozenset[str]]) -> set[frozenset[str]]:
    return set(clusters)


def ids(*names: str) -> dict[str, dict[str, str | None]]:
    return {n: {} for n in names}


def test_accepted_pairs_join_and_weak_pairs_do_not() -> None:
    result = cluster("abcd", [pair("a", "b"), pair("c", "d", weight=5)], THRESHOLDS, ids(*"abcd"))
    assert groups(result) == {frozenset("ab"), frozenset("c"), frozenset("d")}


def test_two_a_numbers_are_never_chained_into_one_subject() -> None:
    # a and c carry different A-numbers; b (none) matches both strongly.
    identifiers = {"a": {"a_number": A1}, "b": {}, "c": {"a_number": A2}}
    result = cluster("abc", [pair("a", "b", 30), pair("b", "c", 25)], THRESHOLDS, identifiers)
    assert groups(result) == {frozenset("ab"), frozenset("c")}


def test_an_a_number_one_typed_digit_off_is_no_conflict() -> None:
    # 012345678 and 012345679: a mistyped digit, not a second A-number.
    identifiers = {"a": {"a_number": A1}, "b": {}, "c": {"a_number": A1[:-1] + "9"}}
    result = cluster("abc", [pair("a", "b", 30), pair("b", "c", 25)], THRESHOLDS, identifiers)
    assert groups(result) == {frozenset("abc")}


def test_a_pair_with_conflicting_a_numbers_goes_to_review_not_merge() -> None:
    conflicted = pair("a", "b", 40, conflicts=("a_number",))
    assert conflicted.outcome(THRESHOLDS) == "review"
    identifiers = {"a": {"a_number": A1}, "b": {"a_number": A2}}
    assert groups(cluster("ab", [conflicted], THRESHOLDS, identifiers)) == {
        frozenset("a"),
        frozenset("b"),
    }


def test_a_human_same_joins_even_two_a_numbers() -> None:
    identifiers = {"a": {"a_number": A1}, "b": {"a_number": A2}}
    result = cluster("ab", [], THRESHOLDS, identifiers, {("a", "b"): SAME})
    assert groups(result) == {frozenset("ab")}


def test_not_same_keeps_the_two_clusters_apart_for_good() -> None:
    # a-b and c-d are strong; b-c would join them, but a and d were judged not the same.
    pairs = [pair("a", "b", 30), pair("c", "d", 30), pair("b", "c", 25)]
    result = cluster("abcd", pairs, THRESHOLDS, ids(*"abcd"), {("a", "d"): NOT_SAME})
    assert groups(result) == {frozenset("ab"), frozenset("cd")}


def test_not_same_wins_over_a_later_same_across_the_clusters() -> None:
    judged = {("a", "b"): NOT_SAME, ("b", "c"): SAME, ("a", "c"): SAME}
    result = cluster("abc", [], THRESHOLDS, ids(*"abc"), judged)
    assert not any({"a", "b"} <= c for c in result)


def test_unsure_takes_the_pair_out_of_automatic_merging() -> None:
    result = cluster("ab", [pair("a", "b", 30)], THRESHOLDS, ids("a", "b"), {("a", "b"): UNSURE})
    assert groups(result) == {frozenset("a"), frozenset("b")}


def test_clustering_is_independent_of_input_order() -> None:
    pairs = [pair("a", "b", 30), pair("b", "c", 12), pair("c", "d", 25), pair("d", "e", 11)]
    identifiers = {"a": {"a_number": A1}, "e": {"a_number": A2}}
    results = {
        frozenset(cluster("abcde", list(order), THRESHOLDS, identifiers))
        for order in itertools.permutations(pairs)
    }
    assert len(results) == 1


def counter() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"S-new{next(numbers)}"


def test_a_subject_keeps_its_id_when_records_are_added() -> None:
    previous = {"a": "S-1", "b": "S-1"}
    result = assign_subject_ids([frozenset("abc")], previous, counter())
    assert set(result.subject_of.values()) == {"S-1"}
    assert result.created == []


def test_on_a_split_the_larger_part_keeps_the_id() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-1"}
    result = assign_subject_ids([frozenset("ab"), frozenset("c")], previous, counter())
    assert result.subject_of["a"] == result.subject_of["b"] == "S-1"
    assert result.subject_of["c"] == "S-new1"


def test_on_a_merge_the_larger_subject_keeps_its_id_and_the_other_is_merged_into_it() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-2"}
    result = assign_subject_ids([frozenset("abc")], previous, counter())
    assert set(result.subject_of.values()) == {"S-1"}
    assert result.merged == {"S-2": "S-1"}


def test_an_undone_merge_gives_back_the_old_id() -> None:
    previous = {"a": "S-1", "b": "S-1", "c": "S-1"}
    result = assign_subject_ids(
        [frozenset("ab"), frozenset("c")],
        previous,
        counter(),
        revive={"c": "S-2"},
    )
    assert result.subject_of["c"] == "S-2"
    assert result.created == []


def test_a_record_that_knows_little_does_not_chain_two_people_together() -> None:
    # b has no birth date and matches a and c well; a and c, compared directly, are two people
    # (birth dates 16 years apart), so with the model's scorer c stays out of a's cluster.
    rows = {
        "a": person("a", firstName="Yevhen", lastName="Petrov", birthDate="2001-05-09"),
        "b": person("b", firstName="Yevhen", lastName="Petrov"),
        "c": person("c", firstName="Yevhen", lastName="Petrov", birthDate="1985-02-27"),
    }
    model = hand_set_model(THRESHOLDS)
    scorer = PairScorer(model)
    assert scorer.score(rows["a"], rows["c"]).weight < THRESHOLDS.review
    pairs = [pair("a", "b", 30), pair("b", "c", 25)]
    assert groups(cluster("abc", pairs, THRESHOLDS, rows)) == {frozenset("abc")}
    vetoed = cluster("abc", pairs, THRESHOLDS, rows, scorer=scorer)
    assert groups(vetoed) == {frozenset("ab"), frozenset("c")}
    # A person's "same" outranks the veto, as it outranks the A-number rule.
    judged = cluster("abc", pairs, THRESHOLDS, rows, {("a", "c"): SAME}, scorer=scorer)
    assert groups(judged) == {frozenset("abc")}
