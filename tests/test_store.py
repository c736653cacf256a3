from sqlalchemy import text

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
