"""Every gate rule, where it fires and where it does not (pure core: no store)."""

from __future__ import annotations

import pytest

from test_lifecycle_factories import DAY, HOUR, T0, doc, facts, ij_order, person, removable
from writ.lifecycle.engine import Evaluation, evaluate
from writ.lifecycle.facts import Custody, FamilyLink, OperationContext
from writ.lifecycle.rules import default_rule_book

BOOK = default_rule_book()
DETAINED = Custody(status="detained", facility="Elizabeth Detention Center")


def gate(*args, **kwargs) -> Evaluation:  # type: ignore[no-untyped-def]
    return evaluate(BOOK, facts(*args, **kwargs))


def fired(evaluation: Evaluation) -> set[str]:
    return set(evaluation.fired())


def explanation(evaluation: Evaluation, rule: str) -> str:
    return next(f.explanation for f in evaluation.findings if f.rule == rule)


def test_the_rule_book_has_every_gate_of_the_issue():
    ids = {r.id for r in BOOK.rules}
    assert {
        "arrest-basis",
        "decision-48h",
        "counsel-advisal",
        "removal-final-order",
        "removal-warrant",
        "removal-stay",
        "removal-country-barred",
        "removal-country-designated",
        "tps-in-effect",
        "daca-in-effect",
        "pending-asylum",
        "citizenship-claim",
        "verified-citizen",
        "detainer-basis",
        "detainer-database-only",
        "detainer-expired",
        "detainer-served",
        "sensitive-location",
        "post-order-custody-review",
        "family-links",
    } <= ids
    for rule in BOOK.rules:
        assert rule.citation
        assert (rule.severity == "hard") == (not rule.override_by)


# 1. Arrest basis (8 CFR 236.1(b), 287.3(a))


def test_arrest_without_warrant_or_basis_is_blocked():
    result = gate("arrest", state="encounter")
    assert "arrest-basis" in fired(result) and result.blocked
    assert "no warrantless-arrest record" in explanation(result, "arrest-basis")


def test_arrest_on_an_i200_issued_after_the_nta_by_a_listed_officer_passes():
    result = gate("arrest", [doc("i862", T0), doc("i200", T0 + HOUR)], state="encounter")
    assert "arrest-basis" not in fired(result)
    assert not result.blocked


def test_i200_signed_by_an_unlisted_role_or_before_the_nta_does_not_count():
    unlisted = doc("i200", T0 + HOUR, signer="P. Officer", signer_role="deportation_officer")
    result = gate("arrest", [doc("i862", T0), unlisted], state="encounter")
    assert "arrest-basis" in fired(result)
    assert "not a role authorised" in explanation(result, "arrest-basis")
    early = gate("arrest", [doc("i200", T0), doc("i862", T0 + HOUR)], state="encounter")
    assert "arrest-basis" in fired(early)


def test_warrantless_arrest_needs_a_second_officers_examination():
    def record(examiner):  # type: ignore[no-untyped-def]
        return doc(
            "warrantless_arrest",
            T0,
            arrested_at=T0,
            arresting_officer="Officer Reyes",
            basis="admitted entering without inspection; likely to escape",
            examining_officer=examiner,
            examined_at=T0 + HOUR if examiner else None,
        )

    assert "arrest-basis" in fired(gate("arrest", [record(None)], state="encounter"))
    assert "arrest-basis" in fired(gate("arrest", [record("Officer Reyes")], state="encounter"))
    assert "arrest-basis" not in fired(gate("arrest", [record("Officer Chen")], state="encounter"))


# 2. 48-hour rule (8 CFR 287.3(d)) and 3. counsel advisal (8 CFR 287.3(c))


def warrantless(at=T0):  # type: ignore[no-untyped-def]
    return doc(
        "warrantless_arrest",
        at,
        arrested_at=at,
        arresting_officer="Officer Reyes",
        basis="stated no status; likely to escape",
        examining_officer="Officer Chen",
        examined_at=at + HOUR,
    )


