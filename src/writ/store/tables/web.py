"""Web tables: server-side sessions of signed-in people.

The session token itself is never stored: ``id`` is its SHA-256, so a copy of the database does
not let anyone act as a signed-in user. A session also keeps the messages its next page shows
once ("Case opened"): writ never reads a message from the address.

Sign-in attempts are counted before the password is checked (``sign_in_attempts``), under a lock
on the user name's row in ``sign_in_guards``, which also keeps the last one-time code step used.
"""

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

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

# One row per user name ever tried: taken FOR UPDATE (PostgreSQL; SQLite's write lock does the
# same) while an attempt is counted, so simultaneous attempts are counted one after the other.
sign_in_guards = Table(
    "sign_in_guards",
    metadata,
    Column("username", String(128), primary_key=True),
    # The RFC 6238 time step of the last one-time code that signed in: a code works once.
    Column("last_totp_step", BigInteger),
)

# Local sign-in attempts of the last 15 minutes: counted when they start (outcome empty until
# the password and code are checked), so an attempt still being checked counts as a failure.
sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("outcome", String(16)),
    Index("ix_sign_in_attempts_user", "username", "started_at"),
)
