"""Browser tests: writ served by `writ serve` on a free loopback port, driven by Playwright in
Debian's Chromium (/usr/bin/chromium, never a downloaded browser), with axe-core checking every
page the tests load against WCAG 2.1 AA.

Without Chromium the tests are skipped with a loud reason, except under CI=true, where they fail.
`make browser` installs Chromium with apt-get and the npm packages (USWDS, axe-core).
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

from writ.audit import keys
from writ.audit.ledger import Ledger
from writ.policy.engine import load_policy
from writ.service import Services
from writ.store.engine import Store

ROOT = Path(__file__).parents[2]
CHROMIUM = Path(os.environ.get("WRIT_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
USWDS = ROOT / "src" / "writ" / "web" / "static" / "uswds" / "css" / "uswds.min.css"
ON_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}


def _missing() -> str | None:
    for path, fix in (
        (CHROMIUM, "apt-get install chromium (make browser)"),
        (AXE, "npm ci (make browser)"),
        (USWDS, "npm ci && npm run build (make browser)"),
    ):
        if not path.exists():
            return f"{path} is missing: {fix}"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[dev]'"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problem = _missing()
    if problem is None:
        return
    if ON_CI:
        raise pytest.UsageError(f"CI=true but the browser tests cannot run: {problem}")
    skip = pytest.mark.skip(reason=f"BROWSER TESTS SKIPPED: {problem}")
    for item in items:
        if "browser" in item.nodeid.split("::")[0]:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    problem = _missing()
    if problem:
        terminalreporter.write_sep("!", f"BROWSER TESTS SKIPPED: {problem}", red=True, bold=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveWrit:
    """A running `writ serve` and the services over the same store, for setting up people."""

    def __init__(self, url: str, services: Services, home: Path) -> None:
        self.url = url
        self.services = services
        self.home = home


def wait_for_serve(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until ``writ serve`` at ``url`` answers its health check; fail with its log if it
    exits or takes over a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"writ serve did not start:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def live_writ(
    tmp_path_factory: pytest.TempPathFactory,
    _templates: dict[str, str],
    ledger_key: Path,
) -> Iterator[LiveWrit]:
    home = tmp_path_factory.mktemp("writ-home")
    shutil.copyfile(_templates["sqlite"], home / "writ.db")
    shutil.copyfile(ledger_key, home / "ledger.key")
    shutil.copyfile(ledger_key.with_suffix(".pub"), home / "ledger.pub")
    (home / "writ.toml").write_text(
        'ledger_key = "ledger.key"\nhead_interval_seconds = 0\ndemo = true\n'
    )
    port = _free_port()
    env = {**os.environ, "WRIT_HOME": str(home), "WRIT_PORT": str(port)}
    env.pop("WRIT_DATABASE_URL", None)
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "writ.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_serve(url, server, home / "server.log")
    store = Store(f"sqlite:///{home / 'writ.db'}")
    services = Services(
        store, load_policy(), Ledger(keys.load_signing_key(ledger_key), head_interval=0)
    )
    try:
        yield LiveWrit(url, services, home)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        store.dispose()
        log.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Visit:
    """A browser tab that runs axe-core on every page it loads, and fails on any violation."""

    def __init__(self, page, base_url: str) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.base_url = base_url
        self.loaded: list[str] = []
        self.checked: list[str] = []
        page.on("load", lambda: self.loaded.append(page.url))

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def submit(self, selector: str) -> None:
        """Click a button or link that loads a new page, then check that page."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.check()

    def check(self) -> None:
        """axe-core over the page as it is now: no WCAG 2.1 AA violation allowed."""
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert not problems, f"axe-core on {self.page.url}:\n" + "\n".join(problems)
        self.checked.append(self.page.url)

    def check_widths(self) -> None:
        """axe-core at desktop width, then at a phone's width with its menu closed and open."""
        page = self.page
        size = page.viewport_size or {"width": 1280, "height": 900}
        self.check()
        page.set_viewport_size(PHONE)
        try:
            self.check()
            menu = page.locator(".usa-menu-btn")
            scripted = page.evaluate("Boolean(window.uswdsPresent)")
            if scripted and menu.count() and menu.is_visible():
                menu.click()
                page.wait_for_selector(".usa-nav.is-visible")
                self.check()
                page.click(".usa-nav__close")
                page.wait_for_selector(".usa-nav.is-visible", state="detached")
        finally:
            page.set_viewport_size(size)

    def unchecked(self) -> list[str]:
        return [url for url in self.loaded if url not in self.checked]


@contextmanager
def visiting(chromium, base_url: str, scripts: bool = True) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    """A fresh browser context on ``base_url``; every page it loaded must have been checked.
    ``scripts=False`` loads none of the pages' scripts (USWDS's, writ's), as a browser that
    runs none: every form must still work. (axe-core itself still runs.)"""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    if not scripts:
        context.route("**/*.js", lambda route: route.abort())
    context.set_default_timeout(10_000)
    tab = Visit(context.new_page(), base_url)
    yield tab
    missed = tab.unchecked()
    context.close()
    assert not missed, f"pages loaded but not checked with axe-core: {missed}"


@pytest.fixture
def visit(chromium, live_writ: LiveWrit) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    with visiting(chromium, live_writ.url) as tab:
        yield tab
