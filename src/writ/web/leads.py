"""Leads: the unit's list (a work queue: filters, sorting and paging in the URL), intake, and
one lead's page with its triage, conversion into a case and closing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from starlette.responses import Response

from writ.cases import service as case_service
from writ.model.actor import Actor
from writ.service import Services
from writ.web import queues
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
LeadId = Annotated[str, Path(max_length=64)]
PRIORITIES = ("low", "medium", "high")


def _rows(svc: Services, actor: Actor) -> list[queues.Row]:
    return [
        {
            "summary": lead.summary if len(lead.summary) <= 80 else lead.summary[:79] + "…",
            "id": lead.id,
            "source": lead.source,
            "status": lead.status,
            "priority": lead.priority or "",
            "assignee": lead.assignee or "",
            "received": lead.received_at[:10],
        }
        for lead in case_service.list_leads(svc, actor)
    ]


LEADS = queues.Queue(
    slug="leads",
    title="Leads",
    roles=frozenset({"officer", "supervisor"}),
    columns=(
        queues.Column("summary", "Lead"),
        queues.Column("source", "Source"),
        queues.Column("status", "Status"),
        queues.Column("priority", "Priority"),
        queues.Column("assignee", "Assigned to"),
        queues.Column("received", "Received"),
    ),
    items=_rows,
    link=lambda row: f"/leads/{row['id']}",
    filters=("status", "priority"),
    default_sort="received",
    empty="No lead of your unit matches.",
)


def _to_lead(request: Request, lead_id: str, note: str) -> Response:
    return see_other(request, f"/leads/{lead_id}", note)


@router.get("/leads")
def lead_list(
    request: Request,
    session: PageSession,
    svc: Svc,
    sort: Annotated[str, Query(max_length=64)] = "",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    status: Annotated[str, Query(max_length=16)] = "",
    priority: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    shown = queues.view(
        LEADS,
        _rows(svc, session.actor),
        sort=sort,
        descending=order == "desc",
        page=page,
        filters={"status": status, "priority": priority},
    )
    return render(request, "leads.html", session, title="Leads", shown=shown)


@router.post("/leads")
def take_lead(
    request: Request,
    session: FormSession,
    svc: Svc,
    summary: Annotated[str, Form(max_length=4000)] = "",
    source: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not source.strip():
        raise ValueError("source: say where the lead came from (phone, web form, agency …)")
    lead = case_service.take_lead(svc, session.actor, summary=summary, source=source.strip())
    return _to_lead(request, lead.id, "Lead taken in.")


@router.get("/leads/{lead_id}")
def lead_page(
    request: Request,
    session: PageSession,
    svc: Svc,
    lead_id: LeadId,
) -> Response:
    lead = case_service.get_lead(svc, session.actor, lead_id)
    return render(
        request,
        "lead.html",
        session,
        title=f"Lead {lead.id}",
        lead=lead,
        priorities=PRIORITIES,
        types=case_service.CASE_TYPES,
    )


@router.post("/leads/{lead_id}/triage")
def triage(
    request: Request,
    session: FormSession,
    svc: Svc,
    lead_id: LeadId,
    priority: Annotated[str, Form(max_length=16)] = "",
    assignee: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    lead = case_service.triage_lead(
        svc, session.actor, lead_id, priority=priority, assignee=assignee.strip() or None
    )
    who = f", assigned to {lead.assignee}" if lead.assignee else ""
    return _to_lead(request, lead.id, f"Triaged as {lead.priority} priority{who}.")


@router.post("/leads/{lead_id}/convert")
def convert(
    request: Request,
    session: FormSession,
    svc: Svc,
    lead_id: LeadId,
    title: Annotated[str, Form(max_length=500)] = "",
    type: Annotated[str, Form(max_length=64)] = "investigation",
) -> Response:
    if not title.strip():
        raise ValueError(f"lead {lead_id}: title: give the new case a title")
    case = case_service.convert_lead(svc, session.actor, lead_id, title=title.strip(), type=type)
    note = f"Case {case.number} opened from lead {lead_id}."
    return see_other(request, f"/cases/{case.id}", note)


@router.post("/leads/{lead_id}/close")
def close(
    request: Request,
    session: FormSession,
    svc: Svc,
    lead_id: LeadId,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    case_service.close_lead(svc, session.actor, lead_id, reason)
    return _to_lead(request, lead_id, "Lead closed.")
