"""Ingest services: bring a source in through its mapping, the sources registry, the quarantine.

A person who may import the source starts the run (audited as ``ingest.start``); the rows are then
written batch by batch by the system actor ``system:ingest``. Each batch — its records, statements,
quarantined rows, the run's position and its ``ingest.batch`` audit entry with the mapping's hash —
commits in one transaction, so a killed run resumes exactly after its last committed batch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, func, insert, select, text, update
from sqlalchemy.orm import Session

from writ.ingest.ahead import ahead, spaced_collections
from writ.ingest.mapping import Mapping, MappingError, load_mapping
from writ.ingest.readers import Source, SourceError, open_source
from writ.ingest.rows import REASONS, Record, Rejected, RowMapper
from writ.ingest.writer import (
    BatchCounts,
    RunContext,
    Touched,
    problems_json,
    take_records,
    write_batch,
)
from writ.model.actor import Actor, system_actor
from writ.model.resource import Resource
from writ.search.index import index_values
from writ.service import NotFound, Services
from writ.store.tables.ingest import ingest_runs, quarantine, source_records, sources

__all__ = [
    "BATCH_SIZE",
    "REASONS",
    "IngestProgress",
    "IngestSummary",
    "MappingError",
    "QuarantineEntry",
    "RetrySummary",
    "RunInterrupted",
    "RunView",
    "SourceError",
    "SourceView",
    "ingest",
    "list_quarantine",
    "list_runs",
    "list_sources",
    "retry_quarantine",
    "show_quarantine",
]

BATCH_SIZE = 5000
# Batches written at once on PostgreSQL, each in its own transaction and connection: the server
# works on one while the other waits for its turn to commit. SQLite has one writer.
IN_FLIGHT = 2
INGEST_ACTOR = system_actor("ingest")


class RunInterrupted(RuntimeError):
    """Another process moved the run on under this one (two ingests of one source at once)."""


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class IngestProgress:
    """Where a run has got: rows read (in all, and by this process), and bytes of the file."""

    rows: int
    rows_this_process: int
    bytes_read: int | None
    bytes_total: int | None


@dataclass
class IngestSummary:
    run_id: str
    source: str
    input: str
    mapping_sha256: str
    resumed_at: int
    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    statements_added: int = 0
    statements_superseded: int = 0

    @property
    def taken(self) -> int:
        return self.new + self.changed + self.unchanged

    @property
    def balanced(self) -> bool:
        """Nothing dropped: every row read was taken or quarantined."""
        return self.read == self.taken + self.quarantined


@dataclass(frozen=True)
class SourceView:
    name: str
    title: str
    authority: str
    data_category: str
    retention: str
    mapping_path: str
    records: int
    last_ingest_at: str | None
    quarantined: int


@dataclass(frozen=True)
class RunView:
    """One ingest run: what it read from which input under which mapping, and how far it got."""

    id: str
    source: str
    input: str
    input_sha256: str
    mapping_sha256: str
    status: str
    started_by: str
    started_at: str
    updated_at: str
    finished_at: str | None
    read: int
    new: int
    changed: int
    unchanged: int
    quarantined: int
    statements_added: int
    statements_superseded: int

    @property
    def balanced(self) -> bool:
        """Nothing dropped: every row read was taken or quarantined."""
        return self.read == self.new + self.changed + self.unchanged + self.quarantined


@dataclass(frozen=True)
class QuarantineEntry:
    id: int
    source: str
    run_id: str
    file: str
    line: int
    field: str
    value: str | None
    reason: str
    message: str
    status: str
    created_at: str
    resolved_at: str | None
    record_id: str | None
    problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    row: dict[str, Any] | None = None


@dataclass
class RetrySummary:
    released: list[int] = dataclasses.field(default_factory=list)
    still_open: list[int] = dataclasses.field(default_factory=list)
    superseded: list[int] = dataclasses.field(default_factory=list)


def _source_resource(name: str) -> Resource:
    return Resource("source", name)


# -- ingest ------------------------------------------------------------------------------------


def ingest(
    svc: Services,
    actor: Actor,
    mapping_path: Path | str,
    file: Path | str | None = None,
    progress: Callable[[IngestProgress], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestSummary:
    """Ingest the mapping's source (or ``file``); resume an interrupted run of the same input."""
    mapping = load_mapping(mapping_path)
    source = open_source(mapping, file)
    summary = _start(svc, actor, mapping, source)
    writers = IN_FLIGHT if svc.store.dialect == "postgresql" else 1
    with spaced_collections():
        position = _write_batches(svc, mapping, source, summary, batch_size, writers, progress)
    _finish(svc, mapping, summary, position)
    return summary


