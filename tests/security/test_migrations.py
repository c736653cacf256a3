"""The web line's security migrations go up and down on both stores, keeping the sessions."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from writ.store import migrate
from writ.store.engine import Store


def test_the_security_migrations_go_down_and_up_again(unmigrated_db_url):
    store = Store(unmigrated_db_url)
    config = migrate._config()

    def alembic(step: str, revision: str) -> None:
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, step)(config, revision)

    migrate.upgrade(store)
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO web_sessions (id, username, purpose, origin, acr, csrf, created_at, "
                "last_seen_at) VALUES ('s1', 'ana', 'investigation', 'web', '', 'c', "
                "'2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z')"
            )
        )
    alembic("downgrade", "0007_web")  # below every migration of the web line after the first
    inspector = inspect(store.engine)
    assert "flash" not in {c["name"] for c in inspector.get_columns("web_sessions")}
    assert not {"sign_in_guards", "sign_in_attempts"} & set(inspector.get_table_names())
    migrate.upgrade(store)
    assert not migrate.pending(store)
    inspector = inspect(store.engine)
    assert "flash" in {c["name"] for c in inspector.get_columns("web_sessions")}
    assert {"sign_in_guards", "sign_in_attempts"} <= set(inspector.get_table_names())
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT username FROM web_sessions")).scalars().all() == [
            "ana"
        ]
    store.dispose()
