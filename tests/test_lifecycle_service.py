"""Lifecycle services on the store (SQLite and PostgreSQL): gated actions and their audit,
overrides, citizenship claims, custody and the locator, family links, clocks, operation plans,
removal logistics and priorities."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from helpers import actor, audit_rows
from writ.lifecycle import service as lc
from writ.service import AccessDenied, Services

OFFICER = actor("officer", user="off-1", purpose="case-processing")
OFFICER_2 = actor("officer", user="off-2", purpose="case-processing")
SUPERVISOR = actor("supervisor", user="sup-1", purpose="case-processing")
OFFICER_SUPERVISOR = actor(["officer", "supervisor"], user="offsup-1", purpose="case-processing")
LEGAL = actor("legal", user="legal-1", purpose="legal-review")
CUSTODIAN = actor("custodian", user="cust-1", purpose="records-management")
OVERSIGHT = actor("oversight", user="ovs-1", purpose="oversight")
OTHER_UNIT = actor("officer", user="off-la", unit="ERO-LA", purpose="case-processing")
HOUR = timedelta(hours=1)


def ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def file(svc: Services, case_id: str, kind: str, hours_ago: float = 1, **fields: Any) -> str:
    signer = {
        "i200": ("S. Diaz", "supervisory_deportation_officer"),
        "i205": ("F. Okafor", "field_office_director"),
    }.get(kind, ("P. Officer", "deportation_officer"))
    data = {
        "kind": kind,
        "issued_at": ago(hours_ago),
        "issuer": "ERO New York",
        "signer": signer[0],
        "signer_role": signer[1],
        **fields,
    }
    return lc.add_document(svc, OFFICER, case_id, data).id


def new_case(svc: Services, **fields: Any) -> str:
    fields.setdefault("subject_name", "Ana María López")
    fields.setdefault("birth_date", date(1990, 5, 17))
    fields.setdefault("country_of_birth", "Mexico")
    fields.setdefault("a_number_value", "A-200-300-400")
    return lc.open_case(svc, OFFICER, **fields).id


def act(svc: Services, case_id: str, *actions: str) -> lc.ActionResult:
    result = None
    for action in actions:
        result = lc.request_action(svc, OFFICER, case_id, action)
        assert not result.blocked, result.explain()
    assert result is not None
    return result


def case_with_final_order(svc: Services, country: str = "MX") -> str:
    """A case taken through charging and proceedings to a final order, with an I-205."""
    case_id = new_case(svc)
    act(svc, case_id, "verify_identity", "begin_charging")
    file(svc, case_id, "i862", 300)
    act(svc, case_id, "charge")
    file(svc, case_id, "custody_decision", 299, decision="recognizance")
    act(svc, case_id, "decide_custody")
    file(
        svc,
        case_id,
        "order",
        3,
        court="IJ",
        disposition="removal",
        appeal_waived=True,
        designated_countries=[country],
    )
    act(svc, case_id, "record_order", "order_becomes_final")
    file(svc, case_id, "i205", 2)
    file(svc, case_id, "travel_document", 2, country=country, number="G123")
    return case_id


def schedule(svc: Services, case_id: str, country: str = "MX") -> lc.ActionResult:
    plan = lc.RemovalPlan(
        destination_country=country,
        scheduled_for=datetime.now(UTC) + 48 * HOUR,
        itinerary=[{"flight": "XA123", "from": "JFK", "to": "MEX"}],
        escort=["Officer Ruiz", "Officer Kim"],
    )
    return lc.plan_removal(svc, OFFICER, case_id, plan)


def entries(svc: Services) -> list[dict[str, Any]]:
    """Audit entries with their details parsed."""
    rows = audit_rows(svc)
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


def last_entry(svc: Services) -> dict[str, Any]:
    return entries(svc)[-1]


def fired_in(entry: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in entry["details"]["gate"]["fired"]}


# --- the removal path, and removal re-gated at execution ------------------------------------


def test_a_case_walks_to_removed_with_every_step_audited(services):
    facilities(services)
    case_id = case_with_final_order(services)
    assert isinstance(lc.book_into_custody(services, OFFICER, case_id, "ELZ"), lc.Done)
    assert schedule(services, case_id).state == "removal_scheduled"
    done = lc.execute_removal(services, OFFICER, case_id)
    assert isinstance(done, lc.Done) and done.state == "removed"
    actions = [r["action"] for r in entries(services) if r["object_id"] == case_id]
    assert "immigration-case.schedule_removal" in actions
    assert actions[-1] == "immigration-case.execute_removal"
    file_ = lc.get_case(services, OFFICER, case_id)
    assert file_.case.state == "removed"
    assert file_.removal_plans[0]["status"] == "executed"
    assert [h.outcome for h in file_.history] == ["done"] * len(file_.history)
    assert file_.custody.status == "removed"
    found = lc.locate_detainee(
        services, "client-1", a_number_value="A200300400", country_of_birth="MX"
    )
    assert [(e.status, e.facility) for e in found.entries] == [
        ("removed", "Elizabeth Detention Center")
    ]


def test_a_stay_recorded_after_scheduling_stops_the_removal_and_the_block_is_audited(services):
    case_id = case_with_final_order(services)
    schedule(services, case_id)
    file(services, case_id, "stay", 0.5, stay_kind="court_ordered", issuer="2d Cir.")
    result = lc.execute_removal(services, OFFICER, case_id)
    assert isinstance(result, lc.Blocked)
    assert result.state == "removal_scheduled"
    assert "removal-stay" in result.evaluation.fired()
    entry = last_entry(services)
    assert entry["action"] == "immigration-case.execute_removal"
    assert entry["outcome"] == "blocked"
    assert fired_in(entry) == {"removal-stay"}
    stay = entry["details"]["gate"]["fired"][0]
    assert stay["citation"].startswith("8 CFR 1003.6") and "court-ordered" in stay["explanation"]
    history = lc.get_case(services, OFFICER, case_id).history
    assert history[-1].outcome == "blocked" and history[-1].findings[0]["rule"] == "removal-stay"


def test_a_withholding_for_the_destination_stops_the_removal(services):
    case_id = case_with_final_order(services, country="SV")
    schedule(services, case_id, "SV")
    file(services, case_id, "withholding", 0.5, country="SV", issuer="EOIR")
    result = lc.execute_removal(services, OFFICER, case_id)
    assert result.blocked and result.evaluation.fired() == ("removal-country-barred",)
    assert "El Salvador" in result.explain() or "removal-country-barred" in result.explain()
    assert lc.get_case(services, OFFICER, case_id).case.state == "removal_scheduled"
    assert lc.cancel_removal(services, OFFICER, case_id, "withholding granted").state == (
        "final_order"
    )


def test_refusals_are_audited_blocks_with_the_rules_that_fired(services):
    case_id = new_case(services)
    with pytest.raises(AccessDenied):
        lc.request_action(services, OTHER_UNIT, case_id, "verify_identity")
    denied = last_entry(services)
    assert denied["outcome"] == "denied" and denied["object_id"] == case_id
    with pytest.raises(AccessDenied):
        lc.request_action(services, CUSTODIAN, case_id, "verify_identity")
    result = schedule(services, case_id)
    assert result.blocked
    assert {"lifecycle.transition", "removal-final-order", "removal-warrant"} <= set(
        result.evaluation.fired()
    )
    entry = last_entry(services)
    assert entry["outcome"] == "blocked"
    assert {"removal-final-order", "removal-warrant"} <= fired_in(entry)


# --- overrides ------------------------------------------------------------------------------


def detainer_on_database_match(svc: Services) -> tuple[str, int]:
    case_id = new_case(svc)
    file(svc, case_id, "i862", 3)
    warrant = file(svc, case_id, "i200", 2)
    file(
        svc,
        case_id,
        "i247a",
        1,
        probable_cause=["database_match"],
        attachments=[warrant],
        served_at=ago(0.5),
    )
    blocked = lc.request_action(svc, OFFICER_SUPERVISOR, case_id, "issue_detainer")
    assert blocked.evaluation.fired() == ("detainer-database-only",)
    return case_id, blocked.attempt_id


def test_an_override_by_the_same_person_is_refused_and_the_refusal_audited(services):
    case_id, attempt = detainer_on_database_match(services)
    with pytest.raises(lc.OverrideRefused, match="cannot also override"):
        lc.override_gate(
            services,
            OFFICER_SUPERVISOR,
            case_id,
            attempt,
            "detainer-database-only",
            "I checked it myself",
        )
    entry = last_entry(services)
    assert entry["action"] == "gate-override.create" and entry["outcome"] == "refused"
    assert lc.get_case(services, OFFICER, case_id).overrides == []


def test_an_override_needs_the_role_and_a_reason_and_stays_on_the_case(services):
    case_id, attempt = detainer_on_database_match(services)
    with pytest.raises(AccessDenied):
        lc.override_gate(services, OFFICER_2, case_id, attempt, "detainer-database-only", "fine")
    assert last_entry(services)["outcome"] == "denied"
    with pytest.raises(lc.OverrideRefused, match="written reason"):
        lc.override_gate(services, SUPERVISOR, case_id, attempt, "detainer-database-only", "ok")
    granted = lc.override_gate(
        services,
        SUPERVISOR,
        case_id,
        attempt,
        "detainer-database-only",
        "Fingerprint match confirmed against the A-file and the I-213 on file",
    )
    assert granted.granted_by == "sup-1" and granted.requested_by == "offsup-1"
    again = lc.request_action(services, OFFICER_SUPERVISOR, case_id, "issue_detainer")
    assert isinstance(again, lc.Done)
    assert again.evaluation.findings[0].overridden_by == "sup-1"
    shown = lc.get_case(services, OFFICER, case_id).overrides
    assert [(o.rule, o.granted_by) for o in shown] == [("detainer-database-only", "sup-1")]


def test_a_hard_gate_cannot_be_overridden(services):
    case_id = new_case(services)
    blocked = lc.request_action(services, OFFICER, case_id, "arrest")
    assert blocked.evaluation.fired() == ("arrest-basis",)
    with pytest.raises(lc.OverrideRefused, match="hard gate"):
        lc.override_gate(
            services,
            SUPERVISOR,
            case_id,
            blocked.attempt_id,
            "arrest-basis",
            "urgent operation, warrant to follow",
        )


# --- citizenship claims ---------------------------------------------------------------------


def test_a_citizenship_claim_stops_enforcement_until_investigated_and_signed_off_twice(services):
    case_id = new_case(services)
    file(services, case_id, "i862", 3)
    file(services, case_id, "i200", 2)
    claim = lc.record_citizenship_claim(
        services, OFFICER, case_id, basis="says she was born in El Paso; birth certificate at home"
    )
    assert (
        "citizenship-claim"
        in lc.request_action(services, OFFICER, case_id, "arrest").evaluation.fired()
    )
    with pytest.raises(lc.ClaimError, match="investigated first"):
        lc.sign_off_claim(services, LEGAL, case_id, claim.id, "not_citizen")
    lc.investigate_claim(services, OFFICER_2, case_id, claim.id)
    with pytest.raises(lc.ClaimError, match="first sign-off is by legal"):
        lc.sign_off_claim(services, SUPERVISOR, case_id, claim.id, "not_citizen")
    lc.sign_off_claim(services, LEGAL, case_id, claim.id, "not_citizen")
    with pytest.raises(lc.ClaimError, match="another person"):
        lc.sign_off_claim(services, LEGAL, case_id, claim.id, "not_citizen")
    still = lc.request_action(services, OFFICER, case_id, "arrest")
    assert "citizenship-claim" in still.evaluation.fired()
    done = lc.sign_off_claim(services, SUPERVISOR, case_id, claim.id, "not_citizen")
    assert done.state == "adjudicated_not_citizen" and done.case_citizenship == "not_us_citizen"
    assert lc.get_case(services, OFFICER, case_id).case.citizenship == "not_us_citizen"
    assert isinstance(lc.request_action(services, OFFICER, case_id, "arrest"), lc.Done)


def test_an_adjudicated_citizen_is_never_subject_to_enforcement(services):
    case_id = case_with_final_order(services)
    claim = lc.record_citizenship_claim(services, OFFICER, case_id, basis="US passport shown")
    lc.investigate_claim(services, OFFICER_2, case_id, claim.id)
    lc.sign_off_claim(services, LEGAL, case_id, claim.id, "citizen")
    lc.sign_off_claim(services, SUPERVISOR, case_id, claim.id, "citizen")
    assert lc.get_case(services, OFFICER, case_id).case.citizenship == "us_citizen"
    result = schedule(services, case_id)
    assert result.blocked and "verified-citizen" in result.evaluation.fired()
    assert lc.request_action(services, OFFICER, case_id, "close").state == "closed"


# --- custody, the locator, family links ----------------------------------------------------


def facilities(svc: Services) -> None:
    lc.add_facility(
        svc,
        CUSTODIAN,
        lc.Facility(
            "ELZ", "Elizabeth Detention Center", "625 Evans St, Elizabeth NJ", "908-555-0100"
        ),
    )
    lc.add_facility(
        svc,
        CUSTODIAN,
        lc.Facility(
            "MOS",
            "Moshannon Valley Processing Center",
            "555 Geo Dr, Philipsburg PA",
            "814-555-0100",
        ),
    )


def test_the_locator_shows_the_new_facility_at_once_after_a_transfer(services):
    facilities(services)
    case_id = new_case(services)
    assert isinstance(lc.book_into_custody(services, OFFICER, case_id, "ELZ"), lc.Done)
    by_number = lc.locate_detainee(
        services, "198.51.100.7", a_number_value="200300400", country_of_birth="MX"
    )
    assert [e.facility for e in by_number.entries] == ["Elizabeth Detention Center"]
    assert isinstance(lc.transfer_custody(services, OFFICER, case_id, "MOS"), lc.Done)
    by_name = lc.locate_detainee(
        services,
        "198.51.100.7",
        name="ana maria lopez",
        birth_date=date(1990, 5, 17),
        country_of_birth="Mexico",
    )
    assert [(e.status, e.facility, e.phone) for e in by_name.entries] == [
        ("in custody", "Moshannon Valley Processing Center", "814-555-0100")
    ]
    wrong_country = lc.locate_detainee(
        services, "198.51.100.7", a_number_value="200300400", country_of_birth="GT"
    )
    assert wrong_country.entries == []
    lc.release_from_custody(services, OFFICER, case_id, "released on recognizance")
    released = lc.locate_detainee(
        services, "198.51.100.7", a_number_value="200300400", country_of_birth="MX"
    )
    assert [e.status for e in released.entries] == ["released"]
    searches = [r for r in entries(services) if r["action"] == "locator.search"]
    assert len(searches) == 4
    assert all(
        "200300400" not in str(r["details"]) and "lopez" not in str(r["details"]).lower()
        for r in searches
    )


def test_the_locator_never_lists_minors_or_people_of_unknown_age(services):
    facilities(services)
    child = new_case(
        services,
        subject_name="Sofia Lopez",
        birth_date=date.today().replace(year=date.today().year - 15),
        a_number_value="A300400500",
    )
    unknown = new_case(
        services, subject_name="Luis Lopez", birth_date=None, a_number_value="A300400501"
    )
    for case_id in (child, unknown):
        assert isinstance(lc.book_into_custody(services, OFFICER, case_id, "ELZ"), lc.Done)
    for number in ("A300400500", "A300400501"):
        answer = lc.locate_detainee(
            services, "client-1", a_number_value=number, country_of_birth="MX"
        )
        assert answer.entries == [] and not answer.rate_limited


def test_the_locator_is_rate_limited_per_client(services):
    for _ in range(2):
        answer = lc.locate_detainee(
            services, "203.0.113.9", a_number_value="A999999999", country_of_birth="MX", limit=2
        )
        assert not answer.rate_limited
    limited = lc.locate_detainee(
        services, "203.0.113.9", a_number_value="A999999999", country_of_birth="MX", limit=2
    )
    assert limited.rate_limited
    assert last_entry(services)["outcome"] == "rate-limited"
    other = lc.locate_detainee(
        services, "203.0.113.10", a_number_value="A999999999", country_of_birth="MX", limit=2
    )
    assert not other.rate_limited


def test_family_links_survive_separate_custody(services):
    facilities(services)
    parent = new_case(services)
    child = new_case(
        services,
        subject_name="Sofia Lopez",
        birth_date=date(2015, 1, 2),
        a_number_value="A300400500",
    )
    link = lc.add_family_link(
        services, OFFICER, parent, relation="child", name="Sofia Lopez", minor=True
    )
    lc.book_into_custody(services, OFFICER, child, "MOS")
    blocked = lc.book_into_custody(services, OFFICER, parent, "ELZ")
    assert blocked.evaluation.fired() == ("family-links",)
    lc.update_family_link(services, OFFICER, parent, link.id, linked_case_id=child)
    assert isinstance(lc.book_into_custody(services, OFFICER, parent, "ELZ"), lc.Done)
    family = lc.get_case(services, OFFICER, parent).family
    assert family[0].whereabouts == "in custody at Moshannon Valley Processing Center"
    lc.transfer_custody(services, OFFICER, child, "ELZ")
    lc.release_from_custody(services, OFFICER, parent, "bond posted")
    after = lc.get_case(services, OFFICER, parent).family
    assert [(f.name, f.linked_case_id, f.whereabouts) for f in after] == [
        ("Sofia Lopez", child, "in custody at Elizabeth Detention Center")
    ]


# --- clocks ---------------------------------------------------------------------------------


def test_overdue_clocks_feed_the_work_queue_and_the_oversight_report(services):
    facilities(services)
    case_id = new_case(services)
    file(
        services,
        case_id,
        "warrantless_arrest",
        50,
        arrested_at=ago(50),
        arresting_officer="Officer Reyes",
        basis="admitted unlawful entry; likely to escape",
        examining_officer="Officer Chen",
        examined_at=ago(49),
    )
    lc.book_into_custody(services, OFFICER, case_id, "ELZ")
    items = lc.overdue_items(services, SUPERVISOR, unit="ERO-NYC")
    assert [(i.case_id, i.clock) for i in items] == [(case_id, "decision-48h")]
    assert items[0].citation == "8 CFR 287.3(d)"
    report = lc.overdue_report(services, OVERSIGHT)
    assert report.by_clock == {"decision-48h": 1} and report.by_unit == {"ERO-NYC": 1}
    with pytest.raises(AccessDenied):
        lc.overdue_items(services, OFFICER)
    assert [c.clock for c in lc.get_case(services, OFFICER, case_id).overdue] == ["decision-48h"]


# --- operation plans ------------------------------------------------------------------------


def test_operation_plans_are_gated_at_approval_and_at_execution(services):
    ready = new_case(services)
    file(services, ready, "i862", 5)
    file(services, ready, "i200", 4)
    unwarranted = new_case(services, subject_name="Jose Ruiz", a_number_value="A111222333")
    planner = actor("supervisor", user="sup-2", purpose="case-processing")
    plan = lc.create_operation_plan(
        services,
        planner,
        title="Operation Spring",
        planned_for=datetime.now(UTC) + 24 * HOUR,
        case_ids=[ready, unwarranted],
        sensitive_location=True,
    )
    with pytest.raises(AccessDenied):
        lc.approve_operation_plan(services, OFFICER, plan.id)
    with pytest.raises(ValueError, match="cannot approve their own plan"):
        lc.approve_operation_plan(services, planner, plan.id)
    approved = lc.approve_operation_plan(services, SUPERVISOR, plan.id)
    statuses = {c.case_id: (c.status, c.fired_at_approval) for c in approved.cases}
    assert statuses[ready] == ("approved", [])
    assert statuses[unwarranted] == ("excluded", ["operation-warrant"])
    entry = last_entry(services)
    assert entry["action"] == "operation-plan.approve" and entry["outcome"] == "partly-blocked"
    assert entry["details"]["excluded"] == [unwarranted]
    assert {f["rule"] for f in entry["details"]["cases"][unwarranted]["fired"]} == {
        "operation-warrant"
    }

    worklist = lc.field_worklist(services, OFFICER, plan.id)
    assert [(w.case_id, w.gate_result) for w in worklist] == [(ready, "clear")]
    assert worklist[0].warrant_status.startswith("I-200 warrant of arrest")
    assert not hasattr(worklist[0], "location")

    lc.record_citizenship_claim(services, OFFICER, ready, basis="says born in Texas")
    result = lc.execute_operation_case(services, OFFICER, plan.id, ready)
    assert result.blocked and "citizenship-claim" in result.evaluation.fired()
    assert last_entry(services)["outcome"] == "blocked"
    with pytest.raises(ValueError, match="excluded"):
        lc.execute_operation_case(services, OFFICER, plan.id, unwarranted)


# --- priorities, policy ---------------------------------------------------------------------


def test_priorities_explain_themselves(services):
    case_id = case_with_final_order(services)
    result = lc.place_case(services, OFFICER, case_id)
    assert result.label == "Priority 2"
    assert "final order" in result.because
    assert [v.holds for v in result.verdicts] == [False, True, False]
    lc.save_priority_set(
        services,
        SUPERVISOR,
        "id: unit-set\nlevels:\n  - {id: fo, label: Final order, when: final_order, because: x}\n",
    )
    assert lc.place_case(services, OFFICER, case_id, "unit-set").label == "Final order"
