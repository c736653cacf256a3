"""search: name index with trigram matching

PostgreSQL: pg_trgm, a GIN trigram index on search_names.norm. SQLite: an FTS5 trigram table kept
in step by triggers. (Full text over notes is made with the notes table, in 0004_cases.)

Revision ID: 0006_search
Revises: 0001_core
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_search"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = ("search",)
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_names_fts USING fts5("
    "norm, content='search_names', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_names_ai AFTER INSERT ON search_names BEGIN "
    "INSERT INTO search_names_fts(rowid, norm) VALUES (new.id, new.norm); END",
    "CREATE TRIGGER search_names_ad AFTER DELETE ON search_names BEGIN "
    "INSERT INTO search_names_fts(search_names_fts, rowid, norm) "
    "VALUES ('delete', old.id, old.norm); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER search_names_ad",
    "DROP TRIGGER search_names_ai",
    "DROP TABLE search_names_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_search_names_norm_trgm ON search_names USING gin (norm gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX ix_search_names_norm_trgm",
]


def upgrade() -> None:
    op.create_table(
        "search_names",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("norm", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_names")),
    )
    op.create_index("ix_search_names_entity", "search_names", ["entity_id"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index("ix_search_names_entity", table_name="search_names")
    op.drop_table("search_names")
