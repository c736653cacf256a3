"""Oversight reports: gates fired, overrides, citizenship claims and access by purpose over the
newest audit entries, and the overdue clocks of open immigration cases.

The same figures as the oversight page, read through the same services (the audit ledger's
``entries`` and the lifecycle's ``overdue_report``), so the same policies decide who sees them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from writ.api.deps import CurrentActor, Svc
from writ.api.routers.audit import AuditEntry
from writ.lifecycle import service as lc
from writ.service import AccessDenied
from writ.service import audit as audit_service

router = APIRouter(tags=["oversight"])
Recent = Annotated[
    int, Query(ge=1, le=10000, description="How many of the newest audit entries to count.")
]


class GateCount(BaseModel):
    rule: str
    outcome: str
    count: int


class PurposeCount(BaseModel):
    purpose: str
    entries: int
    denied: int


class ActivityReport(BaseModel):
    """What the newest ``window`` audit entries show."""

    window: int
    first_seq: int | None
    last_seq: int | None
    access_by_purpose: list[PurposeCount]
    denied: int
    failed_sign_ins: int
    gates_fired: list[GateCount]
    overrides: list[AuditEntry]
    citizenship_claims: list[AuditEntry]


class OverdueItemOut(BaseModel):
    case_id: str
    subject_name: str
    unit: str
    clock: str
    title: str
    citation: str
    started_at: datetime
    due_at: datetime


class OverdueOut(BaseModel):
    generated_at: datetime
    by_clock: dict[str, int]
    by_unit: dict[str, int]
    items: list[OverdueItemOut]


class OversightReport(BaseModel):
    """Both reports; ``overdue`` is null with ``overdue_denied`` naming the policy if refused."""

    activity: ActivityReport
    overdue: OverdueOut | None
    overdue_denied: str | None


def _gates(rows: list[dict[str, Any]]) -> list[GateCount]:
    fired: Counter[tuple[str, str]] = Counter()
    for row in rows:
        details = row["details"]
        gate = details.get("gate") if isinstance(details, dict) else None
        if not isinstance(gate, dict):
            continue
        for finding in gate.get("fired", []):
            fired[(str(finding.get("rule", "?")), str(gate.get("outcome", "?")))] += 1
    ranked = sorted(fired.items(), key=lambda kv: (-kv[1], kv[0]))
    return [GateCount(rule=rule, outcome=outcome, count=n) for (rule, outcome), n in ranked]


def _is_claim(row: dict[str, Any]) -> bool:
    """A citizenship claim recorded (a legal document of that kind), investigated or signed off."""
    if row["action"].startswith("citizenship-claim."):
        return True
    details = row["details"]
    return (
        row["action"] == "legal-document.create"
        and isinstance(details, dict)
        and details.get("kind") == "citizenship_claim"
    )


def _activity(svc: Svc, actor: CurrentActor, recent: int) -> ActivityReport:
    rows = audit_service.entries(svc, actor, limit=recent)
    purposes: Counter[str] = Counter()
    denied: Counter[str] = Counter()
    for row in rows:
        purpose = row["purpose"] or "(none)"
        purposes[purpose] += 1
        if row["outcome"] == "denied":
            denied[purpose] += 1
    return ActivityReport(
        window=len(rows),
        first_seq=rows[-1]["seq"] if rows else None,
        last_seq=rows[0]["seq"] if rows else None,
        access_by_purpose=[
            PurposeCount(purpose=p, entries=n, denied=denied[p])
            for p, n in sorted(purposes.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        denied=sum(denied.values()),
        failed_sign_ins=sum(
            1 for r in rows if r["action"] == "session.sign-in" and r["outcome"] != "ok"
        ),
        gates_fired=_gates(rows),
        overrides=[
            AuditEntry(**r)
            for r in rows
            if r["action"] == "gate-override.create" and r["outcome"] == "ok"
        ],
        citizenship_claims=[AuditEntry(**r) for r in rows if _is_claim(r)],
    )


def _overdue(report: lc.OverdueReport) -> OverdueOut:
    return OverdueOut(
        generated_at=report.generated_at,
        by_clock=report.by_clock,
        by_unit=report.by_unit,
        items=[OverdueItemOut(**dataclasses.asdict(i)) for i in report.items],
    )


@router.get(
    "/oversight/activity",
    response_model=ActivityReport,
    summary="Gates fired, overrides, citizenship claims and access by purpose",
)
def activity(svc: Svc, actor: CurrentActor, recent: Recent = 1000) -> ActivityReport:
    return _activity(svc, actor, recent)


@router.get(
    "/oversight/overdue",
    response_model=OverdueOut,
    summary="Overdue clocks on open immigration cases, by clock and by unit",
)
def overdue(svc: Svc, actor: CurrentActor) -> OverdueOut:
    return _overdue(lc.overdue_report(svc, actor))


@router.get(
    "/oversight/report",
    response_model=OversightReport,
    summary="The oversight dashboard's figures in one document",
)
def report(svc: Svc, actor: CurrentActor, recent: Recent = 1000) -> OversightReport:
    activity = _activity(svc, actor, recent)
    try:
        return OversightReport(
            activity=activity, overdue=_overdue(lc.overdue_report(svc, actor)), overdue_denied=None
        )
    except AccessDenied as denied:
        return OversightReport(
            activity=activity, overdue=None, overdue_denied=denied.decision.policy
        )
