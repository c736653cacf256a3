"""The audit ledger: append entries inside the caller's transaction, sign tree heads, verify.

Every entry is a leaf of an RFC 9162 Merkle tree (``merkle.py``). Appends are serialised for the
rest of their transaction, so the sequence stays gapless, and the ledger signs a tree head
(``keys.py``) when an operation commits and the last head is older than ``head_interval`` seconds
or ``head_every`` entries behind. Each head keeps the Merkle frontier at its size, so the next
head extends it without rereading the log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from writ.audit import keys, merkle
from writ.store.tables.core import audit_entries, tree_heads

ENTRY_FIELDS = (
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
)


def utcnow() -> str:
    """UTC now, to the microsecond, as the ledger writes it (``2024-05-01T09:30:00.000000Z``)."""
    return keys.utc_timestamp()


@dataclass(frozen=True)
class Entry:
    """What one audit entry says: who did what to which object, when, why, and how it ended."""

    actor: str
    roles: str
    unit: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    origin: str
    outcome: str
    policy: str
    details: dict[str, Any] = field(default_factory=dict)


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes a leaf hashes: the entry's fields as canonical JSON."""
    return json.dumps(
        {name: row[name] for name in ENTRY_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


class Ledger:
    """Appends to and reads from the audit tables; signs heads with the ledger key."""

    def __init__(
        self,
        signing_key: Ed25519PrivateKey,
        head_interval: float = 1.0,
        head_every: int = 1024,
    ) -> None:
        self._key = signing_key
        self.public_key = signing_key.public_key()
        self.head_interval = head_interval
        self.head_every = head_every

    # -- writing ---------------------------------------------------------------------------

    def append(self, session: Session, entry: Entry) -> int:
        """Append ``entry`` in the session's transaction; return its sequence number."""
        seq = _lock_and_size(session) + 1
        row: dict[str, Any] = {
            "seq": seq,
            "ts": utcnow(),
            "actor": entry.actor,
            "roles": entry.roles,
            "unit": entry.unit,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "purpose": entry.purpose,
            "origin": entry.origin,
            "outcome": entry.outcome,
            "policy": entry.policy,
            "details": json.dumps(entry.details, sort_keys=True, default=str),
        }
        session.execute(_INSERT_ENTRY, {**row, "leaf_hash": merkle.leaf_hash(canonical(row))})
        session.info[_SIZE_KEY] = (session.get_transaction(), seq)
        return seq

    def seal(self, session: Session, force: bool = False) -> keys.TreeHead | None:
        """Sign a tree head for the current size if one is due (or ``force``).

        A head is due when the last one is ``head_interval`` seconds old or ``head_every`` entries
        behind. Its frontier is the last head's, extended by the leaves appended since.
        """
        size = _lock_and_size(session)
        last = session.execute(_LAST_HEAD).first()
        last_size = last.tree_size if last is not None else 0
        if last is not None and size == last_size:
            return _head_from_row(last._mapping) if force else None
        if size < last_size:
            # The log is shorter than a head already signed: it was truncated. Never sign over
            # that; `verify` names the missing entry.
            return None
        now = utcnow()
        if not force and last is not None:
            age = (datetime.fromisoformat(now) - datetime.fromisoformat(last.ts)).total_seconds()
            if age < self.head_interval and size - last_size < self.head_every:
                return None
        frontier = merkle.Frontier.from_json(last.frontier) if last else merkle.Frontier()
        new_leaves = session.execute(
            select(audit_entries.c.leaf_hash)
            .where(audit_entries.c.seq > last_size)
            .order_by(audit_entries.c.seq)
        ).scalars()
        for leaf in new_leaves:
            frontier.append(bytes(leaf))
        head = keys.sign_tree_head(self._key, frontier.size, frontier.root(), now)
        session.execute(
            _INSERT_HEAD,
            {
                "tree_size": head.tree_size,
                "root_hash": head.root_hash,
                "ts": head.timestamp,
                "signature": head.signature,
                "key_fingerprint": head.key_fingerprint,
                "frontier": frontier.to_json(),
            },
        )
        return head


# An arbitrary constant naming writ's ledger lock among PostgreSQL's advisory locks.
_LEDGER_LOCK = 0x77726974
# Statements built once: every service call runs them.
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(_LEDGER_LOCK))
_SIZE = select(func.coalesce(func.max(audit_entries.c.seq), 0))
_LAST_HEAD = select(tree_heads).order_by(tree_heads.c.tree_size.desc()).limit(1)
_INSERT_ENTRY = insert(audit_entries)
_INSERT_HEAD = insert(tree_heads)
# session.info key: (the transaction that holds the lock, the ledger's size in it).
_SIZE_KEY = "writ.ledger.size"


def _lock_and_size(session: Session) -> int:
    """Serialise appends for the rest of the transaction; return the ledger's size.

    SQLite transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL takes a
    transaction-scoped advisory lock, which writes nothing. Holding it to commit keeps the
    sequence gapless: a rolled-back append leaves no hole.
    """
    known = session.info.get(_SIZE_KEY)
    if known is not None and known[0] is session.get_transaction():
        return int(known[1])  # this transaction already holds the lock and appended
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_ADVISORY_LOCK)
    size = int(session.execute(_SIZE).scalar_one())
    session.info[_SIZE_KEY] = (session.get_transaction(), size)
    return size


