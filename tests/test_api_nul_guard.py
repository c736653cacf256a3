"""A NUL character anywhere in a request is refused as a 422 naming where it was, on every
route, before it can reach PostgreSQL (which cannot store one) as a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from test_api import sign_in
from test_web_accounts import add_account
from writ.api.app import create_app


@pytest.fixture
def client(services):
    with TestClient(create_app(services, demo=True), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def headers(client, services):
    return sign_in(client, add_account(services, "olga", {"officer"}))


def _problem(response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == field


def test_a_nul_in_a_json_body_names_the_field(client, headers):
    response = client.post(
        "/api/v1/cases", json={"type": "investigation", "title": "bad\x00title"}, headers=headers
    )
    _problem(response, "title")


def test_a_nul_deep_in_a_json_body_names_its_path(client, headers):
    body = {"type": "investigation", "title": "ok", "extra": [{"note": "x\x00"}]}
    _problem(client.post("/api/v1/cases", json=body, headers=headers), "extra.0.note")


def test_a_nul_in_the_path_or_query(client, headers):
    _problem(client.get("/api/v1/cases/abc%00def", headers=headers), "path.case_id")
    _problem(client.get("/api/v1/search/subjects?q=ma%00ria", headers=headers), "query.q")


def test_clean_requests_pass_with_their_body_intact(client, headers):
    response = client.post(
        "/api/v1/cases", json={"type": "investigation", "title": "Clean title"}, headers=headers
    )
    assert response.status_code == 201, response.text
    case_id = response.json()["id"]
    fetched = client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert fetched.status_code == 200
    assert fetched.json()["case"]["title"] == "Clean title"


def test_a_nul_in_a_web_form_is_refused_without_a_server_error(client):
    response = client.post("/sign-in", data={"username": "olga\x00", "password": "x"})
    assert response.status_code == 422
    assert "username" in response.text
