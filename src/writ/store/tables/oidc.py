"""OIDC tables: who a provider's subject is in writ, and the sign-ins under way.

``oidc_identities`` links an issuer's ``sub`` to a writ user name: a person is matched by the
subject the provider vouches for, never by a name or an e-mail address they could change.
``oidc_requests`` holds each authorisation request until its answer comes back: the hashed
``state`` and the browser cookie it was given to, the nonce, the PKCE verifier, the purpose of use
chosen, and the page to go back to. A request is used once and is deleted when answered.
"""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from writ.store.tables.base import metadata

oidc_identities = Table(
    "oidc_identities",
    metadata,
    Column("issuer", String(512), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column("username", String(128), ForeignKey("users.username"), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("last_sign_in_at", String(32), nullable=False),
)

oidc_requests = Table(
    "oidc_requests",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("browser", String(64), nullable=False),
    Column("nonce", String(128), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("next_page", Text, nullable=False),
    Column("acr_values", String(255), nullable=False),
    Column("step_up_user", String(128)),
    Column("created_at", String(32), nullable=False),
    Index("ix_oidc_requests_created", "created_at"),
)
