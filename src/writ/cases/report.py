"""The report of investigation: accessible HTML generated from the case record, and the same
report as a tagged PDF (PDF/UA-1, made by WeasyPrint from that HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from writ.audit.ledger import utcnow
from writ.cases.records import load_case
from writ.cases.timeline import TimelineEvent
from writ.model.actor import Actor
from writ.model.subject import assemble
from writ.service.operation import Operation, Services
from writ.service.subjects import load_statements, person_resource
from writ.store.tables.cases import (
    case_assignees,
    case_subjects,
    custody_events,
    evidence,
    notes,
    tasks,
    timeline_events,
)

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class ReportSubject:
    entity_id: str
    name: str
    role: str
    birth_date: str
    nationality: str


def report_html(svc: Services, actor: Actor, case_id: str) -> str:
    """The case as a report of investigation. Subjects the actor may not read are left out."""
    with svc.operation(actor, "export", audit_action="case.report") as op:
        op.details["format"] = "html"
        return _render(svc, actor, op, case_id)


def report_pdf(svc: Services, actor: Actor, case_id: str) -> bytes:
    """The same report as a tagged PDF (PDF/UA-1: structure tree, language, title), for filing."""
    from weasyprint import HTML  # imported here: loading Pango costs start-up time elsewhere

    with svc.operation(actor, "export", audit_action="case.report") as op:
        op.details["format"] = "pdf"
        html = _render(svc, actor, op, case_id)
        return bytes(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))


def _render(svc: Services, actor: Actor, op: Operation, case_id: str) -> str:
    """Build the report's HTML inside the caller's operation (policy asked, audit detailed)."""
    case = load_case(op.session, case_id)
    op.authorize(case.resource())
    session = op.session
    subjects = []
    for row in session.execute(
        select(case_subjects)
        .where(case_subjects.c.case_id == case_id)
        .order_by(case_subjects.c.added_at)
    ):
        if not svc.policy.decide(actor, "read", person_resource(session, row.entity_id)).allowed:
            continue
        subject = assemble(row.entity_id, load_statements(session, [row.entity_id]))
        subjects.append(
            ReportSubject(
                row.entity_id,
                subject.caption,
                row.role,
                subject.first("birthDate") or "",
                subject.first("nationality") or "",
            )
        )
    assignees = list(
        session.execute(
            select(case_assignees.c.username).where(case_assignees.c.case_id == case_id)
        ).scalars()
    )
    items = session.execute(
        select(evidence).where(evidence.c.case_id == case_id).order_by(evidence.c.collected_at)
    ).all()
    chains = {
        item.id: session.execute(
            select(custody_events)
            .where(custody_events.c.evidence_id == item.id)
            .order_by(custody_events.c.id)
        ).all()
        for item in items
    }
    events = [
        TimelineEvent(r.occurred_at, r.kind, r.summary, r.source, r.actor, r.ref)
        for r in session.execute(
            select(timeline_events)
            .where(timeline_events.c.case_id == case_id)
            .order_by(timeline_events.c.occurred_at.desc(), timeline_events.c.id.desc())
        )
    ]
    html = _env.get_template("report.html").render(
        case=case,
        assignees=sorted(assignees),
        subjects=subjects,
        notes=session.execute(
            select(notes).where(notes.c.case_id == case_id).order_by(notes.c.id)
        ).all(),
        tasks=session.execute(
            select(tasks).where(tasks.c.case_id == case_id).order_by(tasks.c.created_at)
        ).all(),
        evidence=items,
        chains=chains,
        events=events,
        generated_at=utcnow(),
        generated_by=actor.user,
    )
    op.details.update(subjects=len(subjects), evidence=len(items))
    return html
