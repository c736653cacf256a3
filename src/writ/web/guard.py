"""Who is signed in on a page, and the CSRF check of every form that changes something."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request

from writ.service import Services, auth
from writ.service.auth import CsrfRejected, SessionEnded, SignedIn


def services(request: Request) -> Services:
    return request.app.state.services


def page_session(request: Request) -> SignedIn:
    """The browser's session; without one the error page sends the person to sign in."""
    token = request.cookies.get(auth.COOKIE_NAME)
    if not token:
        raise SessionEnded("missing", "Sign in to continue.")
    session = auth.current(services(request), token)
    request.state.session = session
    return session


async def form_session(
    request: Request,
    session: Annotated[SignedIn, Depends(page_session)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> SignedIn:
    """The session of a form post, refused unless the form carries the session's CSRF token.

    The form as sent is kept on the request, so that an input error can put it back on the page
    it came from (``writ.web.forms``)."""
    request.state.sent_form = await request.form()
    if not auth.csrf_ok(session, csrf):
        raise CsrfRejected("the form is out of date or did not come from writ; load it again")
    return session


Svc = Annotated[Services, Depends(services)]
PageSession = Annotated[SignedIn, Depends(page_session)]
FormSession = Annotated[SignedIn, Depends(form_session)]
