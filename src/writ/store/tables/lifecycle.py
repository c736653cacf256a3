"""Lifecycle tables: immigration cases, legal documents on file, gated actions and overrides,
custody, family links, removal logistics, operation plans, priority sets, locator requests.

Times are ISO 8601 UTC strings (``2025-03-03T09:00:00.000000Z``), as in the core tables, so they
sort and compare the same on SQLite and PostgreSQL. Nothing here is ever deleted: a revoked
document keeps its row, an override stays on the case for ever.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from writ.store.tables.base import metadata

_Serial = BigInteger().with_variant(Integer, "sqlite")

# One immigration case per person and proceeding. The investigations case it belongs to, if any,
# is a plain id: the cases workspace is another concern and may live elsewhere.
immigration_cases = Table(
    "immigration_cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("subject_name", String(256), nullable=False),
    Column("subject_name_key", String(256), nullable=False),
    Column("birth_date", String(10)),
    Column("country_of_birth", String(2)),
    Column("a_number", String(16)),
    Column("entity_id", String(128)),
    Column("citizenship", String(16), nullable=False),
    Column("state", String(32), nullable=False),
    Column("unit", String(128), nullable=False),
    Column("compartments", JSON, nullable=False),
    Column("sealed", Boolean, nullable=False, default=False),
    Column("investigation_case_id", String(64)),
    Column("opened_by", String(128), nullable=False),
    Column("opened_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_immigration_cases_a_number", "a_number"),
    Index("ix_immigration_cases_name", "subject_name_key", "birth_date"),
    Index("ix_immigration_cases_state", "state"),
)

# Legal documents on file. ``record`` is the whole typed document as plain data; the columns
# beside it are copies for querying.
legal_documents = Table(
    "legal_documents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("issued_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
    Column("record", JSON, nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Index("ix_legal_documents_case", "case_id", "kind"),
)

# Every gated action requested on a case, done or blocked, with the gate evaluation.
gated_actions = Table(
    "gated_actions",
    metadata,
    Column("id", _Serial, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(32), nullable=False),
    Column("to_state", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", String(32), nullable=False),
    Column("effective_at", String(32), nullable=False),
    Column("destination_country", String(2)),
    Column("operation_id", String(32)),
    Column("evaluation", JSON, nullable=False),
    Index("ix_gated_actions_case", "case_id", "id"),
)

# Overrides of soft gates: who asked, who granted, in what role, why. Never deleted.
gate_overrides = Table(
    "gate_overrides",
    metadata,
    Column("id", _Serial, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("granted_by", String(128), nullable=False),
    Column("granted_roles", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("granted_at", String(32), nullable=False),
    Column("blocked_attempt_id", _Serial, ForeignKey("gated_actions.id"), nullable=False),
    Index("ix_gate_overrides_case", "case_id"),
)

facilities = Table(
    "facilities",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("address", Text, nullable=False),
    Column("phone", String(64), nullable=False),
    Column("visiting", Text, nullable=False, default=""),
)

# A booking is one stay in custody; a transfer moves it to another facility at once.
custody_bookings = Table(
    "custody_bookings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), nullable=False),
    Column("facility_id", String(32), ForeignKey("facilities.id"), nullable=False),
    Column("booked_at", String(32), nullable=False),
    Column("booked_by", String(128), nullable=False),
    Column("released_at", String(32)),
    Column("release_reason", Text),
    Index("ix_custody_bookings_case", "case_id"),
)

custody_transfers = Table(
    "custody_transfers",
    metadata,
    Column("id", _Serial, primary_key=True, autoincrement=True),
    Column("booking_id", String(32), ForeignKey("custody_bookings.id"), nullable=False),
    Column("from_facility_id", String(32), ForeignKey("facilities.id"), nullable=False),
    Column("to_facility_id", String(32), ForeignKey("facilities.id"), nullable=False),
    Column("transferred_at", String(32), nullable=False),
    Column("transferred_by", String(128), nullable=False),
)

# Family members on file belong to the person's case, not to a booking: separate custody,
# transfers and releases leave them as they are.
family_links = Table(
    "family_links",
    metadata,
    Column("id", _Serial, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("name", String(256), nullable=False),
    Column("minor", Boolean, nullable=False),
    Column("linked_case_id", String(32), ForeignKey("immigration_cases.id")),
    Column("whereabouts", Text),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Index("ix_family_links_case", "case_id"),
)

removal_plans = Table(
    "removal_plans",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), nullable=False),
    Column("destination_country", String(2), nullable=False),
    Column("travel_document_id", String(64), ForeignKey("legal_documents.id")),
    Column("itinerary", JSON, nullable=False),
    Column("escort", JSON, nullable=False),
    Column("scheduled_for", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("planned_by", String(128), nullable=False),
    Column("planned_at", String(32), nullable=False),
    Column("executed_at", String(32)),
    Column("boarding_completed_at", String(32)),
    Index("ix_removal_plans_case", "case_id"),
)

operation_plans = Table(
    "operation_plans",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", String(256), nullable=False),
    Column("unit", String(128), nullable=False),
    Column("planned_for", String(32), nullable=False),
    Column("sensitive_location", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("approved_by", String(128)),
    Column("approver_roles", JSON),
    Column("approved_at", String(32)),
)

operation_cases = Table(
    "operation_cases",
    metadata,
    Column("operation_id", String(32), ForeignKey("operation_plans.id"), primary_key=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("approval_evaluation", JSON),
    Column("execution_evaluation", JSON),
)

priority_sets = Table(
    "priority_sets",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(256), nullable=False),
    Column("text", Text, nullable=False),
    Column("saved_by", String(128), nullable=False),
    Column("saved_at", String(32), nullable=False),
)

# Public locator requests, for rate limiting: the client key only, never the search terms.
locator_requests = Table(
    "locator_requests",
    metadata,
    Column("id", _Serial, primary_key=True, autoincrement=True),
    Column("client", String(64), nullable=False),
    Column("requested_at", String(32), nullable=False),
    Index("ix_locator_requests_client", "client", "requested_at"),
)

# Photos of record (a booking photo): content-addressed files (SHA-256) outside the database, with
# where each came from and the legal basis for holding it. A new photo supersedes the old one,
# which keeps its row. Never compared with other images: writ does no face recognition.
photos_of_record = Table(
    "photos_of_record",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("immigration_cases.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("media_type", String(32), nullable=False),
    Column("source", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("taken_at", String(32)),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("superseded_at", String(32)),
    Index("ix_photos_of_record_case", "case_id"),
)
