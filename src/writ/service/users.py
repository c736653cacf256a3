"""Users and sign-in. Passwords are hashed with argon2id."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select

from writ.audit.ledger import utcnow
from writ.model.actor import PURPOSES, ROLES, Actor
from writ.model.resource import Resource
from writ.service.operation import Services
from writ.store.tables.core import users

_hasher = PasswordHasher()


class SignInFailed(Exception):
    """Wrong user name or password. The message never says which."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    roles: frozenset[str]
    unit: str
    compartments: frozenset[str]
    active: bool

    def actor(self, purpose: str | None = None, origin: str = "local") -> Actor:
        return Actor(
            self.username,
            self.roles,
            self.unit,
            self.compartments,
            purpose=purpose,
            origin=origin,
        )


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(
        m["username"],
        m["display_name"],
        frozenset(m["roles"]),
        m["unit"],
        frozenset(m["compartments"]),
        bool(m["active"]),
    )


def add_user(
    svc: Services,
    actor: Actor,
    username: str,
    *,
    roles: set[str] | frozenset[str],
    unit: str,
    display_name: str | None = None,
    compartments: set[str] | frozenset[str] = frozenset(),
    password: str | None = None,
) -> User:
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(
            f"user {username}: unknown role(s) {sorted(unknown)}; known: {sorted(ROLES)}"
        )
    if not roles:
        raise ValueError(f"user {username}: at least one role is needed")
    with svc.operation(actor, "create", Resource("user", username)) as op:
        if op.session.execute(select(users.c.username).where(users.c.username == username)).first():
            raise ValueError(f"user {username} already exists")
        op.session.execute(
            insert(users).values(
                username=username,
                display_name=display_name or username,
                roles=sorted(roles),
                unit=unit,
                compartments=sorted(compartments),
                password_hash=_hasher.hash(password) if password else None,
                active=True,
                created_at=utcnow(),
            )
        )
        op.details.update(roles=sorted(roles), unit=unit, compartments=sorted(compartments))
    return User(
        username, display_name or username, frozenset(roles), unit, frozenset(compartments), True
    )


def list_users(svc: Services, actor: Actor) -> list[User]:
    with svc.operation(actor, "read", Resource("user", "*")) as op:
        rows = op.session.execute(select(users).order_by(users.c.username)).all()
        op.details["count"] = len(rows)
        return [_user(r) for r in rows]


def sign_in(
    svc: Services, username: str, password: str, purpose: str, origin: str = "local"
) -> Actor:
    """Check the password; audit the sign-in or the failed sign-in; return the acting identity."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose of use {purpose!r} is not one of {sorted(PURPOSES)}")
    with svc.store.transaction() as session:
        row = session.execute(select(users).where(users.c.username == username)).first()
    stored = row._mapping["password_hash"] if row else None
    ok = False
    if row is not None and stored and row._mapping["active"]:
        try:
            ok = _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            ok = False
    attempt = Actor(username, frozenset(), "", purpose=purpose, origin=origin)
    if not ok:
        svc.record(
            attempt,
            "session.sign-in",
            Resource("session", username),
            "failed",
            "authentication",
            {"reason": "bad user name or password"},
        )
        raise SignInFailed("user name or password is wrong")
    user = _user(row)
    actor = user.actor(purpose, origin)
    svc.record(actor, "session.sign-in", Resource("session", username), "ok", "authentication")
    return actor
