"""`writ demo load`: synthetic sources through the real ingest and resolution, one user per role."""

import csv
from datetime import UTC, datetime, timedelta

import pytest

from writ.lifecycle import service as lc
from writ.model.actor import Actor
from writ.service import demo
from writ.service import users as user_service
from writ.service.audit import verify
from writ.service.demo_lifecycle import WORKFLOWS, seed_lifecycle


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_demo_load_fills_the_store_and_can_run_twice(services, tmp_path):
    said: list[str] = []
    first = demo.load(
        services,
        tmp_path / "sources",
        people=60,
        seed=3,
        photo_root=tmp_path / "photos",
        say=said.append,
    )

    roles = {roles for _, roles, _ in first.users}
    assert {"officer", "supervisor", "legal", "oversight", "custodian", "admin"} <= roles
    assert set(first.ingested) == {"bookings", "court_records", "legacy_cases", "visa_benefits"}
    for read, taken, quarantined in first.ingested.values():
        assert read == taken + quarantined and taken > 0
    # The deliberately malformed rows, and only those, are quarantined.
    assert sum(q for _, _, q in first.ingested.values()) == 7
    with (tmp_path / "sources" / "ground_truth.csv").open() as truth:
        rows = [row for row in csv.DictReader(truth) if not row["expected_quarantine"]]
    mentions, people = len(rows), len({row["person_id"] for row in rows})
    # Resolution joined mentions of the same person, and did not collapse the population.
    assert first.subjects is not None and people * 0.8 <= first.subjects < mentions
    assert any("synthetic" in line or "made up" in line for line in said)

    officer = user_service.sign_in(services, "officer", "demo-officer", "investigation")
    assert officer.roles == frozenset({"officer"})

    assert first.lifecycle is not None and len(first.lifecycle.cases) == len(WORKFLOWS)
    again = demo.load(services, tmp_path / "sources", people=60, seed=3, photo_root=tmp_path)
    assert [u for u, _, _ in again.users] == [u for u, _, _ in first.users]
    assert again.ingested == first.ingested
    assert again.subjects == first.subjects
    assert verify(services, demo.DEMO_ACTOR).ok


OFFICER = Actor("officer", frozenset({"officer"}), "ERO-NYC", purpose="case-processing")
SUPERVISOR = Actor("supervisor", frozenset({"supervisor"}), "ERO-NYC", purpose="case-processing")


def test_the_demo_immigration_cases_set_up_each_lifecycle_workflow(services, tmp_path):
    said: list[str] = []
    photos = tmp_path / "photos"
    seeded = seed_lifecycle(services, photos, say=said.append)
    assert seeded.cases_opened == 8
    assert [c.workflow for c in seeded.cases] == [w for w, _, _ in WORKFLOWS]
    assert all(c.case_id in "\n".join(said) for c in seeded.cases)
    assert "synthetic" in said[0]

    # Every case has a synthetic photo of record, shown to the unit's officers.
    files = lc.photo_files(photos)
    for case in lc.list_cases(services, OFFICER):
        photo, content = lc.photo_of_record(services, OFFICER, case.id, files)
        assert content.startswith(b"\x89PNG") and "synthetic" in photo.source

    # A blocked removal, with the cited rule.
    blocked = seeded.case("blocked-removal").case_id
    result = lc.plan_removal(services, OFFICER, blocked, _removal_to("PE"))
    assert isinstance(result, lc.Blocked) and result.evaluation.fired() == ("removal-stay",)
    [finding] = result.evaluation.findings
    assert "8 CFR 1003.6" in finding.citation
    claim = seeded.case("citizenship-claim").case_id
    result = lc.plan_removal(services, OFFICER, claim, _removal_to("NG"))
    assert "citizenship-claim" in result.evaluation.fired()

    # A soft gate a second person overrides; then the detainer goes through.
    soft = seeded.case("soft-gate-override").case_id
    [attempt] = [
        h for h in lc.get_case(services, SUPERVISOR, soft).history if h.outcome == "blocked"
    ]
    assert [f["rule"] for f in attempt.findings] == ["detainer-database-only"]
    assert attempt.requested_by == "system:demo-officer"
    lc.override_gate(
        services,
        SUPERVISOR,
        soft,
        attempt.id,
        "detainer-database-only",
        "Fingerprint match confirmed against the A-file (synthetic demo)",
    )

    # Transfer custody, and the locator shows the new facility; the minor is never listed.
    parent = seeded.case("custody-transfer").case_id
    found = lc.locate_detainee(services, "t1", a_number_value="A999100004", country_of_birth="GT")
    assert [e.facility for e in found.entries] == ["Elizabeth Detention Center"]
    assert isinstance(lc.transfer_custody(services, OFFICER, parent, "MOS"), lc.Done)
    found = lc.locate_detainee(services, "t1", a_number_value="A999100004", country_of_birth="GT")
    assert [e.facility for e in found.entries] == ["Moshannon Valley Processing Center"]
    minor = seeded.case("minor-hidden").case_id
    assert lc.get_case(services, OFFICER, minor).custody.status == "detained"
    hidden = lc.locate_detainee(services, "t1", a_number_value="A999100005", country_of_birth="GT")
    assert hidden.entries == []

    # The approved operation plan's worklist: two warranted cases with photos, one excluded.
    assert seeded.operation_plan_id is not None
    worklist = lc.field_worklist(services, OFFICER, seeded.operation_plan_id)
    assert sorted(i.name for i in worklist) == ["Ana Beltrán Soto", "Kwame Mensah"]
    assert all(i.photo is not None and i.gate_result == "clear" for i in worklist)
    plan = lc.get_operation_plan(services, OFFICER, seeded.operation_plan_id)
    assert [(c.status, c.fired_at_approval) for c in plan.cases if c.status == "excluded"] == [
        ("excluded", ["operation-warrant"])
    ]

    # Loading again adds nothing and finds the same cases.
    again = seed_lifecycle(services, photos)
    assert again.cases_opened == 0
    assert [c.case_id for c in again.cases] == [c.case_id for c in seeded.cases]
    assert len(lc.list_cases(services, OFFICER)) == 8
    assert verify(services, demo.DEMO_ACTOR).ok


def _removal_to(country: str) -> lc.RemovalPlan:
    return lc.RemovalPlan(
        destination_country=country,
        scheduled_for=datetime.now(UTC) + timedelta(days=2),
        itinerary=[{"flight": "XA123"}],
    )
