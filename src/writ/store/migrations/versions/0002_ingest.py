"""ingest tables: sources registry, ingest runs, source records, quarantine

Revision ID: 0002_ingest
Revises: 0001_core
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ingest"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = ("ingest",)
depends_on: str | Sequence[str] | None = None


def _counter() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("authority", sa.Text(), nullable=False),
        sa.Column("data_category", sa.String(length=128), nullable=False),
        sa.Column("retention", sa.String(length=32), nullable=False),
        sa.Column("mapping_path", sa.Text(), nullable=False),
        sa.Column("mapping_sha256", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.String(length=32), nullable=False),
        sa.Column("last_ingest_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sources")),
    )
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("mapping_sha256", sa.String(length=64), nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("position", _counter(), nullable=False),
        sa.Column("last_line", _counter(), nullable=False),
        sa.Column("rows_read", _counter(), nullable=False),
        sa.Column("rows_new", _counter(), nullable=False),
        sa.Column("rows_changed", _counter(), nullable=False),
        sa.Column("rows_unchanged", _counter(), nullable=False),
        sa.Column("rows_quarantined", _counter(), nullable=False),
        sa.Column("statements_added", _counter(), nullable=False),
        sa.Column("statements_superseded", _counter(), nullable=False),
        sa.Column("started_by", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_runs")),
    )
    with op.batch_alter_table("ingest_runs", schema=None) as batch_op:
        batch_op.create_index("ix_ingest_runs_source", ["source", "status"], unique=False)

    op.create_table(
        "source_records",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=256), nullable=False),
        sa.Column("row_sha256", sa.String(length=64), nullable=False),
        sa.Column("mapping_sha256", sa.String(length=64), nullable=False),
        sa.Column("line", _counter(), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("first_seen", sa.String(length=32), nullable=False),
        sa.Column("last_seen", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("source", "record_id", name=op.f("pk_source_records")),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", _counter(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("line", _counter(), nullable=False),
        sa.Column("field", sa.String(length=256), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("row", sa.Text(), nullable=True),
        sa.Column("row_sha256", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen", sa.String(length=32), nullable=False),
        sa.Column("resolved_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index("ix_quarantine_source", ["source", "status"], unique=False)
        batch_op.create_index("ix_quarantine_content", ["source", "row_sha256"], unique=False)
        batch_op.create_index("ix_quarantine_record", ["source", "record_id"], unique=False)
        batch_op.create_index("ix_quarantine_run", ["run_id", "line"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantine_run")
        batch_op.drop_index("ix_quarantine_record")
        batch_op.drop_index("ix_quarantine_content")
        batch_op.drop_index("ix_quarantine_source")
    op.drop_table("quarantine")
    op.drop_table("source_records")
    with op.batch_alter_table("ingest_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_ingest_runs_source")
    op.drop_table("ingest_runs")
    op.drop_table("sources")
