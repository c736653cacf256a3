"""Bad input stops at the door with a 422 naming the field, and leaves nothing behind (issue 13,
finding 6): a NUL in a multipart form (PostgreSQL cannot store one), JSON nested deeper than
any writ document, on both stores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from helpers import actor, audit_rows
from security.web import api_sign_in, csrf, page_sign_in
from test_web_accounts import add_account
from writ.api.app import create_app
from writ.cases import service as case_service

NUL = "bad\x00value"


@pytest.fixture
def evidence_root(tmp_path):
    root = tmp_path / "evidence"
    root.mkdir()
    return root


@pytest.fixture
def client(services, evidence_root):
    app = create_app(services, demo=True, evidence_root=evidence_root)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def case_id(services):
    officer = actor("officer", user="ana")
    return case_service.open_case(services, officer, type="investigation", title="Storefront").id


def _files_in(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _raw_multipart(
    fields: dict[str, str], file_field: str, filename: str, content: bytes
) -> tuple[bytes, dict[str, str]]:
    """A multipart body written byte for byte, as curl or a script can send it: the file name
    as it is (httpx and browsers percent-encode a NUL in it; an attacker does not)."""
    boundary = "writ-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def _as_multipart(fields: dict[str, str]) -> dict[str, tuple[None, bytes]]:
    """Form fields sent as multipart/form-data parts without a filename (as browsers may)."""
    return {name: (None, value.encode()) for name, value in fields.items()}


@pytest.mark.parametrize(
    ("path", "fields", "bad"),
    [
        ("/cases", {"title": NUL, "type": "investigation"}, "title"),
        ("/cases/{case}/notes", {"body": NUL}, "body"),
        ("/cases/{case}/tasks", {"title": NUL}, "title"),
        ("/leads", {"summary": NUL, "source": "hotline"}, "summary"),
    ],
)
def test_a_nul_in_a_multipart_form_is_refused_naming_the_field(
    client, services, case_id, path, fields, bad
):
    page_sign_in(client, add_account(services, "ana", {"officer"}))
    token = csrf(client.get(f"/cases/{case_id}").text)
    before = len(audit_rows(services))
    response = client.post(
        path.format(case=case_id), files=_as_multipart({**fields, "csrf": token})
    )
    assert response.status_code == 422, response.text
    assert f"{bad}: a NUL character is not allowed" in response.text
    assert len(audit_rows(services)) == before  # refused before any service ran


@pytest.mark.parametrize("where", ["description", "filename"])
def test_a_nul_in_an_evidence_upload_leaves_no_file_and_no_row(
    client, services, case_id, evidence_root, where
):
    page_sign_in(client, add_account(services, "ana", {"officer"}))
    token = csrf(client.get(f"/cases/{case_id}").text)
    description = NUL if where == "description" else "ledger"
    filename = "led\x00ger.txt" if where == "filename" else "ledger.txt"
    body, headers = _raw_multipart(
        {"csrf": token, "description": description, "retain_until": "2033-01-01"},
        "content",
        filename,
        b"the ledger's bytes",
    )
    response = client.post(f"/cases/{case_id}/evidence", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert "a NUL character is not allowed" in response.text
    assert _files_in(evidence_root) == []
    assert case_service.case_evidence(services, actor("officer", user="ana"), case_id) == []


@pytest.mark.parametrize("where", ["description", "filename"])
def test_a_nul_in_an_api_evidence_upload_is_a_422_problem(
    client, services, case_id, evidence_root, where
):
    headers = api_sign_in(client, add_account(services, "ana", {"officer"}))
    description = NUL if where == "description" else "ledger"
    filename = "led\x00ger.txt" if where == "filename" else "ledger.txt"
    body, content_type = _raw_multipart(
        {"description": description, "retain_until": "2033-01-01"},
        "file",
        filename,
        b"the ledger's bytes",
    )
    response = client.post(
        f"/api/v1/cases/{case_id}/evidence", headers={**headers, **content_type}, content=body
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == ("file" if where == "filename" else "description")
    assert _files_in(evidence_root) == []


def test_a_file_may_hold_nul_bytes(client, services, case_id, evidence_root):
    headers = api_sign_in(client, add_account(services, "ana", {"officer"}))
    response = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        headers=headers,
        data={"description": "a binary file", "retain_until": "2033-01-01"},
        files={"file": ("dump.bin", b"\x00\x01\x00binary", "application/octet-stream")},
    )
    assert response.status_code == 201, response.text
    assert len(_files_in(evidence_root)) == 1


def test_a_failed_evidence_upload_leaves_no_file(client, services, case_id, evidence_root):
    """Refused after the content was stored (a case of another unit): the file goes too."""
    page_sign_in(client, add_account(services, "mia", {"officer"}, unit="HSI-MIA"))
    token = csrf(client.get("/cases").text)
    response = client.post(
        f"/cases/{case_id}/evidence",
        data={"csrf": token, "description": "ledger", "retain_until": "2033-01-01"},
        files={"content": ("ledger.txt", b"the ledger's bytes", "text/plain")},
    )
    assert response.status_code in (403, 404)
    assert _files_in(evidence_root) == []


@pytest.mark.parametrize("depth", [200, 100_000])
def test_deeply_nested_json_is_a_422_not_a_crash(client, services, depth):
    headers = api_sign_in(client, add_account(services, "ana", {"officer"}))
    body = '{"title": ' + "[" * depth + '"x\\u0000"' + "]" * depth + ', "type": "investigation"}'
    response = client.post(
        "/api/v1/cases",
        headers={**headers, "content-type": "application/json"},
        content=body.encode(),
    )
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    assert "nested" in response.json()["detail"]


def test_nesting_within_the_bound_still_names_the_nul(client, services):
    headers = api_sign_in(client, add_account(services, "ana", {"officer"}))
    response = client.post(
        "/api/v1/cases",
        headers=headers,
        json={"title": [[["x\x00"]]], "type": "investigation"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "title.0.0.0"


@pytest.fixture
def refuse_the_next_evidence_row(services):
    """Makes the store refuse the next evidence row after its content is written; returns the
    description to send. PostgreSQL refuses a NUL in text (the tester's case); SQLite stores
    one, so a trigger refuses the row there."""

    def arm() -> str:
        if services.store.dialect == "postgresql":
            return "led\x00ger"
        with services.store.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_evidence BEFORE INSERT ON evidence "
                "BEGIN SELECT RAISE(ABORT, 'refused by the store'); END"
            )
        return "ledger"

    return arm


def _add(services, case_id, root, content: bytes, description: str):  # type: ignore[no-untyped-def]
    return case_service.add_evidence(
        services,
        actor("officer", user="ana"),
        case_id,
        content,
        filename="ledger.txt",
        description=description,
        retain_until="2033-01-01",
        files=case_service.FileEvidenceStore(root),
    )


def test_a_row_the_store_refuses_leaves_no_file(
    services, case_id, evidence_root, refuse_the_next_evidence_row
):
    description = refuse_the_next_evidence_row()
    with pytest.raises(Exception):  # noqa: B017 - whatever the store raises, nothing is left
        _add(services, case_id, evidence_root, b"the ledger's bytes", description)
    assert _files_in(evidence_root) == []
    assert case_service.case_evidence(services, actor("officer", user="ana"), case_id) == []


def test_content_already_held_stays_when_a_second_upload_fails(
    services, case_id, evidence_root, refuse_the_next_evidence_row
):
    kept = _add(services, case_id, evidence_root, b"held", "first copy")
    description = refuse_the_next_evidence_row()
    with pytest.raises(Exception):  # noqa: B017
        _add(services, case_id, evidence_root, b"held", description)
    assert case_service.FileEvidenceStore(evidence_root).get(kept.sha256) == b"held"
