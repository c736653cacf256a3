"""Investigations workspace services: cases, subjects on cases, deconfliction, links, leads, tasks,
work queues, notifications and notes. Every one runs through ``Services.operation``.

Evidence, the link graph, the timeline, the report and followthemoney interchange have their own
modules; their services are re-exported here so interfaces import one module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from writ.audit.ledger import utcnow
from writ.cases.evidence import (
    CustodyEvent,
    Evidence,
    EvidenceIntegrityError,
    EvidenceStore,
    FileEvidenceStore,
    add_evidence,
    case_evidence,
    custody_chain,
    dispose_evidence,
    record_custody,
    retrieve_evidence,
    verify_evidence,
)
from writ.cases.graph import EDGE_TYPES, Edge, Graph, Node, export_graph, neighbours, shortest_path
from writ.cases.interchange import FtmImport, export_ftm, import_ftm
from writ.cases.records import (
    CASE_TYPES,
    ROLES_ON_CASE,
    Case,
    case_from_row,
    load_case,
    new_id,
    notify,
    record_event,
    require,
)
from writ.cases.report import report_html, report_pdf
from writ.cases.timeline import TimelineEvent, case_timeline, subject_timeline
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service.operation import NotFound, Services
from writ.service.subjects import names_of, person_resource
from writ.store.tables.cases import (
    case_assignees,
    case_links,
    case_subjects,
    cases,
    leads,
    notes,
    notifications,
    tasks,
)
from writ.store.tables.core import statements

__all__ = [
    "CASE_TYPES",
    "EDGE_TYPES",
    "ROLES_ON_CASE",
    "Case",
    "CustodyEvent",
    "Edge",
    "Evidence",
    "EvidenceIntegrityError",
    "EvidenceStore",
    "FileEvidenceStore",
    "FtmImport",
    "Graph",
    "Node",
    "TimelineEvent",
    "add_evidence",
    "case_evidence",
    "case_timeline",
    "custody_chain",
    "dispose_evidence",
    "export_ftm",
    "export_graph",
    "import_ftm",
    "neighbours",
    "record_custody",
    "record_event",
    "report_html",
    "report_pdf",
    "retrieve_evidence",
    "shortest_path",
    "subject_timeline",
    "verify_evidence",
]

TASK_STATUSES = ("open", "in-progress", "done", "cancelled")
LEAD_PRIORITIES = ("low", "medium", "high")


@dataclass(frozen=True)
class Conflict:
    """Another unit holds this subject on an open case: whom to contact, and nothing else."""

    contact: str
    unit: str

    def message(self) -> str:
        return (
            f"Deconfliction: this subject is on an open case of another unit. "
            f"Contact {self.contact} ({self.unit}) before acting."
        )


@dataclass(frozen=True)
class SubjectAdded:
    case_id: str
    entity_id: str
    role: str
    conflicts: list[Conflict] = field(default_factory=list)
    also_on: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseSubject:
    entity_id: str
    role: str
    added_by: str
    added_at: str
    name: str = ""  # the person's name, if the actor may read them
    subject_id: str | None = None  # the subject the record was resolved into

    @property
    def href(self) -> str:
        return f"/subjects/{self.subject_id or self.entity_id}"


@dataclass(frozen=True)
class CaseLink:
    other_case_id: str
    other_number: str
    relation: str
    reason: str


@dataclass(frozen=True)
class CaseView:
    case: Case
    assignees: list[str]
    subjects: list[CaseSubject]
    links: list[CaseLink]


@dataclass(frozen=True)
class Lead:
    id: str
    unit: str
    summary: str
    source: str
    status: str
    priority: str | None
    assignee: str | None
    received_at: str
    close_reason: str | None
    case_id: str | None


@dataclass(frozen=True)
class Task:
    id: str
    case_id: str
    title: str
    assignee: str | None
    due: str | None
    status: str


@dataclass(frozen=True)
class Notification:
    id: int
    kind: str
    message: str
    object_kind: str
    object_id: str
    created_at: str
    read_at: str | None


@dataclass(frozen=True)
class Note:
    id: int
    case_id: str | None
    entity_id: str | None
    body: str
    author: str
    created_at: str


@dataclass(frozen=True)
class WorkQueue:
    tasks: list[Task]
    leads: list[Lead]


# --- cases ------------------------------------------------------------------------------------


def _next_number(session: Session, unit: str) -> str:
    year = datetime.now(UTC).year
    prefix = f"{unit}-{year}-"
    count = session.execute(
        select(func.count()).select_from(cases).where(cases.c.number.like(f"{prefix}%"))
    ).scalar_one()
    return f"{prefix}{count + 1:04d}"


def open_case(
    svc: Services,
    actor: Actor,
    *,
    type: str,
    title: str,
    unit: str | None = None,
    compartments: frozenset[str] | set[str] = frozenset(),
    sealed: bool = False,
    assignees: list[str] | None = None,
) -> Case:
    """Open a case owned by ``unit`` (the actor's by default); the actor becomes its owner."""
    if type not in CASE_TYPES:
        raise ValueError(f"case type {type!r} is not one of {list(CASE_TYPES)}")
    if not title.strip():
        raise ValueError("case title: must not be empty")
    unit = unit or actor.unit
    draft = Resource("case", "new", unit, frozenset(compartments), sealed, actor.user)
    with svc.operation(actor, "create", draft) as op:
        return _insert_case(op.session, actor, type, title, unit, compartments, sealed, assignees)


def _insert_case(
    session: Session,
    actor: Actor,
    type: str,
    title: str,
    unit: str,
    compartments: frozenset[str] | set[str],
    sealed: bool,
    assignees: list[str] | None,
) -> Case:
    case_id = new_id()
    number = _next_number(session, unit)
    now = utcnow()
    session.execute(
        insert(cases).values(
            id=case_id,
            number=number,
            type=type,
            title=title.strip(),
            unit=unit,
            owner=actor.user,
            status="open",
            compartments=sorted(compartments),
            sealed=sealed,
            opened_at=now,
            opened_by=actor.user,
        )
    )
    record_event(
        session,
        case_id=case_id,
        kind="case.opened",
        summary=f"Case {number} opened: {title.strip()}",
        source="cases",
        actor=actor.user,
        ref=f"case:{case_id}",
    )
    for username in assignees or []:
        _assign(session, actor, case_id, number, username)
    return load_case(session, case_id)


def _assign(session: Session, actor: Actor, case_id: str, number: str, username: str) -> None:
    exists = session.execute(
        select(case_assignees.c.username).where(
            case_assignees.c.case_id == case_id, case_assignees.c.username == username
        )
    ).first()
    if exists:
        return
    session.execute(
        insert(case_assignees).values(
            case_id=case_id, username=username, assigned_by=actor.user, assigned_at=utcnow()
        )
    )
    notify(
        session,
        username,
        "assigned",
        f"{actor.user} assigned you to case {number}.",
        "case",
        case_id,
    )
    record_event(
        session,
        case_id=case_id,
        kind="case.assigned",
        summary=f"{username} assigned by {actor.user}",
        source="cases",
        actor=actor.user,
        ref=f"case:{case_id}",
    )


def assign_case(svc: Services, actor: Actor, case_id: str, username: str) -> None:
    with svc.operation(actor, "update", audit_action="case.assign") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource())
        _assign(op.session, actor, case_id, case.number, username)
        op.details["assignee"] = username