@dataclass
class _Pending:
    """A batch handed to a writer: its outcome to come, where the run is after it, its records."""

    outcome: Future[BatchCounts]
    end: int
    bytes_read: int | None
    records: frozenset[str]


def _write_batches(
    svc: Services,
    mapping: Mapping,
    source: Source,
    summary: IngestSummary,
    batch_size: int,
    writers: int,
    progress: Callable[[IngestProgress], None] | None,
) -> int:
    """Write the source's batches in order, ``writers`` of them at once; return the position.

    Each batch is its own transaction. A batch writes its records and statements while the one
    before it finishes; then it waits for that one to commit before it touches what they share
    (name keys, the run's position, the ledger), so batches commit in order and a batch whose
    predecessor failed does not commit. Batches that share a record or a quarantined row's
    content are never in flight together: the later one starts once the earlier has committed.
    """
    start = position = summary.resumed_at
    pending: deque[_Pending] = deque()

    def settle() -> None:
        done = pending.popleft()
        _add(summary, done.outcome.result())
        if progress is not None:
            progress(IngestProgress(summary.read, done.end - start, done.bytes_read, source.size))

    batches = _mapped_batches(source, RowMapper(mapping), start, batch_size)
    with ThreadPoolExecutor(writers, thread_name_prefix="writ-ingest-write") as pool:
        try:
            for mapped, bytes_read in ahead(batches):
                records = _record_ids(mapped)
                while pending and (
                    len(pending) >= writers or any(records & p.records for p in pending)
                ):
                    settle()
                args = (svc, mapping, source, summary.run_id, position, mapped)
                if writers > 1:
                    after = pending[-1].outcome if pending else None
                    outcome = pool.submit(_commit_batch, *args, after)
                else:
                    outcome = _now(*args)
                position += len(mapped)
                pending.append(_Pending(outcome, position, bytes_read, records))
            while pending:
                settle()
        finally:
            for later in pending:
                later.outcome.cancel()
    return position


def _now(*args: Any) -> Future[BatchCounts]:
    """Write a batch in this thread (one writer: SQLite), as a finished future."""
    outcome: Future[BatchCounts] = Future()
    try:
        outcome.set_result(_commit_batch(*args))
    except Exception as exc:
        outcome.set_exception(exc)
    return outcome


def _record_ids(mapped: list[tuple[int, Record | Rejected]]) -> frozenset[str]:
    """What two batches in flight must not share: record ids, and rejected rows' contents."""
    ids = {o.record_id for _, o in mapped if o.record_id is not None}
    ids.update("\x00" + o.content_sha256 for _, o in mapped if isinstance(o, Rejected))
    return frozenset(ids)


def _mapped_batches(
    source: Source, mapper: RowMapper, start: int, size: int
) -> Iterator[tuple[list[tuple[int, Record | Rejected]], int | None]]:
    """The source's rows from ``start`` on, mapped, ``size`` at a time, each batch with the
    bytes of the file read by its end."""
    rows = islice(source.rows(), start, None)
    while batch := list(islice(rows, size)):
        yield [(line, mapper.map(row)) for line, row in batch], source.bytes_read()


def _add(summary: IngestSummary, counts: BatchCounts) -> None:
    for name, value in counts.as_dict().items():
        setattr(summary, name, getattr(summary, name) + value)


