"""Signing in and out through the API: a session token for ``Authorization: Bearer``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from writ.api.deps import Svc, signed_in
from writ.api.schemas import Purpose
from writ.service import auth
from writ.service.auth import SignedIn

router = APIRouter(tags=["sessions"])


class SignInRequest(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)
    code: str = Field(min_length=6, max_length=8, description="The TOTP one-time code.")
    purpose: Purpose


class SessionInfo(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    unit: str
    purpose: str
    created_at: datetime
    expires_at: datetime


class NewSession(SessionInfo):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")


def _info(session: SignedIn) -> dict[str, object]:
    return {
        "username": session.actor.user,
        "display_name": session.display_name,
        "roles": sorted(session.actor.roles),
        "unit": session.actor.unit,
        "purpose": session.actor.purpose or "",
        "created_at": session.created_at,
        "expires_at": session.expires_at,
    }


@router.post(
    "/sessions",
    status_code=201,
    response_model=NewSession,
    summary="Sign in with password and one-time code",
    responses={401: {"description": "Wrong credentials, or the account is locked"}},
)
def sign_in(body: SignInRequest, request: Request, svc: Svc) -> NewSession:
    origin = f"api:{request.client.host}" if request.client else "api"
    session = auth.sign_in(
        svc, body.username, body.password, body.code, body.purpose, origin=origin
    )
    return NewSession(token=session.token, **_info(session))  # type: ignore[arg-type]


@router.get("/sessions/current", response_model=SessionInfo, summary="Who is signed in")
def who(session: Annotated[SignedIn, Depends(signed_in)]) -> SessionInfo:
    return SessionInfo(**_info(session))  # type: ignore[arg-type]


@router.delete("/sessions/current", status_code=204, summary="Sign out")
def sign_out(session: Annotated[SignedIn, Depends(signed_in)], svc: Svc) -> Response:
    auth.sign_out(svc, session.token)
    return Response(status_code=204)
