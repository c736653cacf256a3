"""Finding candidates: names through the trigram index, identifiers and case numbers exactly.

Candidates come from the backend's trigram index (pg_trgm on PostgreSQL, FTS5 trigram on SQLite)
over the distinct name keys; every candidate is then scored by the same Python function
(``names.Scorer``), so both backends rank alike. Each query carries the access filter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Integer, and_, exists, func, or_, select, text, union
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Subquery

from writ.model.actor import Actor
from writ.search.access import case_visible, immigration_case_visible, person_visible
from writ.search.names import a_number, document_number, retrieval_key, trigrams
from writ.store.tables.cases import cases
from writ.store.tables.core import statements
from writ.store.tables.lifecycle import immigration_cases
from writ.store.tables.search import search_case_names, search_keys, search_names

CANDIDATES = 60
NAME_ROWS = 200
PG_THRESHOLD = 0.3
_CASE_ID = re.compile(r"IC-[0-9A-F]{12}")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Names:
    """Names whose keys best match a query's: of entities and of immigration cases."""

    entities: list[tuple[str, str]]  # (entity id, name)
    cases: list[tuple[str, str]]  # (immigration case id, name)
    complete: bool  # False when a limit cut the candidates short
    last: list[str] = field(default_factory=list)  # the names of the key ranked last


def name_candidates(session: Session, actor: Actor, query: str) -> Names:
    """The names, visible to the actor, whose keys best match the query's.

    Fuzzy matching runs over the distinct keys; a key counts only if some name with it is
    visible to the actor (an EXISTS inside the query), so hidden people never take a place.
    """
    key = retrieval_key(query)
    names = search_names.alias("visible_name")
    case_names = search_case_names.alias("visible_case_name")
    ic = immigration_cases.alias("visible_case")
    has_visible_name = or_(
        exists(
            select(names.c.id).where(
                names.c.key_id == search_keys.c.id,
                person_visible(session, actor, names.c.entity_id),
            )
        ),
        exists(
            select(case_names.c.id)
            .join(ic, ic.c.id == case_names.c.case_id)
            .where(
                case_names.c.key_id == search_keys.c.id,
                immigration_case_visible(session, actor, ic),
            )
        ),
    )
    if session.get_bind().dialect.name == "postgresql":
        # The planner prices the trigram operator as cheap and would rather scan every key,
        # computing trigrams row by row; the GIN index is far faster (for this transaction only).
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {PG_THRESHOLD}"))
        rank = func.similarity(search_keys.c.norm, key)
        keys = (
            select(search_keys.c.id, rank.label("rank"))
            .where(search_keys.c.norm.op("%")(key), has_visible_name)
            .order_by(rank.desc(), search_keys.c.id)
            .limit(CANDIDATES)
            .subquery("best_keys")
        )
        return _names_of_keys(session, actor, keys, descending=True)
    # FTS5's trigram tokenizer does not pad words: only trigrams inside a word can match.
    grams = sorted(g for g in trigrams(tuple(key.split())) if " " not in g)
    if not grams:
        return Names([], [], True)
    match = " OR ".join(f'"{g}"' for g in grams)
    fts = (
        text(
            "SELECT rowid AS rid, rank AS rank FROM search_keys_fts "
            "WHERE search_keys_fts MATCH :match"
        )
        .bindparams(match=match)
        .columns(rid=Integer, rank=Float)
        .subquery("fts")
    )
    keys = (
        select(search_keys.c.id, fts.c.rank)
        .join(fts, fts.c.rid == search_keys.c.id)
        .where(has_visible_name)
        .order_by(fts.c.rank, search_keys.c.id)
        .limit(CANDIDATES)
        .subquery("best_keys")
    )
    return _names_of_keys(session, actor, keys, descending=False)


def _names_of_keys(session: Session, actor: Actor, keys: Subquery, *, descending: bool) -> Names:
    order = keys.c.rank.desc() if descending else keys.c.rank
    ranked = [r[0] for r in session.execute(select(keys.c.id).order_by(order, keys.c.id))]
    if not ranked:
        return Names([], [], True)
    place = {key_id: n for n, key_id in enumerate(ranked)}
    entities = session.execute(
        select(search_names.c.key_id, search_names.c.entity_id, search_names.c.name)
        .where(
            search_names.c.key_id.in_(ranked),
            person_visible(session, actor, search_names.c.entity_id),
        )
        .limit(NAME_ROWS)
    ).all()
    ic = immigration_cases.alias("named_case")
    named_cases = session.execute(
        select(search_case_names.c.key_id, search_case_names.c.case_id, search_case_names.c.name)
        .join(ic, ic.c.id == search_case_names.c.case_id)
        .where(
            search_case_names.c.key_id.in_(ranked),
            immigration_case_visible(session, actor, ic),
        )
        .limit(NAME_ROWS)
    ).all()

    def in_rank_order(rows: Sequence[Any]) -> list[tuple[str, str]]:
        return [(r[1], r[2]) for r in sorted(rows, key=lambda r: (place[r[0]], r[1], r[2]))]

    last = ranked[-1]
    complete = (
        len(ranked) < CANDIDATES and len(entities) < NAME_ROWS and len(named_cases) < NAME_ROWS
    )
    return Names(
        in_rank_order(entities),
        in_rank_order(named_cases),
        complete,
        [r[2] for r in [*entities, *named_cases] if r[0] == last],
    )


