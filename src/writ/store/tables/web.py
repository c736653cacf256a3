"""Web tables: server-side sessions of signed-in people.

The session token itself is never stored: ``id`` is its SHA-256, so a copy of the database does
not let anyone act as a signed-in user. A session also keeps the messages its next page shows
once ("Case opened"): writ never reads a message from the address.
"""

from sqlalchemy import Column, Index, String, Table, Text

from writ.store.tables.base import metadata

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("username", String(128), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("origin", String(128), nullable=False),
    Column("acr", String(64), nullable=False, default=""),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    # When the person last proved who they are (OIDC ``auth_time``; sign-in time for local).
    Column("auth_time", String(32)),
    Column("last_seen_at", String(32), nullable=False),
    Column("ended_at", String(32)),
    Column("end_reason", String(32)),
    # The one-time messages of the next page (JSON list of {kind, text}), taken when shown.
    Column("flash", Text),
    Index("ix_web_sessions_user", "username"),
)
