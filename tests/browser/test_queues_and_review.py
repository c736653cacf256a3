"""Work a queue (tabs with counts, sorting and filters in the URL) and review a match."""

from __future__ import annotations

import pytest

from browser.test_lifecycle import as_actor, new_case
from browser.test_sign_in import new_person, sign_in
from test_resolve_service import PEOPLE, put_people
from test_resolve_support import hand_set_model
from writ.model.actor import system_actor
from writ.resolve import repository
from writ.resolve import service as resolve


@pytest.fixture(scope="module")
def matches(live_writ) -> None:
    svc = live_writ.services
    put_people(svc, PEOPLE)
    with svc.store.transaction() as session:
        repository.save_model(session, hand_set_model(), "test", "2024-01-01T00:00:00+00:00")
    resolve.run(svc, system_actor("resolve"))


def test_work_a_queue(visit, live_writ, matches):
    supervisor = new_person(live_writ, {"supervisor"}, "Samuel Park")
    who = as_actor(supervisor.username, {"supervisor"})
    for _ in range(3):
        new_case(live_writ.services, who)
    sign_in(visit, supervisor, "case-processing", start="/queues?tab=immigration")
    page = visit.page
    assert int(page.inner_text("[data-testid=count-immigration]")) >= 3
    assert int(page.inner_text("[data-testid=count-review]")) >= 1
    visit.submit("th >> text=A-number")
    assert "sort=a_number" in page.url and "order=asc" in page.url
    page.select_option("#filter-state", "encounter")
    visit.submit("text=Filter")
    assert "state=encounter" in page.url
    assert page.locator("[data-testid=queue-table] tbody tr").count() >= 3
    visit.submit("[data-testid=queue-table] tbody tr:first-child a")
    assert "/immigration/" in page.url


def test_review_a_match(visit, live_writ, matches):
    supervisor = new_person(live_writ, {"supervisor"}, "Samuel Park")
    sign_in(visit, supervisor, "investigation", start="/queues?tab=review")
    page = visit.page
    before = int(page.inner_text("[data-testid=count-review]"))
    visit.submit("[data-testid=queue-table] tbody tr:first-child a")
    assert page.locator("[data-testid=side-by-side] tbody tr").count() >= 2
    assert page.inner_text("[data-testid=explanation]").strip()
    page.click("label[for=verdict-not_same]")
    page.fill("#reason", "Different A-numbers on file; the birth dates only look alike.")
    visit.submit("text=Record judgement")
    assert "was recorded" in page.inner_text("[data-testid=judged]")
    assert int(page.inner_text("[data-testid=count-review]")) == before - 1
