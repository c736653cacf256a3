"""Banners say only what writ said: no page reads a message from its address (``?note=``,
``?alert=``); a message is kept in the server-side session and shown once, after the redirect
(issue 13 finding 7, issue 15)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from helpers import actor
from security.web import csrf, page_sign_in, routes_of
from test_web_accounts import add_account
from writ.api.app import create_app
from writ.cases import service as case_service
from writ.lifecycle import service as lc

PLANTED = "Your account is suspended: call 555-0100 now"


@pytest.fixture
def client(services):
    with TestClient(create_app(services, demo=True), follow_redirects=False) as test_client:
        yield test_client


def _page_paths(app, ids: dict[str, str]) -> list[str]:
    """Every page address (GET, outside the API), with the ids of real objects filled in."""
    paths = []
    for route in routes_of(app):
        if "GET" not in (route.methods or ()):
            continue
        if route.path.startswith(("/api/", "/static", "/sign-in/oidc")):
            continue
        path = route.path
        for name in re.findall(r"\{(\w+)(?::\w+)?\}", path):
            path = re.sub(r"\{" + name + r"(?::\w+)?\}", ids.get(name, "x"), path)
        paths.append(path)
    return paths


def test_no_page_puts_text_from_its_address_in_a_banner(client, services):
    officer = actor("officer", user="ana")
    case = case_service.open_case(services, officer, type="investigation", title="Storefront")
    lead = case_service.take_lead(services, officer, summary="A tip", source="hotline")
    immigration = lc.open_case(services, officer, subject_name="Mateo Quispe")
    page_sign_in(client, add_account(services, "ana", {"officer", "supervisor"}))
    ids = {"case_id": case.id, "lead_id": lead.id, "entity_id": "p1", "source": "court"}
    ids["case_id"] = case.id
    checked = 0
    for path in [*_page_paths(client.app, ids), f"/immigration/{immigration.id}"]:
        for name in ("note", "alert", "message", "error", "notice"):
            page = client.get(path, params={name: PLANTED})
            # The page's own address may be kept in a form's hidden field (to come back to it);
            # nowhere else may the text appear.
            shown = re.sub(r'value="[^"]*"', "", page.text)
            assert PLANTED not in shown, f"{path}?{name}= is shown: {page.status_code}"
            checked += 1
    assert checked > 100


def test_a_message_is_shown_once_after_the_redirect(client, services):
    page_sign_in(client, add_account(services, "ana", {"officer"}))
    cases = client.get("/cases")
    opened = client.post(
        "/cases", data={"csrf": csrf(cases.text), "title": "Storefront", "type": "investigation"}
    )
    assert opened.status_code == 303
    assert "?" not in opened.headers["location"]  # nothing of the message in the address
    first = client.get(opened.headers["location"])
    assert re.search(r'data-testid="note">.*Case \S+ opened\.', first.text, re.S)
    again = client.get(opened.headers["location"])
    assert "opened." not in again.text


def test_a_message_stays_in_its_own_session(client, services):
    ana = add_account(services, "ana", {"officer"})
    page_sign_in(client, ana)
    cases = client.get("/cases")
    opened = client.post(
        "/cases", data={"csrf": csrf(cases.text), "title": "Storefront", "type": "investigation"}
    )
    with TestClient(client.app, follow_redirects=False) as other:
        page_sign_in(other, add_account(services, "ben", {"officer"}))
        assert "opened." not in other.get(opened.headers["location"]).text
    assert "opened." in client.get(opened.headers["location"]).text


def test_a_broken_evidence_hash_is_an_error_banner_shown_once(services, tmp_path):
    app = create_app(services, demo=True, evidence_root=tmp_path)
    with TestClient(app, follow_redirects=False) as client:
        page_sign_in(client, add_account(services, "ana", {"officer"}))
        case = case_service.open_case(
            services, actor("officer", user="ana"), type="investigation", title="Storefront"
        )
        page = client.get(f"/cases/{case.id}")
        added = client.post(
            f"/cases/{case.id}/evidence",
            data={"csrf": csrf(page.text), "description": "ledger", "retain_until": "2033-01-01"},
            files={"content": ("ledger.txt", b"original bytes", "text/plain")},
        )
        assert added.status_code == 303
        client.get(added.headers["location"])
        (stored,) = [
            p for p in tmp_path.rglob("*") if p.is_file() and p.read_bytes() == b"original bytes"
        ]
        stored.write_bytes(b"altered bytes")
        (item,) = case_service.case_evidence(services, actor("officer", user="ana"), case.id)
        checked = client.post(
            f"/cases/{case.id}/evidence/{item.id}/verify", data={"csrf": csrf(page.text)}
        )
        assert "?" not in checked.headers["location"]
        shown = client.get(checked.headers["location"])
        assert re.search(r'role="alert" data-testid="flash-alert">.*ledger\.txt', shown.text, re.S)
        assert 'data-testid="flash-alert"' not in client.get(checked.headers["location"]).text
