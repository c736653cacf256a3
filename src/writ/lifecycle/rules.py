"""Loading the rule book: gate rules (``rules/*.yaml``), the lifecycle (``lifecycle.yaml``), signer
lists (``signers.yaml``) and clocks (``clocks.yaml``), checked once at load.

A gate rule file holds one rule::

    id: removal-stay
    title: A stay blocks removal
    severity: hard              # hard: nobody may override; soft: override_by names the roles
    citation: 8 CFR 1003.6; 8 CFR 241.6
    applies_to: [removal]       # actions or action groups from lifecycle.yaml
    fires_when: stay_in_effect  # a condition (see conditions.py)
    explanation: Removal is barred while a stay is in effect.

Adding a rule is a new file and a test; the engine does not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any

import yaml

from writ.lifecycle.clocks import ClockDefinition, default_clocks
from writ.lifecycle.conditions import (
    Condition,
    ConditionError,
    Environment,
    NotOf,
    parse_condition,
)
from writ.model.actor import ROLES

SEVERITIES = frozenset({"hard", "soft"})


class RuleError(ValueError):
    """A rule or lifecycle file that does not fit the format: names the file, rule and field."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    citation: str
    applies_to: frozenset[str]
    condition: Condition
    explanation: str
    override_by: frozenset[str] = frozenset()
    source: str = ""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    requirements: tuple[Rule, ...]


@dataclass(frozen=True)
class Lifecycle:
    states: Mapping[str, str]
    initial: str
    endings: frozenset[str]
    transitions: Mapping[str, Transition]
    other_actions: frozenset[str]

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self.transitions) | self.other_actions


@dataclass(frozen=True)
class RuleBook:
    lifecycle: Lifecycle
    rules: tuple[Rule, ...]
    environment: Environment

    def rule(self, rule_id: str) -> Rule:
        for rule in self.all_rules():
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r}")

    def all_rules(self) -> tuple[Rule, ...]:
        reqs = tuple(r for t in self.lifecycle.transitions.values() for r in t.requirements)
        return self.rules + reqs


RULE_FIELDS = {
    "id",
    "title",
    "severity",
    "citation",
    "source",
    "applies_to",
    "fires_when",
    "explanation",
    "override_by",
}


def parse_rule(raw: Mapping[str, Any], env: Environment, where: str) -> Rule:
    rule_id = str(raw.get("id") or "")
    label = f"{where}: rule {rule_id or '?'}"
    unknown = set(raw) - RULE_FIELDS
    if unknown:
        raise RuleError(f"{label}: unknown field(s) {sorted(unknown)}")
    for key in ("id", "title", "severity", "citation", "applies_to", "fires_when", "explanation"):
        if not raw.get(key):
            raise RuleError(f"{label}: {key} is required")
    severity = str(raw["severity"])
    if severity not in SEVERITIES:
        raise RuleError(f"{label}: severity {severity!r} is not hard or soft")
    override_by = frozenset(str(r) for r in raw.get("override_by") or ())
    if severity == "hard" and override_by:
        raise RuleError(f"{label}: a hard rule cannot name override_by (nobody overrides it)")
    if severity == "soft" and not override_by:
        raise RuleError(f"{label}: a soft rule must name the roles in override_by")
    if override_by - ROLES:
        raise RuleError(f"{label}: override_by {sorted(override_by - ROLES)} are not roles")
    applies = raw["applies_to"]
    if not isinstance(applies, list):
        raise RuleError(f"{label}: applies_to must be a list of actions or groups")
    try:
        actions = env.actions([str(a) for a in applies])
        condition = parse_condition(raw["fires_when"], env)
    except ConditionError as exc:
        raise RuleError(f"{label}: {exc}") from None
    return Rule(
        id=rule_id,
        title=str(raw["title"]),
        severity=severity,
        citation=str(raw["citation"]),
        applies_to=actions,
        condition=condition,
        explanation=" ".join(str(raw["explanation"]).split()),
        override_by=override_by,
        source=str(raw.get("source") or ""),
    )


