"""Link analysis: a graph of subjects, addresses, organisations, vehicles, identifiers and cases.

Edges come from statements (shared address, family, associate, employment, ownership, shared
identifier) and from case actions (a subject on a case, a case link). Every edge carries the
statements or actions behind it. Each node is checked against the policy before it is added;
a node the actor may not read is left out with its edges and never expanded, so nothing beyond
it is reached through it.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from writ.cases.interchange import entities
from writ.cases.records import case_from_row, load_case
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.model.statement import statement_id
from writ.service.operation import NotFound, Services
from writ.service.subjects import person_resource
from writ.store.tables.cases import case_links, case_subjects, cases
from writ.store.tables.core import statements
from writ.store.tables.resolve import resolve_records

ADDRESS_PROPS = ("address",)
IDENTIFIER_PROPS = ("idNumber", "passportNumber", "taxNumber", "registrationNumber")
# Relationship schemata: (edge type, the two properties naming its ends).
RELATIONSHIPS = {
    "Family": ("family", "person", "relative"),
    "Associate": ("associate", "person", "associate"),
    "Employment": ("employment", "employee", "employer"),
    "Membership": ("employment", "member", "organization"),
    "Directorship": ("employment", "director", "organization"),
    "Ownership": ("ownership", "owner", "asset"),
}
# Things that point at their holder/owner and are nodes (or identifiers) themselves.
HELD = {"Passport": "holder", "Identification": "holder", "Vehicle": "owner"}
REFERENCE_PROPS = (
    *sorted({p for _, a, b in RELATIONSHIPS.values() for p in (a, b)} | set(HELD.values())),
    "addressEntity",
)
EDGE_TYPES = (
    "address",
    "identifier",
    "family",
    "associate",
    "employment",
    "ownership",
    "case-subject",
    "case-link",
)
MAX_DEPTH = 4
MAX_NODES = 500


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    label: str
    schema: str = ""  # the followthemoney schema of an entity
    subject_id: str = ""  # the subject an entity was resolved into, if any


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    type: str
    evidence: tuple[str, ...]
    label: str = ""
    via: str = ""  # the relationship or document entity the edge comes through, if any


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)

    def add_edge(self, edge: Edge) -> None:
        a, b = sorted((edge.source, edge.target))
        key = (a, b, edge.type)
        old = self.edges.get(key)
        if old is None:
            self.edges[key] = edge
        else:
            merged = tuple(sorted(set(old.evidence) | set(edge.evidence)))
            self.edges[key] = Edge(old.source, old.target, old.type, merged, old.label, old.via)

    def edge_list(self) -> list[Edge]:
        return [self.edges[k] for k in sorted(self.edges)]


def _kind_of(schema: str) -> str:
    found = model.get(schema)
    if found is None:
        return "subject"
    if found.is_a("Address"):
        return "address"
    if found.is_a("Vehicle"):
        return "vehicle"
    if found.is_a("Organization") or found.is_a("Company"):
        return "organisation"
    return "subject"


def _sid(row: object) -> str:
    r = row._mapping  # type: ignore[attr-defined]
    return "statement:" + statement_id(
        r["source"], r["record_id"], r["entity_id"], r["prop"], r["value"]
    )


def _current(session: Session, *conditions: object) -> list[object]:
    query = select(statements).where(statements.c.superseded_at.is_(None), *conditions)  # type: ignore[arg-type]
    return list(session.execute(query).all())


class _Walker:
    """Expands nodes one hop at a time, asking the policy about every node it would add."""

    def __init__(self, svc: Services, actor: Actor, session: Session, types: set[str]) -> None:
        self.svc = svc
        self.actor = actor
        self.session = session
        self.types = types
        self.seen: dict[str, Node | None] = {}

    # --- visibility ----------------------------------------------------------------------------

    def node(self, node_id: str) -> Node | None:
        """The node if the actor may see it, else None (cached)."""
        if node_id not in self.seen:
            self.seen[node_id] = self._load(node_id)
        return self.seen[node_id]

    def _load(self, node_id: str) -> Node | None:
        if node_id.startswith("case:"):
            row = self.session.execute(
                select(cases).where(cases.c.id == node_id.removeprefix("case:"))
            ).first()
            if row is None:
                return None
            case = case_from_row(row)
            if not self.svc.policy.decide(self.actor, "read", case.resource()).allowed:
                return None
            return Node(node_id, "case", f"{case.number} {case.title}")
        if node_id.startswith("address:"):
            return Node(node_id, "address", node_id.removeprefix("address:"))
        if node_id.startswith("identifier:"):
            return Node(node_id, "identifier", node_id.removeprefix("identifier:"))
        if not self._entity_visible(node_id):
            return None
        rows = _current(self.session, statements.c.entity_id == node_id)
        if not rows:
            return None
        schema = rows[0].schema  # type: ignore[attr-defined]
        names = sorted(
            r.value  # type: ignore[attr-defined]
            for r in rows
            if r.prop in ("name", "full", "registrationNumber", "number")  # type: ignore[attr-defined]
        )
        if not names:
            given = {r.prop: r.value for r in rows}  # type: ignore[attr-defined]
            joined = " ".join(p for p in (given.get("firstName"), given.get("lastName")) if p)
            names = [joined] if joined else []
        subject = self.session.execute(
            select(resolve_records.c.subject_id).where(resolve_records.c.entity_id == node_id)
        ).scalar()
        found = model.get(schema)
        label = names[0] if names else f"{found.label if found else schema} (no name on file)"
        return Node(node_id, _kind_of(schema), label, schema, subject or "")

    def _entity_visible(self, entity_id: str) -> bool:
        resource = person_resource(self.session, entity_id)
        return self.svc.policy.decide(self.actor, "read", resource).allowed

    # --- expansion -----------------------------------------------------------------------------

    def expand(self, node_id: str) -> list[Edge]:
        if node_id.startswith("case:"):
            found = self._case_edges(node_id.removeprefix("case:"))
        elif node_id.startswith(("address:", "identifier:")):
            found = self._value_edges(node_id)
        else:
            found = self._entity_edges(node_id)
        return [e for e in found if e.type in self.types and self._ends_visible(e)]

    def _ends_visible(self, edge: Edge) -> bool:
        return self.node(edge.source) is not None and self.node(edge.target) is not None

    def _entity_edges(self, entity_id: str) -> list[Edge]:
        found: list[Edge] = []
        for row in _current(self.session, statements.c.entity_id == entity_id):
            prop, value = row.prop, row.value  # type: ignore[attr-defined]
            if prop in ADDRESS_PROPS:
                found.append(Edge(entity_id, f"address:{value}", "address", (_sid(row),)))
            elif prop in IDENTIFIER_PROPS:
                found.append(Edge(entity_id, f"identifier:{value}", "identifier", (_sid(row),)))
            elif prop == "addressEntity":
                found.append(Edge(entity_id, value, "address", (_sid(row),)))
        pointing = _current(
            self.session, statements.c.value == entity_id, statements.c.prop.in_(REFERENCE_PROPS)
        )
        for row in pointing:
            found += self._via(entity_id, row)
        for row in self.session.execute(
            select(case_subjects).where(case_subjects.c.entity_id == entity_id)
        ):
            found.append(self._case_subject_edge(row))
        return found

    def _via(self, entity_id: str, ref: object) -> list[Edge]:
        """Edges through the entity whose statement ``ref`` points at ``entity_id``."""
        r = ref._mapping  # type: ignore[attr-defined]
        other_id, schema, prop = r["entity_id"], r["schema"], r["prop"]
        if not self._entity_visible(other_id):
            return []
        if prop == "addressEntity":
            return [Edge(other_id, entity_id, "address", (_sid(ref),))]
        if schema in HELD and prop == HELD[schema]:
            if schema == "Vehicle":
                return [Edge(entity_id, other_id, "ownership", (_sid(ref),), "owner")]
            numbers = _current(
                self.session, statements.c.entity_id == other_id, statements.c.prop == "number"
            )
            return [
                Edge(
                    entity_id,
                    f"identifier:{n.value}",  # type: ignore[attr-defined]
                    "identifier",
                    (_sid(ref), _sid(n)),
                    schema.lower(),
                    other_id,
                )
                for n in numbers
            ]
        if schema not in RELATIONSHIPS:
            return []
        edge_type, left, right = RELATIONSHIPS[schema]
        other_prop = right if prop == left else left
        ends = _current(
            self.session, statements.c.entity_id == other_id, statements.c.prop == other_prop
        )
        labels = _current(
            self.session,
            statements.c.entity_id == other_id,
            statements.c.prop.in_(("relationship", "role")),
        )
        label = ", ".join(sorted({x.value for x in labels}))  # type: ignore[attr-defined]
        return [
            Edge(entity_id, end.value, edge_type, (_sid(ref), _sid(end)), label, other_id)  # type: ignore[attr-defined]
            for end in ends
            if end.value != entity_id  # type: ignore[attr-defined]
        ]

    def _value_edges(self, node_id: str) -> list[Edge]:
        kind, value = node_id.split(":", 1)
        props = ADDRESS_PROPS if kind == "address" else IDENTIFIER_PROPS
        found = [
            Edge(
                row.entity_id,  # type: ignore[attr-defined]
                node_id,
                kind,
                (_sid(row),),
            )
            for row in _current(
                self.session, statements.c.prop.in_(props), statements.c.value == value
            )
        ]
        if kind == "identifier":
            for number in _current(
                self.session, statements.c.prop == "number", statements.c.value == value
            ):
                doc_id = number.entity_id  # type: ignore[attr-defined]
                if not self._entity_visible(doc_id):
                    continue
                for holder in _current(
                    self.session, statements.c.entity_id == doc_id, statements.c.prop == "holder"
                ):
                    found.append(
                        Edge(
                            holder.value,  # type: ignore[attr-defined]
                            node_id,
                            "identifier",
                            (_sid(holder), _sid(number)),
                            holder.schema.lower(),  # type: ignore[attr-defined]
                            doc_id,
                        )
                    )
        return found

    def _case_subject_edge(self, row: object) -> Edge:
        r = row._mapping  # type: ignore[attr-defined]
        action = (
            f"case-subject:{r['case_id']}:{r['entity_id']} "
            f"added by {r['added_by']} at {r['added_at']}"
        )
        return Edge(r["entity_id"], f"case:{r['case_id']}", "case-subject", (action,), r["role"])

    def _case_edges(self, case_id: str) -> list[Edge]:
        found = [
            self._case_subject_edge(row)
            for row in self.session.execute(
                select(case_subjects).where(case_subjects.c.case_id == case_id)
            )
        ]
        for row in self.session.execute(
            select(case_links).where(
                (case_links.c.case_id == case_id) | (case_links.c.other_case_id == case_id)
            )
        ):
            action = f"case-link:{row.id} by {row.linked_by} at {row.linked_at}: {row.reason}"
            found.append(
                Edge(
                    f"case:{row.case_id}",
                    f"case:{row.other_case_id}",
                    "case-link",
                    (action,),
                    row.relation,
                )
            )
        return found


def _types(edge_types: list[str] | set[str] | None) -> set[str]:
    chosen = set(edge_types) if edge_types else set(EDGE_TYPES)
    unknown = chosen - set(EDGE_TYPES)
    if unknown:
        raise ValueError(f"edge type(s) {sorted(unknown)} unknown; known: {list(EDGE_TYPES)}")
    return chosen


def _start(op_session: Session, node_id: str) -> Resource:
    if node_id.startswith("case:"):
        return load_case(op_session, node_id.removeprefix("case:")).resource()
    return person_resource(op_session, node_id)


def _walk(walker: _Walker, node_ids: list[str], depth: int) -> Graph:
    graph = Graph()
    for node_id in node_ids:
        start = walker.node(node_id)
        if start is None:
            raise NotFound(f"no subject {node_id}")
        graph.nodes[node_id] = start
    frontier = deque([(node_id, 0) for node_id in node_ids])
    while frontier and len(graph.nodes) < MAX_NODES:
        current, level = frontier.popleft()
        if level == depth:
            continue
        for edge in walker.expand(current):
            graph.add_edge(edge)
            for end in (edge.source, edge.target):
                found = walker.node(end)
                if end not in graph.nodes and found is not None:
                    graph.nodes[end] = found
                    frontier.append((end, level + 1))
    return graph


def neighbours(
    svc: Services,
    actor: Actor,
    node_id: str | Sequence[str],
    *,
    depth: int = 1,
    edge_types: list[str] | set[str] | None = None,
) -> Graph:
    """Everything within ``depth`` hops of a subject (or ``case:<id>``) that the actor may see;
    given several nodes (the records of one subject), of any of them."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"graph depth {depth}: must be between 1 and {MAX_DEPTH}")
    starts = [node_id] if isinstance(node_id, str) else list(dict.fromkeys(node_id))
    if not starts:
        raise ValueError("graph: name at least one subject or case to start from")
    types = _types(edge_types)
    with svc.operation(actor, "read", audit_action="graph.neighbours") as op:
        for start in starts:
            op.authorize(_start(op.session, start))
        graph = _walk(_Walker(svc, actor, op.session, types), starts, depth)
        op.details.update(
            start=starts[0] if len(starts) == 1 else starts,
            depth=depth,
            nodes=len(graph.nodes),
            edges=len(graph.edges),
        )
        return graph