def _start(svc: Services, actor: Actor, mapping: Mapping, source: Source) -> IngestSummary:
    """Register the source and open (or resume) the run, as the person who asked for it."""
    name = mapping.source.name
    now = utcnow()
    with svc.operation(actor, "import", _source_resource(name), audit_action="ingest.start") as op:
        session = op.session
        _register(session, mapping, now)
        # FOR UPDATE: a killed ingest's last batch may still be committing on the server; wait
        # for it, so the resumed position is the committed one.
        run = session.execute(
            select(ingest_runs)
            .where(
                ingest_runs.c.source == name,
                ingest_runs.c.status == "running",
                ingest_runs.c.mapping_sha256 == mapping.sha256,
                ingest_runs.c.input_sha256 == source.identity,
            )
            .with_for_update()
        ).first()
        session.execute(
            update(ingest_runs)
            .where(ingest_runs.c.source == name, ingest_runs.c.status == "running")
            .where(ingest_runs.c.id != (run.id if run else ""))
            .values(status="abandoned", updated_at=now)
        )
        if run is None:
            summary = IngestSummary(uuid.uuid4().hex, name, source.name, mapping.sha256, 0)
            _insert_run(
                session,
                summary.run_id,
                mapping,
                source.name,
                source.identity,
                actor,
                now,
                finished=False,
            )
        else:
            summary = IngestSummary(
                run.id,
                name,
                source.name,
                mapping.sha256,
                run.position,
                read=run.rows_read,
                new=run.rows_new,
                changed=run.rows_changed,
                unchanged=run.rows_unchanged,
                quarantined=run.rows_quarantined,
                statements_added=run.statements_added,
                statements_superseded=run.statements_superseded,
            )
        op.details.update(
            run=summary.run_id,
            input=source.name,
            input_sha256=source.identity,
            mapping=str(mapping.path),
            mapping_sha256=mapping.sha256,
            resumed_at=summary.resumed_at if run is not None else None,
        )
    return summary


def _register(session: Session, mapping: Mapping, now: str) -> None:
    info = mapping.source
    values = {
        "title": info.title,
        "authority": info.legal_basis.authority,
        "data_category": info.legal_basis.data_category,
        "retention": info.legal_basis.retention,
        "mapping_path": str(mapping.path),
        "mapping_sha256": mapping.sha256,
    }
    found = session.execute(
        select(sources.c.name).where(sources.c.name == info.name).with_for_update()
    ).first()
    if found is None:
        session.execute(insert(sources).values(name=info.name, registered_at=now, **values))
    else:
        session.execute(update(sources).where(sources.c.name == info.name).values(**values))


