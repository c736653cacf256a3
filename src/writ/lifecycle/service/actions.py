"""Gated actions on a case, dry-run gate checks, overrides of soft gates, citizenship claims.

``request_action`` covers the lifecycle's transitions and the actions with no effect beyond their
record (arrest, issuing a detainer, holding on one). Custody, removal and operation actions have
their own services, gated the same way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from writ.lifecycle.countries import country_code
from writ.lifecycle.documents import CitizenshipClaim, document_from_mapping
from writ.lifecycle.engine import Evaluation, OverrideRefused, check_override, evaluate
from writ.lifecycle.rules import default_rule_book
from writ.lifecycle.service.cases import OverrideView, add_document, replace_document
from writ.lifecycle.service.gating import ActionResult, result_of, run_gate
from writ.lifecycle.service.records import (
    build_facts,
    case_resource,
    case_row,
    document_row,
    inserted_id,
    load_overrides,
    now_utc,
    ts,
)
from writ.model.actor import Actor
from writ.service import NotFound, Services
from writ.store.tables.lifecycle import gate_overrides, gated_actions, immigration_cases

RECORD_ONLY_ACTIONS = frozenset({"arrest", "issue_detainer", "hold_on_detainer"})
SERVICE_FOR = {
    "book": "book_into_custody",
    "transfer": "transfer_custody",
    "release_from_custody": "release_from_custody",
    "schedule_removal": "plan_removal",
    "execute_removal": "execute_removal",
    "unschedule_removal": "cancel_removal",
    "approve_operation": "approve_operation_plan",
    "execute_operation": "execute_operation_case",
}


def set_state(session: Any, case_id: str, state: str, now: datetime) -> None:
    session.execute(
        update(immigration_cases)
        .where(immigration_cases.c.id == case_id)
        .values(state=state, updated_at=ts(now))
    )


def request_action(
    svc: Services,
    actor: Actor,
    case_id: str,
    action: str,
    *,
    destination_country: str | None = None,
) -> ActionResult:
    """Request a lifecycle transition or a record-only action; every gate is evaluated now.

    Returns ``Done`` with the new state, or ``Blocked`` with every rule that fired; both are
    recorded on the case and in the audit log (``immigration-case.<action>``).
    """
    book = default_rule_book()
    if action in SERVICE_FOR:
        raise ValueError(f"action {action} has its own service: use {SERVICE_FOR[action]}")
    transition = book.lifecycle.transitions.get(action)
    if transition is None and action not in RECORD_ONLY_ACTIONS:
        raise ValueError(f"action {action!r} is not one of {sorted(book.lifecycle.actions)}")
    destination = country_code(destination_country) if destination_country else None
    with svc.operation(actor, "execute", audit_action=f"immigration-case.{action}") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        now = now_utc()
        evaluation, attempt = run_gate(op, case, action, now, destination_country=destination)
        state = case["state"]
        if not evaluation.blocked and transition is not None:
            state = transition.target
            set_state(op.session, case_id, state, now)
        op.details.update({"case": case_id, "state": state})
    return result_of(case_id, action, state, evaluation, attempt)


def check_action(
    svc: Services,
    actor: Actor,
    case_id: str,
    action: str,
    *,
    destination_country: str | None = None,
) -> Evaluation:
    """What the gates would say about ``action`` now, without requesting it (audited as a read)."""
    destination = country_code(destination_country) if destination_country else None
    with svc.operation(actor, "read", audit_action="immigration-case.check") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        facts = build_facts(
            op.session, case, action, actor.user, now_utc(), destination_country=destination
        )
        evaluation = evaluate(default_rule_book(), facts, load_overrides(op.session, case_id))
        op.details.update({"case": case_id, "action": action, "fired": list(evaluation.fired())})
    return evaluation


def override_gate(
    svc: Services, actor: Actor, case_id: str, attempt_id: int, rule: str, reason: str
) -> OverrideView:
    """Override one soft rule that blocked an attempt, for that attempt's requester.

    Refused (and the refusal audited) when the rule is hard, when the actor is the person who
    asked for the action, when the actor lacks the role the rule names, or without a reason.
    """
    book = default_rule_book()
    refusal: OverrideRefused | None = None
    view: OverrideView | None = None
    with svc.operation(actor, "override", audit_action="gate-override.create") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        attempt = (
            op.session.execute(
                select(gated_actions).where(
                    gated_actions.c.id == attempt_id, gated_actions.c.case_id == case_id
                )
            )
            .mappings()
            .first()
        )
        if attempt is None or attempt["outcome"] != "blocked":
            raise NotFound(f"case {case_id}: no blocked attempt {attempt_id}")
        fired = {f["rule"] for f in attempt["evaluation"]["findings"]}
        if rule not in fired:
            raise ValueError(f"attempt {attempt_id}: rule {rule} did not fire")
        op.details.update(
            {
                "case": case_id,
                "attempt": attempt_id,
                "rule": rule,
                "requested_by": attempt["requested_by"],
                "reason": reason,
            }
        )
        try:
            check_override(
                book.rule(rule), attempt["requested_by"], actor.user, actor.roles, reason
            )
        except OverrideRefused as exc:
            refusal = exc
            op.outcome = "refused"
            op.details["refused"] = str(exc)
        else:
            now = now_utc()
            result = op.session.execute(
                insert(gate_overrides).values(
                    case_id=case_id,
                    rule=rule,
                    action=attempt["action"],
                    requested_by=attempt["requested_by"],
                    granted_by=actor.user,
                    granted_roles=sorted(actor.roles),
                    reason=reason.strip(),
                    granted_at=ts(now),
                    blocked_attempt_id=attempt_id,
                )
            )
            view = OverrideView(
                id=inserted_id(result),
                rule=rule,
                action=attempt["action"],
                requested_by=attempt["requested_by"],
                granted_by=actor.user,
                granted_roles=sorted(actor.roles),
                reason=reason.strip(),
                granted_at=now,
                attempt_id=attempt_id,
            )
    if refusal is not None:
        raise refusal
    assert view is not None
    return view


# --- citizenship claims (ICE Directive 16001.2) ---------------------------------------------


@dataclass(frozen=True)
class ClaimView:
    id: str
    state: str
    investigated_by: str | None
    legal_signoff_by: str | None
    second_signoff_by: str | None
    proposed_outcome: str | None
    case_citizenship: str | None


class ClaimError(ValueError):
    """A step of the citizenship-claim procedure taken out of order or by the wrong person."""


def record_citizenship_claim(
    svc: Services, actor: Actor, case_id: str, *, basis: str, claimed_at: datetime | None = None
) -> ClaimView:
    """Record a claim to US citizenship: from now on every enforcement action is stopped."""
    if not basis.strip():
        raise ClaimError(f"case {case_id}: record what the person said or showed")
    when = claimed_at or now_utc()
    view = add_document(
        svc,
        actor,
        case_id,
        {
            "kind": "citizenship_claim",
            "issued_at": when,
            "issuer": actor.unit,
            "signer": actor.user,
            "signer_role": ",".join(sorted(actor.roles)),
            "state": "open",
            "note": basis.strip(),
        },
    )
    return ClaimView(view.id, "open", None, None, None, None, None)


def _claim_step(
    svc: Services,
    actor: Actor,
    case_id: str,
    claim_id: str,
    policy_action: str,
    audit_action: str,
    step: Any,
) -> ClaimView:
    with svc.operation(actor, policy_action, audit_action=audit_action) as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        row = document_row(op.session, case_id, claim_id)
        claim = document_from_mapping(row["record"])
        if not isinstance(claim, CitizenshipClaim):
            raise ClaimError(f"document {claim_id} is a {claim.title}, not a citizenship claim")
        claim, citizenship = step(claim)
        replace_document(op.session, case_id, claim)
        if citizenship is not None:
            op.session.execute(
                update(immigration_cases)
                .where(immigration_cases.c.id == case_id)
                .values(citizenship=citizenship, updated_at=ts(now_utc()))
            )
        current = citizenship or case["citizenship"]
        op.details.update({"case": case_id, "claim": claim_id, "state": claim.state})
    return ClaimView(
        claim.id,
        claim.state,
        claim.investigated_by,
        claim.legal_signoff_by,
        claim.second_signoff_by,
        claim.proposed_outcome,
        current,
    )


def investigate_claim(svc: Services, actor: Actor, case_id: str, claim_id: str) -> ClaimView:
    """Open the investigation of a claim; the actor is recorded as the investigator."""

    def step(claim: CitizenshipClaim) -> tuple[CitizenshipClaim, None]:
        if claim.state != "open":
            raise ClaimError(f"claim {claim.id} is {claim.state}, not open")
        return dataclasses.replace(
            claim, state="under_investigation", investigated_by=actor.user
        ), None

    return _claim_step(
        svc, actor, case_id, claim_id, "update", "citizenship-claim.investigate", step
    )


def sign_off_claim(
    svc: Services, actor: Actor, case_id: str, claim_id: str, outcome: str
) -> ClaimView:
    """Sign off a claim's outcome (``citizen`` or ``not_citizen``).

    Legal signs first; a second, different person then confirms the same outcome, and only then
    is the claim adjudicated and the case's citizenship field updated, in the same transaction.
    """
    if outcome not in {"citizen", "not_citizen"}:
        raise ClaimError(f"claim {claim_id}: outcome {outcome!r} is not citizen or not_citizen")
    adjudicated = f"adjudicated_{outcome}"

    def step(claim: CitizenshipClaim) -> tuple[CitizenshipClaim, str | None]:
        refusal = claim.sign_off_refusal(actor.user, actor.roles)
        if refusal is not None:
            raise ClaimError(refusal)
        if claim.legal_signoff_by is None:
            return dataclasses.replace(
                claim, legal_signoff_by=actor.user, proposed_outcome=adjudicated
            ), None
        if claim.proposed_outcome != adjudicated:
            raise ClaimError(
                f"claim {claim.id}: legal signed off {claim.proposed_outcome}, not {adjudicated}; "
                "the claim stays under investigation"
            )
        done = dataclasses.replace(
            claim, state=adjudicated, second_signoff_by=actor.user, adjudicated_at=now_utc()
        )
        return done, "us_citizen" if outcome == "citizen" else "not_us_citizen"

    return _claim_step(svc, actor, case_id, claim_id, "decide", "citizenship-claim.sign-off", step)
