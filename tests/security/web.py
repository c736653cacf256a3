"""What the security tests share: signing in through the pages, the form's tokens.

No tests here. Sessions are real: an account with a password and a TOTP code signs in through
the sign-in form (or ``POST /api/v1/sessions``), exactly as a person or a client would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.testclient import TestClient

from test_web_accounts import Account


def sign_in_form_token(client: TestClient) -> str:
    form = client.get("/sign-in")
    return re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]


def page_sign_in(client: TestClient, account: Account, purpose: str = "investigation"):  # type: ignore[no-untyped-def]
    """Sign ``account`` in through the form; the client keeps the session cookie."""
    response = client.post(
        "/sign-in",
        data={
            "username": account.username,
            "password": account.password,
            "code": account.code(),
            "purpose": purpose,
            "next": "/",
            "form_token": sign_in_form_token(client),
        },
    )
    assert response.status_code == 303, response.text
    return response


def failed_sign_in(client: TestClient, username: str) -> int:
    """A failed sign-in with ``username`` (anyone can do this, signed in or not): its status."""
    response = client.post(
        "/sign-in",
        data={
            "username": username,
            "password": "wrong",
            "code": "000000",
            "purpose": "investigation",
            "next": "/",
            "form_token": sign_in_form_token(client),
        },
    )
    return response.status_code


def api_sign_in(
    client: TestClient, account: Account, purpose: str = "investigation"
) -> dict[str, str]:
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


def csrf(page_text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page_text).group(1)  # type: ignore[union-attr]


def script_json(page_text: str, element_id: str) -> str:
    """The raw text of the script block ``element_id`` up to the first ``</script`` in it."""
    start = re.search(rf'<script type="application/json" id="{element_id}">', page_text)
    assert start is not None, f"no script #{element_id} on the page"
    rest = page_text[start.end() :]
    return rest[: rest.lower().index("</script")]


def routes_of(app: FastAPI) -> Iterator[Any]:
    """Every route of ``app`` with its full path and methods, through included routers too."""
    for route in routing.iter_route_contexts(app.routes):
        if route.path is not None and route.methods is not None:
            yield route
