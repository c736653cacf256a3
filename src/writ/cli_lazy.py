"""What the commands load when they run, not when ``writ`` starts.

``writ --help`` or ``writ review list`` need none of Splink, DuckDB, pandas, WeasyPrint or
followthemoney; importing every concern's services at start-up cost seconds and hundreds of
megabytes on every command. So the command modules name their services through ``LazyModule``
(for type checking they import them as usual, under ``TYPE_CHECKING``), and each service module
is imported the first time a command uses one of its names. ``tests/test_cli_startup.py`` checks
that importing ``writ.cli`` imports none of the heavy libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from writ.service import Services


class LazyModule:
    """A module imported on the first use of one of its names."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


def open_services() -> Services:
    """The services of ``$WRIT_HOME`` (``writ.service.runtime.open_services``)."""
    from writ.service.runtime import open_services as open_

    return open_()
