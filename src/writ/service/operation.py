"""The one gate every service passes: policy, work and audit in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from writ.audit.ledger import Entry, Ledger
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.policy.engine import Decision, Policy
from writ.service.step_up import StepUp
from writ.store.engine import Store


class AccessDenied(Exception):
    """The policy refused; ``decision`` names the policy that decided and who can grant access."""

    def __init__(self, actor: Actor, action: str, resource: Resource, decision: Decision):
        self.actor = actor
        self.action = action
        self.resource = resource
        self.decision = decision
        super().__init__(
            f"{actor.user} may not {action} {resource.kind} {resource.id}: {decision.explain()}"
        )


class StepUpRequired(AccessDenied):
    """The policy allows it, but this session's sign-in (``acr``) is too weak for the action."""

    def __init__(
        self, actor: Actor, action: str, resource: Resource, decision: Decision, required: str
    ):
        super().__init__(actor, action, resource, decision)
        self.required_acr = required


class NotFound(LookupError):
    """The object does not exist, or the actor may not know that it does.

    ``kind`` and ``object_id`` name what was asked for, for the audit entry of the probe.
    """

    def __init__(self, message: str, kind: str = "unknown", object_id: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.object_id = object_id


@dataclass
class Operation:
    """What a service body gets: the session, and the details its audit entry will carry."""

    session: Session
    actor: Actor
    action: str
    resource: Resource | None = None
    decision: Decision | None = None
    details: dict[str, Any] = field(default_factory=dict)
    outcome: str = "ok"
    _services: Services | None = None

    def authorize(self, resource: Resource) -> Decision:
        """Ask the policy about ``resource``; raise ``AccessDenied`` (audited) if refused."""
        assert self._services is not None
        decision = self._services.decide(self.actor, self.action, resource)
        self.resource = resource
        self.decision = decision
        return decision


class Services:
    """The store, the policy and the ledger: everything a service needs, made once per process."""

    def __init__(
        self, store: Store, policy: Policy, ledger: Ledger, step_up: StepUp | None = None
    ) -> None:
        self.store = store
        self.policy = policy
        self.ledger = ledger
        self.step_up = step_up or StepUp()

    def decide(self, actor: Actor, action: str, resource: Resource) -> Decision:
        """The policy's answer, then the step-up rule; a refusal is raised, not returned."""
        decision = self.policy.decide(actor, action, resource)
        if not decision.allowed:
            raise AccessDenied(actor, action, resource, decision)
        weak = self.step_up.refusal(actor, action)
        if weak is not None:
            raise StepUpRequired(actor, action, resource, weak, self.step_up.required)
        return decision

    @contextmanager
    def operation(
        self,
        actor: Actor,
        action: str,
        resource: Resource | None = None,
        *,
        audit_action: str | None = None,
    ) -> Iterator[Operation]:
        """Run a service body: policy check, the work, and its audit entry, in one transaction.

        With ``resource`` given the policy is asked before the body runs; otherwise the body must
        call ``op.authorize(resource)`` once it has loaded the object's markings.
        """
        try:
            with self.store.transaction() as session:
                op = Operation(session, actor, action, _services=self)
                if resource is not None:
                    op.authorize(resource)
                yield op
                if op.resource is None or op.decision is None:
                    raise RuntimeError(f"service for {action} finished without asking the policy")
                self.ledger.append(session, self._entry(op, audit_action, op.outcome))
                self.ledger.seal(session)
        except AccessDenied as denied:
            self.record_denial(denied, audit_action)
            raise
        except NotFound as missing:
            # A probe of an id that does not exist (or that the actor may not know of) is an
            # attempt like any other: walking ids leaves a trail.
            self.record_probe(actor, action, resource, audit_action, missing)
            raise

    def authorize(self, actor: Actor, action: str, resource: Resource) -> Decision:
        """Ask the policy for work done outside ``operation``; a refusal is audited and raised."""
        try:
            return self.decide(actor, action, resource)
        except AccessDenied as denied:
            self.record_denial(denied)
            raise

    def record_denial(self, denied: AccessDenied, audit_action: str | None = None) -> None:
        """Commit the audit entry of a refused attempt, on its own transaction."""
        with self.store.transaction() as session:
            op = Operation(session, denied.actor, denied.action, denied.resource, denied.decision)
            self.ledger.append(session, self._entry(op, audit_action, "denied"))
            self.ledger.seal(session)

    def record_probe(
        self,
        actor: Actor,
        action: str,
        resource: Resource | None,
        audit_action: str | None,
        missing: NotFound,
    ) -> None:
        """Commit the audit entry of an attempt on something not found, on its own
        transaction: outcome ``not-found``, the problem as the service said it."""
        target = resource or Resource(missing.kind, missing.object_id)
        self.record(
            actor,
            audit_action or f"{target.kind}.{action}",
            target,
            "not-found",
            "",
            {"problem": str(missing)},
        )

    def record(
        self,
        actor: Actor,
        action: str,
        resource: Resource,
        outcome: str,
        policy: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Audit an event that no policy decides (a sign-in, a failed sign-in)."""
        with self.store.transaction() as session:
            entry = Entry(
                actor=actor.user,
                roles=",".join(sorted(actor.roles)),
                unit=actor.unit,
                action=action,
                object_type=resource.kind,
                object_id=resource.id,
                purpose=actor.purpose or "",
                origin=actor.origin,
                outcome=outcome,
                policy=policy,
                details=details or {},
            )
            self.ledger.append(session, entry)
            self.ledger.seal(session)

    @staticmethod
    def _entry(op: Operation, audit_action: str | None, outcome: str) -> Entry:
        resource = op.resource or Resource("unknown", "")
        return Entry(
            actor=op.actor.user,
            roles=",".join(sorted(op.actor.roles)),
            unit=op.actor.unit,
            action=audit_action or f"{resource.kind}.{op.action}",
            object_type=resource.kind,
            object_id=resource.id,
            purpose=op.actor.purpose or "",
            origin=op.actor.origin,
            outcome=outcome,
            policy=op.decision.policy if op.decision else "",
            details=op.details,
        )
