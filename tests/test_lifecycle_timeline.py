"""Lifecycle actions, done or blocked, land on the timelines of the linked case and subject."""

from helpers import actor, put_statements
from writ.cases import service as cases
from writ.lifecycle import service as lc

OFFICER = actor("officer", user="off-1", unit="ERO-NYC", purpose="case-processing")


def test_lifecycle_attempts_appear_on_case_and_subject_timelines(services):
    put_statements(services, "p-9", "Person", {"name": "Jorge Ramírez"}, record_id="p-9")
    investigation = cases.open_case(services, OFFICER, type="immigration", title="Ramírez")
    immigration = lc.open_case(
        services,
        OFFICER,
        subject_name="Jorge Ramírez",
        investigation_case_id=investigation.id,
        entity_id="p-9",
    )
    done = lc.request_action(services, OFFICER, immigration.id, "verify_identity")
    assert isinstance(done, lc.Done)
    lc.request_action(services, OFFICER, immigration.id, "begin_charging")
    blocked = lc.request_action(services, OFFICER, immigration.id, "charge")  # no I-862 on file
    assert isinstance(blocked, lc.Blocked)

    case_events = cases.case_timeline(services, OFFICER, investigation.id)
    kinds = [e.kind for e in case_events if e.source == "lifecycle"]
    assert sorted(kinds) == [
        "lifecycle.begin_charging",
        "lifecycle.charge",
        "lifecycle.verify_identity",
    ]
    charge = next(e for e in case_events if e.kind == "lifecycle.charge")
    assert "blocked" in charge.summary
    assert blocked.evaluation.fired()[0] in charge.summary

    subject_kinds = [e.kind for e in cases.subject_timeline(services, OFFICER, "p-9")]
    assert "lifecycle.verify_identity" in subject_kinds


def test_an_unlinked_immigration_case_puts_nothing_on_any_timeline(services):
    immigration = lc.open_case(services, OFFICER, subject_name="Ana López")
    lc.request_action(services, OFFICER, immigration.id, "verify_identity")
    investigation = cases.open_case(services, OFFICER, type="investigation", title="Other")
    assert [
        e
        for e in cases.case_timeline(services, OFFICER, investigation.id)
        if e.source == "lifecycle"
    ] == []