def get_case(svc: Services, actor: Actor, case_id: str) -> CaseView:
    """A case with its assignees, subjects and the links to cases the actor may also read."""
    with svc.operation(actor, "read") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource())
        assignees = list(
            op.session.execute(
                select(case_assignees.c.username)
                .where(case_assignees.c.case_id == case_id)
                .order_by(case_assignees.c.username)
            ).scalars()
        )
        rows = list(
            op.session.execute(
                select(case_subjects)
                .where(case_subjects.c.case_id == case_id)
                .order_by(case_subjects.c.added_at)
            )
        )
        readable = [
            r.entity_id
            for r in rows
            if svc.policy.decide(actor, "read", person_resource(op.session, r.entity_id)).allowed
        ]
        named = names_of(op.session, readable)
        subjects = [
            CaseSubject(
                r.entity_id,
                r.role,
                r.added_by,
                r.added_at,
                named[r.entity_id].name if r.entity_id in named else "",
                named[r.entity_id].subject_id if r.entity_id in named else None,
            )
            for r in rows
        ]
        links = []
        for row in op.session.execute(
            select(case_links).where(
                or_(case_links.c.case_id == case_id, case_links.c.other_case_id == case_id)
            )
        ):
            other_id = row.other_case_id if row.case_id == case_id else row.case_id
            other = load_case(op.session, other_id)
            if svc.policy.decide(actor, "read", other.resource()).allowed:
                links.append(CaseLink(other.id, other.number, row.relation, row.reason))
        return CaseView(case, assignees, subjects, links)


