"""Local sign-in for the embedded deployment: password, TOTP, lockout and server-side sessions.

- Passwords are argon2id hashes (``users.password_hash``); the second factor is a TOTP code
  (RFC 6238, ``users.totp_secret``). A local account without a second factor cannot sign in.
- Five failed sign-ins within 15 minutes lock the account until the oldest of them is 15 minutes
  old. An attempt is counted before its password is checked, under a lock on the user name, so
  attempts sent at once cannot slip past the limit; one still being checked counts as failed.
- A one-time code signs in once: the time step of the last code used is kept per user, and only
  a later step is accepted.
- A session is a random token held by the browser; the store keeps only its SHA-256. It ends
  after 30 minutes without a request or 12 hours after sign-in, whichever comes first. Every
  sign-in makes a new token, so a token planted before sign-in is worthless after it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from writ.model.actor import PURPOSES, Actor
from writ.model.resource import Resource
from writ.service.operation import NotFound, Services
from writ.service.step_up import LOCAL_TOTP_ACR
from writ.service.users import User
from writ.store.tables.core import users
from writ.store.tables.web import sign_in_attempts, sign_in_guards, web_sessions

MAX_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often, so that reading pages is not a write per request.
TOUCH_EVERY = timedelta(seconds=30)
TOTP_ISSUER = "writ"
# The cookie that carries the session token in a browser (HttpOnly, SameSite=Lax).
COOKIE_NAME = "writ_session"

_hasher = PasswordHasher()


@cache
def _fake_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


class SignInRefused(Exception):
    """The sign-in did not succeed; ``reason`` is what the audit entry records."""

    def __init__(self, reason: str, message: str, locked_until: datetime | None = None):
        super().__init__(message)
        self.reason = reason
        self.locked_until = locked_until


class SessionEnded(Exception):
    """The session token is unknown, signed out, idle too long or past its 12 hours."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class CsrfRejected(Exception):
    """A change sent with the session cookie but without the session's CSRF token."""


@dataclass(frozen=True)
class SignedIn:
    """A live session: who is acting, for what purpose, and the CSRF token of its forms.

    ``flash`` is the stored text of the messages waiting for the next page (see ``take_flash``).
    """

    token: str
    csrf: str
    actor: Actor
    display_name: str
    created_at: datetime
    expires_at: datetime
    flash: str | None = None


FLASH_KINDS = frozenset({"success", "info", "warning", "error"})
# A message is one sentence or two that writ wrote; a page shows at most a few of them.
FLASH_MAX_TEXT = 1000
FLASH_MAX_MESSAGES = 5


@dataclass(frozen=True)
class Flash:
    """A one-time message for the next page of a session ("Case 2026-0001 opened")."""

    kind: str
    text: str


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


