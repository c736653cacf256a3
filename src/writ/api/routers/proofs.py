"""Consistency proofs: that the audit ledger only grew since a checkpoint kept elsewhere.

Keep the tree head ``POST /audit/checkpoint`` returns outside the database; later, send it back
here. The answer holds the latest signed tree head, the RFC 9162 consistency proof between the
two sizes, and whether the server checked it (``ok``); ``problem`` says what failed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from writ.api.deps import CurrentActor, Svc
from writ.api.fields import LINE
from writ.api.routers.audit import TreeHead
from writ.audit import keys
from writ.service import audit as audit_service

router = APIRouter(tags=["audit"])
Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Checkpoint(BaseModel):
    """A signed tree head, as ``POST /audit/checkpoint`` returned it."""

    tree_size: int = Field(ge=0, le=2**62)
    root_hash: Hex64
    timestamp: str = Field(min_length=1, max_length=64, pattern=LINE)
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")
    key_fingerprint: Hex64


class ConsistencyOut(BaseModel):
    old: TreeHead
    new: TreeHead
    proof: list[str]
    ok: bool
    problem: str


def _head(head: keys.TreeHead) -> TreeHead:
    return TreeHead(
        tree_size=head.tree_size,
        root_hash=head.root_hash.hex(),
        timestamp=head.timestamp,
        signature=head.signature.hex(),
        key_fingerprint=head.key_fingerprint,
    )


@router.post(
    "/audit/consistency",
    response_model=ConsistencyOut,
    summary="Prove the ledger only grew since a saved checkpoint",
)
def consistency(body: Checkpoint, svc: Svc, actor: CurrentActor) -> ConsistencyOut:
    try:
        old = keys.TreeHead(
            tree_size=body.tree_size,
            root_hash=bytes.fromhex(body.root_hash),
            timestamp=body.timestamp,
            signature=bytes.fromhex(body.signature),
            key_fingerprint=body.key_fingerprint,
        )
    except ValueError as exc:
        # Every other field's form is checked by the model; what is left is the timestamp.
        exc.field = "timestamp"  # type: ignore[attr-defined]
        raise
    result = audit_service.consistency(svc, actor, old)
    return ConsistencyOut(
        old=_head(result.old),
        new=_head(result.new),
        proof=[p.hex() for p in result.proof],
        ok=result.ok,
        problem=result.problem,
    )
