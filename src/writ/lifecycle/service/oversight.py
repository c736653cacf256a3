"""Overdue items from every timed rule, for work queues and for the oversight report.

Each item is derived from the documents and custody events on file when asked: nothing to keep
in step, nothing that can silently go stale.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from writ.lifecycle.clocks import overdue_clocks
from writ.lifecycle.rules import default_rule_book
from writ.lifecycle.service.records import build_facts, now_utc
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service import Services
from writ.store.tables.lifecycle import immigration_cases


@dataclass(frozen=True)
class OverdueItem:
    case_id: str
    subject_name: str
    unit: str
    clock: str
    title: str
    citation: str
    started_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class OverdueReport:
    generated_at: datetime
    by_clock: dict[str, int]
    by_unit: dict[str, int]
    items: list[OverdueItem]


ALL_UNITS = "*"


def overdue_items(svc: Services, actor: Actor, *, unit: str | None = None) -> list[OverdueItem]:
    """Every overdue clock on open cases (of ``unit`` if given), most overdue first.

    The report of every unit is for oversight and legal; a supervisor gets their own unit's.
    """
    endings = default_rule_book().lifecycle.endings
    scope = unit or ALL_UNITS
    with svc.operation(actor, "read", Resource("lifecycle-report", scope, scope)) as op:
        now = now_utc()
        query = select(immigration_cases).where(immigration_cases.c.state.not_in(sorted(endings)))
        if unit is not None:
            query = query.where(immigration_cases.c.unit == unit)
        items = []
        for case in op.session.execute(query).mappings():
            facts = build_facts(op.session, case, "close", actor.user, now)
            for status in overdue_clocks(facts):
                items.append(
                    OverdueItem(
                        case_id=case["id"],
                        subject_name=case["subject_name"],
                        unit=case["unit"],
                        clock=status.clock,
                        title=status.title,
                        citation=status.citation,
                        started_at=status.started_at,
                        due_at=status.due_at,
                    )
                )
        items.sort(key=lambda i: i.due_at)
        op.details.update({"unit": unit, "rows": len(items)})
    return items


def overdue_report(svc: Services, actor: Actor) -> OverdueReport:
    """Counts of overdue items by clock and unit, with the items: of every unit for oversight
    and legal, of their own unit for a supervisor."""
    own = Resource("lifecycle-report", actor.unit, actor.unit)
    everywhere = svc.policy.decide(
        actor, "read", Resource("lifecycle-report", ALL_UNITS, ALL_UNITS)
    )
    narrowed = not everywhere.allowed and svc.policy.decide(actor, "read", own).allowed
    items = overdue_items(svc, actor, unit=actor.unit if narrowed else None)
    return OverdueReport(
        generated_at=now_utc(),
        by_clock=dict(Counter(i.clock for i in items)),
        by_unit=dict(Counter(i.unit for i in items)),
        items=items,
    )
