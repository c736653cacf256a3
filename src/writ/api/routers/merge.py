"""Subjects as resolution made them: the stable subject id of a record, its records and
history, and merge, split and undo, each with a reason."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Svc
from writ.resolve import service as resolve_service

router = APIRouter(tags=["resolution"])
SubjectId = Annotated[str, Path(min_length=1, max_length=128)]
Reason = Annotated[str, Field(min_length=1, max_length=4000)]


class MergeRequest(BaseModel):
    other: str = Field(
        min_length=1, max_length=128, description="The other subject's id, or one of its records"
    )
    reason: Reason


class SplitRequest(BaseModel):
    records: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        min_length=1, max_length=1000, description="Entity ids to take out into a subject"
    )
    reason: Reason


class UndoRequest(BaseModel):
    event_id: int = Field(ge=1, le=2**62)
    reason: Reason


@router.get(
    "/resolution/{record_or_subject}",
    summary="The subject a record belongs to (or a subject): stable id, records, history",
)
def resolution(record_or_subject: SubjectId, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    found = resolve_service.subject_resolution(svc, actor, record_or_subject)
    return dataclasses.asdict(found)


@router.post(
    "/resolution/{record_or_subject}/merge",
    summary="Join two subjects: a 'same' judgement, with the reason",
)
def merge(
    record_or_subject: SubjectId, body: MergeRequest, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    mine = resolve_service.subject_resolution(svc, actor, record_or_subject)
    theirs = resolve_service.subject_resolution(svc, actor, body.other)
    if mine.subject_id == theirs.subject_id:
        raise ValueError(f"other: {body.other} is already in subject {mine.subject_id}")
    result = resolve_service.merge(svc, actor, mine.subject_id, theirs.subject_id, body.reason)
    return dataclasses.asdict(result)


@router.post(
    "/resolution/{record_or_subject}/split",
    summary="Take records out of a subject into one of their own, with the reason",
)
def split(
    record_or_subject: SubjectId, body: SplitRequest, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    mine = resolve_service.subject_resolution(svc, actor, record_or_subject)
    result = resolve_service.split(svc, actor, mine.subject_id, body.records, body.reason)
    return dataclasses.asdict(result)


@router.post("/resolution/undo", summary="Undo a merge, split or decision: the ids come back")
def undo(body: UndoRequest, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return dataclasses.asdict(resolve_service.undo(svc, actor, body.event_id, body.reason))
