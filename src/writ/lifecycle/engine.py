"""The gate engine: evaluate every rule that applies to the requested action against the facts,
and return every rule that fired, with its citation and why it fired.

The engine knows nothing about any particular rule. A hard finding blocks and nobody may override
it; a soft finding blocks unless an override on file, granted by a different person holding a role
the rule names and with a written reason, covers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from writ.lifecycle.facts import Facts
from writ.lifecycle.rules import Rule, RuleBook


class OverrideRefused(ValueError):
    """An override that the rule does not allow: names the rule and the reason it is refused."""


@dataclass(frozen=True)
class Override:
    """A recorded decision to let one soft rule pass for one action requested by one person."""

    rule: str
    action: str
    requested_by: str
    granted_by: str
    granted_roles: frozenset[str]
    reason: str
    granted_at: datetime


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    severity: str
    citation: str
    explanation: str
    override_by: tuple[str, ...] = ()
    overridden_by: str | None = None
    override_reason: str | None = None

    @property
    def blocks(self) -> bool:
        return self.severity == "hard" or self.overridden_by is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity,
            "citation": self.citation,
            "explanation": self.explanation,
            "override_by": list(self.override_by),
            "overridden_by": self.overridden_by,
            "override_reason": self.override_reason,
        }


@dataclass(frozen=True)
class Evaluation:
    """The result of gating one action: every rule that fired, and whether the action may go on."""

    case_id: str
    action: str
    evaluated_at: datetime
    findings: tuple[Finding, ...]
    rules_checked: tuple[str, ...]

    @property
    def blocked(self) -> bool:
        return any(f.blocks for f in self.findings)

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocks)

    def fired(self) -> tuple[str, ...]:
        return tuple(f.rule for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "action": self.action,
            "evaluated_at": self.evaluated_at.isoformat(),
            "blocked": self.blocked,
            "findings": [f.as_dict() for f in self.findings],
            "rules_checked": list(self.rules_checked),
        }

    def summary(self) -> str:
        if not self.findings:
            return f"{self.action}: clear ({len(self.rules_checked)} rules checked)"
        parts = [
            f"{f.rule} [{f.severity}{', overridden' if not f.blocks else ''}] {f.citation}"
            for f in self.findings
        ]
        verdict = "blocked" if self.blocked else "allowed"
        return f"{self.action}: {verdict}: " + "; ".join(parts)


def _finding(rule: Rule, facts: Facts) -> Finding | None:
    verdict = rule.condition.evaluate(facts)
    if not verdict.value:
        return None
    return Finding(
        rule=rule.id,
        title=rule.title,
        severity=rule.severity,
        citation=rule.citation,
        explanation=f"{rule.explanation} On file: {verdict.reason}.",
        override_by=tuple(sorted(rule.override_by)),
    )


def applicable_rules(book: RuleBook, facts: Facts) -> list[Rule]:
    """The gate rules for the action, and the transition's own requirements when it is one."""
    action = facts.action.name
    if action not in book.lifecycle.actions:
        raise ValueError(
            f"case {facts.case.id}: action {action!r} is not one of "
            f"{sorted(book.lifecycle.actions)}"
        )
    rules = [r for r in book.rules if action in r.applies_to]
    transition = book.lifecycle.transitions.get(action)
    if transition is not None:
        rules.extend(transition.requirements)
    return rules


def evaluate(book: RuleBook, facts: Facts, overrides: Iterable[Override] = ()) -> Evaluation:
    """Gate ``facts.action``: every applicable rule is evaluated; none stops the others."""
    findings: list[Finding] = []
    transition = book.lifecycle.transitions.get(facts.action.name)
    if transition is not None and facts.case.state not in transition.sources:
        findings.append(
            Finding(
                rule="lifecycle.transition",
                title="The action does not lead from the case's current state",
                severity="hard",
                citation="writ lifecycle (lifecycle.yaml)",
                explanation=(
                    f"{facts.action.name} leads from {', '.join(sorted(transition.sources))} "
                    f"to {transition.target}; the case is in {facts.case.state}."
                ),
            )
        )
    rules = applicable_rules(book, facts)
    for rule in rules:
        finding = _finding(rule, facts)
        if finding is not None:
            findings.append(finding)
    evaluation = Evaluation(
        case_id=facts.case.id,
        action=facts.action.name,
        evaluated_at=facts.now,
        findings=tuple(findings),
        rules_checked=tuple(r.id for r in rules),
    )
    return apply_overrides(book, evaluation, overrides, facts.action.requested_by)


def override_refusal(
    rule: Rule, requested_by: str, granted_by: str, granted_roles: frozenset[str]
) -> str | None:
    """Why ``granted_by`` may not override ``rule`` for an attempt ``requested_by`` made, or
    None when they may (given a written reason): the rule's own conditions, not the policy's."""
    if rule.severity == "hard":
        return f"rule {rule.id} is a hard gate ({rule.citation}): nobody may override it"
    if granted_by == requested_by:
        return (
            f"rule {rule.id}: {granted_by} requested the action and cannot also override the gate"
        )
    if not granted_roles & rule.override_by:
        return (
            f"rule {rule.id}: only a {' or '.join(sorted(rule.override_by))} may override it; "
            f"{granted_by} holds {', '.join(sorted(granted_roles)) or 'no role'}"
        )
    return None


def check_override(
    rule: Rule, requested_by: str, granted_by: str, granted_roles: frozenset[str], reason: str
) -> None:
    """Refuse an override the rule does not allow; say which condition is not met."""
    refusal = override_refusal(rule, requested_by, granted_by, granted_roles)
    if refusal is not None:
        raise OverrideRefused(refusal)
    if len(reason.strip()) < 10:
        refused = OverrideRefused(
            f"rule {rule.id}: an override needs a written reason (a sentence, 10 characters"
            " or more)"
        )
        refused.field = "reason"  # type: ignore[attr-defined]
        raise refused


def apply_overrides(
    book: RuleBook, evaluation: Evaluation, overrides: Iterable[Override], requested_by: str
) -> Evaluation:
    """Mark soft findings covered by a valid override for this action and this requester."""
    usable = list(overrides)
    if not usable:
        return evaluation
    findings = []
    for finding in evaluation.findings:
        match = None
        if finding.severity == "soft":
            rule = book.rule(finding.rule)
            for ov in usable:
                if ov.rule != finding.rule or ov.action != evaluation.action:
                    continue
                if ov.requested_by != requested_by:
                    continue
                try:
                    check_override(rule, requested_by, ov.granted_by, ov.granted_roles, ov.reason)
                except OverrideRefused:
                    continue
                match = ov
                break
        if match is not None:
            finding = replace(finding, overridden_by=match.granted_by, override_reason=match.reason)
        findings.append(finding)
    return replace(evaluation, findings=tuple(findings))
