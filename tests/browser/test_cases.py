"""Investigation cases in the browser: open a case, add evidence and verify it."""

from __future__ import annotations

import hashlib

from browser.test_sign_in import new_person, sign_in


def test_open_a_case(visit, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation", start="/cases")
    page = visit.page
    page.fill("#case-title", "Counterfeit documents ring, Queens")
    visit.submit("button:has-text('Open the case')")
    assert "/cases/" in page.url
    assert page.inner_text("h1") == "Counterfeit documents ring, Queens"
    assert "opened" in page.inner_text("[data-testid=note]")
    assert officer.username in page.inner_text("[data-testid=identity]")
    page.fill("#task-title", "Interview the landlord")
    visit.submit("button:has-text('Add task')")
    assert "Interview the landlord" in page.inner_text("[data-testid=active-tasks]")
    visit.goto("/queues?tab=tasks")
    assert int(page.inner_text("[data-testid=count-tasks]")) >= 1


def test_add_evidence_and_verify_it(visit, live_writ, tmp_path):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation", start="/cases")
    page = visit.page
    page.fill("#case-title", "Evidence handling")
    visit.submit("button:has-text('Open the case')")
    photo = tmp_path / "ledger-page-12.txt"
    photo.write_bytes(b"Ledger page 12: payments to the print shop, March.\n")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    page.set_input_files("#evidence-content", str(photo))
    page.fill("#evidence-description", "Photographed ledger page")
    visit.submit("button:has-text('Add evidence')")
    assert digest in page.inner_text("[data-testid=note]")
    assert digest in page.inner_text("[data-testid=evidence]")
    visit.submit("[data-testid=evidence] button")
    assert f"Verified: the content still hashes to {digest}" in page.inner_text(
        "[data-testid=note]"
    )


def test_a_subject_profile_shows_sources_chart_and_timeline(visit, live_writ):
    from helpers import put_statements

    put_statements(
        live_writ.services,
        "profile-1",
        "Person",
        {"firstName": "Maria", "lastName": "Lopez", "birthDate": "1984-03-02"},
        source="court_records",
        record_id="C-1042",
    )
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation", start="/subjects/profile-1")
    page = visit.page
    assert page.inner_text("h1") == "Maria Lopez"
    assert "court_records" in page.text_content("[data-testid=subject-values]")
    assert "1984-03-02" in page.inner_text("[data-testid=timeline]")
