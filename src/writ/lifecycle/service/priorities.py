"""Enforcement priorities as stored rule sets over facts on file; each result explains itself."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from writ.lifecycle.priorities import (
    PriorityResult,
    PrioritySet,
    example_priority_set,
    load_priority_set,
    place,
)
from writ.lifecycle.service.records import build_facts, case_resource, case_row, now_utc, ts
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service import NotFound, Services
from writ.store.tables.lifecycle import priority_sets

EXAMPLE_SET = "example"


def save_priority_set(svc: Services, actor: Actor, text: str) -> PrioritySet:
    """Store (or replace) a priority set written in the rule language; checked before saving."""
    parsed = load_priority_set(text, "priority set")
    with svc.operation(actor, "update", Resource("priority-set", parsed.id)) as op:
        values = {
            "title": parsed.title,
            "text": text,
            "saved_by": actor.user,
            "saved_at": ts(now_utc()),
        }
        exists = op.session.execute(
            select(priority_sets.c.id).where(priority_sets.c.id == parsed.id)
        ).first()
        if exists:
            op.session.execute(
                update(priority_sets).where(priority_sets.c.id == parsed.id).values(**values)
            )
        else:
            op.session.execute(insert(priority_sets).values(id=parsed.id, **values))
        op.details.update({"set": parsed.id, "levels": [lv.id for lv in parsed.levels]})
    return parsed


def place_case(
    svc: Services, actor: Actor, case_id: str, set_id: str = EXAMPLE_SET
) -> PriorityResult:
    """Place a case by a priority set: the level, and every level's verdict and reason."""
    with svc.operation(actor, "read", audit_action="immigration-case.prioritise") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        text = op.session.execute(
            select(priority_sets.c.text).where(priority_sets.c.id == set_id)
        ).scalar_one_or_none()
        if text is not None:
            rule_set = load_priority_set(text, f"priority set {set_id}")
        elif set_id == EXAMPLE_SET:
            rule_set = example_priority_set()
        else:
            raise NotFound(f"no priority set {set_id}")
        facts = build_facts(op.session, case, "close", actor.user, now_utc())
        result = place(rule_set, facts)
        op.details.update({"case": case_id, "set": set_id, "placed": result.level})
    return result
