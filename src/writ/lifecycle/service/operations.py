"""Operation plans: a supervisor approves a list of cases for a field operation; each case is
gated at approval and again at execution. The field worklist shows what is on file about each
case and its current gate result: no map, no location, nothing from outside the agency's records.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from writ.lifecycle.documents import utc
from writ.lifecycle.engine import evaluate
from writ.lifecycle.facts import OperationContext
from writ.lifecycle.rules import default_rule_book
from writ.lifecycle.service.gating import ActionResult, result_of, run_gate
from writ.lifecycle.service.photos import PhotoOfRecord, visible_photo
from writ.lifecycle.service.records import (
    build_facts,
    case_resource,
    case_row,
    load_overrides,
    now_utc,
    parse_ts,
    ts,
)
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service import AccessDenied, NotFound, Services
from writ.store.tables.lifecycle import operation_cases, operation_plans

WARRANT_KINDS = {"i200": "I-200 warrant of arrest", "i205": "I-205 warrant of removal"}


@dataclass(frozen=True)
class PlannedCase:
    case_id: str
    status: str
    fired_at_approval: list[str]
    fired_at_execution: list[str]


@dataclass(frozen=True)
class OperationPlan:
    id: str
    title: str
    unit: str
    planned_for: datetime
    sensitive_location: bool
    status: str
    created_by: str
    approved_by: str | None
    cases: list[PlannedCase]


@dataclass(frozen=True)
class WorklistItem:
    """One line of the field worklist: who, the status on file, the warrant, the gates now."""

    case_id: str
    name: str
    a_number: str | None
    case_state: str
    warrant_status: str
    gate_result: str
    rules_fired: list[str]
    photo: PhotoOfRecord | None = None


def _plan_row(session: Session, plan_id: str) -> RowMapping:
    row = (
        session.execute(select(operation_plans).where(operation_plans.c.id == plan_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no operation plan {plan_id}", "operation-plan", plan_id)
    return row


def _plan_resource(row: RowMapping) -> Resource:
    return Resource("operation-plan", row["id"], unit=row["unit"])


def _context(row: RowMapping, approver: Actor | None = None) -> OperationContext:
    roles = row["approver_roles"] or []
    return OperationContext(
        id=row["id"],
        sensitive_location=bool(row["sensitive_location"]),
        approved_by=approver.user if approver else row["approved_by"],
        approver_roles=frozenset(approver.roles if approver else roles),
    )


def _plan_view(session: Session, row: RowMapping) -> OperationPlan:
    cases = [
        PlannedCase(
            c["case_id"],
            c["status"],
            [f["rule"] for f in (c["approval_evaluation"] or {}).get("findings", [])],
            [f["rule"] for f in (c["execution_evaluation"] or {}).get("findings", [])],
        )
        for c in session.execute(
            select(operation_cases)
            .where(operation_cases.c.operation_id == row["id"])
            .order_by(operation_cases.c.case_id)
        ).mappings()
    ]
    return OperationPlan(
        id=row["id"],
        title=row["title"],
        unit=row["unit"],
        planned_for=parse_ts(row["planned_for"]) or now_utc(),
        sensitive_location=bool(row["sensitive_location"]),
        status=row["status"],
        created_by=row["created_by"],
        approved_by=row["approved_by"],
        cases=cases,
    )


def create_operation_plan(
    svc: Services,
    actor: Actor,
    *,
    title: str,
    planned_for: datetime,
    case_ids: Iterable[str],
    sensitive_location: bool = False,
) -> OperationPlan:
    """Draft a plan in the actor's unit. Each case must be one the actor may work on."""
    ids = sorted(set(case_ids))
    if not title.strip() or not ids:
        raise ValueError("an operation plan needs a title and at least one case")
    plan_id = "OP-" + uuid.uuid4().hex[:12].upper()
    resource = Resource("operation-plan", plan_id, unit=actor.unit)
    with svc.operation(actor, "create", resource) as op:
        for case_id in ids:
            case = case_row(op.session, case_id)
            decision = svc.policy.decide(actor, "execute", case_resource(case))
            if not decision.allowed:
                raise AccessDenied(actor, "execute", case_resource(case), decision)
        op.session.execute(
            insert(operation_plans).values(
                id=plan_id,
                title=title.strip(),
                unit=actor.unit,
                planned_for=ts(utc(planned_for)),
                sensitive_location=sensitive_location,
                status="draft",
                created_by=actor.user,
                created_at=ts(now_utc()),
            )
        )
        for case_id in ids:
            op.session.execute(
                insert(operation_cases).values(
                    operation_id=plan_id, case_id=case_id, status="proposed"
                )
            )
        op.details.update({"cases": ids, "sensitive_location": sensitive_location})
        view = _plan_view(op.session, _plan_row(op.session, plan_id))
    return view


