"""The attacks of issue 13 finding 1 for real, in Chromium: markup planted through a failed
sign-in and through a search query, then opened by oversight in the audit viewer. The page must
stay where it is, run nothing of the attacker's, and its in-browser proof check must still
verify. (The browser sample of tests/security/; it lives here to share the browser tests' one
Chromium: Playwright's sync API cannot run two at once.)"""

from __future__ import annotations

from sqlalchemy import select

from browser.test_sign_in import new_person, sign_in
from helpers import actor
from writ.cases import service as case_service
from writ.store.tables.core import audit_entries

ATTACKER = "attacker.invalid"
REFRESH = f"</script><meta http-equiv=refresh content=0;url=https://{ATTACKER}/>"
IMG = f"\"><img src=x onerror=location='//{ATTACKER}/'>"


def _last_seq(live_writ, **fields) -> int:
    query = select(audit_entries.c.seq).order_by(audit_entries.c.seq.desc()).limit(1)
    for name, value in fields.items():
        query = query.where(audit_entries.c[name] == value)
    with live_writ.services.store.engine.connect() as connection:
        seq = connection.execute(query).scalar()
    assert seq is not None, f"no audit entry with {fields}"
    return int(seq)


def _watch_for_the_attacker(visit) -> list[str]:
    """Every request the page makes to the attacker's site (answered with nothing)."""
    reached: list[str] = []

    def refuse(route) -> None:  # type: ignore[no-untyped-def]
        reached.append(route.request.url)
        route.abort()

    visit.page.context.route(f"**://{ATTACKER}/**", refuse)
    return reached


def _opened_by_oversight(visit, live_writ, seq: int) -> None:
    reached = _watch_for_the_attacker(visit)
    olive = new_person(live_writ, {"oversight"}, "Olive Grant")
    sign_in(visit, olive, "oversight", start=f"/audit/{seq}")
    page = visit.page
    page.wait_for_timeout(1500)  # a meta refresh of 0 s would have left by now
    assert reached == [], f"the page went to the attacker's site: {reached}"
    assert page.url.endswith(f"/audit/{seq}"), page.url
    planted = page.evaluate(
        "[...document.querySelectorAll('meta[http-equiv], img[src=x]')].map(e => e.outerHTML)"
    )
    assert planted == [], f"markup from stored text is in the page: {planted}"
    page.wait_for_selector("#browser-check[data-result]")
    assert page.get_attribute("#browser-check", "data-result") == "verified"
    visit.check()


def test_a_crafted_user_name_does_nothing_in_the_audit_viewer(visit, live_writ):
    page = visit.page
    visit.goto("/sign-in")
    page.fill("#username", REFRESH)
    page.fill("#password", "wrong")
    page.fill("#code", "000000")
    page.click("label[for=purpose-investigation]")
    visit.submit("button[type=submit]")
    assert "wrong" in page.inner_text("[data-testid=sign-in-error]")
    seq = _last_seq(live_writ, actor=REFRESH, action="session.sign-in")
    page.context.clear_cookies()
    _opened_by_oversight(visit, live_writ, seq)


def test_a_crafted_search_query_does_nothing_in_the_audit_viewer(visit, live_writ):
    ana = new_person(live_writ, {"officer"}, "Ana Ortiz")
    sign_in(visit, ana, "investigation", start="/search")
    page = visit.page
    page.fill("#search-q", IMG + REFRESH)
    visit.submit("form[action='/search'] button[type=submit]")
    seq = _last_seq(live_writ, actor=ana.username, action="person.search")
    page.context.clear_cookies()
    _opened_by_oversight(visit, live_writ, seq)


def test_a_case_with_every_payload_in_its_text_shows_them_as_text(visit, live_writ):
    payload = f"P {REFRESH} {IMG} {{{{7*7}}}} bell\x07esc\x1b[2J invoice\u202etxt.exe"
    ana = new_person(live_writ, {"officer"}, "Ana Ortiz")
    me = actor("officer", user=ana.username, purpose="investigation")
    case = case_service.open_case(live_writ.services, me, type="investigation", title=payload)
    case_service.add_case_note(live_writ.services, me, case.id, payload)
    reached = _watch_for_the_attacker(visit)
    sign_in(visit, ana, "investigation", start=f"/cases/{case.id}")
    page = visit.page
    page.wait_for_timeout(1000)
    assert reached == [] and page.url.endswith(f"/cases/{case.id}")
    planted = page.evaluate(
        "[...document.querySelectorAll('meta[http-equiv], img[src=x]')].map(e => e.outerHTML)"
    )
    assert planted == []
    heading = page.inner_text("h1")
    assert "{{7*7}}" in heading and "\\u202e" in heading and "\\x1b" in heading
    assert "</script>" in heading  # the markup is on the page as the text it is
