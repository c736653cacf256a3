"""Alembic, run from code: ``upgrade heads`` over every concern's branch."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from writ.store.engine import Store

SCRIPT_LOCATION = "writ.store:migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(store: Store) -> list[str]:
    """Apply every pending migration; return the revisions now current."""
    config = _config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    return current_revisions(store)


def current_revisions(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())


def pending(store: Store) -> bool:
    """True when the store is behind the code's migrations."""
    heads = set(ScriptDirectory.from_config(_config()).get_heads())
    return set(current_revisions(store)) != heads
