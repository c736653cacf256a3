"""Tasks over the API: the queue (yours, your unit's), changes and completion; SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest

from helpers import actor, audit_rows
from test_api_support import assert_problem, make_client, signed_in
from writ.cases import service as case_service

OWNER = actor("officer", user="ana")


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


@pytest.fixture
def case_id(services) -> str:
    return case_service.open_case(services, OWNER, type="investigation", title="Smuggling").id


def add_task(client, headers, case_id: str, title: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/api/v1/cases/{case_id}/tasks", headers=headers, json={"title": title, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_my_tasks_are_paged_soonest_due_first(client, services, case_id):
    headers = signed_in(client, services, "ana", {"officer"})
    later = add_task(client, headers, case_id, "Interview", assignee="ana", due="2031-02-01")
    sooner = add_task(client, headers, case_id, "Subpoena", assignee="ana", due="2031-01-01")
    add_task(client, headers, case_id, "Someone else's", assignee="bo")
    first = client.get("/api/v1/tasks?limit=1", headers=headers).json()
    assert [t["id"] for t in first["items"]] == [sooner["id"]]
    assert first["total"] == 2 and first["next"] == "1"
    rest = client.get("/api/v1/tasks?limit=1&cursor=1", headers=headers).json()
    assert [t["id"] for t in rest["items"]] == [later["id"]] and rest["next"] is None


def test_change_assignee_and_status_then_complete(client, services, case_id):
    headers = signed_in(client, services, "ana", {"officer"})
    task = add_task(client, headers, case_id, "Canvass", assignee="ana")
    moved = client.patch(
        f"/api/v1/tasks/{task['id']}",
        headers=headers,
        json={"assignee": "bo", "status": "in-progress", "due": "2031-03-01"},
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["assignee"], moved.json()["status"]) == ("bo", "in-progress")
    assert moved.json()["due"] == "2031-03-01"
    assert client.get("/api/v1/tasks", headers=headers).json()["items"] == []
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    last = audit_rows(services)[-1]
    assert (last["action"], last["outcome"]) == ("task.update", "ok")
    assert '"status": "done"' in str(last["details"])


def test_a_supervisor_sees_the_unit_queue_an_officer_does_not(client, services, case_id):
    officer = signed_in(client, services, "ana", {"officer"})
    add_task(client, officer, case_id, "Canvass", assignee="bo")
    boss = signed_in(client, services, "sue", {"supervisor"})
    unit = client.get("/api/v1/tasks?scope=unit", headers=boss).json()
    assert [t["title"] for t in unit["items"]] == ["Canvass"]
    denied = assert_problem(client.get("/api/v1/tasks?scope=unit", headers=officer), 403)
    assert denied["policy"] == "default-deny" and denied["resource"] == "unit-queue:ERO-NYC"
    assert audit_rows(services)[-1]["outcome"] == "denied"


def test_another_unit_may_not_change_a_task(client, services, case_id):
    headers = signed_in(client, services, "ana", {"officer"})
    task = add_task(client, headers, case_id, "Canvass")
    stranger = signed_in(client, services, "lee", {"officer"}, unit="HSI-LA")
    denied = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=stranger)
    assert assert_problem(denied, 403)["policy"] == "default-deny"
    mine = client.get("/api/v1/tasks?scope=unit", headers=stranger)
    assert mine.status_code == 403


def test_bad_changes_name_the_field(client, services, case_id):
    headers = signed_in(client, services, "ana", {"officer"})
    task = add_task(client, headers, case_id, "Canvass")
    url = f"/api/v1/tasks/{task['id']}"
    bad = client.patch(url, headers=headers, json={"status": "finished"})
    assert_problem(bad, 422, field="status")
    bad_due = client.patch(url, headers=headers, json={"due": "next week"})
    assert_problem(bad_due, 422, field="due")
    empty = client.patch(url, headers=headers, json={})
    assert "at least one" in assert_problem(empty, 422)["detail"]
    wrong = client.get("/api/v1/tasks?scope=mine&unit=HSI-LA", headers=headers)
    assert_problem(wrong, 422, field="unit")
    assert_problem(client.post("/api/v1/tasks/nope/complete", headers=headers), 404)
    nul = client.post("/api/v1/tasks/a%00b/complete", headers=headers)
    assert_problem(nul, 422, field="path.task_id")
    assert_problem(
        client.patch(url, headers=headers, json={"assignee": "b\x00"}), 422, field="assignee"
    )


def test_no_session_no_tasks(client, case_id):
    assert_problem(client.get("/api/v1/tasks"), 401)
    assert_problem(client.patch("/api/v1/tasks/x", json={"status": "done"}), 401)
    assert_problem(client.post("/api/v1/tasks/x/complete"), 401)


def test_one_task_whatever_its_status_for_those_who_may_read_its_case(client, services, case_id):
    headers = signed_in(client, services, "ana", {"officer"})
    task = add_task(client, headers, case_id, "Canvass", assignee="ana", due="2031-01-01")
    client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers)
    shown = client.get(f"/api/v1/tasks/{task['id']}", headers=headers)
    assert shown.status_code == 200, shown.text
    assert shown.json() == {**task, "status": "done"}
    assert (audit_rows(services)[-1]["action"], audit_rows(services)[-1]["outcome"]) == (
        "task.read",
        "ok",
    )
    stranger = signed_in(client, services, "lee", {"officer"}, unit="HSI-LA")
    denied = client.get(f"/api/v1/tasks/{task['id']}", headers=stranger)
    assert assert_problem(denied, 403)["policy"] == "default-deny"
    assert_problem(client.get("/api/v1/tasks/nope", headers=headers), 404)
