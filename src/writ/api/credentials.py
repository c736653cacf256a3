"""Credentials before anything else: an API call that carries no session at all is answered 401
before its body is read or its parameters are checked.

FastAPI parses a request's body before it runs the route's dependencies, so without this a call
with no session and a malformed body would be told about its body (422) instead of being told to
sign in. The session itself is still checked by ``writ.api.deps.signed_in`` on every route; this
only refuses calls that present no credentials, on every path but the public ones.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from writ.api import problems
from writ.service.auth import COOKIE_NAME, SessionEnded


class CredentialsFirst:
    """ASGI middleware: under ``prefix``, a call outside ``public`` needs a bearer token or the
    session cookie to go further."""

    def __init__(
        self, app: ASGIApp, *, prefix: str, public: Collection[str], open_prefixes: Collection[str]
    ) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/") + "/"
        self.public = frozenset(public)
        self.open_prefixes = tuple(open_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._guarded(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if _has_credentials(request):
            await self.app(scope, receive, send)
            return
        refusal = SessionEnded(
            "missing",
            "Sign in first: POST /api/v1/sessions, then send Authorization: Bearer <token>.",
        )
        await problems.session_ended(request, refusal)(scope, receive, send)

    def _guarded(self, path: str) -> bool:
        return (
            path.startswith(self.prefix)
            and path not in self.public
            and not path.startswith(self.open_prefixes)
        )


def _has_credentials(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return True
    return bool(request.cookies.get(COOKIE_NAME))
