"""Candidates for a single-record look-up, found through indexes, never by a scan.

Two indexed sources, each a handful of index probes whatever the number of subjects:

- the look-up keys (``resolve_keys``): the same blocks the batch linker scores pairs within
  (same A-number, passport or identity number; family-name sound and birth year; first given
  name and birth date; the sound of both names; both names either way round), so every pair the
  batch would score, the look-up scores too;
- the name index of search (``search_keys``, ``search_names``): the names whose keys are most
  alike the probe's (pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite), for misspellings
  that change a name's sound as well as its letters.

Each source is one statement that returns the candidates' stored records with their markings.
The service asks the name index only when the keys bring no candidate the model would keep (a
weight at or above the review threshold), so a probe whose keys find the person does not pay for
the fuzzy search.

Keys that hold a name and nothing sharper (name sounds, names either way round, family-name
sound and birth year) and the name index can hold hundreds of records for a common name among a
million. From those, when the probe has a birth year, only records whose birth year is unknown or
less than five years off are taken (further off, the model's weight for the birth date is its
lowest, and the pair would rank below any namesake of the right age), and at most ``WEAK_ROWS``
per key. Identifier keys and keys with a full birth date are taken whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    cast,
    func,
    or_,
    select,
    text,
    true,
    union,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Subquery

from writ.model.resource import Resource
from writ.resolve.features import GIVEN_PROPS
from writ.resolve.records import probe_keys
from writ.search.names import retrieval_key, trigrams
from writ.store.tables.core import markings
from writ.store.tables.resolve import resolve_keys, resolve_records
from writ.store.tables.search import search_keys, search_names

NAME_KEYS = 20  # distinct name keys taken from the name index, most alike first
NAME_ROWS = 100  # resolved person records taken from those keys
WEAK_KEYS = ("fy:", "ny:", "gf:", "nn:")  # look-up keys with a name and no sharper value
WEAK_ROWS = 100  # records taken from one such key
AGE_YEARS = 5  # birth years this far apart fall in the model's lowest birth-date level
PG_SIMILARITY = 0.45  # pg_trgm threshold: below it a name key is no candidate


def probe_name(props: Mapping[str, Sequence[str]]) -> str:
    """The probe's name as one string: given names and family name, or its full name."""
    given = [v for p in GIVEN_PROPS for v in props.get(p, ()) if v]
    family = [v for v in props.get("lastName", ()) if v][:1]
    parts = given + family
    if not parts:
        parts = [v for v in props.get("name", ()) if v][:1]
    return " ".join(parts)


def by_keys(session: Session, probe: Mapping[str, Any]) -> dict[str, Any]:
    """The records sharing a look-up key with the probe (entity id -> ``resolve_records`` row,
    with the person's markings, if any, for the read check)."""
    keys = sorted(probe_keys(probe))
    sharp = [k for k in keys if not k.startswith(WEAK_KEYS)]
    weak = [k for k in keys if k.startswith(WEAK_KEYS)]
    sources: list[Select[Any]] = []
    if sharp:
        sources.append(select(resolve_keys.c.entity_id).where(resolve_keys.c.key.in_(sharp)))
    if weak:
        ranked = (
            select(
                resolve_keys.c.entity_id,
                func.row_number()
                .over(partition_by=resolve_keys.c.key, order_by=resolve_keys.c.entity_id)
                .label("place"),
            )
            .join(resolve_records, resolve_records.c.entity_id == resolve_keys.c.entity_id)
            .where(resolve_keys.c.key.in_(weak), _age_filter(probe))
            .subquery("weak_keys")
        )
        sources.append(select(ranked.c.entity_id).where(ranked.c.place <= WEAK_ROWS))
    if not sources:
        return {}
    return _records(session, union(*sources).subquery("candidate_ids"))


def by_name(
    session: Session, probe: Mapping[str, Any], props: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """The records whose indexed names are most alike the probe's (search's name index), in the
    same form as ``by_keys``."""
    names = _by_name(session, retrieval_key(probe_name(props)), _age_filter(probe))
    return {} if names is None else _records(session, names.subquery("alike_ids"))


def _records(session: Session, ids: Subquery) -> dict[str, Any]:
    """The ``resolve_records`` rows of the entity ids ``ids`` selects, with their markings."""
    marked = and_(markings.c.kind == "person", markings.c.object_id == resolve_records.c.entity_id)
    rows = session.execute(
        select(
            resolve_records,
            markings.c.object_id.label("marked"),
            markings.c.unit.label("marking_unit"),
            markings.c.compartments.label("marking_compartments"),
            markings.c.sealed.label("marking_sealed"),
        )
        .outerjoin(markings, marked)
        .where(resolve_records.c.entity_id.in_(select(ids.c.entity_id)))
    )
    return {row.entity_id: row for row in rows}


def person_resource(row: Any) -> Resource:
    """The policy's view of a candidate's person, from the markings that came with its row
    (as ``writ.service.subjects.person_resource`` reads them)."""
    if row.marked is None:
        return Resource("person", row.entity_id)
    return Resource(
        "person",
        row.entity_id,
        row.marking_unit,
        frozenset(row.marking_compartments),
        row.marking_sealed,
    )


def _age_filter(probe: Mapping[str, Any]) -> ColumnElement[bool]:
    """SQL over ``resolve_records``: birth year unknown, or less than five years off the probe."""
    year = probe.get("birth_year")
    if not year:
        return true()
    stored = resolve_records.c.features["birth_year"].as_string()
    return or_(
        stored.is_(None),
        cast(stored, Integer).between(int(year) - (AGE_YEARS - 1), int(year) + (AGE_YEARS - 1)),
    )


def _by_name(session: Session, key: str, age: ColumnElement[bool]) -> Select[Any] | None:
    """Person entities whose indexed names are most alike the name ``key`` (search's index)."""
    if not key:
        return None
    if session.get_bind().dialect.name == "postgresql":
        # As in search: the planner prices the trigram operator as cheap and would scan every
        # key; the GIN index is far faster. SET LOCAL lasts until the look-up's transaction ends.
        session.execute(
            text(
                "SET LOCAL enable_seqscan = off; "
                f"SET LOCAL pg_trgm.similarity_threshold = {PG_SIMILARITY}"
            )
        )
        best = (
            select(search_keys.c.id)
            .where(search_keys.c.norm.op("%")(key))
            .order_by(func.similarity(search_keys.c.norm, key).desc(), search_keys.c.id)
            .limit(NAME_KEYS)
            .subquery("best_keys")
        )
    else:
        # FTS5's trigram tokenizer does not pad words: only trigrams inside a word can match.
        grams = sorted(g for g in trigrams(tuple(key.split())) if " " not in g)
        if not grams:
            return None
        best = (
            text(
                "SELECT rowid AS id, rank AS rank FROM search_keys_fts "
                "WHERE search_keys_fts MATCH :match ORDER BY rank LIMIT :keys"
            )
            .bindparams(match=" OR ".join(f'"{g}"' for g in grams), keys=NAME_KEYS)
            .columns(id=Integer, rank=Float)
            .subquery("best_keys")
        )
    names = (
        select(search_names.c.entity_id)
        .join(best, best.c.id == search_names.c.key_id)
        .join(resolve_records, resolve_records.c.entity_id == search_names.c.entity_id)
        .where(age)
        .limit(NAME_ROWS)
        .subquery("alike_names")
    )
    return select(names.c.entity_id)
