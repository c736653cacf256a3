"""The pure lifecycle core: documents, finality, the rule book, overrides, clocks, priorities."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from test_lifecycle_factories import DAY, HOUR, T0, doc, facts, ij_order, removable
from writ.lifecycle.clocks import overdue_clocks
from writ.lifecycle.documents import DocumentError, document_from_mapping, document_to_mapping
from writ.lifecycle.engine import Override, OverrideRefused, check_override, evaluate
from writ.lifecycle.facts import Custody
from writ.lifecycle.finality import order_finality, stays_in_effect
from writ.lifecycle.priorities import example_priority_set, load_priority_set, place
from writ.lifecycle.rules import RuleError, default_rule_book, load_rule_book

BOOK = default_rule_book()

# --- documents ------------------------------------------------------------------------------


def test_documents_round_trip_through_plain_data():
    original = doc("withholding", T0, country="El Salvador", attachments=["scan-1"])
    data = document_to_mapping(original)
    assert data["country"] == "SV" and data["issued_at"] == "2025-03-03T09:00:00+00:00"
    assert document_from_mapping(data) == original


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "i999", "id": "d1"}, "kind 'i999' is not one of"),
        ({"kind": "withholding", "id": "d2", "issued_at": "2025-01-01T00:00:00"}, "needs field"),
        (
            {"kind": "stay", "id": "d3", "stay_kind": "forever"},
            "stay_kind 'forever' is not one of",
        ),
        ({"kind": "withholding", "id": "d4", "country": "Atlantis"}, "'Atlantis' is not a country"),
        ({"kind": "i200", "id": "d5", "issued_at": "31/02/2025"}, "'31/02/2025' is not a date"),
        ({"kind": "i200", "id": "d6", "colour": "red"}, "has no field(s) ['colour']"),
    ],
)
def test_a_malformed_document_names_the_record_and_the_field(data, message):
    base = {"issued_at": "2025-01-01T00:00:00Z", "issuer": "ERO", "signer": "S", "signer_role": "r"}
    with pytest.raises(DocumentError) as caught:
        document_from_mapping({**base, **data})
    assert data["id"] in str(caught.value)
    assert message in str(caught.value)


# --- finality (8 CFR 1241.1) ----------------------------------------------------------------


def test_an_ij_order_becomes_final_when_the_appeal_time_expires():
    docs = [ij_order(T0)]
    assert not order_finality(docs, T0 + 29 * DAY).final
    final = order_finality(docs, T0 + 30 * DAY)
    assert final.final and "1241.1(c)" in final.basis and final.since == T0 + 30 * DAY


@pytest.mark.parametrize(
    ("fields", "paragraph"),
    [({"appeal_waived": True}, "1241.1(b)"), ({"in_absentia": True}, "1241.1(e)")],
)
def test_waiver_and_in_absentia_orders_are_final_at_once(fields, paragraph):
    finality = order_finality([ij_order(T0, **fields)], T0 + HOUR)
    assert finality.final and paragraph in finality.basis and finality.since == T0


def test_an_appeal_keeps_the_order_from_becoming_final_until_the_bia_decides():
    appeal = doc("appeal", T0 + 10 * DAY)
    assert not order_finality([ij_order(T0), appeal], T0 + 100 * DAY).final
    dismissed = doc("order", T0 + 200 * DAY, court="BIA", disposition="appeal_dismissed")
    final = order_finality([ij_order(T0), appeal, dismissed], T0 + 201 * DAY)
    assert final.final and "1241.1(a)" in final.basis
    remanded = doc("order", T0 + 200 * DAY, court="BIA", disposition="remanded")
    assert not order_finality([ij_order(T0), appeal, remanded], T0 + 201 * DAY).final


def test_a_withdrawn_appeal_makes_the_order_final():
    appeal = doc("appeal", T0 + 10 * DAY, revoked_at=T0 + 40 * DAY)
    assert not order_finality([ij_order(T0), appeal], T0 + 39 * DAY).final
    assert order_finality([ij_order(T0), appeal], T0 + 41 * DAY).final


def test_certification_and_voluntary_departure():
    certified = ij_order(T0, certified_to_bia=True)
    assert not order_finality([certified], T0 + 60 * DAY).final
    vd = ij_order(
        T0, "removal_alternate_voluntary_departure", voluntary_departure_until=T0 + 60 * DAY
    )
    assert not order_finality([vd], T0 + 59 * DAY).final
    overstayed = order_finality([vd], T0 + 61 * DAY)
    assert overstayed.final and "1241.1(f)" in overstayed.basis


def test_relief_and_vacated_orders_are_not_final_removal_orders():
    assert not order_finality([ij_order(T0, "relief_granted")], T0 + 90 * DAY).final
    vacated = ij_order(T0, in_absentia=True, revoked_at=T0 + 5 * DAY)
    assert not order_finality([vacated], T0 + 6 * DAY).final


def test_automatic_stays_follow_the_appeal_window_and_in_absentia_motions():
    assert [s.citation for s in stays_in_effect([ij_order(T0)], T0 + DAY)] == ["8 CFR 1003.6(a)"]
    assert stays_in_effect([ij_order(T0)], T0 + 31 * DAY) == []
    motion = doc(
        "application", T0 + 5 * DAY, application_kind="motion_to_reopen_in_absentia", forum="court"
    )
    stays = stays_in_effect([ij_order(T0, in_absentia=True), motion], T0 + 6 * DAY)
    assert [s.citation for s in stays] == ["8 CFR 1003.23(b)(4)(ii)"]


# --- rule book ------------------------------------------------------------------------------


def write_rule(tmp_path, text: str):  # type: ignore[no-untyped-def]
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "x.yaml").write_text(text)
    return folder


RULE = """
id: test-rule
title: t
severity: {severity}
citation: c
applies_to: [arrest]
fires_when: {condition}
explanation: e
{extra}
"""


@pytest.mark.parametrize(
    ("severity", "condition", "extra", "message"),
    [
        ("hard", "final_order", "override_by: [supervisor]", "a hard rule cannot name override_by"),
        ("soft", "final_order", "", "a soft rule must name the roles"),
        ("soft", "final_order", "override_by: [sheriff]", "['sheriff'] are not roles"),
        ("hard", "risk_score_above", "", "predicate 'risk_score_above' is not one of"),
        ("hard", "{has_document: {kind: i200, colour: red}}", "", "unknown argument(s) ['colour']"),
        ("hard", "{document_in_effect: {kind: i200, signed_by: nobody}}", "", "list 'nobody'"),
        ("hard", "{clock_overdue: eternity}", "", "clock 'eternity' is not defined"),
        ("maybe", "final_order", "", "severity 'maybe' is not hard or soft"),
    ],
)
def test_a_malformed_rule_is_refused_at_load_naming_file_and_rule(
    tmp_path, severity, condition, extra, message
):
    folder = write_rule(tmp_path, RULE.format(severity=severity, condition=condition, extra=extra))
    with pytest.raises(RuleError) as caught:
        load_rule_book(folder)
    assert "x.yaml: rule test-rule" in str(caught.value)
    assert message in str(caught.value)


def test_adding_a_rule_is_a_new_file(tmp_path):
    folder = write_rule(
        tmp_path,
        RULE.format(
            severity="soft",
            condition="{custody_is: [detained]}",
            extra="override_by: [supervisor, legal]",
        ),
    )
    book = load_rule_book(folder)
    result = evaluate(book, facts("arrest", custody=Custody(status="detained"), state="encounter"))
    assert result.fired() == ("test-rule",)
    assert "custody status detained" in result.findings[0].explanation


# --- overrides ------------------------------------------------------------------------------

SUPERVISOR = frozenset({"supervisor"})


def test_only_soft_rules_may_be_overridden_by_another_person_with_the_role_and_a_reason():
    soft, hard = BOOK.rule("detainer-database-only"), BOOK.rule("removal-stay")
    with pytest.raises(OverrideRefused, match="hard gate"):
        check_override(hard, "officer-1", "sup-1", SUPERVISOR, "court order misread")
    with pytest.raises(OverrideRefused, match="cannot also override"):
        check_override(soft, "sup-1", "sup-1", SUPERVISOR, "corroborated by interview")
    with pytest.raises(OverrideRefused, match="only a supervisor"):
        check_override(soft, "officer-1", "officer-2", frozenset({"officer"}), "looks fine to me")
    with pytest.raises(OverrideRefused, match="written reason"):
        check_override(soft, "officer-1", "sup-1", SUPERVISOR, "ok")
    check_override(soft, "officer-1", "sup-1", SUPERVISOR, "fingerprint match plus I-213 on file")


def test_an_override_lets_its_soft_finding_pass_for_that_requester_only():
    warrant = doc("i200", T0 + HOUR, id="w-1")
    detainer = doc(
        "i247a",
        T0 + 2 * HOUR,
        probable_cause=["database_match"],
        attachments=["w-1"],
        served_at=T0 + 3 * HOUR,
    )
    snapshot = facts("issue_detainer", [doc("i862", T0), warrant, detainer], state="encounter")
    assert evaluate(BOOK, snapshot).blocked
    override = Override(
        rule="detainer-database-only",
        action="issue_detainer",
        requested_by="officer-1",
        granted_by="sup-1",
        granted_roles=SUPERVISOR,
        reason="biometric match confirmed against the A-file by the supervisor",
        granted_at=T0 + 3 * HOUR,
    )
    passed = evaluate(BOOK, snapshot, [override])
    assert not passed.blocked
    assert passed.findings[0].overridden_by == "sup-1"
    other = replace(snapshot, action=replace(snapshot.action, requested_by="officer-2"))
    assert evaluate(BOOK, other, [override]).blocked
    self_granted = replace(override, granted_by="officer-1")
    assert evaluate(BOOK, snapshot, [self_granted]).blocked


# --- clocks ---------------------------------------------------------------------------------


def test_overdue_clocks_are_derived_from_the_documents_on_file():
    arrest = doc(
        "warrantless_arrest",
        T0,
        arrested_at=T0,
        arresting_officer="A",
        basis="b",
        examining_officer="B",
        examined_at=T0,
    )
    detained = Custody(status="detained")
    late = facts("transfer", [arrest], custody=detained, now=T0 + 49 * HOUR)
    assert [c.clock for c in overdue_clocks(late)] == ["decision-48h"]
    decided = [
        arrest,
        doc("i862", T0 + HOUR),
        doc("custody_decision", T0 + 2 * HOUR, decision="detain"),
    ]
    assert overdue_clocks(facts("transfer", decided, custody=detained, now=T0 + 49 * HOUR)) == []
    order = facts("transfer", removable(), custody=detained, now=T0 + 100 * DAY)
    assert [c.clock for c in overdue_clocks(order)] == ["post-order-custody-review"]


# --- enforcement priorities -----------------------------------------------------------------


def test_priorities_place_a_case_by_rules_and_explain_every_level():
    conviction = doc("conviction", T0 - 900 * DAY, category="aggravated_felony", offense="x")
    result = place(example_priority_set(), facts("arrest", [*removable(), conviction]))
    assert result.label == "Priority 1"
    assert "final order" in result.because and "criminal conviction" in result.because
    assert [v.holds for v in result.verdicts] == [True, True, True]
    nothing = place(example_priority_set(), facts("arrest", [doc("i862", T0)]))
    assert nothing.label == "Not a priority" and nothing.level is None
    assert all(not v.holds and v.reason for v in nothing.verdicts)


def test_a_priority_set_is_data_and_may_not_use_unknown_predicates():
    custom = load_priority_set(
        "id: mine\nlevels:\n  - {id: a, label: A, when: final_order, because: final}\n"
    )
    assert place(custom, facts("arrest", removable())).label == "A"
    with pytest.raises(RuleError, match="predicate 'social_media_score' is not one of"):
        load_priority_set(
            "id: bad\nlevels:\n  - {id: a, label: A, when: social_media_score, because: x}\n"
        )


def test_the_docs_rule_table_lists_every_rule_with_its_citation():
    doc_text = (Path(__file__).parents[1] / "docs" / "lifecycle.md").read_text()
    assert "Counsel must review these rules before any use" in doc_text
    for rule in BOOK.rules:
        row = next(
            (line for line in doc_text.splitlines() if line.startswith(f"| `{rule.id}` |")), ""
        )
        assert row, f"docs/lifecycle.md has no row for rule {rule.id}"
        assert rule.citation in row, f"docs/lifecycle.md: {rule.id} cites something else"
        assert f"| {rule.severity} |" in row
