"""Statements: keyed by record, and only looked-up properties in the (prop, value) index.

The primary key was the statement id alone, a hash, so every value an ingest added went to a
random page of the key; the (prop, value) index held every value, names and dates included,
though only references and identifiers are ever looked up by value. Measured on PostgreSQL 15
with 2,000,000 statements inserted at once: 63.8 s with the old four indexes, 25.0 s with these
three. ``(source, record_id, id)`` also serves what ``ix_statements_record`` served.

On a large store the upgrade builds the new key over every statement while it holds the table:
run it in a maintenance window (``writ db upgrade``), not under a running ingest.

SQLite keeps the (prop, value) index whole: it uses a partial index only when the query repeats
the index's condition word for word, and cannot tell that ``prop = 'idNumber'`` lies within an
``IN`` list, so a partial index there would leave every lookup by value a full scan.

Revision ID: 0010_statement_keys
Revises: 0001_core
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_statement_keys"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# writ.model.statement.LOOKUP_PROPS when this revision was written (a migration keeps its own
# copy: the code's list may grow, and each growth is a migration of its own).
LOOKUP_PROPS = (
    "addressEntity",
    "asset",
    "associate",
    "director",
    "employee",
    "employer",
    "holder",
    "member",
    "organization",
    "owner",
    "person",
    "relative",
    "idNumber",
    "passportNumber",
    "taxNumber",
    "registrationNumber",
    "address",
    "number",
)
LOOKUP = sa.text("prop IN (" + ", ".join(f"'{prop}'" for prop in LOOKUP_PROPS) + ")")


def upgrade() -> None:
    with op.batch_alter_table("statements", schema=None, recreate="auto") as batch_op:
        batch_op.drop_index("ix_statements_prop_value")
        batch_op.drop_index("ix_statements_record")
        batch_op.drop_constraint("pk_statements", type_="primary")
        batch_op.create_primary_key("pk_statements", ["source", "record_id", "id"])
        batch_op.create_index(
            "ix_statements_lookup",
            ["prop", "value"],
            unique=False,
            postgresql_where=LOOKUP,  # SQLite would not use it partial: see the docstring
        )


def downgrade() -> None:
    with op.batch_alter_table("statements", schema=None, recreate="auto") as batch_op:
        batch_op.drop_index("ix_statements_lookup")
        batch_op.drop_constraint("pk_statements", type_="primary")
        batch_op.create_primary_key("pk_statements", ["id"])
        batch_op.create_index("ix_statements_record", ["source", "record_id"], unique=False)
        batch_op.create_index("ix_statements_prop_value", ["prop", "value"], unique=False)
