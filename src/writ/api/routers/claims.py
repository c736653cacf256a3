"""On an immigration case: revoking a document, the citizenship-claim procedure (record,
investigate, sign off) and declared family links. Filing a document is in ``lifecycle``."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Svc
from writ.lifecycle import service as lc

router = APIRouter(tags=["lifecycle"])
CaseId = Annotated[str, Path(min_length=1, max_length=64)]
DocumentId = Annotated[str, Path(min_length=1, max_length=64)]


class Revocation(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class NewClaim(BaseModel):
    basis: str = Field(min_length=1, max_length=4000, description="What the person said or showed")
    claimed_at: datetime | None = None


class SignOff(BaseModel):
    outcome: Literal["citizen", "not_citizen"]


class NewFamilyLink(BaseModel):
    relation: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    minor: bool = False
    linked_case_id: str | None = Field(default=None, min_length=1, max_length=64)
    whereabouts: str | None = Field(default=None, max_length=500)


@router.post(
    "/immigration-cases/{case_id}/documents/{document_id}/revoke",
    summary="Record that a document stopped having effect now, with the reason",
)
def revoke_document(
    case_id: CaseId, document_id: DocumentId, body: Revocation, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    view = lc.revoke_document(svc, actor, case_id, document_id, body.reason)
    return dataclasses.asdict(view)


@router.post(
    "/immigration-cases/{case_id}/claims",
    status_code=201,
    summary="Record a claim to US citizenship: every enforcement action stops (hard gate)",
)
def record_claim(case_id: CaseId, body: NewClaim, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    claim = lc.record_citizenship_claim(
        svc, actor, case_id, basis=body.basis, claimed_at=body.claimed_at
    )
    return dataclasses.asdict(claim)


@router.post(
    "/immigration-cases/{case_id}/claims/{claim_id}/investigate",
    summary="Open the investigation of a claim",
)
def investigate(
    case_id: CaseId, claim_id: DocumentId, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    return dataclasses.asdict(lc.investigate_claim(svc, actor, case_id, claim_id))


@router.post(
    "/immigration-cases/{case_id}/claims/{claim_id}/sign-off",
    summary="Sign off a claim's outcome: legal first, then a second, different person",
)
def sign_off(
    case_id: CaseId, claim_id: DocumentId, body: SignOff, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    return dataclasses.asdict(lc.sign_off_claim(svc, actor, case_id, claim_id, body.outcome))


@router.post(
    "/immigration-cases/{case_id}/family-links",
    status_code=201,
    summary="Declare a family member on the case; the link stays whatever custody does",
)
def add_family_link(
    case_id: CaseId, body: NewFamilyLink, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    link = lc.add_family_link(
        svc,
        actor,
        case_id,
        relation=body.relation,
        name=body.name,
        minor=body.minor,
        linked_case_id=body.linked_case_id,
        whereabouts=body.whereabouts,
    )
    return dataclasses.asdict(link)
