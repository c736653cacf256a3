"""Settings: ``$WRIT_HOME/writ.toml``, overridden by ``WRIT_DATABASE_URL``.

A bad file stops start-up with a message that names the file, the line and the problem.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(Exception):
    """The configuration is wrong; the message names the file, the line and the problem."""


KNOWN: dict[str, type | tuple[type, ...]] = {
    "database_url": str,
    "ledger_key": str,
    "head_interval_seconds": (int, float),
    "head_every_entries": int,
    "demo": bool,
    "trusted_proxies": list,
    "oidc": dict,
}


@dataclass(frozen=True)
class OidcSettings:
    """The ``[oidc]`` table: the agency's OpenID provider and how its groups map to writ.

    ``roles`` maps a group to writ roles, ``units`` a group to a unit; a person whose groups
    give no role is refused (default deny). ``step_up_acr`` lists the ``acr`` values that count
    as the stronger sign-in overrides and exports need; the first is the one asked for.
    ``post_logout_redirect_uri`` is where the provider sends the browser back after signing the
    person out there too (default: ``/signed-out`` on the redirect URI's site); register it with
    the provider.
    """

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    step_up_acr: tuple[str, ...]
    scopes: tuple[str, ...] = ("openid", "profile", "groups")
    group_claim: str = "groups"
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    name: str = "your agency account"
    post_logout_redirect_uri: str | None = None

    @property
    def signed_out_uri(self) -> str:
        """Where the provider sends the browser back after signing the person out."""
        if self.post_logout_redirect_uri:
            return self.post_logout_redirect_uri
        site = urlsplit(self.redirect_uri)
        return f"{site.scheme}://{site.netloc}/signed-out"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    ledger_key: Path
    head_interval_seconds: float = 1.0
    head_every_entries: int = 1024
    demo: bool = False
    oidc: OidcSettings | None = None
    # The reverse proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto
    # writ believes; from anyone else those headers are ignored.
    trusted_proxies: tuple[str, ...] = ()

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
    text = ""
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
        oidc=_oidc(path, text, values["oidc"]) if "oidc" in values else None,
        trusted_proxies=_proxies(path, text, values.get("trusted_proxies", [])),
    )


def _proxies(path: Path, text: str, given: list[Any]) -> tuple[str, ...]:
    """``trusted_proxies``: IP addresses or networks (``10.0.0.5``, ``10.1.0.0/16``, ``::1``)."""
    found = []
    for value in given:
        try:
            if not isinstance(value, str):
                raise ValueError
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(
                f"{path}:{_line_of(text, 'trusted_proxies')}: trusted_proxies must list IP "
                f"addresses or networks (10.0.0.5, 10.1.0.0/16), not {value!r}"
            ) from None
        found.append(value)
    return tuple(found)


def _type_name(expected: type | tuple[type, ...]) -> str:
    if isinstance(expected, tuple):
        return " or ".join(t.__name__ for t in expected)
    return expected.__name__


OIDC_KEYS: dict[str, type | tuple[type, ...]] = {
    "issuer": str,
    "client_id": str,
    "client_secret": str,
    "client_secret_env": str,
    "redirect_uri": str,
    "post_logout_redirect_uri": str,
    "scopes": list,
    "group_claim": str,
    "step_up_acr": (str, list),
    "name": str,
    "roles": dict,
    "units": dict,
}
OIDC_REQUIRED = ("issuer", "client_id", "redirect_uri", "step_up_acr")


def _line_in(text: str, table: str, key: str) -> int:
    """The line of ``key`` inside ``[table]`` (or of the table header when the key is absent)."""
    header = 1
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ") == table
            if inside:
                header = number
            continue
        if inside and key and stripped.split("=", 1)[0].strip().strip('"') == key:
            return number
    return header


def _oidc(path: Path, text: str, table: dict[str, Any]) -> OidcSettings:
    from writ.model.actor import ROLES

    def fail(key: str, problem: str, section: str = "oidc") -> ConfigError:
        return ConfigError(f"{path}:{_line_in(text, section, key)}: [{section}] {problem}")

    for key, value in table.items():
        if key not in OIDC_KEYS:
            raise fail(key, f"unknown setting {key!r}; known: {', '.join(sorted(OIDC_KEYS))}")
        if not isinstance(value, OIDC_KEYS[key]):
            raise fail(key, f"{key} must be {_type_name(OIDC_KEYS[key])}, not {value!r}")
    for key in OIDC_REQUIRED:
        if not table.get(key):
            raise fail("", f"{key} is required")
    for key in ("issuer", "redirect_uri", "post_logout_redirect_uri"):
        if key in table and not str(table[key]).startswith(
            ("https://", "http://127.0.0.1", "http://localhost")
        ):
            raise fail(key, f"{key} must be an https:// address (http only on loopback)")
    secret = table.get("client_secret", "")
    if "client_secret_env" in table:
        secret = os.environ.get(table["client_secret_env"], "")
        if not secret:
            raise fail(
                "client_secret_env",
                f"client_secret_env names {table['client_secret_env']}, which is not set",
            )
    if not secret:
        raise fail("", "client_secret or client_secret_env is required")
    acrs = table["step_up_acr"]
    acrs = (acrs,) if isinstance(acrs, str) else tuple(acrs)
    scopes = tuple(table.get("scopes", ("openid", "profile", "groups")))
    if any(not isinstance(a, str) or not a for a in acrs):
        raise fail("step_up_acr", "step_up_acr must be a string or a list of strings")
    if "openid" not in scopes or any(not isinstance(s, str) for s in scopes):
        raise fail("scopes", "scopes must be a list of strings that includes 'openid'")
    roles: dict[str, tuple[str, ...]] = {}
    for group, given in table.get("roles", {}).items():
        given = [given] if isinstance(given, str) else given
        unknown = sorted(set(given) - ROLES) if isinstance(given, list) else [given]
        if unknown or not given:
            raise fail(
                group,
                f"group {group!r}: unknown role(s) {unknown}; known: {sorted(ROLES)}",
                "oidc.roles",
            )
        roles[group] = tuple(given)
    units: dict[str, str] = {}
    for group, unit in table.get("units", {}).items():
        if not isinstance(unit, str) or not unit:
            raise fail(group, f"group {group!r}: the unit must be a name", "oidc.units")
        units[group] = unit
    return OidcSettings(
        issuer=table["issuer"].rstrip("/"),
        client_id=table["client_id"],
        client_secret=secret,
        redirect_uri=table["redirect_uri"],
        step_up_acr=acrs,
        scopes=scopes,
        group_claim=table.get("group_claim", "groups"),
        roles=roles,
        units=units,
        name=table.get("name", "your agency account"),
        post_logout_redirect_uri=table.get("post_logout_redirect_uri"),
    )
