"""The start page: the person's work queues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from writ.web import queues
from writ.web.guard import PageSession, Svc
from writ.web.queue_list import QUEUES
from writ.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def start(session: PageSession) -> Response:
    return RedirectResponse("/queues", status_code=303)


@router.get("/queues")
def work_queues(
    request: Request,
    session: PageSession,
    svc: Svc,
    tab: Annotated[str, Query(max_length=64)] = "",
    sort: Annotated[str, Query(max_length=64)] = "",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    judged: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    mine = queues.visible(QUEUES, session.actor)
    loaded = {q.slug: queues.load(svc, session.actor, q) for q in mine}
    current = next((q for q in mine if q.slug == tab), mine[0] if mine else None)
    shown = None
    if current is not None:
        filters = {key: request.query_params.get(key, "") for key in current.filters}
        shown = queues.view(
            current,
            loaded[current.slug],
            sort=sort,
            descending=order == "desc",
            page=page,
            filters=filters,
        )
    return render(
        request,
        "queues.html",
        session,
        title="Work queues",
        tabs=[(q, len(loaded[q.slug])) for q in mine],
        shown=shown,
        judged=judged,
    )
