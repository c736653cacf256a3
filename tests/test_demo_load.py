"""`writ demo load`: synthetic sources through the real ingest and resolution, one user per role."""

import csv

import pytest

from writ.service import demo
from writ.service import users as user_service
from writ.service.audit import verify


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_demo_load_fills_the_store_and_can_run_twice(services, tmp_path):
    said: list[str] = []
    first = demo.load(services, tmp_path / "sources", people=60, seed=3, say=said.append)

    roles = {roles for _, roles, _ in first.users}
    assert {"officer", "supervisor", "legal", "oversight", "custodian", "admin"} <= roles
    assert set(first.ingested) == {"bookings", "court_records", "legacy_cases", "visa_benefits"}
    for read, taken, quarantined in first.ingested.values():
        assert read == taken + quarantined and taken > 0
    # The deliberately malformed rows, and only those, are quarantined.
    assert sum(q for _, _, q in first.ingested.values()) == 7
    with (tmp_path / "sources" / "ground_truth.csv").open() as truth:
        rows = [row for row in csv.DictReader(truth) if not row["expected_quarantine"]]
    mentions, people = len(rows), len({row["person_id"] for row in rows})
    # Resolution joined mentions of the same person, and did not collapse the population.
    assert first.subjects is not None and people * 0.8 <= first.subjects < mentions
    assert any("synthetic" in line or "made up" in line for line in said)

    officer = user_service.sign_in(services, "officer", "demo-officer", "investigation")
    assert officer.roles == frozenset({"officer"})

    again = demo.load(services, tmp_path / "sources", people=60, seed=3)
    assert [u for u, _, _ in again.users] == [u for u, _, _ in first.users]
    assert again.ingested == first.ingested
    assert again.subjects == first.subjects
    assert verify(services, demo.DEMO_ACTOR).ok
