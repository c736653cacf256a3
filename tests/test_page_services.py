"""The read services the pages of leads, operation plans and merge/split need, on SQLite and
PostgreSQL: lead list and one lead, the unit's operation plans, and a subject's resolution
history with what undid what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpers import actor
from test_resolve_service import PEOPLE, put_people
from test_resolve_support import hand_set_model
from writ.cases import service as case_service
from writ.lifecycle import service as lc
from writ.model.actor import system_actor
from writ.resolve import repository
from writ.resolve import service as resolve
from writ.service import AccessDenied, NotFound, Services

OFFICER = actor("officer", user="off-1")
SUPERVISOR = actor("supervisor", user="sup-1")
ELSEWHERE = actor("officer", user="off-9", unit="ERO-LA")


def test_leads_of_the_unit_newest_first_with_a_status_filter(services: Services) -> None:
    first = case_service.take_lead(services, OFFICER, summary="Tip: print shop", source="phone")
    second = case_service.take_lead(services, OFFICER, summary="Tip: van", source="web form")
    case_service.close_lead(services, SUPERVISOR, first.id, "Duplicate of an open case")
    assert [lead.id for lead in case_service.list_leads(services, OFFICER)] == [
        second.id,
        first.id,
    ]
    closed = case_service.list_leads(services, OFFICER, status="closed")
    assert [(lead.id, lead.close_reason) for lead in closed] == [
        (first.id, "Duplicate of an open case")
    ]
    assert case_service.list_leads(services, ELSEWHERE) == []
    with pytest.raises(ValueError, match="lead status 'open'"):
        case_service.list_leads(services, OFFICER, status="open")
    assert case_service.get_lead(services, OFFICER, second.id).summary == "Tip: van"
    with pytest.raises(AccessDenied):
        case_service.get_lead(services, ELSEWHERE, second.id)
    with pytest.raises(NotFound):
        case_service.get_lead(services, OFFICER, "no-such-lead")


def test_operation_plans_of_the_unit(services: Services) -> None:
    worker = OFFICER.with_purpose("case-processing")
    case = lc.open_case(services, worker, subject_name="Ana López")
    soon = datetime.now(UTC) + timedelta(days=1)
    plan = lc.create_operation_plan(
        services, worker, title="Morning operation", planned_for=soon, case_ids=[case.id]
    )
    plans = lc.list_operation_plans(services, worker)
    assert [(p.id, p.title, p.status) for p in plans] == [(plan.id, "Morning operation", "draft")]
    assert plans[0].cases[0].case_id == case.id
    other = ELSEWHERE.with_purpose("case-processing")
    assert lc.list_operation_plans(services, other) == []


@pytest.fixture
def resolved(services: Services) -> Services:
    put_people(services, PEOPLE)
    with services.store.transaction() as session:
        repository.save_model(session, hand_set_model(), "test", "2024-01-01T00:00:00+00:00")
    resolve.run(services, system_actor("resolve"))
    return services


def test_a_subjects_history_names_merges_and_their_undo(resolved: Services) -> None:
    svc = resolved
    maria = resolve.subject_resolution(svc, SUPERVISOR, "e-maria-1")
    namesake = resolve.subject_resolution(svc, SUPERVISOR, "e-namesake")
    assert {r.entity_id for r in maria.records} == {"e-maria-1", "e-maria-2", "e-maria-3"}
    assert maria.history == []
    assert resolve.subject_resolution(svc, SUPERVISOR, maria.subject_id) == maria
    merged = resolve.merge(
        svc, SUPERVISOR, maria.subject_id, namesake.subject_id, "Same fingerprints"
    )
    after = resolve.subject_resolution(svc, SUPERVISOR, "e-namesake")
    assert after.subject_id == maria.subject_id
    assert [(e.id, e.kind, e.reason, e.undone_by) for e in after.history] == [
        (merged.event_id, "merge", "Same fingerprints", None)
    ]
    undone = resolve.undo(svc, SUPERVISOR, merged.event_id, "Fingerprints were of a relative")
    back = resolve.subject_resolution(svc, SUPERVISOR, "e-namesake")
    assert back.subject_id == namesake.subject_id
    assert [(e.kind, e.undoes, e.undone_by) for e in back.history] == [
        ("merge", None, undone.event_id),
        ("undo", merged.event_id, None),
    ]
    with pytest.raises(NotFound):
        resolve.subject_resolution(svc, SUPERVISOR, "no-such-record")
    with pytest.raises(AccessDenied):
        resolve.subject_resolution(svc, actor("admin", user="adm-1"), "e-maria-1")


def test_family_declared_on_the_immigration_cases_of_a_subject(services: Services) -> None:
    worker = OFFICER.with_purpose("case-processing")
    mother = lc.open_case(services, worker, subject_name="Elena Ramos", entity_id="p-elena")
    daughter = lc.open_case(services, worker, subject_name="Lucía Ramos")
    lc.add_family_link(
        services,
        worker,
        mother.id,
        relation="child",
        name="Lucía Ramos",
        minor=True,
        linked_case_id=daughter.id,
    )
    lc.add_family_link(services, worker, mother.id, relation="spouse", name="Pablo", minor=False)
    insider = actor("officer", user="off-2", compartments={"task-force"}, purpose="case-processing")
    lc.open_case(
        services,
        insider,
        subject_name="Elena Ramos",
        entity_id="p-elena",
        compartments={"task-force"},
    )
    assert len(lc.declared_family(services, insider, "p-elena")) == 2
    (declared,) = lc.declared_family(services, worker, "p-elena")
    assert declared.case.id == mother.id
    assert [(f.relation, f.name, f.minor, f.linked_case_id) for f in declared.links] == [
        ("child", "Lucía Ramos", True, daughter.id),
        ("spouse", "Pablo", False, None),
    ]
    assert lc.declared_family(services, worker, "p-nobody") == []
    with pytest.raises(AccessDenied):
        lc.declared_family(services, actor("admin", user="adm-1"), "p-elena")
