"""A probe of an id that does not exist is in the audit log like any other attempt (issue 13,
finding 7): walking ids leaves a trail, on both stores."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from helpers import audit_rows
from security.web import api_sign_in, page_sign_in
from test_web_accounts import add_account
from writ.api.app import create_app

MISSING = "f00dfeedf00dfeed"


@pytest.fixture
def client(services, tmp_path):
    app = create_app(services, demo=True, evidence_root=tmp_path)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "action"),
    [
        (f"/api/v1/cases/{MISSING}", "case.read"),
        (f"/api/v1/tasks/{MISSING}", "task.read"),
        (f"/api/v1/evidence/{MISSING}", "evidence.read"),
        (f"/api/v1/leads/{MISSING}", "lead.read"),
        (f"/api/v1/immigration-cases/IC-{MISSING.upper()[:12]}", None),
        (f"/api/v1/operation-plans/OP-{MISSING.upper()[:12]}", None),
    ],
)
def test_an_api_probe_of_a_missing_id_is_audited(client, services, path, action):
    headers = api_sign_in(client, add_account(services, "otto", {"officer"}, unit="HSI-MIA"))
    before = len(audit_rows(services))
    response = client.get(path, headers=headers)
    assert response.status_code == 404, response.text
    probes = [r for r in audit_rows(services)[before:] if r["outcome"] == "not-found"]
    assert len(probes) == 1, audit_rows(services)[before:]
    probe = probes[0]
    assert probe["actor"] == "otto" and probe["unit"] == "HSI-MIA"
    if action:
        assert probe["action"] == action
    assert MISSING.upper()[:12] in json.loads(probe["details"])["problem"].upper()


def test_a_page_probe_of_a_missing_id_is_audited(client, services):
    page_sign_in(client, add_account(services, "otto", {"officer"}, unit="HSI-MIA"))
    before = len(audit_rows(services))
    assert client.get(f"/cases/{MISSING}").status_code == 404
    probes = [r for r in audit_rows(services)[before:] if r["outcome"] == "not-found"]
    assert [p["actor"] for p in probes] == ["otto"]
