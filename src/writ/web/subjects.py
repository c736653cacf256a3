"""The subject profile: merged values each with its sources, the records from each source, the
link chart (cytoscape.js, with a table for screen readers and no-script browsers) and the
timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from writ.cases import service as case_service
from writ.lifecycle import service as lc
from writ.resolve import service as resolve_service
from writ.service import NotFound
from writ.service.subjects import get_entity
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/subjects")
def find_subject(
    request: Request,
    session: PageSession,
    id: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    if id.strip():
        return RedirectResponse(f"/subjects/{id.strip()}", status_code=303)
    return render(request, "subject_find.html", session, title="Open a subject")


@router.get("/subjects/{entity_id}")
def subject_profile(
    request: Request,
    session: PageSession,
    svc: Svc,
    entity_id: Annotated[str, Path(max_length=128)],
) -> Response:
    actor = session.actor
    subject = get_entity(svc, actor, entity_id)
    sources = sorted(
        {s.source for values in subject.properties.values() for v in values for s in v.sources}
    )
    try:
        records = resolve_service.subject_records(svc, actor, entity_id)
    except NotFound:
        records = []
    graph = case_service.neighbours(svc, actor, entity_id, depth=1)
    chart = {
        "nodes": [{"id": n.id, "label": n.label, "kind": n.kind} for n in graph.nodes.values()],
        "edges": [
            {"source": e.source, "target": e.target, "label": e.label or e.type}
            for e in graph.edge_list()
        ],
        "centre": entity_id,
    }
    return render(
        request,
        "subject.html",
        session,
        title=subject.caption,
        subject=subject,
        sources=sources,
        records=records,
        graph=graph,
        labels={n.id: n.label for n in graph.nodes.values()},
        chart=chart,
        timeline=case_service.subject_timeline(svc, actor, entity_id),
        declared=lc.declared_family(svc, actor, entity_id),
    )
