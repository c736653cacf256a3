"""``writ lifecycle``: the rule table, a case file and a gate check from the console."""

from __future__ import annotations

from typer.testing import CliRunner

from helpers import actor
from writ.cli import app
from writ.lifecycle import service as lc

OFFICER = actor("officer", user="off-1", purpose="case-processing")


def test_rules_case_and_check_from_the_console(services, writ_home):
    runner = CliRunner()
    rules = runner.invoke(app, ["lifecycle", "rules"], terminal_width=400)
    assert rules.exit_code == 0, rules.output
    for rule in lc.list_rules():
        assert rule.id in rules.output
    assert "counsel reviews them before use" in rules.output

    case = lc.open_case(services, OFFICER, subject_name="Ana Lopez", country_of_birth="MX")
    lc.request_action(services, OFFICER, case.id, "arrest")
    shown = runner.invoke(app, ["lifecycle", "case", case.id], terminal_width=400)
    assert shown.exit_code == 0, shown.output
    assert "arrest blocked by off-1: arrest-basis" in shown.output

    check = runner.invoke(
        app, ["lifecycle", "check", case.id, "schedule_removal", "--to", "MX"], terminal_width=400
    )
    assert check.exit_code == 0, check.output
    assert "BLOCKED" in check.output and "removal-final-order" in check.output
