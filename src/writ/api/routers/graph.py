"""The link graph: neighbours of a subject or a case, the shortest path between two subjects,
and exports as GraphML or followthemoney entities.

Nodes the caller may not read are left out, never hinted at. Exports go through the graph
service's ``export`` operation, so the export policy (and any step-up it asks for) applies and
every export is in the audit ledger.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from writ.api.deps import CurrentActor, Svc
from writ.api.fields import LINE
from writ.cases import service as case_service

router = APIRouter(tags=["graph"])
EdgeType = Literal[
    "address",
    "identifier",
    "family",
    "associate",
    "employment",
    "ownership",
    "case-subject",
    "case-link",
]
NodeId = Annotated[
    str,
    Query(
        min_length=1,
        max_length=128,
        pattern=LINE,
        description="A subject's entity id, or `case:<case id>`.",
    ),
]
EdgeTypes = Annotated[
    list[EdgeType] | None,
    Query(max_length=8, description="Only these edge types (repeat the parameter); default all."),
]
Depth = Annotated[int, Query(ge=1, le=4, description="Hops from the start.")]
MEDIA = {"graphml": "application/graphml+xml", "ftm": "application/x-ndjson"}


class NodeOut(BaseModel):
    id: str
    kind: str
    label: str


class EdgeOut(BaseModel):
    source: str
    target: str
    type: str
    evidence: list[str]
    label: str
    via: str


class GraphOut(BaseModel):
    nodes: list[NodeOut]
    edges: list[EdgeOut]


def _out(graph: case_service.Graph) -> GraphOut:
    return GraphOut(
        nodes=[NodeOut(**dataclasses.asdict(n)) for n in sorted(graph.nodes.values(), key=_id)],
        edges=[
            EdgeOut(**{**dataclasses.asdict(e), "evidence": list(e.evidence)})
            for e in graph.edge_list()
        ],
    )


def _types(chosen: list[EdgeType] | None) -> list[str] | None:
    return [str(t) for t in chosen] if chosen else None


def _id(node: case_service.Node) -> str:
    return node.id


@router.get(
    "/graph/neighbours",
    response_model=GraphOut,
    summary="Everything within `depth` hops of a subject or case that you may see",
)
def neighbours(
    svc: Svc,
    actor: CurrentActor,
    node: NodeId,
    depth: Depth = 1,
    edge_type: EdgeTypes = None,
) -> GraphOut:
    graph = case_service.neighbours(svc, actor, node, depth=depth, edge_types=_types(edge_type))
    return _out(graph)


@router.get(
    "/graph/path",
    response_model=GraphOut,
    summary="The shortest chain of visible edges between two subjects (empty if none)",
)
def path(
    svc: Svc,
    actor: CurrentActor,
    source: Annotated[str, Query(min_length=1, max_length=128, pattern=LINE)],
    target: Annotated[str, Query(min_length=1, max_length=128, pattern=LINE)],
    max_depth: Annotated[int, Query(ge=1, le=6)] = 6,
    edge_type: EdgeTypes = None,
) -> GraphOut:
    graph = case_service.shortest_path(
        svc, actor, source, target, max_depth=max_depth, edge_types=_types(edge_type)
    )
    return _out(graph)


@router.get(
    "/graph/export",
    response_class=Response,
    responses={
        200: {
            "content": {MEDIA["graphml"]: {}, MEDIA["ftm"]: {}},
            "description": "GraphML, or followthemoney entities one JSON object per line",
        }
    },
    summary="Export a link chart as GraphML or followthemoney entities (audited)",
)
def export(
    svc: Svc,
    actor: CurrentActor,
    node: NodeId,
    format: Annotated[Literal["graphml", "ftm"], Query()] = "graphml",
    depth: Depth = 1,
    edge_type: EdgeTypes = None,
) -> Response:
    text = case_service.export_graph(
        svc, actor, node, format=format, depth=depth, edge_types=_types(edge_type)
    )
    suffix = "graphml" if format == "graphml" else "ftm.json"
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in node)
    return Response(
        text,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="graph-{safe}.{suffix}"'},
    )
