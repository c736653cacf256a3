"""Screenshots of the main pages for docs/screenshots/ (`make screenshots`).

Runs only when WRIT_SCREENSHOTS names the folder to write to; every page is checked with axe-core
like any other browser test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser.test_lifecycle import as_actor, new_case
from browser.test_queues_and_review import matches  # noqa: F401  (fixture)
from browser.test_sign_in import new_person, sign_in
from helpers import put_statements
from writ.cases import service as case_service
from writ.lifecycle import service as lc

OUT = os.environ.get("WRIT_SCREENSHOTS")
pytestmark = pytest.mark.skipif(not OUT, reason="set WRIT_SCREENSHOTS (make screenshots)")


def test_main_pages(visit, live_writ, matches, tmp_path):  # noqa: F811
    folder = Path(OUT or ".")
    folder.mkdir(parents=True, exist_ok=True)
    svc = live_writ.services
    put_statements(
        svc,
        "demo-person-1",
        "Person",
        {"firstName": "Maria", "lastName": "Lopez", "birthDate": "1984-03-02"},
        source="court_records",
        record_id="C-1042",
    )
    everyone = new_person(
        live_writ,
        {"admin", "oversight", "officer", "supervisor", "custodian"},
        "Sam Rivera (synthetic demo user)",
    )
    who = as_actor(everyone.username, {"officer", "supervisor"})
    case_id, _ = new_case(svc, who)
    from datetime import UTC, datetime, timedelta

    plan = lc.RemovalPlan("MX", datetime.now(UTC) + timedelta(days=2), [{"flight": "XA123"}])
    attempt = lc.plan_removal(svc, who, case_id, plan).attempt_id
    investigation = case_service.open_case(
        svc, who.with_purpose("investigation"), type="investigation", title="Print shop ring"
    )
    match_id = resolve_first_match(svc)
    lead = case_service.take_lead(
        svc,
        who.with_purpose("investigation"),
        summary="Caller reports forged I-94 cards sold at a print shop",
        source="phone line",
    )
    plan = lc.create_operation_plan(
        svc,
        who,
        title="Dawn operation, Queens",
        planned_for=datetime.now(UTC) + timedelta(days=3),
        case_ids=[case_id],
    )
    quarantined = quarantine_rows(svc, tmp_path)
    shots = [
        ("queues", "/queues?tab=immigration"),
        ("immigration-case-blocked-removal", f"/immigration/{case_id}?attempt={attempt}"),
        ("investigation-case", f"/cases/{investigation.id}"),
        ("match-review", f"/review/{match_id}"),
        ("subject", "/subjects/demo-person-1"),
        ("search", "/search?q=Maria+Garcia"),
        ("audit-log", "/audit"),
        ("audit-proof", "/audit/1"),
        ("oversight", "/oversight"),
        ("admin-users", "/admin/users"),
        ("leads", "/leads"),
        ("lead", f"/leads/{lead.id}"),
        ("operation-plan", f"/operations/{plan.id}"),
        ("legal-documents", f"/immigration/{case_id}/documents?kind=order"),
        ("citizenship-claims", f"/immigration/{case_id}/claims"),
        ("subject-resolution", "/subjects/e-maria-1/resolution"),
        ("quarantine", f"/admin/quarantine/{quarantined}"),
    ]
    visit.goto("/sign-in")
    visit.page.screenshot(path=str(folder / "sign-in.png"), full_page=True)
    sign_in(visit, everyone, "investigation")
    for name, path in shots:
        visit.goto(path)
        if name == "audit-proof":
            visit.page.wait_for_selector("#browser-check[data-result]")
        visit.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    visit.page.context.clear_cookies()
    visit.goto("/locator")
    visit.page.screenshot(path=str(folder / "locator.png"), full_page=True)


def quarantine_rows(svc, folder: Path) -> int:  # type: ignore[no-untyped-def]
    from test_ingest_service import GOOD, source_dir
    from writ.ingest import service as ingest_service

    keeper = as_actor("screens-records", {"custodian"}, "records-management")
    mapping = source_dir(folder, [*GOOD, 'D6,"ADE, BOLA",31/02/1990,NG,,,'])
    ingest_service.ingest(svc, keeper, mapping)
    return ingest_service.list_quarantine(svc, keeper)[0].id


def resolve_first_match(svc) -> int:  # type: ignore[no-untyped-def]
    from writ.model.actor import Actor
    from writ.resolve import service as resolve

    reviewer = Actor("screens", frozenset({"supervisor"}), "ERO-NYC", purpose="investigation")
    return resolve.review_list(svc, reviewer, limit=1)[0].match_id
