"""schemathesis against the OpenAPI: no server errors, and nothing accepted without a session.

Bounded: a few generated requests per operation, on SQLite, one signed-in admin and a caller
with no session. Every operation is called both ways: one at a time, then in multi-step
sequences that follow the OpenAPI links (declared, and inferred by schemathesis) from what one
call created to the next call on it (open a case, then read it, file a document, act on it,
book, photograph it; open an investigation, then add a task, a note, evidence...).
"""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from test_web_accounts import add_account
from writ.api.app import PUBLIC_ROUTES, create_app
from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.policy.engine import load_policy
from writ.service import Services
from writ.store.engine import Store


@pytest.fixture
def sqlite_services(_templates, ledger_key, tmp_path):
    shutil.copyfile(_templates["sqlite"], tmp_path / "writ.db")
    store = Store(f"sqlite:///{tmp_path / 'writ.db'}")
    yield Services(store, load_policy(), Ledger(keys.load_signing_key(ledger_key), head_interval=0))
    store.dispose()


@pytest.fixture
def signed_in_app(sqlite_services, tmp_path):
    services = sqlite_services
    app = create_app(
        services, demo=True, evidence_root=tmp_path / "evidence", photo_root=tmp_path / "photos"
    )
    everyone = add_account(services, "sam", {"admin", "oversight", "officer", "supervisor"})
    from writ.service import auth

    session = auth.sign_in(services, "sam", everyone.password, everyone.code(), "oversight")
    return app, {"Authorization": f"Bearer {session.token}"}


def _public(path: str) -> bool:
    return path in PUBLIC_ROUTES


def test_no_server_errors_and_no_access_without_a_session(signed_in_app):
    app, headers = signed_in_app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        _exercise(operation, headers)


def _exercise(operation, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(
        max_examples=3,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        path = f"{case.method} {case.formatted_path}"
        anonymous = case.call(headers={"Authorization": ""})
        assert anonymous.status_code < 500, f"{path} without a session: {anonymous.text}"
        if not _public(case.path):
            assert anonymous.status_code == 401, f"{path} accepted without a session"
        response = case.call(headers=headers)
        assert response.status_code < 500, f"{path}: {response.text}"

    check()


# The operations whose sequences make the case workflows: open, read, file, act, book, photograph
# an immigration case; open an investigation, read it, add tasks, notes and evidence.
WORKFLOW_PATHS = r"^/api/v1/(immigration-cases|cases)(/|$)"


def test_multi_step_sequences_have_no_server_errors_and_need_a_session(signed_in_app):
    app, headers = signed_in_app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).include(
        path_regex=WORKFLOW_PATHS
    )
    # Valid requests only, so that sequences get deep (the single-step test above sends invalid
    # ones), and only the links the API declares: inferred ones join routes that merely share a
    # parameter name (an investigation's case_id is not an immigration case's).
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    schema.config.phases.stateful.inference.algorithms = []
    calls: Counter[tuple[str, int]] = Counter()

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def step(self, input: StepInput) -> StepOutput:
            case = input.case
            path = f"{case.method} {case.formatted_path}"
            anonymous = case.call(headers={"Authorization": ""})
            assert anonymous.status_code < 500, f"{path} without a session: {anonymous.text}"
            if not _public(case.path):
                assert anonymous.status_code == 401, (
                    f"{path} accepted without a session: {anonymous.status_code} {anonymous.text} "
                    f"{case.body!r} {case.media_type}"
                )
            response = case.call(headers=dict(headers))
            assert response.status_code < 500, f"{path}: {response.text}"
            calls[(f"{case.method} {case.path}", response.status_code)] += 1
            return StepOutput(response, case)

    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    # The sequences went past the first call: what one step created, the next step used.
    made = {op for (op, status) in calls if status == 201}
    followed = {op for (op, status) in calls if "{" in op and status < 300}
    summary = "\n".join(f"{op} {status}: {n}" for (op, status), n in sorted(calls.items()))
    assert {"POST /api/v1/immigration-cases", "POST /api/v1/cases"} <= made, summary
    assert {
        "GET /api/v1/immigration-cases/{case_id}",
        "GET /api/v1/cases/{case_id}",
        "POST /api/v1/cases/{case_id}/tasks",
    } <= followed, summary


def test_an_attempt_number_too_large_for_the_store_is_refused_not_a_server_error(signed_in_app):
    """Found by the multi-step run: an override naming attempt 2**88 reached SQLite."""
    app, headers = signed_in_app
    with TestClient(app) as client:
        case = client.post("/api/v1/immigration-cases", headers=headers, json={"name": "Ana"})
        assert case.status_code == 201, case.text
        response = client.post(
            f"/api/v1/immigration-cases/{case.json()['id']}/overrides",
            headers=headers,
            json={"attempt_id": 2**88, "rule": "decision-48h", "reason": "x"},
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"].endswith(
            "attempt_id"
        ), response.text
