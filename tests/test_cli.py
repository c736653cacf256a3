"""The `writ` command end to end, as an operator runs it."""

import sqlite3
from dataclasses import dataclass

import pytest

from writ.cli import run


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def writ(capsys, monkeypatch):
    """Run `writ ARGS` in this process with WRIT_HOME set, as an operator would at the console."""

    def invoke(*args, home, check=True, env_extra=None):
        with monkeypatch.context() as patch:
            for name, value in {
                "WRIT_HOME": str(home),
                "COLUMNS": "200",
                **(env_extra or {}),
            }.items():
                patch.setenv(name, value)
            patch.delenv("WRIT_DATABASE_URL", raising=False)
            code = run(list(args))
        out, err = capsys.readouterr()
        result = Result(code, out, err)
        if check and code != 0:
            raise AssertionError(f"writ {' '.join(args)} failed ({code}):\n{out}\n{err}")
        return result

    return invoke


def test_init_then_verify_then_tamper_with_the_sqlite_shell(writ, tmp_path):
    home = tmp_path / "home"
    writ("init", home=home)
    writ("users", "add", "ana", "--role", "officer", "--unit", "ERO-NYC", home=home)
    writ("users", "add", "bo", "--role", "oversight", "--unit", "OIG", home=home)
    ok = writ("audit", "verify", home=home)
    assert "ledger verified" in ok.stdout
    with sqlite3.connect(home / "writ.db") as db:
        db.execute("UPDATE audit_entries SET object_id = 'mallory' WHERE seq = 2")
    bad = writ("audit", "verify", home=home, check=False)
    assert bad.returncode == 1
    assert "entry 2 was altered" in bad.stderr.replace("\n", " ")


def test_checkpoint_then_consistency(writ, tmp_path):
    home = tmp_path / "home"
    writ("init", home=home)
    writ("audit", "checkpoint", "--out", str(tmp_path / "cp.json"), home=home)
    writ("users", "add", "ana", "--role", "officer", "--unit", "ERO-NYC", home=home)
    result = writ("audit", "consistency", "--from", str(tmp_path / "cp.json"), home=home)
    assert '"ok": true' in result.stdout
    proof = writ("audit", "prove", "1", home=home)
    assert '"leaf_index": 0' in proof.stdout


@pytest.mark.parametrize(
    "content,expected",
    [
        ('database_url = "sqlite:///x.db"\nhead_intervall = 2\n', "writ.toml:2: unknown setting"),
        (
            'ledger_key = "ledger.key"\nhead_every_entries = "ten"\n',
            "writ.toml:2: head_every_entries",
        ),
        ("demo = true\nthis is not toml\n", "writ.toml: "),
    ],
)
def test_a_bad_configuration_stops_start_up_naming_file_and_line(writ, tmp_path, content, expected):
    home = tmp_path / "home"
    home.mkdir()
    (home / "writ.toml").write_text(content)
    result = writ("audit", "verify", home=home, check=False)
    assert result.returncode == 2
    assert expected in result.stderr.replace("\n", "")


def test_a_store_behind_its_migrations_is_refused(writ, tmp_path):
    home = tmp_path / "home"
    writ("init", home=home)
    (home / "writ.db").unlink()
    result = writ("audit", "verify", home=home, check=False)
    assert result.returncode == 2
    assert "writ db upgrade" in result.stderr.replace("\n", " ")
    writ("db", "upgrade", home=home)
    assert writ("audit", "verify", home=home).returncode == 0


def test_an_operator_acting_as_a_user_is_checked_by_policy(writ, tmp_path):
    home = tmp_path / "home"
    writ("init", home=home)
    writ("users", "add", "ana", "--role", "officer", "--unit", "ERO-NYC", home=home)
    denied = writ(
        "users",
        "list",
        home=home,
        check=False,
        env_extra={"WRIT_USER": "ana", "WRIT_PURPOSE": "investigation"},
    )
    assert denied.returncode == 3
    assert "default-deny" in denied.stderr.replace("\n", "")
