"""Leads: the unit's list, intake, triage, conversion into a case and closing."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.cases import service as case_service

router = APIRouter(tags=["leads"])
LeadId = Annotated[str, Path(min_length=1, max_length=64)]


class LeadOut(BaseModel):
    id: str
    unit: str
    summary: str
    source: str
    status: str
    priority: str | None
    assignee: str | None
    received_at: str
    close_reason: str | None
    case_id: str | None


class NewLead(BaseModel):
    summary: str = Field(min_length=1, max_length=4000)
    source: str = Field(min_length=1, max_length=128)


class Triage(BaseModel):
    priority: Literal["low", "medium", "high"]
    assignee: str | None = Field(default=None, min_length=1, max_length=128)


class Conversion(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    type: str = Field(default="investigation", min_length=1, max_length=64)


class Closing(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)


def _out(lead: case_service.Lead) -> LeadOut:
    return LeadOut(**dataclasses.asdict(lead))


@router.get("/leads", response_model=Page[LeadOut], summary="Leads of your unit, newest first")
def list_leads(
    svc: Svc,
    actor: CurrentActor,
    paging: PageParams,
    status: Annotated[Literal["new", "triaged", "converted", "closed"] | None, Query()] = None,
) -> Page[LeadOut]:
    return paging.slice([_out(lead) for lead in case_service.list_leads(svc, actor, status=status)])


@router.post("/leads", status_code=201, response_model=LeadOut, summary="Take in a lead")
def take_lead(body: NewLead, svc: Svc, actor: CurrentActor) -> LeadOut:
    return _out(case_service.take_lead(svc, actor, summary=body.summary, source=body.source))


@router.get("/leads/{lead_id}", response_model=LeadOut, summary="One lead")
def get_lead(lead_id: LeadId, svc: Svc, actor: CurrentActor) -> LeadOut:
    return _out(case_service.get_lead(svc, actor, lead_id))


@router.post("/leads/{lead_id}/triage", response_model=LeadOut, summary="Set priority, assign")
def triage_lead(lead_id: LeadId, body: Triage, svc: Svc, actor: CurrentActor) -> LeadOut:
    lead = case_service.triage_lead(
        svc, actor, lead_id, priority=body.priority, assignee=body.assignee
    )
    return _out(lead)


@router.post(
    "/leads/{lead_id}/convert",
    status_code=201,
    summary="Open a case from the lead (a supervisor of its unit)",
)
def convert_lead(
    lead_id: LeadId, body: Conversion, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    case = case_service.convert_lead(svc, actor, lead_id, title=body.title, type=body.type)
    return dataclasses.asdict(case)


@router.post("/leads/{lead_id}/close", response_model=LeadOut, summary="Close with a reason")
def close_lead(lead_id: LeadId, body: Closing, svc: Svc, actor: CurrentActor) -> LeadOut:
    return _out(case_service.close_lead(svc, actor, lead_id, body.reason))
