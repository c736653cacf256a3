"""The access filters every search query carries (Aleph's pattern).

Rows the actor may not read never leave the database, so a limit, a count or a ranking cannot
reveal them. The filters mirror the Cedar rules in ``policy/policies/core.cedar`` (sealed,
need-to-know), ``cases.cedar`` and ``lifecycle.cedar``; ``tests/test_search.py`` checks them
against the policy engine. The cases a search returns are asked of the policy as well
(``allowed``), so a rule added to the policy and not yet mirrored here can only cost a result a
place, never show a case the policy refuses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service.operation import Services
from writ.store.tables.cases import cases
from writ.store.tables.core import markings

PERSON_READERS = frozenset({"officer", "supervisor", "legal", "custodian"})
CASE_READERS = frozenset({"officer", "supervisor", "legal"})
IMMIGRATION_CASE_READERS = frozenset({"officer", "supervisor", "legal", "custodian"})


def _oversight(actor: Actor) -> bool:
    return "oversight" in actor.roles and actor.purpose == "oversight"


def compartments_not_held(
    session: Session, actor: Actor, column: ColumnElement[Any]
) -> ColumnElement[bool]:
    """EXISTS a compartment in the JSON list ``column`` that the actor does not hold."""
    if session.get_bind().dialect.name == "sqlite":
        values = func.json_each(column).table_valued("value")
    else:
        values = func.json_array_elements_text(column).table_valued("value")
    held = sorted(actor.compartments)
    condition = values.c.value.not_in(held) if held else true()
    return exists(select(values.c.value).where(condition))


def person_visible(
    session: Session, actor: Actor, entity_id: ColumnElement[Any]
) -> ColumnElement[bool]:
    """SQL: the actor may read the person ``entity_id`` (core.cedar's sealed and need-to-know)."""
    m = markings.alias("person_marking")
    sealed_forbids = false() if "custodian" in actor.roles else m.c.sealed.is_(True)
    forbidding = select(m.c.object_id).where(
        m.c.kind == "person",
        m.c.object_id == entity_id,
        or_(sealed_forbids, compartments_not_held(session, actor, m.c.compartments)),
    )
    allowed_role = bool(actor.roles & PERSON_READERS) or _oversight(actor)
    return and_(true() if allowed_role else false(), not_(exists(forbidding)))


def case_visible(session: Session, actor: Actor) -> ColumnElement[bool]:
    """SQL over ``cases``: the actor may read the case (cases.cedar and core.cedar)."""
    permitted: ColumnElement[bool]
    if _oversight(actor):
        permitted = true()
    elif actor.roles & CASE_READERS:
        permitted = cases.c.unit == actor.unit
    else:
        permitted = false()
    sealed_ok = true() if "custodian" in actor.roles else cases.c.sealed.is_(False)
    return and_(
        permitted,
        sealed_ok,
        not_(compartments_not_held(session, actor, cases.c.compartments)),
    )


def immigration_case_visible(
    session: Session, actor: Actor, table: FromClause
) -> ColumnElement[bool]:
    """SQL over ``immigration_cases`` (or an alias of it): the actor may read the case
    (lifecycle.cedar and core.cedar)."""
    permitted = bool(actor.purpose) and (
        bool(actor.roles & IMMIGRATION_CASE_READERS) or _oversight(actor)
    )
    sealed_ok = true() if "custodian" in actor.roles else table.c.sealed.is_(False)
    return and_(
        true() if permitted else false(),
        sealed_ok,
        not_(compartments_not_held(session, actor, table.c.compartments)),
    )


def allowed(svc: Services, actor: Actor, resource: Resource) -> bool:
    """The policy's own answer for one object (read)."""
    return svc.policy.decide(actor, "read", resource).allowed
