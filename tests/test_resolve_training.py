"""Training: learned values that make sense, and one input always giving one model."""

from __future__ import annotations

import random

import pytest

from test_resolve_support import demo_rows
from writ.resolve.linkage import train
from writ.resolve.model import LinkageModel


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return demo_rows(4000, seed=3)[0]


@pytest.fixture(scope="module")
def model(rows: list[dict[str, object]]) -> LinkageModel:
    return train(rows)


def m(model: LinkageModel, comparison: str, level: str) -> float:
    (found,) = [p for p in model.comparisons[comparison] if p.key == level]
    assert found.m is not None
    return found.m


def test_one_person_s_records_rarely_carry_two_a_numbers_or_two_sexes(model: LinkageModel) -> None:
    # The demo mistypes one identifier digit in 5 records of 100 and never gives one person two
    # A-numbers or two sexes: the model must not believe that matches often differ in them.
    assert m(model, "a_number", "different") < 0.05
    assert m(model, "a_number", "exact") > 0.85
    assert m(model, "gender", "different") < 0.05
    assert m(model, "birth_date", "exact") > 0.6


def test_a_conflicting_a_number_weighs_strongly_against(model: LinkageModel) -> None:
    (different,) = [p for p in model.comparisons["a_number"] if p.key == "different"]
    assert different.weight < -4


def test_a_swap_never_weighs_more_than_two_exact_names(model: LinkageModel) -> None:
    def weight(comparison: str, level: str) -> float:
        return next(p.weight for p in model.comparisons[comparison] if p.key == level)

    exact = weight("given_name", "exact") + weight("family_name", "exact")
    swapped = weight("given_name", "reordered") + weight("family_name", "swapped")
    assert weight("given_name", "reordered") == 0.0
    assert swapped <= exact + 1.0


def test_training_twice_gives_one_model(rows: list[dict[str, object]], model: LinkageModel) -> None:
    again = train(rows)
    assert again.version == model.version
    shuffled = list(rows)
    random.Random(5).shuffle(shuffled)
    assert train(shuffled).version == model.version


def test_the_model_says_where_each_m_came_from(model: LinkageModel) -> None:
    m_from = model.trained_on["m_from"]
    assert m_from["given_name"].endswith("labelled pairs")
    assert m_from["a_number"].endswith("labelled pairs")  # from pairs sharing a passport
