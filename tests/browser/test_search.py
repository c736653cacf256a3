"""One search over people and cases in the browser: one row per person, an A-number in any form
finds a person who exists only on an immigration case, results are paged with the total."""

from __future__ import annotations

import itertools

from browser.test_lifecycle import as_actor
from browser.test_sign_in import new_person, sign_in
from helpers import put_statements
from writ.lifecycle import service as lc
from writ.model.actor import system_actor
from writ.search import service as search_service

_numbers = itertools.count(100)


def test_a_person_only_on_an_immigration_case_by_any_form_of_a_number(visit, live_writ):
    svc = live_writ.services
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    n = next(_numbers)
    case = lc.open_case(
        svc,
        as_actor(officer.username, {"officer"}),
        subject_name="Mateo Quispe Vargas",
        a_number_value=f"A-988-100-{n:03}",
    )
    sign_in(visit, officer, "case-processing", start="/search")
    page = visit.page
    for query in (f"A-988-100-{n:03}", f"A988100{n:03}", f"988100{n:03}"):
        page.fill("#search-q", query)
        visit.submit("button:has-text('Search')")
        assert page.inner_text("[data-testid=total]").startswith("1 person or case found")
        row = page.locator("[data-testid=results] tbody tr")
        assert "only on an immigration case" in row.inner_text()
        assert f"A-number A988100{n:03} on immigration case {case.id}" in row.inner_text()
    visit.submit("[data-testid=results] tbody tr th a")
    assert page.url.endswith(f"/immigration/{case.id}")
    assert page.inner_text("h1") == "Mateo Quispe Vargas"


def test_one_row_per_person_and_pages_with_the_total(visit, live_writ):
    svc = live_writ.services
    for k in range(23):
        put_statements(
            svc,
            f"e-ferreira-{k:02}",
            "Person",
            {"name": "Joaquim Ferreira", "birthDate": f"19{50 + k}-01-01"},
            source="bookings",
            record_id=f"B-{k}",
        )
    search_service.reindex(svc, system_actor("search"))
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation", start="/search?q=Joaquim+Ferreira")
    page = visit.page
    assert page.inner_text("[data-testid=total]") == (
        "23 people and cases found for “Joaquim Ferreira”"
    )
    assert page.locator("[data-testid=results] tbody tr").count() == 20
    assert "Results 1 to 20 of 23" in page.inner_text("[data-testid=results] caption")
    # Each row tells the namesakes apart: born, and the record it matched.
    first = page.locator("[data-testid=results] tbody tr").first.inner_text()
    assert "bookings record B-" in first and "-01-01" in first
    visit.submit("a.usa-pagination__next-page")
    assert "page=2" in page.url
    assert page.locator("[data-testid=results] tbody tr").count() == 3
    assert "Results 21 to 23 of 23" in page.inner_text("[data-testid=results] caption")
    visit.goto("/search?q=Joaquim+Ferreira&page=9")
    assert "There is no page 9" in page.inner_text("main")
