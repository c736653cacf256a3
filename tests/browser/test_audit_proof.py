"""Oversight staff check an audit entry's inclusion proof in their own browser."""

from __future__ import annotations

from browser.test_sign_in import new_person, sign_in


def test_verify_an_audit_proof(visit, live_writ):
    olive = new_person(live_writ, {"oversight"}, "Olive Grant")
    sign_in(visit, olive, "oversight", start="/audit")
    page = visit.page
    assert page.url.endswith("/audit")
    visit.submit("[data-testid=audit-table] tbody tr:last-child a")
    page.wait_for_selector("#browser-check[data-result]")
    assert page.get_attribute("#browser-check", "data-result") == "verified"
    text = page.inner_text("[data-testid=browser-check]")
    assert "hashes to its recorded leaf" in text
    assert "Ed25519 signature on that root checks out" in text
    visit.check()
