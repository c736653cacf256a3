"""Tasks: the work queue (yours, or your unit's for supervisors), status and assignee changes,
and completion. Tasks are created on a case (``POST /cases/{case_id}/tasks``)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, model_validator

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.api.fields import LINE
from writ.cases import service as case_service

router = APIRouter(tags=["tasks"])
TaskId = Annotated[str, Path(min_length=1, max_length=64, pattern=LINE)]
TaskStatus = Literal["open", "in-progress", "done", "cancelled"]


class TaskOut(BaseModel):
    id: str
    case_id: str
    title: str
    assignee: str | None
    due: str | None
    status: str


class TaskChange(BaseModel):
    """What to change on a task; at least one field."""

    status: TaskStatus | None = None
    assignee: str | None = Field(default=None, min_length=1, max_length=128, pattern=LINE)
    due: str | None = Field(default=None, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")

    @model_validator(mode="after")
    def _something(self) -> TaskChange:
        if self.status is None and self.assignee is None and self.due is None:
            raise ValueError("give at least one of status, assignee, due")
        return self


def _out(task: case_service.Task) -> TaskOut:
    return TaskOut(**dataclasses.asdict(task))


@router.get(
    "/tasks",
    response_model=Page[TaskOut],
    summary="Open tasks, soonest due first: yours, or a unit's (supervisors)",
)
def list_tasks(
    svc: Svc,
    actor: CurrentActor,
    paging: PageParams,
    scope: Annotated[Literal["mine", "unit"], Query(description="Your tasks or a unit's.")] = (
        "mine"
    ),
    unit: Annotated[str | None, Query(min_length=1, max_length=64, pattern=LINE)] = None,
) -> Page[TaskOut]:
    if scope == "mine":
        if unit is not None:
            error = ValueError("unit goes with scope=unit only")
            error.field = "unit"  # type: ignore[attr-defined]
            raise error
        queue = case_service.my_queue(svc, actor)
    else:
        queue = case_service.unit_queue(svc, actor, unit)
    return paging.slice([_out(t) for t in queue.tasks])


@router.get("/tasks/{task_id}", response_model=TaskOut, summary="One task, whatever its status")
def get_task(task_id: TaskId, svc: Svc, actor: CurrentActor) -> TaskOut:
    return _out(case_service.get_task(svc, actor, task_id))


@router.patch("/tasks/{task_id}", response_model=TaskOut, summary="Change status, assignee or due")
def update_task(task_id: TaskId, body: TaskChange, svc: Svc, actor: CurrentActor) -> TaskOut:
    task = case_service.update_task(
        svc, actor, task_id, status=body.status, assignee=body.assignee, due=body.due
    )
    return _out(task)


@router.post("/tasks/{task_id}/complete", response_model=TaskOut, summary="Mark a task done")
def complete_task(task_id: TaskId, svc: Svc, actor: CurrentActor) -> TaskOut:
    return _out(case_service.update_task(svc, actor, task_id, status="done"))
