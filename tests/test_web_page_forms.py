"""The new pages without a browser: every form that changes something refuses a post without the
session's CSRF token and changes nothing; a list keeps its filters in the URL; a bad document
is refused naming the field, with what was typed kept."""

from __future__ import annotations

import pytest

from helpers import actor
from test_web import browser, csrf, sign_in  # noqa: F401  (browser is a fixture)
from test_web_accounts import add_account
from writ.cases import service as case_service
from writ.lifecycle import service as lc

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

FORMS = [
    "/leads",
    "/leads/L1/triage",
    "/leads/L1/convert",
    "/leads/L1/close",
    "/operations",
    "/operations/OP-1/approve",
    "/operations/OP-1/cases/IC-1/execute",
    "/immigration/IC-1/documents",
    "/immigration/IC-1/documents/d-1/revoke",
    "/immigration/IC-1/claims",
    "/immigration/IC-1/claims/c-1/investigate",
    "/immigration/IC-1/family",
    "/subjects/e-1/merge",
    "/subjects/e-1/split",
    "/subjects/e-1/undo",
    "/admin/quarantine/1/retry",
    "/admin/sources/court/quarantine/retry",
]


def test_every_new_form_needs_the_csrf_token(browser, services):  # noqa: F811
    ana = add_account(services, "ana", {"officer", "supervisor", "custodian"})
    sign_in(browser, ana)
    for path in FORMS:
        response = browser.post(path, data={"csrf": "forged", "event": "1"})
        assert response.status_code == 403, path
        assert "Form out of date" in response.text, path
    assert case_service.list_leads(services, actor("officer", user="ana")) == []


def test_the_lead_list_keeps_filters_and_sorting_in_the_url(browser, services):  # noqa: F811
    ana = add_account(services, "ana", {"officer"})
    who = actor("officer", user="ana")
    for n in range(30):
        case_service.take_lead(services, who, summary=f"Tip {n:02}", source="phone")
    sign_in(browser, ana)
    first = browser.get("/leads?sort=summary&order=asc")
    assert first.status_code == 200
    assert "30 leads" in first.text and "page 1 of 2" in first.text
    assert "Tip 00" in first.text and "Tip 29" not in first.text
    second = browser.get("/leads?sort=summary&order=asc&page=2")
    assert "Tip 29" in second.text and "Tip 00" not in second.text
    assert 'href="/leads?sort=summary&amp;order=asc&amp;page=1"' in second.text
    none = browser.get("/leads?status=closed")
    assert "No lead of your unit matches" in none.text


def test_a_bad_document_is_refused_naming_the_field(browser, services):  # noqa: F811
    ana = add_account(services, "ana", {"officer"})
    worker = actor("officer", user="ana", purpose="case-processing")
    case = lc.open_case(services, worker, subject_name="Ana")
    sign_in(browser, ana, "case-processing")
    page = browser.get(f"/immigration/{case.id}/documents?kind=order")
    assert page.status_code == 200
    assert 'id="doc-court"' in page.text and 'id="doc-country"' not in page.text
    response = browser.post(
        f"/immigration/{case.id}/documents",
        data={
            "csrf": csrf(page.text),
            "kind": "order",
            "issued_at": "2024-01-02T09:00",
            "issuer": "EOIR",
            "signer": "Judge Alvarez",
            "signer_role": "immigration_judge",
            "court": "IJ",
            "disposition": "removal",
            "designated_countries": "Mexico, Atlantis",
        },
    )
    assert response.status_code == 422
    assert "designated_countries" in response.text and "Atlantis" in response.text
    assert 'value="Judge Alvarez"' in response.text
    assert lc.get_case(services, worker, case.id).documents == []


def test_a_claim_step_out_of_order_is_explained_on_the_claims_page(browser, services):  # noqa: F811
    lee = add_account(services, "lee", {"legal"})
    worker = actor("officer", user="ana", purpose="case-processing")
    case = lc.open_case(services, worker, subject_name="Ana")
    claim = lc.record_citizenship_claim(services, worker, case.id, basis="Born in El Paso")
    lc.investigate_claim(services, worker, case.id, claim.id)
    sign_in(browser, lee, "legal-review")
    page = browser.get(f"/immigration/{case.id}/claims")
    assert "citizenship-claim" in page.text and "ICE Directive 16001.2" in page.text
    path = f"/immigration/{case.id}/claims/{claim.id}/sign-off"
    form = {
        "csrf": csrf(page.text),
        "outcome": "citizen",
        "_page": f"/immigration/{case.id}/claims",
        "_form": f"signoff-{claim.id}",
    }
    first = browser.post(path, data=form)
    assert first.status_code == 303
    again = browser.post(path, data=form)  # the same lawyer again: back on the claims page
    assert again.status_code == 422
    assert "the second sign-off must be by another person" in again.text
    assert 'data-testid="claim-state">Legal (lee) signed off: a US citizen; waiting' in again.text
