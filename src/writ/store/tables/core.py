"""Core tables: users, statements, markings and the audit ledger."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from writ.model.statement import LOOKUP_PROPS
from writ.store.tables.base import metadata

users = Table(
    "users",
    metadata,
    Column("username", String(128), primary_key=True),
    Column("display_name", String(256), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("unit", String(128), nullable=False),
    Column("compartments", JSON, nullable=False),
    Column("password_hash", String(256)),
    Column("totp_secret", String(64)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(32), nullable=False),
)

# One row per value of an entity, from one source record: followthemoney's statement model.
# The key leads with the record, so a record's statements sit together in it and an ingest adds
# to it in record order, not at a random place per value (the id is a hash). On PostgreSQL only
# the properties looked up by value are in the (prop, value) index (see LOOKUP_PROPS); SQLite
# keeps it whole, as it uses a partial index only where a query repeats its condition verbatim.
_LOOKUP = text("prop IN (" + ", ".join(f"'{prop}'" for prop in LOOKUP_PROPS) + ")")
statements = Table(
    "statements",
    metadata,
    Column("id", String(40), nullable=False),
    Column("source", String(128), nullable=False),
    Column("record_id", String(256), nullable=False),
    Column("entity_id", String(128), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("original_value", Text),
    Column("validation_error", Text),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    Column("superseded_at", String(32)),
    PrimaryKeyConstraint("source", "record_id", "id", name="pk_statements"),
    Index("ix_statements_entity", "entity_id"),
    Index("ix_statements_lookup", "prop", "value", postgresql_where=_LOOKUP),
)

# Markings on anything a policy protects: owning unit, compartments (need-to-know), sealed.
markings = Table(
    "markings",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("object_id", String(128), primary_key=True),
    Column("unit", String(128), nullable=False, default=""),
    Column("compartments", JSON, nullable=False),
    Column("sealed", Boolean, nullable=False, default=False),
    Column("set_by", String(128), nullable=False),
    Column("set_at", String(32), nullable=False),
)

# The audit ledger. Each entry is a leaf of an RFC 9162 Merkle tree; seq is the leaf index + 1.
audit_entries = Table(
    "audit_entries",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("ts", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("roles", String(256), nullable=False),
    Column("unit", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(256), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("origin", String(128), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("policy", String(256), nullable=False),
    Column("details", Text, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Index("ix_audit_actor", "actor"),
    Index("ix_audit_object", "object_type", "object_id"),
)

# Signed tree heads, one row per head, each with the Merkle frontier at its size so the next head
# extends it without rereading the log.
tree_heads = Table(
    "tree_heads",
    metadata,
    Column(
        "tree_size",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("ts", String(32), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    Column("key_fingerprint", String(64), nullable=False),
    Column("frontier", Text, nullable=False),
)
