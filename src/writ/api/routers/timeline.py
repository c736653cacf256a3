"""A subject's timeline: its dated values (with their source) and the events about it on cases
you may read, newest first. A case's own timeline is ``GET /cases/{case_id}/timeline``."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.api.fields import LINE
from writ.cases import service as case_service

router = APIRouter(tags=["timeline"])


class TimelineEventOut(BaseModel):
    occurred_at: str
    kind: str
    summary: str
    source: str
    actor: str
    ref: str


@router.get(
    "/subjects/{entity_id}/timeline",
    response_model=Page[TimelineEventOut],
    summary="What is known to have happened to a subject, newest first",
)
def subject_timeline(
    entity_id: Annotated[str, Path(min_length=1, max_length=128, pattern=LINE)],
    svc: Svc,
    actor: CurrentActor,
    paging: PageParams,
) -> Page[TimelineEventOut]:
    events = case_service.subject_timeline(svc, actor, entity_id)
    return paging.slice([TimelineEventOut(**dataclasses.asdict(e)) for e in events])
