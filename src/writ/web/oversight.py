"""The oversight dashboard: how the system is used, from the audit ledger."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from starlette.responses import Response

from writ.service import audit as audit_service
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)
RECENT = 500


@router.get("/oversight")
def dashboard(request: Request, session: PageSession, svc: Svc) -> Response:
    rows = audit_service.entries(svc, session.actor, limit=RECENT)
    by_purpose = Counter(r["purpose"] or "(none)" for r in rows)
    denied = [r for r in rows if r["outcome"] == "denied"]
    failed_sign_ins = [r for r in rows if r["action"] == "session.sign-in" and r["outcome"] != "ok"]
    return render(
        request,
        "oversight.html",
        session,
        title="Oversight",
        recent=len(rows),
        by_purpose=by_purpose.most_common(),
        denied=denied[:20],
        denied_count=len(denied),
        failed_sign_ins=len(failed_sign_ins),
    )
