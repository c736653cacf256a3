"""Writing one batch of mapped rows into the store, inside the caller's transaction.

A new record adds its statements; a record seen before with the same row and mapping only moves
its statements' *last seen*; a changed record adds the statements it now makes, moves *last seen*
on those it still makes, and marks the ones it no longer makes superseded: history, never deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from writ.ingest.rows import Record, Rejected
from writ.store.tables.core import statements
from writ.store.tables.ingest import quarantine, source_records

# The separator writ.model.statement.statement_id puts between the parts it hashes.
SEP = "\x1f"
# Keeps every IN (...) list well under SQLite's limit on bound parameters.
IN_CHUNK = 500

T = TypeVar("T")


@dataclass
class BatchCounts:
    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    statements_added: int = 0
    statements_superseded: int = 0

    def add(self, other: BatchCounts) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def as_dict(self) -> dict[str, int]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


@dataclass
class Touched:
    """What the name index must follow: records whose statements were set, and entities whose
    old statements changed (their index rows go before the records' names come in)."""

    records: dict[str, Record] = field(default_factory=dict)  # by record id: the last one wins
    stale_entities: set[str] = field(default_factory=set)

    def add(self, items: list[tuple[int, Record]]) -> None:
        self.records.update((record.record_id, record) for _, record in items)

    def values(self) -> Iterator[tuple[str, str, str, str]]:
        """(entity id, schema, prop, value) of every current statement of the records."""
        for record in self.records.values():
            for value in record.values:
                yield value.entity_id, value.schema, value.prop, value.value


@dataclass(frozen=True)
class RunContext:
    """What every row of a batch shares: its source, run, input and mapping, and the time."""

    source: str
    run_id: str
    input: str
    mapping_sha256: str
    now: str


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(
    session: Session, column: ColumnElement[Any], values: Sequence[Any]
) -> Iterator[ColumnElement[bool]]:
    """``column IN values`` in as few statements as the backend allows: one ``= ANY(array)`` on
    PostgreSQL (one cached statement, one parameter), chunks of ``IN`` on SQLite."""
    if not values:
        return
    if session.get_bind().dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    else:
        for part in chunks(values):
            yield column.in_(part)


def write_batch(
    session: Session,
    context: RunContext,
    mapped: Iterable[tuple[int, Record | Rejected]],
    touched: Touched | None = None,
) -> BatchCounts:
    """Take the records and quarantine the rejected rows of one batch."""
    counts = BatchCounts()
    segment: list[tuple[int, Record]] = []
    in_segment: set[str] = set()
    rejected: list[tuple[int, Rejected]] = []
    for line, outcome in mapped:
        counts.read += 1
        if isinstance(outcome, Rejected):
            rejected.append((line, outcome))
            continue
        if outcome.record_id in in_segment:
            # The same record twice in one batch: the first must be in before the second.
            counts.add(take_records(session, context, segment, touched))
            segment, in_segment = [], set()
        segment.append((line, outcome))
        in_segment.add(outcome.record_id)
    counts.add(take_records(session, context, segment, touched))
    quarantine_rows(session, context, rejected)
    counts.quarantined += len(rejected)
    return counts


def quarantine_rows(
    session: Session, context: RunContext, rejected: list[tuple[int, Rejected]]
) -> None:
    """Quarantine rejected rows; a row still open from an earlier run is that entry, met again."""
    if not rejected:
        return
    hashes = [outcome.content_sha256 for _, outcome in rejected]
    earlier: dict[str, list[int]] = {}
    for content_in in among(session, quarantine.c.row_sha256, sorted(set(hashes))):
        query = (
            select(quarantine.c.id, quarantine.c.row_sha256)
            .where(
                quarantine.c.source == context.source,
                quarantine.c.status == "open",
                quarantine.c.run_id != context.run_id,
                content_in,
            )
            .order_by(quarantine.c.id)
        )
        for row in session.execute(query):
            earlier.setdefault(row.row_sha256, []).append(row.id)
    new: list[dict[str, Any]] = []
    seen_again: list[dict[str, Any]] = []
    for (line, outcome), content in zip(rejected, hashes, strict=True):
        if earlier.get(content):
            seen_again.append({"b_id": earlier[content].pop(0), "b_line": line})
        else:
            new.append(quarantine_row(context, line, outcome, content))
    if new:
        session.execute(insert(quarantine), new)
    if seen_again:
        session.execute(
            update(quarantine)
            .where(quarantine.c.id == bindparam("b_id"))
            .values(
                run_id=context.run_id,
                file=context.input,
                line=bindparam("b_line"),
                last_seen=context.now,
            ),
            seen_again,
        )


def problems_json(rejected: Rejected) -> str:
    return json.dumps(
        [
            {"reason": p.reason, "field": p.field, "value": p.value, "message": p.message}
            for p in rejected.problems
        ],
        ensure_ascii=False,
    )


def quarantine_row(
    context: RunContext, line: int, rejected: Rejected, content_sha256: str
) -> dict[str, Any]:
    first = rejected.problems[0]
    return {
        "source": context.source,
        "run_id": context.run_id,
        "file": context.input,
        "line": line,
        "field": first.field[:256],
        "value": first.value,
        "reason": first.reason,
        "message": first.message,
        "problems": problems_json(rejected),
        "row": None if rejected.row is None else json.dumps(rejected.row, ensure_ascii=False),
        "row_sha256": content_sha256,
        "record_id": rejected.record_id,
        "status": "open",
        "created_at": context.now,
        "last_seen": context.now,
        "resolved_at": None,
    }


STATEMENT_COLUMNS = (
    "id",
    "source",
    "record_id",
    "entity_id",
    "schema",
    "prop",
    "value",
    "original_value",
    "validation_error",
    "first_seen",
    "last_seen",
    "superseded_at",
)
RECORD_COLUMNS = (
    "source",
    "record_id",
    "row_sha256",
    "mapping_sha256",
    "line",
    "run_id",
    "first_seen",
    "last_seen",
)

_StatementRow = tuple[str, str, str, str, str, str, str, str | None, str | None, str, str, None]


def statement_rows(context: RunContext, record: Record) -> Iterator[_StatementRow]:
    """The statement rows of a record. Ids as :func:`writ.model.statement.statement_id` makes
    them, the hash of the shared (source, record, entity) prefix computed once per entity."""
    source, record_id, now = context.source, record.record_id, context.now
    prefixes: dict[str, Any] = {}
    for value in record.values:
        prefix = prefixes.get(value.entity_id)
        if prefix is None:
            prefix = prefixes[value.entity_id] = hashlib.sha1(
                f"{source}{SEP}{record_id}{SEP}{value.entity_id}{SEP}".encode()
            )
        digest = prefix.copy()
        digest.update(f"{value.prop}{SEP}{value.value}".encode())
        yield (
            digest.hexdigest(),
            source,
            record_id,
            value.entity_id,
            value.schema,
            value.prop,
            value.value,
            value.original_value,
            value.validation_error,
            now,
            now,
            None,
        )


def bulk_insert(
    session: Session, table: str, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert many rows through the driver: COPY on PostgreSQL, executemany on SQLite.

    This is the hot path of an ingest, so it skips SQLAlchemy's per-row parameter processing;
    it runs on the session's connection, inside its transaction. psycopg formats and escapes
    COPY rows in C (``write_row``).
    """
    if not rows:
        return
    connection = session.connection()
    cursor = connection.connection.cursor()
    names = ", ".join(f'"{column}"' for column in columns)
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    finally:
        cursor.close()


def take_records(
    session: Session,
    context: RunContext,
    items: list[tuple[int, Record]],
    touched: Touched | None = None,
) -> BatchCounts:
    """Write records whose ids are distinct; return what changed, and note in ``touched`` the
    records whose statements the name index must follow (new and changed ones)."""
    counts = BatchCounts()
    if not items:
        return counts
    known: dict[str, tuple[str, str]] = {}
    ids = [record.record_id for _, record in items]
    for record_in in among(session, source_records.c.record_id, ids):
        query = select(
            source_records.c.record_id,
            source_records.c.row_sha256,
            source_records.c.mapping_sha256,
        ).where(source_records.c.source == context.source, record_in)
        for row in session.execute(query):
            known[row.record_id] = (row.row_sha256, row.mapping_sha256)
    new = [(line, r) for line, r in items if r.record_id not in known]
    same = [
        (line, r)
        for line, r in items
        if known.get(r.record_id) == (r.row_sha256, context.mapping_sha256)
    ]
    different = [
        (line, r)
        for line, r in items
        if r.record_id in known and known[r.record_id] != (r.row_sha256, context.mapping_sha256)
    ]
    _insert_new(session, context, new, counts)
    _touch_unchanged(session, context, same, counts)
    stale = _apply_changes(session, context, different, counts)
    if touched is not None:
        touched.add(new)
        touched.add(different)
        touched.stale_entities.update(stale)
    _close_quarantined(session, context, [record.record_id for _, record in items])
    return counts


def _close_quarantined(session: Session, context: RunContext, record_ids: list[str]) -> None:
    """A record taken now settles the open quarantine entries of the same record."""
    for record_in in among(session, quarantine.c.record_id, record_ids):
        session.execute(
            update(quarantine)
            .where(
                quarantine.c.source == context.source,
                quarantine.c.status == "open",
                record_in,
            )
            .values(status="superseded", resolved_at=context.now)
        )


def _insert_new(
    session: Session, context: RunContext, items: list[tuple[int, Record]], counts: BatchCounts
) -> None:
    if not items:
        return
    bulk_insert(
        session,
        "source_records",
        RECORD_COLUMNS,
        [
            (
                context.source,
                record.record_id,
                record.row_sha256,
                context.mapping_sha256,
                line,
                context.run_id,
                context.now,
                context.now,
            )
            for line, record in items
        ],
    )
    rows = [row for _, record in items for row in statement_rows(context, record)]
    bulk_insert(session, "statements", STATEMENT_COLUMNS, rows)
    counts.new += len(items)
    counts.statements_added += len(rows)


def _record_update(context: RunContext) -> Any:
    return (
        update(source_records)
        .where(
            source_records.c.source == context.source,
            source_records.c.record_id == bindparam("b_record_id"),
        )
        .values(
            row_sha256=bindparam("b_row_sha256"),
            mapping_sha256=context.mapping_sha256,
            line=bindparam("b_line"),
            run_id=context.run_id,
            last_seen=context.now,
        )
    )


def _record_params(items: list[tuple[int, Record]]) -> list[dict[str, Any]]:
    return [
        {"b_record_id": r.record_id, "b_row_sha256": r.row_sha256, "b_line": line}
        for line, r in items
    ]


def _touch_unchanged(
    session: Session, context: RunContext, items: list[tuple[int, Record]], counts: BatchCounts
) -> None:
    if not items:
        return
    session.execute(_record_update(context), _record_params(items))
    for record_in in among(session, statements.c.record_id, [r.record_id for _, r in items]):
        session.execute(
            update(statements)
            .where(
                statements.c.source == context.source,
                record_in,
                statements.c.superseded_at.is_(None),
            )
            .values(last_seen=context.now)
        )
    counts.unchanged += len(items)


def _apply_changes(
    session: Session, context: RunContext, items: list[tuple[int, Record]], counts: BatchCounts
) -> set[str]:
    """Apply changed records; return the entities whose current statements were before."""
    if not items:
        return set()
    current: dict[str, set[str]] = {}  # by record: its statements not superseded
    stored: set[str] = set()  # every statement the records ever made, history included
    entities: set[str] = set()
    for record_in in among(session, statements.c.record_id, [r.record_id for _, r in items]):
        query = select(
            statements.c.id,
            statements.c.record_id,
            statements.c.entity_id,
            statements.c.superseded_at,
        ).where(statements.c.source == context.source, record_in)
        for row in session.execute(query):
            stored.add(row.id)
            if row.superseded_at is None:
                current.setdefault(row.record_id, set()).add(row.id)
                entities.add(row.entity_id)
    wanted: dict[str, dict[str, _StatementRow]] = {}
    for _, record in items:
        rows = statement_rows(context, record)
        wanted[record.record_id] = {row[0]: row for row in rows}
    to_insert: list[_StatementRow] = []
    to_keep: list[tuple[str, str]] = []  # (record id, statement id)
    to_supersede: list[tuple[str, str]] = []
    changed = 0
    for _, record in items:
        now_ids = wanted[record.record_id]
        before = current.get(record.record_id, set())
        revived = [sid for sid in now_ids if sid in stored and sid not in before]
        added = [row for sid, row in now_ids.items() if sid not in stored]
        gone = [sid for sid in before if sid not in now_ids]
        to_insert.extend(added)
        to_keep.extend((record.record_id, sid) for sid in now_ids if sid in stored)
        to_supersede.extend((record.record_id, sid) for sid in gone)
        changed += bool(added or gone or revived)
    bulk_insert(session, "statements", STATEMENT_COLUMNS, to_insert)
    _update_statements(session, context, to_keep, last_seen=context.now, superseded_at=None)
    _update_statements(session, context, to_supersede, superseded_at=context.now)
    session.execute(_record_update(context), _record_params(items))
    counts.changed += changed
    counts.unchanged += len(items) - changed
    counts.statements_added += len(to_insert)
    counts.statements_superseded += len(to_supersede)
    return entities


def _update_statements(
    session: Session, context: RunContext, keys: list[tuple[str, str]], **values: Any
) -> None:
    """Set ``values`` on the statements of (record id, statement id) ``keys``, by primary key."""
    if not keys:
        return
    session.execute(
        update(statements)
        .where(
            statements.c.source == context.source,
            statements.c.record_id == bindparam("b_record_id"),
            statements.c.id == bindparam("b_id"),
        )
        .values(**values),
        [{"b_record_id": record_id, "b_id": sid} for record_id, sid in keys],
    )
