"""Small helpers so tests read like the story they tell."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from writ.audit.ledger import utcnow
from writ.model.actor import Actor
from writ.model.statement import statement_id
from writ.service import Services
from writ.store.tables.core import audit_entries, statements


def actor(
    role: str | Iterable[str] = "officer",
    *,
    user: str | None = None,
    unit: str = "ERO-NYC",
    purpose: str | None = "investigation",
    compartments: Iterable[str] = (),
) -> Actor:
    roles = frozenset([role] if isinstance(role, str) else role)
    return Actor(
        user or f"{'-'.join(sorted(roles))}-1",
        roles,
        unit,
        frozenset(compartments),
        purpose=purpose,
    )


def put_statements(
    svc: Services,
    entity_id: str,
    schema: str,
    values: dict[str, str],
    *,
    source: str = "test-source",
    record_id: str = "r1",
) -> None:
    """Write statements straight into the store (test setup only, not a service)."""
    now = utcnow()
    with svc.store.transaction() as session:
        for prop, value in values.items():
            session.execute(
                statements.insert().values(
                    id=statement_id(source, record_id, entity_id, prop, value),
                    source=source,
                    record_id=record_id,
                    entity_id=entity_id,
                    schema=schema,
                    prop=prop,
                    value=value,
                    original_value=value,
                    first_seen=now,
                    last_seen=now,
                )
            )


def audit_rows(svc: Services) -> list[dict[str, object]]:
    with svc.store.transaction() as session:
        return [
            dict(r._mapping)
            for r in session.execute(select(audit_entries).order_by(audit_entries.c.seq))
        ]
