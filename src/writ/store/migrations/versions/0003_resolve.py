"""resolve tables: linkage models, resolved records, look-up keys, subjects, matches, judgements,
events

Revision ID: 0003_resolve
Revises: 0001_core
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_resolve"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = ("resolve",)
depends_on: str | Sequence[str] | None = None

TABLES = (
    "resolve_events",
    "resolve_judgements",
    "resolve_matches",
    "resolve_subjects",
    "resolve_keys",
    "resolve_records",
    "resolve_models",
)


def _counter() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "resolve_models",
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("artefact", sa.Text(), nullable=False),
        sa.Column("trained_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_resolve_models")),
    )
    op.create_table(
        "resolve_records",
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("record_id", sa.String(length=256), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("features_sha", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("assigned_at", sa.String(length=32), nullable=False),
        sa.Column("assigned_by", sa.String(length=128), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_resolve_records")),
    )
    with op.batch_alter_table("resolve_records") as batch_op:
        batch_op.create_index("ix_resolve_records_source", ["source", "record_id"], unique=False)
        batch_op.create_index("ix_resolve_records_subject", ["subject_id"], unique=False)
    op.create_table(
        "resolve_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("key", "entity_id", name=op.f("pk_resolve_keys")),
    )
    with op.batch_alter_table("resolve_keys") as batch_op:
        batch_op.create_index("ix_resolve_keys_entity", ["entity_id"], unique=False)
    op.create_table(
        "resolve_subjects",
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_resolve_subjects")),
    )
    op.create_table(
        "resolve_matches",
        sa.Column("id", _counter(), nullable=False, autoincrement=True),
        sa.Column("left_id", sa.String(length=128), nullable=False),
        sa.Column("right_id", sa.String(length=128), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("superseded_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolve_matches")),
    )
    with op.batch_alter_table("resolve_matches") as batch_op:
        batch_op.create_index("ix_resolve_matches_open", ["outcome", "superseded_at"], unique=False)
        batch_op.create_index("ix_resolve_matches_pair", ["left_id", "right_id"], unique=False)
        batch_op.create_index("ix_resolve_matches_right", ["right_id"], unique=False)
    op.create_table(
        "resolve_judgements",
        sa.Column("id", _counter(), nullable=False, autoincrement=True),
        sa.Column("left_id", sa.String(length=128), nullable=False),
        sa.Column("right_id", sa.String(length=128), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("match_id", _counter(), nullable=True),
        sa.Column("machine_said", sa.JSON(), nullable=True),
        sa.Column("event_id", _counter(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolve_judgements")),
    )
    with op.batch_alter_table("resolve_judgements") as batch_op:
        batch_op.create_index("ix_resolve_judgements_pair", ["left_id", "right_id"], unique=False)
    op.create_table(
        "resolve_events",
        sa.Column("id", _counter(), nullable=False, autoincrement=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("judgements", sa.JSON(), nullable=False),
        sa.Column("undoes", _counter(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolve_events")),
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
