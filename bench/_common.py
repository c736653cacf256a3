"""Shared bits of the benchmarks: stores and keys in a temporary folder, timing, memory."""

from __future__ import annotations

import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.policy.engine import load_policy
from writ.service import Services
from writ.store import migrate
from writ.store.engine import Store

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextmanager
def services(backend: str, head_interval: float = 1.0) -> Iterator[Services]:
    """Services on a fresh, migrated store of ``backend`` (sqlite or postgres), removed after."""
    with tempfile.TemporaryDirectory() as folder:
        key = keys.generate_key(Path(folder) / "ledger.key")
        name = f"writ_bench_{uuid.uuid4().hex[:8]}"
        admin = None
        if backend == "sqlite":
            url = f"sqlite:///{folder}/bench.db"
        else:
            admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        store = Store(url)
        migrate.upgrade(store)
        try:
            yield Services(store, load_policy(), Ledger(key, head_interval=head_interval))
        finally:
            store.dispose()
            if admin is not None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