def _commit_batch(
    svc: Services,
    mapping: Mapping,
    source: Source,
    run_id: str,
    position: int,
    mapped: list[tuple[int, Record | Rejected]],
    after: Future[BatchCounts] | None = None,
) -> BatchCounts:
    """One batch, its run position and its audit entry: all in, or none. With ``after`` (the
    batch before, in flight), the records and statements are written at once, the rest once
    that batch has committed."""
    now = utcnow()
    with svc.operation(
        INGEST_ACTOR, "import", _source_resource(mapping.source.name), audit_action="ingest.batch"
    ) as op:
        session = op.session
        if session.get_bind().dialect.name == "postgresql":
            # psycopg prepares a statement run five times, and PostgreSQL then tries a generic
            # plan, blind to the values: for "record_id = ANY(...)" on a table growing under
            # the ingest, a scan of the whole table per batch. Plan each with its values.
            session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        context = RunContext(mapping.source.name, run_id, source.name, mapping.sha256, now)
        touched = Touched()
        counts = write_batch(session, context, mapped, touched)
        if after is not None:
            # The rest is shared with the batch before (name keys, the run, the ledger): it
            # goes after that batch has committed, and not at all if that batch failed.
            failed = after.exception()
            if failed is not None:
                raise RunInterrupted(f"the batch before line {mapped[0][0]} failed") from failed
        # The name index moves with the statements, in the same transaction.
        index_values(session, touched.values(), replace=touched.stale_entities)
        # Move the run on from exactly where the previous batch left it; fails if another
        # process moved it meanwhile.
        moved: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(ingest_runs)
            .where(
                ingest_runs.c.id == run_id,
                ingest_runs.c.status == "running",
                ingest_runs.c.position == position,
            )
            .values(
                position=position + len(mapped),
                updated_at=now,
                last_line=mapped[-1][0],
                rows_read=ingest_runs.c.rows_read + counts.read,
                rows_new=ingest_runs.c.rows_new + counts.new,
                rows_changed=ingest_runs.c.rows_changed + counts.changed,
                rows_unchanged=ingest_runs.c.rows_unchanged + counts.unchanged,
                rows_quarantined=ingest_runs.c.rows_quarantined + counts.quarantined,
                statements_added=ingest_runs.c.statements_added + counts.statements_added,
                statements_superseded=ingest_runs.c.statements_superseded
                + counts.statements_superseded,
            )
        )
        if moved.rowcount != 1:
            raise RunInterrupted(
                f"ingest run {run_id} of {mapping.source.name} was moved on by another "
                "process, or its previous batch failed; run `writ ingest` again to resume"
            )
        op.details.update(
            run=run_id,
            input=source.name,
            mapping_sha256=mapping.sha256,
            first_line=mapped[0][0],
            last_line=mapped[-1][0],
            position=position + len(mapped),
            **counts.as_dict(),
        )
    return counts


def _finish(svc: Services, mapping: Mapping, summary: IngestSummary, position: int) -> None:
    now = utcnow()
    with svc.operation(
        INGEST_ACTOR,
        "import",
        _source_resource(mapping.source.name),
        audit_action="ingest.finish",
    ) as op:
        done: CursorResult[Any] = op.session.execute(  # type: ignore[assignment]
            update(ingest_runs)
            .where(
                ingest_runs.c.id == summary.run_id,
                ingest_runs.c.status == "running",
                ingest_runs.c.position == position,
            )
            .values(status="finished", finished_at=now, updated_at=now)
        )
        if done.rowcount != 1:
            raise RunInterrupted(
                f"ingest run {summary.run_id} of {mapping.source.name} was finished or moved on "
                "by another process"
            )
        op.session.execute(
            update(sources).where(sources.c.name == mapping.source.name).values(last_ingest_at=now)
        )
        op.details.update(
            run=summary.run_id,
            mapping_sha256=mapping.sha256,
            read=summary.read,
            taken=summary.taken,
            new=summary.new,
            changed=summary.changed,
            unchanged=summary.unchanged,
            quarantined=summary.quarantined,
            statements_added=summary.statements_added,
            statements_superseded=summary.statements_superseded,
        )


# -- the sources registry ----------------------------------------------------------------------


def list_sources(svc: Services, actor: Actor) -> list[SourceView]:
    """Every source with its legal basis, record count, last ingest and open quarantine."""
    with svc.operation(actor, "read", _source_resource("*"), audit_action="source.list") as op:
        session = op.session
        records: dict[str, int] = {
            name: count
            for name, count in session.execute(
                select(source_records.c.source, func.count()).group_by(source_records.c.source)
            )
        }
        held: dict[str, int] = {
            name: count
            for name, count in session.execute(
                select(quarantine.c.source, func.count())
                .where(quarantine.c.status == "open")
                .group_by(quarantine.c.source)
            )
        }
        views = [
            SourceView(
                name=row.name,
                title=row.title,
                authority=row.authority,
                data_category=row.data_category,
                retention=row.retention,
                mapping_path=row.mapping_path,
                records=records.get(row.name, 0),
                last_ingest_at=row.last_ingest_at,
                quarantined=held.get(row.name, 0),
            )
            for row in session.execute(select(sources).order_by(sources.c.name))
        ]
        op.details["sources"] = len(views)
    return views


# -- the quarantine ----------------------------------------------------------------------------


