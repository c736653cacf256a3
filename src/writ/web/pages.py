"""The web application: server-rendered pages over the same services as the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from writ.service import AccessDenied, NotFound, StepUpRequired
from writ.service.auth import CsrfRejected, SessionEnded, SignInRefused
from writ.web import (
    admin,
    audit,
    cases,
    documents,
    forms,
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
    workspace,
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
# Sent on every answer to a request that came over TLS (directly, or through a proxy named in
# trusted_proxies): the browser then uses https only for this site for a year.
HSTS = "max-age=31536000; includeSubDomains"


# Every module with pages, in the order their routes are matched.
ROUTED = (
    signin,
    oidc,
    home,
    cases,
    workspace,
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
)


def install(app: FastAPI) -> None:
    """Add the pages, the work queues, the static files and the security headers to ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTED:
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
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


async def error_page(request: Request, exc: Exception) -> Response:
    """The page for an error: a denial says why and who can grant access; bad input comes back
    on the page it was typed on, in plain words (never a raw validation structure)."""
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
    if isinstance(exc, CsrfRejected):
        return _problem_page(request, 403, "Form out of date", [str(exc)])
    if isinstance(exc, ValueError | LookupError | RequestValidationError):
        again = await _input_again(request, exc)
        if again is not None:
            return again
    if isinstance(exc, RequestValidationError):
        return _invalid_request(request, exc)
    if isinstance(exc, NotFound | LookupError):
        return _problem_page(request, 404, "Not found", [str(exc).strip("'\"")])
    if isinstance(exc, SignInRefused | ValueError):
        return _problem_page(request, 422, "Check what you entered", [str(exc)])
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return _problem_page(request, 404, "Not found", ["There is no page at this address."])
        if exc.status_code == 405:
            return _problem_page(request, 405, "Not found", ["This page cannot be sent to."])
        return _problem_page(request, exc.status_code, "Request refused", [str(exc.detail)])
    return _problem_page(
        request, 500, "Something went wrong", ["Nothing was changed. The error is in the log."]
    )


async def _input_again(request: Request, exc: Exception) -> Response | None:
    """The page the input was typed on, again, with what was typed and what is wrong; None when
    there is no such page to go back to."""
    if request.scope.get("state", {}).get("page_again"):
        return None
    if request.method == "POST":
        sent = exc.body if isinstance(exc, RequestValidationError) else None
        if not isinstance(sent, FormData | dict):
            sent = getattr(request.state, "sent_form", None)
        target = forms.page_of(request, sent)
        if target is None:
            return None
        return await forms.page_again(request, target, forms.state_from(exc, sent), 422)
    if request.method != "GET":
        return None
    query = dict(request.query_params)
    state = forms.state_from(exc, {k: request.query_params.getlist(k) for k in query})
    if isinstance(exc, RequestValidationError):
        places = [forms.error_location(e) for e in exc.errors()]
        if any(where != "query" for where, _ in places):
            return None
        bad = {name for _, name in places}
    else:
        bad = {name for name in state.errors if name in query}
        if not bad:
            return None
    if not state.form:
        state.general = [
            f"{m.rstrip('.')}. It was left out." for _, m in state.summary()
        ] + state.general
        state.errors = {}
    state.title = "Part of this address could not be used"
    return await forms.page_again(request, forms.without_params(request, bad), state, 422)


def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """A value in the address itself (an id too long, a number that is not one) in words."""
    lines = [
        f"{forms.label(forms.error_location(e)[1])}: {forms.plain_validation(e)}"
        for e in exc.errors()
    ]
    status = 404 if all(forms.error_location(e)[0] == "path" for e in exc.errors()) else 422
    title = "Not found" if status == 404 else "Check what you entered"
    return _problem_page(request, status, title, lines)


def _problem_page(request: Request, status: int, title: str, lines: list[str]) -> Response:
    back = forms.page_of(request, None)
    return render(
        request,
        "error.html",
        getattr(request.state, "session", None),
        status_code=status,
        title=title,
        lines=[forms.plain(line) for line in lines if line],
        back=back,
    )
