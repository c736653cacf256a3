"""The audit viewer: stored text cannot break out of the proof's script block, and an entry (or
its proof) is shown only to those who may read the audit log (issue 13, findings 1 and 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import audit_rows
from security.web import api_sign_in, failed_sign_in, page_sign_in, script_json
from test_web_accounts import add_account
from writ.api.app import create_app

TEMPLATES = Path(__file__).parents[2] / "src" / "writ"
REFRESH = "</script><meta http-equiv=refresh content=0;url=https://attacker.invalid/>"


@pytest.fixture
def client(services):
    with TestClient(create_app(services, demo=True), follow_redirects=False) as test_client:
        yield test_client


def _seq_of(services, **fields) -> int:
    rows = [r for r in audit_rows(services) if all(r[k] == v for k, v in fields.items())]
    assert rows, f"no audit entry with {fields}"
    return int(rows[-1]["seq"])


def _proof_script(page: str) -> str:
    raw = script_json(page, "proof-data")
    # Nothing in the block can end it or open markup: <, > and & are written as \u escapes.
    assert not re.search(r"[<>&]", raw), raw
    return raw


def test_a_crafted_user_name_stays_data_in_the_audit_entry_page(client, services):
    assert failed_sign_in(client, REFRESH) == 401
    seq = _seq_of(services, action="session.sign-in", actor=REFRESH)
    olive = add_account(services, "olive", {"oversight"})
    page_sign_in(client, olive, "oversight")
    page = client.get(f"/audit/{seq}")
    assert page.status_code == 200
    document = json.loads(_proof_script(page.text))
    assert document["entry"]["actor"] == REFRESH  # the browser's check hashes exactly this
    assert "<meta http-equiv" not in page.text
    assert "&lt;/script&gt;&lt;meta http-equiv=refresh" in page.text


def test_a_crafted_search_query_stays_data_in_the_audit_entry_page(client, services):
    ana = add_account(services, "ana", {"officer"})
    page_sign_in(client, ana)
    query = '"><img src=x onerror=alert(1)>' + REFRESH
    assert client.get("/search", params={"q": query}).status_code == 200
    seq = _seq_of(services, action="person.search", actor="ana")
    client.cookies.clear()
    olive = add_account(services, "olive", {"oversight"})
    page_sign_in(client, olive, "oversight")
    page = client.get(f"/audit/{seq}")
    document = json.loads(_proof_script(page.text))
    assert json.loads(document["entry"]["details"])["query"] == query
    assert "<img src=x" not in page.text and "<meta http-equiv" not in page.text


def test_no_template_marks_data_as_safe():
    """Autoescaping is the only defence a template has: none may switch it off for a value.

    JSON for a script block goes through the ``script_json`` filter, which escapes <, > and &.
    """
    found = []
    for template in sorted(TEMPLATES.rglob("templates/**/*.html")):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            if re.search(r"\|\s*safe\b|autoescape\s+false|\bMarkup\s*\(", line):
                found.append(f"{template.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert not found, "templates that mark data as safe:\n" + "\n".join(found)


def test_no_python_module_hands_a_template_markup(client):
    """``Markup`` (markupsafe) turns escaping off for a value: only the one JSON helper makes it."""
    found = []
    for module in sorted(TEMPLATES.rglob("*.py")):
        text = module.read_text()
        if re.search(r"\bMarkup\b|markupsafe", text) and module.name != "templating.py":
            found.append(str(module.relative_to(TEMPLATES)))
    assert not found, f"modules making markup: {found}"


def test_every_script_block_of_data_goes_through_the_helper():
    found = []
    for template in sorted(TEMPLATES.rglob("templates/**/*.html")):
        for match in re.finditer(r"<script[^>]*>(.*?)</script>", template.read_text(), re.S):
            body = match.group(1).strip()
            if body and not re.fullmatch(r"\{\{\s*[\w.]+\s*\|\s*script_json\s*\}\}", body):
                found.append(f"{template.relative_to(TEMPLATES)}: {body[:60]}")
    assert not found, "script blocks not written by the script_json filter:\n" + "\n".join(found)


# -- Finding 2: who may read an entry or its proof ---------------------------------------------


def _an_entry_of_another_unit(client, services) -> int:
    """A search by an officer of ERO-NYC: its entry carries the query they typed."""
    nora = add_account(services, "nora", {"officer"}, unit="ERO-NYC")
    page_sign_in(client, nora)
    client.get("/search", params={"q": "Maria Lopez"})
    client.cookies.clear()
    return _seq_of(services, action="person.search", actor="nora")


@pytest.mark.parametrize("roles", [{"officer"}, {"supervisor"}, {"legal"}, {"custodian"}])
def test_only_readers_of_the_audit_log_get_an_entry_or_its_proof(client, services, roles):
    seq = _an_entry_of_another_unit(client, services)
    name = "-".join(sorted(roles)) + "-mia"
    reader = add_account(services, name, roles, unit="HSI-MIA")
    headers = api_sign_in(client, reader)
    proof = client.get(f"/api/v1/audit/entries/{seq}/proof", headers=headers)
    assert proof.status_code == 403, proof.text
    assert "Maria" not in proof.text
    assert proof.json()["policy"] == "default-deny"
    page_sign_in(client, reader)
    page = client.get(f"/audit/{seq}")
    assert page.status_code == 403 and "Maria" not in page.text
    refusals = [
        r
        for r in audit_rows(services)
        if r["actor"] == name and r["action"] == "audit.prove" and r["outcome"] == "denied"
    ]
    assert len(refusals) == 2  # both refusals are in the log


def test_a_missing_entry_is_no_oracle_for_those_who_may_not_read(client, services):
    reader = add_account(services, "otto", {"officer"}, unit="HSI-MIA")
    headers = api_sign_in(client, reader)
    assert client.get("/api/v1/audit/entries/999999/proof", headers=headers).status_code == 403
    olive = add_account(services, "olive", {"oversight"})
    oversight = api_sign_in(client, olive, "oversight")
    missing = client.get("/api/v1/audit/entries/999999/proof", headers=oversight)
    assert missing.status_code == 404


@pytest.mark.parametrize("roles", [{"oversight"}, {"admin"}])
def test_readers_of_the_audit_log_get_the_entry_and_its_proof(client, services, roles):
    seq = _an_entry_of_another_unit(client, services)
    reader = add_account(services, "reader", roles, unit="OIG")
    purpose = "oversight" if "oversight" in roles else "administration"
    headers = api_sign_in(client, reader, purpose)
    proof = client.get(f"/api/v1/audit/entries/{seq}/proof", headers=headers)
    assert proof.status_code == 200
    assert json.loads(proof.json()["entry"]["details"])["query"] == "Maria Lopez"
    assert proof.json()["verified_by_server"] is True
    page_sign_in(client, reader, purpose)
    assert client.get(f"/audit/{seq}").status_code == 200
