"""The API routes behind the new pages, on SQLite and PostgreSQL: leads, operation plans, document
revocation, citizenship claims, family links, and merge/split/undo; problem+json naming the field
or the deciding policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpers import actor
from test_api_support import assert_problem, make_client, signed_in
from test_resolve_service import PEOPLE, put_people
from test_resolve_support import hand_set_model
from writ.lifecycle import service as lc
from writ.model.actor import system_actor
from writ.resolve import repository
from writ.resolve import service as resolve


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


def test_leads_intake_triage_convert_and_close(client, services):
    officer = signed_in(client, services, "ana", {"officer"})
    boss = signed_in(client, services, "sam", {"supervisor"})
    taken = client.post(
        "/api/v1/leads", headers=officer, json={"summary": "Print shop tip", "source": "phone"}
    )
    assert taken.status_code == 201, taken.text
    lead = taken.json()
    assert lead["status"] == "new"
    assert_problem(
        client.post(f"/api/v1/leads/{lead['id']}/triage", headers=officer, json={"priority": "x"}),
        422,
        field="priority",
    )
    triaged = client.post(
        f"/api/v1/leads/{lead['id']}/triage",
        headers=officer,
        json={"priority": "high", "assignee": "ana"},
    )
    assert triaged.json()["status"] == "triaged" and triaged.json()["assignee"] == "ana"
    refused = client.post(
        f"/api/v1/leads/{lead['id']}/convert", headers=officer, json={"title": "Print shop"}
    )
    assert_problem(refused, 403, policy="default-deny")
    case = client.post(
        f"/api/v1/leads/{lead['id']}/convert", headers=boss, json={"title": "Print shop"}
    )
    assert case.status_code == 201 and case.json()["title"] == "Print shop"
    other = client.post(
        "/api/v1/leads", headers=officer, json={"summary": "Van", "source": "web"}
    ).json()
    closed = client.post(
        f"/api/v1/leads/{other['id']}/close", headers=boss, json={"reason": "No detail"}
    )
    assert closed.json()["status"] == "closed"
    page = client.get("/api/v1/leads?status=converted", headers=officer).json()
    assert [item["id"] for item in page["items"]] == [lead["id"]]
    assert page["items"][0]["case_id"] == case.json()["id"]
    assert client.get("/api/v1/leads?limit=1", headers=officer).json()["next"] == "1"
    assert_problem(client.get("/api/v1/leads/nope", headers=officer), 404)


def test_an_operation_plan_is_drafted_approved_and_executed(client, services):
    planner = signed_in(client, services, "ana", {"officer"}, purpose="case-processing")
    approver = signed_in(client, services, "sam", {"supervisor"}, purpose="case-processing")
    worker = actor("officer", user="ana", purpose="case-processing")
    bare = lc.open_case(services, worker, subject_name="Jorge Ramírez")
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    drafted = client.post(
        "/api/v1/operation-plans",
        headers=planner,
        json={"title": "Dawn", "planned_for": soon, "case_ids": [bare.id]},
    )
    assert drafted.status_code == 201, drafted.text
    plan_id = drafted.json()["id"]
    assert_problem(client.post(f"/api/v1/operation-plans/{plan_id}/approve", headers=planner), 403)
    approved = client.post(f"/api/v1/operation-plans/{plan_id}/approve", headers=approver).json()
    (case,) = approved["cases"]
    assert case["status"] == "excluded"
    warrant = next(f for f in case["fired_at_approval"] if f["rule"] == "operation-warrant")
    assert "8 CFR 287.8" in warrant["citation"]
    refused = client.post(
        f"/api/v1/operation-plans/{plan_id}/cases/{bare.id}/execute", headers=planner
    )
    assert_problem(refused, 422)
    listed = client.get("/api/v1/operation-plans", headers=planner).json()
    assert [p["id"] for p in listed["items"]] == [plan_id]
    assert client.get(f"/api/v1/operation-plans/{plan_id}/worklist", headers=planner).json() == []


def test_revoke_claims_and_family_links(client, services):
    officer = signed_in(client, services, "ana", {"officer"}, purpose="case-processing")
    lawyer = signed_in(client, services, "lee", {"legal"}, purpose="legal-review")
    boss = signed_in(client, services, "sam", {"supervisor"}, purpose="case-processing")
    worker = actor("officer", user="ana", purpose="case-processing")
    case = lc.open_case(services, worker, subject_name="Ana López")
    stay = lc.add_document(
        services,
        worker,
        case.id,
        {
            "kind": "stay",
            "stay_kind": "administrative",
            "issued_at": datetime.now(UTC) - timedelta(days=1),
            "issuer": "ERO New York",
            "signer": "F. Director",
            "signer_role": "field_office_director",
        },
    )
    base = f"/api/v1/immigration-cases/{case.id}"
    assert_problem(
        client.post(f"{base}/documents/{stay.id}/revoke", headers=officer, json={}),
        422,
        field="reason",
    )
    revoked = client.post(
        f"{base}/documents/{stay.id}/revoke", headers=officer, json={"reason": "Lifted"}
    )
    assert revoked.status_code == 200 and revoked.json()["in_effect"] is False
    claim = client.post(f"{base}/claims", headers=officer, json={"basis": "Born in El Paso"})
    assert claim.status_code == 201 and claim.json()["state"] == "open"
    claim_id = claim.json()["id"]
    blocked = lc.check_action(services, worker, case.id, "arrest")
    assert "citizenship-claim" in blocked.fired()
    assert client.post(f"{base}/claims/{claim_id}/investigate", headers=officer).status_code == 200
    first = client.post(
        f"{base}/claims/{claim_id}/sign-off", headers=lawyer, json={"outcome": "not_citizen"}
    )
    assert first.json()["legal_signoff_by"] == "lee"
    again = client.post(
        f"{base}/claims/{claim_id}/sign-off", headers=lawyer, json={"outcome": "not_citizen"}
    )
    assert_problem(again, 422)
    done = client.post(
        f"{base}/claims/{claim_id}/sign-off", headers=boss, json={"outcome": "not_citizen"}
    )
    assert done.json()["state"] == "adjudicated_not_citizen"
    assert done.json()["case_citizenship"] == "not_us_citizen"
    link = client.post(
        f"{base}/family-links",
        headers=officer,
        json={"relation": "child", "name": "Lucía", "minor": True},
    )
    assert link.status_code == 201 and link.json()["minor"] is True
    assert [f.name for f in lc.get_case(services, worker, case.id).family] == ["Lucía"]


def test_merge_split_and_undo(client, services):
    put_people(services, PEOPLE)
    with services.store.transaction() as session:
        repository.save_model(session, hand_set_model(), "test", "2024-01-01T00:00:00+00:00")
    resolve.run(services, system_actor("resolve"))
    boss = signed_in(client, services, "sam", {"supervisor"})
    officer = signed_in(client, services, "ana", {"officer"})
    namesake = client.get("/api/v1/resolution/e-namesake", headers=boss).json()
    maria = client.get("/api/v1/resolution/e-maria-1", headers=boss).json()
    assert_problem(
        client.post(
            "/api/v1/resolution/e-namesake/merge",
            headers=officer,
            json={"other": "e-maria-1", "reason": "Same prints"},
        ),
        403,
    )
    merged = client.post(
        "/api/v1/resolution/e-namesake/merge",
        headers=boss,
        json={"other": "e-maria-1", "reason": "Same prints"},
    )
    assert merged.status_code == 200, merged.text
    after = client.get("/api/v1/resolution/e-namesake", headers=boss).json()
    assert after["subject_id"] in {namesake["subject_id"], maria["subject_id"]}
    members = {r["entity_id"] for r in after["records"]}
    assert {"e-namesake", "e-maria-1"} <= members and after["history"][0]["kind"] == "merge"
    assert_problem(
        client.post(
            "/api/v1/resolution/undo", headers=boss, json={"event_id": merged.json()["event_id"]}
        ),
        422,
        field="reason",
    )
    undone = client.post(
        "/api/v1/resolution/undo",
        headers=boss,
        json={"event_id": merged.json()["event_id"], "reason": "A sister's prints"},
    )
    assert undone.status_code == 200, undone.text
    back = client.get("/api/v1/resolution/e-namesake", headers=boss).json()
    assert back["subject_id"] == namesake["subject_id"]
    split = client.post(
        "/api/v1/resolution/e-mo-1/split",
        headers=boss,
        json={"records": ["e-mo-2"], "reason": "Different fathers"},
    )
    assert split.status_code == 200, split.text
    assert len(client.get("/api/v1/resolution/e-mo-1", headers=boss).json()["records"]) == 1
    assert_problem(
        client.post(
            "/api/v1/resolution/e-mo-1/split", headers=boss, json={"records": [], "reason": "x"}
        ),
        422,
        field="records",
    )
    assert_problem(client.get("/api/v1/resolution/nobody", headers=boss), 404)
