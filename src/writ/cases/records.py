"""What every case service shares: loading a case with its markings, notifying, timeline rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from writ.audit.ledger import utcnow
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service.operation import AccessDenied, NotFound, Services
from writ.store.tables.cases import cases, notifications, timeline_events

CASE_TYPES = ("investigation", "immigration")
ROLES_ON_CASE = ("target", "victim", "witness", "associate", "other")


def new_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Case:
    id: str
    number: str
    type: str
    title: str
    unit: str
    owner: str
    status: str
    compartments: frozenset[str]
    sealed: bool
    opened_at: str
    closed_at: str | None = None
    close_reason: str | None = None

    def resource(self, kind: str = "case", object_id: str | None = None) -> Resource:
        """The policy's view of this case, or of a thing on it (``task``, ``evidence``): the
        thing's own id when it was asked for by that id, so that a denial (and its audit
        entry) names what was asked for, never the sealed case it belongs to."""
        return Resource(
            kind, object_id or self.id, self.unit, self.compartments, self.sealed, self.owner
        )


def case_from_row(row: Any) -> Case:
    m = row._mapping
    return Case(
        id=m["id"],
        number=m["number"],
        type=m["type"],
        title=m["title"],
        unit=m["unit"],
        owner=m["owner"],
        status=m["status"],
        compartments=frozenset(m["compartments"]),
        sealed=bool(m["sealed"]),
        opened_at=m["opened_at"],
        closed_at=m["closed_at"],
        close_reason=m["close_reason"],
    )


def load_case(session: Session, case_id: str) -> Case:
    row = session.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"no case {case_id}", "case", case_id)
    return case_from_row(row)


def require(svc: Services, actor: Actor, action: str, resource: Resource) -> None:
    """A second check inside an operation, for another action (e.g. read the person one adds).

    Raised inside ``Services.operation``, the refusal rolls the work back and is audited.
    """
    decision = svc.policy.decide(actor, action, resource)
    if not decision.allowed:
        raise AccessDenied(actor, action, resource, decision)


def notify(
    session: Session, recipient: str, kind: str, message: str, object_kind: str, object_id: str
) -> None:
    """An in-app notification for one person, written in the caller's transaction."""
    session.execute(
        insert(notifications).values(
            recipient=recipient,
            kind=kind,
            message=message,
            object_kind=object_kind,
            object_id=object_id,
            created_at=utcnow(),
        )
    )


def record_event(
    session: Session,
    *,
    kind: str,
    summary: str,
    source: str,
    actor: str,
    ref: str,
    case_id: str | None = None,
    entity_id: str | None = None,
    occurred_at: str | None = None,
) -> None:
    """Put an event on the timeline of a case, a subject, or both.

    The hook for other concerns (lifecycle, custody): call it inside your own operation, so the
    event commits with the change it describes. ``occurred_at`` is an ISO date or timestamp.
    """
    if case_id is None and entity_id is None:
        raise ValueError(f"timeline event {kind}: needs a case_id or an entity_id")
    session.execute(
        insert(timeline_events).values(
            case_id=case_id,
            entity_id=entity_id,
            occurred_at=occurred_at or utcnow(),
            kind=kind,
            summary=summary,
            source=source,
            actor=actor,
            ref=ref,
        )
    )
