"""Forms that come back with what was typed and each field's error beside it (the USWDS error
pattern, with an error summary at the top of the page linking to each field), and bad values in
an address's query told in plain words. No raw validation output reaches a page.

A form built with the ``_form.html`` macros carries two hidden fields: ``_form`` (the prefix of
its field ids) and ``_page`` (the page it is on). When a page's form post fails on its input (a
``ValueError`` or ``LookupError`` from a service or the page, or a value FastAPI could not
read), the error page asks the app for that page again, as a GET with the same cookies, and the
page renders with a :class:`FormState`: the values sent, each field's message, and the errors
that belong to no one field. The person stays on the page they were on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from jinja2 import pass_context
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

# Sent values never put back in a page: tokens, secrets, and the form's own hidden fields.
NEVER_KEPT = frozenset({"csrf", "form_token", "password", "code", "_form", "_page"})
MAX_KEPT = 20_000
# Field names as a person reads them, for the error summary (the field itself has its label).
LABELS = {
    "due": "Due date",
    "retain_until": "Keep until",
    "facility": "Facility",
    "reason": "Reason",
    "assignee": "Assignee",
    "title": "Title",
    "body": "Note",
    "content": "File",
    "page": "Page",
    "days": "Days from now",
    "country": "Country",
    "entity_id": "Subject",
    "role": "Role on the case",
    "outcome": "Outcome",
    "other": "Subject or record to merge with",
    "records": "Records",
    "confirm": "Confirmation",
    "planned_for": "Planned for",
    "case_ids": "Cases",
    "subject_name": "Full name",
    "birth_date": "Date of birth",
    "a_number": "A-number",
}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").strip().capitalize() or "Value")


class FieldErrors(ValueError):
    """Input a page refuses: each field with what is wrong with it, in plain words."""

    def __init__(self, errors: Mapping[str, str] | None = None, **by_field: str) -> None:
        self.errors = {**(errors or {}), **by_field}
        super().__init__("; ".join(f"{label(k)}: {v}" for k, v in self.errors.items()))


@dataclass
class FormState:
    """A form sent back: which form, what was typed, and what is wrong."""

    form: str = ""
    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    title: str = "There is a problem"

    def summary(self) -> list[tuple[str, str]]:
        """(link target, message) for each field error, in the order the fields were sent."""
        order = list(self.values) + [k for k in self.errors if k not in self.values]
        target = f"{self.form}-" if self.form else ""
        return [
            (f"#{target}{name}" if self.form else "", f"{label(name)}: {self.errors[name]}")
            for name in order
            if name in self.errors
        ]


class FormView:
    """One form on a page as its template sees it: ids, values (typed ones if it was the form
    sent back) and errors."""

    def __init__(self, state: FormState | None, prefix: str, page: str) -> None:
        self.prefix = prefix
        self.page = page
        self.sent = state is not None and state.form == prefix
        self._state = state if self.sent else None

    def id(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def value(self, name: str, default: Any = "") -> str:
        if self._state is None:
            return "" if default is None else str(default)
        found = self._state.values.get(name)
        return found[0] if found else ""

    def chosen(self, name: str, default: Iterable[str] = ()) -> list[str]:
        if self._state is None:
            return [str(v) for v in default]
        return list(self._state.values.get(name, []))

    def checked(self, name: str, value: str = "true", default: bool = False) -> bool:
        if self._state is None:
            return default
        return value in self._state.values.get(name, [])

    def error(self, name: str) -> str:
        return self._state.errors.get(name, "") if self._state else ""

    @property
    def general(self) -> list[str]:
        return self._state.general if self._state else []

    @property
    def files(self) -> list[str]:
        return self._state.files if self._state else []


@pass_context
def form_for(context: Any, prefix: str) -> FormView:
    """The template global: ``{% set f = form_for('task') %}``."""
    request: Request = context["request"]
    page = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return FormView(context.get("form_state"), prefix, page)


# --- turning an error into a form state ------------------------------------------------------

PYDANTIC_WORDS = {
    "missing": "enter a value",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be yes or no",
    "string_pattern_mismatch": "is not in the form this field takes",
    "date_parsing": "must be a date, for example 2025-06-30",
    "date_from_datetime_parsing": "must be a date, for example 2025-06-30",
    "datetime_parsing": "must be a date and time",
    "literal_error": "is not one of the choices",
    "enum": "is not one of the choices",
    "list_type": "must be a list of values",
    "string_type": "must be text",
}


def plain_validation(error: Mapping[str, Any]) -> str:
    """One of FastAPI's validation errors in plain words, without the raw structure."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    raw = error.get("input")
    shown = f'"{_short(raw)}" ' if isinstance(raw, str | int | float) and raw != "" else ""
    if kind == "missing":
        return "enter a value"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "enter a value" if not raw else f"is too short: at least {ctx.get('min_length')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{shown}must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{shown}must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind == "literal_error" and ctx.get("expected"):
        return f"{shown}is not one of the choices ({ctx['expected']})"
    words = PYDANTIC_WORDS.get(kind)
    if words:
        return f"{shown}{words}"
    # Pydantic's own message is English prose; its location and input are left out.
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{shown}{message[:1].lower()}{message[1:]}"


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def error_location(error: Mapping[str, Any]) -> tuple[str, str]:
    """(where, field) of a validation error: where is ``body``, ``query``, ``path``..."""
    loc = [str(part) for part in error.get("loc", ())]
    where = loc[0] if loc else ""
    names = [p for p in loc[1:] if not p.isdigit()]
    return where, names[-1] if names else where


