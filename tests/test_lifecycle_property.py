"""Property: no path reaches "removed" without a final order, a valid I-205 and a clean gate
evaluation at execution.

Hypothesis drives a case through random paths: documents filed in any order (orders, appeals, BIA
decisions, warrants signed by listed and unlisted officials, stays, withholding and CAT bars,
TPS, DACA, asylum applications, citizenship claims), time passing, and any action at any moment,
to any destination. Each step goes through the same ``evaluate`` the services use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from test_lifecycle_factories import DAY, HOUR, T0, doc, ij_order, person
from writ.lifecycle.clocks import clock_events
from writ.lifecycle.documents import LegalDocument
from writ.lifecycle.engine import Evaluation, evaluate
from writ.lifecycle.facts import ActionRequest, CaseFacts, Facts
from writ.lifecycle.finality import order_finality, stays_in_effect
from writ.lifecycle.rules import default_rule_book

BOOK = default_rule_book()
COUNTRIES = ("MX", "SV", "GT")
I205_ISSUERS = BOOK.environment.lists["i205_issuers"]

Filing = Callable[[datetime, str], LegalDocument]
FILINGS: dict[str, Filing] = {
    "ij_removal": lambda t, c: ij_order(t, designated_countries=[c]),
    "ij_removal_waived": lambda t, c: ij_order(t, appeal_waived=True, designated_countries=[c]),
    "ij_in_absentia": lambda t, c: ij_order(t, in_absentia=True, designated_countries=[c]),
    "ij_relief": lambda t, c: ij_order(t, "relief_granted"),
    "appeal": lambda t, c: doc("appeal", t),
    "bia_dismissal": lambda t, c: doc("order", t, court="BIA", disposition="appeal_dismissed"),
    "bia_remand": lambda t, c: doc("order", t, court="BIA", disposition="remanded"),
    "i205": lambda t, c: doc("i205", t),
    "i205_unlisted_signer": lambda t, c: doc("i205", t, signer_role="deportation_officer"),
    "i205_revoked": lambda t, c: doc("i205", t, revoked_at=t + HOUR),
    "court_stay": lambda t, c: doc("stay", t, stay_kind="court_ordered"),
    "short_administrative_stay": lambda t, c: doc(
        "stay", t, stay_kind="administrative", effective_until=t + 2 * DAY
    ),
    "withholding": lambda t, c: doc("withholding", t, country=c),
    "cat_deferral": lambda t, c: doc("cat_deferral", t, country=c),
    "tps": lambda t, c: doc("tps", t, country=c, effective_until=t + 365 * DAY),
    "daca": lambda t, c: doc("daca", t, effective_until=t + 700 * DAY),
    "asylum_application": lambda t, c: doc(
        "application", t, application_kind="asylum", forum="court"
    ),
    "citizenship_claim": lambda t, c: doc("citizenship_claim", t, state="open"),
    "designation": lambda t, c: doc("country_designation", t, country=c),
    "travel_document": lambda t, c: doc("travel_document", t, country=c, number="P1"),
}
TRANSITIONS = sorted(BOOK.lifecycle.transitions)

steps = st.one_of(
    st.tuples(st.just("wait"), st.sampled_from([1, 20, 24 * 31, 24 * 95])),
    st.tuples(st.just("file"), st.sampled_from(sorted(FILINGS)), st.sampled_from(COUNTRIES)),
    st.tuples(
        st.just("act"),
        st.sampled_from(["schedule_removal", "execute_removal", *TRANSITIONS]),
        st.sampled_from((*COUNTRIES, None)),
    ),
)


@dataclass
class Case:
    state: str = "proceedings"
    now: datetime = T0
    documents: list[LegalDocument] = field(default_factory=lambda: [doc("i862", T0 - 300 * DAY)])

    def facts(self, action: str, destination: str | None) -> Facts:
        docs = tuple(self.documents)
        return Facts(
            case=CaseFacts("case-p", self.state, person()),
            action=ActionRequest(action, "officer-1", destination_country=destination),
            now=self.now,
            documents=docs,
            clocks=clock_events(docs, self.now),
        )

    def attempt(self, action: str, destination: str | None) -> Evaluation:
        evaluation = evaluate(BOOK, self.facts(action, destination))
        if not evaluation.blocked:
            self.state = BOOK.lifecycle.transitions[action].target
        return evaluation


def assert_lawful_removal(case: Case, evaluation: Evaluation, destination: str | None) -> None:
    """Checked from the documents themselves, not from the rules that let the removal through."""
    assert not evaluation.blocked
    finality = order_finality(case.documents, case.now)
    assert finality.final, finality.basis
    assert finality.since is not None
    assert any(
        d.kind == "i205"
        and d.in_effect(case.now)
        and d.signer_role in I205_ISSUERS
        and d.issued_at >= finality.since
        for d in case.documents
    )
    assert stays_in_effect(case.documents, case.now) == []
    assert destination is not None
    for d in case.documents:
        if d.kind in {"withholding", "cat_deferral"} and d.in_effect(case.now):
            assert getattr(d, "country", None) != destination
        assert not (d.kind in {"tps", "daca"} and d.in_effect(case.now))
        assert not (d.kind == "citizenship_claim" and d.in_effect(case.now))


def run(path: list[tuple]) -> Case:  # type: ignore[type-arg]
    case = Case()
    for step in path:
        if case.state in BOOK.lifecycle.endings:
            break
        if step[0] == "wait":
            case.now += timedelta(hours=step[1])
        elif step[0] == "file":
            case.now += HOUR
            case.documents.append(FILINGS[step[1]](case.now, step[2]))
        else:
            case.now += HOUR
            evaluation = case.attempt(step[1], step[2])
            if case.state == "removed":
                assert step[1] == "execute_removal"
                assert_lawful_removal(case, evaluation, step[2])
    return case


HAPPY = [
    ("file", "ij_removal_waived", "MX"),
    ("act", "record_order", None),
    ("act", "order_becomes_final", None),
    ("file", "i205", "MX"),
    ("file", "travel_document", "MX"),
    ("act", "schedule_removal", "MX"),
]


@st.composite
def removal_attempts(draw: st.DrawFn) -> list[tuple]:  # type: ignore[type-arg]
    """A path that heads for removal, with anything at all happening between its steps: the
    order, warrant and country vary, and noise (stays, bars, claims, waits, any action) is
    interleaved, so that many paths reach execution and some of them reach "removed"."""
    country = draw(st.sampled_from(COUNTRIES))
    order = draw(st.sampled_from(["ij_removal", "ij_removal_waived", "ij_in_absentia"]))
    warrant = draw(st.sampled_from(["i205", "i205", "i205_unlisted_signer", "i205_revoked"]))
    skeleton = [
        ("file", order, country),
        ("act", "record_order", None),
        ("wait", draw(st.sampled_from([1, 24 * 31]))),
        ("act", "order_becomes_final", None),
        ("file", warrant, country),
        ("file", "travel_document", country),
        ("act", "schedule_removal", country),
        ("act", "execute_removal", draw(st.sampled_from([country, *COUNTRIES]))),
        ("act", "execute_removal", country),
    ]
    path: list[tuple] = []  # type: ignore[type-arg]
    for step in skeleton:
        path.extend(draw(st.lists(steps, max_size=2)))
        path.append(step)
    return path


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(steps, max_size=30), removal_attempts()))
@example([*HAPPY, ("file", "court_stay", "MX"), ("act", "execute_removal", "MX")])
@example([*HAPPY, ("file", "withholding", "MX"), ("act", "execute_removal", "MX")])
@example([*HAPPY, ("act", "execute_removal", "MX")])
def test_no_path_reaches_removed_without_final_order_i205_and_clean_gates(path):
    run(path)


def test_the_happy_path_does_reach_removed_so_the_property_is_not_vacuous():
    assert run([*HAPPY, ("act", "execute_removal", "MX")]).state == "removed"


def test_a_stay_recorded_after_scheduling_stops_the_execution():
    case = run([*HAPPY, ("file", "court_stay", "MX")])
    assert case.state == "removal_scheduled"
    evaluation = case.attempt("execute_removal", "MX")
    assert evaluation.blocked and "removal-stay" in evaluation.fired()
    assert case.state == "removal_scheduled"


def test_a_withholding_for_the_chosen_country_stops_the_execution():
    case = run([*HAPPY, ("file", "withholding", "MX")])
    evaluation = case.attempt("execute_removal", "MX")
    assert evaluation.fired() == ("removal-country-barred",)
    assert case.state == "removal_scheduled"
