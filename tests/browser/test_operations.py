"""Operation plans in the browser: an officer drafts a plan from two cases, a supervisor approves
it and sees the case without a warrant excluded with the cited rule, executes the other, and
opens the field worklist."""

from __future__ import annotations

from browser.test_lifecycle import as_actor, file, new_case
from browser.test_sign_in import new_person, sign_in
from writ.lifecycle import service as lc


def test_plan_approve_execute_and_open_the_worklist(visit, live_writ):
    svc = live_writ.services
    planner = new_person(live_writ, {"officer"}, "Olivia Ortega")
    approver = new_person(live_writ, {"supervisor"}, "Samuel Park")
    who = as_actor(planner.username, {"officer"})
    warranted, _ = new_case(svc, who)
    file(svc, who, warranted, "i862", 3)
    file(svc, who, warranted, "i200", 2)
    bare, _ = new_case(svc, who)
    sign_in(visit, planner, "case-processing", start="/operations")
    page = visit.page
    page.fill("#plan-title", "Dawn operation, Queens")
    page.fill("#plan-when", "2031-05-04T05:30")
    page.click(f"label[for=plan-case-{warranted}]")
    page.click(f"label[for=plan-case-{bare}]")
    visit.submit("button:has-text('Draft the plan')")
    assert "Plan drafted with 2 cases" in page.inner_text("[data-testid=note]")
    assert page.inner_text("[data-testid=plan-status]") == "draft"
    plan_path = page.url.split("?")[0].removeprefix(live_writ.url)
    visit.submit("button:has-text('Approve the plan')")
    assert page.inner_text("[data-testid=denial-policy]") == "default-deny"

    page.context.clear_cookies()
    sign_in(visit, approver, "case-processing", start=plan_path)
    visit.submit("button:has-text('Approve the plan')")
    assert "1 case(s) cleared the gates, 1 excluded" in page.inner_text("[data-testid=note]")
    bare_row = page.locator(f"tr[data-case={bare}]")
    assert bare_row.locator("[data-testid=case-status]").inner_text() == "excluded"
    assert "operation-warrant" in bare_row.inner_text()
    assert "8 CFR 287.8" in bare_row.locator("[data-testid=citation]").first.inner_text()
    visit.submit(f"tr[data-case={warranted}] button:has-text('Execute')")
    assert f"Case {warranted} executed" in page.inner_text("[data-testid=note]")
    row = page.locator(f"tr[data-case={warranted}]")
    assert row.locator("[data-testid=case-status]").inner_text() == "executed"
    visit.submit("[data-testid=worklist-link]")
    assert page.url.endswith(f"/field/{plan_path.rsplit('/', 1)[1]}")
    assert "Ana María López" in page.inner_text("[data-testid=worklist]")
    plan = lc.get_operation_plan(svc, as_actor(approver.username, {"supervisor"}), plan_path[12:])
    assert plan.approved_by == approver.username
    visit.goto("/operations")
    assert "Dawn operation, Queens" in page.inner_text("[data-testid=plans]")
