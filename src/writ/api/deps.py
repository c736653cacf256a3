"""What every route depends on: the services, the signed-in person, and paging parameters."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from writ.model.actor import Actor
from writ.service import Services, auth
from writ.service.auth import CsrfRejected, SessionEnded, SignedIn

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(
    auto_error=False,
    description="A session token from `POST /api/v1/sessions` (or the browser's session cookie).",
)


def services(request: Request) -> Services:
    return request.app.state.services


def signed_in(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> SignedIn:
    """The live session of the caller: a Bearer token, or the browser cookie for reads."""
    svc = services(request)
    if credentials is not None:
        return auth.current(svc, credentials.credentials)
    token = request.cookies.get(auth.COOKIE_NAME)
    if not token:
        raise SessionEnded(
            "missing",
            "Sign in first: POST /api/v1/sessions, then send Authorization: Bearer <token>.",
        )
    session = auth.current(svc, token)
    if request.method not in SAFE_METHODS and not auth.csrf_ok(
        session, request.headers.get("X-CSRF-Token")
    ):
        raise CsrfRejected("a change made with the session cookie needs the X-CSRF-Token header")
    return session


def current_actor(session: Annotated[SignedIn, Depends(signed_in)]) -> Actor:
    return session.actor


Svc = Annotated[Services, Depends(services)]
CurrentActor = Annotated[Actor, Depends(current_actor)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list. Pass ``next`` back as ``cursor`` for the following page."""

    items: list[T]
    limit: int
    next: str | None = None
    total: int | None = None


class Paging:
    """``limit`` and ``cursor`` query parameters, shared by every list."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
        cursor: Annotated[
            str | None,
            Query(max_length=64, pattern=r"^[0-9]+$", description="`next` of the previous page."),
        ] = None,
    ) -> None:
        self.limit = limit
        self.cursor = cursor

    @property
    def offset(self) -> int:
        return int(self.cursor) if self.cursor else 0

    def slice(self, items: list[T]) -> Page[T]:
        """Page through a list a service returned whole."""
        start = self.offset
        chunk = items[start : start + self.limit]
        more = start + self.limit < len(items)
        return Page[T](
            items=chunk,
            limit=self.limit,
            next=str(start + self.limit) if more else None,
            total=len(items),
        )


PageParams = Annotated[Paging, Depends()]
