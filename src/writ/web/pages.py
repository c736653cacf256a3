"""The web application: server-rendered pages over the same services as the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from writ.service import AccessDenied, NotFound, StepUpRequired
from writ.service.auth import CsrfRejected, SessionEnded, SignInRefused
from writ.web import (
    admin,
    audit,
    cases,
    documents,
    home,
    leads,
    lifecycle,
    merge,
    oidc,
    operations,
    oversight,
    quarantine,
    review,
    search,
    signin,
    subjects,
)
from writ.web.templating import render

STATIC = Path(__file__).parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def install(app: FastAPI) -> None:
    """Add the pages, the work queues, the static files and the security headers to ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        signin,
        oidc,
        home,
        cases,
        leads,
        merge,
        subjects,
        search,
        documents,
        lifecycle,
        operations,
        review,
        audit,
        quarantine,
        admin,
        oversight,
    ):
        app.include_router(module.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            if name == "Content-Security-Policy":
                value = oidc.content_security_policy(request, value)
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


async def error_page(request: Request, exc: Exception) -> Response:
    """The page for an error: a denial says why and who can grant access."""
    session = getattr(request.state, "session", None)
    if isinstance(exc, SessionEnded):
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        note = "" if exc.reason == "missing" else f"&ended={quote(exc.reason)}"
        return RedirectResponse(f"/sign-in?next={quote(target)}{note}", status_code=303)
    if isinstance(exc, StepUpRequired):
        page = oidc.step_up_page(request, exc)
        if page is not None:
            return page
    if isinstance(exc, AccessDenied):
        return render(
            request,
            "denied.html",
            session,
            status_code=403,
            title="Access denied",
            denied=exc,
        )
    if isinstance(exc, NotFound | LookupError):
        return _problem_page(request, 404, "Not found", str(exc).strip("'\""))
    if isinstance(exc, CsrfRejected):
        return _problem_page(request, 403, "Form out of date", str(exc))
    if isinstance(exc, SignInRefused | ValueError | RequestValidationError):
        return _problem_page(request, 422, "Check what you entered", str(exc))
    if isinstance(exc, HTTPException):
        return _problem_page(request, exc.status_code, "Not found", str(exc.detail))
    return _problem_page(
        request, 500, "Something went wrong", "Nothing was changed. The error is in the log."
    )


def _problem_page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(
        request,
        "error.html",
        getattr(request.state, "session", None),
        status_code=status,
        title=title,
        detail=detail,
    )
