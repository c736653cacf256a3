"""A scored pair: two records the model compared, what each comparison found, and what holds it.

Light on purpose (no Splink, no database): the batch linker, the look-up's Python scorer, the
store and the review queue all build and read these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from writ.resolve.model import Thresholds
from writ.resolve.rules import guards_holding


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """Two records the model compared: the total match weight and what each comparison added."""

    left: str
    right: str
    weight: float
    probability: float
    levels: dict[str, str] = field(default_factory=dict)  # comparison -> level key
    weights: dict[str, float] = field(default_factory=dict)  # comparison -> log2 Bayes factor
    conflicts: tuple[str, ...] = ()  # one-per-person identifiers that differ

    @property
    def guards(self) -> tuple[str, ...]:
        """The ids of the declared guards (``writ.resolve.rules``) that hold this pair back from
        automatic merging, the A-number conflict first; empty when none does."""
        return guards_holding(self.levels, self.conflicts)

    def outcome(self, thresholds: Thresholds) -> str:
        """accept, review or reject; a pair a guard holds never goes past review."""
        outcome = thresholds.outcome(self.weight)
        if outcome == "accept" and self.guards:
            return "review"
        return outcome

    @property
    def key(self) -> tuple[str, str]:
        return (self.left, self.right)
