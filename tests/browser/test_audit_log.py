"""The audit log for oversight in Chromium: filter by who, action and words in the entry, see the
total, export what matches as CSV and JSON Lines (the export is in the log), a bad time comes
back beside its field, and an entry's proof is still checked in the browser."""

from __future__ import annotations

import csv
import io
import json

from browser.test_sign_in import new_person, sign_in
from helpers import actor
from writ.search import service as search_service


def test_oversight_filters_exports_and_checks_a_proof(visit, live_writ, tmp_path):
    nora = new_person(live_writ, {"officer"}, "Nora Quinn")
    who = actor("officer", user=nora.username, purpose="investigation")
    search_service.search(live_writ.services, who, "María Fernández")
    search_service.search(live_writ.services, who, "Kwame Mensah")
    olive = new_person(live_writ, {"oversight"}, "Olive Grant")
    sign_in(visit, olive, "oversight", start="/audit")
    page = visit.page
    page.fill("#audit-actor", nora.username)
    page.fill("#audit-text", "maría")
    visit.submit("[data-testid=audit-filters] button[type=submit]")
    assert page.inner_text("[data-testid=audit-total]").startswith("1 entry matches the filters")
    table = page.inner_text("[data-testid=audit-table]")
    assert "person.search" in table and "María Fernández" in table
    assert page.input_value("#audit-actor") == nora.username  # the filters stay in the form
    visit.check_widths()

    with page.expect_download() as csv_download:
        page.click("[data-testid=export-csv]")
    path = tmp_path / "audit.csv"
    csv_download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [json.loads(r["details"])["query"] for r in rows] == ["María Fernández"]
    with page.expect_download() as jsonl_download:
        page.click("[data-testid=export-jsonl]")
    jsonl = tmp_path / "audit.jsonl"
    jsonl_download.value.save_as(jsonl)
    assert json.loads(jsonl.read_text().splitlines()[0])["actor"] == nora.username

    # The exports are in the log, with the filter they were made with.
    visit.goto(f"/audit?action=audit.export&actor={olive.username}")
    assert page.inner_text("[data-testid=audit-total]").startswith("2 entries match")
    assert f"actor: {nora.username}" in page.inner_text("[data-testid=audit-table]")

    # A time that is not one comes back beside its field, with what was typed.
    page.fill("#audit-since", "last tuesday")
    visit.submit("[data-testid=audit-filters] button[type=submit]")
    assert '"last tuesday" is not a date' in page.inner_text("#audit-since-error")
    assert page.input_value("#audit-since") == "last tuesday"
    visit.check_widths()

    visit.goto("/audit")
    visit.submit("[data-testid=audit-table] tbody tr:last-child a")
    page.wait_for_selector("#browser-check[data-result]")
    assert page.get_attribute("#browser-check", "data-result") == "verified"
