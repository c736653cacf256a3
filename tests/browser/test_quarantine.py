"""The quarantine in the browser, under Admin → Sources: a custodian sees the rows an ingest held
back with their field, value and reason, opens one whole, retries it after the mapping was
fixed, and retries the rest of the source."""

from __future__ import annotations

from browser.test_sign_in import new_person, sign_in
from helpers import actor
from test_ingest_service import GOOD, source_dir
from writ.ingest import service as ingest_service


def test_see_a_quarantined_row_and_retry_it(visit, live_writ, tmp_path):
    svc = live_writ.services
    rows = [*GOOD, 'D5,"OKAFOR, CHIDI",1990-02-28,NG,,,', 'D6,"ADE, BOLA",31/02/1990,NG,,,']
    mapping = source_dir(tmp_path, rows)
    custodian = actor("custodian", user="records-setup", unit="HQ", purpose="records-management")
    summary = ingest_service.ingest(svc, custodian, mapping)
    assert summary.quarantined == 2
    mapping.write_text(mapping.read_text().replace('"%Y"]', '"%Y", "%Y-%m-%d"]'))

    keeper = new_person(live_writ, {"custodian"}, "Rita Keller")
    sign_in(visit, keeper, "records-management", start="/admin/sources")
    page = visit.page
    visit.submit("a:has-text('rows of court in quarantine')")
    table = page.inner_text("[data-testid=quarantine]")
    assert "1990-02-28" in table and "31/02/1990" in table and "dob" in table
    assert "status=" not in page.url
    page.select_option("#filter-status", "open")
    visit.submit("text=Filter")
    assert "status=open" in page.url
    visit.submit("[data-testid=quarantine] tbody tr:first-child a")
    assert "court.csv line 5" in page.inner_text("[data-testid=entry]")
    assert "OKAFOR, CHIDI" in page.inner_text("[data-testid=row]")
    assert page.inner_text("[data-testid=entry-status]") == "open"
    visit.submit("button:has-text('Retry this row')")
    assert "1 released" in page.inner_text("[data-testid=note]")
    assert page.inner_text("[data-testid=entry-status]") == "released"

    visit.submit("text=Quarantine of court")
    visit.submit("button:has-text('Retry every open row of court')")
    assert "0 released" in page.inner_text("[data-testid=note]")
    assert "1 still open" in page.inner_text("[data-testid=note]")
    assert page.locator("[data-testid=quarantine] tbody tr").count() == 1


def test_an_officer_is_told_why_the_quarantine_is_closed_to_them(visit, live_writ):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation", start="/admin/sources/court/quarantine")
    assert visit.page.inner_text("[data-testid=denial-policy]") == "default-deny"
    assert "quarantine records" in visit.page.inner_text("[data-testid=denial-grant]")
