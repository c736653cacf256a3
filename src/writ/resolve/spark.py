"""Splink's Spark backend for linkage beyond one machine.

The same feature rows and the same model as on DuckDB: rows become a Spark DataFrame with a fixed
schema, and Splink generates Spark SQL from the same comparison definitions. ``pyspark`` is an
optional dependency (``pip install 'writ[spark]'``); Splink's similarity functions (Jaro-Winkler,
Damerau-Levenshtein) are Scala UDFs in a jar Splink ships, which the session must load.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.splink_dataframe import SplinkDataFrame

from writ.resolve.features import COLUMNS
from writ.resolve.linkage import ARRAY_COLUMNS, TF_PREFIX, Backend, Rows


def local_session(cores: int = 2, memory: str = "2g") -> Any:
    """A local-mode Spark session with Splink's UDF jar, for tests and a single machine."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("writ-resolve")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.default.parallelism", str(cores))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def spark_backend(session: Any) -> Backend:
    """A backend that runs Splink on ``session`` (local or a cluster)."""
    from pyspark.sql import types
    from splink import SparkAPI

    fields = [
        types.StructField(
            column,
            types.ArrayType(types.StringType()) if column in ARRAY_COLUMNS else types.StringType(),
        )
        for column in COLUMNS
    ]
    checkpoint = "/tmp/writ-spark-checkpoints"
    session.sparkContext.setCheckpointDir(checkpoint)

    def open_api() -> DatabaseAPISubClass:
        return SparkAPI(spark_session=session, break_lineage_method="persist")

    schema = types.StructType(fields)

    def register(db_api: DatabaseAPISubClass, rows: Rows, name: str) -> SplinkDataFrame:
        data = [tuple(row.get(column) for column in COLUMNS) for row in rows]
        frame = session.createDataFrame(data, schema=schema)
        return db_api.register(frame, dataset_display_name=name)

    def stream(frame: SplinkDataFrame, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        data = frame.as_spark_dataframe()
        present = set(data.columns)
        for row in data.select(*(c for c in columns if c in present)).toLocalIterator():
            yield row.asDict()

    def lookup(
        db_api: DatabaseAPISubClass,
        column: str,
        values: Sequence[str],
        frequencies: Sequence[float],
        name: str,
    ) -> SplinkDataFrame:
        tf_schema = types.StructType(
            [
                types.StructField(column, types.StringType()),
                types.StructField(f"{TF_PREFIX}{column}", types.DoubleType()),
            ]
        )
        frame = session.createDataFrame(list(zip(values, frequencies, strict=True)), tf_schema)
        return db_api.register(frame, dataset_display_name=name)

    return Backend("spark", open_api, register, stream, lookup)
