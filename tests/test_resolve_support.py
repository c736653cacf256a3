"""Shared pieces for the resolve tests: a linkage model with hand-set weights, and people.

A hand-set model makes the tests fast and exact: no training, and every level's weight known.
Training itself is tested once, in test_resolve_model.py.
"""

from __future__ import annotations

from writ.resolve.comparisons import ALL_COMPARISONS
from writ.resolve.features import PersonRecord, prepare
from writ.resolve.model import LevelParameters, LinkageModel, Thresholds

# The weight (log2 m/u) of each level that is not "different"; "different" weighs DIFFERENT.
STRONG = {"a_number": 14.0, "passport": 12.0, "id_number": 12.0}
DIFFERENT = -5.0


def hand_set_model(thresholds: Thresholds | None = None) -> LinkageModel:
    comparisons = {}
    for comparison in ALL_COMPARISONS:
        top = STRONG.get(comparison.name, 6.0)
        levels = []
        ranked = [level for level in comparison.levels if not level.is_null]
        for level in comparison.levels:
            if level.is_null:
                levels.append(LevelParameters(level.key, level.label, None, None))
                continue
            if level.key == "different":
                weight, m = DIFFERENT, 0.02
            else:
                weight, m = top - 1.5 * ranked.index(level), 0.5
            levels.append(LevelParameters(level.key, level.label, m, m / 2**weight))
        comparisons[comparison.name] = levels
    return LinkageModel(comparisons=comparisons, prior=1e-3, thresholds=thresholds or Thresholds())


def person(uid: str, **props: str) -> dict[str, object]:
    """Feature row of a person given followthemoney properties as keywords."""
    return prepare(PersonRecord(uid, {k: [v] for k, v in props.items() if v}))
