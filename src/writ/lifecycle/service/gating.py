"""Gating an action inside a service operation, and what a gated service returns.

Every gated action is evaluated against the facts read in the operation's own transaction; the
attempt is recorded on the case whether it is done or blocked, and the operation's audit entry
carries every rule that fired. A block is a result, not an exception, so that the transaction
commits the record of the blocked attempt and its audit entry together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import RowMapping

from writ.lifecycle.engine import Evaluation, evaluate
from writ.lifecycle.facts import OperationContext
from writ.lifecycle.rules import default_rule_book
from writ.lifecycle.service.records import build_facts, inserted_id, load_overrides, ts
from writ.service import Operation
from writ.store.tables.cases import timeline_events
from writ.store.tables.lifecycle import gated_actions


@dataclass(frozen=True)
class ActionResult:
    """What a gated action did: the case's state after it, and the gate evaluation behind it."""

    case_id: str
    action: str
    state: str
    attempt_id: int
    evaluation: Evaluation

    @property
    def blocked(self) -> bool:
        return self.evaluation.blocked

    def explain(self) -> str:
        return self.evaluation.summary()


@dataclass(frozen=True)
class Done(ActionResult):
    """The action passed every gate and took effect."""


@dataclass(frozen=True)
class Blocked(ActionResult):
    """The action was refused by the rules that fired; nothing changed but the record of it."""


def gate_details(evaluation: Evaluation, attempt_id: int) -> dict[str, Any]:
    """What the audit entry says about a gated attempt: outcome and every rule that fired."""
    return {
        "gate": {
            "attempt": attempt_id,
            "action": evaluation.action,
            "outcome": "blocked" if evaluation.blocked else "done",
            "fired": [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "citation": f.citation,
                    "explanation": f.explanation,
                    "overridden_by": f.overridden_by,
                }
                for f in evaluation.findings
            ],
        }
    }


def run_gate(
    op: Operation,
    case: RowMapping,
    action: str,
    now: datetime,
    *,
    destination_country: str | None = None,
    operation: OperationContext | None = None,
    boarding_completed_at: datetime | None = None,
) -> tuple[Evaluation, int]:
    """Evaluate ``action`` on the case now, record the attempt, and put it in the audit details.

    Marks the operation's outcome ``blocked`` when a rule blocks; the caller applies the action's
    effect only when it did not.
    """
    book = default_rule_book()
    facts = build_facts(
        op.session,
        case,
        action,
        op.actor.user,
        now,
        destination_country=destination_country,
        operation=operation,
        boarding_completed_at=boarding_completed_at,
    )
    evaluation = evaluate(book, facts, load_overrides(op.session, case["id"]))
    transition = book.lifecycle.transitions.get(action)
    target = transition.target if transition is not None else case["state"]
    result = op.session.execute(
        insert(gated_actions).values(
            case_id=case["id"],
            action=action,
            from_state=case["state"],
            to_state=case["state"] if evaluation.blocked else target,
            outcome="blocked" if evaluation.blocked else "done",
            requested_by=op.actor.user,
            requested_at=ts(now),
            effective_at=ts(now),
            destination_country=destination_country,
            operation_id=operation.id if operation is not None else None,
            evaluation=evaluation.as_dict(),
        )
    )
    attempt_id = inserted_id(result)
    _on_timeline(op, case, action, evaluation, attempt_id, now)
    op.details.update(gate_details(evaluation, attempt_id))
    if evaluation.blocked:
        op.outcome = "blocked"
    return evaluation, attempt_id


def _on_timeline(
    op: Operation,
    case: RowMapping,
    action: str,
    evaluation: Evaluation,
    attempt_id: int,
    now: datetime,
) -> None:
    """Put the attempt on the timelines of the linked investigation case and of the subject."""
    if not case["investigation_case_id"] and not case["entity_id"]:
        return
    if evaluation.blocked:
        summary = f"{action} blocked on {case['id']} by {', '.join(evaluation.fired())}"
    else:
        summary = f"{action} on {case['id']} (state {case['state']})"
    op.session.execute(
        insert(timeline_events).values(
            case_id=case["investigation_case_id"],
            entity_id=case["entity_id"],
            occurred_at=ts(now),
            kind=f"lifecycle.{action}"[:48],
            summary=summary,
            source="lifecycle",
            actor=op.actor.user,
            ref=f"gated-action:{attempt_id}",
        )
    )


def result_of(
    case_id: str, action: str, state: str, evaluation: Evaluation, attempt_id: int
) -> ActionResult:
    cls = Blocked if evaluation.blocked else Done
    return cls(case_id, action, state, attempt_id, evaluation)
