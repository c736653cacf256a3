"""The ingest commands (ingest, sources, quarantine) as an operator runs them."""

import shutil
from pathlib import Path

import pytest

from writ import cli, cli_ingest

FIXTURES = Path(__file__).parent / "ingest_fixtures"


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setattr(cli_ingest.console, "width", 240)
    monkeypatch.setattr(cli.err, "width", 240)


def test_ingest_then_sources_then_quarantine(writ_home, wide, tmp_path, capsys):
    for name in ("bookings.yml", "bookings.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    mapping = str(tmp_path / "bookings.yml")

    assert cli.run(["ingest", mapping, "--batch-size", "3"]) == 0
    out = capsys.readouterr().out
    assert "read 8 = taken 3 + quarantined 5" in out
    assert "rows/s" in out
    assert "see them with: writ quarantine list --source county_bookings" in out

    assert cli.run(["sources", "list"]) == 0
    out = capsys.readouterr().out
    assert "county_bookings" in out and "P75Y" in out and "criminal-justice" in out

    assert cli.run(["sources", "runs", "county_bookings"]) == 0
    out = capsys.readouterr().out
    assert "bookings.csv" in out and "finished" in out
    run_line = next(line for line in out.splitlines() if "finished" in line)
    assert [cell.strip() for cell in run_line.split("│")[-6:-1]] == ["8", "3", "0", "0", "5"]

    assert cli.run(["quarantine", "list", "--source", "county_bookings"]) == 0
    out = capsys.readouterr().out
    assert "31/02/1990" in out and "unparseable_required" in out and "missing_key" in out

    assert cli.run(["quarantine", "show", "1"]) == 0
    out = capsys.readouterr().out
    assert "OKAFOR, CHIDI" in out and "bookings.csv, line 5" in out

    (tmp_path / "fixed.csv").write_text(
        (tmp_path / "bookings.csv").read_text().splitlines()[0]
        + '\nB-1006,"ONE, NAME",01/13/1980,,,,,,,,\n'
    )
    assert cli.run(["ingest", mapping, "--file", str(tmp_path / "fixed.csv")]) == 0
    capsys.readouterr()
    assert cli.run(["quarantine", "list", "--all"]) == 0
    assert "superseded" in capsys.readouterr().out
    assert cli.run(["quarantine", "retry", "--source", "county_bookings"]) == 0
    out = capsys.readouterr().out
    assert "released   0" in out and "still open 4  1, 2, 4, 5" in out

    assert cli.run(["audit", "verify"]) == 0
    assert "ledger verified" in capsys.readouterr().out


def test_a_refused_mapping_says_why(writ_home, wide, tmp_path, capsys):
    text = (FIXTURES / "bookings.yml").read_text()
    start, end = text.index("  legal_basis:"), text.index("reader:")
    (tmp_path / "bookings.yml").write_text(text[:start] + "\n" + text[end:])
    assert cli.run(["ingest", str(tmp_path / "bookings.yml")]) == 2
    err = capsys.readouterr().err
    assert "bookings.yml line 2: source.legal_basis: is missing" in err
