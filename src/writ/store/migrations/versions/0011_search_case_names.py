"""search: the person named on each immigration case, so one search also finds people who exist
only on a case

Existing cases are indexed here; later ones when they are opened (and by ``writ search reindex``).

Revision ID: 0011_search_case_names
Revises: 0006_search
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from writ.search.names import retrieval_key

revision: str = "0011_search_case_names"
down_revision: str | Sequence[str] | None = "0006_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("0008_lifecycle",)


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "search_case_names",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_id", _id(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_case_names")),
    )
    op.create_index("ix_search_case_names_case", "search_case_names", ["case_id"])
    op.create_index("ix_search_case_names_key", "search_case_names", ["key_id"])
    bind = op.get_bind()
    cases = bind.execute(sa.text("SELECT id, subject_name FROM immigration_cases")).all()
    for case_id, name in cases:
        key = retrieval_key(name)
        if not key:
            continue
        key_id = bind.execute(
            sa.text("SELECT id FROM search_keys WHERE norm = :key"), {"key": key}
        ).scalar()
        if key_id is None:
            bind.execute(sa.text("INSERT INTO search_keys (norm) VALUES (:key)"), {"key": key})
            key_id = bind.execute(
                sa.text("SELECT id FROM search_keys WHERE norm = :key"), {"key": key}
            ).scalar_one()
        bind.execute(
            sa.text(
                "INSERT INTO search_case_names (case_id, name, key_id) "
                "VALUES (:case_id, :name, :key_id)"
            ),
            {"case_id": case_id, "name": name, "key_id": key_id},
        )


def downgrade() -> None:
    op.drop_index("ix_search_case_names_key", table_name="search_case_names")
    op.drop_index("ix_search_case_names_case", table_name="search_case_names")
    op.drop_table("search_case_names")
