"""Ingest tables: the sources registry, ingest runs, source records and the quarantine.

The values themselves are statements (``core.statements``); a record row says which source row
they came from, and the run row says how far an ingest has got, so that a killed run resumes.
"""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from writ.store.tables.base import metadata

_Counter = BigInteger().with_variant(Integer, "sqlite")

# One row per source: what it is and the legal basis on which writ holds it.
sources = Table(
    "sources",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("title", String(256), nullable=False),
    Column("authority", Text, nullable=False),
    Column("data_category", String(128), nullable=False),
    Column("retention", String(32), nullable=False),
    Column("mapping_path", Text, nullable=False),
    Column("mapping_sha256", String(64), nullable=False),
    Column("registered_at", String(32), nullable=False),
    Column("last_ingest_at", String(32)),
)

# One row per run of `writ ingest`; ``position`` is the number of source rows committed so far.
ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("mapping_sha256", String(64), nullable=False),
    Column("input", Text, nullable=False),
    Column("input_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("position", _Counter, nullable=False),
    Column("last_line", _Counter, nullable=False),
    Column("rows_read", _Counter, nullable=False),
    Column("rows_new", _Counter, nullable=False),
    Column("rows_changed", _Counter, nullable=False),
    Column("rows_unchanged", _Counter, nullable=False),
    Column("rows_quarantined", _Counter, nullable=False),
    Column("statements_added", _Counter, nullable=False),
    Column("statements_superseded", _Counter, nullable=False),
    Column("started_by", String(128), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Index("ix_ingest_runs_source", "source", "status"),
)

# One row per source record (a row of the source with a key): where its statements came from.
source_records = Table(
    "source_records",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("record_id", String(256), primary_key=True),
    Column("row_sha256", String(64), nullable=False),
    Column("mapping_sha256", String(64), nullable=False),
    Column("line", _Counter, nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
)

# One row per source row that could not be taken; ``row`` keeps it whole for a retry. The same
# bad row met again in a later run is the same entry (matched on ``row_sha256``), seen again.
quarantine = Table(
    "quarantine",
    metadata,
    Column("id", _Counter, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("file", Text, nullable=False),
    Column("line", _Counter, nullable=False),
    Column("field", String(256), nullable=False),
    Column("value", Text),
    Column("reason", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("problems", Text, nullable=False),
    Column("row", Text),
    Column("row_sha256", String(64), nullable=False),
    Column("record_id", String(256)),
    Column("status", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    Column("resolved_at", String(32)),
    Index("ix_quarantine_source", "source", "status"),
    Index("ix_quarantine_content", "source", "row_sha256"),
    Index("ix_quarantine_record", "source", "record_id"),
    Index("ix_quarantine_run", "run_id", "line"),
)
