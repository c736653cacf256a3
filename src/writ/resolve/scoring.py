"""Score pairs of feature rows in plain Python with a trained model: the single-record look-up.

Batch linkage scores millions of pairs in Splink's SQL. A look-up scores one probe against a few
dozen candidates, where starting a database costs more than the scoring. This module puts each
pair in its level by the same conditions (``Level.holds``, the Python rendering of the level
Splink runs) and adds up the same weights: log2 of the prior odds plus each level's log2(m/u).
So a pair scored here and in the batch gets the same levels, weights and total;
``tests/test_resolve_scoring.py`` checks it against Splink.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from writ.resolve.comparisons import BY_NAME, Comparison
from writ.resolve.linkage import ScoredPair
from writ.resolve.model import LinkageModel
from writ.resolve.rules import identifier_conflicts

Row = Mapping[str, Any]


@dataclass(frozen=True)
class _Compiled:
    comparison: Comparison
    weights: dict[str, float]  # level key -> log2(m/u); 0 for the null level


class PairScorer:
    """One model's comparisons and weights, ready to score pairs of feature rows."""

    def __init__(self, model: LinkageModel) -> None:
        self.model = model
        self.prior_weight = math.log2(model.prior / (1 - model.prior))
        self._compiled = [
            _Compiled(
                BY_NAME[name],
                {level.key: 0.0 if _is_null(name, level.key) else level.weight for level in levels},
            )
            for name, levels in model.comparisons.items()
        ]

    def score(self, left: Row, right: Row) -> ScoredPair:
        levels: dict[str, str] = {}
        weights: dict[str, float] = {}
        total = self.prior_weight
        for compiled in self._compiled:
            name = compiled.comparison.name
            key = compiled.comparison.level_of(left, right)
            levels[name] = key
            weights[name] = compiled.weights[key]
            total += weights[name]
        a, b = str(left["unique_id"]), str(right["unique_id"])
        if b < a:
            a, b = b, a
        return ScoredPair(
            left=a,
            right=b,
            weight=total,
            probability=probability(total),
            levels=levels,
            weights=weights,
            conflicts=tuple(identifier_conflicts(left, right)),
        )


def _is_null(comparison: str, key: str) -> bool:
    return BY_NAME[comparison].level(key).is_null


def probability(weight: float) -> float:
    """The match probability of a match weight (log2 odds)."""
    if weight > 1000:
        return 1.0
    odds = 2.0**weight
    return odds / (1 + odds)


_SCORERS: dict[str, PairScorer] = {}


def scorer_for(model: LinkageModel) -> PairScorer:
    """The scorer of a model, built once per model version."""
    found = _SCORERS.get(model.version)
    if found is None:
        found = _SCORERS[model.version] = PairScorer(model)
    return found
