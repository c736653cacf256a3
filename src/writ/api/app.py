"""The HTTP application: the versioned API under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from writ import __version__
from writ.service import Services
from writ.service.runtime import open_services

API_PREFIX = "/api/v1"


def create_app(services: Services | None = None) -> FastAPI:
    """The application over ``services`` (default: the configured store)."""
    svc = services or open_services()
    app = FastAPI(
        title="writ",
        version=__version__,
        description=(
            "Open, accountable case management. Every call is checked by policy and audited."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.services = svc
    router = APIRouter(prefix=API_PREFIX)

    @router.get("/health", tags=["system"], summary="Liveness and store check")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__, "store": svc.store.dialect}

    app.include_router(router)
    return app
