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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from writ.resolve.comparisons import BY_NAME, TF_COLUMNS, Comparison, comparisons_for
from writ.resolve.features import COLUMNS, present_columns
from writ.resolve.model import (
    LinkageModel,
    TermFrequencies,
    Thresholds,
    bounded,
    learned_parameters,
    now,
    rounded,
    settings_creator,
)
from writ.resolve.pairs import ScoredPair
from writ.resolve.rules import ONE_PER_PERSON, identifier_conflicts

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPISubClass
    from splink.internals.splink_dataframe import SplinkDataFrame

__all__ = ["DUCKDB", "Backend", "ScoredPair", "predict", "score_between", "train"]

logging.getLogger("splink").setLevel(logging.ERROR)

MIN_TRAINING_PAIRS = 50  # fewer pairs than this in a training block teach nothing reliable
MAX_TRAINING_RECORDS = 200_000  # a larger batch is trained on a seeded random sample of this many
MAX_LABEL_PAIRS = 20_000  # pairs sharing an identifier that m is counted on (a seeded sample)
MAX_LABEL_GROUP = 10  # more records than this on one identifier: a placeholder, not a person
MEMORY_SHARE = 0.6  # of the machine's memory DuckDB may hold before it spills to disk
ARRAY_COLUMNS = frozenset({"given_keys"})
TF_PREFIX = "tf_"
ARROW_SCHEMA = pa.schema(
    [
        pa.field(column, pa.list_(pa.string()) if column in ARRAY_COLUMNS else pa.string())
        for column in COLUMNS
    ]
)

Rows = Sequence[Mapping[str, Any]]
# Registers feature rows as a table of a backend: DuckDB by default, Spark in writ.resolve.spark.
Register = Callable[["DatabaseAPISubClass", Rows, str], "SplinkDataFrame"]
# Registers a term-frequency look-up (column, values, their frequencies, table name) likewise.
Lookup = Callable[
    ["DatabaseAPISubClass", str, Sequence[str], Sequence[float], str], "SplinkDataFrame"
]
# Reads some columns of a backend's table a batch at a time: scored pairs of a million records
# are millions of rows, which must not all be Python dictionaries at once.
Stream = Callable[["SplinkDataFrame", Sequence[str]], Iterator[Mapping[str, Any]]]
STREAM_BATCH = 50_000


def register_duckdb(db_api: DatabaseAPISubClass, rows: Rows, name: str) -> SplinkDataFrame:
    table = pa.Table.from_pylist([dict(row) for row in rows], schema=ARROW_SCHEMA)
    return db_api.register(table, dataset_display_name=name)


def lookup_duckdb(
    db_api: DatabaseAPISubClass,
    column: str,
    values: Sequence[str],
    frequencies: Sequence[float],
    name: str,
) -> SplinkDataFrame:
    table = pa.table(
        {
            column: pa.array(values, pa.string()),
            f"{TF_PREFIX}{column}": pa.array(frequencies, pa.float64()),
        }
    )
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
    lookup: Lookup = lookup_duckdb


def open_duckdb() -> DatabaseAPISubClass:
    """An in-memory DuckDB whose spill files go to the system's temporary directory, not to a
    ``.tmp`` folder in whatever directory writ was started from, and which spills there once it
    holds ``MEMORY_SHARE`` of the machine's memory rather than taking all of it."""
    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect()
    spill = Path(tempfile.gettempdir()) / "writ-duckdb"
    connection.execute("SET temp_directory = ?", [str(spill)])
    connection.execute(f"SET memory_limit = '{_memory_limit_mb()}MB'")
    return DuckDBAPI(connection)


def _memory_limit_mb() -> int:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(256, int(total * MEMORY_SHARE / 2**20))


DUCKDB = Backend("duckdb", open_duckdb, register_duckdb, stream_duckdb, lookup_duckdb)


