"""No route, page or command touches the store except through services."""

import ast
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "writ"
INTERFACES = [
    SRC / "cli.py",
    *SRC.glob("cli_*.py"),
    *(SRC / "api").rglob("*.py"),
    *(SRC / "web").rglob("*.py"),
]
ALLOWED_WRIT = (
    "writ.model",
    "writ.service",
    "writ.api",
    "writ.web",
    "writ.cli",
    "writ.audit.keys",
    "writ.__version__",
)
CONCERNS = ("ingest", "resolve", "cases", "lifecycle", "search", "oversight", "demo")
FORBIDDEN_TOP = ("sqlalchemy", "alembic", "psycopg", "sqlite3")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _allowed(module: str) -> bool:
    if module.split(".")[0] in FORBIDDEN_TOP:
        return False
    if not module.startswith("writ"):
        return True
    if module == "writ" or module.startswith(ALLOWED_WRIT):
        return True
    parts = module.split(".")
    # writ.<concern>.service (and names imported from it) is the concern's service layer.
    return len(parts) >= 3 and parts[1] in CONCERNS and parts[2] == "service"


def test_interfaces_only_use_services():
    assert INTERFACES, "no interface modules found"
    problems = []
    for path in INTERFACES:
        for line, module in _imports(path):
            if not _allowed(module):
                problems.append(f"{path.relative_to(SRC.parent)}:{line}: imports {module}")
    assert not problems, "interfaces must go through services:\n" + "\n".join(problems)


def test_the_check_catches_a_direct_store_import(tmp_path):
    bad = tmp_path / "route.py"
    bad.write_text("from writ.store.tables.core import statements\nimport sqlalchemy\n")
    assert [m for _, m in _imports(bad) if not _allowed(m)] == [
        "writ.store.tables.core.statements",
        "sqlalchemy",
    ]
