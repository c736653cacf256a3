"""Stored text reaches the operator's terminal as text: control characters are shown escaped and
Rich markup in a value is printed, never obeyed (issue 13, finding 6), on both stores."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import actor
from test_web_accounts import INSTALLER
from writ.cases import service as case_service
from writ.cli import run
from writ.service import users as user_service

SRC = Path(__file__).parents[2] / "src" / "writ"
# A terminal title change, a bell, clearing the screen, a hyperlink and colour in Rich markup,
# a right-to-left override that reverses what follows, a carriage return that overwrites.
HOSTILE = (
    "Storefront\x1b]0;pwned\x07\x1b[2J[link=https://attacker.invalid]click[/link] "
    "[bold red]URGENT[/] \u202eevil.exe\rOVERWRITTEN"
)
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_case(services, writ_home, monkeypatch):
    user_service.add_user(services, INSTALLER, "ana", roles={"officer"}, unit="ERO-NYC")
    officer = actor("officer", user="ana")
    case = case_service.open_case(services, officer, type="investigation", title=HOSTILE)
    case_service.add_case_note(services, officer, case.id, HOSTILE)
    monkeypatch.setenv("WRIT_USER", "ana")
    monkeypatch.setenv("WRIT_PURPOSE", "investigation")
    monkeypatch.setenv("COLUMNS", "400")
    return case


@pytest.mark.parametrize(
    "command",
    [["cases", "list"], ["cases", "show", "{case}"], ["search", "notes", "Storefront"]],
)
def test_stored_text_is_shown_not_obeyed_in_the_terminal(hostile_case, capsys, command):
    code = run([part.format(case=hostile_case.id) for part in command])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert not RAW_CONTROLS.findall(out + err), repr(out)
    assert "Storefront" in out
    assert r"\x1b]0;pwned\x07" in out and r"\u202e" in out and r"\x0dOVERWRITTEN" in out
    assert "[link=https://attacker.invalid]click[/link]" in out
    assert "[bold red]URGENT[/]" in out


def test_every_console_of_the_cli_is_the_one_that_escapes():
    """A command module making its own rich Console would print stored text as it is."""
    found = []
    for module in sorted(SRC.rglob("*.py")):
        if module.name == "cli_console.py":
            continue
        for number, line in enumerate(module.read_text().splitlines(), start=1):
            if re.search(r"\bConsole\(|rich\.print|from rich import print", line):
                found.append(f"{module.relative_to(SRC)}:{number}: {line.strip()}")
    assert not found, "consoles that print stored text unescaped:\n" + "\n".join(found)
