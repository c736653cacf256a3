"""The sources registry and the quarantine over the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import actor, audit_rows
from test_api_support import assert_problem, make_client, signed_in
from writ.ingest.service import ingest

FIXTURES = Path(__file__).parent / "ingest_fixtures"
HEADER = "docket,name,dob,nationality,a_number,relative,relation\n"
GOOD = [
    'D1,"GARCIA LOPEZ, MARIA JOSE",05/17/1984,Mexico,A-012-345-678,Jose Garcia,brother',
    'D2,"NGUYEN, VAN",1979,VNM,98765432,,',
]
BAD = ['D5,"OKAFOR, CHIDI",1990-02-28,NG,,,', 'D6,"ADE, BOLA",31/02/1990,NG,,,']
CUSTODIAN = actor("custodian", user="records-1", unit="HQ", purpose="records-management")


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


@pytest.fixture
def court(services, tmp_path) -> Path:
    """The court source ingested: two rows taken, two quarantined."""
    shutil.copy(FIXTURES / "court.yml", tmp_path / "court.yml")
    (tmp_path / "court.csv").write_text(HEADER + "".join(r + "\n" for r in GOOD + BAD))
    summary = ingest(services, CUSTODIAN, tmp_path / "court.yml")
    assert (summary.taken, summary.quarantined) == (2, 2)
    return tmp_path / "court.yml"


def test_sources_show_legal_basis_records_and_quarantine(client, services, court):
    headers = signed_in(client, services, "olive", {"officer"})
    page = client.get("/api/v1/sources", headers=headers).json()
    (source,) = page["items"]
    assert source["name"] == "court"
    assert source["authority"].startswith("Information-sharing agreement")
    assert (source["data_category"], source["retention"]) == ("court-records", "P10Y")
    assert (source["records"], source["quarantined"]) == (2, 2)
    assert source["last_ingest_at"]
    assert page["total"] == 1 and page["next"] is None
    assert audit_rows(services)[-1]["action"] == "source.list"


def test_ingest_runs_newest_first_with_their_counts(client, services, court):
    second = ingest(services, CUSTODIAN, court)  # the same file again: nothing new
    assert (second.read, second.new, second.unchanged) == (4, 0, 2)
    headers = signed_in(client, services, "olive", {"officer"})
    first_page = client.get("/api/v1/ingest-runs?limit=1", headers=headers).json()
    (latest,) = first_page["items"]
    assert latest["id"] == second.run_id and first_page["next"] == "1"
    assert latest["status"] == "finished" and latest["finished_at"]
    assert (latest["read"], latest["new"], latest["unchanged"]) == (4, 0, 2)
    assert latest["balanced"] and latest["started_by"] == "records-1"
    assert audit_rows(services)[-1]["action"] == "ingest-run.list"
    rest = client.get("/api/v1/ingest-runs?limit=1&cursor=1&source=court", headers=headers).json()
    (earliest,) = rest["items"]
    assert (earliest["read"], earliest["new"], earliest["quarantined"]) == (4, 2, 2)
    assert earliest["balanced"] and rest["next"] is None and rest["total"] == 2
    other = client.get("/api/v1/ingest-runs?source=visa", headers=headers).json()
    assert other["items"] == [] and other["total"] == 0


def test_the_quarantine_is_listed_paged_shown_and_retried(client, services, court):
    headers = signed_in(client, services, "rita", {"custodian"}, "records-management", "HQ")
    first = client.get("/api/v1/quarantine?limit=1", headers=headers).json()
    assert first["total"] is None and first["next"] == "1"  # unknown until the last page
    rest = client.get("/api/v1/quarantine?limit=1&cursor=1", headers=headers).json()
    assert rest["total"] == 2 and rest["next"] is None
    whole = client.get("/api/v1/quarantine?limit=2", headers=headers).json()
    assert (
        whole["total"] == 2
        and whole["next"] is None
        and whole["items"] == first["items"] + rest["items"]
    )
    entries = first["items"] + rest["items"]
    assert [(e["line"], e["field"], e["reason"]) for e in entries] == [
        (4, "dob", "unparseable_required"),
        (5, "dob", "unparseable_required"),
    ]
    shown = client.get(f"/api/v1/quarantine/{entries[0]['id']}", headers=headers).json()
    assert shown["row"]["docket"] == "D5" and shown["problems"][0]["field"] == "dob"
    court.write_text(court.read_text().replace('"%Y"]', '"%Y", "%Y-%m-%d"]'))
    retried = client.post("/api/v1/quarantine/retry", headers=headers, json={"source": "court"})
    assert retried.status_code == 200, retried.text
    assert retried.json() == {
        "released": [entries[0]["id"]],
        "still_open": [entries[1]["id"]],
        "superseded": [],
    }
    still = client.get("/api/v1/quarantine", headers=headers).json()["items"]
    assert [e["id"] for e in still] == [entries[1]["id"]]
    every = client.get("/api/v1/quarantine?status=all", headers=headers).json()["items"]
    assert {e["id"]: e["status"] for e in every}[entries[0]["id"]] == "released"
    assert audit_rows(services)[-3]["action"] == "quarantine.retry"


def test_quarantined_rows_are_for_custodians_only(client, services, court):
    headers = signed_in(client, services, "olive", {"officer"})
    body = assert_problem(client.get("/api/v1/quarantine", headers=headers), 403)
    assert body["policy"] == "default-deny"
    assert "quarantine" in body["grant"]
    assert body["resource"] == "quarantine:*"
    retry = client.post("/api/v1/quarantine/retry", headers=headers, json={"entry_ids": [1]})
    assert_problem(retry, 403, policy="default-deny")
    assert audit_rows(services)[-1]["outcome"] == "denied"


def test_bad_requests_name_the_field(client, services, court):
    headers = signed_in(client, services, "rita", {"custodian"}, "records-management", "HQ")
    bad_status = client.get("/api/v1/quarantine?status=lost", headers=headers)
    assert_problem(bad_status, 422, field="query.status")
    nothing = client.post("/api/v1/quarantine/retry", headers=headers, json={})
    assert "entry_ids" in assert_problem(nothing, 422)["detail"]
    missing = client.post("/api/v1/quarantine/retry", headers=headers, json={"entry_ids": [999]})
    assert "999" in assert_problem(missing, 404)["detail"]
    assert_problem(client.get("/api/v1/quarantine/999", headers=headers), 404)
    nul = client.get("/api/v1/quarantine?source=a%00b", headers=headers)
    assert_problem(nul, 422, field="query.source")
    assert_problem(client.get("/api/v1/sources?limit=0", headers=headers), 422, field="query.limit")


def test_no_session_no_sources(client, court):
    for method, url in (
        ("GET", "/api/v1/sources"),
        ("GET", "/api/v1/ingest-runs"),
        ("GET", "/api/v1/quarantine"),
        ("GET", "/api/v1/quarantine/1"),
        ("POST", "/api/v1/quarantine/retry"),
    ):
        assert_problem(client.request(method, url, json={"source": "court"}), 401)
