"""One search over people and cases, one row per person.

A query is tried as a name (fuzzy), an A-number or passport number (any common format), an
immigration case id, and an investigation case's number, id or title. What matched is then
grouped: records resolved into one subject make one row, an immigration case of a known person
joins that person's row, and a person who exists only on an immigration case has a row of their
own. Each row counts its records and sources and names the record that matched best.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from normality import ascii_text
from sqlalchemy import select
from sqlalchemy.orm import Session

from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.search.access import allowed, person_visible
from writ.search.matching import (
    identifier_hits,
    immigration_case_by_id,
    investigation_case_hits,
    name_candidates,
)
from writ.search.names import Scorer, tokens
from writ.service.operation import Services
from writ.store.tables.cases import cases
from writ.store.tables.core import statements
from writ.store.tables.lifecycle import immigration_cases
from writ.store.tables.resolve import resolve_records
from writ.store.tables.search import search_names

MIN_SCORE = 0.6
_NOT_WORD = re.compile(r"[^a-z0-9]+")
IMMIGRATION = "immigration case"


@dataclass(frozen=True)
class Match:
    """What a row matched on: a value of one record or case."""

    on: str  # "name", "A-number", "passport", "case id", "case number" or "title"
    value: str  # the value as on file
    source: str  # the record's source, "immigration case" or "investigation case"
    record_id: str  # the record's id in its source, or the case's id (or number)
    score: float  # 1.0 for an identifier or a case number; the name's closeness otherwise

    @property
    def closeness(self) -> str:
        """How close a name is, in words: "same name", "close" or "similar"."""
        if self.score >= 0.97:
            return "same name"
        return "close" if self.score >= 0.8 else "similar"

    @property
    def why(self) -> str:
        """In plain words: 'name “Ana Reyes” (close) on bookings record 17-3'."""
        if self.source == "investigation case":
            return f"{self.on} “{self.value}”" if self.on == "title" else f"{self.on} {self.value}"
        where = (
            f"immigration case {self.record_id}"
            if self.source == IMMIGRATION
            else f"{self.source} record {self.record_id}"
        )
        if self.on == "name":
            return f"name “{self.value}” ({self.closeness}) on {where}"
        return f"{self.on} {self.value} on {where}"


@dataclass(frozen=True)
class CaseRef:
    """An immigration case on a person's row."""

    id: str
    a_number: str | None
    state: str
    unit: str


@dataclass(frozen=True)
class Row:
    """One person (a subject, a record not yet resolved, or someone only on an immigration
    case), or one investigation case."""

    kind: str  # "subject", "record", "immigration-case" or "investigation-case"
    id: str  # subject id (S-…), entity id, immigration case id, or investigation case id
    name: str
    score: float
    matched: Match  # the best match of the row
    matches: int  # how many of its records and cases matched
    records: int = 0  # the person's records the actor may read (immigration cases included)
    sources: tuple[str, ...] = ()
    born: tuple[str, ...] = ()
    a_numbers: tuple[str, ...] = ()
    immigration_cases: tuple[CaseRef, ...] = ()
    detail: str = ""  # an investigation case: its type, unit and status


@dataclass(frozen=True)
class Results:
    """One page of rows, and how many rows there are in all."""

    query: str
    rows: list[Row]
    total: int
    offset: int
    limit: int
    complete: bool = True  # False: so many names were alike that some were not compared


@dataclass
class _Group:
    kind: str
    id: str
    matches: list[tuple[str, str, Match]] = field(default_factory=list)  # (kind, id, match)
    case: dict[str, object] | None = None  # an investigation case's row

    best: tuple[str, str, Match] | None = None

    def choose(self, query: str) -> None:
        """The best match: highest score; among equals a name written as typed (words in the
        same order, accents aside), then the first record."""
        typed = tokens_in_order(query)
        self.best = min(
            self.matches,
            key=lambda m: (
                -m[2].score,
                m[2].on != "name",
                tokens_in_order(m[2].value) != typed,
                m[2].record_id,
            ),
        )


