"""Reading subjects: a view over statements, checked against markings, audited as a read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from writ.audit.ledger import utcnow
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.model.statement import Statement
from writ.model.subject import Subject, assemble
from writ.service.operation import NotFound, Services
from writ.store.tables.core import markings, statements


def person_resource(session: Session, entity_id: str) -> Resource:
    """The policy's view of a person: its markings, if a custodian set any."""
    row = session.execute(
        select(markings).where(markings.c.kind == "person", markings.c.object_id == entity_id)
    ).first()
    if row is None:
        return Resource("person", entity_id)
    m = row._mapping
    return Resource("person", entity_id, m["unit"], frozenset(m["compartments"]), m["sealed"])


def load_statements(session: Session, entity_ids: list[str]) -> list[Statement]:
    rows = session.execute(
        select(statements)
        .where(statements.c.entity_id.in_(entity_ids))
        .order_by(
            statements.c.prop, statements.c.value, statements.c.source, statements.c.record_id
        )
    )
    return [
        Statement(
            source=r.source,
            record_id=r.record_id,
            entity_id=r.entity_id,
            schema=r.schema,
            prop=r.prop,
            value=r.value,
            original_value=r.original_value,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            validation_error=r.validation_error,
            superseded_at=r.superseded_at,
        )
        for r in rows
    ]


def get_entity(svc: Services, actor: Actor, entity_id: str) -> Subject:
    """One entity as ingested, every value with its sources. Audited as a read of a person."""
    with svc.operation(actor, "read") as op:
        op.authorize(person_resource(op.session, entity_id))
        found = load_statements(op.session, [entity_id])
        if not found:
            raise NotFound(f"no entity {entity_id}")
        op.details["statements"] = len(found)
        return assemble(entity_id, found)


def set_marking(
    svc: Services,
    actor: Actor,
    entity_id: str,
    *,
    sealed: bool,
    compartments: frozenset[str] = frozenset(),
    unit: str = "",
) -> None:
    """Seal a person's record or put it in compartments (records custodian only)."""
    with svc.operation(actor, "update", Resource("marking", entity_id)) as op:
        op.session.execute(
            markings.delete().where(markings.c.kind == "person", markings.c.object_id == entity_id)
        )
        op.session.execute(
            markings.insert().values(
                kind="person",
                object_id=entity_id,
                unit=unit,
                compartments=sorted(compartments),
                sealed=sealed,
                set_by=actor.user,
                set_at=utcnow(),
            )
        )
        op.details.update(sealed=sealed, compartments=sorted(compartments), unit=unit)
