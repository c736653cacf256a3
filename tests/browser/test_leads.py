"""Leads in the browser: take one in, triage it, a supervisor opens a case from it; another is
closed with a reason; an officer who tries to convert one is told which rule refused."""

from __future__ import annotations

from browser.test_sign_in import new_person, sign_in


def test_take_in_triage_convert_and_close_leads(visit, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    supervisor = new_person(live_writ, {"supervisor"}, "Samuel Park")
    sign_in(visit, officer, "investigation", start="/leads")
    page = visit.page
    page.fill("#lead-summary", "Caller reports forged I-94 cards sold at a print shop on 5th Ave")
    page.fill("#lead-source", "phone line")
    visit.submit("button:has-text('Take in the lead')")
    assert "Lead taken in" in page.inner_text("[data-testid=note]")
    assert page.inner_text("[data-testid=lead-status]") == "new"
    lead_url = page.url.split("?")[0]
    page.click("label[for=priority-high]")
    page.fill("#lead-assignee", officer.username)
    visit.submit("button:has-text('Save the triage')")
    assert f"Triaged as high priority, assigned to {officer.username}" in page.inner_text(
        "[data-testid=note]"
    )
    visit.submit("text=All leads")
    page.fill("#lead-summary", "Anonymous note about a van")
    page.fill("#lead-source", "web form")
    visit.submit("button:has-text('Take in the lead')")
    second_url = page.url.split("?")[0]

    visit.goto("/leads")
    page.select_option("#filter-status", "triaged")
    visit.submit("text=Filter")
    assert "status=triaged" in page.url
    rows = page.locator("[data-testid=leads] tbody tr")
    assert rows.count() >= 1
    assert all("triaged" in rows.nth(i).inner_text() for i in range(rows.count())), (
        "the filter kept a lead of another status"
    )
    assert "forged I-94" in page.inner_text("[data-testid=leads]")

    visit.goto(lead_url.removeprefix(live_writ.url))
    page.fill("#convert-title", "Forged I-94 cards, 5th Ave")
    visit.submit("button:has-text('Open the case')")
    assert page.inner_text("[data-testid=denial-policy]") == "default-deny"
    assert "lead records" in page.inner_text("[data-testid=denial-grant]")

    page.context.clear_cookies()
    sign_in(visit, supervisor, "investigation", start=lead_url.removeprefix(live_writ.url))
    page.fill("#convert-title", "Forged I-94 cards, 5th Ave")
    visit.submit("button:has-text('Open the case')")
    assert "/cases/" in page.url
    assert page.inner_text("h1") == "Forged I-94 cards, 5th Ave"
    assert "opened from lead" in page.inner_text("[data-testid=note]")

    visit.goto(second_url.removeprefix(live_writ.url))
    page.fill("#close-reason", "Nothing to act on: no place, no time, no person")
    visit.submit("button:has-text('Close the lead')")
    assert page.inner_text("[data-testid=lead-status]") == "closed"
    assert "no place, no time" in page.inner_text("[data-testid=lead]")
    visit.goto(lead_url.removeprefix(live_writ.url))
    assert page.inner_text("[data-testid=lead-status]") == "converted"
