"""The false merges that hurt people: names swapped generously, twins at one address, namesakes.

Each guard is a declared rule (``data/guards.yml``) that holds a pair back from automatic merging
and stops clustering from joining the two records through others; the explanation names it.
"""

from __future__ import annotations

import pytest
import yaml

from test_resolve_comparisons import BASE, score
from test_resolve_support import hand_set_model, person
from writ.resolve.cluster import SAME, cluster
from writ.resolve.explain import reasons, structured
from writ.resolve.linkage import predict
from writ.resolve.model import LinkageModel
from writ.resolve.rules import GuardError, guards, parse_guards
from writ.resolve.scoring import PairScorer


@pytest.fixture(scope="module")
def model() -> LinkageModel:
    return hand_set_model()


def names_weight(pair) -> float:
    return pair.weights["given_name"] + pair.weights["family_name"]


# -- the name swap ------------------------------------------------------------------------------


def test_a_swap_compares_every_word_not_only_the_first(model: LinkageModel) -> None:
    # "THỊ MAI, NGUYỄN" is family name "Thị Mai", given name "Nguyễn": the first words line up
    # swapped with "Thị Lan Nguyễn", but "Mai" is not "Lan". Two women, not one.
    left = {"name": "THỊ MAI, NGUYỄN", "birthDate": "1985"}
    right = {"firstName": "Thị Lan", "lastName": "Nguyễn", "birthDate": "1985"}
    pair = score(model, left, right)
    assert pair.levels["family_name"] not in ("swapped", "reordered", "swapped_close")
    assert pair.levels["given_name"] != "reordered"
    assert names_weight(pair) < 0


def test_a_swap_counts_once_and_never_more_than_two_exact_names(model: LinkageModel) -> None:
    swapped = score(model, BASE, {**BASE, "firstName": "García", "lastName": "María"})
    same = score(model, BASE, BASE)
    assert swapped.levels == {**swapped.levels, "given_name": "reordered", "family_name": "swapped"}
    assert swapped.weights["given_name"] == 0.0  # the family-name comparison weighs the swap
    assert names_weight(swapped) <= names_weight(same)


def test_a_swap_with_a_typo_is_scored_and_recognised(model: LinkageModel) -> None:
    rows = [
        person("a", firstName="Maria", lastName="Garcia", birthDate="1985-03-12"),
        person("b", firstName="Garcai", lastName="Maria", birthDate="1985-03-12"),
    ]
    (pair,) = predict(model, rows, min_weight=-100)
    assert pair.levels["family_name"] == "swapped_close"
    assert pair.weights["given_name"] == 0.0


# -- twins ----------------------------------------------------------------------------------------

TWINS = {
    "lastName": "Nguyen",
    "birthDate": "1990-04-05",
    "full": "12 Maple St",
    "city": "Riverton",
    "postalCode": "2600",
    "nationality": "vn",
    "gender": "f",
}


def test_twins_at_one_address_are_held_back_however_high_the_weight(model: LinkageModel) -> None:
    lan = {**TWINS, "firstName": "Lan"}
    mai = {**TWINS, "firstName": "Mai"}
    pair = score(model, lan, mai)
    assert pair.weight >= model.thresholds.accept  # all but the given name agrees...
    assert pair.outcome(model.thresholds) == "review"  # ...but they are never merged unasked
    assert pair.guards == ("twins",)
    assert reasons(pair.levels, pair.weights)[0].text.startswith(
        "held back — Possible twins at one address:"
    )
    why = structured(pair.levels, pair.weights)
    assert [g.id for g in why.guards] == ["twins"] and why.guards[0].reason


