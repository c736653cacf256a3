import pytest
from sqlalchemy import func, select

from helpers import actor, audit_rows, put_statements
from writ.model.resource import Resource
from writ.service import AccessDenied
from writ.service import users as user_service
from writ.service.subjects import get_entity, set_marking
from writ.store.tables.core import users

ADMIN = actor("admin", purpose="administration")


def test_a_change_and_its_audit_entry_commit_together(services):
    user_service.add_user(services, ADMIN, "ana", roles={"officer"}, unit="ERO-NYC")
    rows = audit_rows(services)
    assert [r["action"] for r in rows] == ["user.create"]
    entry = rows[0]
    assert entry["actor"] == ADMIN.user
    assert entry["object_id"] == "ana"
    assert entry["outcome"] == "ok"
    assert entry["policy"] == "admin-manages-users"
    assert entry["purpose"] == "administration"
    assert entry["ts"].endswith("Z") and len(entry["ts"].split(".")[1]) >= 3


def test_a_failing_write_leaves_store_and_ledger_as_they_were(services):
    user_service.add_user(services, ADMIN, "ana", roles={"officer"}, unit="ERO-NYC")
    before = audit_rows(services)
    with pytest.raises(ValueError, match="already exists"):
        user_service.add_user(services, ADMIN, "ana", roles={"officer"}, unit="ERO-NYC")
    assert audit_rows(services) == before
    with services.store.transaction() as session:
        assert session.execute(select(func.count()).select_from(users)).scalar() == 1


def test_an_exception_inside_the_work_rolls_back_the_audit_entry(services):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), services.operation(ADMIN, "create", Resource("user", "x")) as op:
        op.details["half"] = "done"
        raise Boom
    assert audit_rows(services) == []


def test_a_denial_is_audited_with_the_deciding_policy(services):
    officer = actor("officer")
    with pytest.raises(AccessDenied) as denied:
        user_service.add_user(services, officer, "eve", roles={"admin"}, unit="HQ")
    assert denied.value.decision.policies == ("default-deny",)
    (entry,) = audit_rows(services)
    assert entry["outcome"] == "denied"
    assert entry["policy"] == "default-deny"
    assert entry["action"] == "user.create"


def test_a_service_must_ask_the_policy(services):
    with (
        pytest.raises(RuntimeError, match="without asking the policy"),
        services.operation(ADMIN, "create"),
    ):
        pass
    assert audit_rows(services) == []


def test_reading_a_person_is_audited_with_values_and_sources(services):
    put_statements(
        services,
        "p-1",
        "Person",
        {"firstName": "Ana", "lastName": "Reyes"},
        source="court",
        record_id="C-12",
    )
    subject = get_entity(services, actor("officer"), "p-1")
    assert subject.first("lastName") == "Reyes"
    (source,) = subject.properties["lastName"][0].sources
    assert (source.source, source.record_id) == ("court", "C-12")
    (entry,) = audit_rows(services)
    assert (entry["action"], entry["object_id"], entry["purpose"]) == (
        "person.read",
        "p-1",
        "investigation",
    )


def test_sealed_person_is_refused_to_an_officer_and_audited(services):
    put_statements(services, "p-2", "Person", {"lastName": "Okafor"})
    set_marking(services, actor("custodian"), "p-2", sealed=True)
    with pytest.raises(AccessDenied, match="sealed-custodian-only"):
        get_entity(services, actor("officer"), "p-2")
    assert get_entity(services, actor("custodian"), "p-2").first("lastName") == "Okafor"
    outcomes = [(r["action"], r["outcome"], r["policy"]) for r in audit_rows(services)]
    assert outcomes == [
        ("marking.update", "ok", "custodian-manages-records"),
        ("person.read", "denied", "sealed-custodian-only"),
        ("person.read", "ok", "people-read-by-case-staff"),
    ]


def test_sign_in_and_failed_sign_in_are_audited(services):
    user_service.add_user(
        services, ADMIN, "ana", roles={"officer"}, unit="ERO-NYC", password="correct horse"
    )
    with pytest.raises(user_service.SignInFailed):
        user_service.sign_in(services, "ana", "wrong", "investigation", origin="10.1.2.3")
    signed = user_service.sign_in(services, "ana", "correct horse", "investigation")
    assert signed.roles == frozenset({"officer"}) and signed.purpose == "investigation"
    rows = audit_rows(services)[1:]
    assert [(r["action"], r["outcome"], r["origin"]) for r in rows] == [
        ("session.sign-in", "failed", "10.1.2.3"),
        ("session.sign-in", "ok", "local"),
    ]
