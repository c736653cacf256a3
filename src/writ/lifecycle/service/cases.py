"""Immigration cases, the legal documents on file, and family links.

A case belongs to a unit; its documents are typed records checked on the way in; a revoked
document keeps its row. Family links belong to the case, never to a booking, so that separate
custody, a transfer or a release leaves every link in place.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from writ.lifecycle.clocks import ClockStatus, overdue_clocks
from writ.lifecycle.countries import country_code
from writ.lifecycle.documents import (
    LegalDocument,
    document_from_mapping,
    document_to_mapping,
)
from writ.lifecycle.finality import order_finality, stays_in_effect
from writ.lifecycle.rules import default_rule_book
from writ.lifecycle.service.photos import PhotoOfRecord, visible_photo
from writ.lifecycle.service.records import (
    a_number,
    build_facts,
    case_resource,
    case_row,
    document_row,
    facility_name,
    inserted_id,
    load_documents,
    load_family,
    name_key,
    now_utc,
    open_booking,
    parse_ts,
    ts,
)
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.search.index import index_case_names
from writ.service import Services
from writ.service.subjects import person_resource
from writ.store.tables.lifecycle import (
    custody_transfers,
    family_links,
    gate_overrides,
    gated_actions,
    immigration_cases,
    legal_documents,
    removal_plans,
)


@dataclass(frozen=True)
class CaseSummary:
    id: str
    subject_name: str
    birth_date: str | None
    country_of_birth: str | None
    a_number: str | None
    state: str
    citizenship: str
    unit: str
    investigation_case_id: str | None
    entity_id: str | None = None  # the person's record, when the case was opened on one


@dataclass(frozen=True)
class DocumentView:
    id: str
    kind: str
    title: str
    issued_at: datetime
    signer: str
    signer_role: str
    in_effect: bool
    recorded_by: str
    record: dict[str, Any]


@dataclass(frozen=True)
class AttemptView:
    """One gated action requested on the case, done or blocked, with every rule that fired."""

    id: int
    action: str
    from_state: str
    to_state: str
    outcome: str
    requested_by: str
    requested_at: datetime
    destination_country: str | None
    operation_id: str | None
    findings: list[dict[str, Any]]


@dataclass(frozen=True)
class OverrideView:
    id: int
    rule: str
    action: str
    requested_by: str
    granted_by: str
    granted_roles: list[str]
    reason: str
    granted_at: datetime
    attempt_id: int


@dataclass(frozen=True)
class FamilyView:
    id: int
    relation: str
    name: str
    minor: bool
    linked_case_id: str | None
    whereabouts: str | None


@dataclass(frozen=True)
class CustodyView:
    status: str
    facility_id: str | None = None
    facility: str | None = None
    booked_at: datetime | None = None
    transfers: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CaseFile:
    """A case as its page shows it: alerts first, then documents, history, overrides, people."""

    case: CaseSummary
    alerts: list[str]
    documents: list[DocumentView]
    history: list[AttemptView]
    overrides: list[OverrideView]
    custody: CustodyView
    family: list[FamilyView]
    removal_plans: list[dict[str, Any]]
    overdue: list[ClockStatus]
    photo: PhotoOfRecord | None = None
    # The case's markings, for asking the policy what this person may do on it.
    resource: Resource | None = None


def summary_of(row: Mapping[Any, Any]) -> CaseSummary:
    return CaseSummary(
        id=row["id"],
        subject_name=row["subject_name"],
        birth_date=row["birth_date"],
        country_of_birth=row["country_of_birth"],
        a_number=row["a_number"],
        state=row["state"],
        citizenship=row["citizenship"],
        unit=row["unit"],
        investigation_case_id=row["investigation_case_id"],
        entity_id=row.get("entity_id"),
    )


def open_case(
    svc: Services,
    actor: Actor,
    *,
    subject_name: str,
    birth_date: date | None = None,
    country_of_birth: str | None = None,
    a_number_value: str | None = None,
    investigation_case_id: str | None = None,
    entity_id: str | None = None,
    compartments: Iterable[str] = (),
) -> CaseSummary:
    """Open an immigration case in the actor's unit, in the lifecycle's initial state."""
    if not subject_name.strip():
        raise ValueError("subject_name is required")
    case_id = "IC-" + uuid.uuid4().hex[:12].upper()
    marks = frozenset(compartments)
    resource = Resource("immigration-case", case_id, unit=actor.unit, compartments=marks)
    now = ts(now_utc())
    row = {
        "id": case_id,
        "subject_name": subject_name.strip(),
        "subject_name_key": name_key(subject_name),
        "birth_date": birth_date.isoformat() if birth_date else None,
        "country_of_birth": country_code(country_of_birth) if country_of_birth else None,
        "a_number": a_number(a_number_value) if a_number_value else None,
        "entity_id": entity_id,
        "citizenship": "unknown",
        "state": default_rule_book().lifecycle.initial,
        "unit": actor.unit,
        "compartments": sorted(marks),
        "sealed": False,
        "investigation_case_id": investigation_case_id,
        "opened_by": actor.user,
        "opened_at": now,
        "updated_at": now,
    }
    with svc.operation(actor, "create", resource) as op:
        op.session.execute(insert(immigration_cases).values(**row))
        index_case_names(op.session, [case_id])
        op.details.update({"state": row["state"], "investigation_case_id": investigation_case_id})
    return summary_of(row)


def list_cases(
    svc: Services, actor: Actor, *, state: str | None = None, limit: int = 200
) -> list[CaseSummary]:
    """Cases of the actor's unit the actor may read (a work queue), newest first."""
    with svc.operation(actor, "search", Resource("immigration-case", "*", unit=actor.unit)) as op:
        query = select(immigration_cases).where(immigration_cases.c.unit == actor.unit)
        if state is not None:
            query = query.where(immigration_cases.c.state == state)
        rows = op.session.execute(
            query.order_by(immigration_cases.c.opened_at.desc()).limit(limit)
        ).mappings()
        found = []
        for row in rows:
            decision = svc.policy.decide(actor, "read", case_resource(row))
            if decision.allowed:
                found.append(summary_of(row))
        op.details["rows"] = len(found)
    return found


