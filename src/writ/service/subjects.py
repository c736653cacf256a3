"""Reading subjects: a view over statements, checked against markings, audited as a read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from writ.audit.ledger import utcnow
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.model.statement import Statement
from writ.model.subject import Subject, assemble
from writ.service.operation import NotFound, Services
from writ.store.tables.core import markings, statements
from writ.store.tables.resolve import resolve_records, resolve_subjects


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
            raise NotFound(f"no entity {entity_id}", "person", entity_id)
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


@dataclass(frozen=True)
class SubjectRecord:
    """One record of a subject: its entity, source and record id, and its current values."""

    entity_id: str
    source: str
    record_id: str
    schema: str
    values: dict[str, list[str]]


@dataclass(frozen=True)
class SubjectProfile:
    """A subject (``S-…``) as one person: the values of every record of it the actor may read,
    each with its sources, and the records one by one. An entity not resolved into a subject
    (an organisation, an address, a record not yet resolved) is a profile of its own."""

    id: str  # the subject id, or the entity id when there is no subject
    subject_id: str | None
    merged_from: str | None  # the id asked for, when that subject was merged into this one
    view: Subject
    records: list[SubjectRecord]

    @property
    def entity_ids(self) -> list[str]:
        return [r.entity_id for r in self.records]

    @property
    def sources(self) -> list[str]:
        return sorted({r.source for r in self.records})


def _subject_members(session: Session, subject_id: str) -> tuple[str, list[str]]:
    """The subject id (following merges) and its records' entity ids."""
    seen = set()
    current = subject_id
    while current not in seen:
        seen.add(current)
        members = list(
            session.scalars(
                select(resolve_records.c.entity_id)
                .where(resolve_records.c.subject_id == current)
                .order_by(resolve_records.c.entity_id)
            )
        )
        if members:
            return current, members
        merged = session.execute(
            select(resolve_subjects.c.merged_into).where(resolve_subjects.c.subject_id == current)
        ).scalar()
        if not merged:
            break
        current = merged
    return subject_id, []


def get_subject(svc: Services, actor: Actor, subject_or_entity: str) -> SubjectProfile:
    """A subject by its id (``S-…``, a merged one followed to the subject it went into), or the
    subject a record belongs to, or an entity of its own. Records the actor may not read are left
    out without a trace; with none left, the read is refused. Audited as a read."""
    with svc.operation(actor, "read", audit_action="subject.read") as op:
        session = op.session
        subject_id: str | None = None
        members: list[str] = []
        if subject_or_entity.startswith("S-"):
            subject_id, members = _subject_members(session, subject_or_entity)
        else:
            own = session.execute(
                select(resolve_records.c.subject_id).where(
                    resolve_records.c.entity_id == subject_or_entity
                )
            ).scalar()
            if own is not None:
                subject_id, members = _subject_members(session, own)
            else:
                members = [subject_or_entity]
        if subject_id is not None:
            op.authorize(Resource("subject", subject_id))
        else:
            op.authorize(person_resource(session, subject_or_entity))
        resources = [person_resource(session, e) for e in members]
        visible = [
            e
            for e, resource in zip(members, resources, strict=True)
            if svc.policy.decide(actor, "read", resource).allowed
        ]
        if members and not visible:
            op.authorize(resources[0])
        found = load_statements(session, visible) if visible else []
        if not found:
            raise NotFound(f"no subject or record {subject_or_entity}")
        records: dict[str, SubjectRecord] = {}
        for stmt in found:
            record = records.get(stmt.entity_id)
            if record is None:
                record = records[stmt.entity_id] = SubjectRecord(
                    stmt.entity_id, stmt.source, stmt.record_id, stmt.schema, {}
                )
            if stmt.superseded_at is None:
                record.values.setdefault(stmt.prop, []).append(stmt.value)
        shown = subject_id or subject_or_entity
        merged_from = (
            subject_or_entity
            if subject_or_entity.startswith("S-") and subject_or_entity != subject_id
            else None
        )
        op.details.update(subject=shown, records=len(records), statements=len(found))
        return SubjectProfile(
            shown,
            subject_id,
            merged_from,
            assemble(shown, found),
            sorted(records.values(), key=lambda r: (r.source, r.record_id, r.entity_id)),
        )


@dataclass(frozen=True)
class Named:
    """How a page names a record: the person's name and the subject to link to."""

    name: str
    subject_id: str | None

    def href(self, entity_id: str) -> str:
        return f"/subjects/{self.subject_id or entity_id}"


def names_of(session: Session, entity_ids: list[str]) -> dict[str, Named]:
    """The name and subject of each entity, for pages that list records (inside an operation;
    the caller checks that the actor may read them)."""
    wanted = sorted(set(entity_ids))
    if not wanted:
        return {}
    found: dict[str, list[Statement]] = {}
    for stmt in load_statements(session, wanted):
        if stmt.superseded_at is None and stmt.prop in ("name", "firstName", "lastName", "full"):
            found.setdefault(stmt.entity_id, []).append(stmt)
    subjects = dict(
        session.execute(
            select(resolve_records.c.entity_id, resolve_records.c.subject_id).where(
                resolve_records.c.entity_id.in_(wanted)
            )
        ).all()
    )
    named = {}
    for entity_id in wanted:
        view = assemble(entity_id, found.get(entity_id, []))
        named[entity_id] = Named(view.caption_or("no name on file"), subjects.get(entity_id))
    return named
