"""Who may act: the policy's answer for showing a form, and who may act instead, asked of the same
Cedar policy the services use; and where a blocked attempt and a citizenship claim stand."""

from __future__ import annotations

import pytest

from helpers import actor
from test_lifecycle_service import LEGAL, OFFICER, SUPERVISOR, new_case
from writ.lifecycle import service as lc
from writ.model.resource import Resource
from writ.service.permissions import may, who_may

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CASE = Resource("immigration-case", "IC-1", unit="ERO-NYC")


def test_who_may_names_roles_and_the_unit_from_the_policy(services):
    assert who_may(services, "execute", CASE) == "an officer or a supervisor of ERO-NYC"
    assert who_may(services, "override", CASE) == "a supervisor of ERO-NYC, or legal"
    assert who_may(services, "override", CASE, roles={"supervisor"}) == "a supervisor of ERO-NYC"
    assert who_may(services, "administer", CASE) == "nobody, under the current policy"


def test_may_is_the_policy_answer_for_this_person(services):
    assert may(services, OFFICER, "execute", CASE).allowed
    refused = may(services, OFFICER, "override", CASE)
    assert not refused and refused.who == "a supervisor of ERO-NYC, or legal"
    elsewhere = actor("officer", user="off-la", unit="ERO-LA", purpose="case-processing")
    assert not may(services, elsewhere, "execute", CASE)


def test_the_override_needs_the_policy_and_the_rule(services):
    case_id = new_case(services, a_number_value="A-200-300-411")
    file = lc.get_case(services, OFFICER, case_id)
    attempt = lc.AttemptView(
        7, "issue_detainer", "encounter", "encounter", "blocked", OFFICER.user, None, None, None, []
    )  # type: ignore[arg-type]
    allowed = lc.may_override(services, SUPERVISOR, file, attempt, "detainer-database-only")
    assert allowed.allowed
    assert allowed.who == f"a supervisor of ERO-NYC, other than {OFFICER.user} (who asked for it)"
    assert not lc.may_override(services, LEGAL, file, attempt, "detainer-database-only")
    assert not lc.may_override(services, OFFICER, file, attempt, "detainer-database-only")
    asker_is_supervisor = lc.AttemptView(
        8,
        "issue_detainer",
        "encounter",
        "encounter",
        "blocked",
        SUPERVISOR.user,
        None,
        None,
        None,
        [],
    )  # type: ignore[arg-type]
    assert not lc.may_override(
        services, SUPERVISOR, file, asker_is_supervisor, "detainer-database-only"
    )


def test_a_claim_says_where_it_stands_and_who_takes_the_next_step(services):
    case_id = new_case(services, a_number_value="A-200-300-412")
    claim = lc.record_citizenship_claim(services, OFFICER, case_id, basis="Born in El Paso")

    def step(who):
        file = lc.get_case(services, who, case_id)
        found = next(d for d in file.documents if d.id == claim.id)
        return lc.claim_step(services, who, file, found)

    assert step(OFFICER).stage == "open" and step(OFFICER).permission
    lc.investigate_claim(services, OFFICER, case_id, claim.id)
    assert step(OFFICER).stage == "awaiting_legal_signoff"
    assert not step(OFFICER).permission and step(OFFICER).permission.who == "legal"
    assert step(LEGAL).permission
    lc.sign_off_claim(services, LEGAL, case_id, claim.id, "not_citizen")
    after = step(LEGAL)
    assert after.stage == "awaiting_second_signoff" and not after.permission
    assert "under investigation" not in after.words.lower()
    assert after.words.startswith(f"Legal ({LEGAL.user}) signed off: not a US citizen")
    assert step(SUPERVISOR).permission
    lc.sign_off_claim(services, SUPERVISOR, case_id, claim.id, "not_citizen")
    done = step(SUPERVISOR)
    assert done.step is None and done.words.startswith("Adjudicated: not a US citizen")
