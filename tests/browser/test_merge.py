"""Merge, split and undo in the browser, from the subject profile: the stable subject id, a merge
with a reason, its undo from the history, a split; and the family links found in records on the
subject page, beside those declared on the person's immigration case."""

from __future__ import annotations

import pytest

from browser.test_lifecycle import as_actor
from browser.test_sign_in import new_person, sign_in
from helpers import put_statements
from test_resolve_service import PEOPLE, put_people
from test_resolve_support import hand_set_model
from writ.lifecycle import service as lc
from writ.model.actor import system_actor
from writ.resolve import repository
from writ.resolve import service as resolve
from writ.search import service as search_service


@pytest.fixture(scope="module")
def resolved(live_writ) -> None:
    svc = live_writ.services
    put_people(svc, {f"m-{entity}": props for entity, props in PEOPLE.items()})
    with svc.store.transaction() as session:
        repository.save_model(session, hand_set_model(), "test", "2024-01-01T00:00:00+00:00")
    resolve.run(svc, system_actor("resolve"))
    search_service.reindex(svc, system_actor("search"))  # as ingest would have


def _subject_id(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.inner_text("[data-testid=subject-id]"))


def test_merge_undo_and_split_from_the_subject_profile(visit, live_writ, resolved):
    supervisor = new_person(live_writ, {"supervisor"}, "Samuel Park")
    sign_in(visit, supervisor, "investigation", start="/subjects/m-e-namesake")
    page = visit.page
    visit.submit("[data-testid=resolution-link]")
    namesake = _subject_id(page)
    assert page.locator("[data-testid=members] tbody tr").count() == 1
    # The picker offers the subjects named like this one, from the store.
    assert "Maria Garcia Lopez" in page.inner_text("[data-testid=merge-candidates]")
    page.fill("#merge-find", "012345678")
    visit.submit("button:has-text('Find')")
    candidates = page.locator("[data-testid=merge-candidates] .usa-radio")
    assert candidates.count() == 1 and "A012345678" in candidates.inner_text()
    candidates.locator("label").click()
    page.fill("#merge-reason", "Same fingerprints on both bookings")
    visit.submit("button:has-text('Merge')")
    # Nothing is merged before the confirmation page says what will happen.
    assert page.inner_text("h1").startswith(f"Merge {namesake} and ")
    assert "become one person" in page.inner_text("[data-testid=confirm-consequences]")
    assert "Same fingerprints on both bookings" in page.inner_text("[data-testid=confirm-facts]")
    assert "can be undone" in page.inner_text("[data-testid=confirm-undo]")
    visit.check_widths()
    visit.submit("[data-testid=confirm]")
    note = page.inner_text("[data-testid=note]")
    assert "Merge with" in note and "record(s) changed subject" in note
    merged = _subject_id(page)
    assert merged != namesake
    members = page.inner_text("[data-testid=members]")
    assert "m-e-namesake" in members and "m-e-maria-1" in members
    event = page.locator("[data-testid=history] tbody tr").first
    assert "merge" in event.inner_text() and "Same fingerprints" in event.inner_text()
    event_id = event.get_attribute("data-event")
    page.fill(f"#undo-{event_id}", "The prints were the sister's")
    visit.submit(f"tr[data-event='{event_id}'] button:has-text('Undo')")
    assert f"Undo of event {event_id}" in page.inner_text("[data-testid=note]")
    assert _subject_id(page) == merged and "m-e-namesake" not in page.inner_text(
        "[data-testid=members]"
    )
    assert "undone by event" in page.inner_text(f"tr[data-event='{event_id}']")
    visit.goto("/subjects/m-e-namesake")
    assert _subject_id(page) == namesake

    visit.goto("/subjects/m-e-mo-1/resolution")
    before = _subject_id(page)
    assert page.locator("[data-testid=members] tbody tr").count() == 2
    # Nothing ticked: the form comes back with the reason kept and the error by the records.
    page.fill("#split-reason", "Different fathers' names in the passport files")
    visit.submit("button:has-text('Split off the ticked records')")
    assert "Tick some, but not all" in page.inner_text("#split-records-error")
    assert page.input_value("#split-reason") == "Different fathers' names in the passport files"
    visit.check_widths()
    row = page.locator("[data-testid=members] tbody tr", has_text="m-e-mo-2")
    row.locator("label").click()
    visit.submit("button:has-text('Split off the ticked records')")
    assert "m-e-mo-2" in page.inner_text("[data-testid=confirm-facts]")
    visit.submit("[data-testid=cancel]")  # cancelled: both records are still one subject
    assert page.locator("[data-testid=members] tbody tr").count() == 2
    row = page.locator("[data-testid=members] tbody tr", has_text="m-e-mo-2")
    row.locator("label").click()
    page.fill("#split-reason", "Different fathers' names in the passport files")
    visit.submit("button:has-text('Split off the ticked records')")
    visit.submit("[data-testid=confirm]")
    assert "Split of" in page.inner_text("[data-testid=note]")
    assert page.locator("[data-testid=members] tbody tr").count() == 1
    visit.goto("/subjects/m-e-mo-2/resolution")
    assert _subject_id(page) != before


def test_family_links_found_in_records_on_the_subject_page(visit, live_writ):
    svc = live_writ.services
    put_statements(
        svc,
        "fam-child",
        "Person",
        {"name": "Lucía Ramos", "firstName": "Lucía", "lastName": "Ramos"},
        source="court_records",
        record_id="C-77",
    )
    put_statements(
        svc,
        "fam-mother",
        "Person",
        {"name": "Elena Ramos", "firstName": "Elena", "lastName": "Ramos"},
        source="court_records",
        record_id="C-77",
    )
    put_statements(
        svc,
        "fam-link",
        "Family",
        {"person": "fam-child", "relative": "fam-mother", "relationship": "mother"},
        source="court_records",
        record_id="C-77",
    )
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    worker = as_actor(officer.username, {"officer"})
    case = lc.open_case(svc, worker, subject_name="Lucía Ramos", entity_id="fam-child")
    lc.add_family_link(
        svc, worker, case.id, relation="aunt", name="Marta Ramos", minor=False, whereabouts="Newark"
    )
    sign_in(visit, officer, "investigation", start="/subjects/fam-child")
    page = visit.page
    links = page.inner_text("[data-testid=family-links]")
    assert "Elena Ramos" in links and "mother" in links
    declared = page.inner_text("[data-testid=declared-family]")
    assert "aunt" in declared and "Marta Ramos" in declared and "Newark" in declared
    visit.submit("[data-testid=family-links] a:has-text('Elena Ramos')")
    assert page.inner_text("h1") == "Elena Ramos"
    assert "Lucía Ramos" in page.inner_text("[data-testid=family-links]")
