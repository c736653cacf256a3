"""Errors on the page, without a browser: a form that fails on its input comes back on the page
it was sent from, with what was typed and each field's error beside it; a bad value in an
address is told in plain words; no page ever shows a raw validation structure or a file path."""

from __future__ import annotations

import re

import pytest

from helpers import actor
from test_web import browser, csrf, sign_in  # noqa: F401  (browser is a fixture)
from test_web_accounts import add_account
from writ.cases import service as case_service
from writ.lifecycle import service as lc

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
RAW = re.compile(r"""File "|\.py\b|Traceback|site-packages|'loc'|\{'type'|pydantic""")


def assert_plain(text: str) -> None:
    found = RAW.search(text)
    shown = text[max(0, found.start() - 80) : found.end() + 80] if found else ""
    assert found is None, f"raw output on the page: {shown}"


def test_a_bad_facility_keeps_the_case_in_view_with_the_error_beside_the_field(browser, services):  # noqa: F811
    add_account(services, "ana", {"officer"})
    officer = actor("officer", user="ana", purpose="case-processing")
    admin = actor("admin", user="root", purpose="administration")
    lc.add_facility(services, admin, lc.Facility("MOS", "Moshannon", "1 Road", "555-0100"))
    case = lc.open_case(services, officer, subject_name="Tomás Herrera")
    sign_in(browser, add_account(services, "bea", {"officer"}), "case-processing")
    page = browser.get(f"/immigration/{case.id}")
    response = browser.post(
        f"/immigration/{case.id}/custody",
        data={
            "csrf": csrf(page.text),
            "step": "book",
            "facility": "ZZZ",
            "_form": "custody",
            "_page": f"/immigration/{case.id}",
        },
    )
    assert response.status_code == 422
    assert "<h1" in response.text and "Tomás Herrera" in response.text
    assert 'data-testid="error-summary"' in response.text
    assert 'href="#custody-facility"' in response.text
    field = re.search(r'<input[^>]*id="custody-facility"[^>]*>', response.text).group(0)
    assert 'value="ZZZ"' in field and 'aria-invalid="true"' in field
    assert 'id="custody-facility-error"' in response.text
    assert "No facility ZZZ" in response.text
    assert_plain(response.text)


def test_a_form_value_fastapi_cannot_read_comes_back_in_plain_words(browser, services):  # noqa: F811
    add_account(services, "ana", {"officer"})
    officer = actor("officer", user="ana", purpose="case-processing")
    case = lc.open_case(services, officer, subject_name="Mateo Quispe")
    sign_in(browser, add_account(services, "bea", {"officer"}), "case-processing")
    page = browser.get(f"/immigration/{case.id}")
    response = browser.post(
        f"/immigration/{case.id}/removal",
        data={
            "csrf": csrf(page.text),
            "country": "Peru",
            "days": "soon",
            "_form": "removal",
            "_page": f"/immigration/{case.id}",
        },
        headers={"referer": f"http://testserver/immigration/{case.id}"},
    )
    assert response.status_code == 422
    assert "Mateo Quispe" in response.text
    assert "must be a whole number" in response.text
    assert_plain(response.text)


def test_a_bad_page_number_in_the_address_is_left_out_and_said(browser, services):  # noqa: F811
    sign_in(browser, add_account(services, "ana", {"officer"}))
    response = browser.get("/queues?page=abc")
    assert response.status_code == 422
    assert "Work queues" in response.text
    assert 'data-testid="error-summary"' in response.text
    assert "Page: &#34;abc&#34; must be a whole number. It was left out." in response.text
    assert_plain(response.text)


def test_a_bad_id_in_the_address_is_not_found_in_plain_words(browser, services):  # noqa: F811
    sign_in(browser, add_account(services, "ana", {"oversight"}), "oversight")
    response = browser.get("/audit/abc")
    assert response.status_code == 404
    assert_plain(response.text)
    assert "Seq: &#34;abc&#34; must be a whole number" in response.text


# --- the sweep: every page and every form, with values nobody should type -------------------

