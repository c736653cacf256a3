"""Subject search at scale: N synthetic subjects in PostgreSQL, mixed misspelt-name and identifier
queries through the real service (policy check, access filter, audit entry per search).

    .venv/bin/python bench/search.py                  # 1,000,000 subjects
    .venv/bin/python bench/search.py --subjects 100000 --queries 300

Loading uses COPY and writes the name index (distinct keys, and names pointing at them) with the
same key function the indexer uses; the trigram index is built once after the load. The synthetic
names come from the demo's name lists, so they repeat more than real names do: the distinct key
count is printed, since the fuzzy scan runs over the keys.
Prints ``search_p95_ms=<ms> subjects=<n>`` last.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sqlalchemy import text

from _common import services
from writ.audit.ledger import utcnow
from writ.demo.names import CULTURES
from writ.model.actor import Actor
from writ.model.statement import statement_id
from writ.search.names import retrieval_key
from writ.search.service import search_subjects

CYRILLIC = {
    "Ivan": "Иван",
    "Dmitri": "Дмитрий",
    "Olga": "Ольга",
    "Petrov": "Петров",
    "Volkov": "Волков",
    "Sokolova": "Соколова",
}
OFFICER = Actor("bench-officer", frozenset({"officer"}), "ERO-NYC", purpose="investigation")


def _person(rng: random.Random, index: int) -> tuple[str, str, str, str]:
    culture = rng.choice(CULTURES)
    given = rng.choice(culture.male + culture.female)
    family = rng.choice(culture.surnames)
    if culture.double_surname and rng.random() < 0.5:
        family = f"{family} {rng.choice(culture.surnames)}"
    name = f"{family} {given}" if culture.family_name_first else f"{given} {family}"
    if rng.random() < 0.02:
        a, b = rng.choice(list(CYRILLIC.items())), rng.choice(list(CYRILLIC.items()))
        name = f"{a[1]} {b[1]}"
    a_number = f"{100000000 + index:09d}"
    passport = f"{rng.choice('ABCEGHKLMNPRSTXZ')}{rng.randrange(10**7):07d}"
    return f"b{index}", name, a_number, passport


def _misspell(rng: random.Random, name: str) -> str:
    words = name.split()
    rng.shuffle(words)
    word = list(rng.choice(words))
    if len(word) > 3:
        i = rng.randrange(1, len(word) - 1)
        kind = rng.random()
        if kind < 0.4:
            word[i], word[i + 1 if i + 1 < len(word) else i - 1] = (
                word[i + 1 if i + 1 < len(word) else i - 1],
                word[i],
            )
        elif kind < 0.7:
            del word[i]
        else:
            word[i] = rng.choice("aeiouy")
    target = rng.randrange(len(words))
    words[target] = "".join(word) if len(words[target]) == len(word) else words[target]
    return " ".join(words)


def load(svc, subjects: int, seed: int) -> tuple[list[tuple[str, str, str, str]], float]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    now = utcnow()
    sample: list[tuple[str, str, str, str]] = []
    started = time.perf_counter()
    raw = svc.store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("DROP INDEX IF EXISTS ix_search_keys_norm_trgm")
        key_ids: dict[str, int] = {}
        batch = 100_000
        for start in range(0, subjects, batch):
            stmts, names, keys = io.StringIO(), io.StringIO(), io.StringIO()
            for index in range(start, min(subjects, start + batch)):
                entity_id, name, a_number, passport = _person(rng, index)
                if rng.random() < 0.001:
                    sample.append((entity_id, name, a_number, passport))
                for prop, value in (
                    ("name", name),
                    ("idNumber", a_number),
                    ("passportNumber", passport),
                ):
                    sid = statement_id("bench", entity_id, entity_id, prop, value)
                    stmts.write(
                        f"{sid}\tbench\t{entity_id}\t{entity_id}\tPerson\t{prop}\t{value}\t"
                        f"{value}\t{now}\t{now}\n"
                    )
                key = retrieval_key(name)
                if key not in key_ids:
                    key_ids[key] = len(key_ids) + 1
                    keys.write(f"{key_ids[key]}\t{key}\n")
                names.write(f"{entity_id}\t{name}\t{key_ids[key]}\n")
            with cursor.copy(
                "COPY statements (id, source, record_id, entity_id, schema, prop, value, "
                "original_value, first_seen, last_seen) FROM STDIN"
            ) as copy:
                copy.write(stmts.getvalue())
            with cursor.copy("COPY search_keys (id, norm) FROM STDIN") as copy:
                copy.write(keys.getvalue())
            with cursor.copy("COPY search_names (entity_id, name, key_id) FROM STDIN") as copy:
                copy.write(names.getvalue())
            raw.commit()
            print(f"  loaded {min(subjects, start + batch):,} subjects", file=sys.stderr)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('search_keys', 'id'), %s)", (len(key_ids),)
        )
        cursor.execute(
            "CREATE INDEX ix_search_keys_norm_trgm ON search_keys USING gin (norm gin_trgm_ops)"
        )
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return sample, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed + 1)
    with services("postgres", head_interval=60.0) as svc:
        sample, load_s = load(svc, args.subjects, args.seed)
        print(f"load: {args.subjects:,} subjects in {load_s:.0f}s", file=sys.stderr)
        with svc.store.engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM search_names")).scalar_one()
            distinct = connection.execute(text("SELECT count(*) FROM search_keys")).scalar_one()
        print(f"names={count} distinct_keys={distinct}", file=sys.stderr)
        queries: list[tuple[str, str]] = []
        for _ in range(args.queries):
            entity_id, name, a_number, passport = rng.choice(sample)
            kind = rng.random()
            if kind < 0.6:
                queries.append((entity_id, _misspell(rng, name)))
            elif kind < 0.8:
                queries.append((entity_id, f"A{a_number[:3]}-{a_number[3:6]}-{a_number[6:]}"))
            else:
                queries.append((entity_id, f"{passport[:4]} {passport[4:]}".lower()))
        for _, query in queries[:20]:  # warm the caches
            search_subjects(svc, OFFICER, query)
        names = {entity_id: name for entity_id, name, _, _ in sample}
        timings, found = [], 0
        for entity_id, query in queries:
            started = time.perf_counter()
            hits = search_subjects(svc, OFFICER, query, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
            # Synthetic names repeat, so a name query counts as found when a hit has the name.
            found += any(h.entity_id == entity_id or h.name == names[entity_id] for h in hits)
        timings.sort()
        p95 = timings[int(0.95 * (len(timings) - 1))]
        print(
            f"queries={len(timings)} median_ms={statistics.median(timings):.1f} "
            f"max_ms={timings[-1]:.1f} found_in_top10={found / len(queries):.0%}",
            file=sys.stderr,
        )
        print(f"search_p95_ms={p95:.1f} subjects={count}")


if __name__ == "__main__":
    main()
