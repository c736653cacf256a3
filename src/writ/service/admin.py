"""Setting a store up: ``writ init`` and ``writ db upgrade``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from writ.audit import keys
from writ.model.actor import system_actor
from writ.model.resource import Resource
from writ.policy.engine import load_policy
from writ.service.runtime import open_services
from writ.service.settings import Settings, load_settings
from writ.store import migrate
from writ.store.engine import Store

INSTALLER = system_actor("installer", purpose="administration", roles=frozenset({"admin"}))


@dataclass(frozen=True)
class InitResult:
    settings: Settings
    created_key: bool
    revisions: list[str]


def upgrade_database(settings: Settings | None = None) -> list[str]:
    """Apply every pending migration to the configured store; return the current revisions."""
    settings = settings or load_settings()
    store = Store(settings.database_url)
    try:
        return migrate.upgrade(store)
    finally:
        store.dispose()


def init(home: Path | None = None, *, demo: bool = False) -> InitResult:
    """Create the home folder, its settings file and the ledger key, and migrate the store."""
    load_policy()  # a bad policy file stops start-up before anything is written
    settings = load_settings(home)
    settings.home.mkdir(parents=True, exist_ok=True)
    if not settings.config_file.exists():
        lines = [
            "# writ settings. WRIT_DATABASE_URL overrides database_url.",
            f'ledger_key = "{settings.ledger_key.name}"',
            "head_interval_seconds = 1.0",
            f"demo = {'true' if demo else 'false'}",
        ]
        settings.config_file.write_text("\n".join(lines) + "\n")
        settings = load_settings(settings.home)
    created = False
    if not settings.ledger_key.exists():
        key = keys.generate_key(settings.ledger_key)
        settings.public_key.write_bytes(keys.public_key_pem(key))
        created = True
    revisions = upgrade_database(settings)
    services = open_services(settings)
    try:
        services.record(
            INSTALLER,
            "system.init",
            Resource("system", "store"),
            "ok",
            "installation",
            {"revisions": revisions, "created_key": created},
        )
    finally:
        services.store.dispose()
    return InitResult(settings, created, revisions)
