"""The investigation workspace on the pages, in Chromium: a person added to a case (a wrong id
refused beside the field), tasks completed, reopened, reassigned and given a new due date, an
evidence item downloaded after its hash check with its chain of custody, a hand-over, a disposal
after its confirmation, and the report of investigation as a PDF."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from browser.test_sign_in import new_person, sign_in
from helpers import actor, put_statements
from writ.cases import service as case_service


def _case(live_writ, owner) -> str:
    return case_service.open_case(
        live_writ.services,
        actor("officer", user=owner.username),
        type="investigation",
        title="Forged visas, Jackson Heights",
    ).id


def test_people_and_tasks_on_the_case(visit, live_writ):
    put_statements(
        live_writ.services,
        "ws-elena",
        "Person",
        {"firstName": "Elena", "lastName": "Marsh", "name": "Elena Marsh"},
        source="court_records",
        record_id="C-9001",
    )
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    colleague = new_person(live_writ, {"officer"}, "Oscar Lind")
    case_id = _case(live_writ, officer)
    sign_in(visit, officer, "investigation", start=f"/cases/{case_id}")
    page = visit.page

    page.fill("#subject-subject", "nobody-such")
    page.select_option("#subject-role", "target")
    visit.submit("[data-testid=add-subject] button[type=submit]")
    assert "No subject or record nobody-such" in page.inner_text("#subject-subject-error")
    assert page.input_value("#subject-role") == "target"
    visit.check_widths()
    page.fill("#subject-subject", "ws-elena")
    visit.submit("[data-testid=add-subject] button[type=submit]")
    assert "added to the case as target" in page.inner_text("[data-testid=note]")
    assert "Elena Marsh — target" in page.inner_text("[data-testid=case-subjects]")

    page.fill("#task-title", "Interview the landlord")
    page.fill("#task-due", (date.today() + timedelta(days=3)).strftime("%m/%d/%Y"))
    visit.submit("#tasks form[action$='/tasks'] button[type=submit]")
    row = page.locator("[data-testid=tasks] tbody tr", has_text="Interview the landlord")
    assert row.locator("[data-testid=task-status]").inner_text() == "open"
    task_id = row.get_attribute("data-task")
    visit.submit(f"tr[data-task='{task_id}'] button:has-text('Mark done')")
    assert "is done" in page.inner_text("[data-testid=note]")
    visit.submit(f"tr[data-task='{task_id}'] button:has-text('Reopen')")
    row = page.locator(f"tr[data-task='{task_id}']")
    row.locator("summary").click()
    page.fill(f"#reassign-{task_id}-assignee", colleague.username)
    visit.submit(f"tr[data-task='{task_id}'] button:has-text('Reassign')")
    assert f"reassigned to {colleague.username}" in page.inner_text("[data-testid=note]")
    assert colleague.username in page.inner_text(f"tr[data-task='{task_id}']")
    visit.check_widths()


def test_evidence_download_chain_hand_over_and_disposal(visit, live_writ, tmp_path):
    svc = live_writ.services
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    supervisor = new_person(live_writ, {"supervisor"}, "Samuel Park")
    case_id = _case(live_writ, officer)
    content = b"Ledger page 14: cash to the print shop, April.\n"
    old = case_service.add_evidence(
        svc,
        actor("officer", user=officer.username),
        case_id,
        b"Receipt from 2009, kept ten years.\n",
        filename="receipt-2009.txt",
        description="A receipt past its retention",
        retain_until=(date.today() - timedelta(days=1)).isoformat(),
        files=case_service.FileEvidenceStore(live_writ.home / "evidence"),
    )
    sign_in(visit, officer, "investigation", start=f"/cases/{case_id}")
    page = visit.page
    upload = tmp_path / "ledger-page-14.txt"
    upload.write_bytes(content)
    page.set_input_files("#evidence-content", str(upload))
    page.fill("#evidence-description", "Photographed ledger page")
    page.fill("#evidence-retain_until", "")
    # A browser that does not check required fields itself: the server refuses, the form
    # comes back with the description kept and the file to be chosen again.
    page.eval_on_selector("#evidence form[enctype]", "form => { form.noValidate = true; }")
    visit.submit("#evidence button:has-text('Add evidence')")
    assert "Enter a date" in page.inner_text("#evidence-retain_until-error")
    assert "Choose the file again" in page.inner_text("[data-testid=error-summary]")
    assert page.input_value("#evidence-description") == "Photographed ledger page"
    page.set_input_files("#evidence-content", str(upload))
    page.fill("#evidence-retain_until", "12/31/2032")
    visit.submit("#evidence button:has-text('Add evidence')")
    visit.submit("[data-testid=evidence] a:has-text('ledger-page-14.txt')")
    assert page.inner_text("h1") == "Evidence: ledger-page-14.txt"
    digest = hashlib.sha256(content).hexdigest()
    assert digest in page.inner_text("[data-testid=evidence-facts]")
    with page.expect_download() as download:
        page.click("[data-testid=download]")
    saved = tmp_path / "download.txt"
    download.value.save_as(saved)
    assert saved.read_bytes() == content
    visit.check_widths()

    page.select_option("#custody-event", "checked_out")
    visit.submit("#hand-over-h + form button[type=submit]")  # no receiver named
    assert "Name who receives the item" in page.inner_text("#custody-to_party-error")
    page.fill("#custody-to_party", "lab-tech-1")
    page.fill("#custody-note", "To the document lab for ink dating")
    visit.submit("#hand-over-h + form button[type=submit]")
    assert page.inner_text("[data-testid=evidence-custodian]") == "lab-tech-1"
    chain = page.inner_text("[data-testid=custody-chain]")
    assert "collected" in chain and "checked out" in chain and "ink dating" in chain
    visit.submit("[data-testid=verify]")
    assert "Verified" in page.inner_text("[data-testid=note]")
    assert "kept until 2032-12-31" in page.inner_text("[data-testid=retention]").lower()
    assert "verified" in page.inner_text("[data-testid=custody-chain]")

    # The item past its retention: an officer is told who approves a disposal.
    visit.goto(f"/cases/{case_id}/evidence/{old.id}")
    assert "a supervisor or a records custodian of ERO-NYC" in page.inner_text(
        "[data-testid=who-may-dispose]"
    )
    page.context.clear_cookies()
    sign_in(visit, supervisor, "investigation", start=f"/cases/{case_id}/evidence/{old.id}")
    page.fill("#dispose-reason", "Retention period over; no hold on the case")
    visit.submit("#dispose-h + form button[type=submit]")
    assert page.inner_text("h1") == "Dispose of receipt-2009.txt?"
    assert "cannot be undone" in page.inner_text("[data-testid=confirm-undo]")
    visit.check_widths()
    visit.submit("[data-testid=confirm]")
    assert "disposed" in page.inner_text("[data-testid=evidence-status]")
    assert "Retention period over" in page.inner_text("[data-testid=custody-chain]")


def test_the_report_of_investigation_as_a_pdf(visit, live_writ, tmp_path):
    officer = new_person(live_writ, {"officer"}, "Olivia Ortega")
    case_id = _case(live_writ, officer)
    sign_in(visit, officer, "investigation", start=f"/cases/{case_id}")
    page = visit.page
    with page.expect_download() as download:
        page.click("[data-testid=report-link]")
    assert download.value.suggested_filename.startswith("report-of-investigation-ERO-NYC-")
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes()[:5] == b"%PDF-"
    oversight = new_person(live_writ, {"oversight"}, "Olive Grant")
    page.context.clear_cookies()
    sign_in(visit, oversight, "oversight", start=f"/audit?action=case.report&object_id={case_id}")
    assert page.inner_text("[data-testid=audit-total]").startswith("1 entry matches")
