"""The audit viewer: newest entries, one entry with its proof checked in the browser."""

from __future__ import annotations

import json
from typing import Annotated

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from writ.service import audit as audit_service
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = 50


@router.get("/audit")
def audit_log(
    request: Request,
    session: PageSession,
    svc: Svc,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    rows = audit_service.entries(svc, session.actor, limit=PAGE, before=before)
    older = rows[-1]["seq"] if len(rows) == PAGE and rows[-1]["seq"] > 1 else None
    return render(
        request, "audit.html", session, title="Audit log", rows=rows, older=older, before=before
    )


@router.post("/audit/verify")
def verify_ledger(request: Request, session: FormSession, svc: Svc) -> Response:
    result = audit_service.verify(svc, session.actor)
    rows = audit_service.entries(svc, session.actor, limit=PAGE)
    older = rows[-1]["seq"] if len(rows) == PAGE and rows[-1]["seq"] > 1 else None
    return render(
        request,
        "audit.html",
        session,
        title="Audit log",
        rows=rows,
        older=older,
        before=None,
        verification=result,
    )


@router.get("/audit/{seq}")
def audit_entry(
    request: Request,
    session: PageSession,
    svc: Svc,
    seq: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    proof = audit_service.prove(svc, session.actor, seq)
    raw_key = svc.ledger.public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    document = proof.to_json()
    document["public_key"] = raw_key.hex()
    entry = dict(proof.entry)
    return render(
        request,
        "audit_entry.html",
        session,
        title=f"Audit entry {seq}",
        proof=proof,
        entry=entry,
        details=json.loads(entry["details"]),
        server_ok=proof.verifies(),
        proof_document=document,
    )
