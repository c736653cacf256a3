"""Merge, split and undo of subjects, from the subject profile: the stable subject id a record
belongs to, its records, every change that touched it, and undo from that history. Each change
needs a reason and is a judgement in the append-only log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from starlette.responses import Response

from writ.resolve import service as resolve_service
from writ.search import service as search_service
from writ.web import confirm
from writ.web.forms import FieldErrors
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
EntityId = Annotated[str, Path(max_length=128)]


def _back(
    request: Request, entity_id: str, result: resolve_service.ChangeResult, what: str
) -> Response:
    moved = sum(1 for before, after in result.changes.values() if before != after)
    note = f"{what} recorded as event {result.event_id}: {moved} record(s) changed subject."
    if result.kind == "merge":
        # The page's subject may be the one merged away: follow its records.
        went = {after for before, after in result.changes.values() if before == entity_id}
        entity_id = went.pop() if len(went) == 1 else entity_id
    return see_other(request, f"/subjects/{entity_id}/resolution", note)


@router.get("/subjects/{entity_id}/resolution")
def resolution_page(
    request: Request,
    session: PageSession,
    svc: Svc,
    entity_id: EntityId,
    find: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    resolution = resolve_service.subject_resolution(svc, session.actor, entity_id)
    # The merge picker: subjects from the store, by default those named like this one.
    wanted = find.strip() or _name_of(resolution)
    found = search_service.search(svc, session.actor, wanted, limit=10) if wanted else None
    candidates = [
        row
        for row in (found.rows if found else [])
        if row.kind == "subject" and row.id != resolution.subject_id
    ]
    return render(
        request,
        "resolution.html",
        session,
        title=f"Subject {resolution.subject_id}",
        entity_id=entity_id,
        resolution=resolution,
        find=wanted,
        candidates=candidates,
        record_names={r.entity_id: f"{r.source} record {r.record_id}" for r in resolution.records},
    )


def _name_of(resolution: resolve_service.SubjectResolution) -> str:
    """The name of the subject's first record, without the birth date its caption carries."""
    for record in resolution.records:
        name = record.caption.split(" (born ")[0].strip()
        if name and name != record.entity_id:
            return name
    return ""


def _who(resolution: resolve_service.SubjectResolution) -> str:
    """A subject in words: its id, its name, and how many records from which sources."""
    sources = sorted({r.source for r in resolution.records})
    count = len(resolution.records)
    name = _name_of(resolution) or "no name on record"
    return (
        f"{resolution.subject_id}, {name}: {count} record{'' if count == 1 else 's'} "
        f"from {', '.join(sources)}"
    )


@router.post("/subjects/{entity_id}/merge")
def merge(
    request: Request,
    session: FormSession,
    svc: Svc,
    entity_id: EntityId,
    other: Annotated[str, Form(max_length=128)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    confirmed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    if not other.strip():
        raise FieldErrors(other="Choose the subject to merge with.")
    if not reason.strip():
        raise FieldErrors(reason="Say why they are one person.")
    mine = resolve_service.subject_resolution(svc, session.actor, entity_id)
    theirs = resolve_service.subject_resolution(svc, session.actor, other.strip())
    if theirs.subject_id == mine.subject_id:
        raise FieldErrors(other=f"{other.strip()} is already in subject {mine.subject_id}.")
    if not confirm.confirmed(confirmed):
        moving = len(theirs.records) + len(mine.records)
        return confirm.confirmation(
            request,
            session,
            title=f"Merge {mine.subject_id} and {theirs.subject_id}?",
            consequences=[
                f"The {moving} records of both subjects become one person: in search, on "
                "cases, in the link chart and in every export from now on.",
                "A “same person” judgement is recorded with your reason, in your name; it "
                "outranks the model and the A-number rule, so no later run separates them.",
                "The merged subject keeps the id of the one with more records; the other id "
                "then leads to it.",
            ],
            facts=[
                ("This subject", _who(mine)),
                ("The subject it joins", _who(theirs)),
                ("Your reason", reason.strip()),
            ],
            undo="It can be undone from the subject's history, with a reason.",
            action=f"/subjects/{entity_id}/merge",
            fields=confirm.resent(request),
            button=f"Merge {mine.subject_id} and {theirs.subject_id}",
            back=f"/subjects/{entity_id}/resolution",
        )
    result = resolve_service.merge(svc, session.actor, mine.subject_id, theirs.subject_id, reason)
    return _back(request, entity_id, result, f"Merge with {theirs.subject_id}")


@router.post("/subjects/{entity_id}/split")
def split(
    request: Request,
    session: FormSession,
    svc: Svc,
    entity_id: EntityId,
    records: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form(max_length=4000)] = "",
    confirmed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    mine = resolve_service.subject_resolution(svc, session.actor, entity_id)
    chosen = sorted(set(records or []))
    if not chosen or len(chosen) >= len(mine.records):
        raise FieldErrors(records="Tick some, but not all, of the records.")
    if not reason.strip():
        raise FieldErrors(reason="Say why the ticked records are another person.")
    if not confirm.confirmed(confirmed):
        named = {r.entity_id: r for r in mine.records}
        leaving = [
            f"{named[e].source} record {named[e].record_id} ({named[e].caption})"
            if e in named
            else e
            for e in chosen
        ]
        staying = len(mine.records) - len(chosen)
        return confirm.confirmation(
            request,
            session,
            title=f"Split {len(chosen)} record{'' if len(chosen) == 1 else 's'} off "
            f"{mine.subject_id}?",
            consequences=[
                f"The ticked records leave {mine.subject_id} and become a person of their own; "
                f"the {staying} other record{'' if staying == 1 else 's'} stay as they are.",
                "“Not the same person” judgements between the two parts are recorded with your "
                "reason, in your name, so no later run joins them again.",
                "The part with more of the subject's records keeps its id; cases and notes that "
                "name a record follow that record.",
            ],
            facts=[("Records that leave", "; ".join(leaving)), ("Your reason", reason.strip())],
            undo="It can be undone from the subject's history, with a reason.",
            action=f"/subjects/{entity_id}/split",
            fields=confirm.resent(request),
            button="Split off these records",
            back=f"/subjects/{entity_id}/resolution",
        )
    result = resolve_service.split(svc, session.actor, mine.subject_id, chosen, reason)
    return _back(request, entity_id, result, f"Split of {mine.subject_id}")


@router.post("/subjects/{entity_id}/undo")
def undo(
    request: Request,
    session: FormSession,
    svc: Svc,
    entity_id: EntityId,
    event: Annotated[int, Form(ge=1, le=2**62)],
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    result = resolve_service.undo(svc, session.actor, event, reason)
    return _back(request, entity_id, result, f"Undo of event {event}")