def close_case(svc: Services, actor: Actor, case_id: str, reason: str) -> Case:
    if not reason.strip():
        raise ValueError(f"case {case_id}: closing needs a reason")
    with svc.operation(actor, "decide", audit_action="case.close") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource())
        if case.status != "open":
            raise ValueError(f"case {case.number}: status is {case.status}, not open")
        op.session.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(status="closed", closed_at=utcnow(), close_reason=reason.strip())
        )
        record_event(
            op.session,
            case_id=case_id,
            kind="case.closed",
            summary=f"Case closed: {reason.strip()}",
            source="cases",
            actor=actor.user,
            ref=f"case:{case_id}",
        )
        op.details["reason"] = reason.strip()
        return load_case(op.session, case_id)


def add_subject(
    svc: Services, actor: Actor, case_id: str, entity_id: str, role: str
) -> SubjectAdded:
    """Put a subject on a case in a role, with deconfliction against every other open case.

    For an open case the actor may not read (another unit's, or compartmented, or sealed) the
    result names only whom to contact, and that case's owner is notified in-app.
    """
    if role not in ROLES_ON_CASE:
        raise ValueError(f"role {role!r} is not one of {list(ROLES_ON_CASE)}")
    with svc.operation(actor, "update", audit_action="case.add_subject") as op:
        require(svc, actor, "read", person_resource(op.session, entity_id))
        if not op.session.execute(
            select(statements.c.id).where(statements.c.entity_id == entity_id).limit(1)
        ).first():
            raise NotFound(f"no person {entity_id} in the records")
        case = load_case(op.session, case_id)
        op.authorize(case.resource())
        if op.session.execute(
            select(case_subjects.c.role).where(
                case_subjects.c.case_id == case_id, case_subjects.c.entity_id == entity_id
            )
        ).first():
            raise ValueError(f"case {case.number}: subject {entity_id} is already on it")
        now = utcnow()
        op.session.execute(
            insert(case_subjects).values(
                case_id=case_id, entity_id=entity_id, role=role, added_by=actor.user, added_at=now
            )
        )
        record_event(
            op.session,
            case_id=case_id,
            entity_id=entity_id,
            kind="case.subject_added",
            summary=f"Added to case {case.number} as {role}",
            source="cases",
            actor=actor.user,
            ref=f"case:{case_id}",
        )
        conflicts: list[Conflict] = []
        also_on: list[str] = []
        others = op.session.execute(
            select(cases)
            .join(case_subjects, case_subjects.c.case_id == cases.c.id)
            .where(
                case_subjects.c.entity_id == entity_id,
                cases.c.id != case_id,
                cases.c.status == "open",
            )
            .order_by(cases.c.opened_at)
        ).all()
        for row in others:
            other = case_from_row(row)
            if svc.policy.decide(actor, "read", other.resource()).allowed:
                also_on.append(other.number)
                continue
            conflict = Conflict(other.owner, other.unit)
            if conflict not in conflicts:
                conflicts.append(conflict)
            notify(
                op.session,
                other.owner,
                "deconfliction",
                f"Deconfliction: {actor.user} ({actor.unit}) has added subject {entity_id}, "
                f"who is on your case {other.number}, to one of their cases. "
                f"Contact {actor.user}.",
                "case",
                other.id,
            )
        op.details.update(entity_id=entity_id, role=role, conflicts=len(conflicts), also_on=also_on)
        return SubjectAdded(case_id, entity_id, role, conflicts, also_on)


