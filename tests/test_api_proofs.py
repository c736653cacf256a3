"""Consistency proofs over the API: a checkpoint kept outside, sent back later, proves the ledger
only grew; a forged checkpoint is reported, bad fields are named; SQLite and PostgreSQL.

Verifying is open to everyone signed in (policy ``audit-verify-by-anyone-signed-in``), so there
is no denial to test here; without a session it is a 401.
"""

from __future__ import annotations

import base64

import pytest

from helpers import audit_rows
from test_api_support import assert_problem, make_client, signed_in
from writ.audit import merkle


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


def _b(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text)


def test_the_ledger_only_grew_since_the_checkpoint(client, services):
    headers = signed_in(client, services, "olive", {"oversight"}, "oversight")
    saved = client.post("/api/v1/audit/checkpoint", headers=headers).json()
    client.get("/api/v1/audit/entries?limit=2", headers=headers)
    client.get("/api/v1/audit/entries?limit=3", headers=headers)
    response = client.post("/api/v1/audit/consistency", headers=headers, json=saved)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["ok"] is True and result["problem"] == ""
    assert result["old"] == saved
    assert result["new"]["tree_size"] > saved["tree_size"]
    # The client can check the proof itself, with nothing but the two heads.
    assert merkle.verify_consistency(
        saved["tree_size"],
        result["new"]["tree_size"],
        _b(saved["root_hash"]),
        _b(result["new"]["root_hash"]),
        [_b(p) for p in result["proof"]],
    )
    last = [r for r in audit_rows(services) if r["action"] == "audit.consistency"][-1]
    assert last["outcome"] == "ok" and f'"from_size": {saved["tree_size"]}' in last["details"]


def test_a_forged_checkpoint_is_reported_not_proved(client, services):
    headers = signed_in(client, services, "ana", {"officer"})
    saved = client.post("/api/v1/audit/checkpoint", headers=headers)
    assert saved.status_code == 403  # checkpoints are for oversight and administrators
    olive = signed_in(client, services, "olive", {"oversight"}, "oversight")
    head = client.post("/api/v1/audit/checkpoint", headers=olive).json()
    forged = {**head, "root_hash": "00" * 32}
    result = client.post("/api/v1/audit/consistency", headers=headers, json=forged).json()
    assert result["ok"] is False and "signature is not valid" in result["problem"]
    assert result["proof"] == []


def test_bad_fields_are_named(client, services):
    headers = signed_in(client, services, "olive", {"oversight"}, "oversight")
    head = client.post("/api/v1/audit/checkpoint", headers=headers).json()
    url = "/api/v1/audit/consistency"
    short = {**head, "root_hash": "abc"}
    assert_problem(client.post(url, headers=headers, json=short), 422, field="root_hash")
    when = {**head, "timestamp": "yesterday"}
    body = assert_problem(client.post(url, headers=headers, json=when), 422, field="timestamp")
    assert "yesterday" in body["detail"]
    missing = {k: v for k, v in head.items() if k != "signature"}
    assert_problem(client.post(url, headers=headers, json=missing), 422, field="signature")
    encoded = {**head, "signature": base64.b64encode(_b(head["signature"])).decode()}
    assert_problem(client.post(url, headers=headers, json=encoded), 422, field="signature")


def test_no_session_no_proof(client):
    assert_problem(client.post("/api/v1/audit/consistency", json={}), 401)