def shortest_path(
    svc: Services,
    actor: Actor,
    source: str,
    target: str,
    *,
    max_depth: int = 6,
    edge_types: list[str] | set[str] | None = None,
) -> Graph:
    """The shortest chain of visible edges between two subjects; empty if there is none."""
    types = _types(edge_types)
    with svc.operation(actor, "read", audit_action="graph.path") as op:
        op.authorize(person_resource(op.session, target))
        op.authorize(person_resource(op.session, source))
        walker = _Walker(svc, actor, op.session, types)
        if walker.node(source) is None or walker.node(target) is None:
            raise NotFound(f"no path: {source} or {target} not found")
        came_from: dict[str, tuple[str, Edge] | None] = {source: None}
        frontier = deque([(source, 0)])
        while frontier and target not in came_from:
            current, level = frontier.popleft()
            if level == max_depth:
                continue
            for edge in walker.expand(current):
                nxt = edge.target if edge.source == current else edge.source
                if nxt not in came_from:
                    came_from[nxt] = (current, edge)
                    frontier.append((nxt, level + 1))
        graph = Graph()
        if target in came_from:
            node = target
            while node is not None:
                graph.nodes[node] = walker.node(node)  # type: ignore[assignment]
                step = came_from[node]
                if step is None:
                    break
                graph.add_edge(step[1])
                node = step[0]
        op.details.update(source=source, target=target, hops=len(graph.edges))
        return graph


