"""Search: subjects by name or identifier, notes by their text. Hidden results are never hinted."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query

from writ.api.deps import CurrentActor, Svc
from writ.search import service as search_service

router = APIRouter(tags=["search"])
Text = Annotated[str, Query(min_length=1, max_length=200)]


@router.get("/search/subjects", summary="Subjects by name, A-number or passport, ranked")
def search_subjects(
    q: Text, svc: Svc, actor: CurrentActor, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[dict[str, Any]]:
    return [
        dataclasses.asdict(h) for h in search_service.search_subjects(svc, actor, q, limit=limit)
    ]


@router.get("/search/notes", summary="Notes by their text, ranked")
def search_notes(
    q: Text, svc: Svc, actor: CurrentActor, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[dict[str, Any]]:
    hits = search_service.search_notes(svc, actor, q, limit=limit)
    return [dataclasses.asdict(h) for h in hits]
