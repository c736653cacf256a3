"""Search services: one search over people and cases, subjects by name or identifier, full
text over notes.

The access filter is part of each query (Aleph's pattern, ``search.access``): rows the actor may
not read never leave the database, so a limit, a count or a ranking cannot reveal them.
Candidates come from the backend's trigram index (pg_trgm on PostgreSQL, FTS5 trigram on SQLite);
every candidate is then scored by the same Python function, so both backends rank alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, and_, bindparam, exists, or_, select, text
from sqlalchemy.orm import Session

from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.search import people
from writ.search.access import case_visible, person_visible
from writ.search.index import index_entities
from writ.search.matching import identifier_hits, name_candidates
from writ.search.names import Scorer, tokens
from writ.search.people import CaseRef, Match, Results, Row
from writ.service.operation import Services
from writ.store.tables.cases import cases, notes
from writ.store.tables.search import search_names

MIN_SCORE = people.MIN_SCORE
PAGE = 20
MAX_PAGE = 100
_WORD = re.compile(r"\w+", re.UNICODE)
LIKENESS = {"same name": "the same as", "close": "close to", "similar": "like"}

__all__ = [
    "CaseRef",
    "Match",
    "NoteHit",
    "Results",
    "Row",
    "SubjectHit",
    "reindex",
    "search",
    "search_notes",
    "search_subjects",
]


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


def _invalid(field: str, message: str) -> ValueError:
    """A bad value, naming its field (the API's problem document and the page's form say which)."""
    error = ValueError(f"{field}: {message}")
    error.field = field  # type: ignore[attr-defined]
    return error


# --- people and cases -------------------------------------------------------------------------


def search(
    svc: Services, actor: Actor, query: str, *, offset: int = 0, limit: int = PAGE
) -> Results:
    """People and cases by name, A-number, passport, case id, case number or title: one row
    per person (a subject with its records counted and the matching record named; a record not
    yet resolved; someone only on an immigration case) and one per investigation case, best
    first, ``limit`` rows from ``offset``, with the total. Only what the actor may read counts."""
    query = query.strip()
    if not query:
        raise _invalid("q", "the search is empty: type a name, an A-number or a case number")
    if offset < 0:
        raise _invalid("offset", f"{offset} is below 0")
    if not 1 <= limit <= MAX_PAGE:
        raise _invalid("limit", f"{limit} is not between 1 and {MAX_PAGE}")
    with svc.operation(
        actor, "search", Resource("person", "*"), audit_action="person.search"
    ) as op:
        found = people.run(svc, op.session, actor, query, offset=offset, limit=limit)
        op.details.update(query=query, total=found.total, offset=offset, rows=len(found.rows))
        return found


# --- subjects ---------------------------------------------------------------------------------


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
    or passport number, best first, one hit per record. Only subjects the actor may read are
    considered. (``search`` groups them per person and adds cases.)"""
    query = query.strip()
    if not query:
        raise ValueError("search: the query is empty")
    with svc.operation(
        actor, "search", Resource("person", "*"), audit_action="person.search"
    ) as op:
        best: dict[str, SubjectHit] = {}
        if any(c.isdigit() for c in query):
            for hit in identifier_hits(op.session, actor, query):
                if hit.kind == "entity":
                    matched = "a-number" if hit.on == "A-number" else "passport"
                    why = f"{hit.on} {hit.value}"
                    best.setdefault(hit.id, SubjectHit(hit.id, "", 1.0, matched, why))
        if tokens(query):
            scorer = Scorer(query)
            scores: dict[str, float] = {}
            for entity_id, name in name_candidates(op.session, actor, query).entities:
                value = scores.get(name)
                if value is None:
                    value = scores[name] = scorer(name)
                if value < MIN_SCORE:
                    continue
                old = best.get(entity_id)
                if old is None or value > old.score:
                    likeness = LIKENESS[Match("name", name, "", "", value).closeness]
                    why = f"name “{name}” is {likeness} “{query}”"
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
