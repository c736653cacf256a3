"""Removal logistics: destination, travel document, itinerary, escort; scheduling and execution.

Scheduling is gated (``schedule_removal``). Execution is gated again, in full, at the moment of
execution: a stay, a bar or a claim recorded after scheduling stops the removal there.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from writ.lifecycle.countries import country_code
from writ.lifecycle.documents import utc
from writ.lifecycle.rules import default_rule_book
from writ.lifecycle.service.actions import set_state
from writ.lifecycle.service.custody import REMOVED_REASON, close_booking
from writ.lifecycle.service.gating import ActionResult, result_of, run_gate
from writ.lifecycle.service.records import (
    case_resource,
    case_row,
    document_row,
    now_utc,
    open_booking,
    ts,
)
from writ.model.actor import Actor
from writ.service import NotFound, Services
from writ.store.tables.lifecycle import removal_plans


@dataclass(frozen=True)
class RemovalPlan:
    destination_country: str
    scheduled_for: datetime
    itinerary: Sequence[dict[str, Any]]
    escort: Sequence[str] = ()
    travel_document_id: str | None = None


def _scheduled_plan(session: Session, case_id: str) -> RowMapping:
    plan = (
        session.execute(
            select(removal_plans).where(
                removal_plans.c.case_id == case_id, removal_plans.c.status == "scheduled"
            )
        )
        .mappings()
        .first()
    )
    if plan is None:
        raise NotFound(f"case {case_id}: no scheduled removal")
    return plan


def plan_removal(svc: Services, actor: Actor, case_id: str, plan: RemovalPlan) -> ActionResult:
    """Schedule the removal with its logistics, if every removal gate passes now."""
    destination = country_code(plan.destination_country)
    target = default_rule_book().lifecycle.transitions["schedule_removal"].target
    with svc.operation(actor, "execute", audit_action="immigration-case.schedule_removal") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        if plan.travel_document_id is not None:
            document_row(op.session, case_id, plan.travel_document_id)
        now = now_utc()
        evaluation, attempt = run_gate(
            op, case, "schedule_removal", now, destination_country=destination
        )
        state = case["state"]
        if not evaluation.blocked:
            plan_id = "RP-" + uuid.uuid4().hex[:12].upper()
            op.session.execute(
                insert(removal_plans).values(
                    id=plan_id,
                    case_id=case_id,
                    destination_country=destination,
                    travel_document_id=plan.travel_document_id,
                    itinerary=list(plan.itinerary),
                    escort=list(plan.escort),
                    scheduled_for=ts(utc(plan.scheduled_for)),
                    status="scheduled",
                    planned_by=actor.user,
                    planned_at=ts(now),
                )
            )
            state = target
            set_state(op.session, case_id, state, now)
            op.details["plan"] = plan_id
        op.details.update({"case": case_id, "destination": destination, "state": state})
    return result_of(case_id, "schedule_removal", state, evaluation, attempt)


def execute_removal(
    svc: Services,
    actor: Actor,
    case_id: str,
    *,
    boarding_completed_at: datetime | None = None,
) -> ActionResult:
    """Carry out the scheduled removal: every gate is evaluated again, now. A block here stops
    the removal and leaves it scheduled; the blocked attempt is recorded and audited."""
    target = default_rule_book().lifecycle.transitions["execute_removal"].target
    with svc.operation(actor, "execute", audit_action="immigration-case.execute_removal") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        plan = _scheduled_plan(op.session, case_id)
        now = now_utc()
        boarded = utc(boarding_completed_at) if boarding_completed_at else None
        if boarded is not None and boarded > now:
            raise ValueError(f"case {case_id}: boarding_completed_at is in the future")
        evaluation, attempt = run_gate(
            op,
            case,
            "execute_removal",
            now,
            destination_country=plan["destination_country"],
            boarding_completed_at=boarded,
        )
        state = case["state"]
        if not evaluation.blocked:
            op.session.execute(
                update(removal_plans)
                .where(removal_plans.c.id == plan["id"])
                .values(
                    status="executed",
                    executed_at=ts(now),
                    boarding_completed_at=ts(boarded) if boarded else None,
                )
            )
            booking = open_booking(op.session, case_id)
            if booking is not None:
                close_booking(op.session, booking["id"], now, REMOVED_REASON)
            state = target
            set_state(op.session, case_id, state, now)
        op.details.update(
            {"case": case_id, "plan": plan["id"], "destination": plan["destination_country"]}
        )
    return result_of(case_id, "execute_removal", state, evaluation, attempt)


def cancel_removal(svc: Services, actor: Actor, case_id: str, reason: str) -> ActionResult:
    """Take the removal off the schedule (a stay, a new application, an error found)."""
    if not reason.strip():
        raise ValueError(f"case {case_id}: cancelling a removal needs a reason")
    target = default_rule_book().lifecycle.transitions["unschedule_removal"].target
    with svc.operation(actor, "execute", audit_action="immigration-case.unschedule_removal") as op:
        case = case_row(op.session, case_id)
        op.authorize(case_resource(case))
        plan = _scheduled_plan(op.session, case_id)
        now = now_utc()
        evaluation, attempt = run_gate(op, case, "unschedule_removal", now)
        state = case["state"]
        if not evaluation.blocked:
            op.session.execute(
                update(removal_plans)
                .where(removal_plans.c.id == plan["id"])
                .values(status="cancelled")
            )
            state = target
            set_state(op.session, case_id, state, now)
        op.details.update({"case": case_id, "plan": plan["id"], "reason": reason})
    return result_of(case_id, "unschedule_removal", state, evaluation, attempt)
