"""Investigations: cases, tasks, the work queue, timeline and evidence records."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.cases import service as case_service

router = APIRouter(tags=["cases"])
CaseId = Annotated[str, Path(min_length=1, max_length=64)]


class NewCase(BaseModel):
    type: Literal["investigation", "immigration"]
    title: str = Field(min_length=1, max_length=500)


class NewTask(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    assignee: str | None = Field(default=None, max_length=128)
    due: str | None = Field(default=None, max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")


class NewNote(BaseModel):
    body: str = Field(min_length=1, max_length=20000)


def _plain(value: Any) -> dict[str, Any]:
    return dataclasses.asdict(value)


@router.get("/cases", summary="Open cases of your unit")
def list_cases(svc: Svc, actor: CurrentActor, paging: PageParams) -> Page[dict[str, Any]]:
    return paging.slice([_plain(c) for c in case_service.list_cases(svc, actor)])


# OpenAPI links from a new case to the calls on it, for clients and multi-step tests.
CASE_LINKS = {
    name: {"operationId": f"cases_{op}", "parameters": {"case_id": "$response.body#/id"}}
    for name, op in {
        "GetCase": "get_case",
        "GetTimeline": "timeline",
        "ListEvidence": "evidence",
        "AddTask": "create_task",
        "AddNote": "add_note",
    }.items()
}


@router.post(
    "/cases",
    status_code=201,
    summary="Open a case",
    responses={201: {"description": "The case opened", "links": CASE_LINKS}},
)
def open_case(body: NewCase, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return _plain(case_service.open_case(svc, actor, type=body.type, title=body.title))


@router.get(
    "/cases/{case_id}", operation_id="cases_get_case", summary="A case: subjects, assignees, links"
)
def get_case(case_id: CaseId, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return _plain(case_service.get_case(svc, actor, case_id))


@router.get(
    "/cases/{case_id}/timeline",
    operation_id="cases_timeline",
    summary="What happened on a case, newest first",
)
def timeline(case_id: CaseId, svc: Svc, actor: CurrentActor) -> list[dict[str, Any]]:
    return [_plain(e) for e in case_service.case_timeline(svc, actor, case_id)]


@router.get(
    "/cases/{case_id}/evidence",
    operation_id="cases_evidence",
    summary="Evidence items with their digests",
)
def evidence(case_id: CaseId, svc: Svc, actor: CurrentActor) -> list[dict[str, Any]]:
    return [_plain(e) for e in case_service.case_evidence(svc, actor, case_id)]


@router.post(
    "/cases/{case_id}/tasks",
    status_code=201,
    operation_id="cases_create_task",
    summary="Add a task to a case",
)
def create_task(case_id: CaseId, body: NewTask, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    task = case_service.create_task(
        svc, actor, case_id, body.title, assignee=body.assignee, due=body.due
    )
    return _plain(task)


@router.post(
    "/cases/{case_id}/notes",
    status_code=201,
    operation_id="cases_add_note",
    summary="Add a note to a case",
)
def add_note(case_id: CaseId, body: NewNote, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return _plain(case_service.add_case_note(svc, actor, case_id, body.body))


@router.get("/queue", summary="Your open tasks and leads")
def my_queue(svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return _plain(case_service.my_queue(svc, actor))