def _guard(session: Session, dialect: str, username: str) -> None:
    """Take the lock on ``username``'s guard row (made on its first attempt) until commit."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(sign_in_guards).values(username=username).on_conflict_do_nothing())
    session.execute(
        select(sign_in_guards.c.username)
        .where(sign_in_guards.c.username == username)
        .with_for_update()
    )


def _counted(session: Session, username: str, now: datetime) -> list[datetime]:
    """Attempts that count against ``username`` now: failed or still being checked, in the last
    15 minutes and since its last successful sign-in, oldest first."""
    mine = sign_in_attempts.c.username == username
    last_ok = session.execute(
        select(func.max(sign_in_attempts.c.started_at)).where(
            mine, sign_in_attempts.c.outcome == "ok"
        )
    ).scalar()
    start = max(_stamp(now - LOCKOUT_WINDOW), last_ok or "")
    stamps = session.execute(
        select(sign_in_attempts.c.started_at)
        .where(mine, sign_in_attempts.c.started_at > start)
        .where(or_(sign_in_attempts.c.outcome.is_(None), sign_in_attempts.c.outcome == "failed"))
        .order_by(sign_in_attempts.c.started_at)
    ).scalars()
    return [_parse(s) for s in stamps]


def _until(counted: list[datetime]) -> datetime | None:
    if len(counted) < MAX_FAILURES:
        return None
    return counted[-MAX_FAILURES] + LOCKOUT_WINDOW


def locked_until(svc: Services, username: str, now: datetime | None = None) -> datetime | None:
    """When the account unlocks, if it is locked now."""
    with svc.store.transaction() as session:
        return _until(_counted(session, username, now or _now()))


def _start_attempt(svc: Services, username: str, now: datetime) -> int | datetime:
    """Count an attempt before anything is checked: its id, or when the account unlocks.

    Counting and the lock check are one step under the guard row's lock, so of many attempts at
    once exactly ``MAX_FAILURES`` get through to the password check; the rest find the account
    locked. An attempt being checked counts as a failure until it has succeeded.
    """
    with svc.store.transaction() as session:
        _guard(session, svc.store.dialect, username)
        session.execute(
            delete(sign_in_attempts).where(
                sign_in_attempts.c.username == username,
                sign_in_attempts.c.started_at < _stamp(now - LOCKOUT_WINDOW),
            )
        )
        until = _until(_counted(session, username, now))
        if until is not None:
            return until
        created = session.execute(
            sign_in_attempts.insert()
            .values(username=username, started_at=_stamp(now))
            .returning(sign_in_attempts.c.id)
        )
        return int(created.scalar_one())


def _end_attempt(svc: Services, attempt_id: int, outcome: str) -> None:
    with svc.store.transaction() as session:
        session.execute(
            update(sign_in_attempts)
            .where(sign_in_attempts.c.id == attempt_id)
            .values(outcome=outcome)
        )


def _code_step(secret: str, code: str, now: datetime) -> int | None:
    """The RFC 6238 time step ``code`` belongs to, within one step of clock drift, or None."""
    totp = pyotp.TOTP(secret)
    here = totp.timecode(now)
    for step in (here, here - 1, here + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_code(svc: Services, username: str, step: int, attempt_id: int) -> bool:
    """Record ``step`` as used and the attempt as a success, if no code of that step or a later
    one has signed in before: a compare-and-set, so of two sign-ins with one code, one wins."""
    with svc.store.transaction() as session:
        used = session.execute(
            update(sign_in_guards)
            .where(sign_in_guards.c.username == username)
            .where(
                or_(
                    sign_in_guards.c.last_totp_step.is_(None),
                    sign_in_guards.c.last_totp_step < step,
                )
            )
            .values(last_totp_step=step)
        )
        if not used.rowcount:  # type: ignore[attr-defined]
            return False
        session.execute(
            update(sign_in_attempts).where(sign_in_attempts.c.id == attempt_id).values(outcome="ok")
        )
        return True


def _refuse(
    svc: Services,
    attempt: Actor,
    outcome: str,
    reason: str,
    message: str,
    until: datetime | None = None,
) -> SignInRefused:
    svc.record(
        attempt,
        "session.sign-in",
        Resource("session", attempt.user),
        outcome,
        "authentication",
        {"reason": reason},
    )
    return SignInRefused(reason, message, until)


WRONG = (
    "User name, password or one-time code is wrong. A one-time code works once: "
    "if you have just used it, wait for the next one."
)


def sign_in(
    svc: Services,
    username: str,
    password: str,
    code: str,
    purpose: str,
    *,
    origin: str = "web",
    now: datetime | None = None,
) -> SignedIn:
    """Count the attempt, check password and one-time code, audit it, and open a new session."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose: {purpose!r} is not one of {sorted(PURPOSES)}")
    now = now or _now()
    attempt = Actor(username, frozenset(), "", purpose=purpose, origin=origin)
    started = _start_attempt(svc, username, now)
    if isinstance(started, datetime):
        raise _refuse(
            svc,
            attempt,
            "denied",
            "locked",
            f"This account is locked after {MAX_FAILURES} failed sign-ins in 15 minutes. "
            f"Try again after {started:%H:%M} UTC, or ask an administrator.",
            until=started,
        )
    try:
        return _check(svc, attempt, started, password, code, now)
    except BaseException:
        _end_attempt(svc, started, "failed")  # a success has set its outcome already
        raise


