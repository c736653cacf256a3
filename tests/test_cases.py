"""Cases, subjects on cases, deconfliction, links, leads, tasks, queues, notifications, notes,
timeline and the report of investigation."""

import contextlib
import re
import zlib

import pytest

from helpers import actor, audit_rows, put_statements
from writ.cases import service as cases
from writ.cases.records import record_event
from writ.model.actor import system_actor
from writ.service import AccessDenied, NotFound

NYC = actor("officer", user="ana", unit="ERO-NYC")
NYC_SUP = actor("supervisor", user="sam", unit="ERO-NYC")
MIA = actor("officer", user="bo", unit="HSI-MIA")
REMINDERS = system_actor("reminders")


def _person(services, entity_id, name, **extra):
    put_statements(services, entity_id, "Person", {"name": name, **extra}, record_id=entity_id)


def test_deconfliction_names_whom_to_contact_and_nothing_of_the_other_case(services):
    _person(services, "p-1", "Ana Reyes")
    secret = cases.open_case(
        services, MIA, type="investigation", title="Operation Nightjar: smuggling ring"
    )
    cases.add_subject(services, MIA, secret.id, "p-1", "target")
    mine = cases.open_case(services, NYC, type="immigration", title="Reyes removal")

    added = cases.add_subject(services, NYC, mine.id, "p-1", "target")

    assert added.conflicts == [cases.Conflict(contact="bo", unit="HSI-MIA")]
    assert added.also_on == []
    shown = repr(added) + added.conflicts[0].message()
    for leak in (secret.id, secret.number, "Nightjar", "smuggling"):
        assert leak not in shown
    # The other unit's case stays closed to the user.
    with pytest.raises(AccessDenied):
        cases.get_case(services, NYC, secret.id)
    # Its owner is told, in-app, whom to contact.
    (note,) = cases.list_notifications(services, MIA)
    assert note.kind == "deconfliction"
    assert "ana (ERO-NYC)" in note.message and secret.number in note.message
    assert "Reyes removal" not in note.message
    entry = [r for r in audit_rows(services) if r["action"] == "case.add_subject"][-1]
    assert '"conflicts": 1' in entry["details"]


def test_same_unit_cases_are_listed_not_flagged(services):
    _person(services, "p-1", "Ana Reyes")
    first = cases.open_case(services, NYC, type="investigation", title="First")
    second = cases.open_case(services, NYC_SUP, type="investigation", title="Second")
    cases.add_subject(services, NYC, first.id, "p-1", "witness")
    added = cases.add_subject(services, NYC, second.id, "p-1", "victim")
    assert added.conflicts == [] and added.also_on == [first.number]
    with pytest.raises(ValueError, match="role 'boss'"):
        cases.add_subject(services, NYC, second.id, "p-1", "boss")


def test_case_view_links_close_and_markings(services):
    case = cases.open_case(
        services, NYC, type="investigation", title="Ring", assignees=["ana", "cy"]
    )
    other = cases.open_case(services, NYC, type="investigation", title="Other")
    grand_jury = actor("supervisor", user="gj", compartments=["GRAND-JURY"])
    hidden = cases.open_case(
        services, grand_jury, type="investigation", title="Secret", compartments={"GRAND-JURY"}
    )
    assert case.number.startswith("ERO-NYC-") and case.status == "open"
    cases.link_cases(services, NYC_SUP, case.id, other.id, reason="same supplier")
    view = cases.get_case(services, NYC, case.id)
    assert view.assignees == ["ana", "cy"]
    assert [(link.other_number, link.reason) for link in view.links] == [
        (other.number, "same supplier")
    ]
    with pytest.raises(AccessDenied):
        cases.get_case(services, NYC, hidden.id)
    with pytest.raises(NotFound):
        cases.link_cases(services, NYC, case.id, hidden.id, reason="guess")
    assert hidden.id not in [c.id for c in cases.list_cases(services, NYC)]
    with pytest.raises(AccessDenied):
        cases.close_case(services, NYC, case.id, "done")
    closed = cases.close_case(services, NYC_SUP, case.id, "charges filed")
    assert closed.status == "closed" and closed.close_reason == "charges filed"
    with pytest.raises(ValueError, match="needs a reason"):
        cases.close_case(services, NYC_SUP, other.id, " ")


def test_leads_are_triaged_then_converted_or_closed_with_a_reason(services):
    tip = cases.take_lead(services, NYC, summary="Caller reports a stash house", source="tipline")
    assert tip.status == "new"
    triaged = cases.triage_lead(services, NYC_SUP, tip.id, priority="high", assignee="ana")
    assert triaged.status == "triaged"
    assert [lead.id for lead in cases.my_queue(services, NYC).leads] == [tip.id]
    with pytest.raises(AccessDenied):
        cases.convert_lead(services, NYC, tip.id, title="Stash house")
    case = cases.convert_lead(services, NYC_SUP, tip.id, title="Stash house")
    assert case.unit == "ERO-NYC" and cases.get_case(services, NYC, case.id).assignees == ["ana"]
    with pytest.raises(ValueError, match="already converted"):
        cases.close_lead(services, NYC_SUP, tip.id, "duplicate")
    other = cases.take_lead(services, NYC, summary="Anonymous letter", source="mail")
    with pytest.raises(ValueError, match="needs a reason"):
        cases.close_lead(services, NYC_SUP, other.id, "")
    closed = cases.close_lead(services, NYC_SUP, other.id, "no actionable detail")
    assert closed.status == "closed" and closed.close_reason == "no actionable detail"
    assert cases.unit_queue(services, NYC_SUP).leads == []


