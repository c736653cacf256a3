"""Ingest throughput against PostgreSQL's own COPY, and memory as the source grows.

    python bench/ingest.py [--rows 1000000] [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Generates a court-records CSV of ``--rows`` synthetic rows, then, in one throwaway database:
1. loads it with a raw ``COPY`` into a plain table of text columns (the floor: no mapping, no
   statements, no audit);
2. ingests it with writ (mapping, transforms, records, statements, quarantine, one audited
   transaction per batch of 5000 rows).
Ends with ``ingest_vs_copy=<writ rows/s / COPY rows/s> peak_rss_mb=<MB>``; the lines before it show
the resident memory as the ingest went on, which should stay flat.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.ingest.service import IngestProgress, ingest
from writ.model.actor import system_actor
from writ.policy.engine import load_policy
from writ.service import Services
from writ.store import migrate
from writ.store.engine import Store

COLUMNS = ["docket", "name", "dob", "nationality", "a_number", "relative", "relation"]
MAPPING = """\
source:
  name: bench_court
  title: Synthetic court records (benchmark)
  legal_basis:
    authority: "Benchmark only: synthetic data, no legal basis needed for real people"
    data_category: court-records
    retention: P1D
reader:
  format: csv
  path: court.csv
columns: [docket, name, dob, nationality, a_number, relative, relation]
key: [docket]
entities:
  defendant:
    schema: Person
    properties:
      - column: name
        transform: name_last_first
        required: true
      - property: birthDate
        column: dob
        transform: date
        formats: ["%m/%d/%Y", "%Y"]
        required: true
      - property: nationality
        column: nationality
        transform: country
      - property: idNumber
        column: a_number
        transform: a_number
  relative:
    schema: Person
    properties:
      - property: name
        column: relative
relationships:
  kin:
    schema: Family
    from: defendant
    to: relative
    properties:
      - property: relationship
        column: relation
"""
LAST = ["GARCIA", "LOPEZ", "NGUYEN", "SMITH", "OKAFOR", "HERNANDEZ", "KHAN", "MARTINEZ", "LEE"]
FIRST = ["MARIA", "JOSE", "VAN", "JOHN", "CHIDI", "ANA", "MOHAMMED", "LUIS", "JI-WOO", "ROSA"]
COUNTRIES = ["Mexico", "MX", "GTM", "El Salvador", "hn", "Viet Nam", "NG", "IND", "Colombia"]


def write_source(directory: Path, rows: int) -> Path:
    rng = random.Random(20240501)
    (directory / "court.yml").write_text(MAPPING)
    with (directory / "court.csv").open("w") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        for number in range(rows):
            name = (
                f'"{rng.choice(LAST)} {rng.choice(LAST)}, {rng.choice(FIRST)} {rng.choice(FIRST)}"'
            )
            dob = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{rng.randint(1940, 2010)}"
            if number % 50 == 7:
                dob = "31/02/1990"  # quarantined: a required date that is no date
            relative = f"{rng.choice(FIRST)} {rng.choice(LAST)}" if number % 3 else ""
            relation = rng.choice(["mother", "brother", "spouse"]) if relative else ""
            handle.write(
                f"C{number:08d},{name},{dob},{rng.choice(COUNTRIES)},A{number:09d},"
                f"{relative},{relation}\n"
            )
    return directory / "court.yml"


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def copy_rows_per_second(url: str, csv_path: Path, rows: int) -> float:
    engine = create_engine(url)
    columns = ", ".join(f"{column} text" for column in COLUMNS)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE plain_court ({columns})"))
    started = time.perf_counter()
    with engine.begin() as connection:
        cursor = connection.connection.cursor()
        with (
            cursor.copy("COPY plain_court FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            csv_path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
    seconds = time.perf_counter() - started
    with engine.connect() as connection:
        loaded = connection.execute(text("SELECT count(*) FROM plain_court")).scalar_one()
    engine.dispose()
    assert loaded == rows, f"COPY loaded {loaded} rows, not {rows}"
    print(f"copy:   {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")
    return rows / seconds


def backend_cpu(url: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving the bench database, read from
    /proc (only when the server runs on this machine; empty otherwise)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            pids = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            used = {}
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            return used
    finally:
        engine.dispose()


def writ_rows_per_second(url: str, mapping: Path, work: Path, rows: int) -> float:
    store = Store(url)
    migrate.upgrade(store)
    key = keys.generate_key(work / "ledger.key")
    svc = Services(store, load_policy(), Ledger(key))
    marks = [rows * step // 10 for step in range(1, 11)]
    samples: list[tuple[int, float]] = []

    def sample(state: IngestProgress) -> None:
        # One sample each time the ingest passes a tenth of the rows.
        if marks and state.rows >= marks[0]:
            samples.append((state.rows, rss_mb()))
            while marks and state.rows >= marks[0]:
                marks.pop(0)

    operator = system_actor("bench")
    server_before = backend_cpu(url)
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = ingest(svc, operator, mapping, progress=sample)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    server_after = backend_cpu(url)
    store.dispose()
    server = sum(used - server_before.get(pid, 0.0) for pid, used in server_after.items())
    assert summary.read == rows and summary.balanced, summary
    print(
        f"writ:   {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
        f"(taken {summary.taken:,}, quarantined {summary.quarantined:,}, "
        f"statements {summary.statements_added:,})"
    )
    print(
        f"cpu:    writ process {cpu:.1f} s, PostgreSQL backends "
        + (f"{server:.1f} s" if server_after else "unknown (server not on this machine)")
    )
    print("rss_mb as the ingest went on: " + ", ".join(f"{n:,}={mb:.0f}" for n, mb in samples))
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "WRIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="a PostgreSQL URL whose user may create databases",
    )
    args = parser.parse_args()
    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    name = f"writ_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory(prefix="writ-bench-") as tmp:
            work = Path(tmp)
            started = time.perf_counter()
            mapping = write_source(work, args.rows)
            size = (work / "court.csv").stat().st_size / 1e6
            print(
                f"source: {args.rows:,} rows, {size:.0f} MB ({time.perf_counter() - started:.0f} s)"
            )
            copy_rate = copy_rows_per_second(url, work / "court.csv", args.rows)
            writ_rate = writ_rows_per_second(url, mapping, work, args.rows)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ingest_vs_copy={writ_rate / copy_rate:.3f} peak_rss_mb={peak:.0f}")


if __name__ == "__main__":
    main()
