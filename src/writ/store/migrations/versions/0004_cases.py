"""cases tables: cases, subjects on cases, links, leads, tasks, notifications, notes, evidence,
chain of custody, timeline events

Revision ID: 0004_cases
Revises: 0001_core
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_cases"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = ("cases",)
depends_on: str | Sequence[str] | None = None

# Full text over notes. SQLite: an FTS5 table kept in step by triggers (notes are never updated).
SQLITE_NOTES_FTS = [
    "CREATE VIRTUAL TABLE notes_fts USING fts5("
    "body, content='notes', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER notes_fts_ai AFTER INSERT ON notes BEGIN "
    "INSERT INTO notes_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER notes_fts_ad AFTER DELETE ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
]
# PostgreSQL: a GIN index over the accent-folded text. unaccent() is only STABLE, so an index
# needs an IMMUTABLE wrapper that names its dictionary.
POSTGRES_NOTES_FTS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION writ_unaccent(text) RETURNS text AS "
    "$$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$ "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT",
    "CREATE INDEX ix_notes_body_fts ON notes USING gin "
    "(to_tsvector('simple', writ_unaccent(body)))",
]


def upgrade() -> None:
    op.create_table(
        "case_assignees",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("assigned_by", sa.String(length=128), nullable=False),
        sa.Column("assigned_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "username", name=op.f("pk_case_assignees")),
    )
    op.create_index("ix_case_assignees_user", "case_assignees", ["username"], unique=False)
    op.create_table(
        "case_links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("other_case_id", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("linked_by", sa.String(length=128), nullable=False),
        sa.Column("linked_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
    )
    op.create_index("ix_case_links_case", "case_links", ["case_id"], unique=False)
    op.create_index("ix_case_links_other", "case_links", ["other_case_id"], unique=False)
    op.create_table(
        "case_subjects",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_by", sa.String(length=128), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "entity_id", name=op.f("pk_case_subjects")),
    )
    op.create_index("ix_case_subjects_entity", "case_subjects", ["entity_id"], unique=False)
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("compartments", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.String(length=32), nullable=False),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("closed_at", sa.String(length=32), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
    )
    op.create_index("ix_cases_unit_status", "cases", ["unit", "status"], unique=False)
    op.create_table(
        "custody_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("evidence_id", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("from_party", sa.String(length=128), nullable=True),
        sa.Column("to_party", sa.String(length=128), nullable=True),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("sha256_observed", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
    )
    op.create_index(
        "ix_custody_events_evidence", "custody_events", ["evidence_id", "id"], unique=False
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("custodian", sa.String(length=128), nullable=False),
        sa.Column("retain_until", sa.String(length=10), nullable=False),
        sa.Column("collected_at", sa.String(length=32), nullable=False),
        sa.Column("disposed_at", sa.String(length=32), nullable=True),
        sa.Column("disposal_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index("ix_evidence_case", "evidence", ["case_id"], unique=False)
    op.create_table(
        "leads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("assignee", sa.String(length=128), nullable=True),
        sa.Column("received_at", sa.String(length=32), nullable=False),
        sa.Column("received_by", sa.String(length=128), nullable=False),
        sa.Column("triaged_at", sa.String(length=32), nullable=True),
        sa.Column("triaged_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
    )
    op.create_index("ix_leads_unit_status", "leads", ["unit", "status"], unique=False)
    op.create_table(
        "notes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("entity_id", sa.String(length=128), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index("ix_notes_case", "notes", ["case_id"], unique=False)
    op.create_index("ix_notes_entity", "notes", ["entity_id"], unique=False)
    op.create_table(
        "notifications",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("object_kind", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("read_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_recipient", "notifications", ["recipient", "read_at"], unique=False
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("assignee", sa.String(length=128), nullable=True),
        sa.Column("due", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("due_notified", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    op.create_index("ix_tasks_assignee_status", "tasks", ["assignee", "status"], unique=False)
    op.create_index("ix_tasks_case", "tasks", ["case_id"], unique=False)
    op.create_table(
        "timeline_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("entity_id", sa.String(length=128), nullable=True),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("ref", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_events")),
    )
    op.create_index("ix_timeline_case", "timeline_events", ["case_id", "occurred_at"], unique=False)
    op.create_index(
        "ix_timeline_entity", "timeline_events", ["entity_id", "occurred_at"], unique=False
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_NOTES_FTS if dialect == "sqlite" else POSTGRES_NOTES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in ("DROP TRIGGER notes_fts_ad", "DROP TRIGGER notes_fts_ai"):
            op.execute(statement)
        op.execute("DROP TABLE notes_fts")
    else:
        op.execute("DROP INDEX ix_notes_body_fts")
        op.execute("DROP FUNCTION writ_unaccent(text)")
    op.drop_index("ix_timeline_entity", table_name="timeline_events")
    op.drop_index("ix_timeline_case", table_name="timeline_events")
    op.drop_table("timeline_events")
    op.drop_index("ix_tasks_case", table_name="tasks")
    op.drop_index("ix_tasks_assignee_status", table_name="tasks")
    op.drop_table("tasks")
    op.drop_index("ix_notifications_recipient", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_notes_entity", table_name="notes")
    op.drop_index("ix_notes_case", table_name="notes")
    op.drop_table("notes")
    op.drop_index("ix_leads_unit_status", table_name="leads")
    op.drop_table("leads")
    op.drop_index("ix_evidence_case", table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_custody_events_evidence", table_name="custody_events")
    op.drop_table("custody_events")
    op.drop_index("ix_cases_unit_status", table_name="cases")
    op.drop_table("cases")
    op.drop_index("ix_case_subjects_entity", table_name="case_subjects")
    op.drop_table("case_subjects")
    op.drop_index("ix_case_links_other", table_name="case_links")
    op.drop_index("ix_case_links_case", table_name="case_links")
    op.drop_table("case_links")
    op.drop_index("ix_case_assignees_user", table_name="case_assignees")
    op.drop_table("case_assignees")
