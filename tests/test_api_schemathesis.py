"""schemathesis against the OpenAPI: no server errors, and nothing accepted without a session.

Bounded: a few generated requests per operation, on SQLite, one signed-in admin and a caller
with no session. Every operation is called both ways.
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from test_web_accounts import add_account
from writ.api.app import PUBLIC_ROUTES, create_app
from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.policy.engine import load_policy
from writ.service import Services
from writ.store.engine import Store


@pytest.fixture
def sqlite_services(_templates, ledger_key, tmp_path):
    shutil.copyfile(_templates["sqlite"], tmp_path / "writ.db")
    store = Store(f"sqlite:///{tmp_path / 'writ.db'}")
    yield Services(store, load_policy(), Ledger(keys.load_signing_key(ledger_key), head_interval=0))
    store.dispose()


@pytest.fixture
def signed_in_app(sqlite_services):
    services = sqlite_services
    app = create_app(services, demo=True)
    everyone = add_account(services, "sam", {"admin", "oversight", "officer", "supervisor"})
    from writ.service import auth

    session = auth.sign_in(services, "sam", everyone.password, everyone.code(), "oversight")
    return app, {"Authorization": f"Bearer {session.token}"}


def _public(path: str) -> bool:
    return path in PUBLIC_ROUTES


def test_no_server_errors_and_no_access_without_a_session(signed_in_app):
    app, headers = signed_in_app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        _exercise(operation, headers)


def _exercise(operation, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(
        max_examples=3,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        path = f"{case.method} {case.formatted_path}"
        anonymous = case.call(headers={"Authorization": ""})
        assert anonymous.status_code < 500, f"{path} without a session: {anonymous.text}"
        if not _public(case.path):
            assert anonymous.status_code == 401, f"{path} accepted without a session"
        response = case.call(headers=headers)
        assert response.status_code < 500, f"{path}: {response.text}"

    check()
