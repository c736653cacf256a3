"""The rule book as people read it: every gate rule with its severity, overriders and citation."""

from __future__ import annotations

from dataclasses import dataclass

from writ.lifecycle.rules import default_rule_book


@dataclass(frozen=True)
class RuleView:
    id: str
    title: str
    severity: str
    override_by: list[str]
    applies_to: list[str]
    citation: str
    source: str


def list_rules() -> list[RuleView]:
    """The gate rules in force (reference rules: counsel reviews them before use)."""
    return [
        RuleView(
            id=r.id,
            title=r.title,
            severity=r.severity,
            override_by=sorted(r.override_by),
            applies_to=sorted(r.applies_to),
            citation=r.citation,
            source=r.source,
        )
        for r in default_rule_book().rules
    ]
