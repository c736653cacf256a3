"""Signing in with the second factor, and what the header then shows."""

from __future__ import annotations

import itertools

from test_web_accounts import Account, add_account

_names = itertools.count(1)


def new_person(live_writ, roles: set[str], name: str) -> Account:
    username = f"{sorted(roles)[0]}{next(_names)}"
    return add_account(live_writ.services, username, roles, name=name)


def sign_in(visit, account: Account, purpose: str, start: str = "/") -> None:
    visit.goto(start)
    page = visit.page
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    page.fill("#code", account.code())
    page.click(f"label[for=purpose-{purpose}]")
    visit.submit("button[type=submit]")


def test_sign_in_with_the_second_factor(visit, live_writ):
    ana = new_person(live_writ, {"officer"}, "Ana Ortiz")
    page = visit.page
    visit.goto("/")
    assert page.url.endswith("/sign-in?next=/")
    page.fill("#username", ana.username)
    page.fill("#password", ana.password)
    page.fill("#code", "000000")
    page.click("label[for=purpose-investigation]")
    visit.submit("button[type=submit]")
    assert "one-time code is wrong" in page.inner_text("[data-testid=sign-in-error]")
    page.fill("#password", ana.password)
    page.fill("#code", ana.code())
    visit.submit("button[type=submit]")
    assert page.url.endswith("/queues")
    assert page.inner_text("[data-testid=user]") == "Ana Ortiz"
    assert page.text_content("[data-testid=purpose]") == "Investigation"
    assert page.inner_text("[data-testid=unit]") == "ERO-NYC"


def test_a_denied_page_says_who_can_grant(visit, live_writ):
    ana = new_person(live_writ, {"officer"}, "Ana Ortiz")
    sign_in(visit, ana, "investigation")
    visit.goto("/admin/users")
    assert visit.page.inner_text("[data-testid=denial-policy]") == "default-deny"
    assert "administrator" in visit.page.inner_text("[data-testid=denial-grant]")
