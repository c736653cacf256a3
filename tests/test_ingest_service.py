"""Ingest into the store, on SQLite and PostgreSQL: statements, idempotence, history, quarantine,
audit, resumption, the sources registry."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import actor, audit_rows
from writ.ingest.rows import Record, Value
from writ.ingest.service import (
    IngestProgress,
    MappingError,
    SourceError,
    ingest,
    list_quarantine,
    list_sources,
    retry_quarantine,
    show_quarantine,
)
from writ.ingest.writer import RunContext, statement_rows
from writ.model.actor import system_actor
from writ.model.statement import statement_id
from writ.service import AccessDenied, Services
from writ.service.audit import verify
from writ.store.tables.core import statements
from writ.store.tables.ingest import ingest_runs, quarantine, source_records

FIXTURES = Path(__file__).parent / "ingest_fixtures"
HEADER = "docket,name,dob,nationality,a_number,relative,relation\n"
GOOD = [
    'D1,"GARCIA LOPEZ, MARIA JOSE",05/17/1984,Mexico,A-012-345-678,Jose Garcia,brother',
    'D2,"NGUYEN, VAN",1979,VNM,98765432,,',
    'D3,"OKAFOR, CHIDI",13/04/1990,NG,,Ada Okafor,mother',
]
CUSTODIAN = actor("custodian", user="records-1", unit="HQ", purpose="records-management")


def source_dir(tmp_path: Path, rows: list[str]) -> Path:
    """A copy of the court mapping next to a court.csv with ``rows``."""
    shutil.copy(FIXTURES / "court.yml", tmp_path / "court.yml")
    (tmp_path / "court.csv").write_text(HEADER + "".join(row + "\n" for row in rows))
    return tmp_path / "court.yml"


def rows_of(services: Services, table, *order) -> list[dict]:  # type: ignore[no-untyped-def]
    with services.store.transaction() as session:
        return [dict(r._mapping) for r in session.execute(select(table).order_by(*order))]


def current(services: Services) -> dict[tuple[str, str, str], dict]:  # type: ignore[type-arg]
    return {
        (s["record_id"], s["prop"], s["value"]): s
        for s in rows_of(services, statements, statements.c.id)
        if s["superseded_at"] is None
    }


def test_rows_become_statements_with_their_original_values(services, tmp_path):
    summary = ingest(services, CUSTODIAN, source_dir(tmp_path, GOOD))
    assert (summary.read, summary.new, summary.quarantined) == (3, 3, 0)
    assert summary.taken == 3 and summary.balanced
    values = current(services)
    assert values[("D1", "idNumber", "012345678")]["original_value"] == "A-012-345-678"
    assert values[("D1", "nationality", "mx")]["original_value"] == "Mexico"
    assert values[("D2", "nationality", "vn")]["original_value"] == "VNM"
    assert values[("D3", "birthDate", "1990-04-13")]["validation_error"] is None
    assert values[("D1", "relationship", "brother")]["schema"] == "Family"
    assert ("D2", "relationship", "") not in values
    assert summary.statements_added == len(values)
    records = rows_of(services, source_records, source_records.c.record_id)
    assert [(r["record_id"], r["line"]) for r in records] == [("D1", 2), ("D2", 3), ("D3", 4)]


def test_the_same_file_again_changes_nothing_but_last_seen(services, tmp_path):
    mapping = source_dir(tmp_path, GOOD)
    ingest(services, CUSTODIAN, mapping)
    before = rows_of(services, statements, statements.c.id)
    again = ingest(services, CUSTODIAN, mapping)
    after = rows_of(services, statements, statements.c.id)
    assert (again.read, again.new, again.changed, again.unchanged) == (3, 0, 0, 3)
    assert (again.statements_added, again.statements_superseded) == (0, 0)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert {k: v for k, v in old.items() if k != "last_seen"} == {
            k: v for k, v in new.items() if k != "last_seen"
        }
        assert new["last_seen"] > old["last_seen"]


def test_a_changed_row_adds_statements_and_keeps_the_old_ones_as_history(services, tmp_path):
    mapping = source_dir(tmp_path, GOOD)
    ingest(services, CUSTODIAN, mapping)
    changed = [GOOD[0].replace("Mexico", "Guatemala"), *GOOD[1:]]
    (tmp_path / "court.csv").write_text(HEADER + "".join(row + "\n" for row in changed))
    summary = ingest(services, CUSTODIAN, mapping)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 2)
    assert (summary.statements_added, summary.statements_superseded) == (1, 1)
    everything = rows_of(services, statements, statements.c.id)
    old = [s for s in everything if s["record_id"] == "D1" and s["prop"] == "nationality"]
    by_value = {s["value"]: s for s in old}
    assert by_value["mx"]["superseded_at"] is not None
    assert by_value["gt"]["superseded_at"] is None
    assert by_value["gt"]["original_value"] == "Guatemala"
    kept = current(services)[("D1", "idNumber", "012345678")]
    assert kept["last_seen"] > kept["first_seen"]

    (tmp_path / "court.csv").write_text(HEADER + "".join(row + "\n" for row in GOOD))
    back = ingest(services, CUSTODIAN, mapping)
    assert (back.changed, back.statements_added, back.statements_superseded) == (1, 0, 1)
    now = current(services)
    assert ("D1", "nationality", "mx") in now and ("D1", "nationality", "gt") not in now


def test_each_reason_a_row_is_quarantined(services, tmp_path):
    bad = [
        ',"NOBODY, KEY",01/13/1980,,,,',
        'D5,"OKAFOR, CHIDI",31/02/1990,NG,,,',
        "D6,,01/13/1980,,,,",
        'D7,"EXTRA, FIELD",01/13/1980,,,,,surplus',
        'D8,"SHORT, ROW",01/13/1980',
    ]
    summary = ingest(services, CUSTODIAN, source_dir(tmp_path, GOOD + bad))
    assert (summary.read, summary.taken, summary.quarantined) == (8, 3, 5)
    assert summary.balanced
    entries = list_quarantine(services, CUSTODIAN, source="court")
    csv_file = str(tmp_path / "court.csv")
    assert [(e.file, e.line, e.field, e.value, e.reason) for e in entries] == [
        (csv_file, 5, "docket", "", "missing_key"),
        (csv_file, 6, "dob", "31/02/1990", "unparseable_required"),
        (csv_file, 7, "name", "", "missing_required"),
        (csv_file, 8, "(field 8)", None, "wrong_columns"),
        (csv_file, 9, "nationality", None, "wrong_columns"),
    ]
    shown = show_quarantine(services, CUSTODIAN, entries[1].id)
    assert shown.row is not None and shown.row["docket"] == "D5"
    assert shown.problems[0]["message"] == (
        'dob: "31/02/1990" is not a date in the formats %m/%d/%Y, %d/%m/%Y, %Y'
    )


def test_a_bad_optional_value_is_kept_as_original_with_a_validation_error(services, tmp_path):
    row = 'D9,"SMITH, JOHN",03/04/1990,Neverland,A12,,'
    summary = ingest(services, CUSTODIAN, source_dir(tmp_path, [row]))
    assert (summary.taken, summary.quarantined) == (1, 0)
    values = current(services)
    country = values[("D9", "nationality", "Neverland")]
    assert country["original_value"] == "Neverland"
    assert country["validation_error"] == (
        'nationality: "Neverland" is not a known country name or code'
    )
    assert values[("D9", "idNumber", "A12")]["validation_error"].startswith("a_number: ")
    dob = values[("D9", "birthDate", "1990")]
    assert dob["validation_error"] == "dob: day and month are ambiguous: 1990-03-04 or 1990-04-03"


def test_every_batch_is_audited_as_the_ingest_system_actor_with_the_mapping_hash(
    services, tmp_path
):
    mapping = source_dir(tmp_path, [*GOOD, ',"NO, KEY",1980,,,,', *GOOD[:1]])
    summary = ingest(services, CUSTODIAN, mapping, batch_size=2)
    entries = [e for e in audit_rows(services) if e["action"].startswith("ingest.")]
    assert [e["action"] for e in entries] == [
        "ingest.start",
        "ingest.batch",
        "ingest.batch",
        "ingest.batch",
        "ingest.finish",
    ]
    assert entries[0]["actor"] == "records-1"
    batches = [e for e in entries if e["action"] == "ingest.batch"]
    assert {e["actor"] for e in batches} == {"system:ingest"}
    details = [json.loads(e["details"]) for e in batches]
    assert {d["mapping_sha256"] for d in details} == {summary.mapping_sha256}
    assert [(d["first_line"], d["last_line"]) for d in details] == [(2, 3), (4, 5), (6, 6)]
    assert sum(d["read"] for d in details) == summary.read == 5
    assert verify(services, CUSTODIAN).ok


def test_an_interrupted_run_resumes_after_its_last_committed_batch(services, tmp_path):
    bad = ['D5,"OKAFOR, CHIDI",31/02/1990,NG,,,']
    extra = [f'E{n},"DOE, JANE",01/13/1980,,,,' for n in range(6)]
    mapping = source_dir(tmp_path, GOOD + bad + extra)

    def stop_after_two_batches(state: IngestProgress) -> None:
        if state.rows >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(services, CUSTODIAN, mapping, batch_size=2, progress=stop_after_two_batches)
    (run,) = rows_of(services, ingest_runs)
    # On PostgreSQL the batch after the second may have been in flight, and commits.
    assert run["status"] == "running" and run["position"] == run["rows_read"]
    assert run["position"] in ((4,) if services.store.dialect == "sqlite" else (4, 6))
    assert len(rows_of(services, source_records)) == run["position"] - 1  # D5 is quarantined

    summary = ingest(services, CUSTODIAN, mapping, batch_size=2)
    assert summary.run_id == run["id"] and summary.resumed_at == run["position"]
    assert (summary.read, summary.taken, summary.quarantined) == (10, 9, 1)
    assert len(rows_of(services, source_records)) == 9
    assert len(rows_of(services, quarantine)) == 1
    (run,) = rows_of(services, ingest_runs)
    assert (run["status"], run["position"], run["rows_read"]) == ("finished", 10, 10)


def test_a_different_input_abandons_the_interrupted_run(services, tmp_path):
    mapping = source_dir(tmp_path, GOOD)

    def stop(state: IngestProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(services, CUSTODIAN, mapping, batch_size=1, progress=stop)
    other = tmp_path / "other.csv"
    other.write_text(HEADER + GOOD[2] + "\n")
    summary = ingest(services, CUSTODIAN, mapping, file=other)
    assert summary.resumed_at == 0 and summary.read == 1
    statuses = sorted(r["status"] for r in rows_of(services, ingest_runs))
    assert statuses == ["abandoned", "finished"]


def test_only_those_allowed_may_start_an_ingest_and_the_refusal_is_audited(services, tmp_path):
    officer = actor("officer")
    with pytest.raises(AccessDenied):
        ingest(services, officer, source_dir(tmp_path, GOOD))
    assert rows_of(services, statements) == []
    (denied,) = audit_rows(services)
    assert (denied["actor"], denied["outcome"]) == ("officer-1", "denied")
    with pytest.raises(AccessDenied):
        list_quarantine(services, officer)


def test_a_mapping_without_legal_basis_or_with_the_wrong_columns_writes_nothing(services, tmp_path):
    mapping = source_dir(tmp_path, GOOD)
    text = mapping.read_text()
    start = text.index("  legal_basis:")
    end = text.index("reader:")
    mapping.write_text(text[:start] + "\n" + text[end:])
    with pytest.raises(MappingError, match="legal basis"):
        ingest(services, CUSTODIAN, mapping)
    mapping = source_dir(tmp_path, GOOD)
    (tmp_path / "court.csv").write_text("docket,name\nD1,X\n")
    with pytest.raises(SourceError, match="missing dob"):
        ingest(services, CUSTODIAN, mapping)
    assert audit_rows(services) == []


def test_the_sources_registry(services, tmp_path):
    mapping = source_dir(tmp_path, [*GOOD, 'D5,"OKAFOR, CHIDI",31/02/1990,NG,,,'])
    ingest(services, CUSTODIAN, mapping)
    (view,) = list_sources(services, actor("officer"))
    assert (view.name, view.title) == ("court", "County court dockets (test fixture)")
    assert view.authority.startswith("Information-sharing agreement")
    assert (view.data_category, view.retention) == ("court-records", "P10Y")
    assert (view.records, view.quarantined) == (3, 1)
    assert view.last_ingest_at is not None


def test_the_same_bad_row_met_again_is_the_same_quarantine_entry(services, tmp_path):
    mapping = source_dir(tmp_path, [*GOOD, 'D5,"OKAFOR, CHIDI",31/02/1990,NG,,,'] * 1)
    ingest(services, CUSTODIAN, mapping)
    again = ingest(services, CUSTODIAN, mapping)
    assert again.quarantined == 1 and again.balanced
    (entry,) = rows_of(services, quarantine)
    assert entry["run_id"] == again.run_id and entry["last_seen"] > entry["created_at"]


def test_a_row_fixed_in_a_later_extract_settles_its_quarantine_entry(services, tmp_path):
    mapping = source_dir(tmp_path, [*GOOD, 'D5,"OKAFOR, CHIDI",31/02/1990,NG,,,'])
    ingest(services, CUSTODIAN, mapping)
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(HEADER + 'D5,"OKAFOR, CHIDI",28/02/1990,NG,,,\n')
    ingest(services, CUSTODIAN, mapping, file=fixed)
    assert list_quarantine(services, CUSTODIAN) == []
    (entry,) = list_quarantine(services, CUSTODIAN, status=None)
    assert entry.status == "superseded"
    assert ("D5", "birthDate", "1990-02-28") in current(services)


def test_retry_takes_rows_the_fixed_mapping_now_accepts(services, tmp_path):
    rows = [*GOOD, 'D5,"OKAFOR, CHIDI",1990-02-28,NG,,,', 'D6,"ADE, BOLA",31/02/1990,NG,,,']
    mapping = source_dir(tmp_path, rows)
    ingest(services, CUSTODIAN, mapping)
    entries = list_quarantine(services, CUSTODIAN)
    assert [e.line for e in entries] == [5, 6]
    mapping.write_text(mapping.read_text().replace('"%Y"]', '"%Y", "%Y-%m-%d"]'))
    result = retry_quarantine(services, CUSTODIAN, source="court")
    assert (result.released, result.still_open) == ([entries[0].id], [entries[1].id])
    assert ("D5", "birthDate", "1990-02-28") in current(services)
    (still,) = list_quarantine(services, CUSTODIAN)
    assert still.reason == "unparseable_required"
    released = show_quarantine(services, CUSTODIAN, entries[0].id)
    assert (released.status, released.record_id) == ("released", "D5")
    assert verify(services, CUSTODIAN).ok


def test_json_lines_and_sql_sources(services, tmp_path):
    mapping = source_dir(tmp_path, [])
    lines = [
        json.dumps(
            {
                "docket": "J1",
                "name": "ROE, RICHARD",
                "dob": "1970",
                "nationality": "us",
                "a_number": None,
                "relative": None,
                "relation": None,
            }
        ),
        "{broken",
    ]
    (tmp_path / "court.jsonl").write_text("\n".join(lines) + "\n")
    mapping.write_text(
        mapping.read_text().replace(
            "format: csv\n  path: court.csv", "format: jsonl\n  path: court.jsonl"
        )
    )
    summary = ingest(services, CUSTODIAN, mapping)
    assert (summary.read, summary.taken, summary.quarantined) == (2, 1, 1)
    (entry,) = list_quarantine(services, CUSTODIAN)
    assert (entry.line, entry.reason) == (2, "unreadable_row")

    import sqlite3

    database = tmp_path / "court.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE dockets (docket, name, dob, nationality, a_number, relative, relation)"
        )
        connection.execute(
            "INSERT INTO dockets VALUES ('S1', 'DOE, JOHN', '02/03/1961', 'CA', NULL, NULL, NULL)"
        )
    sql = mapping.read_text().replace(
        "format: jsonl\n  path: court.jsonl",
        f"format: sql\n  url: sqlite:///{database}\n  query: SELECT * FROM dockets ORDER BY docket",
    )
    mapping.write_text(sql)
    summary = ingest(services, system_actor("ingest"), mapping)
    assert (summary.read, summary.taken) == (1, 1)
    assert ("S1", "birthDate", "1961") in current(services)


def test_tabs_newlines_and_backslashes_are_kept_exactly(services, tmp_path):
    row = 'D1,"C:\\\\TEMP, A\\NN",1980,,,"Kin\tOne","step\nmother \\\\N"'
    summary = ingest(services, CUSTODIAN, source_dir(tmp_path, [row]))
    assert summary.taken == 1
    values = current(services)
    relation = values[("D1", "relationship", "step mother \\\\N")]
    assert relation["original_value"] == "step\nmother \\\\N"
    assert values[("D1", "name", "Kin One")]["original_value"] == "Kin\tOne"
    assert values[("D1", "lastName", "C:\\\\TEMP")]["original_value"] == "C:\\\\TEMP, A\\NN"


def test_statement_ids_are_the_ones_the_core_defines():
    values = [
        Value("e1", "Person", "name", "José\tO'Brien\\n", "raw"),
        Value("e1", "Person", "birthDate", "1990", None),
        Value("e2", "Family", "person", "e1", None),
    ]
    context = RunContext("court", "run", "court.csv", "sha", "2024-01-01T00:00:00Z")
    rows = list(statement_rows(context, Record("D|7", "row", values)))
    assert [row[0] for row in rows] == [
        statement_id("court", "D|7", v.entity_id, v.prop, v.value) for v in values
    ]


def test_a_record_met_again_in_the_next_batches_is_history_in_order(services, tmp_path):
    # Batches of two: D1 comes back in the next batch and the one after, changed each time,
    # and the same bad row sits in two batches. On PostgreSQL two batches are written at once;
    # those that share a record or a bad row must still go one after the other.
    first = 'D1,"GARCIA, MARIA",05/17/1984,Mexico,,,'
    rows = [
        first,
        'D2,"NGUYEN, VAN",1979,VNM,,,',
        first.replace("Mexico", "Guatemala"),
        'D9,"BAD, DATE",31/02/1990,,,,',
        first.replace("Mexico", "Honduras"),
        'D9,"BAD, DATE",31/02/1990,,,,',
        'D3,"OKAFOR, CHIDI",1990,NG,,,',
    ]
    summary = ingest(services, CUSTODIAN, source_dir(tmp_path, rows), batch_size=2)
    assert (summary.read, summary.new, summary.changed, summary.quarantined) == (7, 3, 2, 2)
    assert summary.balanced
    nationality = [
        s
        for s in rows_of(services, statements)
        if (s["record_id"], s["prop"]) == ("D1", "nationality")
    ]
    assert {s["value"] for s in nationality if s["superseded_at"] is None} == {"hn"}
    assert {s["value"] for s in nationality if s["superseded_at"] is not None} == {"mx", "gt"}
    (record,) = [r for r in rows_of(services, source_records) if r["record_id"] == "D1"]
    assert record["line"] == 6
    assert [q["line"] for q in rows_of(services, quarantine, quarantine.c.id)] == [5, 7]
    assert verify(services, CUSTODIAN).ok
