"""What the test_api_<area> modules share: an app over the test store and a signed-in caller.

No tests here. Sessions are real: an account with a password and a TOTP code signs in through
``POST /api/v1/sessions``, and the token it gets is the caller's Bearer token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from test_web_accounts import add_account
from writ.api.app import create_app
from writ.service import Services

PROBLEM = "application/problem+json"


def make_client(services: Services, evidence_root: Path | None = None) -> TestClient:
    return TestClient(create_app(services, demo=True, evidence_root=evidence_root))


def signed_in(
    client: TestClient,
    services: Services,
    username: str,
    roles: set[str],
    purpose: str = "investigation",
    unit: str = "ERO-NYC",
) -> dict[str, str]:
    """A new account with ``roles`` in ``unit``, signed in for ``purpose``: its headers."""
    account = add_account(services, username, roles, unit=unit)
    response = client.post(
        "/api/v1/sessions",
        json={
            "username": account.username,
            "password": account.password,
            "code": account.code(),
            "purpose": purpose,
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def assert_problem(response, status: int, **members: object) -> dict:  # type: ignore[no-untyped-def]
    """The response is an RFC 9457 problem with ``status`` and the given members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    for name, value in members.items():
        assert body.get(name) == value, f"{name}: {body.get(name)!r} != {value!r} in {body}"
    return body