def test_tasks_queues_and_notifications(services):
    case = cases.open_case(services, NYC_SUP, type="investigation", title="Ring")
    later = cases.create_task(
        services, NYC_SUP, case.id, "Serve subpoena", assignee="ana", due="2030-01-10"
    )
    soon = cases.create_task(
        services, NYC_SUP, case.id, "Interview", assignee="ana", due="2030-01-02"
    )
    cases.create_task(services, NYC_SUP, case.id, "Unassigned work")
    assert [t.id for t in cases.my_queue(services, NYC).tasks] == [soon.id, later.id]
    assert len(cases.unit_queue(services, NYC_SUP).tasks) == 3
    with pytest.raises(AccessDenied):
        cases.unit_queue(services, NYC)
    kinds = [n.kind for n in cases.list_notifications(services, NYC)]
    assert kinds == ["assigned", "assigned"]
    assert cases.notify_due(services, REMINDERS, "2030-01-05") == 1
    due = cases.list_notifications(services, NYC)[0]
    assert due.kind == "due" and "Interview" in due.message
    cases.mark_read(services, NYC, due.id)
    assert due.id not in [n.id for n in cases.list_notifications(services, NYC)]
    with pytest.raises(NotFound):
        cases.mark_read(services, MIA, due.id)
    done = cases.update_task(services, NYC, soon.id, status="done")
    assert done.status == "done"
    assert [t.id for t in cases.my_queue(services, NYC).tasks] == [later.id]
    with pytest.raises(ValueError, match="is not a date"):
        cases.create_task(services, NYC, case.id, "Bad", due="10/01/2030")
    with pytest.raises(AccessDenied):
        cases.create_task(services, MIA, case.id, "Not my unit")


def test_notes_and_timelines_newest_first(services):
    _person(services, "p-1", "Ana Reyes", birthDate="1990-04-02")
    case = cases.open_case(services, NYC, type="investigation", title="Ring")
    cases.add_subject(services, NYC, case.id, "p-1", "target")
    cases.add_case_note(services, NYC, case.id, "Met the informant at the pier.")
    cases.add_subject_note(services, NYC, "p-1", "Uses the alias Nena.")
    with services.store.transaction() as session:  # the hook the lifecycle concern feeds
        record_event(
            session,
            entity_id="p-1",
            case_id=case.id,
            kind="custody.booked",
            summary="Booked at Elizabeth detention centre",
            source="lifecycle",
            actor="system:lifecycle",
            ref="booking:B-1",
            occurred_at="2099-01-01T00:00:00Z",
        )
    assert [n.body for n in cases.list_notes(services, NYC, case_id=case.id)] == [
        "Met the informant at the pier."
    ]
    assert cases.list_notes(services, NYC, entity_id="p-1")[0].body == "Uses the alias Nena."
    timeline = cases.case_timeline(services, NYC, case.id)
    assert timeline[0].kind == "custody.booked"
    assert [e.kind for e in timeline[1:]] == ["note.added", "case.subject_added", "case.opened"]
    subject = cases.subject_timeline(services, NYC, "p-1")
    kinds = [e.kind for e in subject]
    assert kinds[0] == "custody.booked" and kinds[-1] == "statement.birthDate"
    assert "note.added" in kinds
    # Another unit sees the subject's dated facts but nothing from the case it may not read.
    mia_kinds = [e.kind for e in cases.subject_timeline(services, MIA, "p-1")]
    assert "case.subject_added" not in mia_kinds and "custody.booked" not in mia_kinds
    assert "statement.birthDate" in mia_kinds


def test_report_of_investigation_is_accessible_html(services):
    _person(services, "p-1", "Ana <Reyes>", birthDate="1990-04-02")
    case = cases.open_case(services, NYC, type="investigation", title="Ring")
    cases.add_subject(services, NYC, case.id, "p-1", "target")
    cases.add_case_note(services, NYC, case.id, "Surveillance log attached.")
    html = cases.report_html(services, NYC, case.id)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert f"<h1>Report of investigation: case {case.number}</h1>" in html
    assert "Ana &lt;Reyes&gt;" in html and '<th scope="col">Role</th>' in html
    assert "Surveillance log attached." in html
    with pytest.raises(AccessDenied):
        cases.report_html(services, MIA, case.id)


def _pdf_objects(pdf: bytes) -> bytes:
    """Every object of a PDF, its compressed streams inflated, as one byte string to search."""
    inflated = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            inflated.append(zlib.decompress(stream.group(1)))
    return b"\n".join(inflated)


def test_report_of_investigation_as_a_tagged_pdf(services):
    _person(services, "p-1", "Ana Reyes", birthDate="1990-04-02")
    case = cases.open_case(services, NYC, type="investigation", title="Ring")
    cases.add_subject(services, NYC, case.id, "p-1", "target")
    pdf = cases.report_pdf(services, NYC, case.id)
    assert pdf.startswith(b"%PDF-")
    objects = _pdf_objects(pdf)
    # Tagged: a structure tree with headings and a table, marked content, a language, a title shown.
    for needle in (
        b"/StructTreeRoot",
        b"/Marked true",
        b"/Lang",
        b"/H1",
        b"/Table",
        b"/DisplayDocTitle true",
    ):
        assert needle in objects, needle
    with pytest.raises(AccessDenied):
        cases.report_pdf(services, MIA, case.id)
