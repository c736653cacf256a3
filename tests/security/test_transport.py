"""Forwarded headers are believed only from the proxies writ.toml names, and a request that came
over TLS (directly or through such a proxy) is answered with HSTS (issue 13, finding 7).

The tester reset the public locator's rate limit by sending ``X-Forwarded-For`` from 127.0.0.1:
the server trusted any forwarded header from loopback. These tests run the real ``writ serve``
(uvicorn) on a free loopback port, as the tester did.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from writ.api.app import create_app
from writ.lifecycle.service.locator import DEFAULT_LIMIT
from writ.service.settings import ConfigError, load_settings

LOCATOR = "/api/v1/locator?country_of_birth=Guatemala&a_number=A999100004"
HSTS = "strict-transport-security"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serve(tmp_path: Path, template: str, ledger_key: Path, settings: str = "") -> Iterator[str]:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(template, home / "writ.db")
    shutil.copyfile(ledger_key, home / "ledger.key")
    shutil.copyfile(ledger_key.with_suffix(".pub"), home / "ledger.pub")
    (home / "writ.toml").write_text(
        f'ledger_key = "ledger.key"\nhead_interval_seconds = 0\n{settings}'
    )
    port = _free_port()
    env = {**os.environ, "WRIT_HOME": str(home)}
    env.pop("WRIT_DATABASE_URL", None)
    log = home / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "writ.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"writ serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _limited(url: str, forwarded_for: list[str]) -> list[bool]:
    with httpx.Client(base_url=url, timeout=10) as client:
        return [
            client.get(LOCATOR, headers={"X-Forwarded-For": ip}).json()["rate_limited"]
            for ip in forwarded_for
        ]


def test_a_forwarded_for_header_does_not_reset_the_locator_limit(tmp_path, _templates, ledger_key):
    with _serve(tmp_path, _templates["sqlite"], ledger_key) as url:
        answers = _limited(url, [f"203.0.113.{n}" for n in range(DEFAULT_LIMIT + 1)])
        assert answers[-1] is True, "a new X-Forwarded-For was taken for a new client"
        with httpx.Client(base_url=url) as client:
            proto = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
        assert HSTS not in proto.headers  # not believed from an unconfigured peer
        assert "secure" not in proto.headers["set-cookie"].lower()


def test_a_configured_proxy_is_believed(tmp_path, _templates, ledger_key):
    with _serve(
        tmp_path, _templates["sqlite"], ledger_key, 'trusted_proxies = ["127.0.0.1"]\n'
    ) as url:
        many = [f"203.0.113.{n}" for n in range(DEFAULT_LIMIT + 1)]
        assert True not in _limited(url, many)  # each a client of its own behind the proxy
        one = ["198.51.100.7"] * (DEFAULT_LIMIT + 1)
        assert _limited(url, one)[-1] is True
        with httpx.Client(base_url=url) as client:
            tls = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
            plain = client.get("/sign-in")
        assert tls.headers[HSTS].startswith("max-age=")
        assert "secure" in tls.headers["set-cookie"].lower()
        assert HSTS not in plain.headers


def test_a_request_over_tls_gets_hsts(services):
    app = create_app(services, demo=True)
    with TestClient(app, base_url="https://writ.example") as tls:
        assert tls.get("/sign-in").headers[HSTS] == "max-age=31536000; includeSubDomains"
        assert tls.get("/api/v1/health").headers[HSTS].startswith("max-age=")
    with TestClient(app, base_url="http://writ.example") as plain:
        assert HSTS not in plain.get("/sign-in").headers


@pytest.mark.parametrize("value", ['"10.0.0.1"', '["10.0.0.999"]', '["proxy.example"]', "[1]"])
def test_a_bad_trusted_proxies_setting_stops_start_up(tmp_path, value):
    (tmp_path / "writ.toml").write_text(f"demo = true\ntrusted_proxies = {value}\n")
    with pytest.raises(ConfigError, match=r"writ.toml:2: trusted_proxies"):
        load_settings(tmp_path)


def test_trusted_proxies_take_addresses_and_networks(tmp_path):
    (tmp_path / "writ.toml").write_text('trusted_proxies = ["10.0.0.5", "10.1.0.0/16", "::1"]\n')
    assert load_settings(tmp_path).trusted_proxies == ("10.0.0.5", "10.1.0.0/16", "::1")
