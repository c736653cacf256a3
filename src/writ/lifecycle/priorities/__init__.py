"""Enforcement priorities: configurable rule sets over facts on file, each result explained.

A set is a list of levels tried in order; the first level whose condition holds places the case.
The result keeps every level's verdict and reason, so it says both why a case is placed where it
is and why it is not placed higher. There are no scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from writ.lifecycle.conditions import Condition, ConditionError, Environment, parse_condition
from writ.lifecycle.facts import Facts
from writ.lifecycle.rules import RuleError, default_rule_book


@dataclass(frozen=True)
class PriorityLevel:
    id: str
    label: str
    condition: Condition
    because: str


@dataclass(frozen=True)
class PrioritySet:
    id: str
    title: str
    levels: tuple[PriorityLevel, ...]
    otherwise_label: str
    otherwise_because: str


@dataclass(frozen=True)
class LevelVerdict:
    level: str
    label: str
    holds: bool
    reason: str


@dataclass(frozen=True)
class PriorityResult:
    set_id: str
    label: str
    level: str | None
    because: str
    verdicts: tuple[LevelVerdict, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_id,
            "label": self.label,
            "level": self.level,
            "because": self.because,
            "verdicts": [
                {"level": v.level, "label": v.label, "holds": v.holds, "reason": v.reason}
                for v in self.verdicts
            ],
        }


def parse_priority_set(raw: Mapping[str, Any], env: Environment, where: str) -> PrioritySet:
    set_id = str(raw.get("id") or "")
    if not set_id or not raw.get("levels"):
        raise RuleError(f"{where}: a priority set needs an id and levels")
    levels = []
    for n, item in enumerate(raw["levels"], start=1):
        level_id = str(item.get("id") or f"level {n}")
        for key in ("id", "label", "when", "because"):
            if not item.get(key):
                raise RuleError(f"{where}: level {level_id}: {key} is required")
        try:
            condition = parse_condition(item["when"], env)
        except ConditionError as exc:
            raise RuleError(f"{where}: level {level_id}: {exc}") from None
        levels.append(PriorityLevel(level_id, str(item["label"]), condition, str(item["because"])))
    otherwise = raw.get("otherwise") or {}
    return PrioritySet(
        id=set_id,
        title=str(raw.get("title") or set_id),
        levels=tuple(levels),
        otherwise_label=str(otherwise.get("label") or "Not a priority"),
        otherwise_because=str(otherwise.get("because") or "no level's conditions hold"),
    )


def load_priority_set(text: str, where: str = "priority set") -> PrioritySet:
    """Parse an agency's priority set (YAML text) against the rule book's vocabulary."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: a priority set is a mapping")
    return parse_priority_set(raw, default_rule_book().environment, where)


@lru_cache(maxsize=1)
def example_priority_set() -> PrioritySet:
    text = resources.files(__name__).joinpath("example.yaml").read_text("utf-8")
    return load_priority_set(text, "priorities/example.yaml")


def place(priority_set: PrioritySet, facts: Facts) -> PriorityResult:
    """Evaluate every level; the first that holds places the case; all verdicts are kept."""
    verdicts = []
    placed: LevelVerdict | None = None
    placed_because = ""
    for level in priority_set.levels:
        verdict = level.condition.evaluate(facts)
        lv = LevelVerdict(level.id, level.label, verdict.value, verdict.reason)
        verdicts.append(lv)
        if verdict.value and placed is None:
            placed, placed_because = lv, f"{level.because} ({verdict.reason})"
    if placed is None:
        return PriorityResult(
            priority_set.id,
            priority_set.otherwise_label,
            None,
            priority_set.otherwise_because,
            tuple(verdicts),
        )
    return PriorityResult(
        priority_set.id, placed.label, placed.level, placed_because, tuple(verdicts)
    )
