"""The quarantine of a source (Admin → Sources): the rows an ingest held back, each with the
file, line, field, value and reason; one row whole with all its problems; and a retry through the
source's current mapping."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from writ.ingest import service as ingest_service
from writ.model.actor import Actor
from writ.service import Services
from writ.web import queues
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
SourceName = Annotated[str, Path(max_length=128)]
EntryId = Annotated[int, Path(ge=1, le=2**62)]
STATUSES = ("open", "released", "superseded")
SHOWN = 5000


def _queue(source: str) -> queues.Queue:
    def rows(svc: Services, actor: Actor) -> list[queues.Row]:
        return [
            {
                "id": e.id,
                "line": e.line,
                "file": e.file,
                "field": e.field,
                "value": e.value if e.value is not None else "",
                "reason": e.reason,
                "status": e.status,
            }
            for e in ingest_service.list_quarantine(svc, actor, source, status=None, limit=SHOWN)
        ]

    return queues.Queue(
        slug="quarantine",
        title="Quarantined rows",
        roles=frozenset({"custodian", "admin"}),
        columns=(
            queues.Column("id", "Entry", numeric=True),
            queues.Column("file", "File"),
            queues.Column("line", "Line", numeric=True),
            queues.Column("field", "Field"),
            queues.Column("value", "Value"),
            queues.Column("reason", "Reason"),
            queues.Column("status", "Status"),
        ),
        items=rows,
        link=lambda row: f"/admin/quarantine/{row['id']}",
        filters=("status", "reason"),
        default_sort="id",
        empty="Nothing quarantined matches.",
    )


def _summary(result: ingest_service.RetrySummary) -> str:
    return (
        f"Retried: {len(result.released)} released, {len(result.superseded)} superseded by a "
        f"later row, {len(result.still_open)} still open."
    )


@router.get("/admin/sources/{source}/quarantine")
def quarantine_list(
    request: Request,
    session: PageSession,
    svc: Svc,
    source: SourceName,
    sort: Annotated[str, Query(max_length=64)] = "",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    status: Annotated[str, Query(max_length=16)] = "open",
    reason: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    queue = _queue(source)
    shown = queues.view(
        queue,
        queue.items(svc, session.actor),
        sort=sort,
        descending=order == "desc",
        page=page,
        filters={"status": status, "reason": reason},
    )
    return render(
        request,
        "quarantine.html",
        session,
        title=f"Quarantine of {source}",
        source=source,
        shown=shown,
    )


@router.post("/admin/sources/{source}/quarantine/retry")
def retry_source(request: Request, session: FormSession, svc: Svc, source: SourceName) -> Response:
    result = ingest_service.retry_quarantine(svc, session.actor, source=source)
    return see_other(request, f"/admin/sources/{source}/quarantine", _summary(result))


@router.get("/admin/quarantine/{entry_id}")
def quarantine_entry(
    request: Request,
    session: PageSession,
    svc: Svc,
    entry_id: EntryId,
) -> Response:
    entry = ingest_service.show_quarantine(svc, session.actor, entry_id)
    return render(
        request,
        "quarantine_entry.html",
        session,
        title=f"Quarantined row {entry_id}",
        entry=entry,
    )


@router.post("/admin/quarantine/{entry_id}/retry")
def retry_entry(request: Request, session: FormSession, svc: Svc, entry_id: EntryId) -> Response:
    result = ingest_service.retry_quarantine(svc, session.actor, entry_ids=[entry_id])
    return see_other(request, f"/admin/quarantine/{entry_id}", _summary(result))
