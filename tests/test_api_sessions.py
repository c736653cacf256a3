"""Local sign-in rules: lockout after 5 failures in 15 minutes, idle and absolute timeouts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpers import audit_rows
from test_web_accounts import add_account
from writ.service import auth
from writ.service.auth import SessionEnded, SignInRefused


def test_five_failures_in_15_minutes_lock_the_account(services):
    ana = add_account(services, "ana", {"officer"})
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(SignInRefused):
            auth.sign_in(services, "ana", "wrong password", ana.code(), "investigation")
    with pytest.raises(SignInRefused, match="locked") as refused:
        auth.sign_in(services, "ana", ana.password, ana.code(), "investigation")
    assert refused.value.locked_until is not None
    last = audit_rows(services)[-1]
    assert (last["outcome"], last["details"]) == ("denied", '{"reason": "locked"}')
    later = datetime.now(UTC) + timedelta(minutes=16)
    code = auth.current_code(ana.secret, later)
    assert auth.sign_in(services, "ana", ana.password, code, "investigation", now=later)


def test_a_good_sign_in_clears_earlier_failures(services):
    ana = add_account(services, "ana", {"officer"})
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(SignInRefused):
            auth.sign_in(services, "ana", "wrong password", ana.code(), "investigation")
    auth.sign_in(services, "ana", ana.password, ana.code(), "investigation")
    with pytest.raises(SignInRefused, match="wrong"):
        auth.sign_in(services, "ana", "wrong password", ana.code(), "investigation")
    assert auth.locked_until(services, "ana") is None


def test_an_account_without_a_second_factor_cannot_sign_in(services):
    from test_web_accounts import INSTALLER
    from writ.service import users as user_service

    user_service.add_user(
        services, INSTALLER, "bo", roles={"officer"}, unit="X", password="bo-correct-horse"
    )
    with pytest.raises(SignInRefused, match="no second factor"):
        auth.sign_in(services, "bo", "bo-correct-horse", "123456", "investigation")


def test_a_session_ends_after_30_idle_minutes(services):
    ana = add_account(services, "ana", {"officer"})
    session = auth.sign_in(services, "ana", ana.password, ana.code(), "investigation")
    start = session.created_at
    assert auth.current(services, session.token, now=start + timedelta(minutes=29)).actor
    with pytest.raises(SessionEnded, match="idle"):
        auth.current(services, session.token, now=start + timedelta(minutes=60))
    with pytest.raises(SessionEnded):
        auth.current(services, session.token)
    assert audit_rows(services)[-1]["action"] == "session.expired"


def test_a_session_ends_after_12_hours_however_busy(services):
    ana = add_account(services, "ana", {"officer"})
    session = auth.sign_in(services, "ana", ana.password, ana.code(), "investigation")
    moment = session.created_at
    while moment < session.created_at + auth.ABSOLUTE_TIMEOUT - timedelta(minutes=25):
        moment += timedelta(minutes=25)
        auth.current(services, session.token, now=moment)
    with pytest.raises(SessionEnded, match="absolute"):
        auth.current(services, session.token, now=moment + timedelta(minutes=25))


def test_the_store_keeps_no_usable_token(services):
    ana = add_account(services, "ana", {"officer"})
    session = auth.sign_in(services, "ana", ana.password, ana.code(), "investigation")
    with services.store.engine.connect() as connection:
        from sqlalchemy import text

        stored = connection.execute(text("select id from web_sessions")).scalars().all()
    assert session.token not in stored and len(stored) == 1
