"""Every table of writ, one module per concern, all on one MetaData."""

from writ.store.tables import core, ingest
from writ.store.tables.base import metadata

__all__ = ["core", "ingest", "metadata"]
