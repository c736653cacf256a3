"""Operation plans: draft one from the unit's immigration cases, a second person (a supervisor)
approves it with every case gated again (the rules that fired shown with their citations), each
case executed in the field is gated once more, and the field worklist links from the plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from starlette.responses import Response

from writ.lifecycle import service as lc
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
PlanId = Annotated[str, Path(max_length=64)]


def _to_plan(request: Request, plan_id: str, note: str) -> Response:
    return see_other(request, f"/operations/{plan_id}", note + ".")


@router.get("/operations")
def plan_list(
    request: Request,
    session: PageSession,
    svc: Svc,
) -> Response:
    return render(
        request,
        "operations.html",
        session,
        title="Operation plans",
        plans=lc.list_operation_plans(svc, session.actor),
        cases=lc.list_cases(svc, session.actor),
    )


@router.post("/operations")
def create_plan(
    request: Request,
    session: FormSession,
    svc: Svc,
    title: Annotated[str, Form(max_length=300)] = "",
    planned_for: Annotated[str, Form(max_length=64)] = "",
    case_ids: Annotated[list[str] | None, Form()] = None,
    sensitive_location: Annotated[bool, Form()] = False,
) -> Response:
    try:
        when = datetime.fromisoformat(planned_for).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(
            f'planned_for: "{planned_for}" is not a date and time (YYYY-MM-DDTHH:MM, UTC)'
        ) from None
    if not case_ids:
        raise ValueError("case_ids: choose at least one case for the plan")
    plan = lc.create_operation_plan(
        svc,
        session.actor,
        title=title,
        planned_for=when,
        case_ids=case_ids,
        sensitive_location=sensitive_location,
    )
    return _to_plan(request, plan.id, f"Plan drafted with {len(plan.cases)} cases")


@router.get("/operations/{plan_id}")
def plan_page(
    request: Request,
    session: PageSession,
    svc: Svc,
    plan_id: PlanId,
) -> Response:
    plan = lc.get_operation_plan(svc, session.actor, plan_id)
    names = {c.id: c for c in lc.list_cases(svc, session.actor)}
    return render(
        request,
        "operation.html",
        session,
        title=plan.title,
        plan=plan,
        names=names,
        rules={r.id: r for r in lc.list_rules()},
    )


@router.post("/operations/{plan_id}/approve")
def approve(request: Request, session: FormSession, svc: Svc, plan_id: PlanId) -> Response:
    plan = lc.approve_operation_plan(svc, session.actor, plan_id)
    excluded = [c for c in plan.cases if c.status == "excluded"]
    cleared = len(plan.cases) - len(excluded)
    note = f"Plan approved: {cleared} case(s) cleared the gates, {len(excluded)} excluded"
    return _to_plan(request, plan_id, note)


@router.post("/operations/{plan_id}/cases/{case_id}/execute")
def execute(
    request: Request,
    session: FormSession,
    svc: Svc,
    plan_id: PlanId,
    case_id: Annotated[str, Path(max_length=64)],
) -> Response:
    result = lc.execute_operation_case(svc, session.actor, plan_id, case_id)
    if result.blocked:
        note = f"Case {case_id} blocked at execution by {', '.join(result.evaluation.fired())}"
    else:
        note = f"Case {case_id} executed: every gate clear"
    return _to_plan(request, plan_id, note)
