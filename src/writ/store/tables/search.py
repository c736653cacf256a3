"""Search index: the distinct name keys, one row per name of an entity pointing at its key, and
one row per immigration case naming its person.

A key is a name folded to ASCII, lower-cased, its words sorted, plus a metaphone code per word.
Many people share a name, so fuzzy matching runs over the distinct keys, then joins to the names.
The fuzzy index over ``search_keys.norm`` is made by the migration: a ``pg_trgm`` GIN index on
PostgreSQL; an FTS5 trigram table ``search_keys_fts`` (kept in step by triggers) on SQLite.
"""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from writ.store.tables.base import metadata

_Id = BigInteger().with_variant(Integer, "sqlite")

search_keys = Table(
    "search_keys",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("norm", Text, nullable=False, unique=True),
)

search_names = Table(
    "search_names",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("entity_id", String(128), nullable=False),
    Column("name", Text, nullable=False),
    Column("key_id", _Id, nullable=False),
    Index("ix_search_names_entity", "entity_id"),
    Index("ix_search_names_key", "key_id"),
)

# The person named on each immigration case, so one search finds people who exist only on a
# case (no record of any source). A case's name never changes after it is opened.
search_case_names = Table(
    "search_case_names",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("case_id", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("key_id", _Id, nullable=False),
    Index("ix_search_case_names_case", "case_id"),
    Index("ix_search_case_names_key", "key_id"),
)
