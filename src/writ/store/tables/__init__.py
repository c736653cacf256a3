"""Every table of writ, one module per concern, all on one MetaData."""

from writ.store.tables import cases, core, ingest, lifecycle, resolve, search, web
from writ.store.tables.base import metadata

__all__ = ["cases", "core", "ingest", "lifecycle", "metadata", "resolve", "search", "web"]
