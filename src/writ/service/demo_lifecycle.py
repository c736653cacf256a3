"""The demo's immigration cases: made-up people whose documents set up each lifecycle workflow.

Everything goes through the lifecycle services (``writ.lifecycle.service``), as named system
actors of the demo (``system:demo-officer``, ``system:demo-supervisor``, ``system:demo-custodian``)
so the audit log says who did it. All of it is synthetic: the people, the A-numbers (A-999-...),
the documents, the facilities' addresses and 555 telephone numbers, and the photos, which are
grey silhouettes marked SYNTHETIC.

Each workflow the demo users can try starts from one of these cases:

- a removal blocked by a stay (and one stopped by an open US-citizenship claim),
- a detainer blocked by a soft gate that a second person (the demo supervisor) can override,
- a person in custody to transfer and then find in the public locator, and their child, a minor,
  whom the locator never lists,
- an approved operation plan whose field worklist shows each case with its photo of record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from writ.demo.photos import placeholder_photo
from writ.lifecycle import service as lc
from writ.model.actor import Actor
from writ.service.operation import Services

UNIT = "ERO-NYC"
DEMO_OFFICER = Actor(
    "system:demo-officer", frozenset({"officer"}), UNIT, purpose="case-processing", system=True
)
DEMO_SUPERVISOR = Actor(
    "system:demo-supervisor",
    frozenset({"supervisor"}),
    UNIT,
    purpose="case-processing",
    system=True,
)
DEMO_CUSTODIAN = Actor(
    "system:demo-custodian",
    frozenset({"custodian"}),
    "RECORDS",
    purpose="records-management",
    system=True,
)

FACILITIES = (
    lc.Facility(
        "ELZ",
        "Elizabeth Detention Center",
        "1 Demo Way, Elizabeth, NJ (synthetic address)",
        "908-555-0100",
        "Synthetic demo facility. Visiting: daily 9:00-15:00.",
    ),
    lc.Facility(
        "MOS",
        "Moshannon Valley Processing Center",
        "2 Demo Way, Philipsburg, PA (synthetic address)",
        "814-555-0100",
        "Synthetic demo facility. Visiting: weekends 8:00-14:00.",
    ),
    lc.Facility(
        "STF",
        "South Texas Family Residential Center",
        "3 Demo Way, Dilley, TX (synthetic address)",
        "830-555-0100",
        "Synthetic demo facility for families.",
    ),
)
PHOTO_SOURCE = "booking photo, ERO New York processing (synthetic demo placeholder)"
PHOTO_BASIS = "8 CFR 236.5 (synthetic demo)"
ISSUER = "ERO New York (synthetic demo)"
COURT = "EOIR New York Immigration Court (synthetic demo)"


# The workflow each demo case sets up: (workflow, the person, what to do). ``{plan}`` is the
# operation plan's id.
WORKFLOWS = (
    (
        "blocked-removal",
        "Mateo Quispe Vargas",
        "sign in as officer, open the case and press Schedule removal: blocked by removal-stay "
        "(8 CFR 1003.6), a court-ordered stay on file",
    ),
    (
        "citizenship-claim",
        "Daniel Okoro Reyes",
        "sign in as officer and press Schedule removal: the open US-citizenship claim is a hard "
        "stop (citizenship-claim, ICE Directive 16001.2); legal investigates and signs it off",
    ),
    (
        "soft-gate-override",
        "Lucía Fernández Rojas",
        "issuing the detainer was blocked by the soft gate detainer-database-only (asked by "
        "system:demo-officer): sign in as supervisor, open the case, override it with a reason",
    ),
    (
        "custody-transfer",
        "Tomás Herrera Blanco",
        "in custody at Elizabeth: sign in as officer, open the case, transfer to MOS, then find "
        "him at /locator with A-number A999100004 and country Guatemala",
    ),
    (
        "minor-hidden",
        "Sofía Herrera Cruz",
        "his daughter, a minor, in custody at STF: /locator with A999100005 and Guatemala finds no "
        "one, because the locator never lists a minor",
    ),
    (
        "field-worklist",
        "Ana Beltrán Soto",
        "open /field/{plan} (best on a phone): two cases with photos of record, warrants and "
        "gate results; Irina Popescu was excluded at approval (operation-warrant)",
    ),
)
PLAN_TITLE = "Synthetic demo operation"


@dataclass(frozen=True)
class DemoCase:
    """One demo case and the workflow it sets up."""

    workflow: str
    case_id: str
    name: str
    how: str


@dataclass
class LifecycleDemo:
    cases: list[DemoCase] = field(default_factory=list)
    operation_plan_id: str | None = None
    facilities: list[str] = field(default_factory=list)
    cases_opened: int = 0

    def case(self, workflow: str) -> DemoCase:
        return next(c for c in self.cases if c.workflow == workflow)


def _ago(days: float = 0, hours: float = 0) -> datetime:
    return datetime.now(UTC) - timedelta(days=days, hours=hours)


class _Seeder:
    """Opens the demo cases and files their documents through the services."""

    def __init__(self, svc: Services, photos: lc.PhotoFiles) -> None:
        self.svc = svc
        self.photos = photos
        self.opened = 0

    def open(self, name: str, born: date, country: str, number: str, label: str) -> str:
        case = lc.open_case(
            self.svc,
            DEMO_OFFICER,
            subject_name=name,
            birth_date=born,
            country_of_birth=country,
            a_number_value=number,
        )
        self.opened += 1
        lc.set_photo(
            self.svc,
            DEMO_OFFICER,
            case.id,
            placeholder_photo(label),
            source=PHOTO_SOURCE,
            legal_basis=PHOTO_BASIS,
            taken_at=_ago(days=30),
            files=self.photos,
        )
        return case.id

    def file(self, case_id: str, kind: str, issued: datetime, **fields: Any) -> str:
        signer = {
            "i200": ("S. Diaz (synthetic)", "supervisory_deportation_officer"),
            "i205": ("F. Okafor (synthetic)", "field_office_director"),
            "order": ("Judge R. Alvarez (synthetic)", "immigration_judge"),
            "stay": ("Clerk of Court (synthetic)", "circuit_court"),
        }.get(kind, ("P. Officer (synthetic)", "deportation_officer"))
        data = {
            "kind": kind,
            "issued_at": issued,
            "issuer": fields.pop("issuer", ISSUER),
            "signer": signer[0],
            "signer_role": signer[1],
            "note": fields.pop("note", "Synthetic demo document."),
            **fields,
        }
        return lc.add_document(self.svc, DEMO_OFFICER, case_id, data).id

    def act(self, case_id: str, *actions: str) -> None:
        for action in actions:
            result = lc.request_action(self.svc, DEMO_OFFICER, case_id, action)
            if result.blocked:
                raise RuntimeError(f"demo case {case_id}: {action} blocked: {result.explain()}")

    def to_final_order(self, case_id: str, country: str) -> None:
        """Charging, custody decision, an IJ removal order with appeal waived, an I-205 and a
        travel document: a removal that nothing but what is filed next would stop."""
        self.act(case_id, "verify_identity", "begin_charging")
        self.file(case_id, "i862", _ago(days=200), served_at=_ago(days=200))
        self.act(case_id, "charge")
        self.file(case_id, "custody_decision", _ago(days=199), decision="recognizance")
        self.act(case_id, "decide_custody")
        self.file(
            case_id,
            "order",
            _ago(days=20),
            issuer=COURT,
            court="IJ",
            disposition="removal",
            appeal_waived=True,
            designated_countries=[country],
        )
        self.act(case_id, "record_order", "order_becomes_final")
        self.file(case_id, "i205", _ago(days=10))
        self.file(case_id, "travel_document", _ago(days=5), country=country, number="SYN-0001")


def _blocked_removal(seed: _Seeder) -> str:
    case_id = seed.open(
        "Mateo Quispe Vargas", date(1987, 3, 12), "PE", "A-999-100-001", "DEMO BLOCKED REMOVAL"
    )
    seed.to_final_order(case_id, "PE")
    seed.file(
        case_id,
        "stay",
        _ago(days=1),
        issuer="US Court of Appeals, 2d Cir. (synthetic demo)",
        stay_kind="court_ordered",
    )
    return case_id


def _citizenship_claim(seed: _Seeder) -> str:
    case_id = seed.open(
        "Daniel Okoro Reyes", date(1992, 11, 2), "NG", "A-999-100-002", "DEMO CITIZENSHIP CLAIM"
    )
    seed.to_final_order(case_id, "NG")
    lc.record_citizenship_claim(
        seed.svc,
        DEMO_OFFICER,
        case_id,
        basis="Says he was born in Houston, Texas; a birth certificate is requested "
        "(synthetic demo).",
        claimed_at=_ago(hours=6),
    )
    return case_id


def _soft_gate(seed: _Seeder) -> str:
    case_id = seed.open(
        "Lucía Fernández Rojas", date(1990, 6, 21), "CO", "A-999-100-003", "DEMO SOFT GATE"
    )
    seed.file(case_id, "i862", _ago(hours=3))
    warrant = seed.file(case_id, "i200", _ago(hours=2))
    seed.file(
        case_id,
        "i247a",
        _ago(hours=1),
        probable_cause=["database_match"],
        attachments=[warrant],
        served_at=_ago(hours=0.5),
    )
    blocked = lc.request_action(seed.svc, DEMO_OFFICER, case_id, "issue_detainer")
    if blocked.evaluation.fired() != ("detainer-database-only",):
        raise RuntimeError(f"demo case {case_id}: {blocked.explain()}")
    return case_id


def _custody(seed: _Seeder) -> tuple[str, str]:
    parent = seed.open(
        "Tomás Herrera Blanco", date(1979, 8, 30), "GT", "A-999-100-004", "DEMO CUSTODY"
    )
    today = date.today()
    child = seed.open(
        "Sofía Herrera Cruz",
        date(today.year - 12, 1, 15),
        "GT",
        "A-999-100-005",
        "DEMO MINOR",
    )
    for case_id, facility in ((parent, "ELZ"), (child, "STF")):
        booked = lc.book_into_custody(seed.svc, DEMO_OFFICER, case_id, facility)
        if booked.blocked:
            raise RuntimeError(f"demo case {case_id}: booking blocked: {booked.explain()}")
    for case_id, relation, name, minor, other in (
        (parent, "child", "Sofía Herrera Cruz", True, child),
        (child, "parent", "Tomás Herrera Blanco", False, parent),
    ):
        lc.add_family_link(
            seed.svc,
            DEMO_OFFICER,
            case_id,
            relation=relation,
            name=name,
            minor=minor,
            linked_case_id=other,
        )
    return parent, child


def _operation(seed: _Seeder) -> tuple[str, str]:
    ready = []
    for name, born, country, number, label in (
        ("Ana Beltrán Soto", date(1985, 1, 9), "MX", "A-999-100-006", "DEMO FIELD 1"),
        ("Kwame Mensah", date(1983, 4, 17), "GH", "A-999-100-007", "DEMO FIELD 2"),
    ):
        case_id = seed.open(name, born, country, number, label)
        seed.file(case_id, "i862", _ago(days=40))
        seed.file(case_id, "i200", _ago(days=39))
        ready.append(case_id)
    unwarranted = seed.open(
        "Irina Popescu", date(1994, 9, 3), "RO", "A-999-100-008", "DEMO NO WARRANT"
    )
    seed.file(unwarranted, "i862", _ago(days=15))
    plan = lc.create_operation_plan(
        seed.svc,
        DEMO_OFFICER,
        title=PLAN_TITLE,
        planned_for=datetime.now(UTC) + timedelta(days=2),
        case_ids=[*ready, unwarranted],
    )
    lc.approve_operation_plan(seed.svc, DEMO_SUPERVISOR, plan.id)
    return ready[0], plan.id


def seed_lifecycle(
    svc: Services, photo_root: Path, say: Callable[[str], None] = lambda _: None
) -> LifecycleDemo:
    """Facilities, the demo's immigration cases and an approved operation plan, once.

    A store that already has the demo facilities is left as it is; the cases are found again by
    name, so the guide is the same on every run.
    """
    demo = LifecycleDemo(facilities=[f.id for f in FACILITIES])
    if "ELZ" not in {f.id for f in lc.list_facilities(svc, DEMO_CUSTODIAN)}:
        for facility in FACILITIES:
            lc.add_facility(svc, DEMO_CUSTODIAN, facility)
        seed = _Seeder(svc, lc.photo_files(photo_root))
        _blocked_removal(seed)
        _citizenship_claim(seed)
        _soft_gate(seed)
        _custody(seed)
        _operation(seed)
        demo.cases_opened = seed.opened
    by_name = {c.subject_name: c.id for c in lc.list_cases(svc, DEMO_OFFICER)}
    plans = [p for p in lc.list_operation_plans(svc, DEMO_OFFICER) if p.title == PLAN_TITLE]
    demo.operation_plan_id = plans[0].id if plans else None
    for workflow, name, how in WORKFLOWS:
        how = how.format(plan=demo.operation_plan_id)
        demo.cases.append(DemoCase(workflow, by_name[name], name, how))
    say(
        f"immigration cases (synthetic): {len(by_name)} in {UNIT}, facilities "
        f"{', '.join(demo.facilities)}, approved operation plan {demo.operation_plan_id}"
    )
    for case in demo.cases:
        say(f"  {case.workflow}: {case.name} ({case.case_id}) — {case.how}")
    return demo
