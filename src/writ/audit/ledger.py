"""The audit ledger: append entries inside the caller's transaction, sign tree heads, verify.

Every entry is a leaf of an RFC 9162 Merkle tree (``merkle.py``). The ledger keeps its size and
compact frontier in one row (``ledger_state``), locked for each append so the sequence stays
gapless,
and signs a tree head (``keys.py``) when an operation commits and the last head is older than
``head_interval`` seconds or ``head_every`` entries behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.orm import Session

from writ.audit import keys, merkle
from writ.store.tables.core import audit_entries, ledger_state, tree_heads

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
        state = self._lock_state(session)
        seq = state["size"] + 1
        row = {
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
        leaf = merkle.leaf_hash(canonical(row))
        frontier = merkle.Frontier.from_json(state["frontier"])
        frontier.append(leaf)
        session.execute(insert(audit_entries).values(**row, leaf_hash=leaf))
        session.execute(
            update(ledger_state)
            .where(ledger_state.c.id == 1)
            .values(size=seq, frontier=frontier.to_json())
        )
        return seq

    def seal(self, session: Session, force: bool = False) -> keys.TreeHead | None:
        """Sign a tree head for the current size if one is due (or ``force``)."""
        state = self._lock_state(session)
        if state["size"] == state["head_size"] and not force:
            return None
        now = utcnow()
        age = (
            datetime.fromisoformat(now) - datetime.fromisoformat(state["head_ts"])
        ).total_seconds()
        behind = state["size"] - state["head_size"]
        if not force and age < self.head_interval and behind < self.head_every:
            return None
        if state["size"] == state["head_size"]:
            existing = session.execute(
                select(tree_heads).where(tree_heads.c.tree_size == state["size"])
            ).first()
            if existing is not None:
                return _head_from_row(existing._mapping)
        frontier = merkle.Frontier.from_json(state["frontier"])
        head = keys.sign_tree_head(self._key, state["size"], frontier.root(), now)
        session.execute(
            insert(tree_heads).values(
                tree_size=head.tree_size,
                root_hash=head.root_hash,
                ts=head.timestamp,
                signature=head.signature,
                key_fingerprint=head.key_fingerprint,
            )
        )
        session.execute(
            update(ledger_state)
            .where(ledger_state.c.id == 1)
            .values(head_size=head.tree_size, head_ts=head.timestamp)
        )
        return head

    def _lock_state(self, session: Session) -> dict[str, Any]:
        query = select(ledger_state).where(ledger_state.c.id == 1).with_for_update()
        found = session.execute(query).first()
        if found is None:
            session.execute(
                insert(ledger_state).values(
                    id=1,
                    size=0,
                    frontier=merkle.Frontier().to_json(),
                    head_size=0,
                    head_ts="1970-01-01T00:00:00.000000Z",
                )
            )
            found = session.execute(query).one()
        return dict(found._mapping)


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
    state = connection.execute(select(ledger_state.c.size)).scalar()
    if state is not None and state != frontier.size:
        missing = min(state, frontier.size) + 1
        return Verification(
            False,
            frontier.size,
            checked_heads,
            f"entry {missing} is missing: the ledger recorded {state} entries, "
            f"{frontier.size} remain",
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