def _document_view(doc: LegalDocument, recorded_by: str, now: datetime) -> DocumentView:
    return DocumentView(
        id=doc.id,
        kind=doc.kind,
        title=doc.title,
        issued_at=doc.issued_at,
        signer=doc.signer,
        signer_role=doc.signer_role,
        in_effect=doc.in_effect(now),
        recorded_by=recorded_by,
        record=document_to_mapping(doc),
    )


def add_document(
    svc: Services, actor: Actor, case_id: str, data: Mapping[Any, Any]
) -> DocumentView:
    """File a legal document on the case; every field is checked against its kind."""
    values = dict(data)
    values.setdefault("id", f"{values.get('kind', 'doc')}-{uuid.uuid4().hex[:10]}")
    doc = document_from_mapping(values)
    with svc.operation(actor, "update", audit_action="legal-document.create") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        op.session.execute(
            insert(legal_documents).values(
                id=doc.id,
                case_id=case_id,
                kind=doc.kind,
                issued_at=ts(doc.issued_at),
                revoked_at=ts(doc.revoked_at) if doc.revoked_at else None,
                record=document_to_mapping(doc),
                recorded_by=actor.user,
                recorded_at=ts(now_utc()),
            )
        )
        op.details.update({"case": case_id, "document": doc.id, "kind": doc.kind})
    return _document_view(doc, actor.user, now_utc())


def replace_document(op_session: Any, case_id: str, doc: LegalDocument) -> None:
    """Write a changed document back (a revocation, a claim's sign-off); used inside services."""
    op_session.execute(
        update(legal_documents)
        .where(legal_documents.c.id == doc.id, legal_documents.c.case_id == case_id)
        .values(
            record=document_to_mapping(doc),
            revoked_at=ts(doc.revoked_at) if doc.revoked_at else None,
        )
    )


def revoke_document(
    svc: Services, actor: Actor, case_id: str, document_id: str, reason: str
) -> DocumentView:
    """Record that a document stopped having effect now (a stay lifted, a warrant withdrawn)."""
    if not reason.strip():
        raise ValueError(f"document {document_id}: a revocation needs a reason")
    with svc.operation(actor, "update", audit_action="legal-document.revoke") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        row = document_row(op.session, case_id, document_id)
        doc = document_from_mapping(row["record"])
        if doc.revoked_at is not None:
            raise ValueError(f"document {document_id} was already revoked at {doc.revoked_at}")
        now = now_utc()
        note = f"{doc.note}\nrevoked by {actor.user}: {reason}".strip()
        doc = dataclasses.replace(doc, revoked_at=now, note=note)
        replace_document(op.session, case_id, doc)
        op.details.update({"case": case_id, "document": document_id, "reason": reason})
    return _document_view(doc, row["recorded_by"], now_utc())


