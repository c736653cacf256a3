"""Immigration cases: the case file, gated actions with every rule that fired, overrides,
custody, and the public detainee locator (no sign-in)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field
from starlette.responses import Response

from writ.api import problems
from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.lifecycle import service as lc

router = APIRouter(tags=["lifecycle"])
public = APIRouter(tags=["locator"])
CaseId = Annotated[str, Path(min_length=1, max_length=64)]


class Finding(BaseModel):
    rule: str
    title: str
    severity: str
    citation: str
    explanation: str
    override_by: list[str]
    overridden_by: str | None
    override_reason: str | None


class GateResult(BaseModel):
    """What a gated action did: ``blocked`` with every rule that fired, or done."""

    case_id: str
    action: str
    blocked: bool
    state: str
    attempt_id: int
    findings: list[Finding]


class ActionRequest(BaseModel):
    action: str = Field(min_length=1, max_length=64)
    destination_country: str | None = Field(default=None, max_length=64)


class RemovalRequest(BaseModel):
    destination_country: str = Field(min_length=1, max_length=64)
    scheduled_for: datetime
    itinerary: list[dict[str, str]] = Field(default_factory=list, max_length=20)
    escort: list[str] = Field(default_factory=list, max_length=20)


class OverrideRequest(BaseModel):
    attempt_id: int = Field(ge=1, le=2**62)
    rule: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=4000)


class CustodyRequest(BaseModel):
    facility_id: str = Field(min_length=1, max_length=64)


class ReleaseRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class LocatorEntry(BaseModel):
    status: str
    facility: str
    address: str
    phone: str
    visiting: str


class LocatorAnswer(BaseModel):
    rate_limited: bool
    entries: list[LocatorEntry]


def _gate(result: lc.ActionResult) -> GateResult:
    return GateResult(
        case_id=result.case_id,
        action=result.action,
        blocked=result.blocked,
        state=result.state,
        attempt_id=result.attempt_id,
        findings=[Finding(**f.as_dict()) for f in result.evaluation.findings],
    )


def _plain(value: Any) -> dict[str, Any]:
    """A service dataclass as JSON-ready data."""
    return dataclasses.asdict(value)


@router.get("/immigration-cases", summary="Immigration cases of your unit")
def list_cases(
    svc: Svc,
    actor: CurrentActor,
    paging: PageParams,
    state: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[dict[str, Any]]:
    return paging.slice([_plain(c) for c in lc.list_cases(svc, actor, state=state)])


class NewImmigrationCase(BaseModel):
    name: str = Field(
        min_length=1, max_length=256, pattern=r"\S", description="The person's full name."
    )
    birth_date: date | None = None
    country_of_birth: str | None = Field(
        default=None, pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. MX."
    )
    a_number: str | None = Field(
        default=None,
        pattern=r"^A?-?[0-9]{2,3}-?[0-9]{3}-?[0-9]{3}$",
        description="A and 8 or 9 digits, e.g. A-200-300-400.",
    )


# OpenAPI links from a new case to what one does with it next, so that clients (and
# schemathesis's multi-step tests) can follow a case from opening to custody and removal.
_CASE_STEPS = {
    "GetCase": "get_case",
    "FileDocument": "file_document",
    "RequestAction": "request_action",
    "ScheduleRemoval": "plan_removal",
    "OverrideGate": "override_gate",
    "BookIntoCustody": "book",
    "TransferCustody": "transfer",
    "SetPhoto": "set_photo",
    "GetPhoto": "get_photo",
}
CASE_LINKS = {
    name: {"operationId": f"lifecycle_{op}", "parameters": {"case_id": "$response.body#/id"}}
    for name, op in _CASE_STEPS.items()
}


@router.post(
    "/immigration-cases",
    status_code=201,
    summary="Open an immigration case in your unit (state: encounter)",
    responses={201: {"description": "The case opened", "links": CASE_LINKS}},
)
def open_case(body: NewImmigrationCase, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    case = lc.open_case(
        svc,
        actor,
        subject_name=body.name,
        birth_date=body.birth_date,
        country_of_birth=body.country_of_birth,
        a_number_value=body.a_number,
    )
    return _plain(case)


@router.post(
    "/immigration-cases/{case_id}/documents",
    operation_id="lifecycle_file_document",
    status_code=201,
    summary="File a legal document: kind, issued_at, issuer, signer, signer_role and the "
    "fields of its kind (see docs/lifecycle.md); writ gives it its id",
)
def file_document(
    case_id: CaseId, body: dict[str, Any], svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    if "id" in body:
        raise ValueError("id: writ gives each document its id; leave it out")
    return _plain(lc.add_document(svc, actor, case_id, body))


@router.get(
    "/immigration-cases/{case_id}",
    operation_id="lifecycle_get_case",
    summary="The case file: alerts first",
)
def get_case(case_id: CaseId, svc: Svc, actor: CurrentActor) -> dict[str, Any]:
    return _plain(lc.get_case(svc, actor, case_id))


@router.post(
    "/immigration-cases/{case_id}/actions",
    operation_id="lifecycle_request_action",
    response_model=GateResult,
    summary="Request a gated action; a block is a result with every rule that fired",
)
def request_action(
    case_id: CaseId, body: ActionRequest, svc: Svc, actor: CurrentActor
) -> GateResult:
    return _gate(
        lc.request_action(
            svc, actor, case_id, body.action, destination_country=body.destination_country
        )
    )


@router.post(
    "/immigration-cases/{case_id}/removal",
    response_model=GateResult,
    operation_id="lifecycle_plan_removal",
)
def plan_removal(
    case_id: CaseId, body: RemovalRequest, svc: Svc, actor: CurrentActor
) -> GateResult:
    when = body.scheduled_for
    plan = lc.RemovalPlan(
        destination_country=body.destination_country,
        scheduled_for=when if when.tzinfo else when.replace(tzinfo=UTC),
        itinerary=body.itinerary,
        escort=body.escort,
    )
    return _gate(lc.plan_removal(svc, actor, case_id, plan))


@router.post("/immigration-cases/{case_id}/removal/execute", response_model=GateResult)
def execute_removal(case_id: CaseId, svc: Svc, actor: CurrentActor) -> GateResult:
    return _gate(lc.execute_removal(svc, actor, case_id))


@router.post(
    "/immigration-cases/{case_id}/overrides",
    operation_id="lifecycle_override_gate",
    summary="Override a soft gate (a second person, with the role the rule names)",
)
def override_gate(
    case_id: CaseId, body: OverrideRequest, svc: Svc, actor: CurrentActor
) -> dict[str, Any]:
    view = lc.override_gate(svc, actor, case_id, body.attempt_id, body.rule, body.reason)
    return _plain(view)


@router.post(
    "/immigration-cases/{case_id}/custody/book",
    response_model=GateResult,
    operation_id="lifecycle_book",
)
def book(case_id: CaseId, body: CustodyRequest, svc: Svc, actor: CurrentActor) -> GateResult:
    return _gate(lc.book_into_custody(svc, actor, case_id, body.facility_id))


@router.post(
    "/immigration-cases/{case_id}/custody/transfer",
    response_model=GateResult,
    operation_id="lifecycle_transfer",
)
def transfer(case_id: CaseId, body: CustodyRequest, svc: Svc, actor: CurrentActor) -> GateResult:
    return _gate(lc.transfer_custody(svc, actor, case_id, body.facility_id))


@router.post("/immigration-cases/{case_id}/custody/release", response_model=GateResult)
def release(case_id: CaseId, body: ReleaseRequest, svc: Svc, actor: CurrentActor) -> GateResult:
    return _gate(lc.release_from_custody(svc, actor, case_id, body.reason))


class PhotoOut(BaseModel):
    """A photo of record's record; the image itself is ``GET .../photo``."""

    id: str
    case_id: str
    sha256: str
    size: int
    media_type: str
    source: str
    legal_basis: str
    taken_at: datetime | None
    recorded_by: str
    recorded_at: datetime
    alt: str