def to_graphml(graph: Graph) -> str:
    """GraphML with node kind and label, edge type, label and evidence."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element("graphml", xmlns=ns)
    for key, target, name in (
        ("kind", "node", "kind"),
        ("label", "node", "label"),
        ("type", "edge", "type"),
        ("elabel", "edge", "label"),
        ("evidence", "edge", "evidence"),
    ):
        ET.SubElement(
            root, "key", id=key, attrib={"for": target, "attr.name": name, "attr.type": "string"}
        )
    body = ET.SubElement(root, "graph", id="writ", edgedefault="undirected")
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        element = ET.SubElement(body, "node", id=node.id)
        ET.SubElement(element, "data", key="kind").text = node.kind
        ET.SubElement(element, "data", key="label").text = node.label
    for index, edge in enumerate(graph.edge_list()):
        element = ET.SubElement(
            body, "edge", id=f"e{index}", source=edge.source, target=edge.target
        )
        ET.SubElement(element, "data", key="type").text = edge.type
        ET.SubElement(element, "data", key="elabel").text = edge.label
        ET.SubElement(element, "data", key="evidence").text = " ".join(edge.evidence)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def export_graph(
    svc: Services,
    actor: Actor,
    node_id: str,
    *,
    format: str = "graphml",
    depth: int = 1,
    edge_types: list[str] | set[str] | None = None,
) -> str:
    """A link chart as GraphML, or as followthemoney entities (``ftm``: one JSON per line).

    The followthemoney export holds the entities behind the visible nodes and edges (people,
    organisations, vehicles, addresses, and the Family, Associate, Passport ... entities that
    make the edges), each assembled from its current statements.
    """
    if format not in ("graphml", "ftm"):
        raise ValueError(f"graph export format {format!r}: graphml or ftm")
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"graph depth {depth}: must be between 1 and {MAX_DEPTH}")
    types = _types(edge_types)
    with svc.operation(actor, "export", audit_action=f"graph.export_{format}") as op:
        start = _start(op.session, node_id)
        op.authorize(Resource("graph", node_id, start.unit, start.compartments, start.sealed))
        graph = _walk(_Walker(svc, actor, op.session, types), [node_id], depth)
        op.details.update(start=node_id, nodes=len(graph.nodes), edges=len(graph.edges))
        if format == "graphml":
            return to_graphml(graph)
        ids = {n.id for n in graph.nodes.values() if n.kind not in ("case",)}
        ids = {i for i in ids if not i.startswith(("address:", "identifier:"))}
        ids |= {e.via for e in graph.edges.values() if e.via}
        return "".join(json.dumps(e, sort_keys=True) + "\n" for e in entities(op.session, ids))
