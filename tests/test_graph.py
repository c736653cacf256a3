"""Link analysis: edges from statements and case actions, filtered by what the actor may see."""

import json
from xml.etree import ElementTree as ET

import pytest
from followthemoney import model
from sqlalchemy import select

from helpers import actor, put_statements
from writ.cases import service as cases
from writ.service.subjects import set_marking
from writ.store.tables.core import statements

OFFICER = actor("officer", user="ana", unit="ERO-NYC")
CUSTODIAN = actor("custodian", user="cu", unit="ERO-NYC", purpose="records-management")
STREET = "12 Harbor St, Newark NJ"


def _world(services):
    """Ana and Bo are family and share an address; Cy (sealed) shares it too and is Eve's associate;
    Bo drives a van, holds a passport and works for Acme."""
    put = put_statements
    put(services, "ana", "Person", {"name": "Ana Reyes", "address": STREET}, record_id="1")
    put(services, "bo", "Person", {"name": "Bo Reyes", "address": STREET}, record_id="2")
    put(services, "cy", "Person", {"name": "Cy Sealed", "address": STREET}, record_id="3")
    put(services, "eve", "Person", {"name": "Eve Stone"}, record_id="4")
    put(services, "acme", "Organization", {"name": "Acme Haulage"}, record_id="5")
    put(
        services,
        "fam-1",
        "Family",
        {"person": "ana", "relative": "bo", "relationship": "sibling"},
        record_id="6",
    )
    put(services, "as-1", "Associate", {"person": "cy", "associate": "eve"}, record_id="7")
    put(services, "emp-1", "Employment", {"employee": "bo", "employer": "acme"}, record_id="8")
    put(services, "van", "Vehicle", {"name": "White Ford van", "owner": "bo"}, record_id="9")
    put(services, "pp-1", "Passport", {"number": "X1234567", "holder": "bo"}, record_id="10")
    set_marking(services, CUSTODIAN, "cy", sealed=True)


def _statement_ids(services):
    with services.store.transaction() as session:
        return {f"statement:{i}" for i in session.execute(select(statements.c.id)).scalars()}


def test_neighbours_come_from_statements_and_hide_what_the_actor_may_not_see(services):
    _world(services)
    graph = cases.neighbours(services, OFFICER, "ana", depth=2)
    assert set(graph.nodes) == {
        "ana",
        "bo",
        f"address:{STREET}",
        "acme",
        "van",
        "identifier:X1234567",
    }
    kinds = {n.id: n.kind for n in graph.nodes.values()}
    assert kinds["acme"] == "organisation" and kinds["van"] == "vehicle"
    types = {(e.source, e.target, e.type) for e in graph.edge_list()}
    assert ("ana", "bo", "family") in types
    assert ("bo", "acme", "employment") in types
    # Every edge is traceable to statements that exist.
    known = _statement_ids(services)
    for edge in graph.edge_list():
        assert edge.evidence and set(edge.evidence) <= known
    # Cy is sealed: absent, no edge to her, and Eve (reachable only through her) absent too.
    text = json.dumps([e.__dict__ for e in graph.edge_list()])
    assert "cy" not in graph.nodes and '"cy"' not in text and "eve" not in graph.nodes
    assert "eve" not in cases.neighbours(services, OFFICER, "ana", depth=4).nodes
    # The custodian sees them.
    full = cases.neighbours(services, CUSTODIAN, "ana", depth=3)
    assert {"cy", "eve"} <= set(full.nodes)
    # Edge-type filter.
    family = cases.neighbours(services, OFFICER, "ana", depth=3, edge_types=["family"])
    assert set(family.nodes) == {"ana", "bo"}
    with pytest.raises(ValueError, match="unknown"):
        cases.neighbours(services, OFFICER, "ana", edge_types=["telepathy"])


def test_shortest_path_and_case_edges(services):
    _world(services)
    case = cases.open_case(services, OFFICER, type="investigation", title="Haulage")
    other = cases.open_case(services, OFFICER, type="investigation", title="Van")
    cases.add_subject(services, OFFICER, case.id, "ana", "target")
    cases.add_subject(services, OFFICER, other.id, "van", "other")
    cases.link_cases(services, OFFICER, case.id, other.id, reason="same van")

    path = cases.shortest_path(services, OFFICER, "ana", "acme")
    assert sorted(e.type for e in path.edge_list()) == ["employment", "family"]
    assert set(path.nodes) == {"ana", "bo", "acme"}
    # Through the cases only: ana -case-> case -link-> other case -subject-> van.
    via_cases = cases.shortest_path(
        services, OFFICER, "ana", "van", edge_types=["case-subject", "case-link"]
    )
    assert len(via_cases.edges) == 3
    link = next(e for e in via_cases.edge_list() if e.type == "case-link")
    assert "same van" in link.evidence[0] and "by ana" in link.evidence[0]
    # No visible path to Eve for the officer; the custodian finds one through Cy.
    assert cases.shortest_path(services, OFFICER, "ana", "eve").nodes == {}
    assert "cy" in cases.shortest_path(services, CUSTODIAN, "ana", "eve").nodes


def test_graph_exports_graphml_and_followthemoney(services):
    _world(services)
    graphml = cases.export_graph(services, OFFICER, "ana", depth=2)
    root = ET.fromstring(graphml)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = {n.get("id") for n in root.findall(".//g:node", ns)}
    assert "bo" in ids and "cy" not in ids
    assert root.findall(".//g:edge", ns)

    lines = cases.export_graph(services, OFFICER, "ana", depth=2, format="ftm").splitlines()
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    by_id = {p.id: p for p in proxies}
    assert {"ana", "bo", "acme", "van", "fam-1", "emp-1", "pp-1"} <= set(by_id)
    assert "cy" not in by_id and "as-1" not in by_id
    assert by_id["fam-1"].schema.name == "Family"
    assert by_id["fam-1"].get("relative") == ["bo"]