def run(
    svc: Services, session: Session, actor: Actor, query: str, *, offset: int, limit: int
) -> Results:
    """The search itself, inside the caller's operation."""
    entity_hits: dict[str, Match] = {}
    case_hits: dict[str, Match] = {}
    complete = True

    def keep(found: dict[str, Match], key: str, match: Match) -> None:
        old = found.get(key)
        if old is None or match.score > old.score:
            found[key] = match

    records = _record_of(session, [])
    if any(c.isdigit() for c in query):
        hits = identifier_hits(session, actor, query)
        records = _record_of(session, [h.id for h in hits if h.kind == "entity"])
        for hit in hits:
            if hit.kind == "entity":
                source, record_id = records.get(hit.id, ("record", hit.id))
                keep(entity_hits, hit.id, Match(hit.on, hit.value, source, record_id, 1.0))
            else:
                keep(case_hits, hit.id, Match(hit.on, hit.value, IMMIGRATION, hit.id, 1.0))
    case_id = immigration_case_by_id(session, actor, query)
    if case_id:
        keep(case_hits, case_id, Match("case id", case_id, IMMIGRATION, case_id, 1.0))
    if tokens(query):
        scorer = Scorer(query)
        names = name_candidates(session, actor, query)
        # Cut short, the candidates may have missed a match; not when even the last one kept
        # scores too low to count (names further down the ranking are further still).
        complete = names.complete or all(scorer(n) < MIN_SCORE for n in names.last)
        scores: dict[str, float] = {}
        named = _record_of(session, [e for e, _ in names.entities])
        for kind, found_id, name in [
            *(("entity", e, n) for e, n in names.entities),
            *(("immigration-case", c, n) for c, n in names.cases),
        ]:
            value = scores.get(name)
            if value is None:
                value = scores[name] = scorer(name)
            if value < MIN_SCORE:
                continue
            if kind == "entity":
                source, record_id = named.get(found_id, ("record", found_id))
                keep(entity_hits, found_id, Match("name", name, source, record_id, value))
            else:
                keep(case_hits, found_id, Match("name", name, IMMIGRATION, found_id, value))
    case_rows = _immigration_cases(svc, session, actor, case_hits)
    groups = _group(session, entity_hits, {c: case_hits[c] for c in case_rows}, case_rows)
    investigation = _investigation_groups(svc, session, actor, query)
    everything = [*groups, *investigation]
    for group in everything:
        group.choose(query)
    ordered = sorted(everything, key=lambda g: (-_best(g).score, g.kind, g.id))
    page = ordered[offset : offset + limit]
    rows = _rows(svc, session, actor, page, case_rows, query)
    return Results(query, rows, len(ordered), offset, limit, complete)


def _best(group: _Group) -> Match:
    assert group.best is not None
    return group.best[2]


def tokens_in_order(text: str) -> tuple[str, ...]:
    """The words of a name folded as the index folds them, in the order written."""
    return tuple(w for w in _NOT_WORD.split((ascii_text(text) or "").lower()) if w)


def _record_of(session: Session, entity_ids: list[str]) -> dict[str, tuple[str, str]]:
    """(source, record id) of each entity."""
    if not entity_ids:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for entity_id, source, record_id in session.execute(
        select(statements.c.entity_id, statements.c.source, statements.c.record_id)
        .where(statements.c.entity_id.in_(sorted(set(entity_ids))))
        .order_by(statements.c.entity_id, statements.c.source, statements.c.record_id)
    ):
        found.setdefault(entity_id, (source, record_id))
    return found


def _immigration_cases(
    svc: Services, session: Session, actor: Actor, hits: dict[str, Match]
) -> dict[str, dict[str, object]]:
    """The matched immigration cases the policy lets the actor read, as rows."""
    if not hits:
        return {}
    rows = session.execute(
        select(immigration_cases).where(immigration_cases.c.id.in_(sorted(hits)))
    ).mappings()
    return {row["id"]: dict(row) for row in rows if allowed(svc, actor, _immigration_resource(row))}


def _immigration_resource(row: object) -> Resource:
    m = row  # a mapping of an immigration_cases row
    return Resource(
        "immigration-case",
        m["id"],  # type: ignore[index]
        m["unit"],  # type: ignore[index]
        frozenset(m["compartments"] or ()),  # type: ignore[index]
        bool(m["sealed"]),  # type: ignore[index]
    )


