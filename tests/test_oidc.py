"""Sign-in with a real OpenID provider: the npm `oidc-provider` package on 127.0.0.1.

The provider (tests/oidc/provider.mjs) is started once per module; each test drives the whole
authorisation code flow over HTTP: writ's pages in a TestClient, the provider's pages with httpx.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select, update

from helpers import audit_rows
from test_lifecycle_service import detainer_on_database_match
from test_web_accounts import add_account
from writ.api.app import create_app
from writ.cases import service as cases
from writ.lifecycle import service as lc
from writ.service import Services, StepUpRequired, auth
from writ.service import oidc as oidc_service
from writ.service.settings import ConfigError, OidcSettings, load_settings
from writ.service.step_up import StepUp
from writ.store.tables.core import users
from writ.store.tables.oidc import oidc_identities, oidc_requests

ROOT = Path(__file__).resolve().parent.parent
PROVIDER = ROOT / "tests" / "oidc" / "provider.mjs"
APP = "http://testserver"
CALLBACK = f"{APP}/sign-in/oidc/callback"
LOA1, LOA2 = "urn:writ:loa:1", "urn:writ:loa:2"
RULE = "detainer-database-only"
SECRET = "test-secret"
PEOPLE = [
    {"login": "sam", "password": "sam-pw", "otp": "246810", "name": "Sam Supervisor",
     "groups": ["ero-nyc-supervisors", "staff"]},
    {"login": "olga", "password": "olga-pw", "otp": "135790", "name": "Olga Officer",
     "groups": ["ero-nyc-officers"]},
    {"login": "nina", "password": "nina-pw", "otp": "111111", "name": "Nina No-group",
     "groups": ["canteen"]},
    {"login": "tess", "password": "tess-pw", "otp": "222222", "name": "Tess Two-units",
     "groups": ["ero-nyc-officers", "ero-la-officers"]},
]  # fmt: skip


@contextmanager
def running_provider(directory: Path, redirect_uri: str) -> Iterator[str]:
    """The provider on a free loopback port, with PEOPLE and one client; yields its issuer."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        message = "node or node_modules/oidc-provider missing: run `make` (npm ci)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    setup = directory / "provider.json"
    site = urlsplit(redirect_uri)
    client = {
        "client_id": "writ",
        "client_secret": SECRET,
        "redirect_uris": [redirect_uri],
        "post_logout_redirect_uris": [f"{site.scheme}://{site.netloc}/signed-out"],
    }
    if site.hostname == "127.0.0.1":  # a served writ the provider can call, server to server
        client["backchannel_logout_uri"] = (
            f"{site.scheme}://{site.netloc}/sign-in/oidc/backchannel-logout"
        )
    setup.write_text(json.dumps({"client": client, "users": PEOPLE}))
    process = subprocess.Popen(
        [node, str(PROVIDER), str(setup)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the test provider did not start (exit {process.wait()})")
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_provider(tmp_path_factory.mktemp("oidc"), CALLBACK) as found:
        yield found


@pytest.fixture
def config(issuer: str) -> OidcSettings:
    return OidcSettings(
        issuer=issuer,
        client_id="writ",
        client_secret=SECRET,
        redirect_uri=CALLBACK,
        step_up_acr=(LOA2,),
        roles={"ero-nyc-supervisors": ("supervisor",), "ero-nyc-officers": ("officer",),
               "ero-la-officers": ("officer",)},
        units={"ero-nyc-supervisors": "ERO-NYC", "ero-nyc-officers": "ERO-NYC",
               "ero-la-officers": "ERO-LA"},
        name="Test ID",
    )  # fmt: skip


@pytest.fixture
def svc(services: Services, config: OidcSettings) -> Services:
    """The test store's services with the step-up rule of ``config`` (as open_services does)."""
    return Services(services.store, services.policy, services.ledger, StepUp(config.step_up_acr))


@pytest.fixture
def app(svc: Services, config: OidcSettings, tmp_path: Path) -> Iterator[TestClient]:
    application = create_app(svc, demo=False, evidence_root=tmp_path / "evidence")
    application.state.oidc = config
    with TestClient(application, base_url=APP, follow_redirects=False) as client:
        yield client


@pytest.fixture
def idp() -> Iterator[httpx.Client]:
    """The person's browser at the provider (its own cookies)."""
    with httpx.Client(timeout=20) as client:
        yield client


def start(app: TestClient, purpose: str = "case-processing", next_page: str = "/queues") -> str:
    """Press "Sign in with Test ID" on writ's sign-in page; return the provider's address."""
    form = app.get("/sign-in")
    assert "Sign in with Test ID" in form.text
    token = re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)
    sent = app.post(
        "/sign-in/oidc", data={"purpose": purpose, "next": next_page, "form_token": token}
    )
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


def at_provider(idp: httpx.Client, url: str, login: str, password: str, otp: str = "") -> str:
    """Go through the provider (filling in its sign-in form if it shows one); return the
    address it sends the browser back to."""
    response = idp.get(url)
    signed_in = False
    while True:
        if response.is_redirect:
            location = str(response.url.join(response.headers["location"]))
            if location.startswith(APP):
                return location
            response = idp.get(location)
            continue
        form = re.search(r'<form method="post" action="([^"]+)"', response.text)
        if form is None or signed_in:
            raise AssertionError(f"the provider did not send the browser back: {response.text}")
        signed_in = True
        response = idp.post(
            str(response.url.join(form.group(1))),
            data={"login": login, "password": password, "otp": otp},
        )


def back_to_writ(app: TestClient, url: str) -> httpx.Response:
    parts = urlsplit(url)
    return app.get(f"{parts.path}?{parts.query}")


def sign_in(app: TestClient, idp: httpx.Client, login: str, **kwargs: str) -> httpx.Response:
    person = next(p for p in PEOPLE if p["login"] == login)
    answer = at_provider(idp, start(app, **kwargs), login, person["password"])
    return back_to_writ(app, answer)


def session_of(svc: Services, app: TestClient) -> auth.SignedIn:
    return auth.current(svc, app.cookies[auth.COOKIE_NAME])


def audit(svc: Services) -> list[dict[str, Any]]:
    """The audit log, with each entry's details read from their JSON."""
    rows = audit_rows(svc)
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


def sign_ins(svc: Services) -> list[dict[str, Any]]:
    return [r for r in audit(svc) if r["action"] == "session.sign-in"]


def test_sign_in_maps_groups_to_role_and_unit_and_is_audited(svc, app, idp, issuer):
    # The sign-in form may be sent on to the provider, and nowhere else.
    policy = app.get("/sign-in").headers["content-security-policy"]
    assert policy.endswith(f"form-action 'self' {issuer}")
    done = sign_in(app, idp, "sam")
    assert done.status_code == 303 and done.headers["location"] == "/queues"
    who = app.get("/api/v1/sessions/current").json()
    assert who["username"] == "sam" and who["roles"] == ["supervisor"]
    assert who["unit"] == "ERO-NYC" and who["purpose"] == "case-processing"
    assert session_of(svc, app).actor.acr == LOA1
    entry = sign_ins(svc)[-1]
    assert entry["actor"] == "sam" and entry["outcome"] == "ok"
    assert entry["details"]["method"] == "oidc" and entry["details"]["acr"] == LOA1
    assert entry["details"]["subject"] == "sam" and entry["details"]["issuer"] == issuer
    provisioned = [r for r in audit(svc) if r["action"] == "user.oidc"]
    assert provisioned[-1]["details"]["provisioned"] is True
    first_token = app.cookies[auth.COOKIE_NAME]
    # Signing in again matches the same person by (issuer, subject) and makes a new session.
    sign_in(app, idp, "sam")
    assert app.cookies[auth.COOKIE_NAME] != first_token
    with pytest.raises(auth.SessionEnded):
        auth.current(svc, first_token)
    with svc.store.engine.connect() as connection:
        links = connection.execute(select(oidc_identities)).all()
    assert [(r.issuer, r.subject, r.username) for r in links] == [(issuer, "sam", "sam")]


def through_provider(idp: httpx.Client, response: httpx.Response) -> httpx.Response:
    """Follow the provider's own redirects; stop at a page, or at a redirect back to writ."""
    while response.is_redirect and not response.headers["location"].startswith(APP):
        response = idp.get(str(response.url.join(response.headers["location"])))
    return response


def sign_out(app: TestClient) -> httpx.Response:
    """Press "Sign out" in the header of a page."""
    page = app.get("/queues")
    assert page.status_code == 200, page.text
    form = re.search(r'action="/sign-out".*?name="csrf" value="([^"]+)"', page.text, re.S)
    assert form is not None, "no sign-out form in the header"
    return app.post("/sign-out", data={"csrf": form.group(1)})


def test_signing_out_signs_out_at_the_provider_too(svc, app, idp, issuer):
    sign_in(app, idp, "sam")
    # Only ending writ's session leaves the provider's: the next sign-in needs no password.
    auth.sign_out(svc, app.cookies[auth.COOKIE_NAME])
    app.cookies.clear()
    again = through_provider(idp, idp.get(start(app)))
    assert again.is_redirect and "/sign-in/oidc/callback" in again.headers["location"]
    assert back_to_writ(app, again.headers["location"]).status_code == 303

    out = sign_out(app)
    assert out.status_code == 303
    target = urlsplit(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == issuer
    query = parse_qs(target.query)
    assert query["client_id"] == ["writ"]
    assert query["post_logout_redirect_uri"] == [f"{APP}/signed-out"]
    assert app.get("/queues").status_code == 303  # writ's session has ended
    assert audit(svc)[-1]["action"] == "session.sign-out"

    # At the provider: confirm, and the browser comes back to writ, which says where it is.
    confirm = idp.get(out.headers["location"])
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', confirm.text, re.S)
    assert form is not None, confirm.text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    done = through_provider(
        idp, idp.post(str(confirm.url.join(form.group(1))), data={**fields, "logout": "yes"})
    )
    assert done.is_redirect and done.headers["location"] == f"{APP}/signed-out"
    landed = app.get("/signed-out")
    assert landed.headers["location"] == "/sign-in?ended=signed+out+everywhere"
    assert (
        "signed out of writ and of your agency account" in app.get(landed.headers["location"]).text
    )

    # The provider's session has ended too: the next sign-in asks for the password again.
    asked = through_provider(idp, idp.get(start(app)))
    assert not asked.is_redirect, "signed in without a password"
    assert 'name="password"' in asked.text


def test_a_local_account_signs_out_of_writ_only(svc, app):
    lena = add_account(svc, "lena", {"officer"})
    signed = auth.sign_in(svc, lena.username, lena.password, lena.code(), "case-processing")
    app.cookies.set(auth.COOKIE_NAME, signed.token)
    assert sign_out(app).headers["location"] == "/sign-in?ended=signed+out"
    assert app.get("/queues").status_code == 303


def test_an_unreachable_provider_still_ends_the_writ_session_and_says_so(
    svc, app, idp, config, tmp_path
):
    with running_provider(tmp_path, CALLBACK) as passing:
        app.app.state.oidc = replace(config, issuer=passing)
        sign_in(app, idp, "sam")
    # That provider has stopped: the sign-out cannot reach it.
    out = sign_out(app)
    assert out.headers["location"] == "/sign-in?ended=provider+unreachable"
    assert app.get("/queues").status_code == 303
    assert "you may still be signed in there" in app.get(out.headers["location"]).text


def _logout_claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "https://id.example",
        "aud": "writ",
        "iat": int(datetime.now(UTC).timestamp()),
        "jti": "j-1",
        "sub": "sam",
        "sid": "s-1",
        "events": {oidc_service.BACK_CHANNEL_EVENT: {}},
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"iss": "https://other.example"}, "iss is not https://id.example"),
        ({"aud": ["someone-else"]}, "aud does not name writ"),
        ({"iat": None}, "iat is missing"),
        ({"iat": int((datetime.now(UTC) - timedelta(hours=1)).timestamp())}, "iat is not recent"),
        ({"jti": None}, "jti is missing"),
        ({"events": {"urn:other": {}}}, "not a logout event"),
        ({"nonce": "n"}, "a logout token has no nonce"),
        ({"sub": None}, "sub is missing"),
        ({"exp": int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())}, "expired"),
    ],
    ids=["iss", "aud", "no-iat", "old-iat", "jti", "event", "nonce", "sid-only", "expired"],
)
def test_a_logout_token_with_wrong_claims_is_refused(config, changes, problem):
    settings = replace(config, issuer="https://id.example")
    with pytest.raises(oidc_service.LogoutRefused, match=re.escape(problem)):
        oidc_service._check_logout_claims(settings, _logout_claims(**changes))
    assert oidc_service._check_logout_claims(settings, _logout_claims(aud=["x", "writ"])) == "sam"


