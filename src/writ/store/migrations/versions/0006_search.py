"""search: distinct name keys with trigram matching, names of entities pointing at their key

PostgreSQL: pg_trgm, a GIN trigram index on search_keys.norm. SQLite: an FTS5 trigram table kept
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
    "CREATE VIRTUAL TABLE search_keys_fts USING fts5("
    "norm, content='search_keys', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_keys_ai AFTER INSERT ON search_keys BEGIN "
    "INSERT INTO search_keys_fts(rowid, norm) VALUES (new.id, new.norm); END",
    "CREATE TRIGGER search_keys_ad AFTER DELETE ON search_keys BEGIN "
    "INSERT INTO search_keys_fts(search_keys_fts, rowid, norm) "
    "VALUES ('delete', old.id, old.norm); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER search_keys_ad",
    "DROP TRIGGER search_keys_ai",
    "DROP TABLE search_keys_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_search_keys_norm_trgm ON search_keys USING gin (norm gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX ix_search_keys_norm_trgm"]


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "search_keys",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("norm", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_keys")),
        sa.UniqueConstraint("norm", name=op.f("uq_search_keys_norm")),
    )
    op.create_table(
        "search_names",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_id", _id(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_names")),
    )
    op.create_index("ix_search_names_entity", "search_names", ["entity_id"], unique=False)
    op.create_index("ix_search_names_key", "search_names", ["key_id"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index("ix_search_names_key", table_name="search_names")
    op.drop_index("ix_search_names_entity", table_name="search_names")
    op.drop_table("search_names")
    op.drop_table("search_keys")
