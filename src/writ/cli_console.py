"""The terminal the commands print to: stored text is shown as text, never obeyed.

A case title, a note or a file name is whatever someone typed or a source held. Printed as it
is, an escape sequence in it can retitle the operator's terminal, clear the screen or hide a
line; a right-to-left override reverses what follows; Rich markup in it (``[link=...]``) is
obeyed. So every command prints through ``Terminal``: Rich markup is off (writ's own emphasis is
given as a style, ``styled``), and control characters, C1 codes and the bidirectional overrides
and isolates are shown escaped (``\\x1b``, ``\\u202e``) wherever a string is rendered, in a line
or a table cell. A new line and a tab are kept. ``tests/security/test_terminal.py`` fails on a
console made anywhere else.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from writ.model.text import HIDDEN_IN_TERMINAL
from writ.model.text import shown as shown_text


def shown(value: object) -> str:
    """``value`` as text with every control character written as its escape (``\\x1b``)."""
    return shown_text(str(value), HIDDEN_IN_TERMINAL)


def styled(text: object, style: str) -> Text:
    """``text`` in a style (writ's own emphasis: "error", a rule id), escaped like the rest."""
    return Text(shown(text), style=style)


class Terminal(Console):
    """A Rich console that never interprets the text it is given."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("markup", False)
        options.setdefault("emoji", False)
        options.setdefault("highlight", False)
        super().__init__(**options)
        if options.get("width") is None:
            # Rich fixes the width from COLUMNS when the console is made (when the command
            # module is imported); read it at each print instead, as the terminal is now.
            self._width = None

    def render_str(self, text: str, **options: Any) -> Text:
        options["markup"] = False
        options["emoji"] = False
        return super().render_str(shown(text), **options)