ADVISAL = dict(reasons_given=True, right_to_counsel=True, legal_services_list=True)


def test_custody_decision_after_48_hours_fires_the_soft_gate():
    docs = [
        warrantless(),
        doc("advisal", T0 + HOUR, **ADVISAL),
        doc("i862", T0 + 49 * HOUR),
        doc("custody_decision", T0 + 50 * HOUR, decision="detain"),
    ]
    result = gate("decide_custody", docs, state="custody_decision", custody=DETAINED)
    finding = next(f for f in result.findings if f.rule == "decision-48h")
    assert finding.severity == "soft" and finding.override_by == ("supervisor",)
    assert "met late" in finding.explanation
    assert result.blocked


def test_charging_still_undecided_after_48_hours_is_overdue():
    result = gate(
        "charge",
        [warrantless(), doc("advisal", T0 + HOUR, **ADVISAL)],
        state="charging",
        now=T0 + 49 * HOUR,
        custody=DETAINED,
    )
    assert "decision-48h" in fired(result)
    assert "overdue" in explanation(result, "decision-48h")


def test_decisions_within_48_hours_or_after_a_warrant_arrest_do_not_fire():
    docs = [
        warrantless(),
        doc("advisal", T0 + HOUR, **ADVISAL),
        doc("i862", T0 + 20 * HOUR),
        doc("custody_decision", T0 + 21 * HOUR, decision="detain"),
    ]
    on_time = gate("decide_custody", docs, state="custody_decision", custody=DETAINED)
    assert fired(on_time) == set() and not on_time.blocked
    with_warrant = [
        doc("i862", T0),
        doc("i200", T0 + HOUR),
        doc("custody_decision", T0 + 60 * HOUR, decision="detain"),
    ]
    result = gate("decide_custody", with_warrant, state="custody_decision", custody=DETAINED)
    assert "decision-48h" not in fired(result)


def test_charging_after_a_warrantless_arrest_needs_the_full_advisal():
    nta = doc("i862", T0 + 2 * HOUR)
    missing = gate("charge", [warrantless(), nta], state="charging", custody=DETAINED)
    assert "counsel-advisal" in fired(missing)
    partial = doc("advisal", T0 + HOUR, reasons_given=True, right_to_counsel=True)
    result = gate("charge", [warrantless(), partial, nta], state="charging", custody=DETAINED)
    assert "legal-services list" in explanation(result, "counsel-advisal")
    full = doc("advisal", T0 + HOUR, **ADVISAL)
    ok = gate("charge", [warrantless(), full, nta], state="charging", custody=DETAINED)
    assert fired(ok) == set()
    warrant = gate("charge", [doc("i862", T0), doc("i200", T0 + HOUR)], state="charging")
    assert "counsel-advisal" not in fired(warrant)


# 4. Final order and I-205 (8 CFR 1241.1, 241.2)


def test_clean_removal_passes_every_gate():
    for action, state in (
        ("schedule_removal", "final_order"),
        ("execute_removal", "removal_scheduled"),
    ):
        result = gate(action, removable(), state=state, destination="MX")
        assert fired(result) == set(), result.summary()
        assert not result.blocked


def test_removal_without_a_final_order_is_blocked():
    docs = [doc("i862", T0 - 100 * DAY), ij_order(T0), doc("i205", T0 + HOUR)]
    result = gate("schedule_removal", docs, state="final_order", destination="MX", now=T0 + 2 * DAY)
    assert {"removal-final-order", "removal-warrant", "removal-stay"} <= fired(result)
    assert "time to appeal" in explanation(result, "removal-final-order")