def _photo_files(request: Request) -> Any:
    return lc.photo_files(request.app.state.photo_root)


def _photo_out(photo: lc.PhotoOfRecord) -> PhotoOut:
    return PhotoOut(
        alt=photo.alt, **{k: v for k, v in _plain(photo).items() if k in PhotoOut.model_fields}
    )


@router.put(
    "/immigration-cases/{case_id}/photo",
    response_model=PhotoOut,
    operation_id="lifecycle_set_photo",
    summary="Set the photo of record (a JPEG, PNG or WebP the agency holds), with its source "
    "and legal basis; the previous photo is superseded, never deleted",
)
async def set_photo(
    request: Request,
    case_id: CaseId,
    svc: Svc,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="The image: JPEG, PNG or WebP, at most 5 MB.")],
    source: Annotated[str, Form(min_length=1, max_length=500)],
    legal_basis: Annotated[str, Form(min_length=1, max_length=500)],
    taken_at: Annotated[datetime | None, Form()] = None,
) -> PhotoOut:
    content = await file.read(lc.PHOTO_MAX_BYTES + 1)
    photo = lc.set_photo(
        svc,
        actor,
        case_id,
        content,
        source=source,
        legal_basis=legal_basis,
        taken_at=taken_at,
        files=_photo_files(request),
    )
    return _photo_out(photo)


@router.get(
    "/immigration-cases/{case_id}/photo",
    response_class=Response,
    operation_id="lifecycle_get_photo",
    responses={
        200: {
            "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
            "description": "The photo of record; this read is audited",
        },
        409: {"model": problems.Problem, "description": "The content failed its hash check"},
    },
    summary="The photo of record (every read is audited)",
)
def get_photo(request: Request, case_id: CaseId, svc: Svc, actor: CurrentActor) -> Response:
    try:
        photo, content = lc.photo_of_record(svc, actor, case_id, _photo_files(request))
    except lc.PhotoIntegrityError as exc:
        return problems.problem(
            request, 409, "photo-integrity", "Photo failed its hash check", str(exc), field="sha256"
        )
    return Response(
        content,
        media_type=photo.media_type,
        headers={"Cache-Control": "no-store", "X-Content-SHA256": photo.sha256},
    )


@router.get("/gate-rules", summary="The gate rules in force, with their citations")
def gate_rules(actor: CurrentActor) -> list[dict[str, Any]]:
    return [_plain(r) for r in lc.list_rules()]


@public.get(
    "/locator",
    response_model=LocatorAnswer,
    summary="Public detainee locator (no sign-in): facility and contact only",
)
def locate(
    request: Request,
    svc: Svc,
    country_of_birth: Annotated[str, Query(min_length=1, max_length=64)],
    a_number: Annotated[str | None, Query(max_length=32)] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
    birth_date: Annotated[date | None, Query()] = None,
) -> LocatorAnswer:
    answer = lc.locate_detainee(
        svc,
        request.client.host if request.client else "unknown",
        country_of_birth=country_of_birth,
        a_number_value=a_number,
        name=name,
        birth_date=birth_date,
    )
    return LocatorAnswer(
        rate_limited=answer.rate_limited,
        entries=[LocatorEntry(**dataclasses.asdict(e)) for e in answer.entries],
    )