def _group(
    session: Session,
    entity_hits: dict[str, Match],
    case_hits: dict[str, Match],
    case_rows: dict[str, dict[str, object]],
) -> list[_Group]:
    """One group per subject (or record not yet resolved, or person only on a case)."""
    linked = {c: str(row["entity_id"]) for c, row in case_rows.items() if row["entity_id"]}
    subject_of = _subjects_of(session, [*entity_hits, *linked.values()])
    groups: dict[tuple[str, str], _Group] = {}

    def add(kind: str, key: str, item: tuple[str, str, Match]) -> None:
        groups.setdefault((kind, key), _Group(kind, key)).matches.append(item)

    def person(entity_id: str) -> tuple[str, str]:
        subject = subject_of.get(entity_id)
        return ("subject", subject) if subject else ("record", entity_id)

    for entity_id, match in entity_hits.items():
        add(*person(entity_id), ("entity", entity_id, match))
    for case_id, match in case_hits.items():
        holder = linked.get(case_id)
        where = person(holder) if holder else ("immigration-case", case_id)
        add(*where, ("immigration-case", case_id, match))
    return list(groups.values())


def _subjects_of(session: Session, entity_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(entity_ids))
    if not wanted:
        return {}
    return {
        e: s
        for e, s in session.execute(
            select(resolve_records.c.entity_id, resolve_records.c.subject_id).where(
                resolve_records.c.entity_id.in_(wanted)
            )
        )
    }


def _investigation_groups(
    svc: Services, session: Session, actor: Actor, query: str
) -> list[_Group]:
    found = investigation_case_hits(session, actor, query)
    if not found:
        return []
    rows = {
        r["id"]: r
        for r in session.execute(
            select(cases).where(cases.c.id.in_([h.case_id for h in found]))
        ).mappings()
    }
    groups = []
    for hit in found:
        row = rows.get(hit.case_id)
        if row is None or not allowed(svc, actor, _case_resource(row)):
            continue
        score = 1.0 if hit.on != "title" else 0.7
        match = Match(hit.on, hit.value, "investigation case", row["number"], score)
        groups.append(
            _Group("investigation-case", hit.case_id, [("case", hit.case_id, match)], dict(row))
        )
    return groups


def _case_resource(row: object) -> Resource:
    m = row
    return Resource(
        "case",
        m["id"],  # type: ignore[index]
        m["unit"],  # type: ignore[index]
        frozenset(m["compartments"] or ()),  # type: ignore[index]
        bool(m["sealed"]),  # type: ignore[index]
        m["owner"],  # type: ignore[index]
    )


# --- the rows of one page ---------------------------------------------------------------------


def _rows(
    svc: Services,
    session: Session,
    actor: Actor,
    page: list[_Group],
    case_rows: dict[str, dict[str, object]],
    query: str,
) -> list[Row]:
    subjects = [g.id for g in page if g.kind == "subject"]
    members = _members(session, actor, subjects)
    entities = [e for g in page if g.kind == "record" for e in [g.id]]
    people = {g.id: members.get(g.id, []) for g in page if g.kind == "subject"}
    people.update({e: [e] for e in entities})
    all_entities = sorted({e for found in people.values() for e in found})
    facts = _facts(session, all_entities)
    linked = _linked_cases(svc, session, actor, all_entities)
    rows: list[Row] = []
    for group in page:
        assert group.best is not None
        kind, found_id, match = group.best
        if group.kind == "investigation-case":
            rows.append(_case_row(group, match))
            continue
        if group.kind == "immigration-case":
            case = case_rows[group.id]
            rows.append(
                Row(
                    kind="immigration-case",
                    id=group.id,
                    name=str(case["subject_name"]),
                    score=match.score,
                    matched=match,
                    matches=len(group.matches),
                    records=1,
                    sources=(IMMIGRATION,),
                    born=(str(case["birth_date"]),) if case["birth_date"] else (),
                    a_numbers=(str(case["a_number"]),) if case["a_number"] else (),
                    immigration_cases=(_case_ref(case),),
                )
            )
            continue
        entity_ids = people.get(group.id, [])
        record_facts = [facts[e] for e in entity_ids if e in facts]
        their_cases = {c.id: c for e in entity_ids for c in linked.get(e, [])}
        for k, case_id, _ in group.matches:
            if k == "immigration-case" and case_id in case_rows:
                their_cases.setdefault(case_id, _case_ref(case_rows[case_id]))
        sources = sorted({f.source for f in record_facts})
        rows.append(
            Row(
                kind=group.kind,
                id=group.id,
                name=_name_of(session, kind, found_id, match, record_facts, case_rows),
                score=match.score,
                matched=match,
                matches=len(group.matches),
                records=len(record_facts) + len(their_cases),
                sources=(*sources, *((IMMIGRATION,) if their_cases else ())),
                born=tuple(sorted({f.born for f in record_facts if f.born})),
                a_numbers=tuple(
                    sorted(
                        {f.a_number for f in record_facts if f.a_number}
                        | {c.a_number for c in their_cases.values() if c.a_number}
                    )
                ),
                immigration_cases=tuple(their_cases[c] for c in sorted(their_cases)),
            )
        )
    return rows


