"""The pages, without a browser: sign-in, header, CSRF, denial, audit proof, admin."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from helpers import actor, audit_rows, put_statements
from test_web_accounts import Account, add_account
from writ.api.app import create_app
from writ.service import auth

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def browser(services):
    with TestClient(create_app(services, demo=True), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, account: Account, purpose: str = "investigation", code=None):
    form = client.get("/sign-in")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)
    return client.post(
        "/sign-in",
        data={
            "username": account.username,
            "password": account.password,
            "code": code or account.code(),
            "purpose": purpose,
            "next": "/queues",
            "form_token": token,
        },
    )


def csrf(page_text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page_text).group(1)


def test_pages_send_you_to_sign_in_first(browser):
    response = browser.get("/audit?before=5")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/audit%3Fbefore%3D5"


def test_signing_in_shows_user_unit_and_purpose(browser, services):
    ana = add_account(services, "ana", {"officer"}, name="Ana Ortiz")
    response = sign_in(browser, ana, "case-processing")
    assert response.status_code == 303 and response.headers["location"] == "/queues"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = browser.get("/queues")
    assert page.status_code == 200
    assert 'data-testid="user">Ana Ortiz' in page.text
    assert 'data-testid="unit">ERO-NYC' in page.text
    assert 'data-testid="purpose">Case processing' in page.text
    assert "synthetic" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_a_wrong_code_keeps_you_out(browser, services):
    ana = add_account(services, "ana", {"officer"})
    response = sign_in(browser, ana, code="000000")
    assert response.status_code == 401
    assert "User name, password or one-time code is wrong." in response.text
    assert auth.COOKIE_NAME not in response.headers.get("set-cookie", "")


def test_the_sign_in_form_needs_its_own_token(browser, services):
    ana = add_account(services, "ana", {"officer"})
    browser.get("/sign-in")
    response = browser.post(
        "/sign-in",
        data={
            "username": "ana",
            "password": ana.password,
            "code": ana.code(),
            "purpose": "investigation",
            "form_token": "forged",
        },
    )
    assert response.status_code == 400


def test_a_form_without_the_csrf_token_changes_nothing(browser, services):
    ana = add_account(services, "ana", {"officer"})
    sign_in(browser, ana)
    assert browser.post("/sign-out", data={"csrf": "forged"}).status_code == 403
    assert browser.get("/queues").status_code == 200
    page = browser.get("/queues")
    response = browser.post("/sign-out", data={"csrf": csrf(page.text)})
    assert response.status_code == 303
    assert browser.get("/queues").status_code == 303
    assert audit_rows(services)[-1]["action"] == "session.sign-out"


def test_a_denial_says_why_and_who_can_grant(browser, services):
    ana = add_account(services, "ana", {"officer"})
    sign_in(browser, ana)
    page = browser.get("/admin/users")
    assert page.status_code == 403
    assert 'data-testid="denial-policy">default-deny' in page.text
    assert "ask an administrator" in page.text


def test_the_subject_profile_shows_each_value_with_its_sources(browser, services):
    ana = add_account(services, "ana", {"officer"})
    put_statements(services, "p1", "Person", {"firstName": "Maria", "lastName": "Lopez"})
    put_statements(services, "p1", "Person", {"firstName": "Maria"}, source="court", record_id="c9")
    sign_in(browser, ana)
    page = browser.get("/subjects/p1")
    assert page.status_code == 200
    assert "<h1" in page.text and "Maria Lopez" in page.text
    assert "court" in page.text and "record c9" in page.text


def test_the_audit_entry_page_carries_its_proof(browser, services):
    olive = add_account(services, "olive", {"oversight"})
    sign_in(browser, olive, "oversight")
    page = browser.get("/audit")
    assert page.status_code == 200 and "session.sign-in" in page.text
    entry = browser.get("/audit/1")
    assert entry.status_code == 200
    assert 'id="proof-data"' in entry.text and "/static/proof.js" in entry.text
    verified = browser.post("/audit/verify", data={"csrf": csrf(page.text)})
    assert "The ledger verified" in verified.text


def test_an_administrator_adds_a_user_and_sees_the_secret_once(browser, services):
    admin = add_account(services, "root", {"admin"})
    sign_in(browser, admin, "administration")
    page = browser.get("/admin/users")
    bad = browser.post("/admin/users", data={"csrf": csrf(page.text), "username": "bo"})
    assert bad.status_code == 422 and "Choose at least one role." in bad.text
    added = browser.post(
        "/admin/users",
        data={
            "csrf": csrf(page.text),
            "username": "bo",
            "display_name": "Bo Chen",
            "unit": "ERO-SFR",
            "roles": ["officer", "supervisor"],
            "password": "a-long-enough-password",
        },
    )
    assert added.status_code == 201
    assert re.search(r'data-testid="totp-secret">[A-Z2-7]{32}<', added.text)
    assert "Bo Chen" in added.text


def test_oversight_dashboard_counts_access_by_purpose(browser, services):
    olive = add_account(services, "olive", {"oversight"})
    sign_in(browser, olive, "oversight")
    page = browser.get("/oversight")
    assert page.status_code == 200
    assert "Access by purpose of use" in page.text


def test_search_finds_a_subject_by_name(browser, services):
    from writ.search import service as search_service

    ana = add_account(services, "ana", {"officer"})
    put_statements(services, "p1", "Person", {"firstName": "María", "lastName": "López"})
    search_service.reindex(services, actor("custodian", purpose="records-management"))
    sign_in(browser, ana)
    page = browser.get("/search", params={"q": "Maria Lopez"})
    assert page.status_code == 200
    assert 'href="/subjects/p1"' in page.text


def test_a_demo_store_lists_its_published_accounts_on_the_sign_in_page(browser, services):
    from test_web_accounts import INSTALLER

    add_account(services, "officer", {"officer"}, name="Olivia Ortega (officer)")
    add_account(services, "private", {"officer"})
    auth.set_totp_secret(services, INSTALLER, "officer", auth.demo_secret("officer"))
    page = browser.get("/sign-in")
    assert 'data-testid="demo-accounts"' in page.text
    assert "Olivia Ortega (officer)" in page.text and "private" not in page.text
    assert auth.current_code(auth.demo_secret("officer")) in page.text


def test_sources_are_listed_with_their_legal_basis(browser, services):
    admin = add_account(services, "root", {"admin"})
    sign_in(browser, admin, "administration")
    page = browser.get("/admin/sources")
    assert page.status_code == 200 and "legal basis" in page.text


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_sign_in_never_sends_you_off_site(browser, services, target):
    ana = add_account(services, "ana", {"officer"})
    form = browser.get("/sign-in")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)
    response = browser.post(
        "/sign-in",
        data={
            "username": "ana",
            "password": ana.password,
            "code": ana.code(),
            "purpose": "investigation",
            "next": target,
            "form_token": token,
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_open_leads_have_a_queue_tab_with_their_count(browser, services):
    from writ.cases import service as case_service

    officer = actor("officer", user="olga")
    waiting = case_service.take_lead(services, officer, summary="Tip: storefront", source="hotline")
    closed = case_service.take_lead(services, officer, summary="Tip: old news", source="hotline")
    boss = actor("supervisor", user="sue")
    case_service.close_lead(services, boss, closed.id, reason="duplicate")
    sign_in(browser, add_account(services, "olga", {"officer"}))
    page = browser.get("/queues?tab=leads")
    assert page.status_code == 200
    assert re.search(r"Open leads <span[^>]*data-testid=\"count-leads\">1<", page.text)
    assert f'href="/leads/{waiting.id}"' in page.text
    assert "Tip: old news" not in page.text
    assert 'href="/queues?tab=leads&amp;sort=summary&amp;order=asc"' in page.text
    assert '<input type="hidden" name="tab" value="leads">' in page.text
