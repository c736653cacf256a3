"""The oversight dashboard: gates fired, overrides, overdue clocks, citizenship claims and access
by purpose, from the audit ledger and the lifecycle's overdue report."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from writ.lifecycle import service as lc
from writ.service import AccessDenied
from writ.service import audit as audit_service
from writ.web.guard import PageSession, Svc
from writ.web.templating import render

router = APIRouter(include_in_schema=False)
RECENT = 1000


def _gates(rows: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(rule, outcome) for every rule that fired on a gated action in ``rows``."""
    fired: Counter[tuple[str, str]] = Counter()
    for row in rows:
        gate = row["details"].get("gate") if isinstance(row["details"], dict) else None
        if not gate:
            continue
        for finding in gate.get("fired", []):
            fired[(finding.get("rule", "?"), gate.get("outcome", "?"))] += 1
    return fired


@router.get("/oversight")
def dashboard(request: Request, session: PageSession, svc: Svc) -> Response:
    rows = audit_service.entries(svc, session.actor, limit=RECENT)
    overdue: lc.OverdueReport | None = None
    overdue_denied: AccessDenied | None = None
    try:
        overdue = lc.overdue_report(svc, session.actor)
    except AccessDenied as denied:
        overdue_denied = denied
    return render(
        request,
        "oversight.html",
        session,
        title="Oversight",
        recent=len(rows),
        by_purpose=Counter(r["purpose"] or "(none)" for r in rows).most_common(),
        denied=[r for r in rows if r["outcome"] == "denied"][:20],
        denied_count=sum(1 for r in rows if r["outcome"] == "denied"),
        failed_sign_ins=sum(
            1 for r in rows if r["action"] == "session.sign-in" and r["outcome"] != "ok"
        ),
        gates=sorted(_gates(rows).items(), key=lambda kv: -kv[1]),
        overrides=[
            r for r in rows if r["action"] == "gate-override.create" and r["outcome"] == "ok"
        ],
        claims=[r for r in rows if r["action"].startswith("citizenship-claim.")],
        overdue=overdue,
        overdue_denied=overdue_denied,
    )
