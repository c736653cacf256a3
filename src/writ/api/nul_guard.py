"""No NUL character gets past the front door.

PostgreSQL cannot store a NUL (``\\x00``) in text, and no identifier, name or note ever needs
one. Route by route, ``writ.api.fields`` refuses control characters in the fields it knows; this
middleware is the backstop for every route and page: a NUL in the path, the query, a JSON body
or a form body (urlencoded or multipart: its field names, text fields and file names; never the
content of a file, which may hold any byte) is answered 422 naming the parameter or field, before
any service runs, instead of reaching the store and failing there as a server error. A JSON body
nested deeper than ``MAX_DEPTH`` is answered 422 too: no writ document nests that deep, and the
parser would otherwise run out of stack.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any
from urllib.parse import parse_qsl

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from writ.api import problems

NUL = "\x00"
# A body larger than this is not scanned here (the routes that take large bodies take files).
SCAN_LIMIT = 1 << 20
# How deep a JSON body may nest (the deepest writ document nests 4 levels).
MAX_DEPTH = 32
# A multipart body is kept in memory up to this size while it is scanned, then on disk.
SPOOL_IN_MEMORY = 1 << 20
REPLAY_CHUNK = 1 << 16


class TooDeep(ValueError):
    """A JSON body nests deeper than ``MAX_DEPTH``."""


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
        detail = ""
        if field is None and _scanned(scope):
            body, others, more = await _read(receive)
            if not more:
                try:
                    field = _in_body(scope, body)
                except TooDeep as deep:
                    field, detail = "body", str(deep)
            receive = _replay(body, others, more, receive)
        elif field is None and _content_type(scope) == "multipart/form-data":
            spool, others, field = await _read_multipart(scope, receive)
            if field is not None:
                spool.close()
            receive = _replay_spool(spool, others, receive)
        if field is None:
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, field, detail)(scope, receive, send)

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

    def _refuse(self, scope: Scope, field: str, detail: str = "") -> Response:
        detail = detail or f"{field}: a NUL character is not allowed"
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
    nul = b"\\u0000" in body or b"\x00" in body
    deep = body.count(b"[") + body.count(b"{") > MAX_DEPTH
    if not nul and not deep:
        return None
    try:
        document = json.loads(body)
    except RecursionError:
        raise TooDeep(f"body: JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        return None  # the route answers a malformed body itself
    return next(_nul_paths(document), None)


def _nul_paths(document: Any) -> Iterator[str]:
    """Where ``document`` holds a NUL (``title``, ``items.2.name``), walked without recursion;
    raises ``TooDeep`` past ``MAX_DEPTH`` levels."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise TooDeep(f"body: JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            if NUL in value:
                yield ".".join(path) or "body"
        elif isinstance(value, dict):
            for key in value:
                if NUL in key:
                    yield ".".join((*path, key.replace(NUL, ""))) or "body"
            stack.extend((item, (*path, str(key))) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(i))) for i, item in reversed(list(enumerate(value))))


async def _read_multipart(
    scope: Scope, receive: Receive
) -> tuple[IO[bytes], list[Message], str | None]:
    """Read a multipart body into a spool while parsing it; the field holding a NUL (in a part's
    name, file name or, for a part that is not a file, its value), if any."""
    options = parse_options_header(
        next((v for n, v in scope.get("headers", ()) if n == b"content-type"), b"")
    )[1]
    # Closed by the replay once the app has read it, or by the caller on a refusal.
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    scan = _MultipartScan()
    boundary = options.get(b"boundary")
    parser = MultipartParser(boundary, scan.callbacks()) if boundary else None
    others: list[Message] = []
    while scan.found is None:
        message = await receive()
        if message["type"] != "http.request":
            others.append(message)
            break
        chunk = message.get("body", b"")
        spool.write(chunk)
        if parser is not None:
            try:
                parser.write(chunk)
            except Exception:  # a malformed body: the route's own parser answers it
                parser = None
        if not message.get("more_body", False):
            break
    spool.seek(0)
    return spool, others, scan.found


class _MultipartScan:
    """Callbacks for python-multipart's parser that note the first part holding a NUL."""

    def __init__(self) -> None:
        self.found: str | None = None
        self._header_name = b""
        self._header_value = b""
        self._name = ""
        self._is_file = False

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_part_data": self._part_data,
        }

    def _part_begin(self) -> None:
        self._name, self._is_file = "", False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            _, options = parse_options_header(self._header_value)
            name = options.get(b"name", b"").decode("latin-1")
            self._name = name.replace(NUL, "") or "form"
            filename = options.get(b"filename")
            self._is_file = filename is not None
            if self.found is None and (NUL in name or (filename and b"\x00" in filename)):
                self.found = self._name
        self._header_name, self._header_value = b"", b""

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.found is None and not self._is_file and b"\x00" in data[start:end]:
            self.found = self._name


def _replay_spool(spool: IO[bytes], others: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that hands the app the spooled body in chunks, then the other messages."""
    pending = list(others)
    done = False

    async def replay() -> Message:
        nonlocal done
        if not done:
            chunk = spool.read(REPLAY_CHUNK)
            here = spool.tell()
            more = bool(spool.read(1))
            spool.seek(here)
            if not more:
                done = True
                spool.close()
            return {"type": "http.request", "body": chunk, "more_body": more}
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
