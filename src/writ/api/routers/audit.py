"""The audit ledger: entries, verification, inclusion proofs and checkpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.service import audit as audit_service

router = APIRouter(tags=["audit"])


class AuditEntry(BaseModel):
    seq: int
    ts: str
    actor: str
    roles: str
    unit: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    origin: str
    outcome: str
    policy: str
    details: dict[str, Any]
    leaf_hash: str


class Verification(BaseModel):
    ok: bool
    entries: int
    heads: int
    problem: str
    first_bad_entry: int | None


class TreeHead(BaseModel):
    tree_size: int
    root_hash: str
    timestamp: str
    signature: str
    key_fingerprint: str


class InclusionProof(BaseModel):
    seq: int
    leaf_index: int
    leaf_hash: str
    entry: dict[str, Any]
    tree_head: dict[str, Any]
    proof: list[str]
    verified_by_server: bool


@router.get("/audit/entries", response_model=Page[AuditEntry], summary="Newest entries first")
def list_entries(svc: Svc, actor: CurrentActor, paging: PageParams) -> Page[AuditEntry]:
    before = int(paging.cursor) if paging.cursor else None
    rows = audit_service.entries(svc, actor, limit=paging.limit, before=before)
    last = rows[-1]["seq"] if rows else None
    more = len(rows) == paging.limit and last is not None and last > 1
    return Page[AuditEntry](
        items=[AuditEntry(**row) for row in rows],
        limit=paging.limit,
        next=str(last) if more else None,
    )


@router.get(
    "/audit/entries/{seq}/proof",
    response_model=InclusionProof,
    summary="Inclusion proof of one entry against the latest signed tree head",
)
def prove(
    seq: Annotated[int, Path(ge=1, le=2**62)], svc: Svc, actor: CurrentActor
) -> InclusionProof:
    proof = audit_service.prove(svc, actor, seq)
    return InclusionProof(**proof.to_json(), verified_by_server=proof.verifies())


@router.post("/audit/verify", response_model=Verification, summary="Verify the whole ledger")
def verify(svc: Svc, actor: CurrentActor) -> Verification:
    result = audit_service.verify(svc, actor)
    return Verification(
        ok=result.ok,
        entries=result.entries,
        heads=result.heads,
        problem=result.problem,
        first_bad_entry=result.first_bad_entry,
    )


@router.post(
    "/audit/checkpoint", response_model=TreeHead, summary="Sign a tree head to keep elsewhere"
)
def checkpoint(svc: Svc, actor: CurrentActor) -> TreeHead:
    head = audit_service.checkpoint(svc, actor)
    return TreeHead(
        tree_size=head.tree_size,
        root_hash=head.root_hash.hex(),
        timestamp=head.timestamp,
        signature=head.signature.hex(),
        key_fingerprint=head.key_fingerprint,
    )
