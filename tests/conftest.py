"""Test fixtures: every store test runs on SQLite and PostgreSQL through the one ``db_url`` fixture.

PostgreSQL is at WRIT_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test).
With CI=true an unreachable PostgreSQL fails the run; elsewhere its tests are skipped, loudly.
SQLite tests get a fresh copy of a store migrated once per session; PostgreSQL tests share one
database per test session, emptied before each test, so parallel test runs never share a database.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.policy.engine import load_policy
from writ.service import Services
from writ.store import migrate
from writ.store.engine import Store
from writ.store.tables import metadata

POSTGRES_URL = os.environ.get(
    "WRIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ON_CI = os.environ.get("CI", "").lower() == "true"
_postgres_problem: list[str] = []


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def _postgres_reachable() -> str | None:
    try:
        engine = _admin_engine()
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


def pytest_sessionstart(session: pytest.Session) -> None:
    problem = _postgres_reachable()
    if problem:
        if ON_CI:
            raise pytest.UsageError(
                f"CI=true but PostgreSQL at {POSTGRES_URL} is unreachable: {problem}"
            )
        _postgres_problem.append(problem)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if _postgres_problem:
        terminalreporter.write_sep(
            "!",
            f"POSTGRESQL TESTS SKIPPED: {POSTGRES_URL} unreachable ({_postgres_problem[0]})",
            red=True,
            bold=True,
        )


def _pg_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    templates: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("template") / "template.db"
    store = Store(f"sqlite:///{sqlite_file}")
    migrate.upgrade(store)
    store.dispose()
    templates["sqlite"] = str(sqlite_file)
    created: list[str] = []
    if not _postgres_problem:
        name = f"writ_tmpl_{uuid.uuid4().hex[:10]}"
        admin = _admin_engine()
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        store = Store(_pg_url(name))
        migrate.upgrade(store)
        store.dispose()
        templates["postgres"] = name
    yield templates
    if created:
        admin = _admin_engine()
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, _templates: dict[str, str]
) -> Iterator[str]:
    """A fresh, migrated, empty store: once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "writ.db"
        shutil.copyfile(_templates["sqlite"], target)
        yield f"sqlite:///{target}"
        return
    if _postgres_problem:
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem[0]}")
    url = request.getfixturevalue("_postgres_database")
    _wipe_postgres(url)
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store with no migration applied (for tests of the migrations themselves)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'unmigrated.db'}"
        return
    if _postgres_problem:
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem[0]}")
    with _throwaway_database("writ_m") as url:
        yield url


@contextmanager
def _throwaway_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template``, or empty), dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_database(_templates: dict[str, str]) -> Iterator[str]:
    """This test session's own PostgreSQL database, copied once from the migrated template.

    Creating and dropping a database per test costs seconds on PostgreSQL; emptying every table
    costs milliseconds, so PostgreSQL tests share one database that is wiped before each test.
    """
    with _throwaway_database("writ_s", _templates["postgres"]) as url:
        try:
            yield url
        finally:
            _wipe_engines.pop(url, None)


_wipe_engines: dict[str, Engine] = {}


def _wipe_postgres(url: str) -> None:
    """Empty every table writ knows, drop tables a test made, restart sequences."""
    engine = _wipe_engines.get(url)
    if engine is None:
        engine = _wipe_engines[url] = create_engine(url, poolclass=NullPool)
    known = {table.name for table in metadata.sorted_tables} | {"alembic_version"}
    with engine.begin() as connection:
        # End anything a previous test left connected (a server thread, a killed subprocess).
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        present = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
        )
        for extra in sorted(present - known):
            connection.execute(text(f'DROP TABLE IF EXISTS "{extra}" CASCADE'))
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        for sequence in connection.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).scalars():
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture(scope="session")
def ledger_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "ledger.key"
    key = keys.generate_key(path)
    path.with_suffix(".pub").write_bytes(keys.public_key_pem(key))
    return path


@pytest.fixture
def services(db_url: str, ledger_key: Path) -> Iterator[Services]:
    """Services on a fresh store; tree heads signed at every commit so tests see them at once."""
    store = Store(db_url)
    svc = Services(store, load_policy(), Ledger(keys.load_signing_key(ledger_key), head_interval=0))
    yield svc
    store.dispose()


@pytest.fixture
def writ_home(
    db_url: str, ledger_key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A WRIT_HOME whose settings point at the fresh store, for running the CLI."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(ledger_key, home / "ledger.key")
    shutil.copyfile(ledger_key.with_suffix(".pub"), home / "ledger.pub")
    (home / "writ.toml").write_text(
        f'database_url = "{db_url}"\nledger_key = "ledger.key"\nhead_interval_seconds = 0\n'
    )
    monkeypatch.setenv("WRIT_HOME", str(home))
    monkeypatch.delenv("WRIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("WRIT_USER", raising=False)
    return home
