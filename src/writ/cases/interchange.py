"""followthemoney interchange: export entities assembled from statements, import entities as
statements (one per value, the file and entity id as their provenance)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from writ.audit.ledger import utcnow
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.model.statement import statement_id
from writ.model.subject import assemble
from writ.service.operation import Services
from writ.service.subjects import load_statements, person_resource
from writ.store.tables.core import statements


def entities(session: Session, entity_ids: set[str]) -> list[dict[str, Any]]:
    """followthemoney entities (as dicts) assembled from current statements, sorted by id."""
    found: list[dict[str, Any]] = []
    for entity_id in sorted(entity_ids):
        subject = assemble(entity_id, load_statements(session, [entity_id]))
        if not subject.properties:
            continue
        proxy = model.make_entity(subject.schema)
        proxy.id = entity_id
        for prop, values in subject.properties.items():
            for value in values:
                proxy.add(prop, value.value, cleaned=True, quiet=True)
        found.append(proxy.to_dict())
    return found


def export_ftm(
    svc: Services, actor: Actor, entity_ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """Entities (all, or those named) the actor may export, as followthemoney dicts."""
    with svc.operation(actor, "export", Resource("person", "*"), audit_action="ftm.export") as op:
        if entity_ids is None:
            entity_ids = list(
                op.session.execute(
                    select(statements.c.entity_id)
                    .where(statements.c.superseded_at.is_(None))
                    .distinct()
                ).scalars()
            )
        allowed = {
            i
            for i in entity_ids
            if svc.policy.decide(actor, "export", person_resource(op.session, i)).allowed
        }
        result = entities(op.session, allowed)
        op.details.update(entities=len(result), withheld=len(set(entity_ids) - allowed))
        return result


@dataclass(frozen=True)
class FtmImport:
    entities: int
    statements_added: int
    entity_ids: list[str]


def import_ftm(
    svc: Services, actor: Actor, records: Iterable[dict[str, Any]], *, source: str
) -> FtmImport:
    """Take followthemoney entities in as statements of ``source``; invalid data stops the import.

    Each entity's id is its record id, so importing the same file twice adds nothing.
    """
    if not source.strip():
        raise ValueError("ftm import: a source name is needed")
    with svc.operation(actor, "import", Resource("person", "*"), audit_action="ftm.import") as op:
        now = utcnow()
        added = 0
        ids: list[str] = []
        for line, data in enumerate(records, start=1):
            try:
                proxy = model.get_proxy(data, cleaned=False)
            except (InvalidData, TypeError, KeyError) as exc:
                raise ValueError(f"{source} entity {line}: {exc}") from exc
            if not proxy.id:
                raise ValueError(f"{source} entity {line}: id is missing")
            ids.append(proxy.id)
            for prop, value in proxy.itervalues():
                sid = statement_id(source, proxy.id, proxy.id, prop.name, value)
                if op.session.execute(
                    select(statements.c.id).where(
                        statements.c.source == source,
                        statements.c.record_id == proxy.id,
                        statements.c.id == sid,
                    )
                ).first():
                    continue
                op.session.execute(
                    insert(statements).values(
                        id=sid,
                        source=source,
                        record_id=proxy.id,
                        entity_id=proxy.id,
                        schema=proxy.schema.name,
                        prop=prop.name,
                        value=value,
                        original_value=value,
                        first_seen=now,
                        last_seen=now,
                    )
                )
                added += 1
        op.details.update(source=source, entities=len(ids), statements=added)
        return FtmImport(len(ids), added, ids)
