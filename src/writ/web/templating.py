"""Jinja2 templates, and the values every page shows (who is signed in, for what purpose)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from writ.model.text import shown as shown_text
from writ.service import auth
from writ.service.auth import SignedIn
from writ.web import plain
from writ.web.forms import form_for

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}`` of every template, before it is escaped: control characters and
    bidirectional overrides in stored text are shown as their escapes (``writ.model.text``).
    What a helper already made safe (``script_json``) is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return shown_text(value)
    return value


# Set before any template is compiled: Jinja builds the finalize call into each template.
templates.env.finalize = _finalize

ROLE_NAMES = {
    "officer": "Case officer",
    "supervisor": "Supervisor",
    "legal": "Legal staff",
    "oversight": "Oversight",
    "custodian": "Records custodian",
    "admin": "Administrator",
}
PURPOSE_NAMES = {
    "investigation": "Investigation",
    "case-processing": "Case processing",
    "legal-review": "Legal review",
    "oversight": "Oversight",
    "records-management": "Records management",
    "administration": "Administration",
}


# The primary navigation: address, label, and the roles that see it.
NAV: list[tuple[str, str, frozenset[str]]] = [
    ("/queues", "Work queues", frozenset(ROLE_NAMES)),
    ("/cases", "Cases", frozenset({"officer", "supervisor", "legal", "oversight"})),
    ("/search", "Search", frozenset({"officer", "supervisor", "legal", "custodian"})),
    (
        "/subjects",
        "Subjects",
        frozenset({"officer", "supervisor", "legal", "custodian", "oversight"}),
    ),
    ("/leads", "Leads", frozenset({"officer", "supervisor"})),
    ("/immigration", "Immigration cases", frozenset({"officer", "supervisor", "legal"})),
    ("/operations", "Operations", frozenset({"officer", "supervisor"})),
    ("/oversight", "Oversight", frozenset({"oversight", "admin"})),
    ("/audit", "Audit log", frozenset({"oversight", "admin"})),
    ("/admin/sources", "Sources", frozenset({"admin", "custodian"})),
    ("/admin/users", "Users", frozenset({"admin"})),
]


def nav_links(session: SignedIn) -> list[tuple[str, str]]:
    return [(href, label) for href, label, roles in NAV if roles & session.actor.roles]


def url_with(request: Request, **changes: Any) -> str:
    """This page's address with some query parameters changed (``None`` removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


# What a script block of JSON must not contain: each could end the block (``</script>``), open a
# comment that swallows the rest (``<!--``) or be read as markup. Escaped, JSON reads them the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_json(value: Any) -> Markup:
    """``value`` as JSON that is safe inside ``<script type="application/json">`` (the only way a
    template writes data into a script block; Django's ``json_script`` does the same).

    No template may use ``|safe``: ``tests/security/test_audit_viewer.py`` fails on one.
    """
    text = json.dumps(value, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    # U+2028 and U+2029 end a line in old JavaScript parsers; escaped they are the same JSON.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # every character that could end the block is escaped


templates.env.filters["script_json"] = script_json
templates.env.filters.update(plain.FILTERS)
templates.env.tests.update(plain.TESTS)
templates.env.globals.update(
    role_names=ROLE_NAMES,
    purpose_names=PURPOSE_NAMES,
    url_with=url_with,
    nav_links=nav_links,
    now_date=lambda: date.today().isoformat(),
    form_for=form_for,
)


def flash(request: Request, text: str, kind: str = "success") -> None:
    """Show ``text`` once, on the next page this session loads (after a redirect).

    The message is kept in the server-side session, never in the address: a link cannot put
    words in writ's banners. ``kind`` is success, info, warning or error.
    """
    session: SignedIn | None = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("flash() needs the page's session (PageSession or FormSession)")
    auth.add_flash(request.app.state.services, session, text, kind)


def see_other(request: Request, target: str, note: str = "", kind: str = "success") -> Response:
    """A 303 to ``target`` (a path of this site), with ``note`` shown once on that page."""
    if note:
        flash(request, note, kind)
    return RedirectResponse(target, status_code=303)


def render(
    request: Request,
    template: str,
    session: SignedIn | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page. ``session`` fills the header: user, unit and the purpose of use; the messages
    the session kept for its next page are shown on this one, once."""
    svc = request.app.state.services
    demo = bool(getattr(request.app.state, "demo", False))
    flashes = auth.take_flash(svc, session) if session is not None else []
    return templates.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "demo": demo,
            "store": svc.store.dialect,
            "form_state": getattr(request.state, "form_state", None),
            "flashes": flashes,
            **context,
        },
        status_code=status_code,
    )
