"""Every route of the API and every page, called as every role of another unit: nothing of
ERO-NYC's is read or changed by HSI-MIA (issue 13), on both stores.

The routes come from the application itself (the OpenAPI document and the page routers), so a
new route is swept the day it is added. Path parameters are the ids of real ERO-NYC objects,
each carrying a marker in its text; bodies are what schemathesis generates from the route's
schema. An answer that shows a marker, or a change that succeeds, must be declared in
``CROSS_UNIT`` with the reason it is allowed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings

from helpers import actor
from security.web import api_sign_in, page_sign_in, routes_of
from test_lifecycle_service import detainer_on_database_match
from test_web_accounts import add_account
from writ.api.app import create_app
from writ.cases import service as case_service
from writ.lifecycle import service as lc

MARK = "Zqxsecret"
HOME, OTHER = "ERO-NYC", "HSI-MIA"
OFFICER = actor("officer", user="nyc-officer", unit=HOME, purpose="case-processing")
SUPERVISOR = actor("supervisor", user="nyc-supervisor", unit=HOME, purpose="case-processing")
ROLES = {
    "officer": "investigation",
    "supervisor": "case-processing",
    "legal": "legal-review",
    "custodian": "records-management",
    "oversight": "oversight",
    "admin": "administration",
}
AUDIT = "the audit log is for oversight and administrators, of every unit (docs/audit.md)"
OVERSIGHT = "oversight reads every unit's cases and reports, for the purpose oversight"
ISSUE_14 = (
    "issue 14 (i14-due): need-to-know on reading immigration cases, operation plans and field "
    "worklists; these lines go when it lands (the test fails on them then)"
)
LEGAL = "legal counsel is its own office and serves every unit (docs/policy.md)"
# (method and path template, role) -> why that role of another unit may see ERO-NYC's text or
# change it there. "*" stands for every role.
CROSS_UNIT: dict[tuple[str, str], str] = {
    ("GET /api/v1/audit/entries", "oversight"): AUDIT,
    ("GET /api/v1/audit/entries", "admin"): AUDIT,
    ("GET /api/v1/audit/entries/{seq}/proof", "oversight"): AUDIT,
    ("GET /api/v1/audit/entries/{seq}/proof", "admin"): AUDIT,
    ("GET /audit", "oversight"): AUDIT,
    ("GET /audit", "admin"): AUDIT,
    ("GET /audit/{seq}", "oversight"): AUDIT,
    ("GET /audit/{seq}", "admin"): AUDIT,
    ("GET /api/v1/oversight/activity", "oversight"): AUDIT,
    ("GET /api/v1/oversight/activity", "admin"): AUDIT,
    ("GET /api/v1/oversight/report", "oversight"): AUDIT,
    ("GET /api/v1/oversight/report", "admin"): AUDIT,
    ("GET /oversight", "oversight"): AUDIT,
    ("GET /oversight", "admin"): AUDIT,
    ("POST /api/v1/users/{username}/totp", "admin"): "administrators manage every unit's users",
    ("POST /api/v1/immigration-cases/{case_id}/claims", "legal"): LEGAL,
    ("POST /api/v1/immigration-cases/{case_id}/family-links", "legal"): LEGAL,
    ("POST /api/v1/immigration-cases/{case_id}/documents", "legal"): LEGAL,
    **{
        (route, "oversight"): OVERSIGHT
        for route in (
            "GET /api/v1/immigration-cases/{case_id}",
            "GET /api/v1/operation-plans/{plan_id}",
            "GET /immigration/{case_id}",
            "GET /immigration/{case_id}/documents",
            "GET /immigration/{case_id}/claims",
            "GET /operations/{plan_id}",
        )
    },
    **{
        (route, role): ISSUE_14
        for route in (
            "GET /api/v1/immigration-cases/{case_id}",
            "GET /api/v1/operation-plans/{plan_id}",
            "GET /immigration/{case_id}",
            "GET /immigration/{case_id}/documents",
            "GET /immigration/{case_id}/claims",
            "GET /operations/{plan_id}",
        )
        for role in ("officer", "supervisor", "legal", "custodian")
    },
    ("GET /api/v1/oversight/overdue", "oversight"): OVERSIGHT,
    ("GET /api/v1/oversight/overdue", "legal"): "legal counsel serves every unit (docs/policy.md)",
    ("GET /api/v1/oversight/report", "legal"): "legal counsel serves every unit (docs/policy.md)",
    **{
        (route, "oversight"): OVERSIGHT
        for route in (
            "GET /api/v1/cases/{case_id}",
            "GET /api/v1/cases/{case_id}/timeline",
            "GET /api/v1/cases/{case_id}/evidence",
            "GET /api/v1/leads/{lead_id}",
            "GET /api/v1/tasks/{task_id}",
            "GET /api/v1/evidence/{evidence_id}",
            "GET /api/v1/evidence/{evidence_id}/custody",
            "GET /cases/{case_id}",
            "GET /cases/{case_id}/evidence/{evidence_id}",
            "GET /leads/{lead_id}",
        )
    },
}


@pytest.fixture
def world(services, tmp_path):
    """ERO-NYC's objects, each with the marker in its text, and their ids by parameter name."""
    evidence_root = tmp_path / "evidence"
    case = case_service.open_case(
        services, OFFICER, type="investigation", title=f"{MARK} storefront case"
    )
    task = case_service.create_task(services, OFFICER, case.id, f"{MARK} task")
    case_service.add_case_note(services, OFFICER, case.id, f"{MARK} note body")
    item = case_service.add_evidence(
        services,
        OFFICER,
        case.id,
        b"ledger bytes",
        filename=f"{MARK}-ledger.txt",
        description=f"{MARK} evidence",
        retain_until="2033-01-01",
        files=case_service.FileEvidenceStore(evidence_root),
    )
    lead = case_service.take_lead(services, OFFICER, summary=f"{MARK} lead", source="hotline")
    immigration = lc.open_case(services, OFFICER, subject_name=f"{MARK} Persona")
    plan = lc.create_operation_plan(
        services,
        OFFICER,
        title=f"{MARK} plan",
        planned_for=datetime.now(UTC) + timedelta(days=2),
        case_ids=[immigration.id],
    )
    ids = {
        "/cases/": {"case_id": case.id},
        "/immigration": {"case_id": immigration.id},
        "/operation": {"plan_id": plan.id, "case_id": immigration.id},
        "": {
            "task_id": task.id,
            "evidence_id": item.id,
            "lead_id": lead.id,
            "plan_id": plan.id,
            "entity_id": "p1",
            "seq": "1",
        },
    }
    return {
        "ids": ids,
        "evidence_root": evidence_root,
        "case": case,
        "task": task,
        "item": item,
        "lead": lead,
        "immigration": immigration,
        "plan": plan,
    }


