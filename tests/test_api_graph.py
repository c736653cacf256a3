"""The link graph over the API: neighbours with filters, shortest path, GraphML and
followthemoney exports (audited); SQLite and PostgreSQL."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from helpers import actor, audit_rows, put_statements
from test_api_support import assert_problem, make_client, signed_in
from writ.cases import service as case_service
from writ.service.subjects import set_marking

CUSTODIAN = actor("custodian", user="cu", unit="ERO-NYC", purpose="records-management")
STREET = "12 Harbor St, Newark NJ"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def client(services):
    with make_client(services) as test_client:
        yield test_client


@pytest.fixture
def world(services) -> None:
    """Ana and Bo are family and share an address; Bo works for Acme; Cy (sealed) is Bo's
    associate; Eve is reachable only through Cy."""
    put = put_statements
    put(services, "ana", "Person", {"name": "Ana Reyes", "address": STREET}, record_id="1")
    put(services, "bo", "Person", {"name": "Bo Reyes", "address": STREET}, record_id="2")
    put(services, "cy", "Person", {"name": "Cy Sealed"}, record_id="3")
    put(services, "eve", "Person", {"name": "Eve Stone"}, record_id="4")
    put(services, "acme", "Organization", {"name": "Acme Haulage"}, record_id="5")
    put(services, "fam-1", "Family", {"person": "ana", "relative": "bo"}, record_id="6")
    put(services, "as-1", "Associate", {"person": "bo", "associate": "cy"}, record_id="7")
    put(services, "as-2", "Associate", {"person": "cy", "associate": "eve"}, record_id="8")
    put(services, "emp-1", "Employment", {"employee": "bo", "employer": "acme"}, record_id="9")
    set_marking(services, CUSTODIAN, "cy", sealed=True)


def test_neighbours_with_depth_and_edge_type_filters(client, services, world):
    headers = signed_in(client, services, "ana", {"officer"})
    graph = client.get("/api/v1/graph/neighbours?node=ana&depth=2", headers=headers).json()
    ids = {n["id"] for n in graph["nodes"]}
    assert ids == {"ana", "bo", f"address:{STREET}", "acme"}
    assert {(e["source"], e["target"], e["type"]) for e in graph["edges"]} >= {
        ("ana", "bo", "family"),
        ("bo", "acme", "employment"),
    }
    assert all(e["evidence"] for e in graph["edges"])
    assert "cy" not in json.dumps(graph) and "eve" not in ids
    family = client.get(
        "/api/v1/graph/neighbours",
        params=[("node", "ana"), ("depth", "3"), ("edge_type", "family")],
        headers=headers,
    ).json()
    assert {n["id"] for n in family["nodes"]} == {"ana", "bo"}
    two = client.get(
        "/api/v1/graph/neighbours",
        params=[("node", "bo"), ("edge_type", "family"), ("edge_type", "employment")],
        headers=headers,
    ).json()
    assert {n["id"] for n in two["nodes"]} == {"ana", "bo", "acme"}
    assert audit_rows(services)[-1]["action"] == "graph.neighbours"


def test_neighbours_of_a_case(client, services, world):
    officer = actor("officer", user="ana")
    case = case_service.open_case(services, officer, type="investigation", title="Haulage")
    case_service.add_subject(services, officer, case.id, "bo", role="target")
    headers = signed_in(client, services, "ana", {"officer"})
    graph = client.get(f"/api/v1/graph/neighbours?node=case:{case.id}", headers=headers).json()
    assert {n["id"] for n in graph["nodes"]} == {f"case:{case.id}", "bo"}
    assert graph["edges"][0]["type"] == "case-subject"


def test_shortest_path_goes_around_what_is_hidden(client, services, world):
    officer = signed_in(client, services, "ana", {"officer"})
    path = client.get("/api/v1/graph/path?source=ana&target=acme", headers=officer).json()
    assert sorted(e["type"] for e in path["edges"]) == ["employment", "family"]
    assert {n["id"] for n in path["nodes"]} == {"ana", "bo", "acme"}
    custodian = signed_in(client, services, "cu", {"custodian"}, "records-management")
    seen = client.get("/api/v1/graph/path?source=ana&target=eve", headers=custodian).json()
    assert len(seen["edges"]) == 3
    hidden = client.get("/api/v1/graph/path?source=ana&target=eve", headers=officer).json()
    assert hidden == {"nodes": [], "edges": []}


def test_exports_are_graphml_or_ftm_and_audited(client, services, world):
    headers = signed_in(client, services, "ana", {"officer"})
    response = client.get("/api/v1/graph/export?node=ana&depth=2", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/graphml+xml")
    root = ET.fromstring(response.content)
    nodes = {n.get("id") for n in root.iter(f"{GRAPHML}node")}
    assert nodes == {"ana", "bo", f"address:{STREET}", "acme"}
    ftm = client.get("/api/v1/graph/export?node=ana&depth=2&format=ftm", headers=headers)
    assert ftm.headers["content-type"].startswith("application/x-ndjson")
    entities = [json.loads(line) for line in ftm.text.splitlines()]
    assert {e["id"] for e in entities} == {"ana", "bo", "acme", "fam-1", "emp-1"}
    exports = [r for r in audit_rows(services) if r["action"].startswith("graph.export_")]
    assert [(r["action"], r["outcome"]) for r in exports] == [
        ("graph.export_graphml", "ok"),
        ("graph.export_ftm", "ok"),
    ]


def test_denials_name_the_policy(client, services, world):
    officer = signed_in(client, services, "ana", {"officer"})
    sealed = client.get("/api/v1/graph/neighbours?node=cy", headers=officer)
    assert_problem(sealed, 403, policy="sealed-custodian-only", resource="person:cy")
    custodian = signed_in(client, services, "cu", {"custodian"}, "records-management")
    export = client.get("/api/v1/graph/export?node=ana", headers=custodian)
    assert_problem(export, 403, policy="default-deny", resource="graph:ana")
    last = audit_rows(services)[-1]
    assert (last["action"], last["outcome"]) == ("graph.export_graphml", "denied")


def test_bad_parameters_name_the_field(client, services, world):
    headers = signed_in(client, services, "ana", {"officer"})
    url = "/api/v1/graph/neighbours"
    assert_problem(client.get(f"{url}?node=ana&depth=9", headers=headers), 422, field="query.depth")
    bad_type = client.get(f"{url}?node=ana&edge_type=telepathy", headers=headers)
    assert_problem(bad_type, 422, field="query.edge_type.0")
    assert_problem(client.get(url, headers=headers), 422, field="query.node")
    fmt = client.get("/api/v1/graph/export?node=ana&format=pdf", headers=headers)
    assert_problem(fmt, 422, field="query.format")
    assert_problem(client.get(f"{url}?node=nobody", headers=headers), 404)
    assert_problem(client.get(f"{url}?node=case:nope", headers=headers), 404)
    assert_problem(client.get(f"{url}?node=a%00b", headers=headers), 422, field="query.node")


def test_no_session_no_graph(client, world):
    assert_problem(client.get("/api/v1/graph/neighbours?node=ana"), 401)
    assert_problem(client.get("/api/v1/graph/path?source=ana&target=bo"), 401)
    assert_problem(client.get("/api/v1/graph/export?node=ana"), 401)
