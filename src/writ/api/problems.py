"""RFC 9457 problem details: every API error names what went wrong, and the field or the rule.

The ``type`` of each problem is a relative URI under ``/api/v1/problems/``; the extra members
(``policy``, ``grant``, ``field``, ``errors``) say which rule decided and what to do about it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from writ.service import AccessDenied, NotFound, StepUpRequired
from writ.service.auth import CsrfRejected, SessionEnded, SignInRefused

MEDIA_TYPE = "application/problem+json"
BASE = "/api/v1/problems/"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    field: str | None = None
    errors: list[FieldError] | None = None
    policy: str | None = None
    grant: str | None = None


def problem(
    request: Request,
    status: int,
    kind: str,
    title: str,
    detail: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def access_denied(request: Request, exc: AccessDenied) -> JSONResponse:
    return problem(
        request,
        403,
        "access-denied",
        "Access denied",
        str(exc),
        policy=exc.decision.policy,
        grant=exc.decision.grant or None,
        action=exc.action,
        resource=f"{exc.resource.kind}:{exc.resource.id}",
    )


def step_up_required(request: Request, exc: StepUpRequired) -> JSONResponse:
    """RFC 9470: the session's sign-in is too weak for this action; ``acr_values`` says what."""
    return problem(
        request,
        401,
        "step-up-required",
        "Stronger sign-in required",
        str(exc),
        headers={
            "WWW-Authenticate": 'Bearer realm="writ", error="insufficient_user_authentication", '
            f'acr_values="{exc.required_acr}"'
        },
        policy=exc.decision.policy,
        grant=exc.decision.grant or None,
        acr_values=exc.required_acr,
        action=exc.action,
        resource=f"{exc.resource.kind}:{exc.resource.id}",
    )


def not_found(request: Request, exc: LookupError) -> JSONResponse:
    return problem(request, 404, "not-found", "Not found", str(exc).strip("'\""))


def invalid_value(request: Request, exc: ValueError) -> JSONResponse:
    field = getattr(exc, "field", None)
    return problem(request, 422, "invalid-value", "A value is not valid", str(exc), field=field)


def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
            "message": error.get("msg", ""),
        }
        for error in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        request,
        422,
        "invalid-request",
        "The request is not valid",
        detail,
        field=errors[0]["field"] if errors else None,
        errors=errors,
    )


def unauthenticated(request: Request, detail: str, reason: str = "") -> JSONResponse:
    return problem(
        request,
        401,
        "unauthenticated",
        "Sign-in required",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="writ"'},
        reason=reason or None,
    )


def sign_in_refused(request: Request, exc: SignInRefused) -> JSONResponse:
    until = exc.locked_until.isoformat() if exc.locked_until else None
    return problem(
        request,
        401,
        "sign-in-refused",
        "Sign-in refused",
        str(exc),
        headers={"WWW-Authenticate": 'Bearer realm="writ"'},
        locked_until=until,
    )


def session_ended(request: Request, exc: SessionEnded) -> JSONResponse:
    return unauthenticated(request, str(exc), exc.reason)


def csrf_rejected(request: Request, exc: CsrfRejected) -> JSONResponse:
    return problem(request, 403, "csrf", "Form token missing", str(exc), field="X-CSRF-Token")


def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed", 401: "Sign-in required"}
    return problem(
        request,
        exc.status_code,
        "http-" + str(exc.status_code),
        titles.get(exc.status_code, "Request failed"),
        str(exc.detail),
        headers=getattr(exc, "headers", None),
    )


def server_error(request: Request, exc: Exception) -> JSONResponse:
    return problem(
        request,
        500,
        "server-error",
        "Internal error",
        "The server failed; nothing was changed. The error is in the server log.",
    )


HANDLERS: dict[type[Exception], Any] = {
    AccessDenied: access_denied,
    StepUpRequired: step_up_required,
    NotFound: not_found,
    LookupError: not_found,
    ValueError: invalid_value,
    RequestValidationError: invalid_request,
    SignInRefused: sign_in_refused,
    SessionEnded: session_ended,
    CsrfRejected: csrf_rejected,
    HTTPException: http_error,
}
