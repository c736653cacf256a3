"""The subject profile: merged values, each with the sources it came from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from writ.service.subjects import get_entity
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/subjects")
def find_subject(
    request: Request,
    session: PageSession,
    id: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    if id.strip():
        return RedirectResponse(f"/subjects/{id.strip()}", status_code=303)
    return render(request, "subject_find.html", session, title="Open a subject")


@router.get("/subjects/{entity_id}")
def subject_profile(
    request: Request,
    session: PageSession,
    svc: Svc,
    entity_id: Annotated[str, Path(max_length=128)],
) -> Response:
    subject = get_entity(svc, session.actor, entity_id)
    sources = sorted(
        {s.source for values in subject.properties.values() for v in values for s in v.sources}
    )
    return render(
        request,
        "subject.html",
        session,
        title=subject.caption,
        subject=subject,
        sources=sources,
    )
