"""Subjects: every value with the sources it came from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from writ.api.deps import CurrentActor, Svc
from writ.service.subjects import get_entity

router = APIRouter(tags=["subjects"])


class SourceRef(BaseModel):
    source: str
    record_id: str
    original_value: str | None
    first_seen: str
    last_seen: str
    validation_error: str | None


class ValueOut(BaseModel):
    value: str
    sources: list[SourceRef]


class SubjectOut(BaseModel):
    id: str
    schema_name: str
    caption: str
    entity_ids: list[str]
    properties: dict[str, list[ValueOut]]


@router.get("/subjects/{entity_id}", response_model=SubjectOut, summary="One subject")
def get_subject(
    entity_id: Annotated[str, Path(min_length=1, max_length=128)],
    svc: Svc,
    actor: CurrentActor,
) -> SubjectOut:
    subject = get_entity(svc, actor, entity_id)
    return SubjectOut(
        id=subject.id,
        schema_name=subject.schema,
        caption=subject.caption,
        entity_ids=subject.entity_ids,
        properties={
            prop: [
                ValueOut(
                    value=v.value,
                    sources=[SourceRef(**s.__dict__) for s in v.sources],
                )
                for v in values
            ]
            for prop, values in subject.properties.items()
        },
    )
