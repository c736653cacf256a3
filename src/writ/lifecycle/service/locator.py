"""The public detainee locator, for families and lawyers.

Look up by A-number and country of birth, or by name, date of birth and country of birth. The
answer holds the facility and its contact details only, never a minor, and is read from the
booking itself, so a transfer shows at once. Requests are rate-limited per client; the audit
entry records that a search happened and how many it found, not what was searched for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from writ.lifecycle.countries import country_code
from writ.lifecycle.service.custody import REMOVED_REASON
from writ.lifecycle.service.records import a_number, name_key, now_utc, parse_ts, person_of, ts
from writ.model.actor import system_actor
from writ.model.resource import Resource
from writ.service import Services
from writ.store.tables.lifecycle import (
    custody_bookings,
    facilities,
    immigration_cases,
    locator_requests,
)

LOCATOR_ACTOR = system_actor("public-locator", roles=frozenset())
RELEASED_SHOWN_FOR = timedelta(days=60)
DEFAULT_LIMIT = 10
DEFAULT_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class LocatorEntry:
    status: str
    facility: str
    address: str
    phone: str
    visiting: str


@dataclass(frozen=True)
class LocatorAnswer:
    rate_limited: bool
    entries: list[LocatorEntry]


def _client_key(client: str) -> str:
    return hashlib.sha256(client.encode()).hexdigest()[:32]


def _candidates(
    session: Session,
    country: str,
    a_number_value: str | None,
    name: str | None,
    birth_date: date | None,
) -> list[RowMapping]:
    query = select(immigration_cases).where(
        immigration_cases.c.country_of_birth == country,
        immigration_cases.c.sealed.is_(False),
    )
    if a_number_value is not None:
        query = query.where(immigration_cases.c.a_number == a_number_value)
    else:
        assert name is not None and birth_date is not None
        query = query.where(
            immigration_cases.c.subject_name_key == name_key(name),
            immigration_cases.c.birth_date == birth_date.isoformat(),
        )
    return list(session.execute(query).mappings())


def _entry(session: Session, case: RowMapping, now: datetime) -> LocatorEntry | None:
    """Where to reach the person: the open booking's facility, or the last one if released in
    the last 60 days. Minors, and people of unknown age, are never listed."""
    if person_of(case).is_minor(now.date()):
        return None
    bookings = list(
        session.execute(
            select(custody_bookings, facilities)
            .join(facilities, facilities.c.id == custody_bookings.c.facility_id)
            .where(custody_bookings.c.case_id == case["id"])
            .order_by(custody_bookings.c.booked_at.desc())
        ).mappings()
    )
    if not bookings:
        return None
    latest = bookings[0]
    if latest["released_at"] is None:
        status = "in custody"
    else:
        released = parse_ts(latest["released_at"])
        if released is None or now - released > RELEASED_SHOWN_FOR:
            return None
        status = "removed" if latest["release_reason"] == REMOVED_REASON else "released"
    return LocatorEntry(
        status, latest["name"], latest["address"], latest["phone"], latest["visiting"]
    )


def locate_detainee(
    svc: Services,
    client: str,
    *,
    country_of_birth: str,
    a_number_value: str | None = None,
    name: str | None = None,
    birth_date: date | None = None,
    limit: int = DEFAULT_LIMIT,
    window: timedelta = DEFAULT_WINDOW,
) -> LocatorAnswer:
    """Find a detainee for the public: facility and contact only."""
    by_number = a_number_value is not None
    if not by_number and not (name and birth_date):
        raise ValueError("search by A-number, or by name and date of birth, with country of birth")
    country = country_code(country_of_birth)
    number = a_number(a_number_value) if a_number_value is not None else None
    key = _client_key(client)
    with svc.operation(
        LOCATOR_ACTOR, "search", Resource("locator", "public"), audit_action="locator.search"
    ) as op:
        now = now_utc()
        recent = op.session.execute(
            select(func.count())
            .select_from(locator_requests)
            .where(
                locator_requests.c.client == key,
                locator_requests.c.requested_at > ts(now - window),
            )
        ).scalar_one()
        op.details.update({"client": key, "by": "a-number" if by_number else "name"})
        if recent >= limit:
            op.outcome = "rate-limited"
            return LocatorAnswer(True, [])
        op.session.execute(insert(locator_requests).values(client=key, requested_at=ts(now)))
        entries = []
        for case in _candidates(op.session, country, number, name, birth_date):
            entry = _entry(op.session, case, now)
            if entry is not None and entry not in entries:
                entries.append(entry)
        op.details["found"] = len(entries)
    return LocatorAnswer(False, entries)
