"""Building the services once per process, from the settings."""

from __future__ import annotations

from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.policy.engine import load_policy
from writ.service.operation import Services
from writ.service.settings import ConfigError, Settings, load_settings
from writ.service.step_up import StepUp
from writ.store.engine import Store
from writ.store.migrate import pending


def open_services(settings: Settings | None = None, *, require_current: bool = True) -> Services:
    """Services over the configured store; refuses a store that needs ``writ db upgrade``."""
    settings = settings or load_settings()
    if not settings.ledger_key.exists():
        raise ConfigError(
            f"{settings.ledger_key}: no ledger key; run `writ init` (WRIT_HOME={settings.home})"
        )
    policy = load_policy()
    store = Store(settings.database_url)
    if require_current and pending(store):
        store.dispose()
        raise ConfigError(
            f"the store at {settings.database_url} is not current: run `writ db upgrade`"
        )
    ledger = Ledger(
        keys.load_signing_key(settings.ledger_key),
        head_interval=settings.head_interval_seconds,
        head_every=settings.head_every_entries,
    )
    step_up = StepUp(settings.oidc.step_up_acr if settings.oidc else ())
    return Services(store, policy, ledger, step_up)
