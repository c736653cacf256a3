"""Jinja2 templates, and the values every page shows (who is signed in, for what purpose)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from writ.service.auth import SignedIn
from writ.web.forms import form_for

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

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


templates.env.globals.update(
    role_names=ROLE_NAMES,
    purpose_names=PURPOSE_NAMES,
    url_with=url_with,
    nav_links=nav_links,
    now_date=lambda: date.today().isoformat(),
    form_for=form_for,
)


def render(
    request: Request,
    template: str,
    session: SignedIn | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page. ``session`` fills the header: user, unit and the purpose of use."""
    svc = request.app.state.services
    demo = bool(getattr(request.app.state, "demo", False))
    return templates.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "demo": demo,
            "store": svc.store.dialect,
            "form_state": getattr(request.state, "form_state", None),
            **context,
        },
        status_code=status_code,
    )
