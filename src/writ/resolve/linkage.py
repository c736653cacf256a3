"""Train the model and score pairs of person records with Splink, on DuckDB or Spark.

``train`` learns the model without labels: u by random sampling, m by expectation maximisation,
the prior from deterministic rules. ``predict`` scores every blocked pair of a batch;
``score_between`` scores new records against known ones without re-running the batch.
Each scored pair carries, per comparison, the level it fell in and the match weight that level
added: the explanation a reviewer reads.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.splink_dataframe import SplinkDataFrame

from writ.resolve.comparisons import BY_NAME, Comparison, comparisons_for
from writ.resolve.features import COLUMNS, present_columns
from writ.resolve.model import (
    LinkageModel,
    Thresholds,
    learned_parameters,
    now,
    settings_creator,
)
from writ.resolve.rules import ONE_PER_PERSON, identifier_conflicts

logging.getLogger("splink").setLevel(logging.ERROR)

MIN_TRAINING_PAIRS = 50  # fewer pairs than this in a training block teach nothing reliable
MAX_TRAINING_RECORDS = 200_000  # a larger batch is trained on a seeded random sample of this many
MEMORY_SHARE = 0.6  # of the machine's memory DuckDB may hold before it spills to disk
ARRAY_COLUMNS = frozenset({"given_keys"})
ARROW_SCHEMA = pa.schema(
    [
        pa.field(column, pa.list_(pa.string()) if column in ARRAY_COLUMNS else pa.string())
        for column in COLUMNS
    ]
)

Rows = Sequence[Mapping[str, Any]]
# Registers feature rows as a table of a backend: DuckDB by default, Spark in writ.resolve.spark.
Register = Callable[[DatabaseAPISubClass, Rows, str], SplinkDataFrame]
# Reads some columns of a backend's table a batch at a time: scored pairs of a million records
# are millions of rows, which must not all be Python dictionaries at once.
Stream = Callable[[SplinkDataFrame, Sequence[str]], Iterator[Mapping[str, Any]]]
STREAM_BATCH = 50_000


def register_duckdb(db_api: DatabaseAPISubClass, rows: Rows, name: str) -> SplinkDataFrame:
    table = pa.Table.from_pylist([dict(row) for row in rows], schema=ARROW_SCHEMA)
    return db_api.register(table, dataset_display_name=name)


def stream_duckdb(frame: SplinkDataFrame, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The rows of ``frame`` with those of ``columns`` it has (a column no comparison used, such
    as an A-number absent from every record, is not in Splink's output)."""
    relation = frame.as_duckdbpyrelation()
    present = set(relation.columns)
    relation = relation.select(*(column for column in columns if column in present))
    for batch in relation.to_arrow_reader(STREAM_BATCH):
        yield from batch.to_pylist()


@dataclass(frozen=True)
class Backend:
    """A Splink backend: how to open its database API, register rows in it and read them."""

    name: str
    open: Callable[[], DatabaseAPISubClass]
    register: Register
    stream: Stream = stream_duckdb


def open_duckdb() -> DuckDBAPI:
    """An in-memory DuckDB whose spill files go to the system's temporary directory, not to a
    ``.tmp`` folder in whatever directory writ was started from, and which spills there once it
    holds ``MEMORY_SHARE`` of the machine's memory rather than taking all of it."""
    connection = duckdb.connect()
    spill = Path(tempfile.gettempdir()) / "writ-duckdb"
    connection.execute("SET temp_directory = ?", [str(spill)])
    connection.execute(f"SET memory_limit = '{_memory_limit_mb()}MB'")
    return DuckDBAPI(connection)


def _memory_limit_mb() -> int:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(256, int(total * MEMORY_SHARE / 2**20))


DUCKDB = Backend("duckdb", open_duckdb, register_duckdb, stream_duckdb)


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """Two records the model compared: the total match weight and what each comparison added."""

    left: str
    right: str
    weight: float
    probability: float
    levels: dict[str, str] = field(default_factory=dict)  # comparison -> level key
    weights: dict[str, float] = field(default_factory=dict)  # comparison -> log2 Bayes factor
    conflicts: tuple[str, ...] = ()  # one-per-person identifiers that differ

    def outcome(self, thresholds: Thresholds) -> str:
        """accept, review or reject; a conflicting A-number never goes past review."""
        outcome = thresholds.outcome(self.weight)
        if outcome == "accept" and self.conflicts:
            return "review"
        return outcome

    @property
    def key(self) -> tuple[str, str]:
        return (self.left, self.right)


