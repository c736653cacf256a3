"""The DuckDB backend of the batch linker as writ opens it."""

from __future__ import annotations

import tempfile

from writ.resolve.linkage import DUCKDB


def test_duckdb_spills_to_the_temporary_directory_not_the_working_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = DUCKDB.open()
    (setting,) = db._con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert setting.startswith(tempfile.gettempdir()) and not setting.startswith(str(tmp_path))
