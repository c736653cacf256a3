"""May this person do this action on this object? The policy's answer for a page deciding which
forms to show, and, when the answer is no, who may act instead — in words.

Nothing here reads or changes the store, so nothing is audited: the service that does the action
asks the same policy again, inside its operation, and audits the answer. A page shows a form only
when :func:`may` allows it, and where it explains a step someone else must take it names them
with :attr:`Permission.who`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service.operation import Services

ROLE_WORDS = {
    "officer": "an officer",
    "supervisor": "a supervisor",
    "legal": "legal",
    "oversight": "oversight",
    "custodian": "a records custodian",
    "admin": "an administrator",
}
# The purpose of use each role signs in with, for asking the policy on its behalf.
ROLE_PURPOSE = {
    "officer": "case-processing",
    "supervisor": "case-processing",
    "legal": "legal-review",
    "oversight": "oversight",
    "custodian": "records-management",
    "admin": "administration",
}
OTHER_UNIT = "another unit"


@dataclass(frozen=True)
class Permission:
    """The answer: ``allowed``, and ``who`` may act (a sentence part: "a supervisor of
    ERO-NYC, or legal") for a page to name when this person may not."""

    allowed: bool
    who: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def may(svc: Services, actor: Actor, action: str, resource: Resource) -> Permission:
    """The policy's answer for ``actor`` (with their purpose of use), and who may act."""
    allowed = svc.policy.decide(actor, action, resource).allowed
    return Permission(allowed, who_may(svc, action, resource))


def who_may(
    svc: Services, action: str, resource: Resource, roles: Iterable[str] | None = None
) -> str:
    """Who the policy lets do ``action`` on ``resource``, asked role by role (each with the
    purpose it signs in with; only ``roles`` when given) for a person of the object's unit and
    one of another unit: "an officer or a supervisor of ERO-NYC", "a supervisor of ERO-NYC, or
    legal"."""
    asked = set(ROLE_WORDS if roles is None else roles)
    in_unit, anywhere = [], []
    for role in (r for r in ROLE_WORDS if r in asked):
        if _allows(svc, role, OTHER_UNIT, action, resource):
            anywhere.append(ROLE_WORDS[role])
        elif resource.unit and _allows(svc, role, resource.unit, action, resource):
            in_unit.append(ROLE_WORDS[role])
    parts = []
    if in_unit:
        parts.append(f"{' or '.join(in_unit)} of {resource.unit}")
    if anywhere:
        parts.append(" or ".join(anywhere))
    return ", or ".join(parts) if parts else "nobody, under the current policy"


def _allows(svc: Services, role: str, unit: str, action: str, resource: Resource) -> bool:
    probe = Actor(
        f"probe:{role}",
        frozenset({role}),
        unit,
        resource.compartments,
        purpose=ROLE_PURPOSE[role],
    )
    return svc.policy.decide(probe, action, resource).allowed
