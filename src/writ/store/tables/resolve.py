"""Entity resolution tables: models, resolved person records, scored pairs, judgements, events.

Nothing here is ever deleted or edited in place except the current assignment of a record to a
subject (``resolve_records``), whose every change is written to ``resolve_events`` with what it
was before, so any merge or split can be undone. Matches are superseded, never deleted;
judgements are an append-only log in which a newer judgement of a pair supersedes the older.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from writ.store.tables.base import metadata

_Counter = BigInteger().with_variant(Integer, "sqlite")

# Trained linkage models: the versioned JSON artefact, kept for as long as a match names it.
resolve_models = Table(
    "resolve_models",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("artefact", Text, nullable=False),
    Column("trained_by", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("active", Boolean, nullable=False, default=False),
)

# One row per person entity taken into resolution: its prepared features and current subject.
resolve_records = Table(
    "resolve_records",
    metadata,
    Column("entity_id", String(128), primary_key=True),
    Column("source", String(128), nullable=False),
    Column("record_id", String(256), nullable=False),
    Column("features", JSON, nullable=False),
    Column("features_sha", String(40), nullable=False),
    Column("subject_id", String(32), nullable=False),
    Column("assigned_at", String(32), nullable=False),
    Column("assigned_by", String(128), nullable=False),
    Column("model_version", String(32)),
    Index("ix_resolve_records_subject", "subject_id"),
    Index("ix_resolve_records_source", "source", "record_id"),
)

# Look-up keys of each record (same A-number, same family-name sound and birth year, ...): the
# index through which one new record finds its candidates among millions.
resolve_keys = Table(
    "resolve_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("entity_id", String(128), primary_key=True),
    Index("ix_resolve_keys_entity", "entity_id"),
)

# Subjects: one per real person as writ believes it. A subject that lost all its records to a
# merge says into which subject they went.
resolve_subjects = Table(
    "resolve_subjects",
    metadata,
    Column("subject_id", String(32), primary_key=True),
    Column("status", String(16), nullable=False),  # active | merged | empty
    Column("merged_into", String(32)),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

# Scored pairs at or above the review threshold, with what each comparison added and the model
# that scored them. A re-score supersedes the row; the row stays.
resolve_matches = Table(
    "resolve_matches",
    metadata,
    Column("id", _Counter, primary_key=True, autoincrement=True),
    Column("left_id", String(128), nullable=False),
    Column("right_id", String(128), nullable=False),
    Column("weight", Float, nullable=False),
    Column("probability", Float, nullable=False),
    Column("outcome", String(16), nullable=False),  # accept | review | reject
    Column("conflicts", JSON, nullable=False),
    Column("levels", JSON, nullable=False),
    Column("weights", JSON, nullable=False),
    Column("model_version", String(32), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("superseded_at", String(32)),
    Index("ix_resolve_matches_pair", "left_id", "right_id"),
    Index("ix_resolve_matches_right", "right_id"),
    Index("ix_resolve_matches_open", "outcome", "superseded_at"),
)

# Human judgements of a pair of records, append-only: the newest row of a pair is in force.
resolve_judgements = Table(
    "resolve_judgements",
    metadata,
    Column("id", _Counter, primary_key=True, autoincrement=True),
    Column("left_id", String(128), nullable=False),
    Column("right_id", String(128), nullable=False),
    Column("verdict", String(16), nullable=False),  # same | not_same | unsure | withdrawn
    Column("user", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("match_id", _Counter),  # the scored pair the reviewer saw, if any
    Column("machine_said", JSON),  # weight, outcome and model version at the time
    Column("event_id", _Counter),  # the merge, split or undo that wrote it
    Column("created_at", String(32), nullable=False),
    Index("ix_resolve_judgements_pair", "left_id", "right_id"),
)

# Every change of assignment: runs, merges, splits, decisions, undos; ``changes`` holds each
# moved record's subject before and after, which is what an undo restores.
resolve_events = Table(
    "resolve_events",
    metadata,
    Column("id", _Counter, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # run | match | merge | split | decide | undo
    Column("user", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("model_version", String(32)),
    Column("changes", JSON, nullable=False),
    Column("judgements", JSON, nullable=False),
    Column("undoes", _Counter),
    Column("created_at", String(32), nullable=False),
)