def parse_lifecycle(raw: Mapping[str, Any], env: Environment) -> Lifecycle:
    states = {str(k): str(v) for k, v in raw["states"].items()}
    endings = frozenset(str(s) for s in raw["endings"])
    initial = str(raw["initial"])
    for state in endings | {initial}:
        if state not in states:
            raise RuleError(f"lifecycle.yaml: state {state!r} is not declared under states")
    transitions: dict[str, Transition] = {}
    for item in raw["transitions"]:
        action = str(item["action"])
        sources = frozenset(str(s) for s in item["from"])
        target = str(item["to"])
        for state in sources | {target}:
            if state not in states:
                raise RuleError(f"lifecycle.yaml: transition {action}: unknown state {state!r}")
        if sources & endings:
            raise RuleError(f"lifecycle.yaml: transition {action} leaves an ending state")
        if action in transitions:
            raise RuleError(f"lifecycle.yaml: transition {action} is declared twice")
        requirements = []
        for n, req in enumerate(item.get("requires") or (), start=1):
            try:
                met = parse_condition(req["condition"], env)
            except ConditionError as exc:
                raise RuleError(
                    f"lifecycle.yaml: transition {action} requirement {n}: {exc}"
                ) from None
            requirements.append(
                Rule(
                    id=f"requires.{action}.{n}",
                    title=f"{action.replace('_', ' ')} needs: {req['says']}",
                    severity="hard",
                    citation=str(req["citation"]),
                    applies_to=frozenset({action}),
                    condition=NotOf(met),
                    explanation=f"{action.replace('_', ' ').capitalize()} needs {req['says']}.",
                )
            )
        transitions[action] = Transition(action, sources, target, tuple(requirements))
    return Lifecycle(
        states=states,
        initial=initial,
        endings=endings,
        transitions=transitions,
        other_actions=frozenset(str(a) for a in raw.get("actions") or ()),
    )


def _yaml(node: Traversable) -> Any:
    try:
        return yaml.safe_load(node.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError(f"{node.name}: not valid YAML: {exc}") from None


def load_rule_book(
    rules_dir: Traversable | None = None,
    clocks: tuple[ClockDefinition, ...] | None = None,
) -> RuleBook:
    """Read and check the whole rule book. ``rules_dir`` defaults to the packaged rules."""
    package = resources.files("writ.lifecycle")
    lifecycle_raw = _yaml(package.joinpath("lifecycle.yaml"))
    lists_raw = _yaml(package.joinpath("signers.yaml"))["lists"]
    groups = {str(k): frozenset(str(a) for a in v) for k, v in lifecycle_raw["groups"].items()}
    env = Environment(
        lists={str(k): frozenset(str(v) for v in vals) for k, vals in lists_raw.items()},
        action_groups=groups,
        clocks={c.id: c for c in (clocks if clocks is not None else default_clocks())},
    )
    lifecycle = parse_lifecycle(lifecycle_raw, env)
    for group, members in groups.items():
        unknown = members - lifecycle.actions
        if unknown:
            raise RuleError(
                f"lifecycle.yaml: group {group} names unknown action(s) {sorted(unknown)}"
            )
    folder = rules_dir if rules_dir is not None else package.joinpath("rules")
    rules: list[Rule] = []
    seen: set[str] = set()
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if not node.name.endswith((".yaml", ".yml")):
            continue
        raw = _yaml(node)
        if not isinstance(raw, Mapping):
            raise RuleError(f"{node.name}: a rule file holds one mapping")
        rule = parse_rule(raw, env, node.name)
        if rule.id in seen:
            raise RuleError(f"{node.name}: rule id {rule.id} is used twice")
        unknown = rule.applies_to - lifecycle.actions
        if unknown:
            raise RuleError(f"{node.name}: rule {rule.id}: unknown action(s) {sorted(unknown)}")
        seen.add(rule.id)
        rules.append(rule)
    return RuleBook(lifecycle, tuple(rules), env)


@lru_cache(maxsize=1)
def default_rule_book() -> RuleBook:
    return load_rule_book()
