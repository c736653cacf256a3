"""sign-in attempts counted before the password is checked; one-time codes used once

Revision ID: 0013_web_sign_in
Revises: 0012_web_flash
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_web_sign_in"
down_revision: str | Sequence[str] | None = "0012_web_flash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_guards",
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("last_totp_step", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_attempts_user", "sign_in_attempts", ["username", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_attempts_user", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_table("sign_in_guards")
