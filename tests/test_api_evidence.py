"""Evidence over the API: upload, metadata and chain, download with a fresh hash check (a
tampered file is refused), custody hand-overs, verification and disposal; SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os

import pytest

from helpers import actor, audit_rows
from test_api_support import assert_problem, make_client, signed_in
from writ.cases import service as case_service

OWNER = actor("officer", user="ana")
CONTENT = b"Interview notes, 2026-03-02, signed.\n"


@pytest.fixture
def client(services, tmp_path):
    with make_client(services, evidence_root=tmp_path / "evidence") as test_client:
        yield test_client


@pytest.fixture
def case_id(services) -> str:
    return case_service.open_case(services, OWNER, type="investigation", title="Smuggling").id


def upload(client, headers, case_id: str, retain_until: str = "2020-01-01"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/cases/{case_id}/evidence",
        headers=headers,
        files={"file": ("notes 1.txt", CONTENT, "text/plain")},
        data={"description": "Interview notes", "retain_until": retain_until},
    )


def test_upload_show_download_and_the_chain(client, services, case_id):
    headers = signed_in(client, services, "ana", {"officer"})
    response = upload(client, headers, case_id)
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert (item["size"], item["filename"], item["custodian"]) == (
        len(CONTENT),
        "notes 1.txt",
        "ana",
    )
    shown = client.get(f"/api/v1/evidence/{item['id']}", headers=headers).json()
    assert shown["item"] == item
    assert [e["event"] for e in shown["chain"]] == ["collected"]
    download = client.get(f"/api/v1/evidence/{item['id']}/content", headers=headers)
    assert download.status_code == 200 and download.content == CONTENT
    assert download.headers["x-content-sha256"] == item["sha256"]
    assert 'filename="notes_1.txt"' in download.headers["content-disposition"]
    verified = client.post(f"/api/v1/evidence/{item['id']}/verify", headers=headers).json()
    assert verified["sha256"] == item["sha256"]
    chain = client.get(f"/api/v1/evidence/{item['id']}/custody?limit=1", headers=headers).json()
    assert [e["event"] for e in chain["items"]] == ["collected"]
    assert chain["total"] == 2 and chain["next"] == "1"
    actions = [r["action"] for r in audit_rows(services)]
    assert {"evidence.collect", "evidence.retrieve", "evidence.verify"} <= set(actions)


def test_a_tampered_file_is_refused_and_the_alert_recorded(client, services, case_id, tmp_path):
    headers = signed_in(client, services, "ana", {"officer"})
    item = upload(client, headers, case_id).json()
    path = case_service.FileEvidenceStore(tmp_path / "evidence").path(item["sha256"])
    os.chmod(path, 0o644)
    path.write_bytes(CONTENT.replace(b"signed", b"forged"))
    refused = client.get(f"/api/v1/evidence/{item['id']}/content", headers=headers)
    body = assert_problem(refused, 409, field="sha256", expected=item["sha256"])
    assert body["type"].endswith("/evidence-integrity")
    assert body["observed"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert b"forged" not in refused.content
    chain = client.get(f"/api/v1/evidence/{item['id']}", headers=headers).json()["chain"]
    assert chain[-1]["event"] == "verification_failed"
    last = audit_rows(services)[-2]
    assert (last["action"], last["outcome"]) == ("evidence.retrieve", "alert")
    verify = client.post(f"/api/v1/evidence/{item['id']}/verify", headers=headers)
    assert_problem(verify, 409, field="sha256")


def test_transfer_then_dispose_after_retention(client, services, case_id):
    officer = signed_in(client, services, "ana", {"officer"})
    item = upload(client, officer, case_id).json()
    url = f"/api/v1/evidence/{item['id']}"
    moved = client.post(
        f"{url}/custody",
        headers=officer,
        json={"event": "transferred", "to_party": "lab-1", "note": "for analysis"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["custodian"] == "lab-1"
    denied = client.post(f"{url}/disposal", headers=officer, json={"reason": "case closed"})
    assert assert_problem(denied, 403)["policy"] == "default-deny"
    boss = signed_in(client, services, "sue", {"supervisor"})
    gone = client.post(f"{url}/disposal", headers=boss, json={"reason": "case closed"})
    assert gone.status_code == 200, gone.text
    assert (gone.json()["status"], gone.json()["disposal_reason"]) == ("disposed", "case closed")
    chain = client.get(url, headers=officer).json()["chain"]
    assert [e["event"] for e in chain] == ["collected", "transferred", "disposed"]
    again = client.post(f"{url}/disposal", headers=boss, json={"reason": "twice"})
    assert "already disposed" in assert_problem(again, 422)["detail"]


def test_retention_forbids_an_early_disposal(client, services, case_id):
    officer = signed_in(client, services, "ana", {"officer"})
    item = upload(client, officer, case_id, retain_until="2999-12-31").json()
    boss = signed_in(client, services, "sue", {"supervisor"})
    early = client.post(
        f"/api/v1/evidence/{item['id']}/disposal", headers=boss, json={"reason": "tidy"}
    )
    assert "retain_until 2999-12-31 has not passed" in assert_problem(early, 422)["detail"]


def test_another_unit_can_neither_upload_nor_read(client, services, case_id):
    officer = signed_in(client, services, "ana", {"officer"})
    item = upload(client, officer, case_id).json()
    stranger = signed_in(client, services, "lee", {"officer"}, unit="HSI-LA")
    assert assert_problem(upload(client, stranger, case_id), 403)["policy"] == "default-deny"
    read = client.get(f"/api/v1/evidence/{item['id']}/content", headers=stranger)
    # The refusal names the item asked for, not the case it is on (which may be sealed).
    assert_problem(read, 403, resource=f"evidence:{item['id']}")
    assert audit_rows(services)[-1]["outcome"] == "denied"


def test_bad_input_names_the_field(client, services, case_id):
    headers = signed_in(client, services, "ana", {"officer"})
    assert_problem(upload(client, headers, case_id, retain_until="soon"), 422, field="retain_until")
    no_file = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        headers=headers,
        data={"description": "x", "retain_until": "2030-01-01"},
    )
    assert_problem(no_file, 422, field="file")
    item = upload(client, headers, case_id).json()
    url = f"/api/v1/evidence/{item['id']}/custody"
    assert_problem(
        client.post(url, headers=headers, json={"event": "transferred"}), 422, field="to_party"
    )
    assert_problem(client.post(url, headers=headers, json={"event": "lost"}), 422, field="event")
    assert_problem(client.post(url, headers=headers, json={"event": "checked_in"}), 422)
    assert_problem(client.get("/api/v1/evidence/nope", headers=headers), 404)
    assert_problem(upload(client, headers, "no-such-case"), 404)
    # PostgreSQL cannot store a NUL: refused before any service runs, naming the field.
    nul = client.post(url, headers=headers, json={"event": "received", "note": "a\x00b"})
    assert_problem(nul, 422, field="note")
    assert_problem(
        client.get("/api/v1/evidence/a%00b", headers=headers), 422, field="path.evidence_id"
    )
    boundary = "writ-test-boundary"
    raw = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="a\tb.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nx\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="description"\r\n\r\nx\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="retain_until"\r\n\r\n2030-01-01\r\n'
        f"--{boundary}--\r\n"
    )
    bad_name = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=raw.encode(),
    )
    assert_problem(bad_name, 422, field="file")


def test_no_session_no_evidence(client, case_id):
    assert_problem(client.get("/api/v1/evidence/x"), 401)
    assert_problem(client.get("/api/v1/evidence/x/content"), 401)
    assert_problem(client.post("/api/v1/evidence/x/disposal", json={"reason": "r"}), 401)
    assert_problem(
        client.post(
            f"/api/v1/cases/{case_id}/evidence",
            files={"file": ("a.txt", b"a", "text/plain")},
            data={"description": "x", "retain_until": "2030-01-01"},
        ),
        401,
    )
