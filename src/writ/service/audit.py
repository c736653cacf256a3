"""Services over the audit ledger: verify, checkpoint, prove inclusion and consistency."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

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


def entries(
    svc: Services, actor: Actor, *, limit: int = 50, before: int | None = None
) -> list[dict[str, Any]]:
    """The newest audit entries (oversight)."""
    with svc.operation(actor, "read", LOG, audit_action="audit.read") as op:
        query = select(audit_entries).order_by(audit_entries.c.seq.desc()).limit(limit)
        if before is not None:
            query = query.where(audit_entries.c.seq < before)
        rows = [dict(r._mapping) for r in op.session.execute(query)]
        op.details["count"] = len(rows)
    for row in rows:
        row["leaf_hash"] = bytes(row["leaf_hash"]).hex()
        row["details"] = json.loads(row["details"])
    return rows
