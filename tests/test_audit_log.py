"""The audit log for oversight (SQLite and PostgreSQL): entries filtered by actor, action, object,
outcome and time, full text over what was searched, paged with the total; exported as CSV and
JSON Lines, the export itself audited; and the page's filter form with its errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from helpers import actor, audit_rows
from writ.search import service as search_service
from writ.service import AccessDenied
from writ.service import audit as audit_service
from writ.service.audit import AuditFilter

OVERSIGHT = actor("oversight", user="ovs-1", purpose="oversight")
NORA = actor("officer", user="nora", purpose="investigation")
OMAR = actor("officer", user="omar", purpose="investigation")


@pytest.fixture
def searched(services):
    """Two officers' searches, one with a name written with an accent."""
    search_service.search(services, NORA, "María López")
    search_service.search(services, OMAR, "Kwame Mensah")
    search_service.search(services, NORA, "Ana Beltrán")
    return services


def _find(svc, **where):
    return audit_service.search(svc, OVERSIGHT, AuditFilter(**where), limit=50)


def test_filters_by_actor_action_and_words(searched):
    by_nora = _find(searched, actor="nora", action="person.search")
    assert by_nora.total == 2
    assert [r["details"]["query"] for r in by_nora.rows] == ["Ana Beltrán", "María López"]
    assert _find(searched, text="maría").total == 1  # non-ASCII, any case
    assert _find(searched, text="MENSAH").rows[0]["actor"] == "omar"
    assert _find(searched, action="person.").total == 3  # every person action
    assert _find(searched, text="100%_").total == 0  # wildcards are plain characters


def test_filters_by_outcome_object_and_time(searched):
    with pytest.raises(AccessDenied):
        audit_service.entries(searched, NORA)
    denied = _find(searched, outcome="denied")
    assert denied.total == 1 and denied.rows[0]["actor"] == "nora"
    assert _find(searched, object_type="audit", outcome="denied").total == 1
    first, last = audit_rows(searched)[0]["ts"], audit_rows(searched)[-1]["ts"]
    assert _find(searched, since=last).total >= 1
    assert _find(searched, until=first).total == 0
    assert _find(searched, since="2000-01-01", until="2000-01-02").total == 0


def test_pages_keep_the_total_and_the_search_is_audited(searched):
    page = audit_service.search(searched, OVERSIGHT, AuditFilter(action="person.search"), limit=2)
    assert page.total == 3 and len(page.rows) == 2 and page.older is not None
    rest = audit_service.search(
        searched, OVERSIGHT, AuditFilter(action="person.search"), limit=2, before=page.older
    )
    assert len(rest.rows) == 1 and rest.older is None
    last = audit_rows(searched)[-1]
    assert last["action"] == "audit.read" and last["actor"] == "ovs-1"
    assert json.loads(last["details"])["action"] == "person.search"


def test_exports_as_csv_and_json_lines_and_the_export_is_audited(searched):
    where = AuditFilter(actor="nora", action="person.search")
    text = "".join(audit_service.export(searched, OVERSIGHT, where, "csv"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [json.loads(r["details"])["query"] for r in rows] == ["María López", "Ana Beltrán"]
    assert all(len(r["leaf_hash"]) == 64 for r in rows)
    exported = audit_rows(searched)[-1]
    assert exported["action"] == "audit.export" and exported["outcome"] == "ok"
    details = json.loads(exported["details"])
    assert details["format"] == "csv" and details["actor"] == "nora"
    assert details["up_to"] == exported["seq"] - 1  # every entry before its own
    lines = "".join(audit_service.export(searched, OVERSIGHT, where, "jsonl")).splitlines()
    assert [json.loads(line)["details"]["query"] for line in lines] == [
        "María López",
        "Ana Beltrán",
    ]
    with pytest.raises(AccessDenied):
        audit_service.export(searched, NORA, where, "csv")
    assert audit_rows(searched)[-1]["outcome"] == "denied"
    with pytest.raises(ValueError, match="format"):
        audit_service.export(searched, OVERSIGHT, where, "xml")


def test_the_api_filters_and_exports_with_the_same_service(searched):
    from fastapi.testclient import TestClient

    from test_api import sign_in
    from test_web_accounts import add_account
    from writ.api.app import create_app

    watcher = add_account(searched, "olive", {"oversight"})
    with TestClient(create_app(searched, demo=True)) as client:
        headers = sign_in(client, watcher, "oversight")
        page = client.get(
            "/api/v1/audit/entries",
            params={"actor": "nora", "text": "maría", "limit": 5},
            headers=headers,
        ).json()
        assert page["total"] == 1 and page["items"][0]["details"]["query"] == "María López"
        bad = client.get("/api/v1/audit/entries?since=yesterday", headers=headers)
        assert bad.status_code == 422 and bad.json()["field"] == "query.since"
        export = client.get(
            "/api/v1/audit/export", params={"actor": "omar", "format": "csv"}, headers=headers
        )
        assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
        assert "Kwame Mensah" in export.text
    assert audit_rows(searched)[-1]["action"] == "audit.export"
