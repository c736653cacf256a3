"""People for the API, web and browser tests: accounts with a password and a TOTP secret.

No tests here: the helpers the other test_web*, test_api* and browser tests share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from sqlalchemy import update

from writ.model.actor import system_actor
from writ.service import Services, auth
from writ.service import users as user_service
from writ.store.tables.core import users

# argon2id with small parameters: the sign-in code reads them from the hash, so tests verify
# real argon2id hashes without spending a second of both cores on each one.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

INSTALLER = system_actor("test-setup", purpose="administration", roles=frozenset({"admin"}))


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    secret: str

    def code(self) -> str:
        return auth.current_code(self.secret)


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
    return Account(username, password, auth.enrol_totp(svc, INSTALLER, username))


@cache
def _hash(password: str) -> str:
    return _test_hasher.hash(password)
