"""How much the audit entry costs a write, and how long verifying a million entries takes.

    python bench/audit.py [--writes 2000] [--entries 1000000]

The write is one statement inserted and committed, as a service does it. The same write is timed
without its audit entry (a bare transaction) and with it (``Services.operation``: policy, insert,
ledger append, tree head when due), interleaved in the same run on the same store. Prints one line
per backend, then ``audit_append_overhead=<ratio> verify_1m_s=<seconds>`` with the default store's
(SQLite) ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import peak_rss_mb, services
from writ.audit import ledger
from writ.audit.ledger import Entry, utcnow
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.model.statement import statement_id
from writ.service import Services
from writ.store.tables.core import statements

CUSTODIAN = Actor("bench", frozenset({"custodian"}), "HQ", purpose="records-management")


def _row(i: int, tag: str) -> dict[str, str]:
    now = utcnow()
    value = f"value-{tag}-{i}"
    return {
        "id": statement_id("bench", str(i), f"e{i}", "name", value),
        "source": "bench",
        "record_id": str(i),
        "entity_id": f"e{i}",
        "schema": "Person",
        "prop": "name",
        "value": value,
        "original_value": value,
        "first_seen": now,
        "last_seen": now,
    }


def overhead(svc: Services, writes: int) -> tuple[float, float, float]:
    plain: list[float] = []
    audited: list[float] = []
    for i in range(writes):
        start = time.perf_counter()
        with svc.store.transaction() as session:
            session.execute(statements.insert().values(**_row(i, "plain")))
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        with svc.operation(CUSTODIAN, "create", Resource("person", f"e{i}")) as op:
            op.session.execute(statements.insert().values(**_row(i, "audited")))
        audited.append(time.perf_counter() - start)
    p, a = statistics.median(plain), statistics.median(audited)
    return p, a, a / p


def verify_million(svc: Services, entries: int) -> float:
    entry = Entry(
        "bench",
        "custodian",
        "HQ",
        "person.read",
        "person",
        "e1",
        "investigation",
        "local",
        "ok",
        "people-read-by-case-staff",
        {"n": 1},
    )
    batch = 5000
    for start in range(0, entries, batch):
        with svc.store.transaction() as session:
            for _ in range(min(batch, entries - start)):
                svc.ledger.append(session, entry)
            svc.ledger.seal(session)
    with svc.store.transaction() as session:
        svc.ledger.seal(session, force=True)
    t0 = time.perf_counter()
    with svc.store.engine.connect() as connection:
        result = ledger.verify(connection, svc.ledger.public_key)
    elapsed = time.perf_counter() - t0
    if not result.ok or result.entries != entries:
        raise SystemExit(f"verification failed: {result.problem}")
    print(f"verified {result.entries} entries, {result.heads} signed tree heads: {elapsed:.1f} s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    ratios = {}
    for backend in ("sqlite", "postgres"):
        with services(backend) as svc:
            plain, audited, ratio = overhead(svc, args.writes)
            ratios[backend] = ratio
            print(
                f"{backend}: write {plain * 1000:.3f} ms, with audit {audited * 1000:.3f} ms, "
                f"overhead x{ratio:.3f} (median of {args.writes})"
            )
    with services("sqlite") as svc:
        verify_s = verify_million(svc, args.entries)
    print(f"peak_rss_mb={peak_rss_mb():.0f}")
    print(f"audit_append_overhead={ratios['sqlite']:.3f} verify_1m_s={verify_s:.1f}")


if __name__ == "__main__":
    main()
