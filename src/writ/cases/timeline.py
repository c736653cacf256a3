"""Timelines per case and per subject, newest first.

Merged from dated statement values (birth, start and end dates ...) and ``timeline_events``: case
actions written by this package, custody events, and whatever other concerns put there through
``writ.cases.records.record_event``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from writ.cases.records import case_from_row, load_case
from writ.model.actor import Actor
from writ.model.statement import statement_id
from writ.service.operation import Services
from writ.service.subjects import person_resource
from writ.store.tables.cases import cases, timeline_events
from writ.store.tables.core import statements


@dataclass(frozen=True)
class TimelineEvent:
    occurred_at: str
    kind: str
    summary: str
    source: str
    actor: str
    ref: str


def _events(session: Session, condition: object) -> list[TimelineEvent]:
    rows = session.execute(
        select(timeline_events).where(condition).order_by(timeline_events.c.id)  # type: ignore[arg-type]
    )
    return [TimelineEvent(r.occurred_at, r.kind, r.summary, r.source, r.actor, r.ref) for r in rows]


def _newest_first(events: list[TimelineEvent]) -> list[TimelineEvent]:
    # Stable sort: events at the same instant keep the order they were recorded in, reversed.
    return sorted(reversed(events), key=lambda e: e.occurred_at, reverse=True)


def case_timeline(svc: Services, actor: Actor, case_id: str) -> list[TimelineEvent]:
    with svc.operation(actor, "read", audit_action="case.timeline") as op:
        op.authorize(load_case(op.session, case_id).resource())
        return _newest_first(_events(op.session, timeline_events.c.case_id == case_id))


def _date_properties(schema_name: str) -> set[str]:
    schema = model.get(schema_name)
    if schema is None:
        return set()
    return {name for name, prop in schema.properties.items() if prop.type.name == "date"}


def _label(schema_name: str, prop: str) -> str:
    schema = model.get(schema_name)
    found = schema.get(prop) if schema is not None else None
    return found.label if found is not None else prop


def _records(rows: list[Any]) -> str:
    """ "bookings records 15-1 and 17-2, court_records record C-9"."""
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row.record_id)
    parts = []
    for source, ids in by_source.items():
        named = ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
        parts.append(f"{source} record{'s' if len(ids) > 1 else ''} {named}")
    return "; ".join(parts)


def subject_timeline(
    svc: Services, actor: Actor, entity_id: str | Sequence[str]
) -> list[TimelineEvent]:
    """Dated values of the subject (of all its records, given several), and events about it on
    cases the actor may read."""
    entity_ids = [entity_id] if isinstance(entity_id, str) else list(dict.fromkeys(entity_id))
    with svc.operation(actor, "read", audit_action="subject.timeline") as op:
        for one in entity_ids:
            op.authorize(person_resource(op.session, one))
        # One event per dated value, naming every record that gives it.
        dated: dict[tuple[str, str], list[Any]] = {}
        for row in op.session.execute(
            select(statements)
            .where(statements.c.entity_id.in_(entity_ids), statements.c.superseded_at.is_(None))
            .order_by(statements.c.source, statements.c.record_id)
        ):
            if row.prop in _date_properties(row.schema):
                dated.setdefault((row.prop, row.value), []).append(row)
        found: list[TimelineEvent] = []
        for (prop, value), rows in dated.items():
            first = rows[0]
            sid = statement_id(first.source, first.record_id, first.entity_id, prop, value)
            found.append(
                TimelineEvent(
                    value,
                    f"statement.{prop}",
                    f"{_label(first.schema, prop)}: {value}, in {_records(rows)}",
                    ", ".join(sorted({r.source for r in rows})),
                    "",
                    f"statement:{sid}",
                )
            )
        case_ids = {
            r.case_id
            for r in op.session.execute(
                select(timeline_events.c.case_id).where(
                    timeline_events.c.entity_id.in_(entity_ids),
                    timeline_events.c.case_id.is_not(None),
                )
            )
        }
        readable = {
            row.id
            for row in op.session.execute(select(cases).where(cases.c.id.in_(case_ids)))
            if svc.policy.decide(actor, "read", case_from_row(row).resource()).allowed
        }
        for row in op.session.execute(
            select(timeline_events)
            .where(timeline_events.c.entity_id.in_(entity_ids))
            .order_by(timeline_events.c.id)
        ):
            if row.case_id is not None and row.case_id not in readable:
                continue
            found.append(
                TimelineEvent(
                    row.occurred_at, row.kind, row.summary, row.source, row.actor, row.ref
                )
            )
        return _newest_first(found)
