"""The HTTP application: the versioned API under ``/api/v1`` and the web pages beside it.

Errors under ``/api/`` are RFC 9457 problem documents; elsewhere they are pages (the web
package renders them). Every route but health, signing in and the public locator needs a session.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from writ import __version__
from writ.api import problems
from writ.api.credentials import CredentialsFirst
from writ.api.nul_guard import NulGuard
from writ.api.routers import (
    audit,
    cases,
    claims,
    evidence,
    graph,
    ingest,
    leads,
    lifecycle,
    merge,
    operations,
    oversight,
    proofs,
    resolve,
    search,
    sessions,
    subjects,
    tasks,
    timeline,
    users,
)
from writ.service import Services
from writ.service.runtime import open_services
from writ.service.settings import load_settings
from writ.web import pages as web_pages

API_PREFIX = "/api/v1"
# Routes any caller may use without signing in.
PUBLIC_ROUTES = frozenset(
    {
        f"{API_PREFIX}/health",
        f"{API_PREFIX}/sessions",
        f"{API_PREFIX}/openapi.json",
        f"{API_PREFIX}/locator",
    }
)
log = logging.getLogger("writ.api")


def _dispatch(handler: Any, web_handler: Any) -> Any:
    async def handle(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return handler(request, exc)
        return await web_handler(request, exc)

    return handle


def _install_error_handlers(app: FastAPI) -> None:
    for kind, handler in problems.HANDLERS.items():
        app.add_exception_handler(kind, _dispatch(handler, web_pages.error_page))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if request.url.path.startswith("/api/"):
            return problems.server_error(request, exc)
        return await web_pages.error_page(request, exc)

    app.add_exception_handler(Exception, server_error)


def create_app(
    services: Services | None = None,
    *,
    demo: bool | None = None,
    evidence_root: Path | None = None,
    photo_root: Path | None = None,
) -> FastAPI:
    """The application over ``services`` (default: the configured store).

    ``demo`` labels every page as synthetic demonstration data (default: the ``demo`` setting);
    evidence files live under ``evidence_root`` (default: ``$WRIT_HOME/evidence``), photos of
    record under ``photo_root`` (default: ``$WRIT_HOME/photos``).
    """
    svc = services or open_services()
    app = FastAPI(
        title="writ",
        version=__version__,
        description=(
            "Open, accountable case management. Every call is checked by policy and audited. "
            "Sign in with `POST /api/v1/sessions` and send the token as "
            "`Authorization: Bearer <token>`. Errors are RFC 9457 problem documents."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        responses={
            401: {"model": problems.Problem, "description": "Sign-in required"},
            403: {"model": problems.Problem, "description": "Denied, with the deciding policy"},
            422: {"model": problems.Problem, "description": "A field or rule is not met"},
        },
    )
    app.state.services = svc
    settings = load_settings()
    app.state.demo = settings.demo if demo is None else demo
    app.state.evidence_root = evidence_root or settings.home / "evidence"
    app.state.photo_root = photo_root or settings.home / "photos"
    router = APIRouter(prefix=API_PREFIX)

    @router.get("/health", tags=["system"], summary="Liveness and store check")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__, "store": svc.store.dialect}

    for concern in (
        sessions,
        users,
        audit,
        subjects,
        cases,
        leads,
        resolve,
        merge,
        search,
        lifecycle,
        claims,
        operations,
        ingest,
        tasks,
        evidence,
        graph,
        timeline,
        oversight,
        proofs,
    ):
        router.include_router(concern.router)
    router.include_router(lifecycle.public)
    app.include_router(router)
    _install_error_handlers(app)
    # Added before CredentialsFirst, so a call with no session is told to sign in first.
    app.add_middleware(
        NulGuard, api_prefix=API_PREFIX, templates=lambda: app.openapi()["paths"].keys()
    )
    app.add_middleware(
        CredentialsFirst,
        prefix=API_PREFIX,
        public=PUBLIC_ROUTES,
        open_prefixes=[f"{API_PREFIX}/docs"],
    )
    web_pages.install(app)
    if settings.trusted_proxies:
        # Outermost, so every route, the pages' headers and the locator's rate limit see the
        # client and scheme the proxy reports. From any other peer the headers are ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app
