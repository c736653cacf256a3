"""Finding a subject by navigating, and its profile: the displayed S-… id and a typed name both
work, a record's address leads to its subject, values in plain words, and a link chart worth
looking at (colours and shapes by kind with a legend, names as labels, nodes that open the
profile, the same links in a table, no Content-Security-Policy violation)."""

from __future__ import annotations

import itertools
import re

from sqlalchemy import insert

from browser.test_sign_in import new_person, sign_in
from helpers import put_statements
from writ.cases import service as case_service
from writ.lifecycle import service as lc
from writ.model.actor import Actor, system_actor
from writ.search import service as search_service
from writ.store.tables.resolve import resolve_records

_n = itertools.count(1)
HEX_ID = re.compile(r"[0-9a-f]{16,}")
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def resolved(svc, subject_id: str, members: dict[str, tuple[str, dict[str, str]]]) -> None:
    """Records, and the subject the resolver put them in (test setup, not a service)."""
    for entity_id, (source, values) in members.items():
        put_statements(svc, entity_id, "Person", values, source=source, record_id=entity_id)
    with svc.store.transaction() as session:
        for entity_id, (source, _) in members.items():
            session.execute(
                insert(resolve_records).values(
                    entity_id=entity_id,
                    source=source,
                    record_id=entity_id,
                    features={},
                    features_sha="0" * 40,
                    subject_id=subject_id,
                    assigned_at="2026-01-01T00:00:00Z",
                    assigned_by="system:resolve",
                )
            )
    search_service.reindex(svc, system_actor("search"))


def test_a_subject_by_its_id_by_a_record_and_by_a_typed_name(visit, live_writ):
    n = next(_n)
    subject = f"S-0000000000{n:02}"
    first = f"{n:02}aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00"
    resolved(
        live_writ.services,
        subject,
        {
            first: ("bookings", {"name": "ODUYA Grace", "birthCountry": "ng"}),
            f"{n:02}-visa": (
                "visa_benefits",
                {"name": "Grace Oduya", "birthDate": "1991-04-02", "birthCountry": "ng"},
            ),
        },
    )
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation", start="/subjects")
    page = visit.page
    page.fill("#subject-id", subject)
    visit.submit("button:has-text('Open')")
    assert page.url.endswith(f"/subjects/{subject}")
    assert page.inner_text("h1") == "Grace Oduya"  # as a name is written, not in capitals
    assert page.inner_text("[data-testid=subject-id]") == subject
    assert "2 records from 2 sources" in page.inner_text("[data-testid=subject-summary]")
    values = page.inner_text("[data-testid=subject-values]")
    assert "Country of birth" in values and "Nigeria" in values and "Birth date" in values
    assert "birthCountry" not in values and "\tng\t" not in values
    assert not HEX_ID.search(page.title())
    # A record's address leads to its subject's profile.
    visit.goto(f"/subjects/{first}")
    assert page.url.endswith(f"/subjects/{subject}")
    # A name typed where an id goes is searched for, and the result opens the profile.
    visit.goto("/subjects")
    page.fill("#subject-id", "grace oduya")
    visit.submit("button:has-text('Open')")
    assert "/search?q=grace+oduya" in page.url
    visit.submit(f"[data-testid=results] a[href='/subjects/{subject}']")
    assert page.inner_text("h1") == "Grace Oduya"
    # An immigration case opened on one of the records links the profile, and the profile it.
    worker = Actor(officer.username, frozenset({"officer"}), "ERO-NYC", purpose="investigation")
    case = lc.open_case(
        live_writ.services,
        worker,
        subject_name="Grace Oduya",
        country_of_birth="NG",
        entity_id=first,
    )
    visit.goto(f"/immigration/{case.id}")
    assert "in Nigeria" in page.inner_text("[data-testid=identity]")
    visit.submit("[data-testid=subject-link]")
    assert page.url.endswith(f"/subjects/{subject}")
    assert "1 immigration case" in page.inner_text("[data-testid=subject-summary]")
    visit.submit(f"[data-testid=immigration-case] a[href='/immigration/{case.id}']")
    visit.goto("/subjects/S-doesnotexist")
    assert "No subject or record you may read" in page.inner_text("[data-testid=missing]")
    assert page.input_value("#missing-q") == "S-doesnotexist"


