"""Search (people and cases, one row per person, paged) and the field worklist (laid out for a
phone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from writ.lifecycle import service as lc
from writ.search import service as search_service
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)


PER_PAGE = 20


@router.get("/search")
def search(
    request: Request,
    session: PageSession,
    svc: Svc,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    # Only what the policy lets this person see comes back or counts; nothing hints at the rest.
    found = (
        search_service.search(svc, session.actor, q, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
        if q.strip()
        else None
    )
    pages = max(1, -(-found.total // PER_PAGE)) if found else 1
    title = f"Search: {q.strip()}" if q.strip() else "Search"
    return render(
        request,
        "search.html",
        session,
        title=title,
        q=q.strip(),
        found=found,
        page=page,
        pages=pages,
        href=result_link,
    )


def result_link(row: search_service.Row) -> str:
    """Where a result row opens: the subject, the record, or the case."""
    if row.kind in ("subject", "record"):
        return f"/subjects/{row.id}"
    if row.kind == "immigration-case":
        return f"/immigration/{row.id}"
    return f"/cases/{row.id}"


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
