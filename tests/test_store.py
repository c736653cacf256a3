import re

from alembic import command
from sqlalchemy import inspect, text

from writ.cases.graph import ADDRESS_PROPS, IDENTIFIER_PROPS, REFERENCE_PROPS
from writ.model.statement import LOOKUP_PROPS
from writ.store import migrate
from writ.store.engine import Store


def test_sqlite_connection_rules(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    with store.transaction() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.dispose()


def test_migrations_bring_the_store_to_every_head(db_url):
    store = Store(db_url)
    assert not migrate.pending(store)
    assert "0001_core" in migrate.current_revisions(store) or migrate.current_revisions(store)
    # Upgrading again is a no-op.
    assert migrate.upgrade(store) == migrate.current_revisions(store)
    store.dispose()


def test_fresh_store_upgrades_from_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert migrate.pending(store)
    migrate.upgrade(store)
    assert not migrate.pending(store)
    store.dispose()


# -- statements: keyed by record, (prop, value) only for the properties looked up by value --------


def _indexed_props(store: Store) -> set[str] | None:
    """The properties in the (prop, value) index; None when it holds them all."""
    if store.dialect == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE name = 'ix_statements_lookup'"
    else:
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_statements_lookup'"
    with store.engine.connect() as connection:
        definition = connection.execute(text(query)).scalar_one()
    if "WHERE" not in definition:
        return None
    return set(re.findall(r"'(\w+)'", definition.split("WHERE", 1)[1]))


def _lookup_index(store: Store) -> set[str] | None:
    """What the (prop, value) index should hold on this backend (see store/tables/core.py)."""
    return None if store.dialect == "sqlite" else set(LOOKUP_PROPS)


def test_statements_are_keyed_by_record_and_lookups_are_indexed_by_value(db_url):
    store = Store(db_url)
    inspector = inspect(store.engine)
    key = inspector.get_pk_constraint("statements")["constrained_columns"]
    assert key == ["source", "record_id", "id"]
    indexes = {
        index["name"]: index["column_names"] for index in inspector.get_indexes("statements")
    }
    assert indexes == {
        "ix_statements_entity": ["entity_id"],
        "ix_statements_lookup": ["prop", "value"],
    }
    assert _indexed_props(store) == _lookup_index(store)
    store.dispose()


def test_every_property_the_code_looks_up_by_value_is_in_the_index():
    looked_up = {*REFERENCE_PROPS, *IDENTIFIER_PROPS, *ADDRESS_PROPS, "number"}
    looked_up |= {"idNumber", "passportNumber"}  # writ.search.service._identifier_hits
    assert looked_up <= set(LOOKUP_PROPS)


def _plan(store: Store, where: str) -> str:
    with store.engine.begin() as connection:
        if store.dialect == "sqlite":
            rows = connection.execute(
                text(f"EXPLAIN QUERY PLAN SELECT entity_id FROM statements WHERE {where}")
            )
            return "\n".join(str(row[-1]) for row in rows)
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        rows = connection.execute(text(f"EXPLAIN SELECT entity_id FROM statements WHERE {where}"))
        return "\n".join(row[0] for row in rows)


def test_lookups_by_value_use_the_index_and_other_properties_do_not(db_url):
    store = Store(db_url)
    for prop in LOOKUP_PROPS:
        assert "ix_statements_lookup" in _plan(store, f"prop = '{prop}' AND value = 'A1'"), prop
    assert "ix_statements_lookup" in _plan(store, "prop IN ('person', 'relative') AND value = 'e1'")
    if store.dialect == "postgresql":
        # A name is found through the search index, never by value: it has no entries here.
        assert "ix_statements_lookup" not in _plan(store, "prop = 'name' AND value = 'Maria'")
    store.dispose()


def test_the_statement_keys_migration_keeps_every_statement_both_ways(unmigrated_db_url):
    store = Store(unmigrated_db_url)
    config = migrate._config()

    def alembic(step: str, revision: str) -> None:
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, step)(config, revision)

    def kept() -> list[tuple[str, ...]]:
        with store.engine.connect() as connection:
            found = connection.execute(text("SELECT id, record_id, prop, value FROM statements"))
            return sorted(tuple(row) for row in found)

    alembic("upgrade", "0001_core")
    rows = [
        {
            "id": f"{n:040x}",
            "record_id": f"C{n // 3}",
            "entity_id": f"e{n // 3}",
            "prop": ("name", "idNumber", "birthDate")[n % 3],
            "value": f"v{n}",
        }
        for n in range(30)
    ]
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO statements (id, source, record_id, entity_id, schema, prop, value, "
                "first_seen, last_seen) VALUES (:id, 'court', :record_id, :entity_id, 'Person', "
                ":prop, :value, '2026-11-29T00:00:00+00:00', '2026-11-29T00:00:00+00:00')"
            ),
            rows,
        )
    expected = sorted((r["id"], r["record_id"], r["prop"], r["value"]) for r in rows)

    alembic("upgrade", "0010_statement_keys")
    assert kept() == expected
    assert _indexed_props(store) == _lookup_index(store)
    key = inspect(store.engine).get_pk_constraint("statements")["constrained_columns"]
    assert key == ["source", "record_id", "id"]

    alembic("downgrade", "0001_core")
    assert kept() == expected
    inspector = inspect(store.engine)
    assert inspector.get_pk_constraint("statements")["constrained_columns"] == ["id"]
    assert {index["name"] for index in inspector.get_indexes("statements")} == {
        "ix_statements_entity",
        "ix_statements_prop_value",
        "ix_statements_record",
    }

    migrate.upgrade(store)
    assert not migrate.pending(store)
    assert kept() == expected
    store.dispose()
