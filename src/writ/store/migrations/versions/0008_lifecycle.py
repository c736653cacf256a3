"""lifecycle tables: immigration cases, legal documents, gated actions, overrides, custody,
family links, removal plans, operation plans, priority sets, locator requests

Revision ID: 0008_lifecycle
Revises: 0001_core
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_lifecycle"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = ("lifecycle",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "facilities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("visiting", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    op.create_table(
        "immigration_cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_name", sa.String(length=256), nullable=False),
        sa.Column("subject_name_key", sa.String(length=256), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("country_of_birth", sa.String(length=2), nullable=True),
        sa.Column("a_number", sa.String(length=16), nullable=True),
        sa.Column("entity_id", sa.String(length=128), nullable=True),
        sa.Column("citizenship", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("compartments", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.Boolean(), nullable=False),
        sa.Column("investigation_case_id", sa.String(length=64), nullable=True),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("opened_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_immigration_cases")),
    )
    op.create_index(
        "ix_immigration_cases_a_number", "immigration_cases", ["a_number"], unique=False
    )
    op.create_index(
        "ix_immigration_cases_name",
        "immigration_cases",
        ["subject_name_key", "birth_date"],
        unique=False,
    )
    op.create_index("ix_immigration_cases_state", "immigration_cases", ["state"], unique=False)
    op.create_table(
        "locator_requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locator_requests")),
    )
    op.create_index(
        "ix_locator_requests_client", "locator_requests", ["client", "requested_at"], unique=False
    )
    op.create_table(
        "operation_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("planned_for", sa.String(length=32), nullable=False),
        sa.Column("sensitive_location", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.String(length=128), nullable=True),
        sa.Column("approver_roles", sa.JSON(), nullable=True),
        sa.Column("approved_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_plans")),
    )
    op.create_table(
        "priority_sets",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=128), nullable=False),
        sa.Column("saved_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_sets")),
    )
    op.create_table(
        "custody_bookings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("facility_id", sa.String(length=32), nullable=False),
        sa.Column("booked_at", sa.String(length=32), nullable=False),
        sa.Column("booked_by", sa.String(length=128), nullable=False),
        sa.Column("released_at", sa.String(length=32), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_custody_bookings_case_id_immigration_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_custody_bookings_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_bookings")),
    )
    op.create_index("ix_custody_bookings_case", "custody_bookings", ["case_id"], unique=False)
    op.create_table(
        "family_links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("linked_case_id", sa.String(length=32), nullable=True),
        sa.Column("whereabouts", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_family_links_case_id_immigration_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["linked_case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_family_links_linked_case_id_immigration_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_links")),
    )
    op.create_index("ix_family_links_case", "family_links", ["case_id"], unique=False)
    op.create_table(
        "gated_actions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=False),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("requested_at", sa.String(length=32), nullable=False),
        sa.Column("effective_at", sa.String(length=32), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=True),
        sa.Column("operation_id", sa.String(length=32), nullable=True),
        sa.Column("evaluation", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_gated_actions_case_id_immigration_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gated_actions")),
    )
    op.create_index("ix_gated_actions_case", "gated_actions", ["case_id", "id"], unique=False)
    op.create_table(
        "legal_documents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_legal_documents_case_id_immigration_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_documents")),
    )
    op.create_index("ix_legal_documents_case", "legal_documents", ["case_id", "kind"], unique=False)
    op.create_table(
        "operation_cases",
        sa.Column("operation_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approval_evaluation", sa.JSON(), nullable=True),
        sa.Column("execution_evaluation", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_operation_cases_case_id_immigration_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operation_plans.id"],
            name=op.f("fk_operation_cases_operation_id_operation_plans"),
        ),
        sa.PrimaryKeyConstraint("operation_id", "case_id", name=op.f("pk_operation_cases")),
    )
    op.create_table(
        "custody_transfers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("booking_id", sa.String(length=32), nullable=False),
        sa.Column("from_facility_id", sa.String(length=32), nullable=False),
        sa.Column("to_facility_id", sa.String(length=32), nullable=False),
        sa.Column("transferred_at", sa.String(length=32), nullable=False),
        sa.Column("transferred_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["custody_bookings.id"],
            name=op.f("fk_custody_transfers_booking_id_custody_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["from_facility_id"],
            ["facilities.id"],
            name=op.f("fk_custody_transfers_from_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["to_facility_id"],
            ["facilities.id"],
            name=op.f("fk_custody_transfers_to_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_transfers")),
    )
    op.create_table(
        "gate_overrides",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("granted_by", sa.String(length=128), nullable=False),
        sa.Column("granted_roles", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.String(length=32), nullable=False),
        sa.Column(
            "blocked_attempt_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["blocked_attempt_id"],
            ["gated_actions.id"],
            name=op.f("fk_gate_overrides_blocked_attempt_id_gated_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_gate_overrides_case_id_immigration_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_overrides")),
    )
    op.create_index("ix_gate_overrides_case", "gate_overrides", ["case_id"], unique=False)
    op.create_table(
        "removal_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("travel_document_id", sa.String(length=64), nullable=True),
        sa.Column("itinerary", sa.JSON(), nullable=False),
        sa.Column("escort", sa.JSON(), nullable=False),
        sa.Column("scheduled_for", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_by", sa.String(length=128), nullable=False),
        sa.Column("planned_at", sa.String(length=32), nullable=False),
        sa.Column("executed_at", sa.String(length=32), nullable=True),
        sa.Column("boarding_completed_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["immigration_cases.id"],
            name=op.f("fk_removal_plans_case_id_immigration_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["travel_document_id"],
            ["legal_documents.id"],
            name=op.f("fk_removal_plans_travel_document_id_legal_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_plans")),
    )
    op.create_index("ix_removal_plans_case", "removal_plans", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_removal_plans_case", table_name="removal_plans")
    op.drop_table("removal_plans")
    op.drop_index("ix_gate_overrides_case", table_name="gate_overrides")
    op.drop_table("gate_overrides")
    op.drop_table("custody_transfers")
    op.drop_table("operation_cases")
    op.drop_index("ix_legal_documents_case", table_name="legal_documents")
    op.drop_table("legal_documents")
    op.drop_index("ix_gated_actions_case", table_name="gated_actions")
    op.drop_table("gated_actions")
    op.drop_index("ix_family_links_case", table_name="family_links")
    op.drop_table("family_links")
    op.drop_index("ix_custody_bookings_case", table_name="custody_bookings")
    op.drop_table("custody_bookings")
    op.drop_table("priority_sets")
    op.drop_table("operation_plans")
    op.drop_index("ix_locator_requests_client", table_name="locator_requests")
    op.drop_table("locator_requests")
    op.drop_index("ix_immigration_cases_state", table_name="immigration_cases")
    op.drop_index("ix_immigration_cases_name", table_name="immigration_cases")
    op.drop_index("ix_immigration_cases_a_number", table_name="immigration_cases")
    op.drop_table("immigration_cases")
    op.drop_table("facilities")
