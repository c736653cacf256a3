"""Factories the lifecycle and gate tests share: documents on file and facts snapshots.

No tests here; each factory builds real typed records through ``document_from_mapping``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from writ.lifecycle.clocks import clock_events
from writ.lifecycle.documents import LegalDocument, document_from_mapping
from writ.lifecycle.facts import (
    ActionRequest,
    CaseFacts,
    Custody,
    Facts,
    FamilyLink,
    OperationContext,
    Person,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_ids = itertools.count(1)

SIGNERS = {
    "i200": ("S. Diaz", "supervisory_deportation_officer"),
    "i205": ("F. Okafor", "field_office_director"),
    "order": ("Judge R. Alvarez", "immigration_judge"),
    "stay": ("Judge R. Alvarez", "immigration_judge"),
}


def doc(kind: str, at: datetime = T0, **fields: Any) -> LegalDocument:
    """A document of ``kind`` issued at ``at``; signer and role default to plausible ones."""
    signer, role = SIGNERS.get(kind, ("P. Officer", "deportation_officer"))
    data: dict[str, Any] = {
        "kind": kind,
        "id": fields.pop("id", f"{kind}-{next(_ids)}"),
        "issued_at": at,
        "issuer": fields.pop("issuer", "ERO New York"),
        "signer": signer,
        "signer_role": role,
    }
    data.update(fields)
    return document_from_mapping(data)


def ij_order(at: datetime = T0, disposition: str = "removal", **fields: Any) -> LegalDocument:
    fields.setdefault("designated_countries", ["MX"])
    return doc("order", at, court="IJ", disposition=disposition, issuer="EOIR New York", **fields)


def removable(at: datetime = T0, country: str = "MX") -> list[LegalDocument]:
    """Everything a clean removal to ``country`` needs: NTA, a final order (appeal waived), an
    I-205 issued on it by an authorised official, and a travel document."""
    return [
        doc("i862", at - 200 * DAY),
        ij_order(at, appeal_waived=True, designated_countries=[country]),
        doc("i205", at + HOUR),
        doc("travel_document", at + 2 * HOUR, country=country, number="P123"),
    ]


def person(**fields: Any) -> Person:
    fields.setdefault("name", "Ana Lopez")
    fields.setdefault("birth_date", date(1990, 5, 17))
    fields.setdefault("country_of_birth", "MX")
    fields.setdefault("a_number", "A200300400")
    return Person(**fields)


def facts(
    action: str,
    documents: Iterable[LegalDocument] = (),
    *,
    state: str = "proceedings",
    now: datetime | None = None,
    destination: str | None = None,
    subject: Person | None = None,
    custody: Custody | None = None,
    family: Iterable[FamilyLink] = (),
    events: dict[str, list[datetime]] | None = None,
    operation: OperationContext | None = None,
    requested_by: str = "officer-1",
    boarding_completed_at: datetime | None = None,
) -> Facts:
    docs = tuple(documents)
    when = now or (max((d.issued_at for d in docs), default=T0) + HOUR)
    return Facts(
        case=CaseFacts("case-1", state, subject or person(), tuple(family)),
        action=ActionRequest(
            action,
            requested_by,
            destination_country=destination,
            operation=operation,
            boarding_completed_at=boarding_completed_at,
        ),
        now=when,
        documents=docs,
        custody=custody or Custody(),
        clocks=clock_events(docs, when, events or {}),
    )
