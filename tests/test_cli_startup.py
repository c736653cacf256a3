"""The ``writ`` command starts light: the heavy libraries load only for the commands that use them.

Measured by ``bench/cli_startup.py`` (time and memory); here only what is imported, which does not
depend on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("splink", "duckdb", "pandas", "pyarrow", "weasyprint", "fastapi", "followthemoney")


def imported_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``code``."""
    report = "import json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\n{report}"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_importing_the_command_imports_no_heavy_library() -> None:
    loaded = imported_after("import writ.cli")
    assert not loaded & set(HEAVY), f"writ.cli imports {sorted(loaded & set(HEAVY))}"
    assert "sqlalchemy" not in loaded  # not even the store, until a command needs it


def test_help_imports_no_heavy_library() -> None:
    code = "from writ.cli import run\nrun(['--help'])"
    loaded = imported_after(code)
    assert not loaded & set(HEAVY), f"writ --help imports {sorted(loaded & set(HEAVY))}"


def test_the_command_s_batch_size_default_is_ingest_s() -> None:
    from writ import cli_ingest
    from writ.ingest import service

    assert cli_ingest.BATCH_SIZE == service.BATCH_SIZE
