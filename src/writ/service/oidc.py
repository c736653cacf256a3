"""Signing in through the agency's OpenID provider (an OIDC relying party, with Authlib).

The flow is the authorisation code flow with PKCE (S256), found by discovery
(``<issuer>/.well-known/openid-configuration``):

1. :func:`begin` makes a ``state``, a ``nonce`` and a PKCE verifier, keeps them server-side
   (``oidc_requests``, keyed by the state's hash and bound to a random browser cookie) with the
   purpose of use the person chose, and returns the provider's authorisation address.
2. :func:`complete` takes the provider's answer: the request is looked up by its state, checked
   against the browser cookie and used once; the code is exchanged with the verifier; the ID
   token's signature is checked against the provider's JWKS and its ``iss``, ``aud``, ``exp``,
   ``iat`` and ``nonce`` are checked. The person is matched by (issuer, subject), or provisioned;
   their roles and unit come from the group claim (no mapped group, no role: refused). A session
   is opened exactly as for a local sign-in, and the sign-in is audited.

A step-up (see ``writ.service.step_up``) is the same flow with ``acr_values``, ``prompt=login``
and ``max_age=0``, for the person already signed in; the answer must carry a step-up ``acr``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete, insert, select, update

from writ.audit.ledger import utcnow
from writ.model.actor import PURPOSES, Actor, system_actor
from writ.model.resource import Resource
from writ.service import auth
from writ.service.auth import SignedIn, SignInRefused
from writ.service.operation import Services
from writ.service.settings import OidcSettings
from writ.service.users import User
from writ.store.tables.core import users
from writ.store.tables.oidc import oidc_identities, oidc_requests

# How long a person has to finish signing in at the provider.
REQUEST_LIFETIME = timedelta(minutes=10)
HTTP_TIMEOUT = 10.0
# Clocks of writ and the provider may differ by this much.
CLOCK_LEEWAY = timedelta(seconds=60)
# Users made from a provider's claims are created and updated by this named system actor.
CLAIMS_REQUEST = json.dumps({"id_token": {"acr": None, "auth_time": None}}, separators=(",", ":"))
# Refusals that are decisions about access (audited "denied"), not failures to authenticate.
DENIALS = frozenset({"no role", "unit", "account disabled"})
PROVISIONER = system_actor("oidc", purpose="administration", roles=frozenset({"admin"}))


@dataclass(frozen=True)
class Begun:
    """Where to send the browser, and the cookie value that binds the answer to this browser."""

    url: str
    browser: str


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def discover(config: OidcSettings) -> dict[str, Any]:
    """The provider's metadata; its ``issuer`` must be exactly the configured one."""
    address = f"{config.issuer}/.well-known/openid-configuration"
    try:
        response = httpx.get(address, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        metadata: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignInRefused(
            "provider unreachable", f"The sign-in provider could not be reached ({address})."
        ) from exc
    if metadata.get("issuer") != config.issuer:
        raise SignInRefused(
            "issuer mismatch",
            f"The provider at {address} calls itself {metadata.get('issuer')!r}, "
            f"not {config.issuer!r}.",
        )
    return metadata


def end_session_url(config: OidcSettings) -> str | None:
    """Where to send the browser so the person is signed out at the provider too (OpenID
    Connect RP-Initiated Logout 1.0), or None if the provider has no ``end_session_endpoint``.

    Without it, signing out of writ would leave the provider's own session open, and the next
    person at a shared computer would be signed in as this one with a click. Raises
    ``SignInRefused`` when the provider cannot be reached."""
    endpoint = discover(config).get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode(
        {"client_id": config.client_id, "post_logout_redirect_uri": config.signed_out_uri}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


BACK_CHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_AGE = timedelta(minutes=5)
PROVIDER_SIGN_OUT = "signed out at the provider"


class LogoutRefused(ValueError):
    """A back-channel logout token that is not a valid one of this provider for this client."""


def back_channel_logout(svc: Services, config: OidcSettings, logout_token: str) -> int:
    """OpenID Connect Back-Channel Logout 1.0: the provider says a person's session there has
    ended (they signed out there, or their account was stopped): end their writ sessions too.

    The token must be signed with a key of the provider's JWKS and carry ``iss`` (this issuer),
    ``aud`` (this client), a recent ``iat``, ``jti``, the back-channel logout event, ``sub`` and
    no ``nonce``. writ keeps no provider session ids, so it ends every session of the person
    (a token with ``sid`` but no ``sub`` is refused). Returns how many sessions ended; audited
    as ``session.sign-out`` by ``system:oidc``. Raises ``LogoutRefused`` for a bad token and
    ``SignInRefused`` when the provider cannot be reached to read its keys."""
    metadata = discover(config)
    try:
        decoded = _signed_by_provider(metadata, logout_token)
    except httpx.HTTPError as exc:
        raise SignInRefused(
            "provider unreachable", f"The provider's keys could not be read: {exc}"
        ) from exc
    except (JoseError, ValueError) as exc:
        raise LogoutRefused(f"the logout token was refused: {exc}") from exc
    claims = decoded.claims
    subject = _check_logout_claims(config, claims)
    with svc.store.engine.connect() as connection:
        username = connection.execute(
            select(oidc_identities.c.username).where(
                oidc_identities.c.issuer == config.issuer, oidc_identities.c.subject == subject
            )
        ).scalar_one_or_none()
    if username is None:
        return 0  # nobody here signed in as that person: nothing to end
    ended = auth.end_user_sessions(svc, username, PROVIDER_SIGN_OUT)
    svc.record(
        PROVISIONER,
        "session.sign-out",
        Resource("session", username),
        "ok",
        "authentication",
        {
            "method": "oidc back-channel logout",
            "issuer": config.issuer,
            "subject": subject,
            "sessions": ended,
        },
    )
    return ended


def _check_logout_claims(config: OidcSettings, claims: dict[str, Any]) -> str:
    """The subject of a logout token whose claims are right (Back-Channel Logout 1.0, 2.4)."""
    now = _now().timestamp()
    leeway = CLOCK_LEEWAY.total_seconds()
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    events = claims.get("events")
    problems = [
        problem
        for problem, wrong in (
            (f"iss is not {config.issuer}", claims.get("iss") != config.issuer),
            (f"aud does not name {config.client_id}", config.client_id not in audiences),
            ("iat is missing", not isinstance(claims.get("iat"), int | float)),
            ("jti is missing", not claims.get("jti")),
            ("not a logout event", not (isinstance(events, dict) and BACK_CHANNEL_EVENT in events)),
            ("a logout token has no nonce", "nonce" in claims),
            ("sub is missing (writ keeps no provider session ids)", not claims.get("sub")),
        )
        if wrong
    ]
    if not problems:
        issued = float(claims["iat"])
        if issued > now + leeway or issued < now - LOGOUT_TOKEN_AGE.total_seconds() - leeway:
            problems.append("iat is not recent")
        if isinstance(claims.get("exp"), int | float) and claims["exp"] < now - leeway:
            problems.append("the token has expired")
    if problems:
        raise LogoutRefused("the logout token was refused: " + "; ".join(problems))
    return str(claims["sub"])


def _client(config: OidcSettings) -> OAuth2Client:
    return OAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=" ".join(config.scopes),
        redirect_uri=config.redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
        timeout=HTTP_TIMEOUT,
    )


def begin(
    svc: Services,
    config: OidcSettings,
    purpose: str,
    next_page: str,
    *,
    step_up_user: str | None = None,
    required_acr: str | None = None,
) -> Begun:
    """Start a sign-in (or, with ``step_up_user``, a step-up) at the provider."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose: {purpose!r} is not one of {sorted(PURPOSES)}")
    metadata = discover(config)
    state, nonce, browser = (secrets.token_urlsafe(32) for _ in range(3))
    verifier = generate_token(64)
    # Ask for acr and auth_time in the ID token (OIDC Core 5.5): a session records both.
    extra: dict[str, str] = {"claims": CLAIMS_REQUEST}
    if required_acr:
        extra.update(acr_values=required_acr, prompt="login", max_age="0")
    with _client(config) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            **extra,
        )
    with svc.store.transaction() as session:
        # Requests nobody came back for are cleared as new ones are made.
        session.execute(
            delete(oidc_requests).where(
                oidc_requests.c.created_at < _stamp(_now() - REQUEST_LIFETIME)
            )
        )
        session.execute(
            insert(oidc_requests).values(
                id=_hash(state),
                browser=_hash(browser),
                nonce=nonce,
                code_verifier=verifier,
                purpose=purpose,
                next_page=next_page,
                acr_values=required_acr or "",
                step_up_user=step_up_user,
                created_at=_stamp(_now()),
            )
        )
    return Begun(url, browser)


def _take_request(svc: Services, state: str, browser: str) -> dict[str, Any]:
    """The pending request for ``state``, deleted as it is read: each answer is used once."""
    with svc.store.transaction() as session:
        row = (
            session.execute(select(oidc_requests).where(oidc_requests.c.id == _hash(state)))
            .mappings()
            .first()
        )
        if row is not None:
            session.execute(delete(oidc_requests).where(oidc_requests.c.id == row["id"]))
    if row is None or not secrets.compare_digest(row["browser"], _hash(browser)):
        raise SignInRefused(
            "state mismatch",
            "This sign-in answer does not belong to a sign-in started in this browser. "
            "Start again.",
        )
    started = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
    if _now() - started > REQUEST_LIFETIME:
        raise SignInRefused("request expired", "The sign-in took too long. Start again.")
    return dict(row)


def _signed_by_provider(metadata: dict[str, Any], token: str) -> jwt.Token:
    """A JWT of the provider (ID token, logout token), its signature checked against the keys
    of its JWKS; raises httpx.HTTPError when the keys cannot be read, JoseError or ValueError
    when the token is not signed by one of them."""
    keys = httpx.get(metadata["jwks_uri"], timeout=HTTP_TIMEOUT)
    keys.raise_for_status()
    return jwt.decode(
        token,
        key=KeySet.import_key_set(keys.json()),
        registry=JWSRegistry(
            algorithms=metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        ),
    )


def _id_token(
    config: OidcSettings, metadata: dict[str, Any], token: dict[str, Any], request: dict[str, Any]
) -> dict[str, Any]:
    """The ID token's claims: signature checked against the JWKS, then iss, aud, exp, nonce."""
    if "id_token" not in token:
        raise SignInRefused("no id token", "The provider did not send an ID token.")
    try:
        decoded = _signed_by_provider(metadata, token["id_token"])
        params: dict[str, Any] = {
            "nonce": request["nonce"],
            "client_id": config.client_id,
            "access_token": token.get("access_token"),
        }
        if request["acr_values"]:
            params["max_age"] = 0
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {"iss": {"essential": True, "values": [config.issuer]}},
            params,
        )
        claims.validate(leeway=int(CLOCK_LEEWAY.total_seconds()))
    except (httpx.HTTPError, JoseError, ValueError) as exc:
        raise SignInRefused(
            "id token invalid", f"The provider's ID token was refused: {exc}"
        ) from exc
    return dict(claims)