def link_cases(
    svc: Services,
    actor: Actor,
    case_id: str,
    other_case_id: str,
    *,
    relation: str = "related",
    reason: str,
) -> None:
    """Link two cases; the actor must be able to update the one and read the other."""
    if case_id == other_case_id:
        raise ValueError(f"case {case_id}: cannot link a case to itself")
    if not reason.strip():
        raise ValueError(f"case link {case_id} → {other_case_id}: needs a reason")
    with svc.operation(actor, "update", audit_action="case.link") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource())
        other = load_case(op.session, other_case_id)
        # A case the actor may not read is, to them, a case that does not exist.
        if not svc.policy.decide(actor, "read", other.resource()).allowed:
            raise NotFound(f"no case {other_case_id}")
        op.session.execute(
            insert(case_links).values(
                case_id=case_id,
                other_case_id=other_case_id,
                relation=relation,
                reason=reason.strip(),
                linked_by=actor.user,
                linked_at=utcnow(),
            )
        )
        for here, there in ((case, other), (other, case)):
            record_event(
                op.session,
                case_id=here.id,
                kind="case.linked",
                summary=f"Linked to case {there.number} ({relation}): {reason.strip()}",
                source="cases",
                actor=actor.user,
                ref=f"case:{there.id}",
            )
        op.details.update(other=other_case_id, relation=relation)


def list_cases(svc: Services, actor: Actor, *, status: str | None = "open") -> list[Case]:
    """The cases of the actor's unit that the actor may read, newest first."""
    with svc.operation(actor, "search", Resource("case", "*", actor.unit)) as op:
        query = select(cases).where(cases.c.unit == actor.unit)
        if status:
            query = query.where(cases.c.status == status)
        found = [case_from_row(r) for r in op.session.execute(query.order_by(cases.c.opened_at))]
        visible = [c for c in found if svc.policy.decide(actor, "read", c.resource()).allowed]
        op.details["count"] = len(visible)
        return visible[::-1]


# --- leads ------------------------------------------------------------------------------------


def _lead(row: object) -> Lead:
    m = row._mapping  # type: ignore[attr-defined]
    return Lead(
        m["id"],
        m["unit"],
        m["summary"],
        m["source"],
        m["status"],
        m["priority"],
        m["assignee"],
        m["received_at"],
        m["close_reason"],
        m["case_id"],
    )


def _load_lead(session: Session, lead_id: str) -> Lead:
    row = session.execute(select(leads).where(leads.c.id == lead_id)).first()
    if row is None:
        raise NotFound(f"no lead {lead_id}", "lead", lead_id)
    return _lead(row)


LEAD_STATUSES = ("new", "triaged", "converted", "closed")


def list_leads(svc: Services, actor: Actor, *, status: str | None = None) -> list[Lead]:
    """The leads of the actor's unit, newest first (all statuses, or one)."""
    if status is not None and status not in LEAD_STATUSES:
        raise ValueError(f"lead status {status!r} is not one of {list(LEAD_STATUSES)}")
    with svc.operation(actor, "search", Resource("lead", "*", actor.unit)) as op:
        query = select(leads).where(leads.c.unit == actor.unit)
        if status is not None:
            query = query.where(leads.c.status == status)
        found = [_lead(r) for r in op.session.execute(query.order_by(leads.c.received_at.desc()))]
        op.details.update(status=status, count=len(found))
        return found


