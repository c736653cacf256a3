"""The public detainee locator over the API: no session, the same rules as the service and the
page (facility and contact only, never a minor, rate-limited per client); SQLite and PostgreSQL.

There is no policy denial to test: the route is public by design (``PUBLIC_ROUTES``) and runs
as the system actor ``system:public-locator``.
"""

from __future__ import annotations

from datetime import date

import pytest

from helpers import audit_rows
from test_api_support import assert_problem, make_client
from test_lifecycle_service import OFFICER, facilities, new_case
from writ.api.app import PUBLIC_ROUTES
from writ.lifecycle import service as lc

URL = "/api/v1/locator"


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


@pytest.fixture
def detained(services) -> str:
    facilities(services)
    adult = new_case(services)
    child = new_case(
        services,
        subject_name="Sofia Lopez",
        birth_date=date.today().replace(year=date.today().year - 15),
        a_number_value="A300400500",
    )
    for case_id in (adult, child):
        assert isinstance(lc.book_into_custody(services, OFFICER, case_id, "ELZ"), lc.Done)
    return adult


def test_found_without_a_session_facility_and_contact_only(client, services, detained):
    assert URL in PUBLIC_ROUTES
    by_number = client.get(URL, params={"a_number": "200300400", "country_of_birth": "MX"})
    assert by_number.status_code == 200, by_number.text
    (entry,) = by_number.json()["entries"]
    assert entry["facility"] == "Elizabeth Detention Center"
    assert set(entry) == {"status", "facility", "address", "phone", "visiting"}
    by_name = client.get(
        URL,
        params={
            "name": "ana maria lopez",
            "birth_date": "1990-05-17",
            "country_of_birth": "Mexico",
        },
    ).json()
    assert [e["facility"] for e in by_name["entries"]] == ["Elizabeth Detention Center"]
    searches = [r for r in audit_rows(services) if r["action"] == "locator.search"]
    assert len(searches) == 2 and all("200300400" not in r["details"] for r in searches)


def test_a_minor_is_never_listed(client, detained):
    answer = client.get(URL, params={"a_number": "A300400500", "country_of_birth": "MX"})
    assert answer.status_code == 200 and answer.json() == {"rate_limited": False, "entries": []}


def test_a_client_is_rate_limited(client, services, detained):
    params = {"a_number": "200300400", "country_of_birth": "MX"}
    answers = [client.get(URL, params=params).json() for _ in range(11)]
    assert [a["rate_limited"] for a in answers] == [False] * 10 + [True]
    assert answers[-1]["entries"] == []
    assert audit_rows(services)[-1]["outcome"] == "rate-limited"


def test_bad_searches_name_the_field(client, detained):
    missing = client.get(URL, params={"a_number": "200300400"})
    assert_problem(missing, 422, field="query.country_of_birth")
    no_key = client.get(URL, params={"country_of_birth": "MX", "name": "Ana"})
    assert "date of birth" in assert_problem(no_key, 422)["detail"]
    bad_date = client.get(URL, params={"country_of_birth": "MX", "name": "A", "birth_date": "x"})
    assert_problem(bad_date, 422, field="query.birth_date")
