"""Reading the lifecycle tables into the pure core's types, and the facts snapshot of a case.

Session-level helpers for the services in this package; no policy check and no audit here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.engine import CursorResult, Result, RowMapping
from sqlalchemy.orm import Session

from writ.lifecycle.clocks import clock_events
from writ.lifecycle.documents import LegalDocument, document_from_mapping
from writ.lifecycle.engine import Override
from writ.lifecycle.facts import (
    ActionRequest,
    CaseFacts,
    Custody,
    Facts,
    FamilyLink,
    OperationContext,
    Person,
)
from writ.model.resource import Resource
from writ.service import NotFound
from writ.store.tables.lifecycle import (
    custody_bookings,
    custody_transfers,
    facilities,
    family_links,
    gate_overrides,
    gated_actions,
    immigration_cases,
    legal_documents,
    removal_plans,
)

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now_utc() -> datetime:
    return datetime.now(UTC)


def ts(value: datetime) -> str:
    """A datetime as the store writes it: UTC, microseconds, ``Z``."""
    if value.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return value.astimezone(UTC).strftime(TIME_FORMAT)


def parse_ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC)


def name_key(name: str) -> str:
    """A name for exact comparison: accents dropped, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").split())


def a_number(value: str) -> str:
    """An A-number as ``A`` and nine digits: ``A12345678`` and ``a-012-345-678`` are one number."""
    digits = "".join(c for c in value if c.isdigit())
    if not 8 <= len(digits) <= 9:
        raise ValueError(f"a_number {value!r} is not an A-number (8 or 9 digits)")
    return "A" + digits.zfill(9)


def inserted_id(result: Result[Any]) -> int:
    """The primary key a single-row insert generated."""
    key = cast(CursorResult[Any], result).inserted_primary_key
    assert key is not None
    return int(key[0])


def case_row(session: Session, case_id: str) -> RowMapping:
    row = (
        session.execute(select(immigration_cases).where(immigration_cases.c.id == case_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no immigration case {case_id}", "immigration-case", case_id)
    return row


def case_resource(row: Mapping[Any, Any]) -> Resource:
    return Resource(
        "immigration-case",
        row["id"],
        unit=row["unit"],
        compartments=frozenset(row["compartments"] or ()),
        sealed=bool(row["sealed"]),
    )


def person_of(row: Mapping[Any, Any]) -> Person:
    born = row["birth_date"]
    return Person(
        name=row["subject_name"],
        birth_date=date.fromisoformat(born) if born else None,
        country_of_birth=row["country_of_birth"],
        a_number=row["a_number"],
        citizenship=row["citizenship"],
    )


def load_documents(session: Session, case_id: str) -> tuple[LegalDocument, ...]:
    rows = session.execute(
        select(legal_documents.c.record)
        .where(legal_documents.c.case_id == case_id)
        .order_by(legal_documents.c.issued_at, legal_documents.c.id)
    )
    return tuple(document_from_mapping(r.record) for r in rows)


def document_row(session: Session, case_id: str, document_id: str) -> RowMapping:
    row = (
        session.execute(
            select(legal_documents).where(
                legal_documents.c.id == document_id, legal_documents.c.case_id == case_id
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"case {case_id}: no document {document_id}")
    return row


def open_booking(session: Session, case_id: str) -> RowMapping | None:
    return (
        session.execute(
            select(custody_bookings).where(
                custody_bookings.c.case_id == case_id, custody_bookings.c.released_at.is_(None)
            )
        )
        .mappings()
        .first()
    )


def facility_name(session: Session, facility_id: str) -> str:
    name = session.execute(
        select(facilities.c.name).where(facilities.c.id == facility_id)
    ).scalar_one_or_none()
    return name or facility_id


def load_family(session: Session, case_id: str) -> tuple[FamilyLink, ...]:
    """Family links of the case; a linked relative's whereabouts is their custody, read now."""
    links = []
    rows = session.execute(
        select(family_links).where(family_links.c.case_id == case_id).order_by(family_links.c.id)
    ).mappings()
    for row in rows:
        whereabouts = row["whereabouts"]
        if row["linked_case_id"]:
            booking = open_booking(session, row["linked_case_id"])
            if booking is not None:
                whereabouts = f"in custody at {facility_name(session, booking['facility_id'])}"
        links.append(
            FamilyLink(
                relation=row["relation"],
                name=row["name"],
                minor=bool(row["minor"]),
                linked_case_id=row["linked_case_id"],
                whereabouts=whereabouts,
            )
        )
    return tuple(links)


def custody_of(session: Session, case: Mapping[Any, Any]) -> Custody:
    booking = open_booking(session, case["id"])
    if booking is not None:
        return Custody(
            status="detained",
            facility=facility_name(session, booking["facility_id"]),
            booked_at=parse_ts(booking["booked_at"]),
        )
    if case["state"] == "removed":
        return Custody(status="removed")
    any_booking = session.execute(
        select(custody_bookings.c.id).where(custody_bookings.c.case_id == case["id"]).limit(1)
    ).first()
    return Custody(status="released" if any_booking else "none")


def custody_events(session: Session, case_id: str) -> dict[str, list[datetime]]:
    """Custody events the clocks read: arrest, booking, transfer, release, removal."""
    events: dict[str, list[datetime]] = {}

    def add(name: str, value: str | None) -> None:
        when = parse_ts(value)
        if when is not None:
            events.setdefault(name, []).append(when)

    for b in session.execute(
        select(custody_bookings).where(custody_bookings.c.case_id == case_id)
    ).mappings():
        add("booking", b["booked_at"])
        add("release", b["released_at"])
        for t in session.execute(
            select(custody_transfers.c.transferred_at).where(
                custody_transfers.c.booking_id == b["id"]
            )
        ):
            add("transfer", t.transferred_at)
    for a in session.execute(
        select(gated_actions.c.effective_at).where(
            gated_actions.c.case_id == case_id,
            gated_actions.c.action == "arrest",
            gated_actions.c.outcome == "done",
        )
    ):
        add("arrest", a.effective_at)
    for p in session.execute(
        select(removal_plans.c.executed_at).where(removal_plans.c.case_id == case_id)
    ):
        add("removal", p.executed_at)
    return events


def load_overrides(session: Session, case_id: str) -> list[Override]:
    rows = session.execute(
        select(gate_overrides).where(gate_overrides.c.case_id == case_id)
    ).mappings()
    return [
        Override(
            rule=r["rule"],
            action=r["action"],
            requested_by=r["requested_by"],
            granted_by=r["granted_by"],
            granted_roles=frozenset(r["granted_roles"]),
            reason=r["reason"],
            granted_at=parse_ts(r["granted_at"]) or now_utc(),
        )
        for r in rows
    ]


def build_facts(
    session: Session,
    case: Mapping[Any, Any],
    action: str,
    requested_by: str,
    now: datetime,
    *,
    destination_country: str | None = None,
    operation: OperationContext | None = None,
    boarding_completed_at: datetime | None = None,
) -> Facts:
    """The facts snapshot of one case for one requested action, read inside the transaction."""
    documents = load_documents(session, case["id"])
    return Facts(
        case=CaseFacts(
            id=case["id"],
            state=case["state"],
            person=person_of(case),
            family=load_family(session, case["id"]),
        ),
        action=ActionRequest(
            action,
            requested_by,
            destination_country=destination_country,
            operation=operation,
            boarding_completed_at=boarding_completed_at,
        ),
        now=now,
        documents=documents,
        custody=custody_of(session, case),
        clocks=clock_events(documents, now, custody_events(session, case["id"])),
    )
