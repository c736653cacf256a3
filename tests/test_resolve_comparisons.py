"""Every comparison level, scored by Splink (DuckDB) with a hand-set model, and explained."""

from __future__ import annotations

import pytest

from test_resolve_support import hand_set_model, person
from writ.resolve.comparisons import ALL_COMPARISONS
from writ.resolve.explain import reasons
from writ.resolve.linkage import ScoredPair, score_between
from writ.resolve.model import LinkageModel, Thresholds

BASE = {"firstName": "Maria", "lastName": "Garcia", "birthDate": "1985-03-12"}


@pytest.fixture(scope="module")
def model() -> LinkageModel:
    return hand_set_model()


def score_all(
    model: LinkageModel, cases: list[tuple[dict[str, str], dict[str, str]]]
) -> list[ScoredPair]:
    """Score each (left, right) case; one Splink call for all of them keeps the tests fast."""
    lefts = [person(f"L{i:03d}", **left) for i, (left, _) in enumerate(cases)]
    rights = [person(f"R{i:03d}", **right) for i, (_, right) in enumerate(cases)]
    pairs = score_between(model, lefts, rights, min_weight=-1e9, all_pairs=True)
    by_key = {p.key: p for p in pairs}
    return [by_key[(f"L{i:03d}", f"R{i:03d}")] for i in range(len(cases))]


def score(model: LinkageModel, left: dict[str, str], right: dict[str, str]) -> ScoredPair:
    return score_all(model, [(left, right)])[0]


CASES = [
    # (comparison, left changes, right changes, expected level)
    ("given_name", {}, {}, "exact"),
    ("given_name", {}, {"firstName": "García", "lastName": "María"}, "reordered"),
    ("given_name", {"firstName": "Maria Jose"}, {"firstName": "José María"}, "given_reordered"),
    ("given_name", {"firstName": "Maria Guadalupe"}, {}, "dropped"),
    ("given_name", {"firstName": "Maria Jose"}, {"firstName": "Maria Luisa"}, "first_name"),
    ("given_name", {"firstName": "Bob"}, {"firstName": "Robert"}, "nickname"),
    ("given_name", {"firstName": "Mohamed"}, {"firstName": "Muhammad"}, "exact"),
    ("given_name", {"firstName": "Abdul Rahman"}, {"firstName": "Abdulrahman"}, "compact"),
    ("given_name", {"firstName": "Marria"}, {}, "close"),
    ("given_name", {"firstName": "Catherine"}, {"firstName": "Kathryn"}, "sounds"),
    ("given_name", {"firstName": "Marisol"}, {"firstName": "Maria"}, "similar"),
    ("given_name", {"firstName": "Ana"}, {}, "different"),
    ("given_name", {"firstName": ""}, {}, "missing"),
    ("family_name", {}, {}, "exact"),
    ("family_name", {}, {"firstName": "García", "lastName": "María"}, "swapped"),
    ("family_name", {"firstName": "Thi Lan", "lastName": "Nguyen"},
     {"firstName": "", "lastName": "", "name": "Nguyen Thi Lan"}, "reordered"),
    ("family_name", {}, {"firstName": "Garcai", "lastName": "Maria"}, "swapped_close"),
    ("family_name", {"lastName": "De la Cruz"}, {"lastName": "Delacruz"}, "compact"),
    ("family_name", {"lastName": "García López"}, {}, "one_of_two"),
    ("family_name", {"lastName": "López"}, {"lastName": "García López"}, "one_of_two"),
    ("family_name", {"lastName": "García López"}, {"lastName": "García Pérez"}, "first_same"),
    ("family_name", {"lastName": "Garcia"}, {"lastName": "Garcai"}, "close"),
    ("family_name", {"lastName": "Smith"}, {"lastName": "Smyth"}, "sounds"),
    ("family_name", {"lastName": "Garcia"}, {"lastName": "Garrido"}, "similar"),
    ("family_name", {"lastName": "Okafor"}, {}, "different"),
    ("family_name", {"lastName": ""}, {}, "missing"),
    ("birth_date", {}, {}, "exact"),
    ("birth_date", {"birthDate": "1985"}, {}, "partial"),
    ("birth_date", {"birthDate": "1985-03"}, {}, "partial"),
    ("birth_date", {"birthDate": "1985-12-03"}, {}, "day_month_swapped"),
    ("birth_date", {"birthDate": "1985-03-13"}, {}, "one_digit"),
    ("birth_date", {"birthDate": "1986-03-12"}, {}, "one_digit"),
    ("birth_date", {"birthDate": "1958-03-12"}, {}, "one_digit"),
    ("birth_date", {"birthDate": "1985-07-30"}, {}, "same_year"),
    ("birth_date", {"birthDate": "1988-01-01"}, {}, "within_5_years"),
    ("birth_date", {"birthDate": "1990-01-01"}, {}, "different"),
    ("birth_date", {"birthDate": ""}, {}, "missing"),
    ("a_number", {"idNumber": "A012345678"}, {"idNumber": "012-345-678"}, "exact"),
    ("a_number", {"idNumber": "A012345678"}, {"idNumber": "A012345679"}, "one_char"),
    ("a_number", {"idNumber": "A012345678"}, {"idNumber": "A012345687"}, "one_char"),
    ("a_number", {"idNumber": "A012345678"}, {"idNumber": "A087654321"}, "different"),
    ("a_number", {"idNumber": "A012345678"}, {}, "missing"),
    ("passport", {"passportNumber": "X1234567"}, {"passportNumber": "X1234567"}, "exact"),
    ("passport", {"passportNumber": "X1234567"}, {"passportNumber": "X1234667"}, "one_char"),
    ("passport", {"passportNumber": "X1234567"}, {"passportNumber": "X1243567"}, "one_char"),
    ("passport", {"passportNumber": "X1234567"}, {"passportNumber": "Q9876543"}, "different"),
    ("gender", {"gender": "female"}, {"gender": "F"}, "exact"),
    ("gender", {"gender": "female"}, {"gender": "male"}, "different"),
    ("nationality", {"nationality": "mx"}, {"nationality": "mx"}, "exact"),
    ("nationality", {"nationality": "mx"}, {"nationality": "gt"}, "different"),
    ("nationality", {"nationality": "mx"}, {"birthCountry": "mx"}, "missing"),
    ("birth_country", {"birthCountry": "mx"}, {"birthCountry": "mx"}, "exact"),
    ("birth_country", {"birthCountry": "mx"}, {"birthCountry": "gt"}, "different"),
    ("address", {"full": "12 Maple St"}, {"full": "12 Maple St, Riverton"}, "exact"),
    ("address", {"full": "12 Maple St"}, {"full": "12 Mapel St"}, "close"),
    ("address", {"full": "12 Maple St"}, {"full": "40 Maple St"}, "same_street"),
    ("address", {"full": "12 Maple St"}, {"full": "7 Oak Ave"}, "different"),
    ("id_number", {"taxNumber": "123456"}, {"taxNumber": "123456"}, "exact"),
    ("id_number", {"taxNumber": "123456"}, {"taxNumber": "123465"}, "one_char"),
    ("id_number", {"taxNumber": "123456"}, {"taxNumber": "125476"}, "two_chars"),
    ("id_number", {"taxNumber": "123456"}, {"taxNumber": "999999"}, "different"),
    ("postcode", {"postalCode": "2600"}, {"postalCode": "2600"}, "exact"),
    ("postcode", {"postalCode": "2600"}, {"postalCode": "2601"}, "one_char"),
    ("postcode", {"postalCode": "2600"}, {"postalCode": "7900"}, "different"),
    ("locality", {"city": "Riverton"}, {"city": "Riverton"}, "exact"),
    ("locality", {"city": "Riverton"}, {"city": "Rivertn"}, "close"),
    ("locality", {"city": "Riverton"}, {"city": "Oakdale"}, "different"),
    ("locality", {"city": "Riverton"}, {}, "missing"),
    ("address", {"full": "12 Maple St"}, {}, "missing"),
    ("birth_country", {"birthCountry": "mx"}, {}, "missing"),
    ("gender", {"gender": "female"}, {}, "missing"),
    ("id_number", {"taxNumber": "123456"}, {}, "missing"),
    ("passport", {"passportNumber": "X1234567"}, {}, "missing"),
    ("postcode", {"postalCode": "2600"}, {}, "missing"),
]  # fmt: skip