def _userinfo(client: OAuth2Client, metadata: dict[str, Any], subject: str) -> dict[str, Any]:
    """Claims from the UserInfo endpoint (where providers put scope claims such as groups)."""
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        return {}
    response = client.get(endpoint)
    response.raise_for_status()
    info: dict[str, Any] = response.json()
    if info.get("sub") != subject:
        raise SignInRefused("userinfo subject", "The provider's user info is for someone else.")
    return info


def access_from_groups(config: OidcSettings, groups: list[str]) -> tuple[frozenset[str], str]:
    """Roles and unit from the group claim. No mapped group gives no role: default deny."""
    roles = frozenset(role for group in groups for role in config.roles.get(group, ()))
    units = sorted({config.units[group] for group in groups if group in config.units})
    if not roles:
        raise SignInRefused(
            "no role",
            "Your account's groups give you no role in writ, so you cannot sign in. "
            "Ask your administrator to add you to a writ group.",
        )
    if len(units) != 1:
        problem = "no unit" if not units else f"several units ({', '.join(units)})"
        raise SignInRefused(
            "unit",
            f"Your account's groups give {problem}; writ needs exactly one. "
            "Ask your administrator to correct your groups.",
        )
    return roles, units[0]


def _username(session: Any, claims: dict[str, Any], issuer: str, subject: str) -> str:
    """A new user name: the preferred one if it is free, else one made from the subject."""
    wanted = str(claims.get("preferred_username") or subject)[:100]
    taken = session.execute(select(users.c.username).where(users.c.username == wanted)).first()
    return f"{wanted}~{_hash(issuer + ' ' + subject)[:8]}" if taken else wanted


