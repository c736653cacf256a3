"""Statements: one value of one property of one entity, from one source record.

Names follow followthemoney (``Person``, ``firstName``, ``birthDate``, ``idNumber`` ...), so a
subject exports to followthemoney one to one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


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
