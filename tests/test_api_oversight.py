"""Oversight reports over the API: gates fired, overrides, citizenship claims, access by purpose
and overdue clocks, from the same services as the oversight page; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from helpers import audit_rows
from test_api_support import assert_problem, make_client, signed_in
from test_lifecycle_service import (
    OFFICER,
    OFFICER_2,
    SUPERVISOR,
    ago,
    detainer_on_database_match,
    facilities,
    file,
    new_case,
)
from writ.lifecycle import service as lc

REASON = "Fingerprint match confirmed against the A-file and the I-213 on file"


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


@pytest.fixture
def world(services) -> dict[str, str]:
    """A detainer blocked then overridden, a citizenship claim, and a 48-hour clock overdue."""
    detained, attempt = detainer_on_database_match(services)
    lc.override_gate(services, SUPERVISOR, detained, attempt, "detainer-database-only", REASON)
    claimed = new_case(services, a_number_value="A-200-300-401")
    claim = lc.record_citizenship_claim(services, OFFICER, claimed, basis="says born in Texas")
    lc.investigate_claim(services, OFFICER_2, claimed, claim.id)
    facilities(services)
    late = new_case(services, a_number_value="A-200-300-402")
    file(
        services,
        late,
        "warrantless_arrest",
        50,
        arrested_at=ago(50),
        arresting_officer="Officer Reyes",
        basis="admitted unlawful entry; likely to escape",
        examining_officer="Officer Chen",
        examined_at=ago(49),
    )
    lc.book_into_custody(services, OFFICER, late, "ELZ")
    return {"detained": detained, "claimed": claimed, "late": late}


def test_the_report_has_every_section(client, services, world):
    headers = signed_in(client, services, "olive", {"oversight"}, "oversight")
    response = client.get("/api/v1/oversight/report", headers=headers)
    assert response.status_code == 200, response.text
    report = response.json()
    activity = report["activity"]
    fired = {(g["rule"], g["outcome"]): g["count"] for g in activity["gates_fired"]}
    assert fired[("detainer-database-only", "blocked")] == 1
    (override,) = activity["overrides"]
    assert override["actor"] == "sup-1" and override["details"]["reason"] == REASON
    claims = activity["citizenship_claims"]
    assert [(c["action"], c["outcome"]) for c in claims] == [
        ("citizenship-claim.investigate", "ok"),
        ("legal-document.create", "ok"),
    ]
    assert claims[1]["details"]["case"] == world["claimed"]
    purposes = {p["purpose"]: p for p in activity["access_by_purpose"]}
    assert purposes["case-processing"]["entries"] >= 5
    assert activity["window"] == sum(p["entries"] for p in purposes.values())
    assert activity["last_seq"] > activity["first_seq"]
    overdue = report["overdue"]
    assert overdue["by_clock"] == {"decision-48h": 1}
    assert [(i["case_id"], i["citation"]) for i in overdue["items"]] == [
        (world["late"], "8 CFR 287.3(d)")
    ]
    assert report["overdue_denied"] is None


def test_the_window_counts_only_the_newest_entries(client, services, world):
    headers = signed_in(client, services, "olive", {"oversight"}, "oversight")
    small = client.get("/api/v1/oversight/activity?recent=3", headers=headers).json()
    assert small["window"] == 3
    assert small["last_seq"] - small["first_seq"] == 2
    assert audit_rows(services)[-1]["action"] == "audit.read"


def test_the_overdue_report_alone(client, services, world):
    headers = signed_in(client, services, "olive", {"oversight"}, "oversight")
    overdue = client.get("/api/v1/oversight/overdue", headers=headers).json()
    assert overdue["by_unit"] == {"ERO-NYC": 1}
    assert overdue["items"][0]["clock"] == "decision-48h"


def test_officers_are_refused_with_the_policy(client, services, world):
    headers = signed_in(client, services, "ana", {"officer"}, "case-processing")
    activity = client.get("/api/v1/oversight/activity", headers=headers)
    assert_problem(activity, 403, policy="default-deny", resource="audit:ledger")
    overdue = client.get("/api/v1/oversight/overdue", headers=headers)
    assert_problem(overdue, 403, policy="default-deny", resource="lifecycle-report:*")
    assert audit_rows(services)[-1]["outcome"] == "denied"


def test_bad_window_names_the_field(client, services, world):
    headers = signed_in(client, services, "olive", {"oversight"}, "oversight")
    for value in ("0", "10001", "many"):
        response = client.get(f"/api/v1/oversight/report?recent={value}", headers=headers)
        assert_problem(response, 422, field="query.recent")


def test_no_session_no_reports(client):
    for path in ("report", "activity", "overdue"):
        assert_problem(client.get(f"/api/v1/oversight/{path}"), 401)
