"""kill -9 an ingest at random moments, run it again, and find every row in exactly once.

Each attempt is a child process running the ``writ ingest`` command (forked from this
already-imported interpreter, so that an attempt costs a fraction of a second instead of a full
start-up) and killed with SIGKILL after a random delay: before its first batch, inside a batch,
between batches or while it finishes. A last attempt runs to the end. Then the store must hold
exactly the rows of the file: 0 lost, 0 duplicated, every run's counts exact, and
``writ audit verify`` must pass, and the name index must hold exactly the names of the records
(none lost, none twice). A failure prints the random seed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from writ import cli
from writ.ingest.mapping import load_mapping
from writ.ingest.readers import open_source
from writ.ingest.rows import Record, RowMapper
from writ.model.statement import statement_id
from writ.search.index import NAME_PROPS, names_of
from writ.search.names import retrieval_key
from writ.store.engine import Store
from writ.store.tables.core import audit_entries, statements
from writ.store.tables.ingest import ingest_runs, quarantine, source_records
from writ.store.tables.search import search_keys, search_names

FIXTURES = Path(__file__).parent / "ingest_fixtures"
KILLS = 12  # per store: at least 24 kills in all
ROWS = 800
BATCH = 20


def write_source(directory: Path, rng: random.Random) -> Path:
    mapping = directory / "court.yml"
    mapping.write_text((FIXTURES / "court.yml").read_text())
    lines = ["docket,name,dob,nationality,a_number,relative,relation"]
    for number in range(ROWS):
        kind = rng.random()
        if kind < 0.03:
            lines.append(f',"NO, KEY {number}",01/13/1980,,,,')
        elif kind < 0.06:
            lines.append(f'D{number},"BAD, DATE",31/02/19{number % 100:02d},,,,')
        elif kind < 0.08:
            lines.append(f'D{number},"SHORT, ROW"')
        else:
            month, day = 1 + number % 12, 1 + number % 28
            lines.append(
                f'D{number},"DOE {number}, JANE",{month:02d}/{day:02d}/19{50 + number % 50},'
                f"{rng.choice(['MX', 'Guatemala', 'SLV', 'hn'])},A{number:08d},"
                f"Kin {number},{rng.choice(['mother', 'brother', ''])}"
            )
    (directory / "court.csv").write_text("\n".join(lines) + "\n")
    return mapping


def expected(
    mapping_path: Path,
) -> tuple[set[str], set[str], set[int], list[tuple[str, str, str]]]:
    """What the file holds, worked out without the store: records, statement ids, bad lines, and
    the rows of the name index (entity, name, key)."""
    mapping = load_mapping(mapping_path)
    mapper = RowMapper(mapping)
    records: set[str] = set()
    ids: set[str] = set()
    bad: set[int] = set()
    names: list[tuple[str, str, str]] = []
    for line, row in open_source(mapping).rows():
        outcome = mapper.map(row)
        if isinstance(outcome, Record):
            records.add(outcome.record_id)
            ids.update(
                statement_id("court", outcome.record_id, v.entity_id, v.prop, v.value)
                for v in outcome.values
            )
            by_entity: dict[str, list[tuple[str, str, str]]] = {}
            for v in outcome.values:
                if v.prop in NAME_PROPS:
                    by_entity.setdefault(v.entity_id, []).append((v.schema, v.prop, v.value))
            names.extend(
                (entity, name, retrieval_key(name))
                for entity, values in by_entity.items()
                for name in names_of(values)
            )
        else:
            bad.add(line)
    return records, ids, bad, sorted(names)


def attempt(args: list[str], delay: float) -> bool:
    """Run ``writ <args>`` in a child process and SIGKILL it after ``delay``; True if killed."""
    pid = os.fork()
    if pid == 0:  # the child: run the command, and leave without any of the parent's clean-up
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        code = 1
        try:
            code = cli.run(args)
        finally:
            os._exit(code)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0, "an ingest failed on its own"
            return False
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.mark.slow
def test_killed_ingests_lose_and_duplicate_nothing(writ_home, db_url, tmp_path):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    mapping = write_source(tmp_path, rng)
    args = ["ingest", str(mapping), "--batch-size", str(BATCH)]
    kills = attempts = 0
    longest = 1.2  # the longest delay drawn: shortened whenever a run finishes before its kill
    while kills < KILLS:
        attempts += 1
        assert attempts < KILLS * 4, f"seed {seed}: the ingest kept finishing before the kill"
        killed = attempt(args, rng.uniform(0.02, longest))
        kills += killed
        if not killed:
            longest = max(0.1, longest * 0.6)
    assert not attempt(args, 600), f"seed {seed}: the last run did not finish"

    records, ids, bad, names = expected(mapping)
    store = Store(db_url)
    try:
        with store.transaction() as session:
            stored_records = set(session.scalars(select(source_records.c.record_id)))
            stored = list(session.execute(select(statements.c.id, statements.c.superseded_at)))
            held = list(session.execute(select(quarantine.c.line, quarantine.c.status)))
            runs = list(session.execute(select(ingest_runs)))
            batches = [
                json.loads(details)
                for details in session.scalars(
                    select(audit_entries.c.details).where(audit_entries.c.action == "ingest.batch")
                )
            ]
            entries = session.scalar(select(func.count()).select_from(audit_entries))
            indexed = sorted(
                (r[0], r[1], r[2])
                for r in session.execute(
                    select(search_names.c.entity_id, search_names.c.name, search_keys.c.norm).join(
                        search_keys, search_keys.c.id == search_names.c.key_id
                    )
                )
            )
    finally:
        store.dispose()

    assert stored_records == records, f"seed {seed}: records lost or extra"
    assert {row.id for row in stored} == ids, f"seed {seed}: statements lost or extra"
    assert len(stored) == len(ids) and all(row.superseded_at is None for row in stored)
    assert sorted(row.line for row in held) == sorted(bad), f"seed {seed}: quarantine wrong"
    assert {row.status for row in held} == {"open"}
    assert indexed == names, f"seed {seed}: the name index is not exactly the records' names"

    assert {run.status for run in runs} <= {"finished", "running"}
    assert [run for run in runs if run.status == "running"] == []
    for run in runs:
        assert run.position == run.rows_read == ROWS
        assert run.rows_new + run.rows_changed + run.rows_unchanged == len(records)
        assert run.rows_quarantined == len(bad)
        assert sum(b["read"] for b in batches if b["run"] == run.id) == ROWS
    assert sum(run.rows_new for run in runs) == len(records)

    assert cli.run(["audit", "verify"]) == 0, f"seed {seed}: the audit ledger does not verify"
    assert entries > kills