def get_lead(svc: Services, actor: Actor, lead_id: str) -> Lead:
    with svc.operation(actor, "read", audit_action="lead.read") as op:
        lead = _load_lead(op.session, lead_id)
        op.authorize(Resource("lead", lead.id, lead.unit))
        return lead


def take_lead(
    svc: Services, actor: Actor, *, summary: str, source: str, unit: str | None = None
) -> Lead:
    """Take in a lead or tip for a unit (the actor's by default)."""
    if not summary.strip():
        raise ValueError("lead summary: must not be empty")
    unit = unit or actor.unit
    lead_id = new_id()
    with svc.operation(actor, "create", Resource("lead", lead_id, unit)) as op:
        op.session.execute(
            insert(leads).values(
                id=lead_id,
                unit=unit,
                summary=summary.strip(),
                source=source,
                status="new",
                received_at=utcnow(),
                received_by=actor.user,
            )
        )
        return _load_lead(op.session, lead_id)


def triage_lead(
    svc: Services, actor: Actor, lead_id: str, *, priority: str, assignee: str | None = None
) -> Lead:
    if priority not in LEAD_PRIORITIES:
        raise ValueError(f"lead {lead_id}: priority {priority!r} not one of {LEAD_PRIORITIES}")
    with svc.operation(actor, "review", audit_action="lead.triage") as op:
        lead = _load_lead(op.session, lead_id)
        op.authorize(Resource("lead", lead.id, lead.unit))
        if lead.status not in ("new", "triaged"):
            raise ValueError(f"lead {lead_id}: status is {lead.status}; it was already decided")
        op.session.execute(
            update(leads)
            .where(leads.c.id == lead_id)
            .values(
                status="triaged",
                priority=priority,
                assignee=assignee,
                triaged_at=utcnow(),
                triaged_by=actor.user,
            )
        )
        if assignee:
            notify(
                op.session,
                assignee,
                "assigned",
                f"{actor.user} assigned you a {priority}-priority lead.",
                "lead",
                lead_id,
            )
        op.details.update(priority=priority, assignee=assignee)
        return _load_lead(op.session, lead_id)


def convert_lead(
    svc: Services,
    actor: Actor,
    lead_id: str,
    *,
    title: str,
    type: str = "investigation",
    compartments: frozenset[str] | set[str] = frozenset(),
) -> Case:
    """Turn a lead into a case of the lead's unit (a supervisor's decision)."""
    if type not in CASE_TYPES:
        raise ValueError(f"case type {type!r} is not one of {list(CASE_TYPES)}")
    with svc.operation(actor, "decide", audit_action="lead.convert") as op:
        lead = _load_lead(op.session, lead_id)
        op.authorize(Resource("lead", lead.id, lead.unit))
        if lead.status in ("converted", "closed"):
            raise ValueError(f"lead {lead_id}: already {lead.status}")
        assignees = [lead.assignee] if lead.assignee else []
        case = _insert_case(
            op.session, actor, type, title, lead.unit, compartments, False, assignees
        )
        op.session.execute(
            update(leads)
            .where(leads.c.id == lead_id)
            .values(status="converted", case_id=case.id, decided_at=utcnow(), decided_by=actor.user)
        )
        op.details.update(case=case.number)
        return case


