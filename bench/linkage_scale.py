"""Batch linkage at scale: wall time and peak memory at 5k, 50k, 200k and 1M records.

    .venv/bin/python bench/linkage_scale.py                       # 5000,50000,200000,1000000
    .venv/bin/python bench/linkage_scale.py --sizes 5000,50000 --budget 1200

Records are made with the demo generator's population (households, twins, namesakes) and its
noise model (respellings, double surnames cut, typos, dropped accents, swapped name order, day and
month swapped, identifiers missing or mistyped), written straight to person records: no CSV and
no ingest, so only linkage is measured. Each person gets one to four records.

Each size runs in a child process of its own (so the sizes do not share memory or caches) doing
what ``writ resolve run`` does with no model yet: prepare the features, train the model without
labels, score every blocked pair (Splink, DuckDB) and cluster. The child prints the time of each
step, with the resident memory then and the peak so far; the parent prints one line per size
with wall seconds, the child's peak resident memory (``ru_maxrss``) and pairwise precision,
recall and F1 against the generator's truth. A size that does not finish within ``--budget``
seconds is stopped, and the line says which step it reached.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from pathlib import Path

from writ.demo.people import DemoPerson, build_population
from writ.demo.writing import a_number_text, written_birth_date, written_identifier, written_name
from writ.resolve.features import PersonRecord

CHUNK_PEOPLE = 250  # the demo population is built in households of this many people at a time
RECORDS_PER_PERSON = (1, 1, 2, 2, 3, 4)
A_NUMBER_STYLES = ("dashed", "spaced", "prefixed", "plain")


@dataclass(frozen=True)
class Synthetic:
    record: PersonRecord
    person_id: str


def people(seed: int) -> Iterator[DemoPerson]:
    """Demo people without end, built a few hundred at a time (ids made unique per chunk)."""
    rng = random.Random(seed)
    chunk = 0
    while True:
        for person in build_population(rng, CHUNK_PEOPLE):
            yield DemoPerson(**{**person.__dict__, "person_id": f"c{chunk}-{person.person_id}"})
        chunk += 1


def written_record(rng: random.Random, person: DemoPerson, uid: str) -> PersonRecord:
    """One source's record of ``person``, with the demo sources' kinds of noise."""
    noise: list[str] = []
    name = written_name(rng, person, noise, keeps_accents=rng.random() < 0.5)
    year_only = rng.random() < 0.1
    born: date | None = written_birth_date(rng, person, noise, with_day=not year_only)
    props: dict[str, list[str]] = {"firstName": [name.given], "lastName": [name.family]}
    if born is not None:
        props["birthDate"] = [str(born.year) if year_only else born.isoformat()]
    a_number = written_identifier(rng, person.a_number, "a_number", noise, missing=0.5)
    if a_number:
        props["idNumber"] = [a_number_text(rng, a_number, A_NUMBER_STYLES)]
    passport = written_identifier(rng, person.passport, "passport", noise, missing=0.6)
    if passport:
        props["passportNumber"] = [passport]
    if rng.random() < 0.5:
        props["full"] = [person.address if rng.random() < 0.5 else person.address.upper()]
    if rng.random() < 0.7:
        props["gender"] = [person.sex]
    if rng.random() < 0.5:
        props["nationality"] = [person.nationality]
    return PersonRecord(uid, {k: v for k, v in props.items() if all(v)})


def synthetic_records(count: int, seed: int = 7) -> list[Synthetic]:
    """``count`` noisy records of demo people, one to four records per person."""
    rng = random.Random(seed + 1)
    records: list[Synthetic] = []
    for person in people(seed):
        for _ in range(rng.choice(RECORDS_PER_PERSON)):
            if len(records) == count:
                return records
            uid = f"r{len(records):07d}"
            records.append(Synthetic(written_record(rng, person, uid), person.person_id))
    return records


def _pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def accuracy(truth: dict[str, str], clusters: list[frozenset[str]]) -> tuple[float, float, float]:
    by_person: dict[str, list[str]] = defaultdict(list)
    for uid, person in truth.items():
        by_person[person].append(uid)
    true_pairs = _pairs(list(by_person.values()))
    predicted = _pairs([list(c) for c in clusters])
    hits = len(true_pairs & predicted)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# -- the child: one size --------------------------------------------------------------------------


def _step(name: str, started: float, **extra: object) -> None:
    """One line per step: when it ended, the resident memory then and the peak so far."""
    with open("/proc/self/statm") as handle:
        resident = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = {
        "step": name,
        "seconds": round(time.perf_counter() - started, 1),
        "rss_mb": round(resident),
        "peak_so_far_mb": round(peak),
        **extra,
    }
    print(json.dumps(line), flush=True)


def run_size(size: int, seed: int) -> None:
    """Generate, prepare, train, predict, cluster; a JSON line after each step."""
    from writ.resolve.cluster import cluster
    from writ.resolve.features import prepare
    from writ.resolve.linkage import predict, train
    from writ.resolve.scoring import scorer_for

    started = time.perf_counter()
    data = synthetic_records(size, seed)
    truth = {s.record.uid: s.person_id for s in data}
    _step("generated", started, people=len(set(truth.values())))
    begin = time.perf_counter()
    rows = [prepare(s.record) for s in data]
    del data
    _step("prepared", started)
    model = train(rows)
    _step("trained", started)
    pairs = predict(model, rows)
    _step("predicted", started, pairs=len(pairs))
    features = {r["unique_id"]: r for r in rows}
    uids = [r["unique_id"] for r in rows]
    clusters = cluster(uids, pairs, model.thresholds, features, scorer=scorer_for(model))
    linkage = time.perf_counter() - begin
    precision, recall, f1 = accuracy(truth, clusters)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _step(
        "clustered",
        started,
        linkage_seconds=round(linkage, 1),
        subjects=len(clusters),
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        peak_mb=round(peak),
    )


# -- the parent: one child per size ---------------------------------------------------------------


def measure(size: int, seed: int, budget: float) -> str:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", str(size), "--seed", str(seed)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
    )
    steps: list[dict[str, object]] = []
    assert child.stdout is not None
    try:
        for line in _lines(child, started + budget):
            steps.append(json.loads(line))
            print(f"  {size}: {line.strip()}", file=sys.stderr, flush=True)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
    # The child's peak memory: this parent's children's maximum, the children run one at a time.
    wall = time.perf_counter() - started
    last = steps[-1] if steps else {"step": "started"}
    if last["step"] != "clustered":
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return (
            f"records={size} finished=no reached={last['step']} at={last.get('seconds', 0)}s "
            f"wall_s={wall:.0f} budget_s={budget:.0f} peak_mb_so_far={peak:.0f}"
        )
    at = {str(s["step"]): s for s in steps}
    return (
        f"records={size} people={at['generated']['people']} wall_s={wall:.1f} "
        f"linkage_s={last['linkage_seconds']} prepare_s="
        f"{float(at['prepared']['seconds']) - float(at['generated']['seconds']):.1f} "
        f"train_s={float(at['trained']['seconds']) - float(at['prepared']['seconds']):.1f} "
        f"predict_s={float(at['predicted']['seconds']) - float(at['trained']['seconds']):.1f} "
        f"pairs={at['predicted']['pairs']} peak_mb={last['peak_mb']} "
        f"precision={last['precision']} recall={last['recall']} f1={last['f1']}"
    )


def _lines(child: subprocess.Popen[str], deadline: float) -> Iterator[str]:
    """The child's output lines, until it ends or the deadline passes."""
    import selectors

    assert child.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return
        if not selector.select(timeout=min(left, 5.0)):
            if child.poll() is not None:
                return
            continue
        line = child.stdout.readline()
        if not line:
            return
        yield line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,50000,200000,1000000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=1200.0, help="seconds per size")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_size(args.child, args.seed)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"linkage_scale {measure(size, args.seed, args.budget)}", flush=True)


if __name__ == "__main__":
    main()
