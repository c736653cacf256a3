"""Services over the audit ledger: verify, checkpoint, prove inclusion and consistency."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from writ.audit import keys, ledger, merkle
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service.operation import Services
from writ.store.tables.core import audit_entries

LOG = Resource("audit", "ledger")


def verify(svc: Services, actor: Actor) -> ledger.Verification:
    """Recompute every leaf and tree head of the ledger; the result names the first bad entry."""
    svc.authorize(actor, "verify", LOG)
    with svc.store.engine.connect() as connection:
        result = ledger.verify(connection, svc.ledger.public_key)
    with svc.operation(actor, "verify", LOG) as op:
        op.outcome = "ok" if result.ok else "failed"
        op.details.update(entries=result.entries, heads=result.heads, problem=result.problem)
    return result


def checkpoint(svc: Services, actor: Actor) -> keys.TreeHead:
    """Sign a tree head for the ledger as it is now, to be kept outside the database."""
    with svc.operation(actor, "export", LOG, audit_action="audit.checkpoint") as op:
        # The checkpoint covers its own audit entry: append it first, then sign.
        op.details["reason"] = "checkpoint written outside the database"
    with svc.store.transaction() as session:
        head = svc.ledger.seal(session, force=True)
    assert head is not None
    return head


def prove(svc: Services, actor: Actor, seq: int) -> ledger.InclusionProof:
    """Entry ``seq`` with its inclusion proof: for those who may read the audit log.

    The proof carries the whole entry (who did what to which object, search queries, failed
    sign-ins), so it needs the right to read the log, asked before the entry is looked up: a
    refusal says nothing about whether ``seq`` exists. A proof without the entry is not offered
    either: its leaf hash would let anyone confirm a guess of the entry's content.
    """
    with svc.operation(
        actor, "read", Resource("audit", str(seq)), audit_action="audit.prove"
    ) as op:
        op.details["entry"] = seq
    with svc.store.transaction() as session:
        svc.ledger.seal(session, force=True)
    with svc.store.engine.connect() as connection:
        return ledger.prove(connection, seq)


@dataclass(frozen=True)
class ConsistencyResult:
    old: keys.TreeHead
    new: keys.TreeHead
    proof: list[bytes]
    ok: bool
    problem: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "old": json.loads(self.old.to_json()),
            "new": json.loads(self.new.to_json()),
            "proof": [p.hex() for p in self.proof],
            "ok": self.ok,
            "problem": self.problem,
        }


def consistency(svc: Services, actor: Actor, old: keys.TreeHead) -> ConsistencyResult:
    """Prove the log only grew since ``old`` (a checkpoint saved outside the database)."""
    with svc.operation(actor, "verify", LOG, audit_action="audit.consistency") as op:
        op.details["from_size"] = old.tree_size
    with svc.store.transaction() as session:
        svc.ledger.seal(session, force=True)
    if not keys.verify_tree_head(svc.ledger.public_key, old):
        return ConsistencyResult(
            old, old, [], False, "the saved checkpoint's signature is not valid"
        )
    with svc.store.engine.connect() as connection:
        try:
            new, proof = ledger.consistency(connection, old)
        except LookupError as exc:
            return ConsistencyResult(old, old, [], False, str(exc))
    ok = merkle.verify_consistency(
        old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof
    )
    problem = (
        ""
        if ok
        else (
            f"the log at size {new.tree_size} is not an extension of the checkpoint at size "
            f"{old.tree_size}: entries up to {old.tree_size} were changed"
        )
    )
    return ConsistencyResult(old, new, proof, ok, problem)


OUTCOMES = ("ok", "denied", "refused", "blocked", "failed", "alert", "not-found")
EXPORT_FORMATS = ("csv", "jsonl")
EXPORT_COLUMNS = (
    "seq",
    "ts",
    "actor",
    "roles",
    "unit",
    "action",
    "object_type",
    "object_id",
    "purpose",
    "origin",
    "outcome",
    "policy",
    "details",
    "leaf_hash",
)


@dataclass(frozen=True)
class AuditFilter:
    """What oversight looks for in the log. Empty fields match everything.

    ``actor`` and ``object_type``/``object_id`` are exact; ``action`` is exact, or every action
    of a kind when it ends with a dot (``person.``); ``since``/``until`` are ISO timestamps
    (UTC), ``until`` exclusive; ``text`` is found anywhere in the details (the query a search
    was made with, a reason, a refusal) or the object's id, in any case.
    """

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""
    since: str = ""
    until: str = ""
    text: str = ""

    def as_details(self) -> dict[str, str]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v}

    def conditions(self) -> list[ColumnElement[bool]]:
        c = audit_entries.c
        found: list[ColumnElement[bool]] = []
        if self.actor:
            found.append(c.actor == self.actor)
        if self.action.endswith("."):
            found.append(c.action.startswith(self.action, autoescape=True))
        elif self.action:
            found.append(c.action == self.action)
        if self.object_type:
            found.append(c.object_type == self.object_type)
        if self.object_id:
            found.append(c.object_id == self.object_id)
        if self.outcome:
            found.append(c.outcome == self.outcome)
        if self.since:
            found.append(c.ts >= self.since)
        if self.until:
            found.append(c.ts < self.until)
        if self.text:
            lowered = self.text.lower()
            # Details are JSON with non-ASCII characters escaped (\u00ed): look for both forms.
            escaped = json.dumps(lowered)[1:-1]
            details = func.lower(c.details)
            found.append(
                or_(
                    details.contains(lowered, autoescape=True),
                    details.contains(escaped, autoescape=True),
                    func.lower(c.object_id).contains(lowered, autoescape=True),
                )
            )
        return found


@dataclass(frozen=True)
class AuditPage:
    """Entries matching a filter, newest first: ``total`` of them in all, ``older`` the
    ``before`` of the next page (None on the last)."""

    rows: list[dict[str, Any]]
    total: int
    older: int | None


def entries(
    svc: Services,
    actor: Actor,
    *,
    limit: int = 50,
    before: int | None = None,
    where: AuditFilter | None = None,
) -> list[dict[str, Any]]:
    """The newest audit entries matching ``where`` (oversight)."""
    return search(svc, actor, where or AuditFilter(), limit=limit, before=before).rows


def search(
    svc: Services, actor: Actor, where: AuditFilter, *, limit: int = 50, before: int | None = None
) -> AuditPage:
    """Entries matching ``where``, newest first, and how many match in all. The search is
    itself audited, with its filter (oversight of oversight)."""
    with svc.operation(actor, "read", LOG, audit_action="audit.read") as op:
        conditions = where.conditions()
        query = select(audit_entries).order_by(audit_entries.c.seq.desc()).limit(limit + 1)
        if before is not None:
            query = query.where(audit_entries.c.seq < before)
        rows = [dict(r._mapping) for r in op.session.execute(query.where(*conditions))]
        total = op.session.execute(
            select(func.count()).select_from(audit_entries).where(*conditions)
        ).scalar_one()
        op.details.update(count=min(len(rows), limit), total=total, **where.as_details())
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        row["leaf_hash"] = bytes(row["leaf_hash"]).hex()
        row["details"] = json.loads(row["details"])
    return AuditPage(rows, total, rows[-1]["seq"] if more and rows else None)


def export(svc: Services, actor: Actor, where: AuditFilter, fmt: str) -> Iterator[str]:
    """Every entry matching ``where``, oldest first, as CSV or JSON Lines, streamed.

    The export is audited before the first line is written (``audit.export``, with the
    filter, the format and the last entry it covers): entries appended while it streams are not
    in it. Each line carries the entry as the ledger holds it, leaf hash included, so a reader
    can check it against an inclusion proof."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}")
    with svc.operation(actor, "export", LOG, audit_action="audit.export") as op:
        last = op.session.execute(select(func.max(audit_entries.c.seq))).scalar_one() or 0
        op.details.update(format=fmt, up_to=last, **where.as_details())
    return _lines(svc, where, fmt, last)


def _lines(svc: Services, where: AuditFilter, fmt: str, last: int) -> Iterator[str]:
    query = (
        select(audit_entries)
        .where(audit_entries.c.seq <= last, *where.conditions())
        .order_by(audit_entries.c.seq)
        .execution_options(yield_per=1000)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if fmt == "csv":
        writer.writerow(EXPORT_COLUMNS)
    with svc.store.engine.connect() as connection:
        for row in connection.execute(query):
            values = dict(row._mapping)
            values["leaf_hash"] = bytes(values["leaf_hash"]).hex()
            if fmt == "csv":
                writer.writerow([values[c] for c in EXPORT_COLUMNS])
            else:
                values["details"] = json.loads(values["details"])
                buffer.write(json.dumps(values, ensure_ascii=False, sort_keys=True) + "\n")
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()
