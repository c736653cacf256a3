"""How long one policy decision takes: the p99 over a mix of allowed and denied requests.

    python bench/policy.py [--requests 20000]

Ends with ``policy_p99_ms=<ms>``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.policy.engine import load_policy

ROLES = ["officer", "supervisor", "legal", "oversight", "custodian", "admin"]
KINDS = ["person", "subject", "case", "audit", "user", "source"]
ACTIONS = ["read", "search", "create", "update", "export", "verify"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(1)
    t0 = time.perf_counter()
    policy = load_policy()
    print(
        f"policies parsed and validated at start-up in {(time.perf_counter() - t0) * 1000:.1f} ms"
    )
    requests = []
    for i in range(args.requests):
        actor = Actor(
            f"user{i % 50}",
            frozenset(rng.sample(ROLES, rng.randint(1, 2))),
            rng.choice(["ERO-NYC", "HSI-MIA", "HQ"]),
            frozenset(rng.sample(["OP-A", "OP-B", "OP-C"], rng.randint(0, 2))),
            purpose=rng.choice([None, "investigation", "oversight", "legal-review"]),
        )
        resource = Resource(
            rng.choice(KINDS),
            f"obj{i}",
            unit=rng.choice(["", "ERO-NYC", "HSI-MIA"]),
            compartments=frozenset(rng.sample(["OP-A", "OP-B"], rng.randint(0, 1))),
            sealed=rng.random() < 0.05,
        )
        requests.append((actor, rng.choice(ACTIONS), resource))
    for actor, action, resource in requests[:500]:  # warm up
        policy.decide(actor, action, resource)
    times = []
    allowed = 0
    for actor, action, resource in requests:
        start = time.perf_counter()
        decision = policy.decide(actor, action, resource)
        times.append((time.perf_counter() - start) * 1000)
        allowed += decision.allowed
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"{len(times)} decisions, {allowed} allowed; p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    print(f"policy_p99_ms={p99:.3f}")


if __name__ == "__main__":
    main()