def train(
    rows: Rows,
    thresholds: Thresholds | None = None,
    backend: Backend = DUCKDB,
    seed: int = 7,
    max_pairs_for_u: float = 2e6,
    deterministic_recall: float = 0.6,
    max_records: int = MAX_TRAINING_RECORDS,
) -> LinkageModel:
    """Learn a model from unlabelled records: which comparisons, and the weight of each level.

    More than ``max_records`` records are trained on a random sample of that many, drawn with
    ``seed`` (the same records, the same model): expectation maximisation's name blocks grow
    with the square of their size, while the weights it learns settle long before.
    """
    if len(rows) < 2:
        raise ValueError(f"training needs at least two records, got {len(rows)}")
    if max_records < 2:
        raise ValueError(f"training needs a sample of at least two records, got {max_records}")
    total = len(rows)
    rows = training_sample(rows, max_records, seed)
    columns = present_columns(rows)
    comparisons = comparisons_for(columns)
    db_api = backend.open()
    table = backend.register(db_api, rows, "writ_training")
    linker = Linker(table, settings_creator(comparisons), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        _deterministic_rules(columns), recall=deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_for_u, seed=seed)
    for rule in _training_rules(columns, rows):
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    prior = float(linker._settings_obj._probability_two_random_records_match)
    return LinkageModel(
        comparisons=learned_parameters(linker, comparisons),
        prior=prior,
        thresholds=thresholds or Thresholds(),
        trained_on={
            "records": len(rows),
            "of_records": total,
            "columns": sorted(columns),
            "backend": backend.name,
        },
        created_at=now(),
    )


def training_sample(rows: Rows, size: int, seed: int) -> Rows:
    """``rows`` when there are at most ``size``; otherwise a seeded random ``size`` of them, in
    their original order."""
    if len(rows) <= size:
        return rows
    chosen = sorted(random.Random(seed).sample(range(len(rows)), size))
    return [rows[i] for i in chosen]


def _deterministic_rules(columns: set[str]) -> list[Any]:
    rules: list[Any] = [block_on(c) for c in ("a_number", "passport") if c in columns]
    if "birth_date" in columns:
        rules.append(block_on("given", "family", "birth_date"))
    else:
        rules.append(block_on("given", "family"))
    return rules


def _pairs_sharing(rows: Rows, columns: tuple[str, ...]) -> int:
    groups: dict[tuple[Any, ...], int] = {}
    for row in rows:
        key = tuple(row.get(c) for c in columns)
        if all(key):
            groups[key] = groups.get(key, 0) + 1
    return sum(n * (n - 1) // 2 for n in groups.values())


def _training_rules(columns: set[str], rows: Rows) -> list[tuple[str, ...]]:
    """Blocks for expectation maximisation, each leaving out the comparisons it blocks on.

    Pairs sharing an identity document are nearly all one person: the cleanest estimate of how
    names and dates vary within a person. Birth date is paired with the first given name, so that
    twins and other relatives of one household (same birth date, family name and address) do not
    pass for matches and teach the model that different given names are normal.
    """
    rules: list[tuple[str, ...]] = [(c,) for c in ("a_number", "passport", "id_number")]
    rules += [("given_first", "birth_date"), ("given_phonetic", "family_phonetic")]
    if "birth_date" not in columns:
        rules += [("postcode",), ("locality",)]
    return [
        rule
        for rule in rules
        if all(c in columns for c in rule) and _pairs_sharing(rows, rule) >= MIN_TRAINING_PAIRS
    ]


class _Scorer:
    """A Splink linker loaded with one model on one backend, reused for every batch it scores.

    Building Splink's settings and validating them costs seconds; scoring a handful of pairs costs
    milliseconds. New records are registered as tables of the same database and dropped after.
    """

    def __init__(self, model: LinkageModel, backend: Backend) -> None:
        self.backend = backend
        self.db_api = backend.open()
        seed = backend.register(self.db_api, [{"unique_id": "__seed__"}], "writ_seed")
        self.linker = Linker(seed, model.splink_settings(), log_level=None, validate_settings=False)
        self._tables = itertools.count()
        self.lock = threading.Lock()  # one DuckDB connection: one batch at a time

    def table(self, rows: Rows) -> SplinkDataFrame:
        return self.backend.register(self.db_api, rows, f"writ_rows_{next(self._tables)}")

    def pairs(
        self,
        model: LinkageModel,
        result: SplinkDataFrame,
        *inputs: SplinkDataFrame,
        min_weight: float | None = None,
    ) -> list[ScoredPair]:
        """The scored pairs of ``result`` (at or above ``min_weight``), read a batch at a time
        and only the columns a pair keeps; then the tables are dropped."""
        try:
            records = self.backend.stream(result, _pair_columns(model))
            if min_weight is not None:
                records = (r for r in records if r["match_weight"] >= min_weight)
            return _pairs(model, records)
        finally:
            result.drop_table_from_database_and_remove_from_cache()
            for frame in inputs:
                frame.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)


