"""Explanations a reviewer can read: each comparison, what was found, and the weight it added,
and every guard that held the pair back from automatic merging.

"date of birth: day and month swapped (+6.1)" — the weight is Splink's match weight of that
level (log2 of m/u, with its term-frequency adjustment): positive counts for the two records
being one person, negative against. "held back — Possible twins at one address: ..." names a
declared guard (``writ.resolve.rules``) and its reason.

``reasons`` gives the lines in words; ``structured`` gives the same as data (guards with their
id, title and reason; comparisons with their level key and label and weight) for pages that
render them in their own words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from writ.resolve.comparisons import BY_NAME
from writ.resolve.rules import A_NUMBER_CONFLICT, guard, guards_holding


@dataclass(frozen=True)
class Reason:
    comparison: str  # the comparison's name, or the guard's id for a guard
    level: str  # the level's key; "guard" for a guard, "conflict" for the A-number rule
    weight: float
    text: str
    kind: str = "comparison"  # "comparison" or "guard"


def reasons(
    levels: Mapping[str, str], weights: Mapping[str, float], conflicts: Sequence[str] = ()
) -> list[Reason]:
    """Guards first, then one reason per comparison, strongest evidence (either way) first;
    missing values last."""
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
    held: list[Reason] = []
    for column in conflicts:
        label = BY_NAME[column].label if column in BY_NAME else column
        held.append(
            Reason(
                column,
                "conflict",
                0.0,
                f"{label}: two different values — never merged automatically, a person must decide",
                kind="guard",
            )
        )
    for guard_id in guards_holding(levels, conflicts):
        if guard_id == A_NUMBER_CONFLICT:
            continue
        declared = guard(guard_id)
        held.append(
            Reason(
                guard_id,
                "guard",
                0.0,
                f"held back — {declared.title}: {declared.reason}",
                kind="guard",
            )
        )
    return held + result


@dataclass(frozen=True)
class GuardView:
    id: str
    title: str
    reason: str


@dataclass(frozen=True)
class ComparisonView:
    comparison: str
    label: str  # "date of birth"
    level: str  # "day_month_swapped", "missing"
    level_label: str  # "day and month swapped"
    weight: float


@dataclass(frozen=True)
class Explanation:
    """Why a pair scored what it did, as data: guards that hold it, then each comparison."""

    guards: list[GuardView] = field(default_factory=list)
    comparisons: list[ComparisonView] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "guards": [g.__dict__ for g in self.guards],
            "comparisons": [c.__dict__ for c in self.comparisons],
        }


def structured(
    levels: Mapping[str, str], weights: Mapping[str, float], conflicts: Sequence[str] = ()
) -> Explanation:
    guards = [
        GuardView(g.id, g.title, g.reason)
        for g in (guard(i) for i in guards_holding(levels, conflicts))
    ]
    comparisons = []
    for reason in reasons(levels, weights, conflicts):
        if reason.kind != "comparison":
            continue
        comparison = BY_NAME[reason.comparison]
        comparisons.append(
            ComparisonView(
                comparison=reason.comparison,
                label=comparison.label,
                level=reason.level,
                level_label=comparison.level(reason.level).label,
                weight=round(reason.weight, 2),
            )
        )
    return Explanation(guards, comparisons)


def summary(weight: float, outcome: str, guards: Sequence[str] = ()) -> str:
    words = {
        "accept": "same person (merged automatically)",
        "review": "possibly the same person: a person must decide",
        "reject": "not the same person",
    }
    text = f"match weight {weight:+.1f}: {words.get(outcome, outcome)}"
    if guards:
        titles = "; ".join(guard(g).title for g in guards)
        text += f" (held back: {titles})"
    return text
