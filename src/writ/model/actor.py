"""Who is acting: every service call names an Actor, and the policy and the ledger see it."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = frozenset({"officer", "supervisor", "legal", "oversight", "custodian", "admin"})

PURPOSES = frozenset(
    {
        "investigation",
        "case-processing",
        "legal-review",
        "oversight",
        "records-management",
        "administration",
    }
)


@dataclass(frozen=True)
class Actor:
    """A person or a named system job, with the roles, unit and purpose it acts under."""

    user: str
    roles: frozenset[str]
    unit: str
    compartments: frozenset[str] = field(default_factory=frozenset)
    purpose: str | None = None
    origin: str = "local"
    system: bool = False
    acr: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.roles) - ROLES
        if unknown:
            raise ValueError(f"actor {self.user}: unknown role(s) {sorted(unknown)}")
        if self.purpose is not None and self.purpose not in PURPOSES:
            raise ValueError(f"actor {self.user}: unknown purpose of use {self.purpose!r}")

    def with_purpose(self, purpose: str | None) -> Actor:
        return Actor(
            self.user,
            self.roles,
            self.unit,
            self.compartments,
            purpose,
            self.origin,
            self.system,
            self.acr,
        )


def system_actor(
    job: str,
    purpose: str = "records-management",
    roles: frozenset[str] = frozenset({"custodian"}),
) -> Actor:
    """A named system actor for a job, so automated changes are attributable (``system:ingest``)."""
    return Actor(
        user=f"system:{job}",
        roles=roles,
        unit="system",
        purpose=purpose,
        system=True,
    )