def _members(session: Session, actor: Actor, subjects: list[str]) -> dict[str, list[str]]:
    """The visible records of each subject."""
    if not subjects:
        return {}
    found: dict[str, list[str]] = {}
    for subject_id, entity_id in session.execute(
        select(resolve_records.c.subject_id, resolve_records.c.entity_id)
        .where(
            resolve_records.c.subject_id.in_(subjects),
            person_visible(session, actor, resolve_records.c.entity_id),
        )
        .order_by(resolve_records.c.subject_id, resolve_records.c.entity_id)
    ):
        found.setdefault(subject_id, []).append(entity_id)
    return found


@dataclass(frozen=True)
class _Facts:
    source: str
    record_id: str
    name: str | None
    born: str | None
    a_number: str | None


def _facts(session: Session, entity_ids: list[str]) -> dict[str, _Facts]:
    """Source, record, a name, the birth date and the A-number of each record."""
    if not entity_ids:
        return {}
    values: dict[str, dict[str, str]] = {}
    where: dict[str, tuple[str, str]] = {}
    for entity_id, source, record_id, prop, value in session.execute(
        select(
            statements.c.entity_id,
            statements.c.source,
            statements.c.record_id,
            statements.c.prop,
            statements.c.value,
        )
        .where(
            statements.c.entity_id.in_(entity_ids),
            statements.c.superseded_at.is_(None),
            statements.c.prop.in_(("name", "firstName", "lastName", "birthDate", "idNumber")),
        )
        .order_by(statements.c.entity_id, statements.c.prop, statements.c.value)
    ):
        where.setdefault(entity_id, (source, record_id))
        values.setdefault(entity_id, {}).setdefault(prop, value)
    found = {}
    for entity_id, (source, record_id) in where.items():
        v = values[entity_id]
        name = v.get("name") or " ".join(p for p in (v.get("firstName"), v.get("lastName")) if p)
        number = v.get("idNumber")
        found[entity_id] = _Facts(
            source,
            record_id,
            name or None,
            v.get("birthDate"),
            f"A{number}" if number and number.isdigit() and len(number) == 9 else None,
        )
    return found


def _linked_cases(
    svc: Services, session: Session, actor: Actor, entity_ids: list[str]
) -> dict[str, list[CaseRef]]:
    """The immigration cases opened on these records that the actor may read."""
    if not entity_ids:
        return {}
    found: dict[str, list[CaseRef]] = {}
    for row in session.execute(
        select(immigration_cases).where(immigration_cases.c.entity_id.in_(entity_ids))
    ).mappings():
        if allowed(svc, actor, _immigration_resource(row)):
            found.setdefault(row["entity_id"], []).append(_case_ref(row))
    return found


def _case_ref(row: object) -> CaseRef:
    m = row
    return CaseRef(
        m["id"],  # type: ignore[index]
        m["a_number"],  # type: ignore[index]
        m["state"],  # type: ignore[index]
        m["unit"],  # type: ignore[index]
    )


def _name_of(
    session: Session,
    kind: str,
    found_id: str,
    match: Match,
    facts: list[_Facts],
    case_rows: dict[str, dict[str, object]],
) -> str:
    """The name the row goes by: the one that matched, else the first on the matched record."""
    if kind == "immigration-case":
        return str(case_rows[found_id]["subject_name"])
    if match.on == "name":
        return match.value
    name = session.execute(
        select(search_names.c.name)
        .where(search_names.c.entity_id == found_id)
        .order_by(search_names.c.id)
        .limit(1)
    ).scalar()
    return name or next((f.name for f in facts if f.name), None) or "(no name on file)"


def _case_row(group: _Group, match: Match) -> Row:
    row = group.case or {}
    return Row(
        kind="investigation-case",
        id=group.id,
        name=f"{row['number']} {row['title']}",
        score=match.score,
        matched=match,
        matches=1,
        detail=f"{row['type']} case of {row['unit']}, {row['status']}",
    )