def _match_or_provision(
    svc: Services, config: OidcSettings, claims: dict[str, Any], groups: list[str]
) -> User:
    """The writ user linked to (issuer, subject); made or updated from the claims (audited)."""
    subject = str(claims["sub"])
    roles, unit = access_from_groups(config, groups)
    name = str(claims.get("name") or claims.get("preferred_username") or subject)[:256]
    now = utcnow()
    with svc.operation(PROVISIONER, "update", audit_action="user.oidc") as op:
        link = op.session.execute(
            select(oidc_identities.c.username).where(
                oidc_identities.c.issuer == config.issuer, oidc_identities.c.subject == subject
            )
        ).first()
        username = link.username if link else _username(op.session, claims, config.issuer, subject)
        op.authorize(Resource("user", username))
        row = op.session.execute(select(users).where(users.c.username == username)).first()
        values = {"display_name": name, "roles": sorted(roles), "unit": unit}
        if row is None:
            op.session.execute(
                insert(users).values(
                    username=username, compartments=[], active=True, created_at=now, **values
                )
            )
            op.details["provisioned"] = True
        elif not row.active:
            raise SignInRefused("account disabled", "Your writ account has been disabled.")
        else:
            op.session.execute(update(users).where(users.c.username == username).values(**values))
        if link is None:
            op.session.execute(
                insert(oidc_identities).values(
                    issuer=config.issuer,
                    subject=subject,
                    username=username,
                    created_at=now,
                    last_sign_in_at=now,
                )
            )
        else:
            op.session.execute(
                update(oidc_identities)
                .where(oidc_identities.c.issuer == config.issuer)
                .where(oidc_identities.c.subject == subject)
                .values(last_sign_in_at=now)
            )
        op.details.update(issuer=config.issuer, subject=subject, groups=sorted(groups), **values)
    return User(username, name, roles, unit, frozenset(), True)