IDENTIFIERS = ("a_number", "passport", "id_number")
# Known, not learned, where no other identifier's pairs can tell: how often one person's two
# records (both with the number) carry the same number, one mistyped, or two different ones.
KNOWN_M: dict[str, dict[str, float]] = {
    "a_number": {"exact": 0.95, "one_char": 0.03, "different": 0.02},
    "passport": {"exact": 0.85, "one_char": 0.03, "different": 0.12},
    "id_number": {"exact": 0.9, "one_char": 0.04, "two_chars": 0.02, "different": 0.04},
}


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

    - the prior (the chance that two random records are one person) from deterministic rules;
    - u (how often a level happens between two different people) by random sampling of pairs;
    - m (how often it happens between two records of one person) counted on the pairs that share
      a reliable identifier (an A-number, a passport or an identity number: nearly all one
      person), with add-one smoothing; an identifier's own m on the pairs that share another
      identifier, else the known values ``KNOWN_M``; a comparison no such pairs can tell about
      (a set with no identifiers) by expectation maximisation over blocks of likely pairs.

    One input gives one model: the records are taken in the order of their ids, the sample and
    the random sampling are seeded, and every learned value is rounded (``model.SIGNIFICANT``).
    More than ``max_records`` records are trained on a seeded random sample of that many.
    """
    from splink import Linker, block_on

    if len(rows) < 2:
        raise ValueError(f"training needs at least two records, got {len(rows)}")
    if max_records < 2:
        raise ValueError(f"training needs a sample of at least two records, got {max_records}")
    total = len(rows)
    rows = sorted(rows, key=lambda row: str(row["unique_id"]))
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
    labelled = label_counts(rows, comparisons, seed)
    unknown = [c for c in comparisons if c.name not in labelled and c.name not in KNOWN_M]
    em_rules = _training_rules(columns, rows) if unknown else []
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    em = learned_parameters(linker, comparisons)
    parameters = {}
    m_from: dict[str, str] = {}
    for comparison in comparisons:
        u = {level.key: level.u for level in em[comparison.name]}
        if comparison.name in labelled:
            m = smoothed(comparison, labelled[comparison.name])
            m_from[comparison.name] = f"{sum(labelled[comparison.name].values())} labelled pairs"
        elif comparison.name in KNOWN_M:
            m = dict(KNOWN_M[comparison.name])
            m_from[comparison.name] = "known"
        else:
            m = {level.key: level.m for level in em[comparison.name]}
            m_from[comparison.name] = "expectation maximisation"
        parameters[comparison.name] = bounded(comparison, m, u)
    prior = rounded(float(linker._settings_obj._probability_two_random_records_match))
    return LinkageModel(
        comparisons=parameters,
        prior=prior,
        thresholds=thresholds or Thresholds(),
        trained_on={
            "records": len(rows),
            "of_records": total,
            "columns": sorted(columns),
            "backend": backend.name,
            "m_from": m_from,
            "em_blocks": [list(rule) for rule in em_rules],
        },
        created_at=now(),
        term_frequencies={
            column: TermFrequencies.of(row.get(column) for row in rows)
            for column in TF_COLUMNS
            if column in columns
        },
    )


def training_sample(rows: Rows, size: int, seed: int) -> Rows:
    """``rows`` when there are at most ``size``; otherwise a seeded random ``size`` of them, in
    their original order."""
    if len(rows) <= size:
        return rows
    chosen = sorted(random.Random(seed).sample(range(len(rows)), size))
    return [rows[i] for i in chosen]


def identifier_pairs(rows: Rows) -> dict[tuple[int, int], set[str]]:
    """Pairs of rows (by index) that share an identity document, and which ones they share.

    A number held by more than ``MAX_LABEL_GROUP`` records is a placeholder or an office's
    number, not one person's, and is left out.
    """
    shared: dict[tuple[int, int], set[str]] = {}
    for column in IDENTIFIERS:
        groups: dict[str, list[int]] = {}
        for index, row in enumerate(rows):
            value = row.get(column)
            if value:
                groups.setdefault(str(value), []).append(index)
        for members in groups.values():
            if 2 <= len(members) <= MAX_LABEL_GROUP:
                for pair in itertools.combinations(members, 2):
                    shared.setdefault(pair, set()).add(column)
    return shared


def label_counts(
    rows: Rows, comparisons: Sequence[Comparison], seed: int
) -> dict[str, dict[str, int]]:
    """Per comparison, how many pairs sharing a reliable identifier fell in each level (pairs
    with the value missing on one side left out; an identifier's own comparison counted only
    on pairs that share another identifier). Only comparisons with ``MIN_TRAINING_PAIRS``."""
    shared = identifier_pairs(rows)
    keys = sorted(shared)
    if len(keys) > MAX_LABEL_PAIRS:
        keys = sorted(random.Random(seed).sample(keys, MAX_LABEL_PAIRS))
    counts: dict[str, dict[str, int]] = {c.name: {} for c in comparisons}
    for i, j in keys:
        left, right = rows[i], rows[j]
        for comparison in comparisons:
            if shared[(i, j)] <= {comparison.name}:
                continue  # an identifier cannot vouch for itself
            level = comparison.level_of(left, right)
            if comparison.level(level).is_null:
                continue
            counts[comparison.name][level] = counts[comparison.name].get(level, 0) + 1
    return {
        name: found for name, found in counts.items() if sum(found.values()) >= MIN_TRAINING_PAIRS
    }


def smoothed(comparison: Comparison, counts: Mapping[str, int]) -> dict[str, float | None]:
    """m of each level from counts among one person's pairs, with add-one smoothing: a level
    never seen among them is rare, not impossible."""
    levels = [level for level in comparison.levels if not level.is_null and not level.counted_in]
    total = sum(counts.get(level.key, 0) for level in levels) + len(levels)
    return {level.key: (counts.get(level.key, 0) + 1) / total for level in levels}


def _deterministic_rules(columns: set[str]) -> list[Any]:
    from splink import block_on

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
    """Blocks for expectation maximisation, each leaving out the comparisons it blocks on; used
    only for comparisons that no pair sharing an identifier can tell about.

    Birth date is paired with the first given name, so that twins and other relatives of one
    household (same birth date, family name and address) do not pass for matches and teach the
    model that different given names are normal.
    """
    rules: list[tuple[str, ...]] = [(c,) for c in IDENTIFIERS]
    rules += [("given_first", "birth_date"), ("given_phonetic", "family_phonetic")]
    if "birth_date" not in columns:
        rules += [("postcode",), ("locality",)]
    return [
        rule
        for rule in rules
        if all(c in columns for c in rule) and _pairs_sharing(rows, rule) >= MIN_TRAINING_PAIRS
    ]


def compared_pairs(rows: Rows, backend: Backend = DUCKDB) -> list[tuple[str, int]]:
    """How many pairs each prediction blocking rule brings to scoring that no earlier rule did
    (exact counts, in the order of the rules): the number of pairs a batch run scores is their
    sum. For the benchmarks, which print it."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from writ.resolve.model import prediction_blocking_rules

    columns = {
        c for comparison in comparisons_for(present_columns(rows)) for c in comparison.columns
    }
    db_api = backend.open()
    table = backend.register(db_api, rows, "writ_blocking")
    counted = count_comparisons_from_blocking_rules(
        table,
        blocking_rules=prediction_blocking_rules(columns),
        link_type="dedupe_only",
        record_sample_proportion=1.0,
    )
    return [(str(r["blocking_rule"]), int(r["marginal_comparison_count"])) for r in counted]


