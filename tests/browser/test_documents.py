"""Legal documents, citizenship claims and declared family links in the browser: file a
withholding order with its country, see a bad country refused naming the field, revoke the order;
record a claim and see the gate it triggers, investigate it, and resolve it with legal's sign-off
and a supervisor's second; declare a child on the case."""

from __future__ import annotations

from browser.test_lifecycle import as_actor, new_case
from browser.test_sign_in import new_person, sign_in


def test_file_and_revoke_a_document_with_the_fields_its_kind_needs(visit, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    case_id, _ = new_case(live_writ.services, as_actor(officer.username, {"officer"}))
    sign_in(visit, officer, "case-processing", start=f"/immigration/{case_id}")
    page = visit.page
    visit.submit("[data-testid=documents-link]")
    assert "No document on file" in page.inner_text("main")
    page.select_option("#doc-kind-choice", "withholding")
    visit.submit("button:has-text('Show its fields')")
    form = page.locator("[data-testid=document-form]")
    assert form.locator("#doc-country").count() == 1
    assert form.locator("#doc-court").count() == 0
    page.fill("#doc-issued_at", "2024-03-01T10:00")
    page.fill("#doc-issuer", "Immigration Court, New York")
    page.fill("#doc-signer", "Judge R. Alvarez")
    page.fill("#doc-signer_role", "immigration_judge")
    page.fill("#doc-country", "Narnia")
    visit.submit("button:has-text('File the withholding of removal')")
    error = page.inner_text("[data-testid=document-error]")
    assert "country" in error and "Narnia" in error
    assert page.input_value("#doc-signer") == "Judge R. Alvarez"
    page.fill("#doc-country", "Mexico")
    visit.submit("button:has-text('File the withholding of removal')")
    assert "withholding of removal" in page.inner_text("[data-testid=note]")
    row = page.locator("[data-testid=documents] tbody tr").first
    assert "In effect" in row.locator("[data-testid=validity]").inner_text()
    assert "Country: MX" in row.inner_text()
    document_id = row.get_attribute("data-document")
    page.fill(f"#revoke-{document_id}", "Vacated on appeal")
    visit.submit(f"tr[data-document={document_id}] button:has-text('Revoke')")
    validity = page.locator(f"tr[data-document={document_id}] [data-testid=validity]")
    assert "Not in effect" in validity.inner_text() and "revoked" in validity.inner_text()
    visit.goto(f"/immigration/{case_id}")
    page.fill("#family-relation", "child")
    page.fill("#family-name", "Lucía López")
    page.click("label[for=family-minor]")
    page.fill("#family-whereabouts", "with her aunt in Newark")
    visit.submit("button:has-text('Record the family link')")
    assert "Family link to Lucía López recorded" in page.inner_text("[data-testid=note]")
    assert "child: Lucía López (minor)" in page.inner_text("[data-testid=family]")


def test_record_a_citizenship_claim_and_resolve_it(visit, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    lawyer = new_person(live_writ, {"legal"}, "Lena Brandt")
    supervisor = new_person(live_writ, {"supervisor"}, "Samuel Park")
    case_id, _ = new_case(live_writ.services, as_actor(officer.username, {"officer"}))
    sign_in(visit, officer, "case-processing", start=f"/immigration/{case_id}")
    page = visit.page
    visit.submit("[data-testid=claims-link]")
    assert "No gate rule would fire" in page.inner_text("[data-testid=gate-now]") or (
        "citizenship-claim" not in page.inner_text("[data-testid=gate-now]")
    )
    page.fill("#claim-basis", "Says she was born in El Paso, Texas; no papers with her")
    visit.submit("button:has-text('Record the claim')")
    assert "enforcement is stopped" in page.inner_text("[data-testid=note]")
    assert page.inner_text("[data-testid=claim-state]") == "Open: waiting for an investigation"
    gate = page.inner_text("[data-testid=gate-now]")
    assert "blocked" in gate and "citizenship-claim" in gate
    assert "ICE Directive 16001.2" in gate
    visit.submit("button:has-text('Open the investigation')")
    assert page.inner_text("[data-testid=claim-state]").startswith(
        f"Under investigation (by {officer.username}): waiting for legal's sign-off"
    )
    # The officer is not offered the sign-off: the page says who takes it.
    assert page.locator("button:has-text('Sign off')").count() == 0
    assert page.inner_text("[data-testid=claim-waiting]") == "The next step is for legal."
    visit.check_widths()

    page.context.clear_cookies()
    sign_in(visit, lawyer, "legal-review", start=f"/immigration/{case_id}/claims")
    page.click("label:has-text('Not a US citizen')")
    visit.submit("button:has-text('Sign off')")
    assert "waits for a second person's sign-off" in page.inner_text("[data-testid=note]")
    state = page.inner_text("[data-testid=claim-state]")
    assert state.startswith(f"Legal ({lawyer.username}) signed off: not a US citizen; waiting")
    assert "under investigation" not in state.lower()
    # The same lawyer cannot also give the second sign-off.
    assert page.locator("button:has-text('Sign off')").count() == 0
    assert f"other than {lawyer.username}" in page.inner_text("[data-testid=claim-waiting]")
    visit.check_widths()

    page.context.clear_cookies()
    sign_in(visit, supervisor, "case-processing", start=f"/immigration/{case_id}/claims")
    page.click("label:has-text('Not a US citizen')")
    visit.submit("button:has-text('Sign off')")
    assert "adjudicated: not a US citizen" in page.inner_text("[data-testid=note]")
    assert page.inner_text("[data-testid=claim-state]").startswith("Adjudicated: not a US citizen")
    assert "not us citizen" in page.inner_text("[data-testid=citizenship]")
    assert "citizenship-claim" not in page.inner_text("[data-testid=gate-now]")