def test_the_link_chart_colours_names_and_opens_what_it_shows(visit, live_writ):
    svc = live_writ.services
    n = next(_n)
    me, mother, home = f"lc-{n}-me", f"lc-{n}-mother", f"lc-{n}-home"
    put_statements(
        svc, me, "Person", {"name": "Lucía Ramos", "addressEntity": home}, record_id=f"C-{n}"
    )
    put_statements(
        svc, mother, "Person", {"name": "Elena Ramos", "addressEntity": home}, record_id=f"C-{n}"
    )
    put_statements(svc, home, "Address", {"full": "12 Elm St, Newark"}, record_id=f"C-{n}")
    put_statements(
        svc,
        f"lc-{n}-fam",
        "Family",
        {"person": me, "relative": mother, "relationship": "mother"},
        record_id=f"C-{n}",
    )
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    worker = Actor(officer.username, frozenset({"officer"}), "ERO-NYC", purpose="investigation")
    case = case_service.open_case(svc, worker, type="investigation", title="Ramos family")
    case_service.add_subject(svc, worker, case.id, me, role="victim")
    visit.page.add_init_script(CSP_WATCH)
    sign_in(visit, officer, "investigation", start=f"/subjects/{me}")
    page = visit.page
    page.wait_for_function(
        "() => document.getElementById('link-chart')._cyreg && "
        "document.getElementById('link-chart')._cyreg.cy.nodes().length > 0"
    )
    assert page.evaluate("window.__csp") == []
    legend = page.inner_text("[data-testid=legend]")
    assert "Person" in legend and "Address" in legend and "Case" in legend
    chart = page.evaluate(
        """() => document.getElementById('link-chart')._cyreg.cy.nodes().map(
             (n) => [n.data('label'), n.data('kind'), n.style('background-color')])"""
    )
    labels = {label: (kind, colour) for label, kind, colour in chart}
    assert {"Lucía Ramos", "Elena Ramos", "12 Elm St, Newark"} <= set(labels)
    assert f"{case.number} Ramos family" in labels
    assert len({colour for _, colour in labels.values()}) == 4  # centre, person, address, case
    assert not any(HEX_ID.search(label) for label in labels)
    # The same links in the table, as links for the keyboard.
    table = page.inner_text("[data-testid=links]")
    assert "mother" in table and "on case as victim" in table
    assert page.locator("[data-testid=links] a:has-text('Elena Ramos')").count() == 1
    # A click on a person in the chart opens their profile.
    page.locator("#link-chart").scroll_into_view_if_needed()
    box = page.locator("#link-chart").bounding_box()
    where = page.evaluate(
        """() => document.getElementById('link-chart')._cyreg.cy.nodes()
             .filter((n) => n.data('label') === 'Elena Ramos')[0].renderedPosition()"""
    )
    with page.expect_navigation():
        page.mouse.click(box["x"] + where["x"], box["y"] + where["y"])
    visit.check()
    assert page.inner_text("h1") == "Elena Ramos"
    # Keyboard: the table's link opens the case.
    visit.goto(f"/subjects/{me}")
    page.focus(f"[data-testid=links] a:has-text('{case.number}')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit.check()
    assert f"/cases/{case.id}" in page.url
    # The case names its subject and links the profile (not a record's hex id).
    assert "Lucía Ramos — victim" in page.inner_text("[data-testid=case-subjects]")
    visit.submit("[data-testid=case-subjects] a:has-text('Lucía Ramos')")
    assert page.url.endswith(f"/subjects/{me}")


def test_a_one_record_subject_has_no_giant_dot(visit, live_writ):
    n = next(_n)
    loner = f"lone-{n}"
    put_statements(live_writ.services, loner, "Person", {"name": "Ines Duarte"}, record_id="L-1")
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    sign_in(visit, officer, "investigation", start=f"/subjects/{loner}")
    page = visit.page
    assert "No links on file" in page.inner_text("[data-testid=no-links]")
    assert page.locator("#link-chart").count() == 0
