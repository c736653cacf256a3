"""Explanations a reviewer can read: each comparison, what was found, and the weight it added.

"date of birth: day and month swapped (+6.1)" — the weight is Splink's match weight of that
level (log2 of m/u): positive counts for the two records being one person, negative against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from writ.resolve.comparisons import BY_NAME


@dataclass(frozen=True)
class Reason:
    comparison: str
    level: str
    weight: float
    text: str


def reasons(
    levels: Mapping[str, str], weights: Mapping[str, float], conflicts: Sequence[str] = ()
) -> list[Reason]:
    """One reason per comparison, strongest evidence (either way) first; missing values last."""
    result = []
    for name, key in levels.items():
        comparison = BY_NAME[name]
        weight = float(weights.get(name, 0.0))
        if key == "missing":
            text = f"{comparison.label}: not known on both records"
        else:
            text = f"{comparison.label}: {comparison.level(key).label} ({weight:+.1f})"
        result.append(Reason(name, key, weight, text))
    result.sort(key=lambda r: (r.level == "missing", -abs(r.weight), r.comparison))
    for column in conflicts:
        label = BY_NAME[column].label if column in BY_NAME else column
        result.insert(
            0,
            Reason(
                column,
                "conflict",
                0.0,
                f"{label}: two different values — never merged automatically, a person must decide",
            ),
        )
    return result


def summary(weight: float, outcome: str) -> str:
    words = {
        "accept": "same person (merged automatically)",
        "review": "possibly the same person: a person must decide",
        "reject": "not the same person",
    }
    return f"match weight {weight:+.1f}: {words.get(outcome, outcome)}"