def test_removal_warrant_must_follow_the_final_order_and_be_signed_by_a_listed_official():
    nta, order, _, travel = removable()
    base = [nta, order, travel]
    unlisted = doc("i205", T0 + HOUR, signer="P. Officer", signer_role="deportation_officer")
    result = gate("schedule_removal", [*base, unlisted], state="final_order", destination="MX")
    assert fired(result) == {"removal-warrant"}
    early = doc("i205", T0 - DAY)
    result = gate("schedule_removal", [*base, early], state="final_order", destination="MX")
    assert "issued before" in explanation(result, "removal-warrant")
    revoked = doc("i205", T0 + HOUR, revoked_at=T0 + 2 * HOUR)
    result = gate(
        "schedule_removal", [*base, revoked], state="final_order", destination="MX", now=T0 + DAY
    )
    assert "not in effect" in explanation(result, "removal-warrant")


# 5. Stays (8 CFR 1003.6, 241.6)


def test_a_court_ordered_stay_blocks_removal_until_it_ends():
    stay = doc("stay", T0 + 3 * HOUR, stay_kind="court_ordered", effective_until=T0 + 10 * DAY)
    docs = [*removable(), stay]
    during = gate("execute_removal", docs, state="removal_scheduled", destination="MX")
    assert fired(during) == {"removal-stay"}
    assert "court-ordered stay" in explanation(during, "removal-stay")
    after = gate(
        "execute_removal", docs, state="removal_scheduled", destination="MX", now=T0 + 11 * DAY
    )
    assert fired(after) == set()


def test_a_stay_first_communicated_after_boarding_does_not_reach_that_removal():
    boarded = T0 + 5 * HOUR
    stay = doc("stay", T0 + 6 * HOUR, stay_kind="administrative")
    result = gate(
        "execute_removal",
        [*removable(), stay],
        state="removal_scheduled",
        destination="MX",
        now=T0 + 7 * HOUR,
        boarding_completed_at=boarded,
    )
    assert "removal-stay" not in fired(result)
    before_boarding = gate(
        "execute_removal",
        [*removable(), stay],
        state="removal_scheduled",
        destination="MX",
        now=T0 + 7 * HOUR,
    )
    assert "removal-stay" in fired(before_boarding)


def test_a_pending_appeal_is_an_automatic_stay():
    docs = [ij_order(T0), doc("appeal", T0 + 10 * DAY), doc("i205", T0 + 11 * DAY)]
    result = gate(
        "schedule_removal", docs, state="final_order", destination="MX", now=T0 + 40 * DAY
    )
    assert "appeal of order" in explanation(result, "removal-stay")


# 6. Withholding and CAT deferral: country bars; other countries need a designation


def test_withholding_bars_its_country_only():
    bar = doc("withholding", T0 - 300 * DAY, country="SV")
    docs = [*removable(country="SV"), bar]
    result = gate("execute_removal", docs, state="removal_scheduled", destination="SV")
    assert fired(result) == {"removal-country-barred"}
    assert "El Salvador" in explanation(result, "removal-country-barred")


def test_removal_to_another_country_needs_its_recorded_designation():
    bar = doc("withholding", T0 - 300 * DAY, country="SV")
    docs = [*removable(country="SV"), bar, doc("travel_document", T0 + HOUR, country="GT")]
    undesignated = gate("execute_removal", docs, state="removal_scheduled", destination="GT")
    assert fired(undesignated) == {"removal-country-designated"}
    designation = doc("country_designation", T0 + 2 * HOUR, country="Guatemala")
    designated = gate(
        "execute_removal", [*docs, designation], state="removal_scheduled", destination="GT"
    )
    assert fired(designated) == set()


def test_cat_deferral_bars_its_country_and_a_terminated_bar_does_not():
    cat = doc("cat_deferral", T0 - 10 * DAY, country="GT")
    docs = [*removable(country="GT"), cat]
    assert "removal-country-barred" in fired(
        gate("schedule_removal", docs, state="final_order", destination="GT")
    )
    ended = doc("cat_deferral", T0 - 10 * DAY, country="GT", revoked_at=T0 - DAY)
    assert "removal-country-barred" not in fired(
        gate(
            "schedule_removal",
            [*removable(country="GT"), ended],
            state="final_order",
            destination="GT",
        )
    )