def close_lead(svc: Services, actor: Actor, lead_id: str, reason: str) -> Lead:
    if not reason.strip():
        raise ValueError(f"lead {lead_id}: closing needs a reason")
    with svc.operation(actor, "decide", audit_action="lead.close") as op:
        lead = _load_lead(op.session, lead_id)
        op.authorize(Resource("lead", lead.id, lead.unit))
        if lead.status in ("converted", "closed"):
            raise ValueError(f"lead {lead_id}: already {lead.status}")
        op.session.execute(
            update(leads)
            .where(leads.c.id == lead_id)
            .values(
                status="closed",
                close_reason=reason.strip(),
                decided_at=utcnow(),
                decided_by=actor.user,
            )
        )
        op.details["reason"] = reason.strip()
        return _load_lead(op.session, lead_id)


# --- tasks, queues and notifications ----------------------------------------------------------


def _task(row: object) -> Task:
    m = row._mapping  # type: ignore[attr-defined]
    return Task(m["id"], m["case_id"], m["title"], m["assignee"], m["due"], m["status"])


def _check_due(due: str | None) -> None:
    if due is None:
        return
    try:
        datetime.strptime(due, "%Y-%m-%d")
    except ValueError:
        raise ValueError(f'task due date "{due}" is not a date (YYYY-MM-DD)') from None


def create_task(
    svc: Services,
    actor: Actor,
    case_id: str,
    title: str,
    *,
    assignee: str | None = None,
    due: str | None = None,
) -> Task:
    _check_due(due)
    if not title.strip():
        raise ValueError(f"task on case {case_id}: title must not be empty")
    with svc.operation(actor, "update", audit_action="task.create") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource("task"))
        task_id = new_id()
        now = utcnow()
        op.session.execute(
            insert(tasks).values(
                id=task_id,
                case_id=case_id,
                title=title.strip(),
                assignee=assignee,
                due=due,
                status="open",
                created_by=actor.user,
                created_at=now,
                updated_at=now,
            )
        )
        if assignee:
            notify(
                op.session,
                assignee,
                "assigned",
                f"{actor.user} assigned you a task on case {case.number}: {title.strip()}"
                + (f" (due {due})" if due else ""),
                "task",
                task_id,
            )
        record_event(
            op.session,
            case_id=case_id,
            kind="task.created",
            summary=f"Task: {title.strip()}" + (f" for {assignee}" if assignee else ""),
            source="cases",
            actor=actor.user,
            ref=f"task:{task_id}",
        )
        op.details.update(task=task_id, assignee=assignee, due=due)
        return Task(task_id, case_id, title.strip(), assignee, due, "open")


def case_tasks(svc: Services, actor: Actor, case_id: str) -> list[Task]:
    """Every task on a case, open ones first (soonest due first), then done and cancelled."""
    with svc.operation(actor, "read", audit_action="task.list") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource("task"))
        rows = op.session.execute(
            select(tasks)
            .where(tasks.c.case_id == case_id)
            .order_by(
                tasks.c.status.in_(("done", "cancelled")),
                tasks.c.due.is_(None),
                tasks.c.due,
                tasks.c.created_at,
            )
        ).all()
        op.details["count"] = len(rows)
        return [_task(r) for r in rows]


def get_task(svc: Services, actor: Actor, task_id: str) -> Task:
    """One task, open or not, if the actor may read tasks on its case."""
    with svc.operation(actor, "read", audit_action="task.read") as op:
        row = op.session.execute(select(tasks).where(tasks.c.id == task_id)).first()
        if row is None:
            raise NotFound(f"no task {task_id}", "task", task_id)
        task = _task(row)
        op.authorize(load_case(op.session, task.case_id).resource("task", task.id))
        op.details["task"] = task_id
        return task