def _ids_for(path: str, ids: dict[str, dict[str, str]]) -> dict[str, str]:
    found = dict(ids[""])
    for prefix, values in ids.items():
        if prefix and prefix in path:
            found.update(values)
    return found


def _filled(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "x"), template)


def _state(services) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What ERO-NYC's own officer sees of its objects: any change by another unit shows here."""
    me = OFFICER
    cases = case_service.list_cases(services, me, status=None)
    return {
        "cases": sorted((c.id, c.title, c.status, c.owner) for c in cases),
        "tasks": sorted(
            (t.id, t.title, t.status, t.assignee) for t in case_service.my_queue(services, me).tasks
        ),
        "notes": sorted(
            n.body for c in cases for n in case_service.list_notes(services, me, case_id=c.id)
        ),
        "evidence": sorted(
            (e.id, e.status, e.description)
            for c in cases
            for e in case_service.case_evidence(services, me, c.id)
        ),
        "leads": sorted(
            (lead.id, lead.status, lead.priority or "")
            for lead in case_service.list_leads(services, me)
        ),
        "immigration": sorted((c.id, c.state, c.subject_name) for c in lc.list_cases(services, me)),
        "plans": sorted((p.id, p.status, p.title) for p in lc.list_operation_plans(services, me)),
    }


def _examples(app) -> list[Any]:  # type: ignore[no-untyped-def]
    """One schemathesis case per API operation: a request its schema accepts."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    drawn: list[Any] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=1,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def draw(case) -> None:  # type: ignore[no-untyped-def]
            drawn.append(case)

        draw()
    return drawn


def _route(case) -> str:  # type: ignore[no-untyped-def]
    return f"{case.method.upper()} {case.path}"


def _declared(route: str, role: str) -> bool:
    return (route, role) in CROSS_UNIT or (route, "*") in CROSS_UNIT


def _stale_issue_14(shown: set[tuple[str, str]], kind: str) -> list[tuple[str, str]]:
    """Issue 14's declarations of this sweep (API or pages) that no longer show the marker."""
    mine = {k for k, why in CROSS_UNIT.items() if why == ISSUE_14}
    mine = {k for k in mine if k[0].startswith("GET /api/") == (kind == "api")}
    return sorted(mine - shown)


def test_no_api_route_gives_another_unit_ero_nyc_data(services, world, tmp_path):
    app = create_app(
        services, demo=True, evidence_root=world["evidence_root"], photo_root=tmp_path / "photos"
    )
    before = _state(services)
    found: list[str] = []
    shown: set[tuple[str, str]] = set()
    swept = 0
    with TestClient(app) as client:
        cases = _examples(app)
        for role, purpose in ROLES.items():
            headers = api_sign_in(
                client, add_account(services, f"{role}-mia", {role}, unit=OTHER), purpose
            )
            for case in cases:
                route = _route(case)
                if route in ("POST /api/v1/sessions", "DELETE /api/v1/sessions/current"):
                    continue
                if case.path_parameters:
                    case.path_parameters = {
                        **case.path_parameters,
                        **{
                            k: v
                            for k, v in _ids_for(case.path, world["ids"]).items()
                            if k in case.path_parameters
                        },
                    }
                response = case.call(headers=headers)
                swept += 1
                if _declared(route, role):
                    if MARK in response.text:
                        shown.add((route, role))
                    continue
                if MARK in response.text:
                    found.append(f"{role} of {OTHER}: {route} -> {response.status_code} shows it")
                if (
                    case.method.upper() != "GET"
                    and response.status_code < 300
                    and case.path_parameters
                ):
                    found.append(f"{role} of {OTHER}: {route} -> {response.status_code} changed it")
    assert swept > 400
    assert not found, "another unit reached ERO-NYC's data:\n" + "\n".join(sorted(set(found)))
    assert _state(services) == before
    assert not _stale_issue_14(shown, "api"), "need-to-know landed: remove these declarations"