def test_removal_with_no_destination_is_blocked():
    result = gate("schedule_removal", removable(), state="final_order")
    assert "removal-country-designated" in fired(result)
    assert "no destination country" in explanation(result, "removal-country-designated")


# 7. TPS and DACA; 8. pending asylum


def test_tps_in_effect_blocks_removal_and_arrest_and_expired_tps_does_not():
    tps = doc("tps", T0 - 100 * DAY, country="SV", effective_until=T0 + 100 * DAY)
    assert "tps-in-effect" in fired(
        gate("schedule_removal", [*removable(), tps], state="final_order", destination="MX")
    )
    assert "tps-in-effect" in fired(gate("arrest", [tps], state="encounter"))
    expired = doc("tps", T0 - 400 * DAY, country="SV", effective_until=T0 - 10 * DAY)
    assert "tps-in-effect" not in fired(
        gate("schedule_removal", [*removable(), expired], state="final_order", destination="MX")
    )


def test_daca_in_effect_blocks_removal():
    daca = doc("daca", T0 - 100 * DAY, effective_until=T0 + 600 * DAY)
    assert fired(
        gate("execute_removal", [*removable(), daca], state="removal_scheduled", destination="MX")
    ) == {"daca-in-effect"}
    lapsed = doc("daca", T0 - 800 * DAY, effective_until=T0 - 70 * DAY)
    assert (
        fired(
            gate(
                "execute_removal",
                [*removable(), lapsed],
                state="removal_scheduled",
                destination="MX",
            )
        )
        == set()
    )


def test_a_pending_asylum_application_before_the_court_blocks_removal():
    pending = doc("application", T0 - 50 * DAY, application_kind="asylum", forum="court")
    result = gate(
        "schedule_removal", [*removable(), pending], state="final_order", destination="MX"
    )
    assert fired(result) == {"pending-asylum"}
    decided = doc(
        "application", T0 - 50 * DAY, application_kind="asylum", forum="court", decided_at=T0
    )
    uscis = doc("application", T0 - 50 * DAY, application_kind="u_visa", forum="uscis")
    for other in (decided, uscis):
        assert "pending-asylum" not in fired(
            gate("schedule_removal", [*removable(), other], state="final_order", destination="MX")
        )


# 9. Citizenship claims (ICE Directive 16001.2)


def claim(state: str = "open", **fields):  # type: ignore[no-untyped-def]
    return doc("citizenship_claim", T0 - DAY, state=state, **fields)


SIGNED_OFF = dict(
    investigated_by="Agent Park",
    legal_signoff_by="Counsel Moss",
    second_signoff_by="SDDO Grant",
    adjudicated_at=T0,
)


@pytest.mark.parametrize("action", ["arrest", "issue_detainer", "schedule_removal", "transfer"])
def test_an_open_citizenship_claim_stops_every_enforcement_action(action):
    result = gate(action, [*removable(), claim("under_investigation")], state="final_order")
    assert "citizenship-claim" in fired(result)


def test_a_claim_adjudicated_without_both_sign_offs_still_stops_enforcement():
    half = claim("adjudicated_not_citizen", investigated_by="Agent Park", adjudicated_at=T0)
    result = gate("arrest", [half], state="encounter")
    assert "without an investigation, a legal sign-off" in explanation(result, "citizenship-claim")
    same_person = claim(
        "adjudicated_not_citizen", **{**SIGNED_OFF, "second_signoff_by": "Counsel Moss"}
    )
    assert "citizenship-claim" in fired(gate("arrest", [same_person], state="encounter"))
    proper = claim("adjudicated_not_citizen", **SIGNED_OFF)
    assert "citizenship-claim" not in fired(
        gate("arrest", [proper, doc("i862", T0), doc("i200", T0)], state="encounter")
    )