def update_task(
    svc: Services,
    actor: Actor,
    task_id: str,
    *,
    status: str | None = None,
    assignee: str | None = None,
    due: str | None = None,
) -> Task:
    if status is not None and status not in TASK_STATUSES:
        raise ValueError(f"task {task_id}: status {status!r} is not one of {TASK_STATUSES}")
    _check_due(due)
    with svc.operation(actor, "update", audit_action="task.update") as op:
        row = op.session.execute(select(tasks).where(tasks.c.id == task_id)).first()
        if row is None:
            raise NotFound(f"no task {task_id}", "task", task_id)
        task = _task(row)
        case = load_case(op.session, task.case_id)
        op.authorize(case.resource("task", task.id))
        values: dict[str, object] = {"updated_at": utcnow()}
        if status is not None:
            values["status"] = status
        if due is not None:
            values.update(due=due, due_notified=False)
        if assignee is not None and assignee != task.assignee:
            values["assignee"] = assignee
            notify(
                op.session,
                assignee,
                "assigned",
                f"{actor.user} assigned you a task on case {case.number}: {task.title}",
                "task",
                task_id,
            )
        op.session.execute(update(tasks).where(tasks.c.id == task_id).values(**values))
        op.details.update({k: v for k, v in values.items() if k != "updated_at"})
        row = op.session.execute(select(tasks).where(tasks.c.id == task_id)).one()
        return _task(row)


def notify_due(svc: Services, actor: Actor, today: str) -> int:
    """The reminder job (a system actor): notify assignees of open tasks due by ``today``, once."""
    _check_due(today)
    with svc.operation(actor, "execute", Resource("reminders", today)) as op:
        due = op.session.execute(
            select(tasks.c.id, tasks.c.assignee, tasks.c.title, tasks.c.due, cases.c.number)
            .join(cases, cases.c.id == tasks.c.case_id)
            .where(
                tasks.c.status.in_(("open", "in-progress")),
                tasks.c.assignee.is_not(None),
                tasks.c.due <= today,
                tasks.c.due_notified.is_(False),
            )
        ).all()
        for row in due:
            notify(
                op.session,
                row.assignee,
                "due",
                f"Task on case {row.number} is due {row.due}: {row.title}",
                "task",
                row.id,
            )
            op.session.execute(update(tasks).where(tasks.c.id == row.id).values(due_notified=True))
        op.details["notified"] = len(due)
        return len(due)


def _visible_tasks(
    svc: Services, actor: Actor, session: Session, condition: ColumnElement[bool]
) -> list[Task]:
    rows = session.execute(
        select(tasks, cases.c.unit, cases.c.compartments, cases.c.sealed, cases.c.owner)
        .join(cases, cases.c.id == tasks.c.case_id)
        .where(condition, tasks.c.status.in_(("open", "in-progress")))
        .order_by(tasks.c.due.is_(None), tasks.c.due, tasks.c.created_at)
    ).all()
    found = []
    for row in rows:
        resource = Resource(
            "task", row.case_id, row.unit, frozenset(row.compartments), bool(row.sealed)
        )
        if svc.policy.decide(actor, "read", resource).allowed:
            found.append(_task(row))
    return found


def my_queue(svc: Services, actor: Actor) -> WorkQueue:
    """The actor's own open tasks (soonest due first) and leads assigned to them."""
    with svc.operation(actor, "read", Resource("queue", actor.user, actor.unit)) as op:
        found = _visible_tasks(svc, actor, op.session, tasks.c.assignee == actor.user)
        mine = [
            _lead(r)
            for r in op.session.execute(
                select(leads)
                .where(leads.c.assignee == actor.user, leads.c.status.in_(("new", "triaged")))
                .order_by(leads.c.received_at)
            )
        ]
        op.details.update(tasks=len(found), leads=len(mine))
        return WorkQueue(found, mine)


def unit_queue(svc: Services, actor: Actor, unit: str | None = None) -> WorkQueue:
    """A unit's open tasks and its leads not yet decided (supervisors)."""
    unit = unit or actor.unit
    with svc.operation(actor, "read", Resource("unit-queue", unit, unit)) as op:
        found = _visible_tasks(svc, actor, op.session, cases.c.unit == unit)
        pending = [
            _lead(r)
            for r in op.session.execute(
                select(leads)
                .where(leads.c.unit == unit, leads.c.status.in_(("new", "triaged")))
                .order_by(leads.c.received_at)
            )
        ]
        op.details.update(tasks=len(found), leads=len(pending))
        return WorkQueue(found, pending)


