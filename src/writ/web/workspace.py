"""The investigation workspace beyond the case page itself: an evidence item with its chain of
custody, its download (after a fresh hash check), hand-overs and disposal; the report of
investigation as a PDF; a task completed, reassigned or given a new due date; a subject added to
the case. Every action goes through the same services as the API (policy and audit inside)."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from starlette.responses import Response

from writ.cases import service as case_service
from writ.resolve import service as resolve_service
from writ.service import NotFound
from writ.service.auth import SignedIn
from writ.service.permissions import may
from writ.web import confirm
from writ.web.cases import evidence_files
from writ.web.forms import FieldErrors, parse_date
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
CaseId = Annotated[str, Path(max_length=64)]
EvidenceId = Annotated[str, Path(max_length=64)]
TaskId = Annotated[str, Path(max_length=64)]
HAND_OVERS = {
    "transferred": "Transfer to another custodian",
    "checked_out": "Check out (to someone, for examination or court)",
    "checked_in": "Check back in (you receive it)",
    "received": "Receive it (you take custody)",
}


def _item(svc: Svc, session: SignedIn, case_id: str, evidence_id: str):  # type: ignore[no-untyped-def]
    """The item and its chain, refused as not found when it is not on this case."""
    item, chain = case_service.custody_chain(svc, session.actor, evidence_id)
    if item.case_id != case_id:
        raise NotFound(f"no evidence {evidence_id} on case {case_id}")
    return item, chain


@router.get("/cases/{case_id}/evidence/{evidence_id}")
def evidence_page(
    request: Request, session: PageSession, svc: Svc, case_id: CaseId, evidence_id: EvidenceId
) -> Response:
    actor = session.actor
    view = case_service.get_case(svc, actor, case_id)
    item, chain = _item(svc, session, case_id, evidence_id)
    on_evidence = view.case.resource("evidence")
    today = datetime.now(UTC).date().isoformat()
    return render(
        request,
        "evidence.html",
        session,
        title=f"Evidence {item.filename}",
        case=view.case,
        item=item,
        chain=chain,
        hand_overs=list(HAND_OVERS.items()),
        can_hand_over=may(svc, actor, "update", on_evidence),
        can_dispose=may(svc, actor, "approve", on_evidence),
        retention_passed=item.retain_until <= today,
    )


@router.get("/cases/{case_id}/evidence/{evidence_id}/content")
def download_evidence(
    request: Request, session: PageSession, svc: Svc, case_id: CaseId, evidence_id: EvidenceId
) -> Response:
    """The content, after its SHA-256 is checked again (a mismatch is recorded and alerted, and
    nothing is served)."""
    _item(svc, session, case_id, evidence_id)
    try:
        item, content = case_service.retrieve_evidence(
            svc, session.actor, evidence_id, evidence_files(request)
        )
    except case_service.EvidenceIntegrityError as broken:
        return see_other(request, f"/cases/{case_id}/evidence/{evidence_id}", str(broken), "error")
    kind = mimetypes.guess_type(item.filename)[0] or "application/octet-stream"
    return Response(
        content,
        media_type=kind,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.filename)}",
            "Digest": f"sha-256={item.sha256}",
        },
    )


@router.post("/cases/{case_id}/evidence/{evidence_id}/custody")
def hand_over(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    evidence_id: EvidenceId,
    event: Annotated[str, Form(max_length=32)] = "",
    to_party: Annotated[str, Form(max_length=128)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if event not in HAND_OVERS:
        raise FieldErrors(event="Choose what happens to the item.")
    if event in ("transferred", "checked_out") and not to_party.strip():
        raise FieldErrors(to_party="Name who receives the item.")
    _item(svc, session, case_id, evidence_id)
    item = case_service.record_custody(
        svc,
        session.actor,
        evidence_id,
        event,
        to_party=to_party.strip() or None,
        note=note.strip(),
    )
    return see_other(
        request,
        f"/cases/{case_id}/evidence/{evidence_id}#chain",
        f"Recorded on the chain of custody: {event.replace('_', ' ')}; custodian now "
        f"{item.custodian}.",
    )


@router.post("/cases/{case_id}/evidence/{evidence_id}/dispose")
def dispose(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    evidence_id: EvidenceId,
    reason: Annotated[str, Form(max_length=2000)] = "",
    confirmed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    if not reason.strip():
        raise FieldErrors(reason="Say why the item is disposed of.")
    item, _ = _item(svc, session, case_id, evidence_id)
    if not confirm.confirmed(confirmed):
        return confirm.confirmation(
            request,
            session,
            title=f"Dispose of {item.filename}?",
            consequences=[
                "The item is recorded as disposed of, in your name with your reason, on its "
                "chain of custody; no hand-over, check-out or verification can follow.",
                "The record and its SHA-256 stay, as the law on retention requires; the "
                "disposal is in the case's timeline and the audit log.",
            ],
            facts=[
                ("Item", f"{item.filename}: {item.description}"),
                ("SHA-256", item.sha256),
                ("Kept until", item.retain_until),
                ("Custodian", item.custodian),
                ("Your reason", reason.strip()),
            ],
            action=f"/cases/{case_id}/evidence/{evidence_id}/dispose",
            fields=confirm.resent(request),
            button=f"Dispose of {item.filename}",
            back=f"/cases/{case_id}/evidence/{evidence_id}",
        )
    case_service.dispose_evidence(svc, session.actor, evidence_id, reason)
    return see_other(
        request, f"/cases/{case_id}/evidence/{evidence_id}#chain", f"{item.filename} disposed of."
    )


@router.get("/cases/{case_id}/report.pdf")
def report(request: Request, session: PageSession, svc: Svc, case_id: CaseId) -> Response:
    """The report of investigation as a tagged PDF (an export: audited, and it needs a
    step-up sign-in where the deployment asks for one)."""
    view = case_service.get_case(svc, session.actor, case_id)
    pdf = case_service.report_pdf(svc, session.actor, case_id)
    name = f"report-of-investigation-{view.case.number}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


# -- tasks ------------------------------------------------------------------------------------


@router.post("/cases/{case_id}/tasks/{task_id}")
def change_task(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    task_id: TaskId,
    step: Annotated[str, Form(pattern="^(complete|reopen|reassign|due|cancel)$")],
    assignee: Annotated[str, Form(max_length=128)] = "",
    due: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    actor = session.actor
    task = case_service.get_task(svc, actor, task_id)
    if task.case_id != case_id:
        raise NotFound(f"no task {task_id} on case {case_id}")
    if step == "reassign":
        if not assignee.strip():
            raise FieldErrors(assignee="Choose who the task goes to.")
        changed = case_service.update_task(svc, actor, task_id, assignee=assignee.strip())
        note = f"Task “{task.title}” reassigned to {changed.assignee}."
    elif step == "due":
        when = parse_date("due", due, required=True)
        changed = case_service.update_task(svc, actor, task_id, due=when)
        note = f"Task “{task.title}” now due {changed.due}."
    else:
        status = {"complete": "done", "reopen": "open", "cancel": "cancelled"}[step]
        changed = case_service.update_task(svc, actor, task_id, status=status)
        note = f"Task “{task.title}” is {changed.status}."
    return see_other(request, f"/cases/{case_id}#tasks", note)


# -- subjects on the case ---------------------------------------------------------------------


@router.post("/cases/{case_id}/subjects")
def add_subject(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    subject: Annotated[str, Form(max_length=128)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Put a person on the case, by their subject id (S-…) or a record's id, with deconfliction
    against every other open case: a case the person may not read names only whom to contact."""
    wanted = subject.strip()
    if not wanted:
        raise FieldErrors(subject="Enter the subject's id, as the profile shows it (S-…).")
    if role not in case_service.ROLES_ON_CASE:
        raise FieldErrors(role="Choose the person's role on the case.")
    # A subject id stands for its records: the case names one of them (the one typed, if a
    # record's id was typed). A record that was never resolved is named as it is.
    try:
        found = resolve_service.subject_resolution(svc, session.actor, wanted)
    except NotFound:
        entity_id, shown = wanted, wanted
    else:
        typed = [r.entity_id for r in found.records if r.entity_id == wanted]
        entity_id = (typed or [r.entity_id for r in found.records] or [wanted])[0]
        shown = found.subject_id
    try:
        added = case_service.add_subject(svc, session.actor, case_id, entity_id, role)
    except NotFound:
        raise FieldErrors(subject=f"No subject or record {wanted} that you may read.") from None
    note = f"{shown} added to the case as {role}."
    if added.also_on:
        note += f" Also on your unit's open cases: {', '.join(added.also_on)}."
    for conflict in added.conflicts:
        note += f" {conflict.message()}"
    kind = "warning" if added.conflicts else "success"
    return see_other(request, f"/cases/{case_id}#people", note, kind)