def test_a_verified_citizen_is_never_subject_to_enforcement_but_may_be_released():
    adjudicated = claim("adjudicated_citizen", **SIGNED_OFF)
    assert "verified-citizen" in fired(gate("arrest", [adjudicated], state="encounter"))
    citizen = person(citizenship="us_citizen")
    result = gate(
        "execute_removal", removable(), state="removal_scheduled", destination="MX", subject=citizen
    )
    assert "verified-citizen" in fired(result)
    release = gate("release_from_custody", [adjudicated], state="encounter", subject=citizen)
    assert not release.blocked
    close = gate("close", [adjudicated], state="removal_scheduled", subject=citizen)
    assert not close.blocked


# 10. Detainers (ICE policy 10074.2; 8 CFR 287.7)


def detainer(*bases: str, attach=(), served=True, hold=None):  # type: ignore[no-untyped-def]
    return doc(
        "i247a",
        T0 + 2 * HOUR,
        probable_cause=list(bases),
        attachments=list(attach),
        served_at=T0 + 3 * HOUR if served else None,
        hold_started_at=hold,
    )


def test_a_detainer_needs_probable_cause_and_an_attached_warrant():
    warrant = doc("i200", T0 + HOUR, id="w-1")
    nta = doc("i862", T0)
    good = gate(
        "issue_detainer",
        [nta, warrant, detainer("statements_to_officer", attach=["w-1"])],
        state="encounter",
    )
    assert fired(good) == set()
    unattached = gate(
        "issue_detainer", [nta, warrant, detainer("statements_to_officer")], state="encounter"
    )
    assert "detainer-basis" in fired(unattached)
    no_basis = gate("issue_detainer", [nta, warrant, detainer(attach=["w-1"])], state="encounter")
    assert "states no probable-cause basis" in explanation(no_basis, "detainer-basis")
    bad_signer = doc("i200", T0 + HOUR, id="w-2", signer_role="deportation_officer")
    unsigned = gate(
        "issue_detainer",
        [nta, bad_signer, detainer("final_order", attach=["w-2"])],
        state="encounter",
    )
    assert "detainer-basis" in fired(unsigned)


def test_a_detainer_resting_on_a_database_match_alone_is_flagged_soft():
    warrant = doc("i200", T0 + HOUR, id="w-1")
    only_db = gate(
        "issue_detainer",
        [doc("i862", T0), warrant, detainer("database_match", attach=["w-1"])],
        state="encounter",
    )
    finding = next(f for f in only_db.findings if f.rule == "detainer-database-only")
    assert finding.severity == "soft" and only_db.blocked
    corroborated = gate(
        "issue_detainer",
        [
            doc("i862", T0),
            warrant,
            detainer("database_match", "statements_to_officer", attach=["w-1"]),
        ],
        state="encounter",
    )
    assert "detainer-database-only" not in fired(corroborated)


def test_a_detainer_hold_expires_after_48_hours_and_must_be_served():
    warrant = doc("i200", T0 + HOUR, id="w-1")
    held = detainer("final_order", attach=["w-1"], hold=T0 + 5 * HOUR)
    docs = [doc("i862", T0), warrant, held]
    within = gate("hold_on_detainer", docs, state="encounter", now=T0 + 50 * HOUR)
    assert fired(within) == set()
    beyond = gate("hold_on_detainer", docs, state="encounter", now=T0 + 54 * HOUR)
    assert fired(beyond) == {"detainer-expired"}
    taken_in = gate(
        "hold_on_detainer",
        docs,
        state="encounter",
        now=T0 + 54 * HOUR,
        events={"booking": [T0 + 20 * HOUR]},
    )
    assert "detainer-expired" not in fired(taken_in)
    unserved = detainer("final_order", attach=["w-1"], served=False, hold=T0 + 5 * HOUR)
    result = gate("hold_on_detainer", [doc("i862", T0), warrant, unserved], state="encounter")
    assert fired(result) == {"detainer-served"}


# 11. Sensitive locations; operations need warrants