_LEADING_FIELD = re.compile(r"^([a-z_]+): (.+)$", re.S)


def attach(message: str, values: Mapping[str, list[str]]) -> tuple[str | None, str]:
    """The field an error message is about, and the message to show beside it.

    A message written ``field: what is wrong`` names its field. Otherwise the field is the one
    whose typed value the message quotes (a service's ``no facility ZZZ`` is about the
    facility field), when exactly one does; else the error belongs to the form as a whole.
    """
    message = message.strip().strip("'\"")
    found = _LEADING_FIELD.match(message)
    if found and found.group(1) in values:
        return found.group(1), _sentence(found.group(2))
    quoted = [
        name
        for name, typed in values.items()
        if name not in NEVER_KEPT and any(_quotes(message, v) for v in typed)
    ]
    if len(quoted) == 1:
        return quoted[0], _sentence(message)
    return None, _sentence(message)


def _quotes(message: str, typed: str) -> bool:
    """Whether ``message`` quotes ``typed`` as a whole word (not inside a longer one)."""
    typed = typed.strip()
    if len(typed) < 2:
        return False
    return re.search(rf"(?<![\w-]){re.escape(typed)}(?![\w-])", message) is not None


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def state_from(exc: Exception, sent: FormData | Mapping[str, Any] | None) -> FormState:
    """The form state for an input error of a form post (or of a GET form's query)."""
    values = kept_values(sent)
    form_name = _first(sent, "_form")
    state = FormState(form=form_name, values=values, files=_files(sent))
    problems: list[tuple[str | None, str]] = []
    if isinstance(exc, RequestValidationError):
        for error in exc.errors():
            _, name = error_location(error)
            problems.append((name, plain_validation(error)))
    elif isinstance(exc, FieldErrors):
        problems.extend(exc.errors.items())
    else:
        named = getattr(exc, "field", None)
        text = str(exc)
        if isinstance(named, str) and named:
            problems.append((named, _sentence(text)))
        else:
            problems.append(attach(text, values))
    for where, message in problems:
        text = plain(message)
        if where and where not in NEVER_KEPT:
            state.errors.setdefault(where, text)
        else:
            state.general.append(text)
    if state.files and not state.errors.get("content"):
        state.general.append("Choose the file again: a browser never sends a file back.")
    return state


