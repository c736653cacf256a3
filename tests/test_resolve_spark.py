"""Splink's Spark backend in local mode gives the same pairs and clusters as DuckDB.

Needs pyspark (``pip install 'writ[spark]'``) and a Java runtime; without them the test is
skipped with a loud reason, never silently passed.
"""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from test_resolve_service import PEOPLE
from test_resolve_support import hand_set_model, person
from writ.resolve.cluster import cluster
from writ.resolve.comparisons import TF_COLUMNS
from writ.resolve.linkage import DUCKDB, predict
from writ.resolve.model import LinkageModel, TermFrequencies

NO_SPARK = importlib.util.find_spec("pyspark") is None
NO_JAVA = shutil.which("java") is None

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        NO_SPARK, reason="PYSPARK IS NOT INSTALLED: Spark/DuckDB agreement untested"
    ),
    pytest.mark.skipif(NO_JAVA, reason="NO JAVA RUNTIME: Spark/DuckDB agreement untested"),
]

MORE = {
    "e-ana-1": {"firstName": "Ana", "lastName": "Pérez", "birthDate": "1990-02-03",
                "full": "4 Oak Ave"},
    "e-ana-2": {"name": "PEREZ Ana", "birthDate": "1990", "full": "4 Oak Ave"},
    "e-bob-1": {"firstName": "Bob", "lastName": "Smyth", "birthDate": "1970-10-11"},
    "e-bob-2": {"firstName": "Robert", "lastName": "Smith", "birthDate": "1970-10-11"},
}  # fmt: skip


def test_spark_and_duckdb_give_the_same_clusters() -> None:
    from writ.resolve.spark import local_session, spark_backend

    model = hand_set_model()
    rows = [person(e, **p) for e, p in {**PEOPLE, **MORE}.items()]
    # The same model with term frequencies: Splink's adjustment on Spark as on DuckDB.
    frequencies = {c: TermFrequencies.of(r.get(c) for r in rows * 2) for c in TF_COLUMNS}
    with_tf = LinkageModel(model.comparisons, model.prior, term_frequencies=frequencies)
    session = local_session(cores=1, memory="1g")
    try:
        on_spark = predict(model, rows, min_weight=-50, backend=spark_backend(session))
        tf_on_spark = predict(with_tf, rows, min_weight=-50, backend=spark_backend(session))
    finally:
        session.stop()
    on_duckdb = predict(model, rows, min_weight=-50, backend=DUCKDB)
    tf_on_duckdb = {p.key: p for p in predict(with_tf, rows, min_weight=-50, backend=DUCKDB)}
    assert {p.key for p in tf_on_spark} == set(tf_on_duckdb)
    for pair in tf_on_spark:
        assert pair.weights == pytest.approx(tf_on_duckdb[pair.key].weights, abs=1e-6)
    assert any(
        p.weights != q.weights for p in on_duckdb for q in tf_on_spark if p.key == q.key
    )  # the frequencies did change some weights

    assert {p.key for p in on_spark} == {p.key for p in on_duckdb}
    duck = {p.key: p for p in on_duckdb}
    for pair in on_spark:
        assert pair.levels == duck[pair.key].levels
        assert pair.weight == pytest.approx(duck[pair.key].weight, abs=1e-6)
        assert pair.conflicts == duck[pair.key].conflicts
    uids = [r["unique_id"] for r in rows]
    features = {r["unique_id"]: r for r in rows}
    spark_clusters = cluster(uids, on_spark, model.thresholds, features)
    duckdb_clusters = cluster(uids, on_duckdb, model.thresholds, features)
    assert spark_clusters == duckdb_clusters
    assert any(len(c) > 1 for c in duckdb_clusters)
