"""Evidence: upload to a case, metadata, the chain of custody, download after a fresh hash check,
custody hand-overs, verification and disposal.

A download whose content no longer matches its recorded SHA-256 is refused with a
``evidence-integrity`` problem (409); the failed check is on the item's chain and the case owner
and custodian are alerted before the refusal is sent.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from writ.api import problems
from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.api.fields import LINE, REASON, TEXT
from writ.cases import service as case_service

router = APIRouter(tags=["evidence"])
CaseId = Annotated[str, Path(min_length=1, max_length=64, pattern=LINE)]
EvidenceId = Annotated[str, Path(min_length=1, max_length=64, pattern=LINE)]
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
# OpenAPI links from an uploaded item to what one does with it next (clients, and
# schemathesis's multi-step runs, follow them with the new item's id).
ITEM_LINKS = {
    name: {"operationId": f"evidence_{op}", "parameters": {"evidence_id": "$response.body#/id"}}
    for name, op in {
        "ShowEvidence": "show",
        "EvidenceChain": "chain",
        "DownloadEvidence": "download",
        "ChangeCustody": "change_custody",
        "VerifyEvidence": "verify",
        "DisposeEvidence": "dispose",
    }.items()
}
LINE_BREAKER = r"[\x00-\x1f\x7f]"


class EvidenceOut(BaseModel):
    id: str
    case_id: str
    sha256: str
    size: int
    filename: str
    description: str
    status: str
    custodian: str
    retain_until: str
    collected_at: str
    disposed_at: str | None
    disposal_reason: str | None


class CustodyEventOut(BaseModel):
    id: int
    event: str
    actor: str
    from_party: str | None
    to_party: str | None
    at: str
    sha256_observed: str | None
    note: str


class EvidenceWithChain(BaseModel):
    item: EvidenceOut
    chain: list[CustodyEventOut]


class CustodyChange(BaseModel):
    """A hand-over: ``transferred`` and ``checked_out`` name who receives the item."""

    event: Literal["received", "transferred", "checked_out", "checked_in"]
    to_party: str | None = Field(default=None, min_length=1, max_length=128, pattern=LINE)
    note: str = Field(default="", max_length=2000, pattern=TEXT)


class Disposal(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, pattern=REASON)


class Verified(BaseModel):
    evidence_id: str
    sha256: str


def files(request: Request) -> case_service.FileEvidenceStore:
    return case_service.FileEvidenceStore(request.app.state.evidence_root)


def _out(item: case_service.Evidence) -> EvidenceOut:
    return EvidenceOut(**dataclasses.asdict(item))


def _integrity(request: Request, exc: case_service.EvidenceIntegrityError) -> JSONResponse:
    return problems.problem(
        request,
        409,
        "evidence-integrity",
        "Evidence failed its hash check",
        str(exc),
        field="sha256",
        evidence_id=exc.evidence_id,
        expected=exc.expected,
        observed=exc.observed,
    )


def _invalid(request: Request, field: str, detail: str, status: int = 422) -> JSONResponse:
    kind = "invalid-value" if status == 422 else "too-large"
    title = "A value is not valid" if status == 422 else "Upload too large"
    return problems.problem(request, status, kind, title, detail, field=field)


@router.post(
    "/cases/{case_id}/evidence",
    status_code=201,
    response_model=EvidenceOut,
    responses={
        201: {"description": "The item, with its SHA-256", "links": ITEM_LINKS},
        413: {"model": problems.Problem, "description": "The file is too large"},
    },
    summary="Upload an evidence file; its SHA-256 opens the chain of custody",
)
async def upload(
    request: Request,
    case_id: CaseId,
    svc: Svc,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="The evidence file.")],
    description: Annotated[str, Form(min_length=1, max_length=2000, pattern=REASON)],
    retain_until: Annotated[date, Form(description="Keep at least until (YYYY-MM-DD).")],
) -> Response | EvidenceOut:
    filename = (file.filename or "").strip()
    if not filename or len(filename) > 255 or re.search(LINE_BREAKER, filename):
        return _invalid(
            request, "file", "the upload needs a file name of 1 to 255 characters, no control ones"
        )
    chunks: list[bytes] = []
    size = 0
    while chunk := await file.read(_CHUNK):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            return _invalid(
                request, "file", f"{filename}: larger than {MAX_UPLOAD_BYTES} bytes", 413
            )
        chunks.append(chunk)
    item = case_service.add_evidence(
        svc,
        actor,
        case_id,
        b"".join(chunks),
        filename=filename,
        description=description,
        retain_until=retain_until.isoformat(),
        files=files(request),
    )
    return _out(item)


@router.get(
    "/evidence/{evidence_id}",
    operation_id="evidence_show",
    response_model=EvidenceWithChain,
    summary="An evidence item's metadata and its chain of custody",
)
def show(evidence_id: EvidenceId, svc: Svc, actor: CurrentActor) -> EvidenceWithChain:
    item, chain = case_service.custody_chain(svc, actor, evidence_id)
    return EvidenceWithChain(
        item=_out(item), chain=[CustodyEventOut(**dataclasses.asdict(e)) for e in chain]
    )


@router.get(
    "/evidence/{evidence_id}/custody",
    operation_id="evidence_chain",
    response_model=Page[CustodyEventOut],
    summary="The chain of custody, oldest event first",
)
def chain(
    evidence_id: EvidenceId, svc: Svc, actor: CurrentActor, paging: PageParams
) -> Page[CustodyEventOut]:
    _, events = case_service.custody_chain(svc, actor, evidence_id)
    return paging.slice([CustodyEventOut(**dataclasses.asdict(e)) for e in events])


@router.get(
    "/evidence/{evidence_id}/content",
    operation_id="evidence_download",
    response_class=Response,
    responses={
        200: {
            "content": {"application/octet-stream": {}},
            "description": "The content, whose SHA-256 was checked on this read",
        },
        409: {"model": problems.Problem, "description": "The content failed its hash check"},
    },
    summary="Download the content after re-checking its SHA-256",
)
def download(request: Request, evidence_id: EvidenceId, svc: Svc, actor: CurrentActor) -> Response:
    try:
        item, content = case_service.retrieve_evidence(svc, actor, evidence_id, files(request))
    except case_service.EvidenceIntegrityError as exc:
        return _integrity(request, exc)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in item.filename) or "evidence"
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "X-Content-SHA256": item.sha256,
        },
    )


@router.post(
    "/evidence/{evidence_id}/custody",
    operation_id="evidence_change_custody",
    response_model=EvidenceOut,
    summary="Record a hand-over: received, transferred, checked out or checked in",
)
def change_custody(
    evidence_id: EvidenceId, body: CustodyChange, svc: Svc, actor: CurrentActor
) -> EvidenceOut:
    if body.event in ("transferred", "checked_out") and not body.to_party:
        error = ValueError(f"evidence {evidence_id}: {body.event} needs to_party")
        error.field = "to_party"  # type: ignore[attr-defined]
        raise error
    item = case_service.record_custody(
        svc, actor, evidence_id, body.event, to_party=body.to_party, note=body.note
    )
    return _out(item)


@router.post(
    "/evidence/{evidence_id}/verify",
    operation_id="evidence_verify",
    response_model=Verified,
    responses={409: {"model": problems.Problem, "description": "The content failed its check"}},
    summary="Re-hash the content and put 'verified' on the chain",
)
def verify(
    request: Request, evidence_id: EvidenceId, svc: Svc, actor: CurrentActor
) -> Response | Verified:
    try:
        digest = case_service.verify_evidence(svc, actor, evidence_id, files(request))
    except case_service.EvidenceIntegrityError as exc:
        return _integrity(request, exc)
    return Verified(evidence_id=evidence_id, sha256=digest)


@router.post(
    "/evidence/{evidence_id}/disposal",
    operation_id="evidence_dispose",
    response_model=EvidenceOut,
    summary="Dispose of an item after its retention date, with a reason (nothing is deleted)",
)
def dispose(evidence_id: EvidenceId, body: Disposal, svc: Svc, actor: CurrentActor) -> EvidenceOut:
    return _out(case_service.dispose_evidence(svc, actor, evidence_id, body.reason))
