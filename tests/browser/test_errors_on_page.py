"""Errors on the page, in Chromium: a form that fails on its input comes back on the page it was
on, with what was typed, each field's error beside it and a summary at the top linking to the
field; a bad value in the address is left out and said in plain words."""

from __future__ import annotations

from browser.conftest import visiting
from browser.test_sign_in import new_person, sign_in
from helpers import actor
from writ.cases import service as case_service
from writ.lifecycle import service as lc

ADMIN = actor("admin", user="setup-admin", purpose="administration")
CUSTODIAN = actor("custodian", user="setup-custodian", purpose="records-management")


def _facility(live_writ) -> None:
    known = {f.id for f in lc.list_facilities(live_writ.services, CUSTODIAN)}
    if "BTV" not in known:
        lc.add_facility(
            live_writ.services, ADMIN, lc.Facility("BTV", "Burlington", "1 Road", "555-0100")
        )


def test_a_bad_facility_keeps_the_case_and_says_why_beside_the_field(visit, live_writ):
    _facility(live_writ)
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    case = lc.open_case(
        live_writ.services,
        actor("officer", user=officer.username, purpose="case-processing"),
        subject_name="Tomás Herrera Blanco",
    )
    sign_in(visit, officer, "case-processing", start=f"/immigration/{case.id}")
    page = visit.page
    page.fill("#custody-facility", "ZZZ")
    visit.submit("#custody button[type=submit]")
    assert page.inner_text("h1") == "Tomás Herrera Blanco"
    summary = page.inner_text("[data-testid=error-summary]")
    assert "No facility ZZZ" in summary
    assert page.input_value("#custody-facility") == "ZZZ"
    assert page.get_attribute("#custody-facility", "aria-invalid") == "true"
    assert "No facility ZZZ" in page.inner_text("#custody-facility-error")
    visit.check_widths()
    page.click("[data-testid=error-summary] a[href='#custody-facility']")
    assert page.evaluate("location.hash") == "#custody-facility"
    page.fill("#custody-facility", "BTV")
    visit.submit("#custody button[type=submit]")
    assert page.inner_text("[data-testid=custody-status]") == "detained"
    assert page.locator("[data-testid=error-summary]").count() == 0


def test_a_due_date_of_next_friday_is_refused_beside_the_field_without_scripts(chromium, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    case = case_service.open_case(
        live_writ.services,
        actor("officer", user=officer.username),
        type="investigation",
        title="Print shop in Queens",
    )
    with visiting(chromium, live_writ.url, scripts=False) as visit:
        sign_in(visit, officer, "investigation", start=f"/cases/{case.id}")
        page = visit.page
        page.fill("#task-title", "Interview the landlord")
        page.fill("#task-due", "next friday")
        visit.submit("#tasks button[type=submit]")
        assert page.inner_text("h1") == "Print shop in Queens"
        assert '"next friday" is not a date' in page.inner_text("#task-due-error")
        assert page.input_value("#task-due") == "next friday"
        assert page.input_value("#task-title") == "Interview the landlord"
        assert "Due date" in page.inner_text("[data-testid=error-summary]")
        visit.check_widths()
        page.fill("#task-due", "2031-06-30")
        visit.submit("#tasks button[type=submit]")
        assert "Interview the landlord, due 2031-06-30" in page.inner_text(
            "[data-testid=active-tasks]"
        )


def test_a_bad_page_number_is_left_out_and_said(visit, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation")
    visit.goto("/queues?page=abc")
    page = visit.page
    assert page.inner_text("h1") == "Work queues"
    assert '"abc" must be a whole number. It was left out.' in page.inner_text(
        "[data-testid=error-summary]"
    )
    visit.check_widths()
