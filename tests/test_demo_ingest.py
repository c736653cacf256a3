"""The demo's mappings ingest its sources as the ground truth says, on SQLite and PostgreSQL:
exactly the rows broken on purpose are quarantined, exactly the bad optional values carry a
validation error, and every person of the ground truth is an entity with statements."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from helpers import actor
from writ.demo.generate import generate
from writ.ingest.rows import entity_id
from writ.ingest.service import ingest, list_quarantine
from writ.service import Services
from writ.store.tables.core import statements

CUSTODIAN = actor("custodian", user="records-1", unit="HQ", purpose="records-management")


def test_every_demo_mapping_ingests_as_the_ground_truth_says(
    services: Services, tmp_path: Path
) -> None:
    demo = generate(tmp_path / "demo", people=120, seed=3)
    for source, mapping in demo.mappings.items():
        summary = ingest(services, CUSTODIAN, mapping)
        expected = {(t.line, t.expected_quarantine) for t in demo.truth if t.source == source}
        expected_quarantine = {(line, reason) for line, reason in expected if reason}
        assert summary.balanced
        assert summary.read == len({line for line, _ in expected})
        assert summary.quarantined == len(expected_quarantine)
        held = list_quarantine(services, CUSTODIAN, source=source, limit=1000)
        assert {(entry.line, entry.reason) for entry in held} == expected_quarantine

    with services.store.transaction() as session:
        rows = session.execute(
            select(
                statements.c.source,
                statements.c.record_id,
                statements.c.entity_id,
                statements.c.validation_error,
            )
        ).all()
    errors = {
        (row.source, row.record_id, row.validation_error.split(":")[0])
        for row in rows
        if row.validation_error
    }
    assert errors == {
        (t.source, t.record_id, column)
        for t in demo.truth
        if t.entity == "person"
        for column in t.validation_errors
    }
    entities = {row.entity_id for row in rows}
    taken = [t for t in demo.truth if not t.expected_quarantine]
    assert {entity_id(t.source, t.record_id, t.entity) for t in taken} <= entities
