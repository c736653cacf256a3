"""Search services: subjects by name or identifier, full text over notes.

The access filter is part of each query (Aleph's pattern): rows the actor may not read never
leave the database, so a limit, a count or a ranking cannot reveal them. The filters mirror the
Cedar rules in ``policy/policies/core.cedar`` (sealed, need-to-know) and ``cases.cedar``; the tests
check them against the policy engine.

Candidates come from the backend's trigram index (pg_trgm on PostgreSQL, FTS5 trigram on SQLite);
every candidate is then scored by the same Python function, so both backends rank alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Subquery

from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.search.index import index_entities
from writ.search.names import (
    Scorer,
    a_number,
    document_number,
    retrieval_key,
    tokens,
    trigrams,
)
from writ.service.operation import Services
from writ.store.tables.cases import cases, notes
from writ.store.tables.core import markings, statements
from writ.store.tables.search import search_keys, search_names

CANDIDATES = 60
NAME_ROWS = 200
PG_THRESHOLD = 0.3
MIN_SCORE = 0.6
PERSON_READERS = frozenset({"officer", "supervisor", "legal", "custodian"})
CASE_READERS = frozenset({"officer", "supervisor", "legal"})
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SubjectHit:
    entity_id: str
    name: str
    score: float
    matched: str  # "name", "a-number" or "passport"
    why: str


@dataclass(frozen=True)
class NoteHit:
    note_id: int
    case_id: str | None
    entity_id: str | None
    body: str
    author: str
    created_at: str


# --- access filters ---------------------------------------------------------------------------


def _compartments_not_held(
    session: Session, actor: Actor, column: ColumnElement[Any]
) -> ColumnElement[bool]:
    """EXISTS a compartment in the JSON list ``column`` that the actor does not hold."""
    if session.get_bind().dialect.name == "sqlite":
        values = func.json_each(column).table_valued("value")
    else:
        values = func.json_array_elements_text(column).table_valued("value")
    held = sorted(actor.compartments)
    condition = values.c.value.not_in(held) if held else true()
    return exists(select(values.c.value).where(condition))


def person_visible(
    session: Session, actor: Actor, entity_id: ColumnElement[Any]
) -> ColumnElement[bool]:
    """SQL: the actor may read the person ``entity_id`` (core.cedar's sealed and need-to-know)."""
    m = markings.alias("person_marking")
    sealed_forbids = false() if "custodian" in actor.roles else m.c.sealed.is_(True)
    forbidding = select(m.c.object_id).where(
        m.c.kind == "person",
        m.c.object_id == entity_id,
        or_(sealed_forbids, _compartments_not_held(session, actor, m.c.compartments)),
    )
    allowed_role = bool(actor.roles & PERSON_READERS) or (
        "oversight" in actor.roles and actor.purpose == "oversight"
    )
    return and_(true() if allowed_role else false(), not_(exists(forbidding)))


def case_visible(session: Session, actor: Actor) -> ColumnElement[bool]:
    """SQL over ``cases``: the actor may read the case (cases.cedar and core.cedar)."""
    permitted: ColumnElement[bool]
    if "oversight" in actor.roles and actor.purpose == "oversight":
        permitted = true()
    elif actor.roles & CASE_READERS:
        permitted = cases.c.unit == actor.unit
    else:
        permitted = false()
    sealed_ok = true() if "custodian" in actor.roles else cases.c.sealed.is_(False)
    return and_(
        permitted,
        sealed_ok,
        not_(_compartments_not_held(session, actor, cases.c.compartments)),
    )


# --- subjects ---------------------------------------------------------------------------------


def _name_candidates(session: Session, actor: Actor, query: str) -> list[tuple[str, str]]:
    """(entity id, name) of the names whose keys best match the query's, visible ones only.

    Fuzzy matching runs over the distinct keys; a key counts only if some name with it is
    visible to the actor (an EXISTS inside the query), so hidden people never take a place.
    """
    key = retrieval_key(query)
    names = search_names.alias("visible_name")
    has_visible_name = exists(
        select(names.c.id).where(
            names.c.key_id == search_keys.c.id, person_visible(session, actor, names.c.entity_id)
        )
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
        return []
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


def _names_of_keys(
    session: Session, actor: Actor, keys: Subquery, *, descending: bool
) -> list[tuple[str, str]]:
    order = keys.c.rank.desc() if descending else keys.c.rank
    rows = session.execute(
        select(search_names.c.entity_id, search_names.c.name)
        .join(keys, keys.c.id == search_names.c.key_id)
        .where(person_visible(session, actor, search_names.c.entity_id))
        .order_by(order, keys.c.id, search_names.c.id)
        .limit(NAME_ROWS)
    )
    return [(r[0], r[1]) for r in rows]


def _identifier_hits(session: Session, actor: Actor, query: str) -> list[SubjectHit]:
    hits: list[SubjectHit] = []
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
        hits += [SubjectHit(e, "", 1.0, "a-number", f"A-number {anum}") for e in rows]
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
        rows = session.execute(direct.union(held)).scalars()
        hits += [SubjectHit(e, "", 1.0, "passport", f"document number {number}") for e in rows]
    return hits


def _display_names(session: Session, entity_ids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for entity_id, name in session.execute(
        select(search_names.c.entity_id, search_names.c.name)
        .where(search_names.c.entity_id.in_(entity_ids))
        .order_by(search_names.c.id)
    ):
        names.setdefault(entity_id, name)
    return names


def search_subjects(
    svc: Services, actor: Actor, query: str, *, limit: int = 20
) -> list[SubjectHit]:
    """Subjects by name (fuzzy, accent-, transliteration- and order-insensitive) or by A-number
    or passport number, best first. Only subjects the actor may read are considered."""
    query = query.strip()
    if not query:
        raise ValueError("search: the query is empty")
    with svc.operation(
        actor, "search", Resource("person", "*"), audit_action="person.search"
    ) as op:
        best: dict[str, SubjectHit] = {}
        if any(c.isdigit() for c in query):
            for hit in _identifier_hits(op.session, actor, query):
                best.setdefault(hit.entity_id, hit)
        if tokens(query):
            scorer = Scorer(query)
            scores: dict[str, float] = {}
            for entity_id, name in _name_candidates(op.session, actor, query):
                value = scores.get(name)
                if value is None:
                    value = scores[name] = scorer(name)
                if value < MIN_SCORE:
                    continue
                old = best.get(entity_id)
                if old is None or value > old.score:
                    why = f'name "{name}" scores {value:.2f} against "{query}"'
                    best[entity_id] = SubjectHit(entity_id, name, value, "name", why)
        names = _display_names(op.session, [h.entity_id for h in best.values() if not h.name])
        ranked = sorted(
            (
                h
                if h.name
                else SubjectHit(
                    h.entity_id, names.get(h.entity_id, h.entity_id), h.score, h.matched, h.why
                )
                for h in best.values()
            ),
            key=lambda h: (-h.score, h.entity_id),
        )[:limit]
        op.details.update(query=query, hits=len(ranked))
        return ranked


# --- notes ------------------------------------------------------------------------------------


def search_notes(svc: Services, actor: Actor, query: str, *, limit: int = 50) -> list[NoteHit]:
    """Notes containing every word of the query (accents ignored), newest first."""
    words = _WORD.findall(query)
    if not words:
        raise ValueError("search: the query has no words")
    with svc.operation(actor, "search", Resource("note", "*"), audit_action="note.search") as op:
        session = op.session
        case_ok = exists(
            select(cases.c.id).where(cases.c.id == notes.c.case_id, case_visible(session, actor))
        )
        subject_ok = and_(
            notes.c.entity_id.is_not(None),
            person_visible(session, actor, notes.c.entity_id),
        )
        access = or_(and_(notes.c.case_id.is_not(None), case_ok), subject_ok)
        if session.get_bind().dialect.name == "postgresql":
            matches = text(
                "to_tsvector('simple', writ_unaccent(notes.body)) @@ "
                "plainto_tsquery('simple', writ_unaccent(:words))"
            ).bindparams(bindparam("words", " ".join(words), type_=String))
        else:
            phrase = " ".join('"' + w.replace('"', "") + '"' for w in words)
            matches = text(
                "notes.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH :phrase)"
            ).bindparams(phrase=phrase)
        rows = session.execute(
            select(notes)
            .where(matches, access)
            .order_by(notes.c.created_at.desc(), notes.c.id.desc())
            .limit(limit)
        )
        found = [
            NoteHit(r.id, r.case_id, r.entity_id, r.body, r.author, r.created_at) for r in rows
        ]
        op.details.update(query=query, hits=len(found))
        return found


# --- index ------------------------------------------------------------------------------------


def reindex(svc: Services, actor: Actor, entity_ids: list[str] | None = None) -> int:
    """Rebuild the name index from statements (all, or the entities named)."""
    with svc.operation(
        actor, "execute", Resource("search-index", "names"), audit_action="search.reindex"
    ) as op:
        written = index_entities(op.session, entity_ids)
        op.details.update(rows=written, entities=len(entity_ids) if entity_ids else "all")
        return written
