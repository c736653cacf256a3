"""Single-record look-up at scale: ``match_one`` against N resolved subjects in PostgreSQL.

    .venv/bin/python bench/match_one.py                       # 1,000,000 subjects
    .venv/bin/python bench/match_one.py --subjects 100000 --probes 300

The store is filled the way a finished ``writ resolve run`` leaves it, but by COPY rather than
through ingest and a batch run (which would take hours here): one resolved record per subject
(demo population and noise model, ``bench/linkage_scale.py``), its prepared features, its look-up
keys and its names in the search index; then the indexes are built and the tables analysed.
The model is trained without labels on a separate synthetic set with duplicates, as
``writ resolve train`` would, and made active.

Probes are fresh noisy records of people on file (another source's record of them: respelled,
cut, mistyped, day and month swapped, identifiers missing or mistyped) and, one in five, of
people not on file. Each goes through the real service: policy check, candidates through the
indexes, scoring, read check, audit entry. Printed: p50/p95/max, how often the person's subject
is the first and in the top ten, how many candidates the look-up keys bring, and, as the baseline
measured in the same run, those candidates (the name index's, when the keys bring none) scored
the earlier way: a Splink/DuckDB call per look-up.
The last line is ``match_one_p95_ms=<ms> subjects=<n>``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import create_engine, text

from _common import POSTGRES_ADMIN, services
from linkage_scale import people, synthetic_records, written_record
from writ.audit import keys
from writ.audit.ledger import Ledger, utcnow
from writ.model.actor import Actor
from writ.policy.engine import load_policy
from writ.resolve import candidates as lookup
from writ.resolve import repository as repo
from writ.resolve.features import PersonRecord, prepare
from writ.resolve.linkage import score_between, train
from writ.resolve.records import lookup_keys
from writ.resolve.service import match_one
from writ.search.index import NAME_PROPS, names_of
from writ.search.names import retrieval_key
from writ.service import Services
from writ.store import migrate
from writ.store.engine import Store

OFFICER = Actor("bench-officer", frozenset({"officer"}), "ERO-NYC", purpose="investigation")
BATCH = 100_000
INDEXES = (
    "ALTER TABLE resolve_records ADD CONSTRAINT pk_resolve_records PRIMARY KEY (entity_id)",
    "CREATE INDEX ix_resolve_records_subject ON resolve_records (subject_id)",
    "CREATE INDEX ix_resolve_records_source ON resolve_records (source, record_id)",
    "ALTER TABLE resolve_keys ADD CONSTRAINT pk_resolve_keys PRIMARY KEY (key, entity_id)",
    "CREATE INDEX ix_resolve_keys_entity ON resolve_keys (entity_id)",
    "ALTER TABLE resolve_subjects ADD CONSTRAINT pk_resolve_subjects PRIMARY KEY (subject_id)",
    "CREATE INDEX ix_search_names_entity ON search_names (entity_id)",
    "CREATE INDEX ix_search_names_key ON search_names (key_id)",
    "CREATE INDEX ix_search_keys_norm_trgm ON search_keys USING gin (norm gin_trgm_ops)",
)
DROPS = (
    "ALTER TABLE resolve_records DROP CONSTRAINT pk_resolve_records",
    "DROP INDEX ix_resolve_records_subject",
    "DROP INDEX ix_resolve_records_source",
    "ALTER TABLE resolve_keys DROP CONSTRAINT pk_resolve_keys",
    "DROP INDEX ix_resolve_keys_entity",
    "ALTER TABLE resolve_subjects DROP CONSTRAINT pk_resolve_subjects",
    "DROP INDEX ix_search_names_entity",
    "DROP INDEX ix_search_names_key",
    "DROP INDEX ix_search_keys_norm_trgm",
)


def _copy_text(value: str) -> str:
    """A value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def train_model(svc: Services, records: int, seed: int) -> str:
    rows = [prepare(s.record) for s in synthetic_records(records, seed + 100)]
    model = train(rows)
    with svc.store.transaction() as session:
        repo.save_model(session, model, "bench", utcnow())
    return model.version