def kept_values(sent: FormData | Mapping[str, Any] | None) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    if sent is None:
        return values
    items = sent.multi_items() if isinstance(sent, FormData) else _mapping_items(sent)
    for key, value in items:
        if key in NEVER_KEPT or isinstance(value, UploadFile):
            continue
        values.setdefault(key, []).append(str(value)[:MAX_KEPT])
    return values


def _mapping_items(sent: Mapping[str, Any]) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in sent.items():
        for one in value if isinstance(value, list) else [value]:
            items.append((key, one))
    return items


def _first(sent: FormData | Mapping[str, Any] | None, key: str) -> str:
    if sent is None:
        return ""
    value = sent.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value) if isinstance(value, str) else ""


def _files(sent: FormData | Mapping[str, Any] | None) -> list[str]:
    if not isinstance(sent, FormData):
        return []
    return [v.filename or k for k, v in sent.multi_items() if isinstance(v, UploadFile)]


def page_of(request: Request, sent: FormData | Mapping[str, Any] | None) -> str | None:
    """The page a form was on: its ``_page`` field, else the same-site Referer; never an API
    route, a static file or another site."""
    candidates = [_first(sent, "_page"), request.headers.get("referer", "")]
    for candidate in candidates:
        if not candidate:
            continue
        parts = urlsplit(candidate)
        if parts.netloc and parts.netloc != request.url.netloc:
            continue
        path = parts.path
        if not path.startswith("/") or path.startswith("//") or "\\" in path:
            continue
        if path.startswith(("/api/", "/static/")) or path == request.url.path:
            continue
        return path + (f"?{parts.query}" if parts.query else "")
    return None


def without_params(request: Request, names: Iterable[str]) -> str:
    """This address with some query parameters left out."""
    drop = set(names)
    query = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k not in drop])
    return request.url.path + (f"?{query}" if query else "")


# --- asking the app for the page again ------------------------------------------------------

_SCOPE_KEYS = ("type", "asgi", "http_version", "server", "client", "scheme", "root_path")
_DROPPED_HEADERS = frozenset({b"content-type", b"content-length", b"transfer-encoding"})


async def page_again(request: Request, target: str, state: FormState, status: int) -> Response:
    """``target`` rendered as a GET by the same browser (its cookies), with ``state`` for its
    templates; answered with ``status`` when the page itself renders, else as the page answered
    (a redirect to sign in, a page that is not found)."""
    path, _, query = target.partition("?")
    scope: dict[str, Any] = {k: request.scope[k] for k in _SCOPE_KEYS if k in request.scope}
    scope.update(
        method="GET",
        path=path,
        raw_path=path.encode(),
        query_string=query.encode(),
        headers=[(k, v) for k, v in request.scope["headers"] if k not in _DROPPED_HEADERS],
        state={"form_state": state, "page_again": True},
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await request.app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    answered = int(start["status"])
    response = Response(body, status_code=status if answered == 200 else answered)
    response.raw_headers = [
        (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
    ] + [(b"content-length", str(len(body)).encode())]
    return response


_RAW = re.compile(r"""(File "|\.py\b|Traceback|site-packages|\{'type':|'loc':|\bpydantic\b)""")


def plain(text: str) -> str:
    """A message fit for a page: one tidy sentence, never a file path or a raw structure (a
    message that looks like one is replaced, so an unforeseen error cannot leak it)."""
    text = " ".join(str(text).split())
    if _RAW.search(text):
        return "A value could not be used. Check what you entered and try again."
    if len(text) > 600:
        text = text[:597] + "…"
    return _sentence(text)


def parse_date(name: str, raw: str, *, required: bool = False) -> str | None:
    """A typed date as ``YYYY-MM-DD``: ISO (2025-06-30) or as the USWDS date picker writes it
    (06/30/2025). Anything else is refused naming the field."""
    text = raw.strip()
    if not text:
        if required:
            raise FieldErrors({name: "Enter a date, for example 2025-06-30."})
        return None
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise FieldErrors({name: f'"{_short(text)}" is not a date: write it like 2025-06-30.'})
