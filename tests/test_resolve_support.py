"""Shared pieces for the resolve tests: a linkage model with hand-set weights, and people.

A hand-set model makes the tests fast and exact: no training, and every level's weight known.
Training itself is tested once, in test_resolve_model.py.
"""

from __future__ import annotations

from writ.resolve.comparisons import ALL_COMPARISONS
from writ.resolve.features import PersonRecord, prepare
from writ.resolve.model import LevelParameters, LinkageModel, Thresholds

# The weight (log2 m/u) of each level that is not "different"; "different" weighs DIFFERENT.
# Levels are weighed from the top down, 1.5 less each, unless WEIGHTS says otherwise.
STRONG = {"a_number": 14.0, "passport": 12.0, "id_number": 12.0}
DIFFERENT = -5.0
WEIGHTS = {
    "given_name": {"exact": 6.0, "given_reordered": 5.0, "dropped": 4.0, "first_name": 3.0,
                   "nickname": 1.5, "compact": 1.5, "close": 0.0, "sounds": -1.5,
                   "similar": -3.0},
    "family_name": {"exact": 6.0, "swapped": 4.5, "reordered": 4.5, "swapped_close": 4.0,
                    "compact": 3.5, "one_of_two": 3.0, "first_same": 1.5, "close": 0.0,
                    "sounds": -1.5, "similar": -3.0},
    "a_number": {"exact": 14.0, "one_char": 8.0},
}  # fmt: skip


def hand_set_model(thresholds: Thresholds | None = None) -> LinkageModel:
    comparisons = {}
    for comparison in ALL_COMPARISONS:
        top = STRONG.get(comparison.name, 6.0)
        levels = []
        ranked = [level for level in comparison.levels if not level.is_null]
        for level in comparison.levels:
            if level.is_null or level.counted_in:
                levels.append(LevelParameters(level.key, level.label, None, None))
                continue
            if level.key == "different":
                weight, m = DIFFERENT, 0.02
            else:
                default = top - 1.5 * ranked.index(level)
                weight, m = WEIGHTS.get(comparison.name, {}).get(level.key, default), 0.5
            levels.append(LevelParameters(level.key, level.label, m, m / 2**weight))
        comparisons[comparison.name] = levels
    return LinkageModel(comparisons=comparisons, prior=1e-3, thresholds=thresholds or Thresholds())


def person(uid: str, **props: str) -> dict[str, object]:
    """Feature row of a person given followthemoney properties as keywords."""
    return prepare(PersonRecord(uid, {k: [v] for k, v in props.items() if v}))


def demo_rows(count: int, seed: int = 7) -> tuple[list[dict[str, object]], dict[str, str]]:
    """``count`` noisy feature rows of invented people (the demo population: households, twins,
    namesakes; its noise: typos, swapped names, mistyped digits...), one to four per person, and
    the truth (record id -> person id)."""
    import random

    from writ.demo.people import build_population
    from writ.demo.writing import (
        a_number_text,
        written_birth_date,
        written_identifier,
        written_name,
    )

    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    truth: dict[str, str] = {}
    for chunk in range(1000):
        for who in build_population(rng, 250):
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                if len(rows) == count:
                    return rows, truth
                uid = f"r{len(rows):06d}"
                noise: list[str] = []
                name = written_name(rng, who, noise, keeps_accents=rng.random() < 0.5)
                born = written_birth_date(rng, who, noise)
                props = {
                    "firstName": name.given,
                    "lastName": name.family,
                    "birthDate": born.isoformat() if born else "",
                    "gender": who.sex if rng.random() < 0.7 else "",
                    "nationality": who.nationality if rng.random() < 0.5 else "",
                    "full": who.address if rng.random() < 0.5 else "",
                }
                number = written_identifier(rng, who.a_number, "a_number", noise, missing=0.5)
                if number:
                    props["idNumber"] = a_number_text(rng, number, ("dashed", "plain"))
                props["passportNumber"] = written_identifier(
                    rng, who.passport, "passport", noise, missing=0.6
                )
                rows.append(person(uid, **props))
                truth[uid] = f"{chunk}-{who.person_id}"
    return rows, truth
