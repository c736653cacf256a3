"""Settings: ``$WRIT_HOME/writ.toml``, overridden by ``WRIT_DATABASE_URL``.

A bad file stops start-up with a message that names the file, the line and the problem.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The configuration is wrong; the message names the file, the line and the problem."""


KNOWN: dict[str, type | tuple[type, ...]] = {
    "database_url": str,
    "ledger_key": str,
    "head_interval_seconds": (int, float),
    "head_every_entries": int,
    "demo": bool,
}


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    ledger_key: Path
    head_interval_seconds: float = 1.0
    head_every_entries: int = 1024
    demo: bool = False

    @property
    def public_key(self) -> Path:
        return self.ledger_key.with_suffix(".pub")

    @property
    def config_file(self) -> Path:
        return self.home / "writ.toml"


def home_dir() -> Path:
    return Path(os.environ.get("WRIT_HOME", "var")).resolve()


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip() == key:
            return number
    return 1


def load_settings(home: Path | None = None) -> Settings:
    """Settings for ``home`` (default ``$WRIT_HOME`` or ``./var``)."""
    home = (home or home_dir()).resolve()
    path = home / "writ.toml"
    values: dict[str, Any] = {}
    if path.exists():
        text = path.read_text()
        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        for key, value in values.items():
            line = _line_of(text, key)
            if key not in KNOWN:
                raise ConfigError(
                    f"{path}:{line}: unknown setting {key!r}; known: {', '.join(sorted(KNOWN))}"
                )
            expected = KNOWN[key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(
                    f"{path}:{line}: {key} must be {_type_name(expected)}, not {value!r}"
                )
        interval = values.get("head_interval_seconds", 1.0)
        if interval < 0:
            raise ConfigError(
                f"{path}:{_line_of(text, 'head_interval_seconds')}: "
                "head_interval_seconds must not be negative"
            )
    url = os.environ.get("WRIT_DATABASE_URL") or values.get("database_url")
    if not url:
        url = f"sqlite:///{home / 'writ.db'}"
    key_path = Path(str(values.get("ledger_key", home / "ledger.key")))
    if not key_path.is_absolute():
        key_path = home / key_path
    return Settings(
        home=home,
        database_url=url,
        ledger_key=key_path,
        head_interval_seconds=float(values.get("head_interval_seconds", 1.0)),
        head_every_entries=int(values.get("head_every_entries", 1024)),
        demo=bool(values.get("demo", False)),
    )


def _type_name(expected: type | tuple[type, ...]) -> str:
    if isinstance(expected, tuple):
        return " or ".join(t.__name__ for t in expected)
    return expected.__name__
