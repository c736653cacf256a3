"""Keeping the name index in step with statements: one row per distinct name of an entity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from itertools import groupby

from followthemoney import model
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from writ.search.names import retrieval_key, tokens
from writ.store.tables.core import statements
from writ.store.tables.search import search_names

NAME_PROPS = ("name", "alias", "weakAlias", "previousName", "firstName", "middleName", "lastName")
BATCH = 5000


@cache
def _named(schema: str) -> bool:
    found = model.get(schema)
    return found is not None and found.is_a("LegalEntity")


def names_of(values: Iterable[tuple[str, str, str]]) -> list[str]:
    """The distinct names of one entity from its (schema, prop, value) statements: each full
    name, and the given and family names put together."""
    full: list[str] = []
    parts: dict[str, list[str]] = {}
    for schema, prop, value in values:
        if not _named(schema):
            continue
        if prop in ("firstName", "middleName", "lastName"):
            parts.setdefault(prop, []).append(value)
        else:
            full.append(value)
    if "lastName" in parts:
        for last in parts["lastName"]:
            for first in parts.get("firstName", [""]):
                full.append(
                    " ".join(p for p in (first, *parts.get("middleName", [])[:1], last) if p)
                )
    seen: dict[tuple[str, ...], str] = {}
    for name in full:
        key = tokens(name)
        if key and key not in seen:
            seen[key] = name
    return list(seen.values())


def _rows(session: Session, entity_ids: list[str] | None) -> Iterator[dict[str, str]]:
    query = select(
        statements.c.entity_id, statements.c.schema, statements.c.prop, statements.c.value
    ).where(statements.c.prop.in_(NAME_PROPS), statements.c.superseded_at.is_(None))
    if entity_ids is not None:
        query = query.where(statements.c.entity_id.in_(entity_ids))
    result = session.execute(query.order_by(statements.c.entity_id)).yield_per(BATCH)
    for entity_id, group in groupby(result, key=lambda r: r[0]):
        for name in names_of((r[1], r[2], r[3]) for r in group):
            yield {"entity_id": entity_id, "name": name, "norm": retrieval_key(name)}


def index_entities(session: Session, entity_ids: list[str] | None = None) -> int:
    """Rebuild the index rows of these entities (all entities when None); returns rows written.

    Call it in the same transaction as the statements change (ingest, merge), or run
    ``writ search reindex``.
    """
    if entity_ids is None:
        session.execute(delete(search_names))
    else:
        for start in range(0, len(entity_ids), BATCH):
            chunk = entity_ids[start : start + BATCH]
            session.execute(delete(search_names).where(search_names.c.entity_id.in_(chunk)))
    written = 0
    batch: list[dict[str, str]] = []
    for row in _rows(session, entity_ids):
        batch.append(row)
        if len(batch) == BATCH:
            session.execute(insert(search_names), batch)
            written += len(batch)
            batch = []
    if batch:
        session.execute(insert(search_names), batch)
        written += len(batch)
    return written
