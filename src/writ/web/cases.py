"""Investigation cases: open one, and its page in Caseflow's order (alerts, identity bar, active
tasks, then the sections in a side navigation), with evidence added and verified from the page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from starlette.responses import Response

from writ.cases import service as case_service
from writ.service.permissions import may
from writ.web.forms import FieldErrors, parse_date
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
CaseId = Annotated[str, Path(max_length=64)]
MAX_EVIDENCE_BYTES = 50 * 1024 * 1024


def evidence_files(request: Request) -> case_service.FileEvidenceStore:
    root: FilePath = request.app.state.evidence_root
    return case_service.FileEvidenceStore(root)


def _back(
    request: Request, case_id: str, note: str, anchor: str = "", kind: str = "success"
) -> Response:
    target = f"/cases/{case_id}" + (f"#{anchor}" if anchor else "")
    return see_other(request, target, note, kind)


@router.get("/cases")
def case_list(request: Request, session: PageSession, svc: Svc) -> Response:
    found = case_service.list_cases(svc, session.actor)
    return render(
        request,
        "cases.html",
        session,
        title="Cases",
        cases=found,
        types=case_service.CASE_TYPES,
    )


@router.post("/cases")
def open_case(
    request: Request,
    session: FormSession,
    svc: Svc,
    title: Annotated[str, Form(max_length=500)] = "",
    type: Annotated[str, Form(max_length=64)] = "investigation",
) -> Response:
    case = case_service.open_case(svc, session.actor, type=type, title=title.strip())
    return _back(request, case.id, f"Case {case.number} opened.")


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    session: PageSession,
    svc: Svc,
    case_id: CaseId,
) -> Response:
    actor = session.actor
    view = case_service.get_case(svc, actor, case_id)
    tasks = [t for t in case_service.my_queue(svc, actor).tasks if t.case_id == case_id]
    case = view.case
    # Which forms this person may use: the policy's answer, not a copy in the template.
    can = {
        "update": may(svc, actor, "update", case.resource()),
        "add_evidence": may(svc, actor, "create", case.resource("evidence")),
        "update_tasks": may(svc, actor, "update", case.resource("task")),
        "export": may(svc, actor, "export", case.resource()),
    }
    return render(
        request,
        "case.html",
        session,
        title=view.case.title,
        view=view,
        tasks=tasks,
        all_tasks=case_service.case_tasks(svc, actor, case_id),
        can=can,
        roles_on_case=[(r, r.capitalize()) for r in case_service.ROLES_ON_CASE],
        evidence=case_service.case_evidence(svc, actor, case_id),
        timeline=case_service.case_timeline(svc, actor, case_id),
        notes=case_service.list_notes(svc, actor, case_id=case_id),
        retain_default=(date.today() + timedelta(days=365 * 7)).isoformat(),
    )


@router.post("/cases/{case_id}/evidence")
async def add_evidence(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    content: Annotated[UploadFile, File()],
    description: Annotated[str, Form(max_length=2000)] = "",
    retain_until: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    keep_until = parse_date("retain_until", retain_until, required=True)
    if not description.strip():
        raise FieldErrors(description="Say what the item is.")
    filename = (content.filename or "upload").strip()
    if len(filename) > 255 or re.search(r"[\x00-\x1f\x7f]", filename):
        raise FieldErrors(content="The file name must be 1 to 255 characters, no control ones.")
    data = await content.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise FieldErrors(content=f"{filename} is larger than 50 MB.")
    item = case_service.add_evidence(
        svc,
        session.actor,
        case_id,
        data,
        filename=filename,
        description=description.strip(),
        retain_until=keep_until or "",
        files=evidence_files(request),
    )
    return _back(
        request,
        case_id,
        f"Evidence {item.filename} stored with SHA-256 {item.sha256}.",
        anchor="evidence",
    )


@router.post("/cases/{case_id}/evidence/{evidence_id}/verify")
def verify_evidence(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    evidence_id: Annotated[str, Path(max_length=64)],
    back: Annotated[str, Form(pattern="^(case|item)$")] = "case",
) -> Response:
    anchor = "evidence"
    if back == "item":
        case_id, anchor = f"{case_id}/evidence/{evidence_id}", "chain"
    try:
        digest = case_service.verify_evidence(
            svc, session.actor, evidence_id, evidence_files(request)
        )
    except case_service.EvidenceIntegrityError as broken:
        return _back(request, case_id, str(broken), anchor=anchor, kind="error")
    return _back(request, case_id, f"Verified: the content still hashes to {digest}.", anchor)


@router.post("/cases/{case_id}/tasks")
def add_task(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    title: Annotated[str, Form(max_length=500)] = "",
    due: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if not title.strip():
        raise FieldErrors(title="Enter what the task is.")
    case_service.create_task(
        svc, session.actor, case_id, title, assignee=session.actor.user, due=parse_date("due", due)
    )
    return _back(request, case_id, "Task added.", anchor="tasks")


@router.post("/cases/{case_id}/notes")
def add_note(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    body: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    case_service.add_case_note(svc, session.actor, case_id, body)
    return _back(request, case_id, "Note added.", anchor="notes")
