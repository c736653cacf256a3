"""Custody: facilities, bookings, transfers and releases.

Booking and transfer are gated like any enforcement action. A transfer moves the open booking to
the new facility in the same transaction, so the detainee locator shows the new facility at once.
Releasing a person is never blocked by an enforcement gate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from writ.lifecycle.service.gating import ActionResult, result_of, run_gate
from writ.lifecycle.service.records import (
    case_resource,
    case_row,
    now_utc,
    open_booking,
    ts,
)
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service import NotFound, Services
from writ.store.tables.lifecycle import custody_bookings, custody_transfers, facilities

REMOVED_REASON = "removed"
"""The release reason a booking ends with when the person is removed."""


@dataclass(frozen=True)
class Facility:
    id: str
    name: str
    address: str
    phone: str
    visiting: str = ""


def add_facility(svc: Services, actor: Actor, facility: Facility) -> Facility:
    """Register a detention facility with the contact details the public locator shows."""
    for name in ("id", "name", "address", "phone"):
        if not getattr(facility, name).strip():
            raise ValueError(f"facility {facility.id or '?'}: {name} is required")
    with svc.operation(actor, "create", Resource("facility", facility.id)) as op:
        op.session.execute(
            insert(facilities).values(
                id=facility.id,
                name=facility.name,
                address=facility.address,
                phone=facility.phone,
                visiting=facility.visiting,
            )
        )
    return facility


def list_facilities(svc: Services, actor: Actor) -> list[Facility]:
    with svc.operation(actor, "read", Resource("facility", "*")) as op:
        rows = op.session.execute(select(facilities).order_by(facilities.c.name)).mappings()
        found = [
            Facility(r["id"], r["name"], r["address"], r["phone"], r["visiting"]) for r in rows
        ]
        op.details["rows"] = len(found)
    return found


def _facility(session: Session, facility_id: str) -> None:
    exists = session.execute(select(facilities.c.id).where(facilities.c.id == facility_id)).first()
    if exists is None:
        raise NotFound(f"no facility {facility_id}")


def book_into_custody(svc: Services, actor: Actor, case_id: str, facility_id: str) -> ActionResult:
    """Book the person into a facility, if every gate on ``book`` passes."""
    with svc.operation(actor, "execute", audit_action="immigration-case.book") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        _facility(op.session, facility_id)
        if open_booking(op.session, case_id) is not None:
            raise ValueError(f"case {case_id}: already in custody; transfer instead")
        now = now_utc()
        evaluation, attempt = run_gate(op, case, "book", now)
        if not evaluation.blocked:
            booking = "BK-" + uuid.uuid4().hex[:12].upper()
            op.session.execute(
                insert(custody_bookings).values(
                    id=booking,
                    case_id=case_id,
                    facility_id=facility_id,
                    booked_at=ts(now),
                    booked_by=actor.user,
                )
            )
            op.details["booking"] = booking
        op.details.update({"case": case_id, "facility": facility_id})
    return result_of(case_id, "book", case["state"], evaluation, attempt)


def transfer_custody(
    svc: Services, actor: Actor, case_id: str, to_facility_id: str
) -> ActionResult:
    """Move the person to another facility; the booking follows in the same transaction."""
    with svc.operation(actor, "execute", audit_action="immigration-case.transfer") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        _facility(op.session, to_facility_id)
        booking = open_booking(op.session, case_id)
        if booking is None:
            raise ValueError(f"case {case_id}: not in custody")
        if booking["facility_id"] == to_facility_id:
            raise ValueError(f"case {case_id}: already at {to_facility_id}")
        now = now_utc()
        evaluation, attempt = run_gate(op, case, "transfer", now)
        if not evaluation.blocked:
            op.session.execute(
                update(custody_bookings)
                .where(custody_bookings.c.id == booking["id"])
                .values(facility_id=to_facility_id)
            )
            op.session.execute(
                insert(custody_transfers).values(
                    booking_id=booking["id"],
                    from_facility_id=booking["facility_id"],
                    to_facility_id=to_facility_id,
                    transferred_at=ts(now),
                    transferred_by=actor.user,
                )
            )
        op.details.update({"case": case_id, "from": booking["facility_id"], "to": to_facility_id})
    return result_of(case_id, "transfer", case["state"], evaluation, attempt)


def release_from_custody(svc: Services, actor: Actor, case_id: str, reason: str) -> ActionResult:
    """End the open booking (bond, recognizance, a verified citizen, a court order...)."""
    if not reason.strip():
        raise ValueError(f"case {case_id}: a release needs a reason")
    with svc.operation(
        actor, "execute", audit_action="immigration-case.release_from_custody"
    ) as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        booking = open_booking(op.session, case_id)
        if booking is None:
            raise ValueError(f"case {case_id}: not in custody")
        now = now_utc()
        evaluation, attempt = run_gate(op, case, "release_from_custody", now)
        if not evaluation.blocked:
            close_booking(op.session, booking["id"], now, reason.strip())
        op.details.update({"case": case_id, "reason": reason})
    return result_of(case_id, "release_from_custody", case["state"], evaluation, attempt)


def close_booking(session: Session, booking_id: str, now: datetime, reason: str) -> None:
    session.execute(
        update(custody_bookings)
        .where(custody_bookings.c.id == booking_id)
        .values(released_at=ts(now), release_reason=reason)
    )
