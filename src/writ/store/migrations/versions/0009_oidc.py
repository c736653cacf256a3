"""oidc tables: provider subjects linked to users, pending sign-ins; sessions' auth_time

Revision ID: 0009_oidc
Revises: 0007_web
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_oidc"
down_revision: str | Sequence[str] | None = "0007_web"
branch_labels: str | Sequence[str] | None = ("oidc",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oidc_identities",
        sa.Column("issuer", sa.String(length=512), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_sign_in_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["users.username"]),
        sa.PrimaryKeyConstraint("issuer", "subject"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "oidc_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("browser", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("next_page", sa.Text(), nullable=False),
        sa.Column("acr_values", sa.String(length=255), nullable=False),
        sa.Column("step_up_user", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_oidc_requests_created", "oidc_requests", ["created_at"])
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("auth_time", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("auth_time")
    op.drop_index("ix_oidc_requests_created", table_name="oidc_requests")
    op.drop_table("oidc_requests")
    op.drop_table("oidc_identities")
