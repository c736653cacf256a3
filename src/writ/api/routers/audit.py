"""The audit ledger: entries, verification, inclusion proofs and checkpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.api.fields import LINE
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


TIMESTAMP = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?$"


class AuditQuery:
    """The filters of the audit log, as query parameters (all optional, all combined)."""

    def __init__(
        self,
        actor: Annotated[str, Query(max_length=128, pattern=LINE, description="User name.")] = "",
        action: Annotated[
            str,
            Query(max_length=64, pattern=LINE, description="Exact, or `kind.` for a prefix."),
        ] = "",
        object_type: Annotated[str, Query(max_length=32, pattern=LINE)] = "",
        object_id: Annotated[str, Query(max_length=256, pattern=LINE)] = "",
        outcome: Annotated[
            Literal["", "ok", "denied", "refused", "blocked", "failed", "alert", "not-found"],
            Query(),
        ] = "",
        since: Annotated[
            str,
            Query(pattern=TIMESTAMP, description="UTC, inclusive: 2025-06-30 or 2025-06-30T14:00."),
        ] = "",
        until: Annotated[str, Query(pattern=TIMESTAMP, description="UTC, exclusive.")] = "",
        text: Annotated[
            str,
            Query(max_length=200, pattern=LINE, description="Words in the details or object id."),
        ] = "",
    ) -> None:
        self.where = audit_service.AuditFilter(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            since=since,
            until=until,
            text=text,
        )


Filters = Annotated[AuditQuery, Depends()]


@router.get(
    "/audit/entries",
    response_model=Page[AuditEntry],
    summary="Entries matching the filters, newest first, with the total",
)
def list_entries(
    svc: Svc, actor: CurrentActor, paging: PageParams, filters: Filters
) -> Page[AuditEntry]:
    before = int(paging.cursor) if paging.cursor else None
    found = audit_service.search(svc, actor, filters.where, limit=paging.limit, before=before)
    return Page[AuditEntry](
        items=[AuditEntry(**row) for row in found.rows],
        limit=paging.limit,
        next=str(found.older) if found.older is not None else None,
        total=found.total,
    )


@router.get(
    "/audit/export",
    summary="Every entry matching the filters, oldest first, as CSV or JSON Lines (audited)",
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}},
)
def export_entries(
    svc: Svc,
    actor: CurrentActor,
    filters: Filters,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "jsonl",
) -> StreamingResponse:
    lines = audit_service.export(svc, actor, filters.where, format)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson; charset=utf-8"
    return StreamingResponse(lines, media_type=media)


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
