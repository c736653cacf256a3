"""Signing in (password, one-time code, purpose of use) and out."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from writ.model.actor import PURPOSES
from writ.service import auth
from writ.service.auth import SignInRefused
from writ.web.guard import FormSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)
# The sign-in form has no session yet: its CSRF token is a random cookie the form echoes back.
SIGN_IN_COOKIE = "writ_sign_in"
ENDED = {
    "idle timeout": "You were signed out after 30 minutes without activity.",
    "absolute timeout": "You were signed out: a session lasts at most 12 hours.",
    "signed out": "You have signed out.",
    "account disabled": "Your account has been disabled.",
    "signed out everywhere": "You have signed out of writ and of your agency account.",
    "signed out at the provider": (
        "You signed out of your agency account, so your writ session has ended too."
    ),
    "provider unreachable": (
        "You have signed out of writ, but your agency's sign-in service could not be reached: "
        "you may still be signed in there. Close the browser if others use this computer."
    ),
}


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no backslash a browser reads as a slash."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def sign_in_form(
    request: Request,
    status_code: int = 200,
    error: str = "",
    username: str = "",
    purpose: str = "",
    next_page: str = "/",
    ended: str = "",
) -> Response:
    from writ.web import oidc  # it imports this module

    provider = oidc.settings_of(request)
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "sign_in.html",
        status_code=status_code,
        title="Sign in",
        purposes=sorted(PURPOSES),
        error=error,
        username=username,
        purpose=purpose,
        next_page=safe_next(next_page),
        notice=ENDED.get(ended, ""),
        form_token=token,
        demo_accounts=auth.demo_accounts(request.app.state.services)
        if request.app.state.demo
        else [],
        provider=provider.name if provider else "",
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=3600,
    )
    return response


@router.get("/sign-in")
def sign_in_page(
    request: Request,
    next: Annotated[str, Query(max_length=2000)] = "/",
    ended: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    return sign_in_form(request, next_page=next, ended=ended)


@router.post("/sign-in")
def sign_in(
    request: Request,
    svc: Svc,
    username: Annotated[str, Form(max_length=128)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    purpose: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    form_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form_token):
        return sign_in_form(request, 400, "The form had expired. Please sign in again.", username)
    if purpose not in PURPOSES:
        return sign_in_form(
            request, 422, "Choose the purpose of use for this session.", username, "", next
        )
    if not username or not password or not code:
        missing = [
            n
            for n, v in (("user name", username), ("password", password), ("one-time code", code))
            if not v
        ]
        return sign_in_form(
            request, 422, f"Enter your {', '.join(missing)}.", username, purpose, next
        )
    origin = f"web:{request.client.host}" if request.client else "web"
    try:
        session = auth.sign_in(svc, username, password, code, purpose, origin=origin)
    except SignInRefused as refused:
        return sign_in_form(request, 401, str(refused), username, purpose, next)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        auth.COOKIE_NAME,
        session.token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: FormSession, svc: Svc) -> Response:
    """End the session; a person who signed in with the provider is signed out there too."""
    from writ.web import oidc  # it imports this module

    auth.sign_out(svc, session.token)
    target = oidc.sign_out_target(request, svc, session.actor.user)
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(auth.COOKIE_NAME)
    return response