BAD_VALUES = ("next friday", "-1", "x" * 5000, "")


def _routes():
    from fastapi.routing import APIRoute

    from writ.web import pages

    for module in pages.ROUTED:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            yield route


def _form_fields(dependant) -> list[str]:
    names = [p.name for p in dependant.body_params]
    for sub in dependant.dependencies:
        names += _form_fields(sub)
    return names


@pytest.fixture
def world(services):
    """One of each thing a page shows, all in unit ERO-NYC."""
    from datetime import UTC, datetime, timedelta

    from helpers import put_statements

    officer = actor(("officer", "supervisor"), user="sweeper", purpose="case-processing")
    case = case_service.open_case(services, officer, type="investigation", title="Sweep")
    task = case_service.create_task(services, officer, case.id, "Call", assignee="sweeper")
    put_statements(services, "p1", "Person", {"firstName": "Ana", "lastName": "Ruiz"})
    immigration = lc.open_case(services, officer, subject_name="Ana Ruiz")
    lead = case_service.take_lead(services, officer, summary="Tip", source="phone")
    plan = lc.create_operation_plan(
        services,
        officer,
        title="Dawn",
        planned_for=datetime.now(UTC) + timedelta(days=2),
        case_ids=[immigration.id],
    )
    return {
        "/cases/": {"case_id": case.id, "task_id": task.id, "evidence_id": "ev-none"},
        "/immigration/": {
            "case_id": immigration.id,
            "document_id": "doc-none",
            "claim_id": "claim-none",
            "step": "investigate",
        },
        "/operations/": {"plan_id": plan.id, "case_id": immigration.id},
        "/field/": {"plan_id": plan.id},
        "/leads/": {"lead_id": lead.id},
        "/subjects/": {"entity_id": "p1"},
        "/review/": {"match_id": "1"},
        "/audit/": {"seq": "1"},
        "/admin/": {"source": "test-source", "entry_id": "1"},
    }


def _path(route, world: dict[str, dict[str, str]], bogus: bool = False) -> str:
    names = re.findall(r"{(\w+)}", route.path)
    if not names:
        return route.path
    values = next((v for prefix, v in world.items() if route.path.startswith(prefix)), {})
    missing = [n for n in names if n not in values]
    assert not missing, f"the sweep has no value for {missing} in {route.path}: add one"
    path = route.path
    for name in names:
        path = path.replace("{" + name + "}", "no such thing!" if bogus else values[name])
    return path


@pytest.mark.parametrize(
    "roles, purpose",
    [
        ({"officer", "supervisor"}, "case-processing"),
        ({"legal", "oversight", "custodian", "admin"}, "oversight"),
    ],
)
def test_no_page_shows_raw_validation_output_or_a_file_path(
    browser,  # noqa: F811
    services,
    world,
    roles,
    purpose,
):
    sign_in(browser, add_account(services, "sweeper", roles), purpose)
    token = csrf(browser.get("/queues").text)
    seen = 0
    for route in _routes():
        if route.path.startswith(("/sign-in", "/signed-out", "/sign-out")):
            continue  # their own forms and redirects, covered by test_web and test_oidc
        for bogus in (False, True):
            path = _path(route, world, bogus)
            queries = [p.name for p in route.dependant.query_params]
            fields = _form_fields(route.dependant)
            for value in BAD_VALUES[:1] if bogus else BAD_VALUES:
                if "GET" in route.methods:
                    response = browser.get(path, params={q: value for q in queries})
                else:
                    data = {f: value for f in fields if f != "csrf"}
                    data.update(csrf=token, _page="/queues", _form="sweep")
                    response = browser.post(path, data=data)
                seen += 1
                where = f"{route.methods} {path} with {value[:20]!r}"
                assert response.status_code < 500, where
                if response.headers.get("content-type", "").startswith("text/html"):
                    found = RAW.search(response.text)
                    assert found is None, f"{where}: {response.text[found.start() - 80 :][:200]}"
    assert seen > 250
