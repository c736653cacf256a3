"""Search (subjects by name or identifier, ranked) and the field worklist (laid out for a phone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from writ.lifecycle import service as lc
from writ.search import service as search_service
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/search")
def search(
    request: Request,
    session: PageSession,
    svc: Svc,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    # Only what the policy lets this person see comes back; nothing hints at the rest.
    hits = search_service.search_subjects(svc, session.actor, q.strip()) if q.strip() else []
    return render(request, "search.html", session, title="Search", q=q, hits=hits)


@router.get("/field/{plan_id}")
def field_worklist(
    request: Request,
    session: PageSession,
    svc: Svc,
    plan_id: Annotated[str, Path(max_length=64)],
) -> Response:
    items = lc.field_worklist(svc, session.actor, plan_id)
    return render(
        request, "field.html", session, title="Field worklist", items=items, plan_id=plan_id
    )
