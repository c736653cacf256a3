"""Search: subjects by name or identifier, notes by their text. Hidden results are never hinted."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.search import service as search_service

router = APIRouter(tags=["search"])
Text = Annotated[str, Query(min_length=1, max_length=200)]


class SearchPage(Page[dict[str, Any]]):
    complete: bool = Field(
        True,
        description="false when so many names were alike that only the closest were compared",
    )


def _row(row: search_service.Row) -> dict[str, Any]:
    found = dataclasses.asdict(row)
    found["matched"]["why"] = row.matched.why
    return found


@router.get(
    "/search",
    summary="People and cases: one row per person, paged, with the total",
    response_model=SearchPage,
)
def search(q: Text, svc: Svc, actor: CurrentActor, paging: PageParams) -> SearchPage:
    """By name (fuzzy), A-number (`A-999-100-001`, `A999100001`, `999100001`), passport or
    document number (spaces and dashes ignored), immigration case id, or an investigation
    case's number, id or title words. Each row is a subject (its records and sources counted,
    the record that matched named), a record not yet resolved, a person only on an immigration
    case, or an investigation case. `total` counts only what the caller may read."""
    limit = min(paging.limit, search_service.MAX_PAGE)
    found = search_service.search(svc, actor, q, offset=paging.offset, limit=limit)
    more = paging.offset + limit < found.total
    return SearchPage(
        items=[_row(r) for r in found.rows],
        limit=limit,
        next=str(paging.offset + limit) if more else None,
        total=found.total,
        complete=found.complete,
    )


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