_TABLES = itertools.count()  # one session (Spark's) may hold the tables of several scorers


class _Scorer:
    """A Splink linker loaded with one model on one backend, reused for every batch it scores.

    Building Splink's settings and validating them costs seconds; scoring a handful of pairs costs
    milliseconds. New records are registered as tables of the same database and dropped after.
    """

    def __init__(self, model: LinkageModel, backend: Backend) -> None:
        self.backend = backend
        from splink import Linker

        self.model = model
        self.db_api = backend.open()
        seed = backend.register(
            self.db_api, [{"unique_id": "__seed__"}], f"writ_seed_{next(_TABLES)}"
        )
        self.linker = Linker(seed, model.splink_settings(), log_level=None, validate_settings=False)
        self._lookups: list[SplinkDataFrame] = []
        self.lock = threading.Lock()  # one DuckDB connection: one batch at a time

    def table(self, rows: Rows) -> SplinkDataFrame:
        return self.backend.register(self.db_api, rows, f"writ_rows_{next(_TABLES)}")

    def frequencies(self, *batches: Rows) -> None:
        """Register, as Splink's term-frequency look-ups, the model's frequency of every value the
        rows about to be scored hold: the batch, the incremental match and the look-up (Python)
        all use the frequencies the model was trained with, a value unseen in training as rare."""
        for frame in self._lookups:
            frame.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        self._lookups = []
        for column in self.model.tf_columns:
            values = sorted(
                {str(row[column]) for rows in batches for row in rows if row.get(column)}
            )
            frequencies = [self.model.frequency(column, value) or 0.0 for value in values]
            frame = self.backend.lookup(
                self.db_api, column, values, frequencies, f"writ_tf_{column}_{next(_TABLES)}"
            )
            self.linker.table_management.register_term_frequency_lookup(frame, column)
            self._lookups.append(frame)

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
        scorer.frequencies(rows)
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
        scorer.frequencies(new_rows, known_rows)
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
        if _adjusted(model, name):
            columns.append(f"mw_tf_adj_{name}")
    for column in ONE_PER_PERSON:
        columns += [f"{column}_l", f"{column}_r"]
    return columns


def _adjusted(model: LinkageModel, name: str) -> bool:
    """Whether a term frequency adjusts one of the comparison's levels in this model."""
    return any(level.tf in model.tf_columns for level in BY_NAME[name].levels if level.tf)


def _pairs(model: LinkageModel, records: Iterable[Mapping[str, Any]]) -> list[ScoredPair]:
    gammas = {name: _level_keys(BY_NAME[name]) for name in model.comparisons}
    adjusted = {name for name in model.comparisons if _adjusted(model, name)}
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
            if name in adjusted:
                weights[name] += float(record[f"mw_tf_adj_{name}"])
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
