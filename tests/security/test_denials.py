"""A denial names what was asked for and the rule, never the sealed case it belongs to (issue
13, finding 7), on both stores: the answer to a request for a task or an evidence item on a
sealed case must not tell its id, number or title."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from helpers import actor
from security.web import api_sign_in, page_sign_in
from test_web_accounts import add_account
from writ.api.app import create_app
from writ.cases import service as case_service

# A supervisor of ERO-NYC who is also a records custodian: the one who may open a sealed case.
CUSTODIAN = actor({"supervisor", "custodian"}, user="cora", purpose="investigation")


@pytest.fixture
def client(services, tmp_path):
    app = create_app(services, demo=True, evidence_root=tmp_path)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def sealed(services, tmp_path):
    """A sealed case of ERO-NYC with a task and an evidence item."""
    case = case_service.open_case(
        services,
        CUSTODIAN,
        type="investigation",
        title="Witness protection",
        unit="ERO-NYC",
        sealed=True,
    )
    task = case_service.create_task(services, CUSTODIAN, case.id, "Move the witness")
    item = case_service.add_evidence(
        services,
        CUSTODIAN,
        case.id,
        b"statement",
        filename="statement.txt",
        description="statement",
        retain_until="2033-01-01",
        files=case_service.FileEvidenceStore(tmp_path),
    )
    return case, task, item


def _names_the_case(text: str, case) -> list[str]:  # type: ignore[no-untyped-def]
    return [value for value in (case.id, case.number, case.title) if value in text]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/tasks/{task}", "/api/v1/evidence/{item}", "/api/v1/evidence/{item}/custody"],
)
def test_an_api_denial_does_not_name_the_sealed_case(client, services, sealed, path):
    case, task, item = sealed
    headers = api_sign_in(client, add_account(services, "ana", {"officer"}))
    response = client.get(path.format(task=task.id, item=item.id), headers=headers)
    assert response.status_code in (403, 404), response.text
    assert _names_the_case(response.text, case) == [], response.text
    if response.status_code == 403:
        assert response.json()["policy"] == "sealed-custodian-only"


def test_a_page_denial_does_not_name_the_sealed_case(client, services, sealed):
    case, _, _ = sealed
    page_sign_in(client, add_account(services, "ana", {"officer"}))
    page = client.get(f"/cases/{case.id}")
    assert page.status_code in (403, 404)
    assert "Witness protection" not in page.text and case.number not in page.text
