"""Screenshots of the main pages for docs/screenshots/ (`make screenshots`).

Runs only when WRIT_SCREENSHOTS names the folder to write to; every page is checked with axe-core
like any other browser test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser.test_sign_in import new_person, sign_in
from helpers import put_statements

OUT = os.environ.get("WRIT_SCREENSHOTS")
pytestmark = pytest.mark.skipif(not OUT, reason="set WRIT_SCREENSHOTS (make screenshots)")

PAGES = [
    ("queues", "/queues"),
    ("subject", "/subjects/demo-person-1"),
    ("audit-log", "/audit"),
    ("audit-proof", "/audit/1"),
    ("oversight", "/oversight"),
    ("admin-users", "/admin/users"),
]


def test_main_pages(visit, live_writ):
    folder = Path(OUT or ".")
    folder.mkdir(parents=True, exist_ok=True)
    put_statements(
        live_writ.services,
        "demo-person-1",
        "Person",
        {"firstName": "Maria", "lastName": "Lopez", "birthDate": "1984-03-02"},
        source="court_records",
        record_id="C-1042",
    )
    visit.goto("/sign-in")
    visit.page.screenshot(path=str(folder / "sign-in.png"), full_page=True)
    everyone = new_person(
        live_writ, {"admin", "oversight", "officer"}, "Sam Rivera (synthetic demo user)"
    )
    sign_in(visit, everyone, "oversight")
    for name, path in PAGES:
        visit.goto(path)
        if name == "audit-proof":
            visit.page.wait_for_selector("#browser-check[data-result]")
        visit.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