def samples(
    subjects: int, seed: int, sample_every: int
) -> tuple[list[tuple[object, str]], list[object]]:
    """The people ``load`` samples, made again without loading (for a kept store)."""
    on_file: list[tuple[object, str]] = []
    unknown: list[object] = []
    source = people(seed)
    for index in range(subjects):
        person = next(source)
        if index % sample_every == 0:
            on_file.append((person, f"S-{index:012x}"))
            unknown.append(next(source))
    return on_file, unknown


def load(
    svc: Services, subjects: int, version: str, seed: int, sample_every: int
) -> tuple[list[tuple[object, str]], list[object]]:
    """COPY ``subjects`` resolved records; return (person, subject) samples and unknown people."""
    now = utcnow()
    rng = random.Random(seed)
    on_file: list[tuple[object, str]] = []
    unknown: list[object] = []
    key_ids: dict[str, int] = {}
    source = people(seed)
    raw = svc.store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement in DROPS:
            cursor.execute(statement)
        for start in range(0, subjects, BATCH):
            records, keys, subjects_out = io.StringIO(), io.StringIO(), io.StringIO()
            names, name_keys = io.StringIO(), io.StringIO()
            for index in range(start, min(subjects, start + BATCH)):
                person = next(source)
                entity_id, subject = f"p{index:07d}", f"S-{index:012x}"
                record = written_record(rng, person, entity_id)
                features = prepare(record)
                given = " ".join(record.values("firstName"))
                family = record.first("lastName") or ""
                features["caption"] = f"{given} {family}".strip()
                body = _copy_text(json.dumps(features, sort_keys=True))
                records.write(
                    f"{entity_id}\tbench\t{entity_id}\t{body}\t{repo.features_sha(features)}\t"
                    f"{subject}\t{now}\tbench\t{version}\n"
                )
                for key in sorted(lookup_keys(features)):
                    keys.write(f"{_copy_text(key)}\t{entity_id}\n")
                subjects_out.write(f"{subject}\tactive\t{now}\t{now}\n")
                named = {p: vs for p, vs in record.props.items() if p in NAME_PROPS}
                statements = [("Person", p, v) for p, vs in named.items() for v in vs]
                for name in names_of(statements):
                    norm = retrieval_key(name)
                    if norm not in key_ids:
                        key_ids[norm] = len(key_ids) + 1
                        name_keys.write(f"{key_ids[norm]}\t{_copy_text(norm)}\n")
                    names.write(f"{entity_id}\t{_copy_text(name)}\t{key_ids[norm]}\n")
                if index % sample_every == 0:
                    on_file.append((person, subject))
                    unknown.append(next(source))  # never loaded: a person writ does not know
            for table, data in (
                (
                    "resolve_records (entity_id, source, record_id, features, features_sha, "
                    "subject_id, assigned_at, assigned_by, model_version)",
                    records,
                ),
                ("resolve_keys (key, entity_id)", keys),
                ("resolve_subjects (subject_id, status, created_at, updated_at)", subjects_out),
                ("search_keys (id, norm)", name_keys),
                ("search_names (entity_id, name, key_id)", names),
            ):
                with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(data.getvalue())
            raw.commit()
            print(f"  loaded {min(subjects, start + BATCH):,} subjects", file=sys.stderr)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('search_keys', 'id'), %s)", (len(key_ids),)
        )
        for statement in INDEXES:
            cursor.execute(statement)
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return on_file, unknown


def splink_baseline(svc: Services, probes: list[dict[str, list[str]]]) -> list[float]:
    """The earlier look-up's scoring: the same candidates scored by one Splink call each."""
    timings = []
    with svc.store.transaction() as session:
        model = repo.active_model(session)
        assert model is not None
        for props in probes:
            probe = prepare(PersonRecord("probe", props))
            stored = lookup.by_keys(session, probe)
            if not stored:
                stored = lookup.by_name(session, probe, props)
            rows = [dict(r.features) for r in stored.values()]
            started = time.perf_counter()
            score_between(model, [probe], rows, min_weight=-1e9, all_pairs=True)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _loaded(svc: Services) -> int:
    with svc.store.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM resolve_subjects")).scalar_one())