def test_a_sensitive_location_operation_needs_a_supervisors_approval():
    docs = [doc("i862", T0), doc("i200", T0 + HOUR)]
    flagged = OperationContext("op-1", sensitive_location=True)
    result = gate("approve_operation", docs, state="proceedings", operation=flagged)
    assert fired(result) == {"sensitive-location"}
    approved = OperationContext(
        "op-1",
        sensitive_location=True,
        approved_by="sup-1",
        approver_roles=frozenset({"supervisor"}),
    )
    assert fired(gate("approve_operation", docs, operation=approved)) == set()
    by_officer = OperationContext(
        "op-1", sensitive_location=True, approved_by="off-2", approver_roles=frozenset({"officer"})
    )
    assert "sensitive-location" in fired(gate("execute_operation", docs, operation=by_officer))
    plain = OperationContext("op-2")
    assert fired(gate("execute_operation", docs, operation=plain)) == set()


def test_a_planned_arrest_needs_a_warrant_on_file():
    result = gate("approve_operation", [doc("i862", T0)], operation=OperationContext("op-3"))
    assert fired(result) == {"operation-warrant"}
    final = gate("approve_operation", removable(), operation=OperationContext("op-3"))
    assert fired(final) == set()


# 12. Post-order custody reviews (8 CFR 241.4)


def test_post_order_custody_reviews_follow_the_schedule():
    docs = removable()

    def at(days: int, *reviews: int):  # type: ignore[no-untyped-def]
        extra = [doc("custody_review", T0 + r * DAY) for r in reviews]
        return gate(
            "transfer", [*docs, *extra], state="final_order", custody=DETAINED, now=T0 + days * DAY
        )

    assert "post-order-custody-review" not in fired(at(89))
    assert "post-order-custody-review" in fired(at(91))
    assert "post-order-custody-review" not in fired(at(91, 80))
    assert "post-order-custody-review" in fired(at(181, 80))
    assert "post-order-custody-review" not in fired(at(181, 80, 170))
    assert "post-order-custody-review" in fired(at(170 + 366, 80, 170))
    released = gate(
        "transfer",
        docs,
        state="final_order",
        custody=Custody(status="released"),
        now=T0 + 200 * DAY,
    )
    assert "post-order-custody-review" not in fired(released)


# 13. Family links survive separate custody


def test_family_members_must_be_accounted_for_before_separate_custody():
    child = FamilyLink("child", "Sofia Lopez", minor=True)
    result = gate("transfer", family=[child], custody=DETAINED)
    assert fired(result) == {"family-links"}
    assert "child Sofia Lopez (minor)" in explanation(result, "family-links")
    linked = FamilyLink("child", "Sofia Lopez", minor=True, linked_case_id="case-2")
    assert fired(gate("transfer", family=[linked], custody=DETAINED)) == set()
    with_contact = FamilyLink("spouse", "Luis Lopez", whereabouts="at home; phone on file")
    assert fired(gate("book", family=[with_contact], custody=DETAINED)) == set()


# The engine returns every rule that fired


def test_every_rule_that_fired_is_returned_with_its_citation():
    docs = [
        ij_order(T0, designated_countries=["SV"]),
        doc("withholding", T0, country="SV"),
        doc("stay", T0 + HOUR, stay_kind="administrative"),
        claim("open"),
    ]
    result = gate("execute_removal", docs, state="removal_scheduled", destination="SV")
    assert {
        "removal-final-order",
        "removal-warrant",
        "removal-stay",
        "removal-country-barred",
        "citizenship-claim",
        "requires.execute_removal.1",
    } <= fired(result)
    citations = {f.rule: f.citation for f in result.findings}
    assert citations["removal-country-barred"] == "INA 241(b)(3); 8 CFR 208.16; 8 CFR 208.17"
    assert all(f.explanation for f in result.findings)


def test_an_action_from_the_wrong_state_is_refused():
    result = gate("execute_removal", removable(), state="proceedings", destination="MX")
    assert fired(result) == {"lifecycle.transition"}