_SCORERS: OrderedDict[tuple[str, str, int], _Scorer] = OrderedDict()
_SCORERS_KEPT = 4


def _scorer(model: LinkageModel, backend: Backend) -> _Scorer:
    key = (model.version, backend.name, id(backend))
    if key in _SCORERS:
        _SCORERS.move_to_end(key)
    else:
        _SCORERS[key] = _Scorer(model, backend)
        while len(_SCORERS) > _SCORERS_KEPT:
            _SCORERS.popitem(last=False)
    return _SCORERS[key]


def predict(
    model: LinkageModel,
    rows: Rows,
    min_weight: float | None = None,
    backend: Backend = DUCKDB,
) -> list[ScoredPair]:
    """Score every blocked pair of ``rows``; keep those at or above ``min_weight``."""
    if len(rows) < 2:
        return []
    scorer = _scorer(model, backend)
    threshold = model.thresholds.review if min_weight is None else min_weight
    with scorer.lock:
        table = scorer.table(rows)
        result = scorer.linker.inference.predict_within(
            table, threshold_match_weight=threshold, warning_mode="never"
        )
        return scorer.pairs(model, result, table)


def score_between(
    model: LinkageModel,
    new_rows: Rows,
    known_rows: Rows,
    min_weight: float | None = None,
    all_pairs: bool = False,
    backend: Backend = DUCKDB,
) -> list[ScoredPair]:
    """Score new records against known ones (and not the known ones among themselves).

    With ``all_pairs`` every new × known pair is scored, not only blocked ones: a look-up for one
    person against a handful of candidates already chosen by an index.
    """
    if not new_rows or not known_rows:
        return []
    scorer = _scorer(model, backend)
    threshold = model.thresholds.review if min_weight is None else min_weight
    with scorer.lock:
        left, right = scorer.table(new_rows), scorer.table(known_rows)
        if all_pairs:
            result = scorer.linker.inference.score_pairs(left, right)
            return scorer.pairs(model, result, left, right, min_weight=threshold)
        result = scorer.linker.inference.predict_between(
            left, right, threshold_match_weight=threshold, warning_mode="never"
        )
        return scorer.pairs(model, result, left, right)


def _level_keys(comparison: Comparison) -> dict[int, str]:
    """Splink numbers a comparison's levels from the most alike (highest) down to 0; null is -1."""
    keys = [level.key for level in comparison.levels if not level.is_null]
    by_gamma = {len(keys) - 1 - index: key for index, key in enumerate(keys)}
    by_gamma[-1] = "missing"
    return by_gamma


def _pair_columns(model: LinkageModel) -> list[str]:
    """The columns of Splink's predictions a scored pair is made of."""
    columns = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    for name in model.comparisons:
        columns += [f"gamma_{name}", f"mw_{name}"]
    for column in ONE_PER_PERSON:
        columns += [f"{column}_l", f"{column}_r"]
    return columns


def _pairs(model: LinkageModel, records: Iterable[Mapping[str, Any]]) -> list[ScoredPair]:
    gammas = {name: _level_keys(BY_NAME[name]) for name in model.comparisons}
    pairs = []
    for record in records:
        left, right = str(record["unique_id_l"]), str(record["unique_id_r"])
        left_values = {c: record.get(f"{c}_l") for c in ONE_PER_PERSON}
        right_values = {c: record.get(f"{c}_r") for c in ONE_PER_PERSON}
        levels = {}
        weights = {}
        for name, by_gamma in gammas.items():
            levels[name] = by_gamma[int(record[f"gamma_{name}"])]
            weights[name] = float(record[f"mw_{name}"])
        if right < left:
            left, right = right, left
        pairs.append(
            ScoredPair(
                left=left,
                right=right,
                weight=float(record["match_weight"]),
                probability=float(record["match_probability"]),
                levels=levels,
                weights=weights,
                conflicts=tuple(identifier_conflicts(left_values, right_values)),
            )
        )
    return pairs
