"""Administration: users, their roles and units, and their second factor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from writ.ingest import service as ingest_service
from writ.model.actor import ROLES
from writ.service import auth
from writ.service import users as user_service
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, session: auth.SignedIn, svc: Svc, status_code: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "admin_users.html",
        session,
        status_code=status_code,
        title="Users",
        users=user_service.list_users(svc, session.actor),
        roles=sorted(ROLES),
        **extra,
    )


@router.get("/admin/users")
def users_page(request: Request, session: PageSession, svc: Svc) -> Response:
    return _page(request, session, svc)


@router.post("/admin/users")
def add_user(
    request: Request,
    session: FormSession,
    svc: Svc,
    username: Annotated[str, Form(max_length=128)] = "",
    display_name: Annotated[str, Form(max_length=256)] = "",
    unit: Annotated[str, Form(max_length=128)] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "Enter a user name."
    if not unit.strip():
        errors["unit"] = "Enter the unit the user belongs to."
    if not roles:
        errors["roles"] = "Choose at least one role."
    if len(password) < 12:
        errors["password"] = "The password must be at least 12 characters."
    form = {"username": username, "display_name": display_name, "unit": unit, "roles": roles}
    if errors:
        return _page(request, session, svc, 422, errors=errors, form=form)
    try:
        user_service.add_user(
            svc,
            session.actor,
            username.strip(),
            roles=set(roles or []),
            unit=unit.strip(),
            display_name=display_name.strip() or None,
            password=password,
        )
    except ValueError as problem:
        return _page(request, session, svc, 422, errors={"username": str(problem)}, form=form)
    secret = auth.enrol_totp(svc, session.actor, username.strip())
    return _page(
        request,
        session,
        svc,
        201,
        enrolled={
            "username": username.strip(),
            "secret": secret,
            "uri": auth.provisioning_uri(username.strip(), secret),
        },
    )


@router.get("/admin/sources")
def sources_page(request: Request, session: PageSession, svc: Svc) -> Response:
    return render(
        request,
        "admin_sources.html",
        session,
        title="Sources",
        sources=ingest_service.list_sources(svc, session.actor),
    )
