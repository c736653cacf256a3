"""Sign in with the agency's provider in Chromium, step up to override a soft gate, sign out.

`writ serve` runs with an ``[oidc]`` table naming the test provider (npm `oidc-provider`, started
from tests/oidc/provider.mjs), so the browser follows the real redirects: writ's sign-in form to
the provider (allowed by the page's Content-Security-Policy), the provider's form back to writ.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.conftest import Visit, _free_port, visiting, wait_for_serve
from helpers import audit_rows
from test_lifecycle_service import detainer_on_database_match
from test_oidc import LOA2, RULE, SECRET, running_provider
from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.policy.engine import load_policy
from writ.service import Services
from writ.service.step_up import StepUp
from writ.store.engine import Store


class OidcWrit:
    def __init__(self, url: str, issuer: str, services: Services) -> None:
        self.url = url
        self.issuer = issuer
        self.services = services


@pytest.fixture(scope="module")
def oidc_writ(
    tmp_path_factory: pytest.TempPathFactory, _templates: dict[str, str], ledger_key: Path
) -> Iterator[OidcWrit]:
    home = tmp_path_factory.mktemp("writ-oidc-home")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with running_provider(home, f"{url}/sign-in/oidc/callback") as issuer:
        shutil.copyfile(_templates["sqlite"], home / "writ.db")
        shutil.copyfile(ledger_key, home / "ledger.key")
        shutil.copyfile(ledger_key.with_suffix(".pub"), home / "ledger.pub")
        (home / "writ.toml").write_text(
            'ledger_key = "ledger.key"\nhead_interval_seconds = 0\n'
            f'[oidc]\nissuer = "{issuer}"\nclient_id = "writ"\nclient_secret = "{SECRET}"\n'
            f'redirect_uri = "{url}/sign-in/oidc/callback"\nstep_up_acr = "{LOA2}"\n'
            'name = "Test ID"\n'
            '[oidc.roles]\nero-nyc-supervisors = ["supervisor"]\n'
            '[oidc.units]\nero-nyc-supervisors = "ERO-NYC"\n'
        )
        env = {**os.environ, "WRIT_HOME": str(home), "WRIT_PORT": str(port)}
        env.pop("WRIT_DATABASE_URL", None)
        log = home / "server.log"
        with log.open("w") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "writ.cli", "serve", "--port", str(port)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            wait_for_serve(url, server, log)
            store = Store(f"sqlite:///{home / 'writ.db'}")
            ledger = Ledger(keys.load_signing_key(ledger_key), head_interval=0)
            try:
                services = Services(store, load_policy(), ledger, StepUp((LOA2,)))
                yield OidcWrit(url, issuer, services)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                store.dispose()


@pytest.fixture
def tab(chromium, oidc_writ: OidcWrit) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    with visiting(chromium, oidc_writ.url) as visit:
        yield visit


def at_provider(tab: Visit, password: str, otp: str = "") -> None:
    page = tab.page
    assert page.url.startswith("http://127.0.0.1") and "/interaction/" in page.url
    page.fill("#login", "sam")
    page.fill("#password", password)
    if otp:
        page.fill("#otp", otp)
    tab.submit("button[type=submit]")


def test_sign_in_with_the_provider_then_step_up_to_override(tab, oidc_writ):
    case_id, _attempt = detainer_on_database_match(oidc_writ.services)
    page = tab.page
    tab.goto("/sign-in")
    page.click("label[for=purpose-case-processing]")
    tab.submit("[data-testid=oidc-sign-in]")
    at_provider(tab, "sam-pw")
    assert page.url == f"{oidc_writ.url}/queues"
    assert page.inner_text("[data-testid=user]") == "Sam Supervisor"
    assert page.text_content("[data-testid=purpose]") == "Case processing"

    tab.goto(f"/immigration/{case_id}")
    form = page.locator("[data-testid=override-form]")
    form.locator("textarea, input[name=reason]").first.fill(
        "Fingerprint match confirmed against the A-file and the I-213 on file"
    )
    tab.submit("[data-testid=override-form] button")
    assert LOA2 in page.inner_text("[data-testid=step-up-reason]")
    tab.submit("[data-testid=step-up]")
    assert "One-time code" in page.content()
    at_provider(tab, "sam-pw", otp="246810")
    assert page.url == f"{oidc_writ.url}/immigration/{case_id}"
    # What was typed before the step-up is back in the form, said so, and not yet sent.
    assert "kept while you signed in again" in page.inner_text("[data-testid=kept-form]")
    assert form.locator("textarea[name=reason]").input_value() == (
        "Fingerprint match confirmed against the A-file and the I-213 on file"
    )
    assert "sam" not in page.inner_text("[data-testid=overrides]")
    tab.submit("[data-testid=override-form] button")
    assert "sam" in page.inner_text("[data-testid=overrides]")
    assert RULE in page.inner_text("[data-testid=overrides]")

    # Signing out of writ signs out at the provider too: the next sign-in asks for the password.
    tab.submit("form[action='/sign-out'] button")
    assert "Sign out of Test ID?" in page.content()
    tab.submit("button[name=logout][value=yes]")
    assert page.url.startswith(f"{oidc_writ.url}/sign-in")
    assert "signed out of writ and of your agency account" in page.content()
    page.click("label[for=purpose-case-processing]")
    tab.submit("[data-testid=oidc-sign-in]")
    assert "/interaction/" in page.url
    assert page.locator("#password").count() == 1


def test_signing_out_at_the_provider_ends_the_writ_session(tab, oidc_writ):
    page = tab.page
    tab.goto("/sign-in")
    page.click("label[for=purpose-case-processing]")
    tab.submit("[data-testid=oidc-sign-in]")
    at_provider(tab, "sam-pw")
    assert page.url == f"{oidc_writ.url}/queues"

    # Somewhere else (another tab, another application) the person signs out at the provider.
    provider = tab.page.context.new_page()
    provider.goto(f"{oidc_writ.issuer}/session/end")
    assert "Sign out of Test ID?" in provider.content()
    with provider.expect_navigation():
        provider.click("button[name=logout][value=yes]")
    assert "You are signed out of Test ID" in provider.content()
    provider.close()

    # The provider told writ, server to server: the next page is the sign-in page, saying why.
    tab.goto("/queues")
    assert page.url.startswith(f"{oidc_writ.url}/sign-in")
    assert "signed out of your agency account, so your writ session has ended" in page.content()
    entries = audit_rows(oidc_writ.services)
    logout = [e for e in entries if e["action"] == "session.sign-out"][-1]
    assert logout["actor"] == "system:oidc" and logout["object_id"] == "sam"
    assert "back-channel" in str(logout["details"])
