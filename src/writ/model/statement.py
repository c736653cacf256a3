"""Statements: one value of one property of one entity, from one source record.

Names follow followthemoney (``Person``, ``firstName``, ``birthDate``, ``idNumber`` ...), so a
subject exports to followthemoney one to one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# The properties whose statements writ looks up by value: references from one entity to another
# (a family link's ``person``, a passport's ``holder``) and identifiers (A-numbers, document
# numbers). On PostgreSQL only these are in the store's (prop, value) index: a name, date or
# country is never looked up that way (names go through the search index), and indexing them was
# most of what an ingest cost the database. A new lookup by value needs its property here and a
# migration that puts it in the index (``ix_statements_lookup``); tests/test_store.py checks both.
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


def statement_id(source: str, record_id: str, entity_id: str, prop: str, value: str) -> str:
    """A stable id: the same value from the same record is the same statement."""
    key = "\x1f".join((source, record_id, entity_id, prop, value))
    return hashlib.sha1(key.encode()).hexdigest()


@dataclass(frozen=True)
class Statement:
    source: str
    record_id: str
    entity_id: str
    schema: str
    prop: str
    value: str
    original_value: str | None
    first_seen: str
    last_seen: str
    validation_error: str | None = None
    superseded_at: str | None = None

    @property
    def id(self) -> str:
        return statement_id(self.source, self.record_id, self.entity_id, self.prop, self.value)
