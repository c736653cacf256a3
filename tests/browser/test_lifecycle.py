"""Immigration-case workflows in the browser: a blocked removal shows its cited rules, a second
person overrides a soft gate, and a custody transfer shows at once in the public locator."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from browser.conftest import Visit
from browser.test_sign_in import new_person, sign_in
from helpers import audit_rows
from writ.demo.photos import placeholder_photo
from writ.lifecycle import service as lc
from writ.model.actor import Actor

_numbers = itertools.count(500)


def as_actor(username: str, roles: set[str], purpose: str = "case-processing") -> Actor:
    return Actor(username, frozenset(roles), "ERO-NYC", purpose=purpose)


def new_case(svc, who: Actor) -> tuple[str, str]:
    number = f"A-200-300-{next(_numbers)}"
    case = lc.open_case(
        svc,
        who,
        subject_name="Ana María López",
        birth_date=date(1990, 5, 17),
        country_of_birth="Mexico",
        a_number_value=number,
    )
    return case.id, number.replace("-", "")[1:]


def file(svc, who: Actor, case_id: str, kind: str, hours_ago: float, **fields: Any) -> str:
    signer = (
        ("S. Diaz", "supervisory_deportation_officer")
        if kind == "i200"
        else (
            "P. Officer",
            "deportation_officer",
        )
    )
    data = {
        "kind": kind,
        "issued_at": datetime.now(UTC) - timedelta(hours=hours_ago),
        "issuer": "ERO New York",
        "signer": signer[0],
        "signer_role": signer[1],
        **fields,
    }
    return lc.add_document(svc, who, case_id, data).id


def test_attempt_a_blocked_removal_and_see_the_cited_rule(visit, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "case-processing", start="/immigration")
    page = visit.page
    page.fill("#ic-name", "Jorge Ramírez")
    page.fill("#ic-born", "1988-02-29")
    page.fill("#ic-country", "Mexico")
    page.fill("#ic-a", f"A-200-301-{next(_numbers)}")
    visit.submit("button:has-text('Open the case')")
    assert page.inner_text("h1") == "Jorge Ramírez"
    page.fill("#removal-flight", "XA123")
    visit.submit("text=Schedule removal")
    assert page.get_attribute("[data-testid=result]", "data-outcome") == "blocked"
    result = page.inner_text("[data-testid=result]")
    assert "removal-final-order" in result
    citations = page.locator("[data-testid=result] [data-testid=citation]").all_inner_texts()
    assert any("8 CFR" in c for c in citations), citations
    assert page.inner_text("[data-testid=state]") == "encounter"


def test_override_a_soft_gate_as_a_second_person(visit, live_writ):
    svc = live_writ.services
    requester = new_person(live_writ, {"officer", "supervisor"}, "Omar Haddad")
    second = new_person(live_writ, {"supervisor"}, "Samuel Park")
    asker = as_actor(requester.username, {"officer", "supervisor"})
    case_id, _ = new_case(svc, asker)
    file(svc, asker, case_id, "i862", 3)
    warrant = file(svc, asker, case_id, "i200", 2)
    file(
        svc,
        asker,
        case_id,
        "i247a",
        1,
        probable_cause=["database_match"],
        attachments=[warrant],
        served_at=datetime.now(UTC) - timedelta(minutes=30),
    )
    blocked = lc.request_action(svc, asker, case_id, "issue_detainer")
    assert blocked.evaluation.fired() == ("detainer-database-only",)
    sign_in(visit, second, "case-processing", start=f"/immigration/{case_id}")
    page = visit.page
    form = page.locator("[data-testid=override-form]")
    assert form.count() == 1
    form.locator("textarea").fill(
        "Fingerprint match confirmed against the A-file and the I-213 on file"
    )
    visit.submit("[data-testid=override-form] button")
    assert "Override of detainer-database-only recorded" in page.inner_text("[data-testid=note]")
    assert second.username in page.inner_text("[data-testid=overrides]")
    again = lc.request_action(svc, asker, case_id, "issue_detainer")
    assert isinstance(again, lc.Done)


@pytest.fixture(scope="module")
def facilities(live_writ) -> None:
    custodian = as_actor("records", {"custodian"}, "records-management")
    for code, name, phone in (
        ("ELZ", "Elizabeth Detention Center", "908-555-0100"),
        ("MOS", "Moshannon Valley Processing Center", "814-555-0100"),
    ):
        facility = lc.Facility(code, name, f"1 Main St, {code}", phone)
        lc.add_facility(live_writ.services, custodian, facility)


def test_transfer_custody_and_find_the_person_in_the_locator(
    visit, live_writ, chromium, facilities
):
    svc = live_writ.services
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    who = as_actor(officer.username, {"officer"})
    case_id, a_number = new_case(svc, who)
    assert isinstance(lc.book_into_custody(svc, who, case_id, "ELZ"), lc.Done)
    sign_in(visit, officer, "case-processing", start=f"/immigration/{case_id}")
    page = visit.page
    page.fill("#custody-facility", "MOS")
    visit.submit("#custody button")
    assert page.get_attribute("[data-testid=result]", "data-outcome") == "done"
    assert "Moshannon" in page.inner_text("[data-testid=identity]")

    public = chromium.new_context()
    try:
        family = Visit(public.new_page(), live_writ.url)
        family.goto("/locator")
        family.page.fill("#loc-a", a_number)
        family.page.fill("#loc-country", "Mexico")
        family.submit("form button[type=submit]")
        entry = family.page.inner_text("[data-testid=locator-entry]")
        assert "Moshannon Valley Processing Center" in entry and "814-555-0100" in entry
        assert not family.unchecked()
    finally:
        public.close()


def test_the_field_worklist_shows_the_photo_of_record(visit, live_writ):
    svc = live_writ.services
    planner = new_person(live_writ, {"officer"}, "Olivia Ortega")
    approver = new_person(live_writ, {"supervisor"}, "Samuel Park")
    who = as_actor(planner.username, {"officer"})
    case_id, _ = new_case(svc, who)
    file(svc, who, case_id, "i862", 30)
    file(svc, who, case_id, "i200", 20)
    photo = lc.set_photo(
        svc,
        who,
        case_id,
        placeholder_photo("BROWSER"),
        source="booking photo, ERO New York processing",
        legal_basis="8 CFR 236.5",
        files=lc.photo_files(live_writ.home / "photos"),
    )
    plan = lc.create_operation_plan(
        svc,
        who,
        title="Synthetic field operation",
        planned_for=datetime.now(UTC) + timedelta(days=1),
        case_ids=[case_id],
    )
    lc.approve_operation_plan(svc, as_actor(approver.username, {"supervisor"}), plan.id)

    phone = visit.page
    phone.set_viewport_size({"width": 390, "height": 844})
    sign_in(visit, planner, "case-processing", start=f"/field/{plan.id}")
    image = phone.locator("[data-testid=worklist] img[data-testid=photo]")
    assert image.get_attribute("alt") == "Photo of record of Ana María López"
    # The browser loaded the image through the signed-in, audited route.
    assert phone.evaluate("img => img.complete && img.naturalWidth", image.element_handle()) > 0
    reads = [
        r
        for r in audit_rows(svc)
        if r["action"] == "photo-of-record.read" and r["object_id"] == photo.id
    ]
    assert [r["actor"] for r in reads] == [planner.username]
    assert "Gates now: clear" in phone.inner_text("[data-testid=worklist]")
    visit.submit("[data-testid=worklist] a:has-text('Open the case')")
    on_case = phone.locator("img[data-testid=photo-of-record]")
    assert on_case.get_attribute("alt") == "Photo of record of Ana María López"
    assert phone.evaluate("img => img.complete && img.naturalWidth", on_case.element_handle()) > 0
