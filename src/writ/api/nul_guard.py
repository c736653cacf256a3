"""No NUL character gets past the front door.

PostgreSQL cannot store a NUL (``\\x00``) in text, and no identifier, name or note ever needs
one. Route by route, ``writ.api.fields`` refuses control characters in the fields it knows; this
middleware is the backstop for every route and page: a NUL in the path, the query, a JSON body
or a form body is answered 422 naming the parameter or field, before any service runs, instead
of reaching the store and failing there as a server error. Multipart bodies (evidence files) are
binary and pass untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from writ.api import problems

NUL = "\x00"
# A body larger than this is not scanned here (the routes that take large bodies take files).
SCAN_LIMIT = 1 << 20


class NulGuard:
    """ASGI middleware refusing a NUL anywhere in a request's text."""

    def __init__(
        self, app: ASGIApp, *, api_prefix: str, templates: Callable[[], Iterable[str]]
    ) -> None:
        """``templates`` gives the route path templates (``/api/v1/cases/{case_id}``), read
        once, when a NUL first comes in a path."""
        self.app = app
        self.api_prefix = api_prefix.rstrip("/") + "/"
        self.templates = templates
        self._patterns: list[re.Pattern[str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = self._in_path(scope) or _in_query(scope)
        if field is None and _scanned(scope):
            body, others, more = await _read(receive)
            if not more:
                field = _in_body(scope, body)
            receive = _replay(body, others, more, receive)
        if field is None:
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, field)(scope, receive, send)

    def _in_path(self, scope: Scope) -> str | None:
        """``path.<parameter>`` as the route names it (FastAPI's name for the place), else
        ``path``."""
        path = scope["path"]
        if NUL not in path:
            return None
        if self._patterns is None:
            self._patterns = [_pattern(template) for template in self.templates()]
        for pattern in self._patterns:
            match = pattern.fullmatch(path)
            if match:
                for name, value in match.groupdict().items():
                    if NUL in value:
                        return f"path.{name}"
        return "path"

    def _refuse(self, scope: Scope, field: str) -> Response:
        detail = f"{field}: a NUL character is not allowed"
        request = Request(scope)
        if scope["path"].startswith(self.api_prefix):
            return problems.problem(
                request, 422, "invalid-value", "A value is not valid", detail, field=field
            )
        return HTMLResponse(
            "<!doctype html><html lang=en><title>Not accepted</title>"
            f"<main><h1>Not accepted</h1><p>{detail}</p></main></html>",
            status_code=422,
        )


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::path)?\}", template)
    regex = "".join(
        f"(?P<{part}>[^/]*)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


def _in_query(scope: Scope) -> str | None:
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if NUL in name or NUL in value:
            return f"query.{name.replace(NUL, '')}"
    return None


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return str(value.decode("latin-1").split(";")[0].strip().lower())
    return ""


def _scanned(scope: Scope) -> bool:
    kind = _content_type(scope)
    return scope["method"] in {"POST", "PUT", "PATCH"} and (
        kind == "application/json"
        or kind.endswith("+json")
        or kind == "application/x-www-form-urlencoded"
    )


async def _read(receive: Receive) -> tuple[bytes, list[Message], bool]:
    """The body up to about ``SCAN_LIMIT``: its bytes, any other message received (a
    disconnect), and whether more body is still unread."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message], False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), [], False
        if size > SCAN_LIMIT:
            return b"".join(chunks), [], True


def _replay(body: bytes, others: list[Message], more: bool, receive: Receive) -> Receive:
    """A ``receive`` that hands the app what was read, then goes on with the real one."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": more}, *others]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _in_body(scope: Scope, body: bytes) -> str | None:
    if _content_type(scope) == "application/x-www-form-urlencoded":
        for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            if NUL in name or NUL in value:
                return name.replace(NUL, "") or "form"
        return None
    if b"\\u0000" not in body and b"\x00" not in body:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None  # the route answers a malformed body itself
    return next(_nul_paths(document, ()), None)


def _nul_paths(value: Any, path: tuple[str, ...]) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield ".".join(path) or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield ".".join((*path, key.replace(NUL, ""))) or "body"
            yield from _nul_paths(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, str(index)))