# --- identifiers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierHit:
    """An entity or immigration case holding the identifier asked for."""

    kind: str  # "entity" or "immigration-case"
    id: str
    on: str  # "A-number" or "passport"
    value: str  # the identifier as stored


def identifier_hits(session: Session, actor: Actor, query: str) -> list[IdentifierHit]:
    """Entities and immigration cases holding the query as an A-number (``A-012-345-678``,
    ``A012345678``, ``012345678``) or a passport or document number (spaces, dashes ignored)."""
    hits: list[IdentifierHit] = []
    anum = a_number(query)
    if anum:
        rows = session.execute(
            select(statements.c.entity_id)
            .where(
                statements.c.prop == "idNumber",
                statements.c.value == anum,
                statements.c.superseded_at.is_(None),
                person_visible(session, actor, statements.c.entity_id),
            )
            .distinct()
        ).scalars()
        hits += [IdentifierHit("entity", e, "A-number", "A" + anum) for e in rows]
        ic = immigration_cases
        found = session.execute(
            select(ic.c.id).where(
                ic.c.a_number == "A" + anum, immigration_case_visible(session, actor, ic)
            )
        ).scalars()
        hits += [IdentifierHit("immigration-case", c, "A-number", "A" + anum) for c in found]
    number = document_number(query)
    if number:
        holder = statements.alias("holder")
        doc = statements.alias("doc")
        direct = select(statements.c.entity_id.label("entity_id")).where(
            statements.c.prop == "passportNumber",
            statements.c.value == number,
            statements.c.superseded_at.is_(None),
            person_visible(session, actor, statements.c.entity_id),
        )
        held = (
            select(holder.c.value.label("entity_id"))
            .select_from(doc)
            .join(holder, and_(holder.c.entity_id == doc.c.entity_id, holder.c.prop == "holder"))
            .where(
                doc.c.prop == "number",
                doc.c.value == number,
                doc.c.superseded_at.is_(None),
                holder.c.superseded_at.is_(None),
                person_visible(session, actor, doc.c.entity_id),
                person_visible(session, actor, holder.c.value),
            )
        )
        rows = session.execute(union(direct, held)).scalars()
        hits += [IdentifierHit("entity", e, "passport", number) for e in rows]
    return hits


def immigration_case_by_id(session: Session, actor: Actor, query: str) -> str | None:
    """The immigration case whose id the query is (``IC-…``, any case), if visible."""
    wanted = query.strip().upper()
    if not _CASE_ID.fullmatch(wanted):
        return None
    ic = immigration_cases
    return session.execute(
        select(ic.c.id).where(ic.c.id == wanted, immigration_case_visible(session, actor, ic))
    ).scalar()


@dataclass(frozen=True)
class CaseHit:
    """An investigation case by its number, its id or the words of its title."""

    case_id: str
    on: str  # "case number", "case id" or "title"
    value: str


def investigation_case_hits(
    session: Session, actor: Actor, query: str, limit: int = NAME_ROWS
) -> list[CaseHit]:
    """Cases whose number or id is the query (any case, spaces ignored), or whose title holds
    every word of three letters or more of it."""
    wanted = "".join(query.split()).upper()
    hits: list[CaseHit] = []
    exact = session.execute(
        select(cases.c.id, cases.c.number).where(
            or_(func.upper(cases.c.number) == wanted, func.upper(cases.c.id) == wanted),
            case_visible(session, actor),
        )
    )
    for case_id, number in exact:
        by_number = number.upper() == wanted
        hits.append(CaseHit(case_id, "case number" if by_number else "case id", number))
    words = [w.lower() for w in _WORD.findall(query) if len(w) >= 3]
    if words:
        title = func.lower(cases.c.title)
        rows = session.execute(
            select(cases.c.id, cases.c.title)
            .where(*(title.contains(w, autoescape=True) for w in words))
            .where(case_visible(session, actor))
            .order_by(cases.c.opened_at.desc(), cases.c.id)
            .limit(limit)
        )
        seen = {h.case_id for h in hits}
        hits += [CaseHit(case_id, "title", t) for case_id, t in rows if case_id not in seen]
    return hits
