"""Sources and the ingest quarantine: the legal basis of each source, what it holds, and the rows
that did not pass, with a retry through the source's current mapping.

Only the public services of ``writ.ingest.service`` are used: ``list_sources``, ``list_runs``,
``list_quarantine``, ``show_quarantine`` and ``retry_quarantine``.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, model_validator

from writ.api.deps import CurrentActor, Page, PageParams, Svc
from writ.api.fields import LINE
from writ.ingest import service as ingest_service

router = APIRouter(tags=["sources"])
SourceName = Annotated[str | None, Query(min_length=1, max_length=64, pattern=LINE)]


class SourceOut(BaseModel):
    """A registered source: its legal basis (authority, category, retention) and its state."""

    name: str
    title: str
    authority: str
    data_category: str
    retention: str
    mapping_path: str
    records: int
    last_ingest_at: str | None
    quarantined: int


class RunOut(BaseModel):
    """An ingest run: its input, mapping, status and counts (read = new + changed + unchanged +
    quarantined once it has finished)."""

    id: str
    source: str
    input: str
    input_sha256: str
    mapping_sha256: str
    status: str
    started_by: str
    started_at: str
    updated_at: str
    finished_at: str | None
    read: int
    new: int
    changed: int
    unchanged: int
    quarantined: int
    statements_added: int
    statements_superseded: int
    balanced: bool


class QuarantineOut(BaseModel):
    """A quarantined row: where it was (file, line), the field, the value and the reason."""

    id: int
    source: str
    run_id: str
    file: str
    line: int
    field: str
    value: str | None
    reason: str
    message: str
    status: str
    created_at: str
    resolved_at: str | None
    record_id: str | None
    problems: list[dict[str, Any]]
    row: dict[str, Any] | None


class RetryRequest(BaseModel):
    """The entries to run again, or every open entry of a source."""

    entry_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(
        default_factory=list, max_length=1000
    )
    source: str | None = Field(default=None, min_length=1, max_length=64, pattern=LINE)

    @model_validator(mode="after")
    def _one_of(self) -> RetryRequest:
        if not self.entry_ids and self.source is None:
            raise ValueError("name the quarantine entries to retry (entry_ids), or a source")
        return self


class RetryOut(BaseModel):
    released: list[int]
    still_open: list[int]
    superseded: list[int]


@router.get("/sources", response_model=Page[SourceOut], summary="Sources with their legal basis")
def list_sources(svc: Svc, actor: CurrentActor, paging: PageParams) -> Page[SourceOut]:
    views = ingest_service.list_sources(svc, actor)
    return paging.slice([SourceOut(**dataclasses.asdict(v)) for v in views])


@router.get(
    "/ingest-runs",
    response_model=Page[RunOut],
    summary="Ingest runs, newest first: status and counts (of one source, or all)",
)
def list_runs(
    svc: Svc, actor: CurrentActor, paging: PageParams, source: SourceName = None
) -> Page[RunOut]:
    wanted = paging.offset + paging.limit
    runs = ingest_service.list_runs(svc, actor, source=source, limit=wanted + 1)
    more = len(runs) > wanted
    return Page[RunOut](
        items=[
            RunOut(**dataclasses.asdict(run), balanced=run.balanced)
            for run in runs[paging.offset : wanted]
        ],
        limit=paging.limit,
        next=str(wanted) if more else None,
        total=None if more else len(runs),
    )


@router.get(
    "/quarantine",
    response_model=Page[QuarantineOut],
    summary="Quarantined rows, oldest first (custodians)",
)
def list_quarantine(
    svc: Svc,
    actor: CurrentActor,
    paging: PageParams,
    source: SourceName = None,
    status: Literal["open", "released", "superseded", "all"] = "open",
) -> Page[QuarantineOut]:
    # The service reads the oldest rows first up to a limit: ask for one more than this page
    # needs, so a next page is offered exactly when there is one, however long the list.
    wanted = paging.offset + paging.limit
    entries = ingest_service.list_quarantine(
        svc, actor, source=source, status=None if status == "all" else status, limit=wanted + 1
    )
    more = len(entries) > wanted
    return Page[QuarantineOut](
        items=[QuarantineOut(**dataclasses.asdict(e)) for e in entries[paging.offset : wanted]],
        limit=paging.limit,
        next=str(wanted) if more else None,
        total=None if more else len(entries),
    )


@router.get(
    "/quarantine/{entry_id}",
    response_model=QuarantineOut,
    summary="One quarantined row, whole, with every problem",
)
def show_quarantine(
    entry_id: Annotated[int, Path(ge=1, le=2**62)], svc: Svc, actor: CurrentActor
) -> QuarantineOut:
    entry = ingest_service.show_quarantine(svc, actor, entry_id)
    return QuarantineOut(**dataclasses.asdict(entry))


@router.post(
    "/quarantine/retry",
    response_model=RetryOut,
    summary="Run open quarantined rows again through the source's current mapping",
)
def retry_quarantine(body: RetryRequest, svc: Svc, actor: CurrentActor) -> RetryOut:
    summary = ingest_service.retry_quarantine(
        svc, actor, entry_ids=body.entry_ids or None, source=body.source
    )
    return RetryOut(**dataclasses.asdict(summary))
