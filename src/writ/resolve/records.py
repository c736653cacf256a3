"""Person records from the statements table, and the look-up keys that find their candidates.

Ingest writes one entity per mapped entity of a source row: a ``Person`` with names and dates, a
``Passport`` or ``Identification`` whose ``holder`` is that person, an ``Address`` the person's
``addressEntity`` points to. A person record for linkage is the person's own values plus the
number of every document it holds and the values of its address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from writ.resolve.features import PersonRecord
from writ.store.tables.core import statements

DOCUMENT_SCHEMATA = ("Passport", "Identification")
ADDRESS_PROPS = ("full", "street", "city", "postalCode", "state")
LINKED_SCHEMATA = ("Person", *DOCUMENT_SCHEMATA, "Address")


@dataclass(frozen=True)
class SourcedPerson:
    """A person entity with the source row it came from, ready for feature preparation."""

    entity_id: str
    source: str
    record_id: str
    record: PersonRecord


def _document_props(schema: str, props: Mapping[str, list[str]]) -> dict[str, list[str]]:
    numbers = props.get("number", [])
    if schema == "Passport":
        return {"passportNumber": numbers}
    kind = " ".join(props.get("type", [])).lower()
    if "alien" in kind or "a-number" in kind:
        return {"aNumber": numbers}
    if "passport" in kind:
        return {"passportNumber": numbers}
    return {"idNumber": numbers}


def assemble_people(rows: Iterable[Any]) -> list[SourcedPerson]:
    """Person records from statement rows (source, record_id, entity_id, schema, prop, value)."""
    entities: dict[str, dict[str, Any]] = {}
    for row in rows:
        entity = entities.setdefault(
            row.entity_id,
            {"schema": row.schema, "source": row.source, "record_id": row.record_id, "props": {}},
        )
        entity["props"].setdefault(row.prop, []).append(row.value)
    people: dict[str, dict[str, list[str]]] = {
        eid: {prop: sorted(values) for prop, values in e["props"].items()}
        for eid, e in entities.items()
        if e["schema"] == "Person"
    }
    for entity in entities.values():
        if entity["schema"] in DOCUMENT_SCHEMATA:
            for holder in entity["props"].get("holder", []):
                if holder in people:
                    for prop, values in _document_props(entity["schema"], entity["props"]).items():
                        people[holder].setdefault(prop, []).extend(sorted(values))
    for props in people.values():
        for address_id in props.get("addressEntity", []):
            address = entities.get(address_id)
            if address is not None and address["schema"] == "Address":
                for prop in ADDRESS_PROPS:
                    props.setdefault(prop, []).extend(sorted(address["props"].get(prop, [])))
    return [
        SourcedPerson(
            eid, entities[eid]["source"], entities[eid]["record_id"], PersonRecord(eid, p)
        )
        for eid, p in sorted(people.items())
    ]


def load_people(
    session: Session, records: Iterable[tuple[str, str]] | None = None
) -> list[SourcedPerson]:
    """Every current person in the store, or those of the given (source, record_id) rows."""
    query = select(
        statements.c.source,
        statements.c.record_id,
        statements.c.entity_id,
        statements.c.schema,
        statements.c.prop,
        statements.c.value,
    ).where(statements.c.superseded_at.is_(None), statements.c.schema.in_(LINKED_SCHEMATA))
    if records is None:
        return assemble_people(session.execute(query))
    wanted = sorted(set(records))
    people: list[SourcedPerson] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for source in sorted({s for s, _ in chunk}):
            ids = [r for s, r in chunk if s == source]
            people += assemble_people(
                session.execute(
                    query.where(statements.c.source == source, statements.c.record_id.in_(ids))
                )
            )
    return people


def lookup_keys(features: Mapping[str, Any]) -> set[str]:
    """The keys a record is filed under; two records sharing one are scored against each other."""
    f = features
    keys = set()
    for prefix, column in (("a", "a_number"), ("p", "passport"), ("i", "id_number")):
        if f.get(column):
            keys.add(f"{prefix}:{f[column]}")
    pairs = (
        ("fy", "family_phonetic", "birth_year"),
        ("gd", "given_first", "birth_date"),
        ("fd", "family_first", "birth_date"),
        ("ld", "family_last", "birth_date"),
        ("nm", "given_phonetic", "family_phonetic", "birth_month", "birth_day"),
        ("ny", "name_sorted", "birth_year"),
        ("gf", "given_phonetic", "family_phonetic"),
        ("nn", "given_first", "family_first"),
    )
    for prefix, *columns in pairs:
        if all(f.get(column) for column in columns):
            keys.add(f"{prefix}:" + "|".join(str(f[column]) for column in columns))
    return {key[:200] for key in keys}


def probe_keys(features: Mapping[str, Any]) -> set[str]:
    """The keys to look a record up under: its own, and its names the other way round."""
    keys = lookup_keys(features)
    f = features
    if f.get("given_first") and f.get("family_first"):
        keys.add(f"nn:{f['family_first']}|{f['given_first']}"[:200])
    if f.get("given_phonetic") and f.get("family_phonetic"):
        keys.add(f"gf:{f['family_phonetic']}|{f['given_phonetic']}"[:200])
    if f.get("birth_date"):
        # One record's first given name as the other's first family name, with the birth date.
        if f.get("family_first"):
            keys.add(f"gd:{f['family_first']}|{f['birth_date']}"[:200])
        if f.get("given_first"):
            keys.add(f"fd:{f['given_first']}|{f['birth_date']}"[:200])
    return keys
