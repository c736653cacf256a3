"""Timelines per case and per subject, newest first.

Merged from dated statement values (birth, start and end dates ...) and ``timeline_events``: case
actions written by this package, custody events, and whatever other concerns put there through
``writ.cases.records.record_event``.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def subject_timeline(svc: Services, actor: Actor, entity_id: str) -> list[TimelineEvent]:
    """Dated values of the subject, and events about it on cases the actor may read."""
    with svc.operation(actor, "read", audit_action="subject.timeline") as op:
        op.authorize(person_resource(op.session, entity_id))
        found: list[TimelineEvent] = []
        for row in op.session.execute(
            select(statements).where(
                statements.c.entity_id == entity_id, statements.c.superseded_at.is_(None)
            )
        ):
            if row.prop not in _date_properties(row.schema):
                continue
            sid = statement_id(row.source, row.record_id, row.entity_id, row.prop, row.value)
            found.append(
                TimelineEvent(
                    row.value,
                    f"statement.{row.prop}",
                    f"{row.prop}: {row.value} (source {row.source}, record {row.record_id})",
                    row.source,
                    "",
                    f"statement:{sid}",
                )
            )
        case_ids = {
            r.case_id
            for r in op.session.execute(
                select(timeline_events.c.case_id).where(
                    timeline_events.c.entity_id == entity_id,
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
            .where(timeline_events.c.entity_id == entity_id)
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
