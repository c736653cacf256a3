"""Rules the probabilistic score cannot overrule: the A-number conflict and the declared guards.

Two records that carry A-numbers further apart than one typing error are two people unless a
human says otherwise: an A-number is issued to one person for life, so however alike the rest
looks (twins, namesakes, a father and son of the same name), the pair is never merged
automatically.

The **guards** (``data/guards.yml``) are declared the same way the lifecycle's gate rules are:
each has an id, a title, the reason it exists, and the pattern of comparison levels it holds
back. A pair a guard holds is never merged automatically, however high its weight: at most it
goes to review, and clustering refuses any join that would put two records a guard holds into
one subject through other records. Only a person's "same" (a judgement, or ``resolve merge``)
joins them. A guard is a condition on the levels a pair fell in, so the batch (Splink) and the
look-up (Python) see the very same guards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jellyfish
import yaml

# Identifier columns of which a person has exactly one: two different values mean two people.
ONE_PER_PERSON = ("a_number",)
A_NUMBER_CONFLICT = "a-number-conflict"


def typo_apart(x: str, y: str) -> bool:
    """One digit differs or two are transposed: a typing error rather than another number."""
    return jellyfish.damerau_levenshtein_distance(x, y) <= 1


def identifier_conflicts(left: Mapping[str, Any], right: Mapping[str, Any]) -> list[str]:
    """The one-per-person identifiers on which two records disagree beyond a typing error."""
    return [
        column
        for column in ONE_PER_PERSON
        if left.get(column)
        and right.get(column)
        and left[column] != right[column]
        and not typo_apart(str(left[column]), str(right[column]))
    ]


def values_conflict(mine: Iterable[str], theirs: Iterable[str]) -> bool:
    """Two sets of one identifier's values (two clusters) hold two numbers, not one mistyped."""
    ours = list(mine)
    return any(x != y and not typo_apart(x, y) for x in ours for y in theirs)


@dataclass(frozen=True)
class Guard:
    """A declared pattern that is never merged automatically.

    The guard holds a pair when every comparison in ``when`` fell in one of its listed levels
    and no comparison in ``unless`` fell in one of its listed levels. A comparison the model
    does not have (no such column in the data) never satisfies ``when``.
    """

    id: str
    title: str
    reason: str
    when: Mapping[str, frozenset[str]]
    unless: Mapping[str, frozenset[str]]

    def holds(self, levels: Mapping[str, str]) -> bool:
        for comparison, allowed in self.when.items():
            if levels.get(comparison) not in allowed:
                return False
        return not any(levels.get(c) in allowed for c, allowed in self.unless.items())


class GuardError(ValueError):
    """``guards.yml`` does not fit the format: names the guard and the field."""


def _levels(guard_id: str, field: str, raw: Any) -> dict[str, frozenset[str]]:
    from writ.resolve.comparisons import BY_NAME

    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise GuardError(f"guard {guard_id}: {field} must map comparisons to lists of levels")
    result = {}
    for comparison, keys in raw.items():
        if comparison not in BY_NAME:
            raise GuardError(f"guard {guard_id}: {field}: no comparison {comparison!r}")
        known = {level.key for level in BY_NAME[comparison].levels}
        wrong = [k for k in keys if k not in known]
        if wrong:
            raise GuardError(f"guard {guard_id}: {field}: {comparison} has no level {wrong}")
        result[comparison] = frozenset(keys)
    return result


def parse_guards(data: Any) -> dict[str, Guard]:
    guards: dict[str, Guard] = {}
    for raw in data or []:
        guard_id = str(raw.get("id") or "")
        for key in ("id", "title", "reason", "when"):
            if not raw.get(key):
                raise GuardError(f"guard {guard_id or '?'}: {key} is required")
        if guard_id in guards or guard_id == A_NUMBER_CONFLICT:
            raise GuardError(f"guard {guard_id}: declared twice")
        guards[guard_id] = Guard(
            id=guard_id,
            title=" ".join(str(raw["title"]).split()),
            reason=" ".join(str(raw["reason"]).split()),
            when=_levels(guard_id, "when", raw["when"]),
            unless=_levels(guard_id, "unless", raw.get("unless")),
        )
    return guards


@cache
def guards() -> dict[str, Guard]:
    """The declared guards, by id (``data/guards.yml``), checked once at load."""
    text = resources.files("writ.resolve").joinpath("data/guards.yml").read_text("utf-8")
    return parse_guards(yaml.safe_load(text))


A_NUMBER_RULE = Guard(
    id=A_NUMBER_CONFLICT,
    title="Two different A-numbers",
    reason=(
        "An A-number is issued to one person for life: two records whose A-numbers differ by "
        "more than one typed digit are two people unless a person decides otherwise."
    ),
    when={},
    unless={},
)


def guard(guard_id: str) -> Guard:
    """A guard by id, the A-number conflict rule included."""
    return A_NUMBER_RULE if guard_id == A_NUMBER_CONFLICT else guards()[guard_id]


def guards_holding(levels: Mapping[str, str], conflicts: Iterable[str] = ()) -> tuple[str, ...]:
    """The ids of the guards that hold a pair back, the A-number conflict first."""
    held = [A_NUMBER_CONFLICT] if "a_number" in conflicts else []
    held += [g.id for g in guards().values() if g.holds(levels)]
    return tuple(held)
