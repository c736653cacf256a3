"""Keeping the name index in step with statements: one row per distinct name of an entity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from itertools import groupby

from followthemoney import model
from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from writ.search.names import retrieval_key, tokens
from writ.store.tables.core import statements
from writ.store.tables.lifecycle import immigration_cases
from writ.store.tables.search import search_case_names, search_keys, search_names

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


def _rows(session: Session, entity_ids: list[str] | None) -> Iterator[tuple[str, str, str]]:
    """(entity id, name, key) for every name of the entities, entity by entity."""
    query = select(
        statements.c.entity_id, statements.c.schema, statements.c.prop, statements.c.value
    ).where(statements.c.prop.in_(NAME_PROPS), statements.c.superseded_at.is_(None))
    if entity_ids is not None:
        query = query.where(statements.c.entity_id.in_(entity_ids))
    result = session.execute(query.order_by(statements.c.entity_id)).yield_per(BATCH)
    for entity_id, group in groupby(result, key=lambda r: r[0]):
        for name in names_of((r[1], r[2], r[3]) for r in group):
            yield entity_id, name, retrieval_key(name)


def _known(session: Session, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        if postgres:
            rows = session.execute(_PG_KNOWN, {"keys": chunk})
        else:
            rows = session.execute(
                select(search_keys.c.norm, search_keys.c.id).where(search_keys.c.norm.in_(chunk))
            )
        found.update((norm, key_id) for norm, key_id in rows)
    return found


# An exact lookup must use the unique b-tree on norm. The trigram GIN index also answers "=",
# and the planner takes it while the table is young, but a GIN scan reads the whole pending list
# of recent inserts: seconds per batch during an ingest. A GIN index gives only bitmap scans, so
# turning those off for this one statement leaves the b-tree.
_PG_KNOWN = text("SELECT norm, id FROM search_keys WHERE norm = ANY(CAST(:keys AS text[]))")
_PG_ADD = text(
    "INSERT INTO search_keys (norm) SELECT unnest(CAST(:keys AS text[])) "
    "ON CONFLICT (norm) DO NOTHING RETURNING norm, id"
)


@contextmanager
def _without_bitmap_scans(session: Session) -> Iterator[None]:
    """Bitmap scans off for the statements inside, as they were after (this transaction only)."""
    before = session.execute(
        text(
            "SELECT current_setting('enable_bitmapscan'), "
            "set_config('enable_bitmapscan', 'off', true)"
        )
    ).scalar_one()
    try:
        yield
    finally:
        session.execute(
            text("SELECT set_config('enable_bitmapscan', :before, true)"), {"before": before}
        )


def key_ids(session: Session, keys: set[str]) -> dict[str, int]:
    """The id of each key, adding the keys not yet known."""
    ordered = sorted(keys)
    if session.get_bind().dialect.name != "postgresql":
        found = _known(session, ordered)
        missing = [k for k in ordered if k not in found]
        if missing:
            session.execute(insert(search_keys), [{"norm": k} for k in missing])
            found.update(_known(session, missing))
        return found
    with _without_bitmap_scans(session):
        found = _known(session, ordered)
        missing = [k for k in ordered if k not in found]
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            found.update(
                (norm, key_id) for norm, key_id in session.execute(_PG_ADD, {"keys": chunk})
            )
        # A key another transaction added meanwhile is not returned by the insert: look it up.
        found.update(_known(session, [k for k in missing if k not in found]))
    return found


def _write(session: Session, batch: list[tuple[str, str, str]]) -> int:
    ids = key_ids(session, {key for _, _, key in batch})
    rows = [(entity_id, name, ids[key]) for entity_id, name, key in batch]
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy("COPY search_names (entity_id, name, key_id) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO search_names (entity_id, name, key_id) VALUES (?, ?, ?)", rows
            )
    finally:
        cursor.close()
    return len(batch)


def _forget(session: Session, entity_ids: list[str]) -> None:
    for start in range(0, len(entity_ids), BATCH):
        chunk = entity_ids[start : start + BATCH]
        session.execute(delete(search_names).where(search_names.c.entity_id.in_(chunk)))


def index_values(
    session: Session,
    values: Iterable[tuple[str, str, str, str]],
    replace: Iterable[str] = (),
) -> int:
    """Index the names in the current statements of whole entities, given as
    (entity id, schema, prop, value); the entities in ``replace`` lose their old rows first.

    The ingest calls it with a batch's records, which hold every current statement of their
    entities, so the index moves with the statements without reading them back.
    """
    _forget(session, sorted(set(replace)))
    by_entity: dict[str, list[tuple[str, str, str]]] = {}
    for entity_id, schema, prop, value in values:
        if prop in NAME_PROPS:
            by_entity.setdefault(entity_id, []).append((schema, prop, value))
    rows = [
        (entity_id, name, retrieval_key(name))
        for entity_id, found in by_entity.items()
        for name in names_of(found)
    ]
    written = 0
    for start in range(0, len(rows), BATCH):
        written += _write(session, rows[start : start + BATCH])
    return written


def index_entities(session: Session, entity_ids: list[str] | None = None) -> int:
    """Rebuild the index rows of these entities (all entities when None); returns names written.

    Call it in the same transaction as the statements change (ingest, merge), or run
    ``writ search reindex``. Keys no name points at any more are harmless (a search only takes
    keys with a name the actor may see) and are cleared by a full reindex.
    """
    if entity_ids is None:
        session.execute(delete(search_names))
        session.execute(delete(search_case_names))
        session.execute(delete(search_keys))
        index_case_names(session)
    else:
        _forget(session, entity_ids)
    written = 0
    batch: list[tuple[str, str, str]] = []
    for row in _rows(session, entity_ids):
        batch.append(row)
        if len(batch) == BATCH:
            written += _write(session, batch)
            batch = []
    if batch:
        written += _write(session, batch)
    return written


def index_case_names(session: Session, case_ids: list[str] | None = None) -> int:
    """Index the person named on these immigration cases (every case when None).

    The lifecycle calls it in the transaction that opens a case, so a person who exists only on
    an immigration case is found by the same search as everyone else.
    """
    query = select(immigration_cases.c.id, immigration_cases.c.subject_name)
    if case_ids is not None:
        if not case_ids:
            return 0
        session.execute(delete(search_case_names).where(search_case_names.c.case_id.in_(case_ids)))
        query = query.where(immigration_cases.c.id.in_(case_ids))
    rows = [(case_id, name, retrieval_key(name)) for case_id, name in session.execute(query)]
    rows = [row for row in rows if row[2]]
    ids = key_ids(session, {key for _, _, key in rows})
    for start in range(0, len(rows), BATCH):
        session.execute(
            insert(search_case_names),
            [
                {"case_id": case_id, "name": name, "key_id": ids[key]}
                for case_id, name, key in rows[start : start + BATCH]
            ],
        )
    return len(rows)