def _head_from_row(row: Any) -> keys.TreeHead:
    return keys.TreeHead(
        tree_size=row["tree_size"],
        root_hash=bytes(row["root_hash"]),
        timestamp=row["ts"],
        signature=bytes(row["signature"]),
        key_fingerprint=row["key_fingerprint"],
    )


# -- reading, verifying, proving ---------------------------------------------------------------


@dataclass
class Verification:
    """The outcome of ``verify``: ``ok``, how much was checked, and the first problem found."""

    ok: bool
    entries: int
    heads: int
    problem: str = ""
    first_bad_entry: int | None = None


def _entry_rows(connection: Connection, batch: int = 5000) -> Iterator[Any]:
    result = connection.execution_options(yield_per=batch).execute(
        select(audit_entries).order_by(audit_entries.c.seq)
    )
    for row in result:
        yield row._mapping


def verify(connection: Connection, public_key: Ed25519PublicKey) -> Verification:
    """Recompute every leaf and every signed tree head; stop at the first thing that is wrong."""
    heads = {
        row.tree_size: _head_from_row(row._mapping)
        for row in connection.execute(select(tree_heads).order_by(tree_heads.c.tree_size))
    }
    frontier = merkle.Frontier()
    checked_heads = 0
    last_good_head = 0
    for row in _entry_rows(connection):
        expected = frontier.size + 1
        if row["seq"] != expected:
            return Verification(
                False,
                frontier.size,
                checked_heads,
                f"entry {expected} is missing (the next entry found is {row['seq']})",
                expected,
            )
        leaf = merkle.leaf_hash(canonical(row))
        if leaf != bytes(row["leaf_hash"]):
            return Verification(
                False,
                frontier.size,
                checked_heads,
                f"entry {expected} was altered: its content does not match its recorded hash",
                expected,
            )
        frontier.append(leaf)
        head = heads.get(frontier.size)
        if head is not None:
            if not keys.verify_tree_head(public_key, head):
                return Verification(
                    False,
                    frontier.size,
                    checked_heads,
                    f"the signed tree head at size {head.tree_size} has a bad signature",
                    head.tree_size,
                )
            if head.root_hash != frontier.root():
                first = last_good_head + 1
                return Verification(
                    False,
                    frontier.size,
                    checked_heads,
                    f"entry {first} was altered: entries {first}..{head.tree_size} do not match "
                    f"the signed tree head at size {head.tree_size}",
                    first,
                )
            checked_heads += 1
            last_good_head = head.tree_size
    beyond = [size for size in heads if size > frontier.size]
    if beyond:
        missing = frontier.size + 1
        return Verification(
            False,
            frontier.size,
            checked_heads,
            f"entry {missing} is missing: the log ends at {frontier.size} but a signed tree head "
            f"covers {max(beyond)} entries",
            missing,
        )
    return Verification(True, frontier.size, checked_heads)


def leaf_hashes(connection: Connection, size: int | None = None) -> list[bytes]:
    query = select(audit_entries.c.leaf_hash).order_by(audit_entries.c.seq)
    if size is not None:
        query = query.where(audit_entries.c.seq <= size)
    return [bytes(h) for h in connection.execute(query).scalars()]


def latest_head(connection: Connection) -> keys.TreeHead | None:
    row = connection.execute(
        select(tree_heads).order_by(tree_heads.c.tree_size.desc()).limit(1)
    ).first()
    return _head_from_row(row._mapping) if row else None


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    leaf_index: int
    leaf_hash: bytes
    entry: dict[str, Any]
    head: keys.TreeHead
    proof: list[bytes]

    def verifies(self) -> bool:
        return merkle.verify_inclusion(
            self.leaf_index, self.head.tree_size, self.leaf_hash, self.proof, self.head.root_hash
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "leaf_index": self.leaf_index,
            "leaf_hash": self.leaf_hash.hex(),
            "entry": self.entry,
            "tree_head": json.loads(self.head.to_json()),
            "proof": [p.hex() for p in self.proof],
        }


def prove(connection: Connection, seq: int) -> InclusionProof:
    """An inclusion proof for entry ``seq`` against the latest signed tree head covering it."""
    head = latest_head(connection)
    if head is None or head.tree_size < seq:
        raise LookupError(f"entry {seq} is not yet covered by a signed tree head; checkpoint first")
    row = connection.execute(select(audit_entries).where(audit_entries.c.seq == seq)).first()
    if row is None:
        raise LookupError(f"no audit entry {seq}")
    hashes = leaf_hashes(connection, head.tree_size)
    entry = {name: row._mapping[name] for name in ENTRY_FIELDS}
    return InclusionProof(
        seq,
        seq - 1,
        bytes(row._mapping["leaf_hash"]),
        entry,
        head,
        merkle.inclusion_proof(seq - 1, hashes),
    )


def consistency(connection: Connection, old: keys.TreeHead) -> tuple[keys.TreeHead, list[bytes]]:
    """A proof that the log at the latest head only grew from the saved head ``old``."""
    head = latest_head(connection)
    if head is None or head.tree_size < old.tree_size:
        raise LookupError(
            f"the log has no signed tree head at or beyond size {old.tree_size}: it was truncated"
        )
    hashes = leaf_hashes(connection, head.tree_size)
    return head, merkle.consistency_proof(old.tree_size, hashes)


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(audit_entries)).scalar_one())