def add_family_link(
    svc: Services,
    actor: Actor,
    case_id: str,
    *,
    relation: str,
    name: str,
    minor: bool,
    linked_case_id: str | None = None,
    whereabouts: str | None = None,
) -> FamilyView:
    """Record a family member on the case; the link stays whatever happens to either's custody."""
    if not relation.strip() or not name.strip():
        raise ValueError(f"case {case_id}: a family link needs a relation and a name")
    with svc.operation(actor, "update", audit_action="family-link.create") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        if linked_case_id is not None:
            case_row(op.session, linked_case_id)
        result = op.session.execute(
            insert(family_links).values(
                case_id=case_id,
                relation=relation.strip(),
                name=name.strip(),
                minor=minor,
                linked_case_id=linked_case_id,
                whereabouts=whereabouts,
                recorded_by=actor.user,
                recorded_at=ts(now_utc()),
            )
        )
        link_id = inserted_id(result)
        op.details.update({"case": case_id, "link": link_id, "linked_case": linked_case_id})
    return FamilyView(link_id, relation, name, minor, linked_case_id, whereabouts)


def update_family_link(
    svc: Services,
    actor: Actor,
    case_id: str,
    link_id: int,
    *,
    linked_case_id: str | None = None,
    whereabouts: str | None = None,
) -> None:
    """Add the relative's own case or whereabouts to a link; a link is never removed."""
    with svc.operation(actor, "update", audit_action="family-link.update") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        if linked_case_id is not None:
            case_row(op.session, linked_case_id)
        values: dict[str, Any] = {}
        if linked_case_id is not None:
            values["linked_case_id"] = linked_case_id
        if whereabouts is not None:
            values["whereabouts"] = whereabouts
        if not values:
            raise ValueError(f"family link {link_id}: nothing to update")
        changed = op.session.execute(
            update(family_links)
            .where(family_links.c.id == link_id, family_links.c.case_id == case_id)
            .values(**values)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            raise ValueError(f"case {case_id}: no family link {link_id}")
        op.details.update({"case": case_id, "link": link_id, **values})


@dataclass(frozen=True)
class DeclaredFamily:
    """The family links declared on one immigration case of a subject."""

    case: CaseSummary
    links: list[FamilyView]


def declared_family(
    svc: Services, actor: Actor, entity_id: str | Sequence[str]
) -> list[DeclaredFamily]:
    """The immigration cases opened for a subject (its entity id, or the ids of all its records)
    that the actor may read, each with the family links declared on it; a relative's
    whereabouts is their custody, read now."""
    entity_ids = [entity_id] if isinstance(entity_id, str) else list(dict.fromkeys(entity_id))
    with svc.operation(actor, "read", audit_action="family-link.read") as op:
        for one in entity_ids:
            op.authorize(person_resource(op.session, one))
        found = []
        for row in op.session.execute(
            select(immigration_cases)
            .where(immigration_cases.c.entity_id.in_(entity_ids))
            .order_by(immigration_cases.c.opened_at)
        ).mappings():
            if not svc.policy.decide(actor, "read", case_resource(row)).allowed:
                continue
            ids = op.session.scalars(
                select(family_links.c.id)
                .where(family_links.c.case_id == row["id"])
                .order_by(family_links.c.id)
            ).all()
            links = [
                FamilyView(i, f.relation, f.name, f.minor, f.linked_case_id, f.whereabouts)
                for i, f in zip(ids, load_family(op.session, row["id"]), strict=True)
            ]
            found.append(DeclaredFamily(summary_of(row), links))
        op.details.update({"entity": entity_id, "cases": [d.case.id for d in found]})
    return found


def get_case(svc: Services, actor: Actor, case_id: str) -> CaseFile:
    """The case file, audited as a read: alerts, documents, every gated attempt, overrides,
    custody, family links, removal plans and overdue clocks."""
    with svc.operation(actor, "read") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        now = now_utc()
        session = op.session
        recorded = dict(
            session.execute(
                select(legal_documents.c.id, legal_documents.c.recorded_by).where(
                    legal_documents.c.case_id == case_id
                )
            ).all()
        )
        documents = load_documents(session, case_id)
        facts = build_facts(session, case, "close", actor.user, now)
        file = CaseFile(
            case=summary_of(case),
            alerts=_alerts(documents, case, now),
            documents=[_document_view(d, recorded.get(d.id, ""), now) for d in documents],
            history=_history(session, case_id),
            overrides=_overrides(session, case_id),
            custody=_custody(session, case_id, facts.custody.status),
            family=[
                FamilyView(
                    r["id"],
                    r["relation"],
                    r["name"],
                    r["minor"],
                    r["linked_case_id"],
                    w.whereabouts,
                )
                for r, w in zip(
                    session.execute(
                        select(family_links)
                        .where(family_links.c.case_id == case_id)
                        .order_by(family_links.c.id)
                    ).mappings(),
                    facts.case.family,
                    strict=True,
                )
            ],
            removal_plans=[
                dict(r)
                for r in session.execute(
                    select(removal_plans).where(removal_plans.c.case_id == case_id)
                ).mappings()
            ],
            overdue=overdue_clocks(facts),
            photo=visible_photo(svc, actor, session, case),
            resource=case_resource(case),
        )
        op.details["case"] = case_id
    return file


def _alerts(
    documents: tuple[LegalDocument, ...], case: Mapping[Any, Any], now: datetime
) -> list[str]:
    alerts = []
    if case["citizenship"] == "us_citizen":
        alerts.append("Verified US citizen: no enforcement action may be taken.")
    for doc in documents:
        if doc.kind == "citizenship_claim" and getattr(doc, "state", "").startswith(
            ("open", "under")
        ):
            alerts.append(f"US-citizenship claim {doc.id} is unresolved: enforcement is stopped.")
        if doc.kind in {"withholding", "cat_deferral"} and doc.in_effect(now):
            alerts.append(f"{doc.title} for {getattr(doc, 'country', '?')} ({doc.id}).")
        if doc.kind in {"tps", "daca"} and doc.in_effect(now):
            alerts.append(f"{doc.title} in effect ({doc.id}).")
    for stay in stays_in_effect(documents, now):
        alerts.append(f"Stay in effect: {stay.basis} ({stay.citation}).")
    finality = order_finality(documents, now)
    alerts.append(("Final order: " if finality.final else "No final order: ") + finality.basis)
    return alerts


def _history(session: Session, case_id: str) -> list[AttemptView]:
    rows = session.execute(
        select(gated_actions).where(gated_actions.c.case_id == case_id).order_by(gated_actions.c.id)
    ).mappings()
    return [
        AttemptView(
            id=r["id"],
            action=r["action"],
            from_state=r["from_state"],
            to_state=r["to_state"],
            outcome=r["outcome"],
            requested_by=r["requested_by"],
            requested_at=parse_ts(r["requested_at"]) or now_utc(),
            destination_country=r["destination_country"],
            operation_id=r["operation_id"],
            findings=list(r["evaluation"].get("findings", [])),
        )
        for r in rows
    ]


def _overrides(session: Session, case_id: str) -> list[OverrideView]:
    rows = session.execute(
        select(gate_overrides)
        .where(gate_overrides.c.case_id == case_id)
        .order_by(gate_overrides.c.id)
    ).mappings()
    return [
        OverrideView(
            id=r["id"],
            rule=r["rule"],
            action=r["action"],
            requested_by=r["requested_by"],
            granted_by=r["granted_by"],
            granted_roles=list(r["granted_roles"]),
            reason=r["reason"],
            granted_at=parse_ts(r["granted_at"]) or now_utc(),
            attempt_id=r["blocked_attempt_id"],
        )
        for r in rows
    ]


def _custody(session: Session, case_id: str, status: str) -> CustodyView:
    booking = open_booking(session, case_id)
    if booking is None:
        return CustodyView(status=status)
    transfers = [
        {
            "from": facility_name(session, t["from_facility_id"]),
            "to": facility_name(session, t["to_facility_id"]),
            "at": t["transferred_at"],
            "by": t["transferred_by"],
        }
        for t in session.execute(
            select(custody_transfers)
            .where(custody_transfers.c.booking_id == booking["id"])
            .order_by(custody_transfers.c.id)
        ).mappings()
    ]
    return CustodyView(
        status=status,
        facility_id=booking["facility_id"],
        facility=facility_name(session, booking["facility_id"]),
        booked_at=parse_ts(booking["booked_at"]),
        transfers=transfers,
    )