@pytest.fixture(scope="module")
def scored(model: LinkageModel) -> list[ScoredPair]:
    return score_all(model, [({**BASE, **left}, {**BASE, **right}) for _, left, right, _ in CASES])


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_each_comparison_level(scored: list[ScoredPair], case: int) -> None:
    comparison, left, right, level = CASES[case]
    assert scored[case].levels[comparison] == level, (left, right)


def test_weights_add_up_to_the_match_weight(model: LinkageModel) -> None:
    pair = score(model, BASE, {**BASE, "birthDate": "1985-12-03"})
    prior = model.prior
    import math

    expected = math.log2(prior / (1 - prior)) + sum(pair.weights.values())
    assert pair.weight == pytest.approx(expected, abs=1e-6)


def test_explanation_says_what_was_found_in_words(model: LinkageModel) -> None:
    pair = score(model, BASE, {**BASE, "birthDate": "1985-12-03"})
    texts = [r.text for r in reasons(pair.levels, pair.weights, pair.conflicts)]
    swapped = next(t for t in texts if t.startswith("date of birth"))
    weight = pair.weights["birth_date"]
    assert swapped == f"date of birth: day and month swapped ({weight:+.1f})"
    assert "given name: the same (+6.0)" in texts
    assert texts[-1].endswith("not known on both records")


def test_different_a_numbers_never_merge_automatically(model: LinkageModel) -> None:
    same = {**BASE, "passportNumber": "X1", "full": "12 Maple St", "gender": "f"}
    twin = {**same, "idNumber": "A012345678"}
    other = {**same, "idNumber": "A087654321"}
    pair = score(model, twin, other)
    assert pair.conflicts == ("a_number",)
    assert pair.weight >= model.thresholds.accept  # everything else agrees...
    assert pair.outcome(model.thresholds) == "review"  # ...but a person must decide
    texts = [r.text for r in reasons(pair.levels, pair.weights, pair.conflicts)]
    assert texts[0].startswith("A-number: two different values")


def test_thresholds_give_three_outcomes() -> None:
    thresholds = Thresholds(accept=10, review=0)
    assert [thresholds.outcome(w) for w in (12, 10, 3, 0, -1)] == [
        "accept", "accept", "review", "review", "reject"
    ]  # fmt: skip
    with pytest.raises(ValueError, match="review"):
        Thresholds(accept=1, review=5)


def test_the_cases_reach_every_level_of_every_comparison() -> None:
    covered = {(comparison, level) for comparison, _, _, level in CASES}
    every = {(c.name, level.key) for c in ALL_COMPARISONS for level in c.levels}
    assert sorted(every - covered) == []
