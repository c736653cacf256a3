"""Search index: one row per name of an entity, folded to ASCII, lower-case, tokens sorted.

The fuzzy indexes over ``norm`` are dialect-specific and made by the migration: a ``pg_trgm`` GIN
index on PostgreSQL; an FTS5 trigram table ``search_names_fts`` (kept in step by triggers) on
SQLite. Full text over notes: a GIN index on PostgreSQL, ``notes_fts`` on SQLite.
"""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from writ.store.tables.base import metadata

search_names = Table(
    "search_names",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("entity_id", String(128), nullable=False),
    Column("name", Text, nullable=False),
    Column("norm", Text, nullable=False),
    Index("ix_search_names_entity", "entity_id"),
)
