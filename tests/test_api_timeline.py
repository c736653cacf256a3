"""A subject's timeline over the API: dated values with their source, events on the cases the
caller may read, newest first, paged; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from helpers import actor, audit_rows, put_statements
from test_api_support import assert_problem, make_client, signed_in
from writ.cases import service as case_service
from writ.service.subjects import set_marking

ANA = actor("officer", user="ana")
LEE = actor("officer", user="lee", unit="HSI-LA")
CUSTODIAN = actor("custodian", user="cu", purpose="records-management")


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


@pytest.fixture
def subject(services) -> str:
    put_statements(services, "p1", "Person", {"name": "Maria Lopez", "birthDate": "1984-05-17"})
    mine = case_service.open_case(services, ANA, type="investigation", title="Ours")
    case_service.add_subject(services, ANA, mine.id, "p1", role="target")
    theirs = case_service.open_case(services, LEE, type="investigation", title="Theirs")
    case_service.add_subject(services, LEE, theirs.id, "p1", role="witness")
    return "p1"


def test_dated_values_and_visible_case_events_newest_first(client, services, subject):
    headers = signed_in(client, services, "ana", {"officer"})
    page = client.get(f"/api/v1/subjects/{subject}/timeline", headers=headers).json()
    events = page["items"]
    assert events[-1]["kind"] == "statement.birthDate"
    assert events[-1]["occurred_at"] == "1984-05-17" and events[-1]["source"] == "test-source"
    on_cases = [e for e in events if e["source"] == "cases"]
    assert len(on_cases) == 1 and "target" in on_cases[0]["summary"]
    assert "witness" not in str(events)
    assert [e["occurred_at"] for e in events] == sorted(
        (e["occurred_at"] for e in events), reverse=True
    )
    first = client.get(f"/api/v1/subjects/{subject}/timeline?limit=1", headers=headers).json()
    assert first["items"] == events[:1] and first["next"] == "1"
    assert first["total"] == len(events)
    assert audit_rows(services)[-1]["action"] == "subject.timeline"


def test_a_sealed_subject_is_refused_with_the_policy(client, services, subject):
    set_marking(services, CUSTODIAN, subject, sealed=True)
    headers = signed_in(client, services, "ana", {"officer"})
    response = client.get(f"/api/v1/subjects/{subject}/timeline", headers=headers)
    assert_problem(response, 403, policy="sealed-custodian-only", resource="person:p1")
    assert audit_rows(services)[-1]["outcome"] == "denied"


def test_bad_parameters_name_the_field(client, services, subject):
    headers = signed_in(client, services, "ana", {"officer"})
    url = f"/api/v1/subjects/{subject}/timeline"
    assert_problem(client.get(f"{url}?limit=0", headers=headers), 422, field="query.limit")
    assert_problem(client.get(f"{url}?cursor=x", headers=headers), 422, field="query.cursor")
    long_id = client.get(f"/api/v1/subjects/{'x' * 200}/timeline", headers=headers)
    assert_problem(long_id, 422, field="path.entity_id")
    nul = client.get("/api/v1/subjects/a%00b/timeline", headers=headers)
    assert_problem(nul, 422, field="path.entity_id")


def test_no_session_no_timeline(client, subject):
    assert_problem(client.get(f"/api/v1/subjects/{subject}/timeline"), 401)