def _check(
    svc: Services, attempt: Actor, attempt_id: int, password: str, code: str, now: datetime
) -> SignedIn:
    username = attempt.user
    with svc.store.engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).first()
    stored = row._mapping["password_hash"] if row is not None else None
    try:
        # Hash even for an unknown user, so the answer takes as long either way.
        password_ok = _hasher.verify(stored or _fake_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        password_ok = False
    if row is None or not password_ok or not row._mapping["active"]:
        raise _refuse(svc, attempt, "failed", "bad user name or password", WRONG)
    secret = row._mapping["totp_secret"]
    if not secret:
        raise _refuse(
            svc,
            attempt,
            "failed",
            "no second factor enrolled",
            "This account has no second factor. Ask an administrator to enrol one.",
        )
    step = _code_step(secret, code.strip().replace(" ", ""), now)
    if step is None:
        raise _refuse(svc, attempt, "failed", "bad one-time code", WRONG)
    if not _use_code(svc, username, step, attempt_id):
        raise _refuse(svc, attempt, "failed", "one-time code already used", WRONG)
    return open_session(
        svc,
        _user(row),
        attempt.purpose or "",
        attempt.origin,
        LOCAL_TOTP_ACR,
        {"factors": ["password", "totp"]},
        now=now,
    )


def open_session(
    svc: Services,
    user: User,
    purpose: str,
    origin: str,
    acr: str,
    details: dict[str, object],
    *,
    auth_time: datetime | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """A new session (new token, new CSRF token) for a person whose sign-in has been checked.

    Local sign-in and OIDC both end here, so both get the same session and the same audit entry.
    """
    now = now or _now()
    actor = user.actor(purpose, origin)
    actor = Actor(actor.user, actor.roles, actor.unit, actor.compartments, purpose, origin, acr=acr)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with svc.store.transaction() as session:
        session.execute(
            web_sessions.insert().values(
                id=_token_id(token),
                username=user.username,
                purpose=purpose,
                origin=origin,
                acr=acr,
                csrf=csrf,
                created_at=_stamp(now),
                auth_time=_stamp(auth_time or now),
                last_seen_at=_stamp(now),
            )
        )
    svc.record(
        actor,
        "session.sign-in",
        Resource("session", user.username),
        "ok",
        "authentication",
        {"acr": acr, **details},
    )
    return SignedIn(token, csrf, actor, user.display_name, now, now + ABSOLUTE_TIMEOUT)


def current(svc: Services, token: str, *, now: datetime | None = None) -> SignedIn:
    """The live session for ``token``; ends it (audited) when it has timed out."""
    now = now or _now()
    with svc.store.engine.connect() as connection:
        found = connection.execute(
            select(web_sessions).where(web_sessions.c.id == _token_id(token))
        ).first()
        if found is None:
            raise SessionEnded("unknown", "You are not signed in.")
        row = found._mapping
        user_row = connection.execute(
            select(users).where(users.c.username == row["username"])
        ).first()
    if row["ended_at"]:
        raise SessionEnded(row["end_reason"] or "ended", "Your session has ended. Sign in again.")
    created, seen = _parse(row["created_at"]), _parse(row["last_seen_at"])
    reason = ""
    if user_row is None or not user_row._mapping["active"]:
        reason = "account disabled"
    elif now - created > ABSOLUTE_TIMEOUT:
        reason = "absolute timeout"
    elif now - seen > IDLE_TIMEOUT:
        reason = "idle timeout"
    user = _user(user_row) if user_row is not None else None
    if reason or user is None:
        _end(svc, row["id"], reason, now)
        svc.record(
            Actor(row["username"], frozenset(), "", purpose=row["purpose"], origin=row["origin"]),
            "session.expired",
            Resource("session", row["username"]),
            "ok",
            "authentication",
            {"reason": reason},
        )
        raise SessionEnded(reason, f"Your session ended ({reason}). Sign in again.")
    if now - seen > TOUCH_EVERY:
        with svc.store.transaction() as session:
            session.execute(
                update(web_sessions)
                .where(web_sessions.c.id == row["id"])
                .values(last_seen_at=_stamp(now))
            )
    actor = user.actor(row["purpose"], row["origin"])
    actor = Actor(
        actor.user,
        actor.roles,
        actor.unit,
        actor.compartments,
        actor.purpose,
        actor.origin,
        acr=row["acr"],
    )
    return SignedIn(
        token,
        row["csrf"],
        actor,
        user.display_name,
        created,
        created + ABSOLUTE_TIMEOUT,
        flash=row["flash"],
    )


def add_flash(svc: Services, signed_in: SignedIn, text: str, kind: str = "success") -> None:
    """Keep a message in the session for its next page, which shows it once.

    The message stays on the server, in the session's row: nothing in the address or a cookie
    carries it, so no one can put words in writ's banners with a link.
    """
    if kind not in FLASH_KINDS:
        raise ValueError(f"flash kind {kind!r} is not one of {sorted(FLASH_KINDS)}")
    message = {"kind": kind, "text": text[:FLASH_MAX_TEXT]}
    session_id = _token_id(signed_in.token)
    with svc.store.transaction() as session:
        found = session.execute(
            select(web_sessions.c.flash).where(web_sessions.c.id == session_id).with_for_update()
        ).first()
        if found is None:
            return
        waiting = json.loads(found.flash) if found.flash else []
        waiting = [*waiting, message][-FLASH_MAX_MESSAGES:]
        session.execute(
            update(web_sessions)
            .where(web_sessions.c.id == session_id)
            .values(flash=json.dumps(waiting, ensure_ascii=False))
        )


def take_flash(svc: Services, signed_in: SignedIn) -> list[Flash]:
    """The messages waiting for this page, taken so that no other page shows them again.

    Taking is a compare-and-set on the text read with the session: of two pages loaded at once,
    one shows the messages and the other nothing.
    """
    if not signed_in.flash:
        return []
    with svc.store.transaction() as session:
        taken = session.execute(
            update(web_sessions)
            .where(
                web_sessions.c.id == _token_id(signed_in.token),
                web_sessions.c.flash == signed_in.flash,
            )
            .values(flash=None)
        )
    if not taken.rowcount:  # type: ignore[attr-defined]
        return []
    return [Flash(m["kind"], m["text"]) for m in json.loads(signed_in.flash)]


def end_session(svc: Services, token: str, reason: str) -> None:
    """End the session of ``token`` without a sign-out entry (it was replaced by a new one)."""
    _end(svc, _token_id(token), reason, _now())


def end_user_sessions(svc: Services, username: str, reason: str) -> int:
    """End every open session of ``username`` now (the caller audits why); return how many."""
    with svc.store.transaction() as session:
        ended = session.execute(
            update(web_sessions)
            .where(web_sessions.c.username == username, web_sessions.c.ended_at.is_(None))
            .values(ended_at=_stamp(_now()), end_reason=reason)
        )
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]


def _end(svc: Services, session_id: str, reason: str, now: datetime) -> None:
    with svc.store.transaction() as session:
        session.execute(
            update(web_sessions)
            .where(web_sessions.c.id == session_id, web_sessions.c.ended_at.is_(None))
            .values(ended_at=_stamp(now), end_reason=reason)
        )


def sign_out(svc: Services, token: str) -> None:
    """End the session now (audited). Unknown or ended tokens are ignored."""
    try:
        signed_in = current(svc, token)
    except SessionEnded:
        return
    _end(svc, _token_id(token), "signed out", _now())
    svc.record(
        signed_in.actor,
        "session.sign-out",
        Resource("session", signed_in.actor.user),
        "ok",
        "authentication",
    )


def csrf_ok(signed_in: SignedIn, submitted: str | None) -> bool:
    """Whether a form carried this session's CSRF token."""
    return bool(submitted) and hmac.compare_digest(signed_in.csrf, submitted or "")


def enrol_totp(svc: Services, actor: Actor, username: str) -> str:
    """Give ``username`` a new TOTP secret (administrators); return it to show once."""
    secret = pyotp.random_base32()
    with svc.operation(actor, "update", Resource("user", username), audit_action="user.totp") as op:
        found = op.session.execute(
            select(users.c.username).where(users.c.username == username)
        ).first()
        if found is None:
            raise NotFound(f"no user {username}")
        op.session.execute(
            update(users).where(users.c.username == username).values(totp_secret=secret)
        )
        op.details["second_factor"] = "totp enrolled"
    return secret


def set_totp_secret(svc: Services, actor: Actor, username: str, secret: str) -> None:
    """Give ``username`` a known TOTP secret (the demo's published accounts)."""
    pyotp.TOTP(secret).now()  # refuses a secret that is not base32
    with svc.operation(actor, "update", Resource("user", username), audit_action="user.totp") as op:
        op.session.execute(
            update(users).where(users.c.username == username).values(totp_secret=secret)
        )
        op.details["second_factor"] = "totp set"


def demo_secret(username: str) -> str:
    """The published TOTP secret of a demo account: derived from its name, guarding nothing."""
    digest = hashlib.sha256(f"writ-demo-totp:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: frozenset[str]
    code: str


def demo_accounts(svc: Services) -> list[DemoAccount]:
    """Accounts whose second factor is the published demo secret, with their code for now.

    Only a demo store has them; the sign-in page of a demo lists them so a visitor can sign in.
    """
    with svc.store.engine.connect() as connection:
        rows = connection.execute(
            select(users, sign_in_guards.c.last_totp_step)
            .outerjoin(sign_in_guards, sign_in_guards.c.username == users.c.username)
            .where(users.c.totp_secret.is_not(None))
            .order_by(users.c.username)
        ).all()
    return [
        DemoAccount(
            r.username,
            r.display_name,
            frozenset(r.roles),
            _unused_code(r.totp_secret, r.last_totp_step),
        )
        for r in rows
        if r.totp_secret == demo_secret(r.username)
    ]


def _unused_code(secret: str, used: int | None, now: datetime | None = None) -> str:
    """The code a demo visitor can sign in with now: a code works once, so once this step's
    has been used, the next step's (accepted as clock drift) is shown."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now or _now())
    return totp.generate_otp(step + 1 if used is not None and used >= step else step)


def provisioning_uri(username: str, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def current_code(secret: str, now: datetime | None = None) -> str:
    """The one-time code for ``secret`` now (for the demo's printed users and tests)."""
    return pyotp.TOTP(secret).at(now or _now())
