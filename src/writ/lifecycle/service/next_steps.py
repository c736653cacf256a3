"""What may be done next on an immigration case, by whom, and where each attempt and claim
stands now — from the case file a page already read, the policy and the rules' own conditions.

A page shows a form only when the person may use it (the same policy and the same rule checks
the services apply, not a copy in a template), and names who may act when they may not. Nothing
here reads the store or is audited: the services ask again when the action is taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from writ.lifecycle.documents import CitizenshipClaim, document_from_mapping
from writ.lifecycle.engine import override_refusal
from writ.lifecycle.rules import default_rule_book
from writ.lifecycle.service.cases import AttemptView, CaseFile, DocumentView
from writ.model.actor import Actor
from writ.service.operation import Services
from writ.service.permissions import Permission, may, who_may

OUTCOME_WORDS = {
    "adjudicated_citizen": "a US citizen",
    "adjudicated_not_citizen": "not a US citizen",
}


def may_on_case(svc: Services, actor: Actor, file: CaseFile, action: str) -> Permission:
    """May ``actor`` do the policy action (``update``, ``execute``, ``decide``...) on the case?"""
    if file.resource is None:
        raise ValueError(f"case {file.case.id}: the case file carries no markings")
    return may(svc, actor, action, file.resource)


def may_override(
    svc: Services, actor: Actor, file: CaseFile, attempt: AttemptView, rule_id: str
) -> Permission:
    """May ``actor`` override ``rule_id`` on this blocked attempt: the policy's ``override`` on
    the case, then the rule's own conditions (soft, a role it names, not the requester)."""
    policy = may_on_case(svc, actor, file, "override")
    rule = default_rule_book().rule(rule_id)
    assert file.resource is not None
    who = (
        f"{who_may(svc, 'override', file.resource, rule.override_by)}, other than "
        f"{attempt.requested_by} (who asked for it)"
    )
    if rule.severity == "hard":
        return Permission(False, f"nobody: {rule.id} is a hard gate")
    refused = override_refusal(rule, attempt.requested_by, actor.user, actor.roles)
    return Permission(policy.allowed and refused is None, who)


def attempt_status(file: CaseFile) -> dict[int, str]:
    """For each blocked attempt, what became of it: overridden (and by whom), and done since
    when the same person asked again; an attempt absent from the answer stands as recorded."""
    later_done = {
        (a.action, a.requested_by): a.id
        for a in sorted(file.history, key=lambda a: a.id)
        if a.outcome != "blocked"
    }
    status: dict[int, str] = {}
    for attempt in file.history:
        if attempt.outcome != "blocked":
            continue
        overrides = [o for o in file.overrides if o.attempt_id == attempt.id]
        if not overrides:
            continue
        blocking = {f["rule"] for f in attempt.findings if _blocks(f)}
        covered = {o.rule for o in overrides}
        names = ", ".join(f"{o.rule} by {o.granted_by}" for o in overrides)
        done = later_done.get((attempt.action, attempt.requested_by))
        action = attempt.action.replace("_", " ")
        if blocking - covered:
            left = ", ".join(sorted(blocking - covered))
            status[attempt.id] = f"blocked; overridden: {names}; still blocked by {left}"
        elif done is not None and done > attempt.id:
            status[attempt.id] = f"overridden ({names}); done in attempt {done}"
        else:
            status[attempt.id] = (
                f"overridden ({names}): {attempt.requested_by} may now {action} again"
            )
    return status


def _blocks(finding: Mapping[str, Any]) -> bool:
    return finding.get("severity") == "hard" or not finding.get("overridden_by")


@dataclass(frozen=True)
class ClaimStep:
    """A citizenship claim's next step: its stage in words, the step (``investigate`` or
    ``sign-off``, none when adjudicated), and whether this person may take it (or who may)."""

    stage: str
    words: str
    step: str | None
    permission: Permission


def claim_step(svc: Services, actor: Actor, file: CaseFile, claim: DocumentView) -> ClaimStep:
    found = document_from_mapping(claim.record)
    if not isinstance(found, CitizenshipClaim):
        raise ValueError(f"document {claim.id} is a {claim.title}, not a citizenship claim")
    stage = found.stage
    if stage == "open":
        return ClaimStep(
            stage,
            "Open: waiting for an investigation",
            "investigate",
            may_on_case(svc, actor, file, "update"),
        )
    if stage.startswith("adjudicated"):
        words = (
            f"Adjudicated: {OUTCOME_WORDS.get(stage, stage)} (legal: {found.legal_signoff_by}, "
            f"second: {found.second_signoff_by})"
        )
        return ClaimStep(stage, words, None, Permission(False, ""))
    policy = may_on_case(svc, actor, file, "decide")
    refused = found.sign_off_refusal(actor.user, actor.roles)
    if stage == "awaiting_legal_signoff":
        return ClaimStep(
            stage,
            f"Under investigation (by {found.investigated_by}): waiting for legal's sign-off",
            "sign-off",
            Permission(policy.allowed and refused is None, "legal"),
        )
    proposed = OUTCOME_WORDS.get(found.proposed_outcome or "", "")
    return ClaimStep(
        stage,
        f"Legal ({found.legal_signoff_by}) signed off: {proposed}; waiting for a second "
        "person's sign-off of the same outcome",
        "sign-off",
        Permission(
            policy.allowed and refused is None,
            f"{policy.who}, other than {found.legal_signoff_by}",
        ),
    )