@contextmanager
def kept_store(name: str) -> Iterator[Services]:
    """Services on the PostgreSQL database ``name``, made and migrated if new, never dropped."""
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    store = Store(POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    migrate.upgrade(store)
    with tempfile.TemporaryDirectory() as folder:
        key = keys.generate_key(Path(folder) / "ledger.key")
        try:
            yield Services(store, load_policy(), Ledger(key, head_interval=60.0))
        finally:
            store.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=400)
    parser.add_argument("--training-records", type=int, default=30_000)
    parser.add_argument("--baseline-probes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--keep",
        metavar="DATABASE",
        help="load into this PostgreSQL database and keep it; "
        "a later run with the same --subjects reuses it (drop it yourself when done)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed + 1)
    opened = kept_store(args.keep) if args.keep else services("postgres", head_interval=60.0)
    with opened as svc:
        sample_every = max(1, args.subjects // (args.probes * 2))
        if _loaded(svc) == args.subjects:
            print(f"reusing the {args.subjects:,} subjects in {args.keep}", file=sys.stderr)
            on_file, unknown = samples(args.subjects, args.seed, sample_every)
        else:
            started = time.perf_counter()
            version = train_model(svc, args.training_records, args.seed)
            print(f"model {version} trained in {time.perf_counter() - started:.0f}s",
                  file=sys.stderr)  # fmt: skip
            started = time.perf_counter()
            on_file, unknown = load(svc, args.subjects, version, args.seed, sample_every)
            print(f"load: {args.subjects:,} subjects in {time.perf_counter() - started:.0f}s",
                  file=sys.stderr)  # fmt: skip
        with svc.store.engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM resolve_subjects")).scalar_one()
            keys = connection.execute(text("SELECT count(*) FROM resolve_keys")).scalar_one()
        probes: list[tuple[str, dict[str, list[str]]]] = []
        for number in range(args.probes):
            if rng.random() < 0.2:
                person, subject = rng.choice(unknown), ""
            else:
                person, subject = rng.choice(on_file)
            record = written_record(rng, person, f"probe{number}")  # type: ignore[arg-type]
            probes.append((subject, {k: list(v) for k, v in record.props.items()}))
        for _, props in probes[:20]:  # warm the caches
            match_one(svc, OFFICER, props)
        timings, first, top10, known, scored = [], 0, 0, 0, []
        for subject, props in probes:
            started = time.perf_counter()
            found = match_one(svc, OFFICER, props, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
            if subject:
                known += 1
                first += bool(found) and found[0].subject_id == subject
                top10 += any(c.subject_id == subject for c in found)
        with svc.store.transaction() as session:
            for _, props in probes[:100]:
                probe = prepare(PersonRecord("probe", props))
                scored.append(len(lookup.by_keys(session, probe)))
        baseline = splink_baseline(svc, [p for _, p in probes[: args.baseline_probes]])
        p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
        print(
            f"subjects={count} look-up keys={keys} probes={len(timings)} (on file {known})\n"
            f"p50_ms={p50:.1f} p95_ms={p95:.1f} max_ms={max(timings):.1f}\n"
            f"true subject first={first / known:.1%} in top 10={top10 / known:.1%}\n"
            f"candidates from the look-up keys: median={statistics.median(scored):.0f} "
            f"p95={_percentile(scored, 0.95):.0f} max={max(scored)}\n"
            f"baseline, Splink/DuckDB scoring of the same candidates alone: "
            f"p50_ms={statistics.median(baseline):.1f} "
            f"(whole look-up p50 is {statistics.median(baseline) / p50:.1f}x faster than the "
            f"baseline's scoring step alone)",
            file=sys.stderr,
        )
        print(f"match_one_p95_ms={p95:.1f} subjects={count}")


if __name__ == "__main__":
    main()
