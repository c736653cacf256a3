"""The subject profile: one person over every record of them the viewer may read — each value
with its sources, the records from each source, the link chart (cytoscape.js, with the same
links in a table for the keyboard, screen readers and browsers without scripts), the
immigration cases and family links, and the timeline.

A profile's address is its subject id (``/subjects/S-…``); a record's address leads there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from writ.cases import service as case_service
from writ.lifecycle import service as lc
from writ.model.subject import Source, Subject
from writ.service import NotFound
from writ.service.subjects import SubjectProfile, get_subject
from writ.web import plain
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)

# What each kind of node is called in the chart's legend, and how an edge type reads.
KINDS = {
    "subject": "Person",
    "organisation": "Organisation",
    "vehicle": "Vehicle",
    "address": "Address",
    "identifier": "Identifier (A-number, passport, ID)",
    "case": "Case",
}
EDGE_WORDS = {
    "address": "address",
    "identifier": "holds",
    "family": "family",
    "associate": "associate",
    "employment": "works with",
    "ownership": "owns",
    "case-subject": "on case",
    "case-link": "linked case",
}


@router.get("/subjects")
def find_subject(
    request: Request,
    session: PageSession,
    svc: Svc,
    id: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Open a subject by its id (``S-…``) or a record's id; anything else is searched for."""
    wanted = id.strip()
    if not wanted:
        return render(request, "subject_find.html", session, title="Open a subject")
    if " " not in wanted:
        try:
            found = get_subject(svc, session.actor, wanted)
        except NotFound:
            pass
        else:
            return RedirectResponse(f"/subjects/{found.id}", status_code=303)
    return RedirectResponse("/search?" + urlencode({"q": wanted}), status_code=303)


def chart_of(profile: SubjectProfile, graph: case_service.Graph) -> dict[str, Any]:
    """The link chart as the page draws it: the subject's records are one node; a record of
    another subject is that subject; every node has a name, a kind and, where there is one,
    the page it opens."""
    mine = set(profile.entity_ids)

    def node_id(raw: str) -> str:
        if raw in mine:
            return profile.id
        node = graph.nodes.get(raw)
        if node is None:
            return raw
        if node.subject_id:
            return node.subject_id
        if node.kind in ("address", "identifier"):
            # Each record has its own address entity; the same address is one place.
            return f"{node.kind}:{_same_text(node.label)}"
        return raw

    nodes: dict[str, dict[str, Any]] = {
        profile.id: {
            "id": profile.id,
            "label": profile.view.caption_or("no name on file"),
            "kind": "subject",
            "centre": True,
        }
    }
    for raw, node in graph.nodes.items():
        shown = node_id(raw)
        if shown in nodes:
            if _as_written(node.label) > _as_written(nodes[shown]["label"]):
                nodes[shown]["label"] = node.label
            continue
        nodes[shown] = {
            "id": shown,
            "label": node.label,
            "kind": node.kind if node.kind in KINDS else "subject",
            "href": _href(shown, node.kind, node.label),
        }
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for edge in graph.edge_list():
        source, target = node_id(edge.source), node_id(edge.target)
        if source == target:
            continue
        label = edge.label or EDGE_WORDS.get(edge.type, edge.type)
        if edge.type == "case-subject" and edge.label:
            label = f"on case as {edge.label}"
        a, b = sorted((source, target))
        found = edges.setdefault(
            (a, b, label),
            {"source": source, "target": target, "label": label, "type": edge.type, "evidence": 0},
        )
        found["evidence"] += len(edge.evidence)
    linked = {e[k] for e in edges.values() for k in ("source", "target")}
    kind_order = list(KINDS)
    shown_nodes = sorted(
        (n for n in nodes.values() if n["id"] in linked or n.get("centre")),
        key=lambda n: (not n.get("centre"), kind_order.index(n["kind"]), n["label"]),
    )
    kinds = sorted({n["kind"] for n in shown_nodes}, key=kind_order.index)
    return {
        "nodes": shown_nodes,
        "edges": list(edges.values()),
        "legend": [{"kind": k, "label": KINDS[k]} for k in kinds],
    }


def _same_text(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").split())


def _as_written(text: str) -> tuple[bool, bool]:
    """Prefer "7369 River Ln" to "7369 RIVER LN" when both name one thing."""
    return (not text.isupper(), not text.isascii())


@dataclass
class ShownValue:
    """A value as the profile shows it, with every source that gives it."""

    text: str
    href: str
    sources: list[Source] = field(default_factory=list)


def shown_values(
    subject: Subject, names: dict[str, str], links: dict[str, str]
) -> list[tuple[str, list[ShownValue]]]:
    """Each property's values as a person reads them: a linked record by its name (one row for
    the same address given by several records), a country by its name."""
    rows: list[tuple[str, list[ShownValue]]] = []
    for prop, values in subject.properties.items():
        reference = plain.is_reference(prop, subject.schema)
        merged: dict[str, ShownValue] = {}
        for value in values:
            if reference:
                text = names.get(value.value, "a linked record")
                href = links.get(value.value, "")
            else:
                text, href = plain.prop_value(value.value, prop, subject.schema), ""
            key = _same_text(text)
            found = merged.get(key)
            if found is None:
                merged[key] = ShownValue(text, href, list(value.sources))
            else:
                found.sources.extend(value.sources)
                if _as_written(text) > _as_written(found.text):
                    found.text = text
        rows.append((prop, list(merged.values())))
    return rows


def _href(node_id: str, kind: str, label: str) -> str:
    if node_id.startswith("case:"):
        return f"/cases/{node_id.removeprefix('case:')}"
    if kind == "identifier":
        return "/search?" + urlencode({"q": label})
    if kind == "address":
        return ""
    return f"/subjects/{node_id}"


@router.get("/subjects/{entity_id}")
def subject_profile(
    request: Request,
    session: PageSession,
    svc: Svc,
    entity_id: Annotated[str, Path(max_length=128)],
) -> Response:
    actor = session.actor
    try:
        profile = get_subject(svc, actor, entity_id)
    except NotFound:
        return render(
            request,
            "subject_missing.html",
            session,
            status_code=404,
            title="No such subject",
            wanted=entity_id,
        )
    if profile.subject_id is not None and entity_id != profile.id and not profile.merged_from:
        return RedirectResponse(f"/subjects/{profile.id}", status_code=303)
    graph = case_service.neighbours(svc, actor, profile.entity_ids, depth=1)
    chart = chart_of(profile, graph)
    names = {raw: n.label for raw, n in graph.nodes.items()}
    names.update({n["id"]: n["label"] for n in chart["nodes"]})
    links = {n["id"]: n.get("href", "") for n in chart["nodes"]}
    links.update({raw: _href(raw, n.kind, n.label) for raw, n in graph.nodes.items()})
    person = profile.view.schema in ("Person", "LegalEntity")
    return render(
        request,
        "subject.html",
        session,
        title=profile.view.caption_or(_untitled(profile)),
        profile=profile,
        subject=profile.view,
        chart=chart,
        names=names,
        links=links,
        values=shown_values(profile.view, names, links),
        timeline=case_service.subject_timeline(svc, actor, profile.entity_ids) if person else [],
        declared=lc.declared_family(svc, actor, profile.entity_ids) if person else [],
        person=person,
    )


def _untitled(profile: SubjectProfile) -> str:
    """A title for a profile with no name on file: what it is and where it comes from."""
    first = profile.records[0]
    what = "Subject" if profile.subject_id else "Record"
    return f"{what} with no name, from {first.source} record {first.record_id}"
