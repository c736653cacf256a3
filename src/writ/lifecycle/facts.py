"""The facts every gate is evaluated against: case, documents, custody, clocks, action, now.

A snapshot is built once per decision (by the service, from the store; by tests, by hand) and is
immutable, so a decision can be replayed and explained from exactly what was on file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from writ.lifecycle.documents import LegalDocument

CITIZENSHIP_VALUES = frozenset({"unknown", "us_citizen", "not_us_citizen"})
CUSTODY_STATUSES = frozenset({"none", "detained", "released", "removed"})


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: date | None = None
    country_of_birth: str | None = None
    a_number: str | None = None
    citizenship: str = "unknown"

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_minor(self, day: date) -> bool:
        """Under 18, or of unknown age: unknown is treated as a possible minor."""
        age = self.age_on(day)
        return age is None or age < 18


@dataclass(frozen=True)
class FamilyLink:
    """A family member on file. A link belongs to the person, not to a booking, so it survives
    separate custody; ``whereabouts`` is where the relative is known to be (facility or contact)."""

    relation: str
    name: str
    minor: bool = False
    linked_case_id: str | None = None
    whereabouts: str | None = None

    def accounted_for(self) -> bool:
        return bool(self.linked_case_id or self.whereabouts)


@dataclass(frozen=True)
class CaseFacts:
    id: str
    state: str
    person: Person
    family: tuple[FamilyLink, ...] = ()


@dataclass(frozen=True)
class Custody:
    status: str = "none"
    facility: str | None = None
    arrested_at: datetime | None = None
    booked_at: datetime | None = None


@dataclass(frozen=True)
class OperationContext:
    """The operation an action belongs to, when it belongs to one."""

    id: str
    sensitive_location: bool = False
    approved_by: str | None = None
    approver_roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ActionRequest:
    name: str
    requested_by: str
    destination_country: str | None = None
    operation: OperationContext | None = None
    boarding_completed_at: datetime | None = None


@dataclass(frozen=True)
class Facts:
    case: CaseFacts
    action: ActionRequest
    now: datetime
    documents: tuple[LegalDocument, ...] = ()
    custody: Custody = field(default_factory=Custody)
    clocks: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)

    def clock(self, name: str) -> tuple[datetime, ...]:
        """The instants of a named event, oldest first (see clocks.clock_events)."""
        return tuple(sorted(self.clocks.get(name, ())))