def test_no_page_gives_another_unit_ero_nyc_data(services, world):
    app = create_app(services, demo=True, evidence_root=world["evidence_root"])
    found: list[str] = []
    shown: set[tuple[str, str]] = set()
    paths = []
    for route in routes_of(app):
        if "GET" not in route.methods or route.path.startswith(("/api/", "/static")):
            continue
        paths.append(route.path)
    assert len(paths) > 20
    for role, purpose in ROLES.items():
        with TestClient(app, follow_redirects=False) as client:
            page_sign_in(client, add_account(services, f"{role}-pg", {role}, unit=OTHER), purpose)
            for template in paths:
                path = _filled(template, _ids_for(template, world["ids"]))
                response = client.get(path)
                if MARK not in response.text:
                    continue
                if _declared(f"GET {template}", role):
                    shown.add((f"GET {template}", role))
                else:
                    found.append(f"{role} of {OTHER}: {path} ({template}) shows it")
    assert not found, "another unit reached ERO-NYC's data:\n" + "\n".join(sorted(set(found)))
    assert not _stale_issue_14(shown, "pages"), "need-to-know landed: remove these declarations"


# What a person of another unit types into a page's form: enough for most forms to pass their
# own checks and reach the policy.
FORM = {
    "title": "Taken over",
    "body": "A note from another unit",
    "summary": "A tip",
    "source": "hotline",
    "reason": "Another unit says so, with a reason long enough to pass",
    "priority": "high",
    "assignee": "mia-officer",
    "outcome": "not_citizen",
    "status": "done",
    "due": "2033-01-01",
    "relation": "child",
    "name": "Someone",
    "basis": "Says they were born in Texas",
    "rule": "detainer-database-only",
    "attempt": "1",
    "action": "arrest",
    "facility": "ELZ",
    "kind": "i247a",
    "type": "investigation",
    "confirmed": "yes",
}
# Page forms another unit may use on ERO-NYC's objects, with the reason.
CROSS_UNIT_FORMS: dict[tuple[str, str], str] = {
    **{
        ("POST /admin/sources/{source}/quarantine/retry", r): "records custodians and "
        "administrators handle the agency's quarantine"
        for r in ("custodian", "admin")
    },
    **{
        ("POST /admin/quarantine/{entry_id}/retry", r): "records custodians and administrators "
        "handle the agency's quarantine"
        for r in ("custodian", "admin")
    },
    ("POST /immigration/{case_id}/overrides", "legal"): LEGAL,
    ("POST /immigration/{case_id}/claims", "legal"): LEGAL,
    ("POST /immigration/{case_id}/family", "legal"): LEGAL,
    ("POST /immigration/{case_id}/documents", "legal"): LEGAL,
}


def test_no_page_form_changes_ero_nyc_data_for_another_unit(services, world):
    """Forms posted with a session's CSRF token, on ERO-NYC's objects; the immigration forms on
    a case with a detainer blocked by a soft gate, so that an override can be tried for real."""
    app = create_app(services, demo=True, evidence_root=world["evidence_root"])
    blocked_case, attempt = detainer_on_database_match(services)
    ids = {**world["ids"], "/immigration": {"case_id": blocked_case}}
    form = {**FORM, "attempt": str(attempt)}
    templates = [
        route.path
        for route in routes_of(app)
        if "POST" in route.methods
        and not route.path.startswith(("/api/", "/sign-in", "/sign-out", "/signed-out"))
        and "{" in route.path
    ]
    assert len(templates) > 15
    before = _state(services)
    found: list[str] = []
    for role, purpose in ROLES.items():
        with TestClient(app, follow_redirects=False) as client:
            page_sign_in(client, add_account(services, f"{role}-form", {role}, unit=OTHER), purpose)
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/queues").text)
            assert token is not None
            for template in templates:
                path = _filled(template, _ids_for(template, ids))
                response = client.post(path, data={**form, "csrf": token.group(1)})
                # A form that did its work answers 303 to the page that shows the result.
                if response.status_code == 303 and not _declared_form(template, role):
                    found.append(f"{role} of {OTHER}: POST {template} -> 303 (done)")
    assert not found, "another unit changed ERO-NYC's data:\n" + "\n".join(sorted(set(found)))
    assert _state(services) == before


def _declared_form(template: str, role: str) -> bool:
    return (f"POST {template}", role) in CROSS_UNIT_FORMS
