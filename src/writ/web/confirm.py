"""A confirmation step before an irreversible or enforcement action, that works without
JavaScript: the action's form is posted once without ``confirmed``, and the answer is a page that
spells out what will happen, with the same values in hidden fields and a button that posts them
again with ``confirmed=yes``. Only that second post acts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request
from starlette.responses import Response

from writ.service.auth import SignedIn
from writ.web.templating import render

CONFIRMED = "yes"


def confirmed(value: str) -> bool:
    return value == CONFIRMED


def confirmation(
    request: Request,
    session: SignedIn,
    *,
    title: str,
    consequences: Sequence[str],
    action: str,
    fields: Mapping[str, str | Sequence[str]],
    button: str,
    back: str,
    facts: Sequence[tuple[str, str]] = (),
    undo: str = "",
) -> Response:
    """The confirmation page for posting ``fields`` to ``action`` again, confirmed.

    ``consequences`` says what will happen, ``facts`` what it is done on (label, value), ``undo``
    whether and how it can be reversed (empty: it cannot)."""
    hidden = [
        (name, value)
        for name, values in fields.items()
        for value in ([values] if isinstance(values, str) else values)
    ]
    return render(
        request,
        "confirm.html",
        session,
        title=title,
        consequences=consequences,
        facts=facts,
        action=action,
        hidden=hidden,
        button=button,
        back=back,
        undo=undo,
    )


def resent(request: Request) -> dict[str, list[str]]:
    """The form as sent, to post again from the confirmation page (never its CSRF token)."""
    kept: dict[str, list[str]] = {}
    for key, value in request.state.sent_form.multi_items():
        if key not in ("csrf", "confirmed") and isinstance(value, str):
            kept.setdefault(key, []).append(value)
    return kept
