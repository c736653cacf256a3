"""lifecycle: photos of record (content-addressed, with source and legal basis)

Revision ID: 0009_lifecycle_photos
Revises: 0008_lifecycle
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_lifecycle_photos"
down_revision: str | Sequence[str] | None = "0008_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "photos_of_record",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.String(length=32), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.Column("superseded_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_photos_of_record_case_id_immigration_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos_of_record")),
    )
    op.create_index("ix_photos_of_record_case", "photos_of_record", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_photos_of_record_case", table_name="photos_of_record")
    op.drop_table("photos_of_record")
