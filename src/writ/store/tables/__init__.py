"""Every table of writ, one module per concern, all on one MetaData."""

from writ.store.tables import cases, core, ingest, lifecycle, oidc, resolve, search, web
from writ.store.tables.base import metadata

__all__ = ["cases", "core", "ingest", "lifecycle", "metadata", "oidc", "resolve", "search", "web"]
