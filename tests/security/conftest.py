"""The security tests' browser fixtures are the browser tests' own: `writ serve` on a free
loopback port and Debian's Chromium with axe-core (skipped loudly without them, failed on CI)."""

from browser.conftest import chromium, live_writ, visit  # noqa: F401