def _check_fresh(claims: dict[str, Any], request: dict[str, Any]) -> None:
    """A step-up must be a new sign-in: ``auth_time`` after the step-up was asked for."""
    started = datetime.fromisoformat(request["created_at"].replace("Z", "+00:00"))
    signed_at = claims.get("auth_time")
    if not signed_at or datetime.fromtimestamp(int(signed_at), UTC) < started - CLOCK_LEEWAY:
        raise SignInRefused(
            "not a fresh sign-in",
            "The provider did not sign you in again for this step-up. Try again.",
        )


def complete(
    svc: Services,
    config: OidcSettings,
    answer: dict[str, str],
    browser: str,
    *,
    origin: str = "web",
) -> tuple[SignedIn, str]:
    """Finish a sign-in from the provider's answer; return the new session and the next page.

    Every refusal is audited as a failed ``session.sign-in`` and raised as ``SignInRefused``.
    """
    attempt = Actor("oidc:unknown", frozenset(), "", origin=origin)
    try:
        request = _take_request(svc, answer.get("state", ""), browser)
        attempt = attempt.with_purpose(request["purpose"])
        if request["step_up_user"]:
            attempt = Actor(request["step_up_user"], frozenset(), "", purpose=request["purpose"])
        if "error" in answer:
            raise SignInRefused(
                "provider refused",
                f"The sign-in provider refused: {answer['error']} "
                f"{answer.get('error_description', '')}".strip(),
            )
        metadata = discover(config)
        with _client(config) as client:
            try:
                token = client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=answer.get("code", ""),
                    code_verifier=request["code_verifier"],
                )
            except Exception as exc:  # authlib raises OAuthError, httpx its own errors
                raise SignInRefused(
                    "token refused", f"The provider refused the sign-in code: {exc}"
                ) from exc
            claims = _id_token(config, metadata, token, request)
            attempt = Actor(
                request["step_up_user"] or f"oidc:{claims['sub']}",
                frozenset(),
                "",
                purpose=request["purpose"],
                origin=origin,
            )
            info = _userinfo(client, metadata, str(claims["sub"]))
        merged = {**info, **claims}
        groups = merged.get(config.group_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        acr = str(claims.get("acr") or "")
        if request["acr_values"]:
            _check_fresh(claims, request)
        if request["acr_values"] and acr not in svc.step_up.acrs:
            raise SignInRefused(
                "step-up not reached",
                f"The provider signed you in at {acr or 'no level'}, not at "
                f"{request['acr_values']}. Try again with your second factor.",
            )
        user = _match_or_provision(svc, config, merged, [str(g) for g in groups])
        if request["step_up_user"] and user.username != request["step_up_user"]:
            raise SignInRefused(
                "step-up user changed",
                f"You signed in at the provider as {user.username}, "
                f"not as {request['step_up_user']}. Sign in again as yourself.",
            )
    except SignInRefused as refused:
        svc.record(
            attempt,
            "session.sign-in",
            Resource("session", attempt.user),
            "denied" if refused.reason in DENIALS else "failed",
            "authentication",
            {"reason": refused.reason, "method": "oidc", "detail": str(refused)},
        )
        raise
    auth_time = claims.get("auth_time")
    session = auth.open_session(
        svc,
        user,
        request["purpose"],
        origin,
        acr,
        {
            "method": "oidc",
            "issuer": config.issuer,
            "subject": str(claims["sub"]),
            "amr": claims.get("amr") or [],
            "step_up": bool(request["step_up_user"]),
        },
        auth_time=datetime.fromtimestamp(int(auth_time), UTC) if auth_time else None,
    )
    return session, request["next_page"]


def is_oidc_user(svc: Services, config: OidcSettings, username: str) -> bool:
    """Whether ``username`` signs in through this provider (and so can step up there)."""
    with svc.store.engine.connect() as connection:
        found = connection.execute(
            select(oidc_identities.c.subject).where(
                oidc_identities.c.issuer == config.issuer,
                oidc_identities.c.username == username,
            )
        ).first()
    return found is not None