def list_runs(
    svc: Services, actor: Actor, source: str | None = None, limit: int = 100
) -> list[RunView]:
    """Ingest runs, newest first (of one source, or all): status and counts. Runs are the
    registry's own bookkeeping, readable by whoever may read the sources registry."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    resource = _source_resource(source or "*")
    with svc.operation(actor, "read", resource, audit_action="ingest-run.list") as op:
        query = (
            select(ingest_runs)
            .order_by(ingest_runs.c.started_at.desc(), ingest_runs.c.id.desc())
            .limit(limit)
        )
        if source is not None:
            query = query.where(ingest_runs.c.source == source)
        runs = [
            RunView(
                id=row.id,
                source=row.source,
                input=row.input,
                input_sha256=row.input_sha256,
                mapping_sha256=row.mapping_sha256,
                status=row.status,
                started_by=row.started_by,
                started_at=row.started_at,
                updated_at=row.updated_at,
                finished_at=row.finished_at,
                read=row.rows_read,
                new=row.rows_new,
                changed=row.rows_changed,
                unchanged=row.rows_unchanged,
                quarantined=row.rows_quarantined,
                statements_added=row.statements_added,
                statements_superseded=row.statements_superseded,
            )
            for row in op.session.execute(query)
        ]
        op.details.update(source=source, shown=len(runs))
    return runs


def _entry(row: Any, full: bool = False) -> QuarantineEntry:
    return QuarantineEntry(
        id=row.id,
        source=row.source,
        run_id=row.run_id,
        file=row.file,
        line=row.line,
        field=row.field,
        value=row.value,
        reason=row.reason,
        message=row.message,
        status=row.status,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        record_id=row.record_id,
        problems=json.loads(row.problems) if full else [],
        row=json.loads(row.row) if full and row.row is not None else None,
    )


def list_quarantine(
    svc: Services,
    actor: Actor,
    source: str | None = None,
    status: str | None = "open",
    limit: int = 100,
) -> list[QuarantineEntry]:
    """Quarantined rows, oldest first: file, line, field, value and reason."""
    resource = Resource("quarantine", source or "*")
    with svc.operation(actor, "read", resource, audit_action="quarantine.list") as op:
        query = select(quarantine).order_by(quarantine.c.id).limit(limit)
        if source is not None:
            query = query.where(quarantine.c.source == source)
        if status is not None:
            query = query.where(quarantine.c.status == status)
        entries = [_entry(row) for row in op.session.execute(query)]
        op.details.update(source=source, status=status, shown=len(entries))
    return entries


def show_quarantine(svc: Services, actor: Actor, entry_id: int) -> QuarantineEntry:
    """One quarantined row, whole, with all its problems."""
    with svc.operation(actor, "read", audit_action="quarantine.read") as op:
        row = op.session.execute(select(quarantine).where(quarantine.c.id == entry_id)).first()
        op.authorize(Resource("quarantine", row.source if row else "*"))
        op.details["entry"] = entry_id
        if row is None:
            raise NotFound(f"quarantine entry {entry_id} does not exist")
        return _entry(row, full=True)


def retry_quarantine(
    svc: Services,
    actor: Actor,
    entry_ids: list[int] | None = None,
    source: str | None = None,
    mapping_path: Path | str | None = None,
) -> RetrySummary:
    """Run open quarantined rows again through their source's current mapping.

    A row that now passes is taken and its entry ``released``; one whose record has since come in
    from a later extract is ``superseded`` (the later row wins); the others stay ``open`` with
    their new reason.
    """
    if not entry_ids and source is None:
        raise ValueError("name the quarantine entries to retry, or a source")
    summary = RetrySummary()
    with svc.operation(actor, "import", audit_action="quarantine.retry") as op:
        session = op.session
        query = select(quarantine).where(quarantine.c.status == "open").order_by(quarantine.c.id)
        if entry_ids:
            query = query.where(quarantine.c.id.in_(entry_ids))
        if source is not None:
            query = query.where(quarantine.c.source == source)
        entries = list(session.execute(query))
        names = sorted({row.source for row in entries})
        if len(names) > 1 and mapping_path is not None:
            raise ValueError("--mapping goes with the entries of one source")
        op.authorize(Resource("quarantine", names[0] if len(names) == 1 else source or "*"))
        if entry_ids:
            missing = sorted(set(entry_ids) - {row.id for row in entries})
            if missing:
                raise NotFound(f"no open quarantine entry {', '.join(map(str, missing))}")
        now = utcnow()
        for name in names:
            mapping = _mapping_for(session, name, mapping_path)
            mapper = RowMapper(mapping)
            context = RunContext(
                name, _retry_run(session, mapping, actor, now), "quarantine", mapping.sha256, now
            )
            for row in (entry for entry in entries if entry.source == name):
                _retry_one(session, mapper, context, row, summary)
        op.details.update(
            sources=names,
            released=summary.released,
            still_open=summary.still_open,
            superseded=summary.superseded,
        )
    return summary


def _mapping_for(session: Session, name: str, mapping_path: Path | str | None) -> Mapping:
    if mapping_path is None:
        stored = session.execute(
            select(sources.c.mapping_path).where(sources.c.name == name)
        ).scalar_one_or_none()
        if stored is None:
            raise NotFound(f"source {name} is not registered")
        mapping_path = stored
    mapping = load_mapping(mapping_path)
    if mapping.source.name != name:
        raise MappingError(f"{mapping.path.name}: maps source {mapping.source.name}, not {name}")
    return mapping


def _retry_run(session: Session, mapping: Mapping, actor: Actor, now: str) -> str:
    run_id = uuid.uuid4().hex
    input_sha256 = hashlib.sha256(run_id.encode()).hexdigest()
    _insert_run(session, run_id, mapping, "quarantine", input_sha256, actor, now, finished=True)
    return run_id


def _insert_run(
    session: Session,
    run_id: str,
    mapping: Mapping,
    input_name: str,
    input_sha256: str,
    actor: Actor,
    now: str,
    *,
    finished: bool,
) -> None:
    """A new run with every counter at zero: running (an ingest) or finished (a retry's record)."""
    counters = [
        "position",
        "last_line",
        "rows_read",
        "rows_new",
        "rows_changed",
        "rows_unchanged",
        "rows_quarantined",
        "statements_added",
        "statements_superseded",
    ]
    session.execute(
        insert(ingest_runs).values(
            id=run_id,
            source=mapping.source.name,
            mapping_sha256=mapping.sha256,
            input=input_name,
            input_sha256=input_sha256,
            status="finished" if finished else "running",
            started_by=actor.user,
            started_at=now,
            updated_at=now,
            finished_at=now if finished else None,
            **dict.fromkeys(counters, 0),
        )
    )


def _retry_one(
    session: Session, mapper: RowMapper, context: RunContext, entry: Any, summary: RetrySummary
) -> None:
    if entry.row is None:
        summary.still_open.append(entry.id)
        return
    outcome = mapper.map(json.loads(entry.row))
    if isinstance(outcome, Rejected):
        first = outcome.problems[0]
        session.execute(
            update(quarantine)
            .where(quarantine.c.id == entry.id)
            .values(
                field=first.field[:256],
                value=first.value,
                reason=first.reason,
                message=first.message,
                problems=problems_json(outcome),
            )
        )
        summary.still_open.append(entry.id)
        return
    later = session.execute(
        select(source_records.c.last_seen).where(
            source_records.c.source == context.source,
            source_records.c.record_id == outcome.record_id,
        )
    ).scalar_one_or_none()
    status = "released"
    if later is not None and later > entry.last_seen:
        status = "superseded"
        summary.superseded.append(entry.id)
    else:
        touched = Touched()
        take_records(session, context, [(entry.line, outcome)], touched)
        index_values(session, touched.values(), replace=touched.stale_entities)
        summary.released.append(entry.id)
    session.execute(
        update(quarantine)
        .where(quarantine.c.id == entry.id)
        .values(status=status, resolved_at=context.now, record_id=outcome.record_id)
    )
