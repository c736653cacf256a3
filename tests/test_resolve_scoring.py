"""The look-up's Python scorer and the batch's Splink (DuckDB) agree pair by pair: same level of
every comparison, same per-comparison weights, same match weight, probability and conflicts."""

from __future__ import annotations

import random

import pytest

from test_resolve_comparisons import BASE, CASES
from test_resolve_support import hand_set_model, person
from writ.resolve.comparisons import TF_COLUMNS
from writ.resolve.linkage import ScoredPair, score_between
from writ.resolve.model import LevelParameters, LinkageModel, TermFrequencies
from writ.resolve.scoring import PairScorer, probability

GIVEN = [
    "Maria",
    "María José",
    "Marai",
    "Ana",
    "Anna",
    "Bob",
    "Robert",
    "Mohamed",
    "Muhammad",
    "Catherine",
    "Kathryn",
    "Jose",
    "Josue",
    "Olena",
    "Olha",
    "Abdul Rahman",
    "Abdulrahman",
    "Maria Guadalupe",
    "Guadalupe Maria",
    "Garcia",
    "",
]
FAMILY = [
    "Garcia",
    "García López",
    "Lopez",
    "Garcai",
    "Smith",
    "Smyth",
    "Yusuf",
    "Youssef",
    "Shevchenko",
    "Shevchenco",
    "Pérez",
    "García Pérez",
    "De la Cruz",
    "Delacruz",
    "Maria",
    "",
]
DATES = [
    "1985-03-12",
    "1985-12-03",
    "1985-03-13",
    "1985-07-30",
    "1985",
    "1985-03",
    "1988-01-01",
    "1990-01-01",
    "1958-03-12",
    "",
]
A_NUMBERS = ["A012345678", "012345679", "A012345687", "A087654321", ""]
PASSPORTS = ["X1234567", "X1234667", "X1243567", "Q9876543", ""]
ADDRESSES = ["12 Maple St", "12 Mapel St", "40 Maple St", "7 Oak Ave", ""]
TAX = ["123456", "123465", "125476", "999999", ""]
CITIES = ["Riverton", "Rivertn", "Oakdale", ""]
POSTCODES = ["2600", "2601", "2700", ""]
GENDERS = ["female", "male", "F", ""]
COUNTRIES = ["mx", "gt", ""]  # fmt: skip
FULL_NAMES = ["Maria Garcia", "Garcia Maria", "GARCIA, Maria Guadalupe", "Thị Lan Nguyễn"]


def random_people(count: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    people = []
    for index in range(count):
        props = {
            "firstName": rng.choice(GIVEN),
            "lastName": rng.choice(FAMILY),
            "birthDate": rng.choice(DATES),
            "idNumber": rng.choice(A_NUMBERS),
            "passportNumber": rng.choice(PASSPORTS),
            "full": rng.choice(ADDRESSES),
            "taxNumber": rng.choice(TAX),
            "city": rng.choice(CITIES),
            "postalCode": rng.choice(POSTCODES),
            "gender": rng.choice(GENDERS),
            "nationality": rng.choice(COUNTRIES),
        }
        props["birthCountry"] = rng.choice(COUNTRIES)
        if rng.random() < 0.1:  # a name the other way round
            props["firstName"], props["lastName"] = props["lastName"], props["firstName"]
        if rng.random() < 0.1:  # a name in one field
            props["firstName"], props["lastName"] = "", ""
            props["name"] = rng.choice(FULL_NAMES)
        people.append(person(f"r{index:04d}", **props))
    return people


def odd_model() -> LinkageModel:
    """The hand-set model with uneven weights, a level never seen (m = u) and a null level."""
    base = hand_set_model()
    rng = random.Random(3)
    comparisons = {
        name: [
            level
            if level.m is None
            else LevelParameters(level.key, level.label, level.m, level.m * 2 ** rng.uniform(-9, 9))
            for level in levels
        ]
        for name, levels in base.comparisons.items()
    }
    return LinkageModel(comparisons=comparisons, prior=0.0037)


def tf_model() -> LinkageModel:
    """The uneven model with term frequencies of a noisy set: common names count for less."""
    base = odd_model()
    rows = random_people(300, seed=9)
    return LinkageModel(
        comparisons=base.comparisons,
        prior=base.prior,
        term_frequencies={c: TermFrequencies.of(r.get(c) for r in rows) for c in TF_COLUMNS},
        tf_weight=0.8,
    )


def assert_same(python: ScoredPair, splink: ScoredPair) -> None:
    assert python.key == splink.key
    assert python.levels == splink.levels, python.key
    assert python.weights == pytest.approx(splink.weights, abs=1e-9)
    assert python.weight == pytest.approx(splink.weight, abs=1e-9)
    assert python.probability == pytest.approx(splink.probability, rel=1e-9, abs=1e-15)
    assert python.conflicts == splink.conflicts


@pytest.mark.parametrize(
    "model", [hand_set_model(), odd_model(), tf_model()], ids=["hand-set", "uneven", "tf"]
)
def test_every_pair_of_a_noisy_set_scores_the_same_in_python_and_splink(
    model: LinkageModel,
) -> None:
    lefts, rights = random_people(60, seed=1), random_people(60, seed=2)
    rights = [{**r, "unique_id": f"s{r['unique_id']}"} for r in rights]
    splink = {
        p.key: p for p in score_between(model, lefts, rights, min_weight=-1e9, all_pairs=True)
    }
    scorer = PairScorer(model)
    seen_levels: set[tuple[str, str]] = set()
    for left in lefts:
        for right in rights:
            pair = scorer.score(left, right)
            assert_same(pair, splink[pair.key])
            seen_levels |= set(pair.levels.items())
    # The random set reaches nearly every level of every comparison; the listed cases the rest.
    every = {(name, level.key) for name, levels in model.comparisons.items() for level in levels}
    assert len(every - seen_levels) <= 6, sorted(every - seen_levels)
    if model.term_frequencies:  # and the adjustment moved weights, both ways
        assert any(
            scorer.score(left, right).weights["given_name"]
            != model.comparisons["given_name"][1].weight
            for left in lefts
            for right in rights
            if scorer.score(left, right).levels["given_name"] == "exact"
        )


def test_every_listed_level_case_scores_the_same_in_python_and_splink() -> None:
    model = hand_set_model()
    lefts = [person(f"L{i:03d}", **{**BASE, **left}) for i, (_, left, _, _) in enumerate(CASES)]
    rights = [person(f"R{i:03d}", **{**BASE, **right}) for i, (_, _, right, _) in enumerate(CASES)]
    splink = {
        p.key: p for p in score_between(model, lefts, rights, min_weight=-1e9, all_pairs=True)
    }
    scorer = PairScorer(model)
    for (comparison, _, _, level), left, right in zip(CASES, lefts, rights, strict=True):
        pair = scorer.score(left, right)
        assert pair.levels[comparison] == level
        assert_same(pair, splink[pair.key])


def test_probability_follows_the_weight() -> None:
    assert probability(0.0) == 0.5
    assert probability(1.0) == pytest.approx(2 / 3)
    assert probability(-2000.0) == 0.0
    assert probability(2000.0) == 1.0
