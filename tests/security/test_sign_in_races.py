"""The lockout and the one-time code hold under simultaneous attempts, on both stores (issue 13,
finding 4 and finding 7's TOTP reuse).

The tester fired 30 wrong passwords at once: 29 were checked against a limit of 5, and a correct
password in the burst signed in after 15 failures, because the lock was read before the slow
hash and the failure written after it. Here every attempt runs in its own thread, through the
real service and store; the password hasher only counts the hashes it is asked to check.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from helpers import audit_rows
from test_web_accounts import add_account
from writ.service import auth
from writ.service.auth import SignInRefused

BURST = 30


class CountingHasher(PasswordHasher):
    """argon2id as writ uses it, counting every password checked (and who waits on that)."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = 0
        self.changed = threading.Condition()

    def verify(self, hash, password):  # type: ignore[no-untyped-def]
        with self.changed:
            self.checked += 1
            self.changed.notify_all()
        return super().verify(hash, password)

    def wait_for(self, count: int, timeout: float = 20) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.checked >= count, timeout)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(auth, "_hasher", counting)
    return counting


def _attempt(services, password: str, code: str) -> str:
    """One sign-in: "ok", or the reason it was refused."""
    try:
        auth.sign_in(services, "ana", password, code, "investigation", origin="web:burst")
    except SignInRefused as refused:
        return refused.reason
    return "ok"


def _burst(services, jobs) -> list[str]:
    start = threading.Barrier(len(jobs))

    def run(job):  # type: ignore[no-untyped-def]
        start.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_thirty_simultaneous_wrong_passwords_check_at_most_the_limit(services, hasher):
    ana = add_account(services, "ana", {"officer"})
    code = ana.code()
    outcomes = _burst(services, [lambda: _attempt(services, "wrong", code)] * BURST)
    assert hasher.checked <= auth.MAX_FAILURES, f"{hasher.checked} passwords checked"
    assert outcomes.count("bad user name or password") == hasher.checked
    assert outcomes.count("locked") == BURST - hasher.checked
    assert _attempt(services, ana.password, ana.code()) == "locked"
    reasons = [r["details"] for r in audit_rows(services) if r["action"] == "session.sign-in"]
    assert len(reasons) == BURST + 1  # every attempt is in the audit log


def test_a_correct_password_in_the_burst_is_refused_once_locked(services, hasher):
    ana = add_account(services, "ana", {"officer"})
    code = ana.code()
    results: list[str] = []

    def correct_after_the_limit() -> str:
        # Sent while the burst is still running, once the limit's worth of attempts are in.
        assert hasher.wait_for(auth.MAX_FAILURES)
        return _attempt(services, ana.password, code)

    def burst() -> None:
        results.extend(_burst(services, [lambda: _attempt(services, "wrong", code)] * BURST))

    runner = threading.Thread(target=burst)
    runner.start()
    outcome = correct_after_the_limit()
    runner.join()
    assert outcome == "locked"
    assert hasher.checked <= auth.MAX_FAILURES
    assert results.count("locked") >= BURST - auth.MAX_FAILURES


def test_a_one_time_code_signs_in_once(services):
    ana = add_account(services, "ana", {"officer"})
    now = datetime.now(UTC)
    code = auth.current_code(ana.secret, now)
    auth.sign_in(services, "ana", ana.password, code, "investigation", now=now)
    with pytest.raises(SignInRefused, match="wrong") as again:
        auth.sign_in(
            services, "ana", ana.password, code, "investigation", now=now + timedelta(seconds=5)
        )
    assert again.value.reason == "one-time code already used"
    later = now + timedelta(seconds=31)
    auth.sign_in(
        services,
        "ana",
        ana.password,
        auth.current_code(ana.secret, later),
        "investigation",
        now=later,
    )


def test_an_older_code_is_refused_after_a_newer_one_was_used(services):
    ana = add_account(services, "ana", {"officer"})
    now = datetime.now(UTC)
    newer = auth.current_code(ana.secret, now + timedelta(seconds=30))  # the clock drift allowed
    auth.sign_in(services, "ana", ana.password, newer, "investigation", now=now)
    older = auth.current_code(ana.secret, now)
    with pytest.raises(SignInRefused) as refused:
        auth.sign_in(services, "ana", ana.password, older, "investigation", now=now)
    assert refused.value.reason == "one-time code already used"


def test_one_code_sent_twice_at_once_signs_in_once(services):
    ana = add_account(services, "ana", {"officer"})
    code = ana.code()
    outcomes = _burst(services, [lambda: _attempt(services, ana.password, code)] * 2)
    assert sorted(outcomes) == ["ok", "one-time code already used"]


def test_the_demo_sign_in_page_lists_a_code_not_used_yet(services):
    import re

    from fastapi.testclient import TestClient

    from security.web import sign_in_form_token
    from test_web_accounts import INSTALLER
    from writ.api.app import create_app

    add_account(services, "officer", {"officer"})
    auth.set_totp_secret(services, INSTALLER, "officer", auth.demo_secret("officer"))
    with TestClient(create_app(services, demo=True), follow_redirects=False) as client:
        for _ in range(2):  # sign in, sign out, sign in again at once: two different codes
            page = client.get("/sign-in").text
            code = re.search(r"<th scope=\"row\">officer<br>.*?<code>(\d{6})</code>", page, re.S)
            assert code is not None
            signed = client.post(
                "/sign-in",
                data={
                    "username": "officer",
                    "password": "officer-correct-horse",
                    "code": code.group(1),
                    "purpose": "investigation",
                    "next": "/",
                    "form_token": sign_in_form_token(client),
                },
            )
            assert signed.status_code == 303, signed.text
            client.cookies.clear()
