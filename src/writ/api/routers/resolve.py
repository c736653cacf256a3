"""Match review: pairs the linkage model was unsure of, and the human judgement on each."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.resolve import service as resolve_service

router = APIRouter(tags=["review"])
MatchId = Annotated[int, Path(ge=1, le=2**62)]


class Judgement(BaseModel):
    verdict: Literal["same", "not_same", "unsure"]
    reason: str = Field(min_length=1, max_length=4000)


@router.get("/review", summary="The match review queue")
def review_queue(svc: Svc, actor: CurrentActor, paging: PageParams) -> Page[dict[str, Any]]:
    items = resolve_service.review_list(svc, actor, limit=1000)
    return paging.slice([dataclasses.asdict(i) for i in items])


@router.get("/review/{match_id}", summary="Two records side by side, with the explanation")
def review_item(match_id: MatchId, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return dataclasses.asdict(resolve_service.review_show(svc, actor, match_id))


@router.post("/review/{match_id}/judgement", summary="Same, not same or unsure, with a reason")
def judge(match_id: MatchId, body: Judgement, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    result = resolve_service.decide(svc, actor, match_id, body.verdict, body.reason)
    return dataclasses.asdict(result)


@router.get("/subjects/{subject_id}/records", summary="The source records of a subject")
def subject_records(
    subject_id: Annotated[str, Path(min_length=1, max_length=128)], svc: Svc, actor: CurrentActor
) -> list[dict[str, Any]]:
    return [dataclasses.asdict(r) for r in resolve_service.subject_records(svc, actor, subject_id)]
