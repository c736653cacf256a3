"""Operation plans: draft, approval by a second person (each case gated), execution of one case
(gated again), and the field worklist."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.api.routers.lifecycle import Finding
from writ.lifecycle import service as lc

router = APIRouter(tags=["operations"])
PlanId = Annotated[str, Path(min_length=1, max_length=64)]
CaseId = Annotated[str, Path(min_length=1, max_length=64)]


class NewPlan(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    planned_for: datetime = Field(description="When; without a zone, UTC.")
    case_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=200
    )
    sensitive_location: bool = False


class ExecutionResult(BaseModel):
    """The gate result at the moment of execution: ``blocked`` with every rule that fired."""

    case_id: str
    action: str
    blocked: bool
    state: str
    attempt_id: int
    findings: list[Finding]


def _plan(plan: lc.OperationPlan) -> dict[str, Any]:
    """A plan, each rule id that fired with its title and citation beside it."""
    rules = {r.id: r for r in lc.list_rules()}
    out = dataclasses.asdict(plan)
    for case in out["cases"]:
        for stage in ("fired_at_approval", "fired_at_execution"):
            case[stage] = [
                {"rule": rule, "title": rules[rule].title, "citation": rules[rule].citation}
                if rule in rules
                else {"rule": rule, "title": rule, "citation": ""}
                for rule in case[stage]
            ]
    return out


@router.get("/operation-plans", summary="Operation plans of your unit, newest first")
def list_plans(svc: Svc, actor: CurrentActor, paging: PageParams) -> Page[dict[str, Any]]:
    return paging.slice([_plan(p) for p in lc.list_operation_plans(svc, actor)])


@router.post("/operation-plans", status_code=201, summary="Draft a plan from cases of your unit")
def create_plan(body: NewPlan, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    plan = lc.create_operation_plan(
        svc,
        actor,
        title=body.title,
        planned_for=body.planned_for,
        case_ids=body.case_ids,
        sensitive_location=body.sensitive_location,
    )
    return _plan(plan)


@router.get("/operation-plans/{plan_id}", summary="A plan with each case's gate results")
def get_plan(plan_id: PlanId, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return _plan(lc.get_operation_plan(svc, actor, plan_id))


@router.post(
    "/operation-plans/{plan_id}/approve",
    summary="Approve (a supervisor other than the planner); every case is gated, blocked ones "
    "are excluded with the rules that fired",
)
def approve_plan(plan_id: PlanId, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return _plan(lc.approve_operation_plan(svc, actor, plan_id))


@router.post(
    "/operation-plans/{plan_id}/cases/{case_id}/execute",
    response_model=ExecutionResult,
    summary="Execute one approved case, gated again now",
)
def execute_case(
    plan_id: PlanId, case_id: CaseId, svc: Svc, actor: CurrentActor
) -> ExecutionResult:
    result = lc.execute_operation_case(svc, actor, plan_id, case_id)
    return ExecutionResult(
        case_id=result.case_id,
        action=result.action,
        blocked=result.blocked,
        state=result.state,
        attempt_id=result.attempt_id,
        findings=[Finding(**f.as_dict()) for f in result.evaluation.findings],
    )


@router.get(
    "/operation-plans/{plan_id}/worklist",
    summary="The field worklist: status on file and gate result now; no location of anyone",
)
def worklist(plan_id: PlanId, svc: Svc, actor: CurrentActor) -> list[dict[str, Any]]:
    return [dataclasses.asdict(item) for item in lc.field_worklist(svc, actor, plan_id)]
