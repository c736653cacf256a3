"""Score pairs of feature rows in plain Python with a trained model: the single-record look-up.

Batch linkage scores millions of pairs in Splink's SQL. A look-up scores one probe against a few
dozen candidates, where starting a database costs more than the scoring. This module puts each
pair in its level by the same conditions (``Level.holds``, the Python rendering of the level
Splink runs) and adds up the same weights: log2 of the prior odds plus each level's log2(m/u),
plus Splink's term-frequency adjustment where the level has one (``w · (log2 u − log2 tf)``, tf the
greater frequency of the two records' values in the model's tables). So a pair scored here and in
the batch gets the same levels, weights and total;
``tests/test_resolve_scoring.py`` checks it against Splink.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from writ.resolve.comparisons import BY_NAME, Comparison
from writ.resolve.model import LinkageModel
from writ.resolve.pairs import ScoredPair
from writ.resolve.rules import identifier_conflicts

Row = Mapping[str, Any]


@dataclass(frozen=True)
class _Compiled:
    comparison: Comparison
    weights: dict[str, float]  # level key -> log2(m/u); 0 for the null level
    # level key -> (column, log2 u) for the levels a term frequency adjusts
    adjust: dict[str, tuple[str, float]]


class PairScorer:
    """One model's comparisons and weights, ready to score pairs of feature rows."""

    def __init__(self, model: LinkageModel) -> None:
        self.model = model
        self.prior_weight = math.log2(model.prior / (1 - model.prior))
        tf_columns = set(model.tf_columns)
        self._compiled = []
        for name, levels in model.comparisons.items():
            comparison = BY_NAME[name]
            adjust = {}
            for level in levels:
                tf = comparison.level(level.key).tf
                if tf in tf_columns and level.u:
                    adjust[level.key] = (str(tf), math.log2(level.u))
            self._compiled.append(
                _Compiled(
                    comparison,
                    {
                        level.key: 0.0 if _is_null(name, level.key) else level.weight
                        for level in levels
                    },
                    adjust,
                )
            )

    def score(self, left: Row, right: Row) -> ScoredPair:
        levels: dict[str, str] = {}
        weights: dict[str, float] = {}
        total = self.prior_weight
        for compiled in self._compiled:
            name = compiled.comparison.name
            key = compiled.comparison.level_of(left, right)
            levels[name] = key
            weights[name] = compiled.weights[key]
            if key in compiled.adjust:
                weights[name] += self._adjustment(left, right, *compiled.adjust[key])
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

    def _adjustment(self, left: Row, right: Row, column: str, log2_u: float) -> float:
        """Splink's term-frequency adjustment: ``w · (log2 u − log2 max(tf_l, tf_r))``."""
        frequencies = [
            f
            for f in (
                self.model.frequency(column, left.get(column)),
                self.model.frequency(column, right.get(column)),
            )
            if f is not None
        ]
        if not frequencies:
            return 0.0
        return self.model.tf_weight * (log2_u - math.log2(max(frequencies)))


def _is_null(comparison: str, key: str) -> bool:
    """A level that adds nothing: unknown on one side, or weighed by another comparison."""
    level = BY_NAME[comparison].level(key)
    return level.is_null or level.counted_in is not None


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
