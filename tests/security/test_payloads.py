"""The tester's injection payloads, stored in every kind of text a person can type, then every
page opened by those who may see it: the raw HTML holds them as text (issue 13), on both stores.

- markup that would end a script block or open an element stays escaped;
- template syntax is printed, never evaluated;
- control characters and the bidirectional overrides are shown as their escapes (``\\u202e``),
  so a file name cannot turn ``exe.txt`` around or hide what follows it.
(``tests/browser/test_security_injection.py`` opens a sample of these pages in Chromium.)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from helpers import actor
from security.web import page_sign_in, routes_of
from test_web_accounts import add_account
from writ.api.app import create_app
from writ.cases import service as case_service
from writ.lifecycle import service as lc

SCRIPT_END = "</script><meta http-equiv=refresh content=0;url=https://attacker.invalid/>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}{% raw %}"
CONTROLS = "bell\x07escape\x1b[2Jend"
RTL = "invoice\u202etxt.exe"
PAYLOAD = f"P {SCRIPT_END} {ATTRIBUTE} {TEMPLATE} {CONTROLS} {RTL}"
OFFICER = actor({"officer", "supervisor"}, user="ana", purpose="case-processing")


@pytest.fixture
def planted(services, tmp_path):
    """Every kind of typed text of ERO-NYC, each holding the payload."""
    case = case_service.open_case(services, OFFICER, type="investigation", title=PAYLOAD)
    case_service.create_task(services, OFFICER, case.id, PAYLOAD)
    case_service.add_case_note(services, OFFICER, case.id, PAYLOAD)
    case_service.add_evidence(
        services,
        OFFICER,
        case.id,
        b"bytes",
        filename=f"{RTL}",
        description=PAYLOAD,
        retain_until="2033-01-01",
        files=case_service.FileEvidenceStore(tmp_path / "evidence"),
    )
    lead = case_service.take_lead(services, OFFICER, summary=PAYLOAD, source="hotline")
    immigration = lc.open_case(services, OFFICER, subject_name=PAYLOAD)
    plan = lc.create_operation_plan(
        services,
        OFFICER,
        title=PAYLOAD,
        planned_for=datetime.now(UTC) + timedelta(days=2),
        case_ids=[immigration.id],
    )
    ids = {"case_id": case.id, "lead_id": lead.id, "plan_id": plan.id, "seq": "1"}
    return {"ids": ids, "immigration": immigration.id, "root": tmp_path / "evidence"}


def _problems(html: str) -> list[str]:
    found = []
    for raw in (SCRIPT_END, ATTRIBUTE, "<img src=x", "<meta http-equiv=refresh"):
        if raw in html:
            found.append(f"raw markup {raw!r}")
    if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]", html):
        found.append("a raw control or bidi override character")
    return found


def _filled(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "x"), template)


def _pages(app, ids: dict[str, str], immigration: str) -> list[str]:
    paths = []
    for route in routes_of(app):
        if "GET" not in route.methods or route.path.startswith(("/api/", "/static", "/sign-in")):
            continue
        values = {**ids, "case_id": immigration} if "/immigration" in route.path else ids
        paths.append(_filled(route.path, values))
    return paths


@pytest.mark.parametrize(
    ("roles", "purpose"),
    [({"officer", "supervisor"}, "case-processing"), ({"oversight"}, "oversight")],
)
def test_every_page_shows_the_payloads_as_text(services, planted, roles, purpose):
    app = create_app(services, demo=True, evidence_root=planted["root"])
    shown = whole = 0
    found: list[str] = []
    with TestClient(app, follow_redirects=False) as client:
        page_sign_in(client, add_account(services, "reader", roles), purpose)
        for path in _pages(app, planted["ids"], planted["immigration"]):
            for query in ({}, {"q": PAYLOAD}):
                page = client.get(path, params=query)
                if "P &lt;/script&gt;" not in page.text:
                    continue
                shown += 1
                found += [f"{path}: {problem}" for problem in _problems(page.text)]
                # A list may cut a long text short; where it is whole, it is whole as typed.
                whole += "{{7*7}}{% raw %}" in page.text and r"invoice\u202etxt.exe" in page.text
    assert shown >= 5, f"only {shown} pages showed the planted text"
    assert whole >= 3, f"only {whole} pages showed the template syntax and the override as text"
    assert not found, "\n".join(found)
