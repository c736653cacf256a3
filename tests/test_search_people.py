"""One search over people and cases: one row per person with its records and sources counted,
people who exist only on an immigration case, immigration and investigation cases, identifiers
in any common format, paging with the total, and the access filters. SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import insert

from helpers import actor, put_statements
from writ.cases import service as cases
from writ.lifecycle import service as lc
from writ.model.actor import system_actor
from writ.model.resource import Resource
from writ.search import service as search
from writ.search.names import retrieval_key
from writ.service import AccessDenied
from writ.service.subjects import set_marking
from writ.store.tables.resolve import resolve_records

OFFICER = actor("officer", user="ana", unit="ERO-NYC", purpose="case-processing")
INSIDE = actor("officer", user="gj", compartments=["GJ"], purpose="case-processing")
MIAMI = actor("officer", user="bo", unit="HSI-MIA", purpose="case-processing")
CUSTODIAN = actor("custodian", user="cu", unit="ERO-NYC", purpose="records-management")


def put_subject(svc, subject_id: str, members: dict[str, tuple[str, dict[str, str]]]) -> None:
    """Records, and the subject the resolver put them in (test setup, not a service)."""
    for entity_id, (source, values) in members.items():
        put_statements(svc, entity_id, "Person", values, source=source, record_id=entity_id)
    with svc.store.transaction() as session:
        for entity_id, (source, _) in members.items():
            session.execute(
                insert(resolve_records).values(
                    entity_id=entity_id,
                    source=source,
                    record_id=entity_id,
                    features={},
                    features_sha="0" * 40,
                    subject_id=subject_id,
                    assigned_at="2026-01-01T00:00:00Z",
                    assigned_by="system:resolve",
                )
            )


@pytest.fixture
def store(services):
    put_subject(
        services,
        "S-paola",
        {
            "e-paola-1": ("bookings", {"name": "NUNEZ SANCHEZ PAOLA", "birthDate": "1982-06-28"}),
            "e-paola-2": (
                "visa_benefits",
                {"name": "Paola Núñez Sánchez", "birthDate": "1982-06-28", "idNumber": "217156742"},
            ),
            "e-paola-3": ("bookings", {"name": "Paola Nunez", "passportNumber": "X1234567"}),
        },
    )
    put_statements(services, "e-loose", "Person", {"name": "Paola Nunes"}, record_id="L-9")
    search.reindex(services, system_actor("search"))
    return services


def _rows(results):
    return [(r.kind, r.id) for r in results.rows]


def test_one_row_per_person_with_records_and_sources_counted(store):
    found = search.search(store, OFFICER, "Paola Nunez Sanchez")
    assert found.total == 2 and found.complete
    top = found.rows[0]
    assert (top.kind, top.id) == ("subject", "S-paola")
    assert top.records == 3 and top.sources == ("bookings", "visa_benefits")
    assert top.matches == 3
    assert top.matched.on == "name" and top.matched.record_id == "e-paola-2"
    assert (
        top.matched.why
        == "name “Paola Núñez Sánchez” (same name) on visa_benefits record e-paola-2"
    )
    assert top.born == ("1982-06-28",) and top.a_numbers == ("A217156742",)
    # A record not yet resolved is a row of its own.
    assert (found.rows[1].kind, found.rows[1].id, found.rows[1].records) == ("record", "e-loose", 1)


@pytest.mark.parametrize("query", ["A-999-100-001", "A999100001", "999100001", "a 999 100 001"])
def test_a_person_only_on_an_immigration_case_by_name_and_a_number(store, query):
    case = lc.open_case(
        store,
        OFFICER,
        subject_name="Mateo Quispe Vargas",
        birth_date=date(1987, 3, 12),
        country_of_birth="Peru",
        a_number_value="A-999-100-001",
    )
    (row,) = search.search(store, OFFICER, query).rows
    assert (row.kind, row.id, row.name) == ("immigration-case", case.id, "Mateo Quispe Vargas")
    assert row.matched.why == f"A-number A999100001 on immigration case {case.id}"
    assert row.sources == ("immigration case",) and row.born == ("1987-03-12",)
    by_name = search.search(store, OFFICER, "mateo quispe")
    assert _rows(by_name) == [("immigration-case", case.id)]
    assert _rows(search.search(store, OFFICER, case.id.lower())) == [("immigration-case", case.id)]


def test_an_immigration_case_of_a_known_person_joins_that_persons_row(store):
    case = lc.open_case(store, OFFICER, subject_name="Paola Nunez Sanchez", entity_id="e-paola-1")
    found = search.search(store, OFFICER, "Paola Nunez Sanchez")
    top = found.rows[0]
    assert top.id == "S-paola" and top.records == 4
    assert [c.id for c in top.immigration_cases] == [case.id]
    assert top.sources == ("bookings", "visa_benefits", "immigration case")
    assert found.total == 2


def test_passports_with_spaces_and_dashes(store):
    for query in ("X1234567", "x123 4567", "X-123-4567"):
        (row,) = search.search(store, OFFICER, query).rows
        assert (row.id, row.matched.on, row.matched.value) == ("S-paola", "passport", "X1234567")


def test_investigation_cases_by_number_and_title(store):
    case = cases.open_case(store, OFFICER, type="investigation", title="Print shop ring")
    cases.open_case(store, MIAMI, type="investigation", title="Print shop in Miami")
    by_number = search.search(store, OFFICER, case.number.lower())
    assert _rows(by_number) == [("investigation-case", case.id)]
    assert by_number.rows[0].matched.on == "case number"
    by_title = search.search(store, OFFICER, "print shop")
    assert _rows(by_title) == [("investigation-case", case.id)]  # not Miami's
    assert by_title.rows[0].name == f"{case.number} Print shop ring"


def test_paged_with_the_total(services):
    for n in range(25):
        put_statements(
            services, f"e-lopez-{n:02}", "Person", {"name": "Maria Lopez"}, record_id=f"R{n}"
        )
    search.reindex(services, system_actor("search"))
    first = search.search(services, OFFICER, "Maria Lopez")
    assert (first.total, len(first.rows), first.offset) == (25, 20, 0)
    second = search.search(services, OFFICER, "Maria Lopez", offset=20)
    assert len(second.rows) == 5
    assert {r.id for r in first.rows}.isdisjoint({r.id for r in second.rows})
    with pytest.raises(ValueError, match="limit"):
        search.search(services, OFFICER, "Maria Lopez", limit=500)
    with pytest.raises(ValueError, match=r"^q: "):
        search.search(services, OFFICER, "   ")


def test_hidden_people_and_cases_neither_show_nor_count(store):
    set_marking(store, CUSTODIAN, "e-loose", sealed=True)
    secret = lc.open_case(store, INSIDE, subject_name="Paola Nunez Sanchez", compartments=["GJ"])
    found = search.search(store, OFFICER, "Paola Nunez Sanchez")
    assert _rows(found) == [("subject", "S-paola")] and found.total == 1
    assert found.rows[0].immigration_cases == ()
    assert ("immigration-case", secret.id) in _rows(search.search(store, INSIDE, "Paola Nunez"))
    # A sealed record of a subject is not counted among its records.
    set_marking(store, CUSTODIAN, "e-paola-1", sealed=True)
    (row,) = search.search(store, OFFICER, "Paola Nunez Sanchez").rows
    assert (row.records, row.sources) == (2, ("bookings", "visa_benefits"))


def test_the_immigration_case_filter_agrees_with_the_policy(store):
    open_one = lc.open_case(store, OFFICER, subject_name="Irina Popescu")
    hidden = lc.open_case(store, INSIDE, subject_name="Irina Popescu", compartments=["GJ"])
    marks = {open_one.id: frozenset(), hidden.id: frozenset({"GJ"})}
    people = [
        OFFICER,
        MIAMI,
        CUSTODIAN,
        INSIDE,
        actor("legal", user="le", purpose="legal-review"),
        actor("supervisor", user="su", unit="HSI-MIA", purpose="investigation"),
    ]
    for who in people:
        shown = {r.id for r in search.search(store, who, "Irina Popescu").rows}
        for case_id, compartments in marks.items():
            resource = Resource("immigration-case", case_id, "ERO-NYC", compartments)
            expected = store.policy.decide(who, "read", resource).allowed
            assert (case_id in shown) == expected, (who.user, case_id)
    for who in (
        actor("oversight", user="ov", purpose="oversight"),
        actor("admin", user="ad", purpose="administration"),
    ):
        with pytest.raises(AccessDenied):
            search.search(store, who, "Irina Popescu")


def test_the_api_pages_the_same_rows(store):
    from fastapi.testclient import TestClient

    from test_api import sign_in
    from test_web_accounts import add_account
    from writ.api.app import create_app

    for n in range(3):
        lc.open_case(store, OFFICER, subject_name=f"Paola Nunez Sanchez {n}")
    with TestClient(create_app(store, demo=True)) as client:
        headers = sign_in(client, add_account(store, "ana", {"officer"}), "case-processing")
        first = client.get(
            "/api/v1/search", params={"q": "Paola Nunez Sanchez", "limit": 2}, headers=headers
        )
        assert first.status_code == 200, first.text
        body = first.json()
        assert (body["total"], body["limit"], body["next"], body["complete"]) == (5, 2, "2", True)
        assert body["items"][0]["id"] == "S-paola"
        assert body["items"][0]["matched"]["why"].startswith("name “Paola Núñez Sánchez”")
        rest = client.get(
            "/api/v1/search",
            params={"q": "Paola Nunez Sanchez", "limit": 2, "cursor": body["next"]},
            headers=headers,
        ).json()
        assert len(rest["items"]) == 2 and rest["next"] == "4"
        assert {i["id"] for i in rest["items"]}.isdisjoint({i["id"] for i in body["items"]})
        empty = client.get("/api/v1/search", params={"q": " "}, headers=headers)
        assert empty.status_code == 422 and empty.json()["field"] == "q"


def test_the_command_line_searches_people_and_cases(store, writ_home, monkeypatch):
    from typer.testing import CliRunner

    from test_web_accounts import add_account
    from writ.cli import app

    add_account(store, "ana", {"officer"})
    case = lc.open_case(
        store, OFFICER, subject_name="Mateo Quispe Vargas", a_number_value="A999100001"
    )
    monkeypatch.setenv("WRIT_USER", "ana")
    monkeypatch.setenv("WRIT_PURPOSE", "case-processing")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    result = runner.invoke(app, ["search", "A-999-100-001"])
    assert result.exit_code == 0, result.output
    assert case.id in result.output and "1–1 of 1" in result.output
    result = runner.invoke(app, ["search", "find", "Paola Nunez", "--per-page", "1"])
    assert result.exit_code == 0, result.output
    assert "S-paola" in result.output and "1–1 of 2" in result.output
    assert 'next: writ search "Paola Nunez" --page 2' in result.output
    result = runner.invoke(app, ["search", "names", "Paola Nunez"])
    assert result.exit_code == 0 and "e-paola" in result.output


def test_the_case_names_migration_indexes_the_cases_already_open(unmigrated_db_url):
    from alembic import command
    from sqlalchemy import inspect, text

    from writ.store import migrate
    from writ.store.engine import Store

    store = Store(unmigrated_db_url)
    config = migrate._config()

    def alembic(step: str, revision: str) -> None:
        with store.engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, step)(config, revision)

    alembic("upgrade", "0008_lifecycle")
    alembic("upgrade", "0006_search")
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO immigration_cases (id, subject_name, subject_name_key, citizenship, "
                "state, unit, compartments, sealed, opened_by, opened_at, updated_at) VALUES "
                "('IC-000000000001', 'Kwame Mensah', 'kwame mensah', 'unknown', 'encounter', "
                "'ERO-NYC', '[]', false, 'ana', '2026-01-01', '2026-01-01')"
            )
        )
    alembic("upgrade", "0011_search_case_names")
    with store.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT n.case_id, n.name, k.norm FROM search_case_names n "
                "JOIN search_keys k ON k.id = n.key_id"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("IC-000000000001", "Kwame Mensah", retrieval_key("Kwame Mensah"))
    ]
    alembic("downgrade", "0006_search")
    assert "search_case_names" not in inspect(store.engine).get_table_names()
    migrate.upgrade(store)
    assert not migrate.pending(store)
    store.dispose()
