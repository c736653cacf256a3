"""Signing in with the agency's OpenID provider, and stepping up for overrides and exports.

The protocol is ``writ.service.oidc``; these routes only carry the browser there and back.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from writ.model.actor import PURPOSES
from writ.service import Services, StepUpRequired, auth
from writ.service import oidc as oidc_service
from writ.service.auth import SessionEnded, SignedIn, SignInRefused
from writ.service.settings import OidcSettings, load_settings
from writ.web import signin
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)
# Binds the provider's answer to the browser that started the sign-in (HttpOnly, SameSite=Lax so
# that it comes back with the provider's redirect).
FLOW_COOKIE = "writ_oidc"
_UNSET = object()


def settings_of(request: Request) -> OidcSettings | None:
    """The ``[oidc]`` settings of this application (read once from writ.toml)."""
    found = getattr(request.app.state, "oidc", _UNSET)
    if found is _UNSET:
        found = load_settings().oidc
        request.app.state.oidc = found
    return found  # type: ignore[return-value]


def _configured(request: Request) -> OidcSettings:
    config = settings_of(request)
    if config is None:
        raise LookupError("sign-in with a provider is not configured ([oidc] in writ.toml)")
    return config


def provider_origin(config: OidcSettings) -> str:
    parts = urlsplit(config.issuer)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(request: Request, policy: str) -> str:
    """Forms may also be sent on to the provider: the sign-in button, and the sign-out form in
    every page's header (a browser applies ``form-action`` to where a form's answer redirects)."""
    config = settings_of(request)
    if config is None:
        return policy
    return policy.replace("form-action 'self'", f"form-action 'self' {provider_origin(config)}")


def sign_out_target(request: Request, svc: Services, username: str) -> str:
    """Where the browser goes once the writ session has ended: the provider's sign-out for a
    person who signed in there (back at ``/signed-out`` after), else the sign-in page."""
    config = settings_of(request)
    if config is None or not oidc_service.is_oidc_user(svc, config, username):
        return "/sign-in?ended=signed+out"
    try:
        found = oidc_service.end_session_url(config)
    except SignInRefused:
        return "/sign-in?ended=provider+unreachable"
    return found or "/sign-in?ended=signed+out"


@router.post("/sign-in/oidc/backchannel-logout")
def back_channel_logout(
    request: Request, svc: Svc, logout_token: Annotated[str, Form(max_length=20_000)]
) -> Response:
    """The provider, server to server: this person's session there has ended, end theirs here
    (OpenID Connect Back-Channel Logout 1.0; register this address with the provider)."""
    headers = {"Cache-Control": "no-store"}
    try:
        oidc_service.back_channel_logout(svc, _configured(request), logout_token)
    except (oidc_service.LogoutRefused, SignInRefused, LookupError) as exc:
        body = {"error": "invalid_request", "error_description": str(exc)}
        return JSONResponse(body, status_code=400, headers=headers)
    return Response(status_code=200, headers=headers)


@router.get("/signed-out")
def signed_out() -> Response:
    """Where the provider sends the browser back after signing the person out there too."""
    return RedirectResponse("/sign-in?ended=signed+out+everywhere", status_code=303)


def _to_provider(request: Request, begun: oidc_service.Begun) -> Response:
    response = RedirectResponse(begun.url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        begun.browser,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(oidc_service.REQUEST_LIFETIME.total_seconds()),
    )
    return response


@router.post("/sign-in/oidc")
def start(
    request: Request,
    svc: Svc,
    purpose: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    form_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """The sign-in page's "Sign in with ..." button: the purpose is chosen here, before leaving."""
    config = _configured(request)
    expected = request.cookies.get(signin.SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form_token):
        return signin.sign_in_form(request, 400, "The form had expired. Please sign in again.")
    if purpose not in PURPOSES:
        return signin.sign_in_form(
            request, 422, "Choose the purpose of use for this session.", next_page=next
        )
    begun = oidc_service.begin(svc, config, purpose, signin.safe_next(next))
    return _to_provider(request, begun)


@router.get("/sign-in/oidc/callback")
def callback(
    request: Request,
    svc: Svc,
    state: Annotated[str, Query(max_length=512)] = "",
    code: Annotated[str, Query(max_length=2048)] = "",
    error: Annotated[str, Query(max_length=256)] = "",
    error_description: Annotated[str, Query(max_length=1024)] = "",
) -> Response:
    """The provider's answer: the session is opened by the service, or the refusal shown."""
    config = _configured(request)
    answer = {"state": state, "code": code}
    if error:
        answer.update(error=error, error_description=error_description)
    origin = f"web:{request.client.host}" if request.client else "web"
    try:
        session, next_page = oidc_service.complete(
            svc, config, answer, request.cookies.get(FLOW_COOKIE, ""), origin=origin
        )
    except SignInRefused as refused:
        still = _still_signed_in(svc, request)
        if still is not None:  # a step-up that failed: the person keeps the session they had
            response = render(
                request,
                "error.html",
                still,
                status_code=401,
                title="Stronger sign-in not completed",
                detail=str(refused),
            )
        else:
            response = signin.sign_in_form(request, 401, str(refused))
        response.delete_cookie(FLOW_COOKIE)
        return response
    replaced = request.cookies.get(auth.COOKIE_NAME)
    if replaced:
        auth.end_session(svc, replaced, "replaced at sign-in")
    response = RedirectResponse(signin.safe_next(next_page), status_code=303)
    response.set_cookie(
        auth.COOKIE_NAME,
        session.token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(FLOW_COOKIE)
    response.delete_cookie(signin.SIGN_IN_COOKIE)
    return response


def _still_signed_in(svc: Services, request: Request) -> SignedIn | None:
    token = request.cookies.get(auth.COOKIE_NAME)
    if not token:
        return None
    try:
        return auth.current(svc, token)
    except SessionEnded:
        return None


@router.get("/sign-in/oidc/step-up")
def step_up(
    request: Request,
    session: PageSession,
    svc: Svc,
    next: Annotated[str, Query(max_length=2000)] = "/",
) -> Response:
    """Back to the provider for a stronger sign-in, keeping this session's purpose of use."""
    config = _configured(request)
    begun = oidc_service.begin(
        svc,
        config,
        session.actor.purpose or "",
        signin.safe_next(next),
        step_up_user=session.actor.user,
        required_acr=svc.step_up.required,
    )
    return _to_provider(request, begun)


def _resume_at(request: Request) -> str:
    """Where to come back after a step-up: this page, or for a form the page it was sent from."""
    if request.method == "GET":
        target = request.url.path
        return target + ("?" + request.url.query if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc:
        return signin.safe_next(referer.path + ("?" + referer.query if referer.query else ""))
    return "/"


def step_up_page(request: Request, exc: StepUpRequired) -> Response | None:
    """The page that explains a step-up and links to the provider; None if there is none."""
    session = getattr(request.state, "session", None)
    config = settings_of(request)
    if session is None or config is None:
        return None
    svc = request.app.state.services
    if not oidc_service.is_oidc_user(svc, config, session.actor.user):
        return None
    resume = _resume_at(request)
    return render(
        request,
        "step_up.html",
        session,
        status_code=401,
        title="Sign in again to continue",
        denied=exc,
        provider=config.name,
        required=exc.required_acr,
        resume_is_form=request.method != "GET",
        step_up_url=f"/sign-in/oidc/step-up?next={quote(resume)}",
    )
