"""The resolve commands end to end: run, export clusters as CSV, match, review."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from helpers import put_statements
from test_resolve_service import PEOPLE
from test_resolve_support import hand_set_model
from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.cli import app
from writ.policy.engine import load_policy
from writ.resolve import repository
from writ.service import Services
from writ.store.engine import Store


def test_run_export_match_and_review_from_the_command_line(writ_home: Path, db_url: str) -> None:
    store = Store(db_url)
    svc = Services(store, load_policy(), Ledger(keys.load_signing_key(writ_home / "ledger.key")))
    for entity_id, props in PEOPLE.items():
        put_statements(svc, entity_id, "Person", props, source="src", record_id=entity_id)
    with store.transaction() as session:
        repository.save_model(session, hand_set_model(), "test", "2024-01-01T00:00:00+00:00")
    store.dispose()
    runner = CliRunner()

    result = runner.invoke(app, ["resolve", "run"])
    assert result.exit_code == 0, result.output
    assert "7 records" in result.output

    result = runner.invoke(app, ["resolve", "train"])
    assert result.exit_code == 0, result.output
    assert "trained on 7 records, accept at" in result.output  # all of them: no sample

    result = runner.invoke(app, ["export", "clusters", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0])[:3] == ["source", "record_id", "subject_id"]
    assert {r["record_id"] for r in rows} == set(PEOPLE)
    subject = {r["record_id"]: r["subject_id"] for r in rows}
    assert subject["e-mo-1"] == subject["e-mo-2"]

    result = runner.invoke(
        app, ["match", "--first-name", "Muhammad", "--last-name", "Yusuf", "--birth-date", "1979"]
    )
    assert result.exit_code == 0, result.output
    assert subject["e-mo-1"] in result.output
    assert "date of birth: only partly known" in result.output

    result = runner.invoke(app, ["review", "list"])
    assert result.exit_code == 0, result.output
    assert "Maria" in result.output
