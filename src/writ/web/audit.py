"""The audit log for oversight: entries filtered by actor, action, object, outcome and time,
full text over what was searched and why, exported as CSV or JSON Lines (the export audited),
and one entry with its proof checked in the browser."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response, StreamingResponse

from writ.service import audit as audit_service
from writ.service.auth import SignedIn
from writ.web.forms import FieldErrors, parse_date
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = 50


FILTERS = ("actor", "action", "object_type", "object_id", "outcome", "since", "until", "text")


def _when(name: str, raw: str, *, end: bool = False) -> str:
    """A typed time as the ledger writes it (UTC): a date (the whole day, for ``until``), or a
    date and time to the minute."""
    text = raw.strip().replace("T", " ")
    if not text:
        return ""
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).strftime("%Y-%m-%dT%H:%M:%S")
        except ValueError:
            continue
    day = parse_date(name, text)
    assert day is not None
    if end:
        return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    return day


def _filter(values: dict[str, str]) -> audit_service.AuditFilter:
    outcome = values.get("outcome", "").strip()
    if outcome and outcome not in audit_service.OUTCOMES:
        raise FieldErrors(outcome=f'"{outcome}" is not an outcome the log records.')
    since = _when("since", values.get("since", ""))
    until = _when("until", values.get("until", ""), end=True)
    if since and until and until <= since:
        raise FieldErrors(until="Must be after the start of the period.")
    return audit_service.AuditFilter(
        actor=values.get("actor", "").strip(),
        action=values.get("action", "").strip(),
        object_type=values.get("object_type", "").strip(),
        object_id=values.get("object_id", "").strip(),
        outcome=outcome,
        since=since,
        until=until,
        text=values.get("text", "").strip(),
    )


def _filter_values(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "")[:200] for k in FILTERS}


def _log_page(
    request: Request,
    session: SignedIn,
    svc: Svc,
    before: int | None,
    verification: Any = None,
) -> Response:
    values = _filter_values(request)
    where = _filter(values)
    found = audit_service.search(svc, session.actor, where, limit=PAGE, before=before)
    chosen = {k: v for k, v in values.items() if v}
    return render(
        request,
        "audit.html",
        session,
        title="Audit log",
        found=found,
        rows=found.rows,
        older=found.older,
        before=before,
        filtered=bool(chosen),
        query=urlencode(chosen),
        outcomes=[(o, o) for o in audit_service.OUTCOMES],
        verification=verification,
    )


@router.get("/audit")
def audit_log(
    request: Request,
    session: PageSession,
    svc: Svc,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    return _log_page(request, session, svc, before)


@router.get("/audit/export.{fmt}")
def export_log(
    request: Request,
    session: PageSession,
    svc: Svc,
    fmt: Annotated[str, Path(pattern="^(csv|jsonl)$")],
) -> Response:
    """Every entry the filters match, as CSV or JSON Lines (the export is audited)."""
    where = _filter(_filter_values(request))
    lines = audit_service.export(svc, session.actor, where, fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        lines,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="writ-audit-{stamp}.{fmt}"'},
    )


@router.post("/audit/verify")
def verify_ledger(request: Request, session: FormSession, svc: Svc) -> Response:
    result = audit_service.verify(svc, session.actor)
    return _log_page(request, session, svc, None, verification=result)


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
