"""Step-up: overrides and exports need a stronger sign-in than reading and writing.

A session records the ``acr`` (authentication context class) it was signed in with. Overriding
a gate and exporting records need one of the step-up values: the ``acr`` values named by
``[oidc] step_up_acr`` in writ.toml, or a local account's password and one-time code
(``pwd+otp``), which is already two factors. System actors and in-process callers (the console
and jobs, ``acr`` None) are not signed in through a session and are not asked to step up.
"""

from __future__ import annotations

from dataclasses import dataclass

from writ.model.actor import Actor
from writ.policy.engine import Decision

STEP_UP_ACTIONS = frozenset({"override", "export"})
LOCAL_TOTP_ACR = "pwd+otp"
POLICY_ID = "step-up-required"


@dataclass(frozen=True)
class StepUp:
    """The ``acr`` values that count as step-up; the first is the one a provider is asked for."""

    acrs: tuple[str, ...] = ()

    @property
    def required(self) -> str:
        return self.acrs[0] if self.acrs else LOCAL_TOTP_ACR

    def satisfied(self, actor: Actor) -> bool:
        if actor.system or actor.acr is None:
            return True
        return actor.acr == LOCAL_TOTP_ACR or actor.acr in self.acrs

    def refusal(self, actor: Actor, action: str) -> Decision | None:
        """The refusal when ``action`` needs a step-up this actor's sign-in lacks, else None."""
        if action not in STEP_UP_ACTIONS or self.satisfied(actor):
            return None
        return Decision(
            False,
            (POLICY_ID,),
            f"To {action}, sign in again at assurance level {self.required} "
            f"(this session has {actor.acr or 'no acr'}).",
        )