def approve_operation_plan(svc: Services, actor: Actor, plan_id: str) -> OperationPlan:
    """A supervisor other than the planner approves; each case is gated now. A case a gate
    blocks is excluded from the plan, with the rules that fired recorded and audited."""
    with svc.operation(actor, "approve", audit_action="operation-plan.approve") as op:
        plan = _plan_row(op.session, plan_id)
        op.authorize(_plan_resource(plan))
        if plan["status"] != "draft":
            raise ValueError(f"operation plan {plan_id} is {plan['status']}, not a draft")
        if plan["created_by"] == actor.user:
            raise ValueError(f"operation plan {plan_id}: the planner cannot approve their own plan")
        now = now_utc()
        context = _context(plan, approver=actor)
        outcomes: dict[str, Any] = {}
        for planned in op.session.execute(
            select(operation_cases.c.case_id).where(operation_cases.c.operation_id == plan_id)
        ).all():
            case = case_row(op.session, planned.case_id)
            evaluation, _ = run_gate(op, case, "approve_operation", now, operation=context)
            status = "excluded" if evaluation.blocked else "approved"
            op.session.execute(
                update(operation_cases)
                .where(
                    operation_cases.c.operation_id == plan_id,
                    operation_cases.c.case_id == planned.case_id,
                )
                .values(status=status, approval_evaluation=evaluation.as_dict())
            )
            outcomes[planned.case_id] = op.details.pop("gate")
        excluded = sorted(c for c, g in outcomes.items() if g["outcome"] == "blocked")
        op.outcome = "partly-blocked" if excluded else "ok"
        op.session.execute(
            update(operation_plans)
            .where(operation_plans.c.id == plan_id)
            .values(
                status="approved",
                approved_by=actor.user,
                approver_roles=sorted(actor.roles),
                approved_at=ts(now),
            )
        )
        op.details.update({"plan": plan_id, "cases": outcomes, "excluded": excluded})
        view = _plan_view(op.session, _plan_row(op.session, plan_id))
    return view


def execute_operation_case(svc: Services, actor: Actor, plan_id: str, case_id: str) -> ActionResult:
    """Gate one approved case again at the moment of execution in the field."""
    with svc.operation(actor, "execute", audit_action="immigration-case.execute_operation") as op:
        plan = _plan_row(op.session, plan_id)
        if plan["status"] != "approved":
            raise ValueError(f"operation plan {plan_id} is {plan['status']}, not approved")
        planned = (
            op.session.execute(
                select(operation_cases).where(
                    operation_cases.c.operation_id == plan_id,
                    operation_cases.c.case_id == case_id,
                )
            )
            .mappings()
            .first()
        )
        if planned is None or planned["status"] != "approved":
            status = planned["status"] if planned else "not on the plan"
            raise ValueError(f"operation plan {plan_id}: case {case_id} is {status}")
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        now = now_utc()
        evaluation, attempt = run_gate(op, case, "execute_operation", now, operation=_context(plan))
        op.session.execute(
            update(operation_cases)
            .where(operation_cases.c.operation_id == plan_id, operation_cases.c.case_id == case_id)
            .values(
                status="blocked" if evaluation.blocked else "executed",
                execution_evaluation=evaluation.as_dict(),
            )
        )
        op.details.update({"plan": plan_id, "case": case_id})
    return result_of(case_id, "execute_operation", case["state"], evaluation, attempt)


def get_operation_plan(svc: Services, actor: Actor, plan_id: str) -> OperationPlan:
    with svc.operation(actor, "read") as op:
        plan = _plan_row(op.session, plan_id)
        op.authorize(_plan_resource(plan))
        view = _plan_view(op.session, plan)
    return view


def list_operation_plans(svc: Services, actor: Actor) -> list[OperationPlan]:
    """The operation plans of the actor's unit, newest first."""
    with svc.operation(actor, "search", Resource("operation-plan", "*", unit=actor.unit)) as op:
        rows = op.session.execute(
            select(operation_plans)
            .where(operation_plans.c.unit == actor.unit)
            .order_by(operation_plans.c.created_at.desc())
        ).mappings()
        plans = [_plan_view(op.session, row) for row in rows]
        op.details["rows"] = len(plans)
    return plans


def field_worklist(svc: Services, actor: Actor, plan_id: str) -> list[WorklistItem]:
    """The approved cases of a plan as field officers see them: name, photo of record (if the
    actor may see it), A-number, case status, warrant status and the gate result right now.
    Nothing about where anyone is."""
    book = default_rule_book()
    with svc.operation(actor, "read", audit_action="operation-plan.worklist") as op:
        plan = _plan_row(op.session, plan_id)
        op.authorize(_plan_resource(plan))
        now = now_utc()
        items = []
        for planned in op.session.execute(
            select(operation_cases.c.case_id)
            .where(
                operation_cases.c.operation_id == plan_id,
                operation_cases.c.status.in_(["approved", "executed", "blocked"]),
            )
            .order_by(operation_cases.c.case_id)
        ).all():
            case = case_row(op.session, planned.case_id)
            facts = build_facts(
                op.session,
                case,
                "execute_operation",
                actor.user,
                now,
                operation=_context(plan),
            )
            evaluation = evaluate(book, facts, load_overrides(op.session, case["id"]))
            warrants = [
                f"{WARRANT_KINDS[d.kind]} {d.id}"
                for d in facts.documents
                if d.kind in WARRANT_KINDS and d.in_effect(now)
            ]
            items.append(
                WorklistItem(
                    case_id=case["id"],
                    name=case["subject_name"],
                    a_number=case["a_number"],
                    case_state=case["state"],
                    warrant_status="; ".join(warrants) or "no warrant in effect",
                    gate_result="blocked" if evaluation.blocked else "clear",
                    rules_fired=list(evaluation.fired()),
                    photo=visible_photo(svc, actor, op.session, case),
                )
            )
        op.details.update({"plan": plan_id, "rows": len(items)})
    return items
