"""People for the API, web and browser tests: accounts with a password and a TOTP secret.

No tests here: the helpers the other test_web*, test_api* and browser tests share.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import select, update

from writ.model.actor import system_actor
from writ.service import Services, auth
from writ.service import users as user_service
from writ.store.tables.core import users
from writ.store.tables.web import sign_in_guards

# argon2id with small parameters: the sign-in code reads them from the hash, so tests verify
# real argon2id hashes without spending a second of both cores on each one.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

INSTALLER = system_actor("test-setup", purpose="administration", roles=frozenset({"admin"}))


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    secret: str
    services: Services | None = field(default=None, compare=False, repr=False)

    def code(self) -> str:
        """A one-time code the account has not signed in with yet.

        A code signs in once (writ keeps the last time step used), so a test that signs the
        same person in again within 30 seconds gets the next step's code, which writ accepts as
        clock drift; a third time waits for the next step.
        """
        if self.services is None:
            return auth.current_code(self.secret)
        with self.services.store.engine.connect() as connection:
            used = connection.execute(
                select(sign_in_guards.c.last_totp_step).where(
                    sign_in_guards.c.username == self.username
                )
            ).scalar()
        totp = pyotp.TOTP(self.secret)
        while True:
            now = datetime.now(UTC)
            step = totp.timecode(now)
            if used is None or used < step:
                return totp.generate_otp(step)
            if used == step:
                return totp.generate_otp(step + 1)
            time.sleep(totp.interval - now.timestamp() % totp.interval + 0.05)


def add_account(
    svc: Services,
    username: str,
    roles: set[str],
    unit: str = "ERO-NYC",
    name: str | None = None,
) -> Account:
    password = f"{username}-correct-horse"
    user_service.add_user(svc, INSTALLER, username, roles=roles, unit=unit, display_name=name)
    with svc.store.transaction() as session:
        session.execute(
            update(users).where(users.c.username == username).values(password_hash=_hash(password))
        )
    return Account(username, password, auth.enrol_totp(svc, INSTALLER, username), svc)


@cache
def _hash(password: str) -> str:
    return _test_hasher.hash(password)