def list_notifications(svc: Services, actor: Actor, *, unread: bool = True) -> list[Notification]:
    with svc.operation(
        actor, "read", Resource("queue", actor.user, actor.unit), audit_action="notification.read"
    ) as op:
        query = select(notifications).where(notifications.c.recipient == actor.user)
        if unread:
            query = query.where(notifications.c.read_at.is_(None))
        rows = op.session.execute(query.order_by(notifications.c.id.desc())).all()
        op.details["count"] = len(rows)
        return [
            Notification(
                r.id, r.kind, r.message, r.object_kind, r.object_id, r.created_at, r.read_at
            )
            for r in rows
        ]


def mark_read(svc: Services, actor: Actor, notification_id: int) -> None:
    with svc.operation(
        actor, "update", Resource("queue", actor.user, actor.unit), audit_action="notification.read"
    ) as op:
        done = op.session.execute(
            update(notifications)
            .where(
                and_(
                    notifications.c.id == notification_id,
                    notifications.c.recipient == actor.user,
                )
            )
            .values(read_at=utcnow())
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"no notification {notification_id} for {actor.user}")
        op.details["notification"] = notification_id


# --- notes ------------------------------------------------------------------------------------


def _note(row: object) -> Note:
    m = row._mapping  # type: ignore[attr-defined]
    return Note(m["id"], m["case_id"], m["entity_id"], m["body"], m["author"], m["created_at"])


def add_case_note(svc: Services, actor: Actor, case_id: str, body: str) -> Note:
    if not body.strip():
        raise ValueError(f"note on case {case_id}: must not be empty")
    with svc.operation(actor, "update", audit_action="case.note") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource())
        return _insert_note(op.session, actor, body, case_id=case_id)


def add_subject_note(svc: Services, actor: Actor, entity_id: str, body: str) -> Note:
    if not body.strip():
        raise ValueError(f"note on subject {entity_id}: must not be empty")
    with svc.operation(actor, "create", audit_action="subject.note") as op:
        person = person_resource(op.session, entity_id)
        op.authorize(Resource("note", entity_id, person.unit, person.compartments, person.sealed))
        return _insert_note(op.session, actor, body, entity_id=entity_id)


def _insert_note(
    session: Session,
    actor: Actor,
    body: str,
    *,
    case_id: str | None = None,
    entity_id: str | None = None,
) -> Note:
    now = utcnow()
    note_id = session.execute(
        insert(notes)
        .values(
            case_id=case_id,
            entity_id=entity_id,
            body=body.strip(),
            author=actor.user,
            created_at=now,
        )
        .returning(notes.c.id)
    ).scalar_one()
    record_event(
        session,
        case_id=case_id,
        entity_id=entity_id,
        kind="note.added",
        summary=f"Note by {actor.user}",
        source="cases",
        actor=actor.user,
        ref=f"note:{note_id}",
    )
    return Note(note_id, case_id, entity_id, body.strip(), actor.user, now)


def list_notes(
    svc: Services, actor: Actor, *, case_id: str | None = None, entity_id: str | None = None
) -> list[Note]:
    """The notes on one case or one subject, newest first."""
    if (case_id is None) == (entity_id is None):
        raise ValueError("list_notes: give exactly one of case_id, entity_id")
    with svc.operation(actor, "read", audit_action="note.read") as op:
        if case_id is not None:
            op.authorize(load_case(op.session, case_id).resource())
            condition = notes.c.case_id == case_id
        else:
            op.authorize(person_resource(op.session, entity_id or ""))
            condition = notes.c.entity_id == entity_id
        rows = op.session.execute(select(notes).where(condition).order_by(notes.c.id.desc()))
        return [_note(r) for r in rows]
