"""The work queues people see, each a service call shaped into rows."""

from __future__ import annotations

import dataclasses

from writ.cases import service as case_service
from writ.lifecycle import service as lc
from writ.model.actor import Actor
from writ.resolve import service as resolve_service
from writ.service import Services
from writ.web.leads import LEADS
from writ.web.queues import Column, Queue, Row

OPEN_LEADS = ("new", "triaged")


def _review(svc: Services, actor: Actor) -> list[Row]:
    return [
        {
            "match": item.match_id,
            "left": item.left.caption,
            "right": item.right.caption,
            "weight": round(item.weight, 1),
            "outcome": item.outcome,
        }
        for item in resolve_service.review_list(svc, actor, limit=500)
    ]


def _immigration(svc: Services, actor: Actor) -> list[Row]:
    return [
        {
            "id": c.id,
            "person": c.subject_name,
            "a_number": c.a_number or "",
            "state": c.state.replace("_", " "),
            "citizenship": c.citizenship.replace("_", " "),
        }
        for c in lc.list_cases(svc, actor)
    ]


def _my_tasks(svc: Services, actor: Actor) -> list[Row]:
    return [
        {"title": t.title, "case_id": t.case_id, "due": t.due, "status": t.status}
        for t in case_service.my_queue(svc, actor).tasks
    ]


def _open_leads(svc: Services, actor: Actor) -> list[Row]:
    return [row for row in LEADS.items(svc, actor) if row["status"] in OPEN_LEADS]


QUEUES: list[Queue] = [
    Queue(
        slug="tasks",
        title="My tasks",
        roles=frozenset({"officer", "supervisor"}),
        columns=(Column("title", "Task"), Column("due", "Due"), Column("status", "Status")),
        items=_my_tasks,
        link=lambda row: f"/cases/{row['case_id']}#tasks",
        filters=("status",),
        default_sort="due",
    ),
    Queue(
        slug="immigration",
        title="Immigration cases",
        roles=frozenset({"officer", "supervisor"}),
        columns=(
            Column("person", "Person"),
            Column("a_number", "A-number"),
            Column("state", "State"),
            Column("citizenship", "Citizenship"),
        ),
        items=_immigration,
        link=lambda row: f"/immigration/{row['id']}",
        filters=("state",),
        default_sort="person",
    ),
    dataclasses.replace(
        LEADS,
        title="Open leads",
        items=_open_leads,
        empty="No lead of your unit waits for triage or conversion.",
    ),
    Queue(
        slug="review",
        title="Match review",
        roles=frozenset({"officer", "supervisor", "custodian"}),
        columns=(
            Column("match", "Match", numeric=True),
            Column("left", "Record A"),
            Column("right", "Record B"),
            Column("weight", "Weight", numeric=True),
            Column("outcome", "Model said"),
        ),
        items=_review,
        link=lambda row: f"/review/{row['match']}",
        filters=("outcome",),
        default_sort="match",
    ),
]