def test_a_logout_token_not_signed_by_the_provider_is_refused(svc, app, idp, config):
    sign_in(app, idp, "sam")
    foreign = RSAKey.generate_key(2048, parameters={"kid": "test-rs256"})
    forged = jwt.encode(
        {"alg": "RS256", "kid": "test-rs256"},
        _logout_claims(iss=config.issuer, sub=session_of(svc, app).actor.user),
        foreign,
    )
    for token in (forged, "not-a-token"):
        refused = app.post("/sign-in/oidc/backchannel-logout", data={"logout_token": token})
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_request"
        assert "refused" in refused.json()["error_description"]
    assert app.get("/queues").status_code == 200  # still signed in


def test_the_request_carries_pkce_s256_state_and_nonce(svc, app):
    address = start(app)
    query = {k: v[0] for k, v in parse_qs(urlsplit(address).query).items()}
    assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
    assert query["state"] and query["nonce"] and query["redirect_uri"] == CALLBACK
    stored_id = hashlib.sha256(query["state"].encode()).hexdigest()
    with svc.store.engine.connect() as connection:
        stored = connection.execute(
            select(oidc_requests).where(oidc_requests.c.id == stored_id)
        ).one()
    digest = hashlib.sha256(stored.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert stored.nonce == query["nonce"] and stored.purpose == "case-processing"


def test_a_tampered_state_or_another_browser_is_refused(svc, app, idp):
    answer = at_provider(idp, start(app), "sam", "sam-pw")
    tampered = re.sub(r"state=[^&]+", "state=forged", answer)
    refused = back_to_writ(app, tampered)
    assert refused.status_code == 401 and "does not belong to a sign-in" in refused.text
    assert auth.COOKIE_NAME not in app.cookies
    # The real answer, but in a browser that did not start the sign-in.
    with TestClient(app.app, base_url=APP, follow_redirects=False) as stranger:
        assert back_to_writ(stranger, answer).status_code == 401
    assert [e["details"]["reason"] for e in sign_ins(svc)] == ["state mismatch"] * 2
    assert all(e["outcome"] == "failed" for e in sign_ins(svc))


def _answer_after_tampering(svc, app, idp, **changes: str) -> httpx.Response:
    address = start(app)
    with svc.store.transaction() as session:
        session.execute(update(oidc_requests).values(**changes))
    return back_to_writ(app, at_provider(idp, address, "sam", "sam-pw"))


def test_the_nonce_is_checked_in_the_id_token(svc, app, idp):
    refused = _answer_after_tampering(svc, app, idp, nonce="not-the-nonce-that-was-sent")
    assert refused.status_code == 401 and "nonce" in refused.text
    assert sign_ins(svc)[-1]["details"]["reason"] == "id token invalid"


def test_the_code_is_useless_without_the_pkce_verifier(svc, app, idp):
    refused = _answer_after_tampering(svc, app, idp, code_verifier="x" * 64)
    assert refused.status_code == 401
    assert sign_ins(svc)[-1]["details"]["reason"] == "token refused"
    assert auth.COOKIE_NAME not in app.cookies


@pytest.mark.parametrize(
    ("login", "reason"), [("nina", "no role"), ("tess", "unit")], ids=["no-group", "two-units"]
)
def test_groups_that_give_no_role_or_no_single_unit_are_denied(svc, app, idp, login, reason):
    refused = sign_in(app, idp, login)
    assert refused.status_code == 401 and "Ask your administrator" in refused.text
    entry = sign_ins(svc)[-1]
    assert entry["outcome"] == "denied" and entry["details"]["reason"] == reason
    with svc.store.engine.connect() as connection:
        assert connection.execute(select(users).where(users.c.username == login)).first() is None


def test_step_up_is_demanded_for_an_override_and_an_export_and_then_granted(svc, app, idp):
    case_id, attempt = detainer_on_database_match(svc)
    report_case = cases.open_case(svc, _officer_of_nyc(), type="investigation", title="Step-up")
    sign_in(app, idp, "sam")
    weak = session_of(svc, app)
    reason = "Fingerprint match confirmed against the A-file and the I-213 on file"
    # The service refuses both, whatever the interface, and the refusals are audited.
    with pytest.raises(StepUpRequired) as refused:
        lc.override_gate(svc, weak.actor, case_id, attempt, RULE, reason)
    assert refused.value.required_acr == LOA2
    with pytest.raises(StepUpRequired):
        cases.report_html(svc, weak.actor, report_case.id)
    denials = [r for r in audit(svc) if r["policy"] == "step-up-required"]
    assert [(r["action"], r["outcome"]) for r in denials] == [
        ("gate-override.create", "denied"),
        ("case.report", "denied"),
    ]
    # The API answers 401 naming the acr (RFC 9470).
    api = app.post(
        f"/api/v1/immigration-cases/{case_id}/overrides",
        json={"attempt_id": attempt, "rule": RULE, "reason": reason},
        headers={"Authorization": f"Bearer {weak.token}"},
    )
    assert api.status_code == 401 and api.json()["acr_values"] == LOA2
    assert 'error="insufficient_user_authentication"' in api.headers["www-authenticate"]
    # The web page sends the person back through the provider, then to the case page.
    page = f"/immigration/{case_id}"
    form = app.post(
        f"{page}/overrides",
        data={"attempt": attempt, "rule": RULE, "reason": reason, "csrf": weak.csrf},
        headers={"Referer": f"{APP}{page}"},
    )
    assert form.status_code == 401 and LOA2 in form.text
    link = re.search(r'href="(/sign-in/oidc/step-up\?[^"]+)"', form.text).group(1)
    to_provider = app.get(link.replace("&amp;", "&"))
    query = parse_qs(urlsplit(to_provider.headers["location"]).query)
    assert query["acr_values"] == [LOA2] and query["prompt"] == ["login"]
    assert query["max_age"] == ["0"]
    answer = at_provider(idp, to_provider.headers["location"], "sam", "sam-pw", otp="246810")
    back = back_to_writ(app, answer)
    assert back.status_code == 303 and back.headers["location"] == page
    strong = session_of(svc, app)
    assert strong.actor.acr == LOA2 and strong.actor.purpose == "case-processing"
    assert strong.token != weak.token
    with pytest.raises(auth.SessionEnded):
        auth.current(svc, weak.token)
    done = app.post(
        f"{page}/overrides",
        data={"attempt": attempt, "rule": RULE, "reason": reason, "csrf": strong.csrf},
    )
    assert done.status_code == 303, done.text
    assert "<" in cases.report_html(svc, strong.actor, report_case.id)
    stepped = sign_ins(svc)[-1]
    assert stepped["details"]["step_up"] is True and stepped["details"]["acr"] == LOA2
    overrides = [r for r in audit(svc) if r["action"] == "gate-override.create"]
    assert overrides[-1]["outcome"] == "ok" and overrides[-1]["actor"] == "sam"


def test_a_step_up_needs_a_sign_in_made_after_it_was_asked_for(svc, app, idp):
    sign_in(app, idp, "sam")
    to_provider = app.get("/sign-in/oidc/step-up?next=/queues")
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with svc.store.transaction() as session:
        session.execute(update(oidc_requests).values(created_at=later))
    answer = at_provider(idp, to_provider.headers["location"], "sam", "sam-pw", otp="246810")
    refused = back_to_writ(app, answer)
    assert refused.status_code == 401 and "did not sign you in again" in refused.text
    assert sign_ins(svc)[-1]["details"]["reason"] == "not a fresh sign-in"
    assert session_of(svc, app).actor.acr == LOA1


def _officer_of_nyc():
    from helpers import actor

    return actor("officer", user="off-nyc", purpose="investigation")


def test_a_local_account_with_its_second_factor_counts_as_stepped_up(svc):
    case_id, attempt = detainer_on_database_match(svc)
    account = add_account(svc, "lena", {"supervisor"})
    local = auth.sign_in(svc, "lena", account.password, account.code(), "case-processing")
    assert local.actor.acr == "pwd+otp"
    view = lc.override_gate(
        svc, local.actor, case_id, attempt, RULE, "Checked against the A-file and the I-213"
    )
    assert view.granted_by == "lena"


GOOD = (
    "head_interval_seconds = 0\n"
    "[oidc]\n"
    'issuer = "https://id.example"\n'
    'client_id = "writ"\n'
    'client_secret = "s"\n'
    'redirect_uri = "https://writ.example/sign-in/oidc/callback"\n'
    f'step_up_acr = "{LOA2}"\n'
)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ('client_id = "writ"', 'client_id = "writ"\ncolour = "red"', 5, "unknown setting 'colour'"),
        ('"https://id.example"', '"http://id.example"', 3, "https://"),
        ("\nstep_up", '\nscopes = ["profile"]\nstep_up', 7, "includes 'openid'"),
        ('client_secret = "s"', 'client_secret_env = "WRIT_NO_SUCH_VAR"', 5, "is not set"),
        (f'step_up_acr = "{LOA2}"\n', "", 2, "step_up_acr is required"),
        ("", '[oidc.roles]\nstaff = ["boss"]\n', 9, "unknown role(s) ['boss']"),
        ("", 'post_logout_redirect_uri = "http://writ.example/out"\n', 8, "https://"),
    ],
    ids=[
        "unknown-key",
        "plain-http",
        "no-openid",
        "missing-env",
        "no-acr",
        "unknown-role",
        "plain-http-sign-out",
    ],
)
def test_bad_oidc_settings_name_the_file_and_line(tmp_path, db_url, old, new, line, message):
    text = GOOD.replace(old, new, 1) if old else GOOD + new
    (tmp_path / "writ.toml").write_text(text)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    assert f"writ.toml:{line}:" in str(error.value) and message in str(error.value)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_good_oidc_settings_are_read(tmp_path, db_url, monkeypatch):
    monkeypatch.setenv("WRIT_TEST_OIDC_SECRET", "from-the-environment")
    (tmp_path / "writ.toml").write_text(
        '[oidc]\nissuer = "https://id.example/"\nclient_id = "writ"\n'
        'client_secret_env = "WRIT_TEST_OIDC_SECRET"\n'
        'redirect_uri = "https://writ.example/sign-in/oidc/callback"\n'
        f'step_up_acr = ["{LOA2}", "urn:writ:loa:3"]\n'
        '[oidc.roles]\nsupervisors = ["supervisor"]\n[oidc.units]\nsupervisors = "ERO-NYC"\n'
    )
    oidc = load_settings(tmp_path).oidc
    assert oidc is not None and oidc.issuer == "https://id.example"
    assert oidc.client_secret == "from-the-environment"
    assert oidc.step_up_acr == (LOA2, "urn:writ:loa:3")
    assert oidc.roles == {"supervisors": ("supervisor",)}
    assert oidc.units == {"supervisors": "ERO-NYC"}
    assert oidc.signed_out_uri == "https://writ.example/signed-out"
    (tmp_path / "writ.toml").write_text(
        GOOD + 'post_logout_redirect_uri = "https://writ.example/goodbye"\n'
    )
    oidc = load_settings(tmp_path).oidc
    assert oidc is not None and oidc.signed_out_uri == "https://writ.example/goodbye"
