"""The API: problem documents, paging, and a session on every route but the public ones."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from helpers import actor, audit_rows, put_statements
from test_web_accounts import Account, add_account
from writ.api.app import PUBLIC_ROUTES, create_app
from writ.service import auth

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def client(services):
    with TestClient(create_app(services, demo=True)) as test_client:
        yield test_client


def sign_in(client: TestClient, account: Account, purpose: str = "investigation") -> dict:
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


def test_health_and_openapi_are_public(client):
    assert client.get("/api/v1/health").json()["status"] == "ok"
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/users" in spec["paths"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_every_other_route_needs_a_session(client):
    spec = client.get("/api/v1/openapi.json").json()
    checked = 0
    for path, methods in spec["paths"].items():
        if path in PUBLIC_ROUTES:
            continue
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        for method in methods:
            response = client.request(method.upper(), url, json={})
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"].startswith("Bearer")
            checked += 1
    assert checked >= 6


def test_sign_in_gives_a_session_with_the_purpose(client, services):
    ana = add_account(services, "ana", {"officer"}, name="Ana Ortiz")
    headers = sign_in(client, ana, "case-processing")
    me = client.get("/api/v1/sessions/current", headers=headers).json()
    assert me["display_name"] == "Ana Ortiz"
    assert me["purpose"] == "case-processing"
    entries = [r for r in audit_rows(services) if r["action"] == "session.sign-in"]
    assert entries[-1]["outcome"] == "ok" and entries[-1]["purpose"] == "case-processing"


def test_a_wrong_code_is_refused_and_audited(client, services):
    ana = add_account(services, "ana", {"officer"})
    response = client.post(
        "/api/v1/sessions",
        json={
            "username": "ana",
            "password": ana.password,
            "code": "000000",
            "purpose": "oversight",
        },
    )
    assert response.status_code == 401
    body = response.json()
    assert body["type"].endswith("/sign-in-refused")
    assert "one-time code" in body["detail"]
    last = audit_rows(services)[-1]
    assert (last["action"], last["outcome"]) == ("session.sign-in", "failed")
    assert "bad one-time code" in last["details"]


def test_each_sign_in_is_a_new_session_and_sign_out_ends_it(client, services):
    ana = add_account(services, "ana", {"officer"})
    first, second = sign_in(client, ana), sign_in(client, ana)
    assert first != second
    assert client.delete("/api/v1/sessions/current", headers=first).status_code == 204
    assert client.get("/api/v1/sessions/current", headers=first).status_code == 401
    assert client.get("/api/v1/sessions/current", headers=second).status_code == 200


def test_a_denial_names_the_rule_and_who_can_grant(client, services):
    ana = add_account(services, "ana", {"officer"})
    response = client.get("/api/v1/users", headers=sign_in(client, ana))
    assert response.status_code == 403
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["policy"] == "default-deny"
    assert "administrator" in body["grant"]
    assert body["resource"] == "user:*"
    assert audit_rows(services)[-1]["outcome"] == "denied"


def test_a_bad_field_is_named(client, services):
    admin = add_account(services, "root", {"admin"})
    response = client.post(
        "/api/v1/users",
        headers=sign_in(client, admin, "administration"),
        json={"username": "bo", "roles": ["wizard"], "unit": "ERO-NYC"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "roles.0"
    assert "wizard" in body["detail"]


def test_users_are_paged(client, services):
    admin = add_account(services, "root", {"admin"})
    for name in ("ana", "bo", "cy"):
        add_account(services, name, {"officer"})
    headers = sign_in(client, admin, "administration")
    first = client.get("/api/v1/users?limit=3", headers=headers).json()
    assert [u["username"] for u in first["items"]] == ["ana", "bo", "cy"]
    assert first["total"] == 4 and first["next"] == "3"
    rest = client.get(f"/api/v1/users?limit=3&cursor={first['next']}", headers=headers).json()
    assert [u["username"] for u in rest["items"]] == ["root"] and rest["next"] is None


def test_audit_entries_page_backwards_and_prove(client, services):
    watcher = add_account(services, "olive", {"oversight"})
    headers = sign_in(client, watcher, "oversight")
    page = client.get("/api/v1/audit/entries?limit=2", headers=headers).json()
    assert len(page["items"]) == 2 and page["next"]
    older = client.get(f"/api/v1/audit/entries?limit=2&cursor={page['next']}", headers=headers)
    assert older.json()["items"][0]["seq"] < page["items"][-1]["seq"]
    proof = client.get("/api/v1/audit/entries/1/proof", headers=headers).json()
    assert proof["verified_by_server"] is True
    assert proof["tree_head"]["tree_size"] >= 1
    assert client.post("/api/v1/audit/verify", headers=headers).json()["ok"] is True


def test_a_missing_entry_is_a_404_problem(client, services):
    watcher = add_account(services, "olive", {"oversight"})
    response = client.get("/api/v1/audit/entries/99999/proof", headers=sign_in(client, watcher))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_subject_comes_with_its_sources(client, services):
    ana = add_account(services, "ana", {"officer"})
    put_statements(services, "p1", "Person", {"firstName": "Maria", "lastName": "Lopez"})
    body = client.get("/api/v1/subjects/p1", headers=sign_in(client, ana)).json()
    assert body["caption"] == "Maria Lopez"
    assert body["properties"]["firstName"][0]["sources"][0]["source"] == "test-source"


def test_the_cookie_alone_cannot_change_anything(client, services):
    admin = add_account(services, "root", {"admin"})
    session = auth.sign_in(services, "root", admin.password, admin.code(), "administration")
    client.cookies.set(auth.COOKIE_NAME, session.token)
    assert client.get("/api/v1/users").status_code == 200
    denied = client.post("/api/v1/audit/checkpoint")
    assert denied.status_code == 403 and denied.json()["field"] == "X-CSRF-Token"
    allowed = client.post("/api/v1/audit/checkpoint", headers={"X-CSRF-Token": session.csrf})
    assert allowed.status_code == 200
    client.cookies.clear()


def test_an_enrolled_second_factor_is_shown_once(client, services):
    admin = add_account(services, "root", {"admin"})
    add_account(services, "ana", {"officer"})
    body = client.post(
        "/api/v1/users/ana/totp", headers=sign_in(client, admin, "administration")
    ).json()
    assert body["provisioning_uri"].startswith("otpauth://totp/writ:ana")
    assert actor("admin").user  # helpers still usable beside the accounts


def test_the_locator_is_public_and_a_blocked_action_names_its_rules(client, services):
    from writ.lifecycle import service as lc

    ana = add_account(services, "ana", {"officer"})
    answer = client.get(
        "/api/v1/locator", params={"a_number": "A-999-888-777", "country_of_birth": "MX"}
    )
    assert answer.status_code == 200 and answer.json()["entries"] == []
    officer = actor("officer", user="ana", purpose="case-processing")
    case = lc.open_case(
        services,
        officer,
        subject_name="Ana Lopez",
        birth_date=date(1990, 5, 17),
        country_of_birth="Mexico",
        a_number_value="A-200-300-400",
    )
    blocked = client.post(
        f"/api/v1/immigration-cases/{case.id}/removal",
        headers=sign_in(client, ana, "case-processing"),
        json={"destination_country": "MX", "scheduled_for": "2030-01-01T10:00:00Z"},
    )
    assert blocked.status_code == 200, blocked.text
    body = blocked.json()
    assert body["blocked"] is True
    rules = {f["rule"]: f["citation"] for f in body["findings"]}
    assert rules.get("removal-final-order")
