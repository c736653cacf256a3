"""Match review: the two records side by side, the model's explanation, and a judgement
(same, not same, unsure) with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from starlette.responses import RedirectResponse, Response

from writ.resolve import service as resolve_service
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)
VERDICTS = (("same", "Same person"), ("not_same", "Not the same person"), ("unsure", "Unsure"))
MatchId = Annotated[int, Path(ge=1, le=2**62)]


def _page(
    request: Request,
    session: PageSession,
    svc: Svc,
    match_id: int,
    status_code: int = 200,
    error: str = "",
) -> Response:
    item = resolve_service.review_show(svc, session.actor, match_id)
    props = sorted(set(item.left.values) | set(item.right.values))
    return render(
        request,
        "review.html",
        session,
        status_code=status_code,
        title=f"Match {match_id}",
        item=item,
        props=props,
        verdicts=VERDICTS,
        error=error,
    )


@router.get("/review/{match_id}")
def review_page(request: Request, session: PageSession, svc: Svc, match_id: MatchId) -> Response:
    return _page(request, session, svc, match_id)


@router.post("/review/{match_id}")
def judge(
    request: Request,
    session: FormSession,
    svc: Svc,
    match_id: MatchId,
    verdict: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    if verdict not in {v for v, _ in VERDICTS} or not reason.strip():
        problem = "Choose same, not same or unsure, and write the reason."
        return _page(request, session, svc, match_id, 422, problem)
    resolve_service.decide(svc, session.actor, match_id, verdict, reason.strip())
    return RedirectResponse(f"/queues?tab=review&judged={match_id}", status_code=303)