def test_a_record_matching_both_twins_does_not_chain_them(model: LinkageModel) -> None:
    rows = [
        person("lan", firstName="Lan", **TWINS),
        person("mai", firstName="Mai", **TWINS),
        person("who", **TWINS),  # no given name: an accepted match of each twin
    ]
    pairs = predict(model, rows, min_weight=-100)
    accepted = {p.key for p in pairs if p.outcome(model.thresholds) == "accept"}
    assert accepted == {("lan", "who"), ("mai", "who")}
    features = {row["unique_id"]: row for row in rows}
    result = cluster(list(features), pairs, model.thresholds, features, scorer=PairScorer(model))
    assert not any({"lan", "mai"} <= c for c in result)
    # A person's "same" still joins them.
    judged = cluster(
        list(features),
        pairs,
        model.thresholds,
        features,
        {("lan", "mai"): SAME},
        scorer=PairScorer(model),
    )
    assert any({"lan", "mai"} <= c for c in judged)


def test_one_twin_s_records_still_merge(model: LinkageModel) -> None:
    # Variants of one given name are not twins: a typo, a nickname, a dropped middle name.
    for other in ("Lann", "Lan Anh"):
        pair = score(model, {**TWINS, "firstName": "Lan"}, {**TWINS, "firstName": other})
        assert pair.guards == ()
        assert pair.outcome(model.thresholds) == "accept"


# -- namesakes ------------------------------------------------------------------------------------

NAMESAKE = {"full": "12 Maple St", "city": "Riverton", "postalCode": "2600", "nationality": "mx"}


def test_a_full_name_with_different_birth_dates_is_held_back(model: LinkageModel) -> None:
    left = {**BASE, **NAMESAKE, "birthDate": "1980-01-02"}
    right = {**BASE, **NAMESAKE, "birthDate": "1991-05-06"}
    pair = score(model, left, right)
    assert pair.weight >= model.thresholds.accept
    assert pair.guards == ("namesakes",)
    assert pair.outcome(model.thresholds) == "review"


def test_a_shared_document_or_a_typed_date_is_not_a_namesake(model: LinkageModel) -> None:
    shared = {"passportNumber": "X1234567"}
    left = {**BASE, **NAMESAKE, **shared, "birthDate": "1980-01-02"}
    right = {**BASE, **NAMESAKE, **shared, "birthDate": "1991-05-06"}
    assert score(model, left, right).guards == ()
    typed = score(model, {**BASE, **NAMESAKE}, {**BASE, **NAMESAKE, "birthDate": "1985-03-21"})
    assert typed.levels["birth_date"] == "one_digit" and typed.guards == ()


# -- the rules as data ----------------------------------------------------------------------------


def test_every_guard_is_declared_with_a_reason() -> None:
    declared = guards()
    assert set(declared) == {"twins", "namesakes"}
    for guard in declared.values():
        assert guard.title and len(guard.reason) > 60 and guard.when


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("- {id: x, title: t, reason: r, when: {nope: [exact]}}", "no comparison 'nope'"),
        ("- {id: x, title: t, reason: r, when: {birth_date: [nope]}}", "has no level"),
        ("- {id: x, title: t, when: {birth_date: [exact]}}", "reason is required"),
        (
            "- {id: x, title: t, reason: r, when: {gender: [exact]}}\n"
            "- {id: x, title: t, reason: r, when: {gender: [exact]}}",
            "declared twice",
        ),
    ],
)
def test_a_wrong_guard_is_refused_naming_it(text: str, error: str) -> None:
    with pytest.raises(GuardError, match=error):
        parse_guards(yaml.safe_load(text))


def test_records_sharing_a_document_are_not_twins(model: LinkageModel) -> None:
    shared = {**TWINS, "passportNumber": "X1234567"}
    pair = score(model, {**shared, "firstName": "Lan"}, {**shared, "firstName": "Mai"})
    assert pair.guards == ()
    # A-numbers one digit apart (issued the same day) do not make them one person.
    lan = {**TWINS, "firstName": "Lan", "idNumber": "A012345678"}
    mai = {**TWINS, "firstName": "Mai", "idNumber": "A012345679"}
    assert score(model, lan, mai).guards == ("twins",)
