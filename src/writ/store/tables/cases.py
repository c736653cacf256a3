"""Investigations workspace: cases, subjects on cases, links, leads, tasks, notifications, notes,
evidence with its chain of custody, and the timeline others feed."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from writ.store.tables.base import metadata

_Id = BigInteger().with_variant(Integer, "sqlite")

# A case: an investigation or an immigration case, owned by a unit, with its markings.
cases = Table(
    "cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("type", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("unit", String(128), nullable=False),
    Column("owner", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("compartments", JSON, nullable=False),
    Column("sealed", Boolean, nullable=False, default=False),
    Column("opened_at", String(32), nullable=False),
    Column("opened_by", String(128), nullable=False),
    Column("closed_at", String(32)),
    Column("close_reason", Text),
    Index("ix_cases_unit_status", "unit", "status"),
)

case_assignees = Table(
    "case_assignees",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("username", String(128), primary_key=True),
    Column("assigned_by", String(128), nullable=False),
    Column("assigned_at", String(32), nullable=False),
    Index("ix_case_assignees_user", "username"),
)

# A subject (an entity id of the statements) on a case, in a role.
case_subjects = Table(
    "case_subjects",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("entity_id", String(128), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("added_by", String(128), nullable=False),
    Column("added_at", String(32), nullable=False),
    Index("ix_case_subjects_entity", "entity_id"),
)

case_links = Table(
    "case_links",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False),
    Column("other_case_id", String(32), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("linked_by", String(128), nullable=False),
    Column("linked_at", String(32), nullable=False),
    Index("ix_case_links_case", "case_id"),
    Index("ix_case_links_other", "other_case_id"),
)

# Leads and tips: taken in, triaged, then converted to a case or closed with a reason.
leads = Table(
    "leads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("unit", String(128), nullable=False),
    Column("summary", Text, nullable=False),
    Column("source", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("priority", String(16)),
    Column("assignee", String(128)),
    Column("received_at", String(32), nullable=False),
    Column("received_by", String(128), nullable=False),
    Column("triaged_at", String(32)),
    Column("triaged_by", String(128)),
    Column("decided_at", String(32)),
    Column("decided_by", String(128)),
    Column("close_reason", Text),
    Column("case_id", String(32)),
    Index("ix_leads_unit_status", "unit", "status"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("assignee", String(128)),
    Column("due", String(10)),
    Column("status", String(16), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("due_notified", Boolean, nullable=False, default=False),
    Index("ix_tasks_assignee_status", "assignee", "status"),
    Index("ix_tasks_case", "case_id"),
)

# In-app notifications, one row per recipient.
notifications = Table(
    "notifications",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("recipient", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("object_kind", String(32), nullable=False),
    Column("object_id", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("read_at", String(32)),
    Index("ix_notifications_recipient", "recipient", "read_at"),
)

# A note on a case or on a subject (exactly one of case_id, entity_id).
notes = Table(
    "notes",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("case_id", String(32)),
    Column("entity_id", String(128)),
    Column("body", Text, nullable=False),
    Column("author", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_notes_case", "case_id"),
    Index("ix_notes_entity", "entity_id"),
)

# An item of evidence: the content lives in the evidence store under its SHA-256.
evidence = Table(
    "evidence",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("filename", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("custodian", String(128), nullable=False),
    Column("retain_until", String(10), nullable=False),
    Column("collected_at", String(32), nullable=False),
    Column("disposed_at", String(32)),
    Column("disposal_reason", Text),
    Index("ix_evidence_case", "case_id"),
)

# Chain of custody: every event on an item, in order. Never updated, never deleted.
custody_events = Table(
    "custody_events",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("evidence_id", String(32), nullable=False),
    Column("event", String(24), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("from_party", String(128)),
    Column("to_party", String(128)),
    Column("at", String(32), nullable=False),
    Column("sha256_observed", String(64)),
    Column("note", Text, nullable=False),
    Index("ix_custody_events_evidence", "evidence_id", "id"),
)

# The timeline hook: any concern inserts events here, about a case, a subject, or both
# (``writ.cases.timeline.record_event``). Case actions of this package land here too.
timeline_events = Table(
    "timeline_events",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("case_id", String(32)),
    Column("entity_id", String(128)),
    Column("occurred_at", String(32), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("summary", Text, nullable=False),
    Column("source", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("ref", String(256), nullable=False),
    Index("ix_timeline_case", "case_id", "occurred_at"),
    Index("ix_timeline_entity", "entity_id", "occurred_at"),
)
