"""Actions by permission, clear state after them, and a confirmation before an enforcement
action, in Chromium: a form the person may not use is not shown, and the page names who can act
(the decision is the policy's and the gate rule's own); an override's history says what became of
the blocked attempt; executing a removal needs a confirmation that spells out what it does."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from browser.test_lifecycle import as_actor, file, new_case
from browser.test_sign_in import new_person, sign_in
from test_lifecycle_service import act
from test_lifecycle_service import file as file_as_officer
from writ.lifecycle import service as lc

_numbers = itertools.count(700)


def _blocked_detainer(svc, asker) -> tuple[str, int]:
    """A detainer asked for by ``asker`` and blocked by the soft gate detainer-database-only."""
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
    return case_id, blocked.attempt_id


def test_the_override_is_offered_only_to_who_may_give_it_and_the_history_follows(visit, live_writ):
    svc = live_writ.services
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    supervisor = new_person(live_writ, {"supervisor"}, "Samuel Park")
    asker = as_actor(officer.username, {"officer"})
    case_id, attempt = _blocked_detainer(svc, asker)

    # The officer who asked sees no override form, and who can give it.
    sign_in(visit, officer, "case-processing", start=f"/immigration/{case_id}")
    page = visit.page
    assert page.locator("[data-testid=override-form]").count() == 0
    waiting = page.inner_text("[data-testid=override-waiting]")
    # The rule names supervisors; the policy wants one of the case's unit; not the requester.
    assert f"a supervisor of ERO-NYC, other than {officer.username} (who asked" in waiting
    visit.check_widths()

    # The supervisor is offered it; a reason of one word comes back beside the field, kept.
    page.context.clear_cookies()
    sign_in(visit, supervisor, "case-processing", start=f"/immigration/{case_id}")
    form = page.locator("[data-testid=override-form]")
    assert form.count() == 1
    form.locator("textarea").fill("Prints")
    visit.submit("[data-testid=override-form] button")
    reason = f"#override-{attempt}-detainer-database-only-reason"
    assert "needs a written reason" in page.inner_text(f"{reason}-error")
    assert page.input_value(reason) == "Prints"
    visit.check_widths()
    page.fill(reason, "Prints match the A-file and the I-213 on file")
    visit.submit("[data-testid=override-form] button")
    outcome = page.inner_text(f"[data-attempt='{attempt}'] [data-testid=attempt-outcome]")
    assert outcome == (
        f"overridden (detainer-database-only by {supervisor.username}): "
        f"{officer.username} may now issue detainer again"
    )
    assert "blocked" not in outcome

    # The officer asks again: done, and the blocked attempt says where.
    again = lc.request_action(svc, asker, case_id, "issue_detainer")
    assert isinstance(again, lc.Done)
    visit.goto(f"/immigration/{case_id}")
    outcome = page.inner_text(f"[data-attempt='{attempt}'] [data-testid=attempt-outcome]")
    assert outcome.endswith(f"done in attempt {again.attempt_id}")


def test_an_officer_of_another_unit_is_offered_no_action(visit, live_writ):
    svc = live_writ.services
    owner = as_actor("owner-nyc", {"officer"})
    case_id, _ = new_case(svc, owner)
    stranger = new_person(live_writ, {"legal"}, "Lena Brandt")
    sign_in(visit, stranger, "legal-review", start=f"/immigration/{case_id}")
    page = visit.page
    assert page.locator("form[action$='/actions']").count() == 0
    assert page.locator("form[action$='/custody']").count() == 0
    who = page.inner_text("[data-testid=who-may-act]")
    assert "taken by an officer or a supervisor of ERO-NYC." in who
    visit.check_widths()


def _ready_to_remove(svc) -> str:
    """A case with a final order, an I-205 and a travel document, in custody, removal
    scheduled to Mexico."""
    from test_lifecycle_service import OFFICER

    case = lc.open_case(
        svc,
        OFFICER,
        subject_name="Rosa Elena Vidal",
        country_of_birth="Mexico",
        a_number_value=f"A-200-777-{next(_numbers)}",
    )
    act(svc, case.id, "verify_identity", "begin_charging")
    file_as_officer(svc, case.id, "i862", 300)
    act(svc, case.id, "charge")
    file_as_officer(svc, case.id, "custody_decision", 299, decision="recognizance")
    act(svc, case.id, "decide_custody")
    file_as_officer(
        svc,
        case.id,
        "order",
        3,
        court="IJ",
        disposition="removal",
        appeal_waived=True,
        designated_countries=["MX"],
    )
    act(svc, case.id, "record_order", "order_becomes_final")
    file_as_officer(svc, case.id, "i205", 2)
    file_as_officer(svc, case.id, "travel_document", 2, country="MX", number="G123")
    plan = lc.RemovalPlan(
        destination_country="MX",
        scheduled_for=datetime.now(UTC) + timedelta(hours=48),
        itinerary=[{"flight": "XA123"}],
    )
    assert lc.plan_removal(svc, OFFICER, case.id, plan).state == "removal_scheduled"
    return case.id


def test_executing_a_removal_asks_for_confirmation_first(visit, live_writ):
    svc = live_writ.services
    case_id = _ready_to_remove(svc)
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "case-processing", start=f"/immigration/{case_id}")
    page = visit.page
    visit.submit("[data-testid=execute-removal]")
    assert page.inner_text("h1") == "Execute the removal of Rosa Elena Vidal to Mexico?"
    consequences = page.inner_text("[data-testid=confirm-consequences]")
    assert "recorded as removed to Mexico" in consequences
    assert "cannot be undone" in page.inner_text("[data-testid=confirm-undo]")
    assert "XA123" in page.inner_text("[data-testid=confirm-facts]")
    visit.check_widths()
    assert lc.get_case(svc, as_actor(officer.username, {"officer"}), case_id).case.state == (
        "removal_scheduled"
    )
    visit.submit("[data-testid=cancel]")
    assert page.inner_text("[data-testid=state]") == "removal scheduled"
    visit.submit("[data-testid=execute-removal]")
    visit.submit("[data-testid=confirm]")
    assert page.inner_text("[data-testid=state]") == "removed"
    assert page.get_attribute("[data-testid=result]", "data-outcome") == "done"
