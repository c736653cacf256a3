"""Every table of writ, one module per concern, all on one MetaData."""

from writ.store.tables import cases, core, ingest, search
from writ.store.tables.base import metadata

__all__ = ["cases", "core", "ingest", "metadata", "search"]
