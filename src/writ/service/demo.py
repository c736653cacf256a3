"""``writ demo load``: a synthetic, clearly labelled data set that exercises every service.

Everything here is made up. The sources are written by ``writ.demo.generate`` and go through the
same ingest, resolution and case services as real data, as named system actors, so the demo's
audit log looks like a real one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from writ.demo.generate import generate
from writ.ingest import service as ingest_service
from writ.model.actor import system_actor
from writ.resolve import service as resolve_service
from writ.service import auth
from writ.service import users as user_service
from writ.service.demo_lifecycle import LifecycleDemo, seed_lifecycle
from writ.service.operation import Services
from writ.service.settings import load_settings

DEMO_ACTOR = system_actor("demo", purpose="administration", roles=frozenset({"admin", "custodian"}))
INGEST_ACTOR = system_actor("ingest")
RESOLVE_ACTOR = system_actor("resolve")

# One demo user per role. The passwords are printed by `make demo`; they guard nothing real.
DEMO_USERS: tuple[tuple[str, str, frozenset[str], str, str], ...] = (
    ("officer", "Olivia Ortega (officer)", frozenset({"officer"}), "ERO-NYC", "demo-officer"),
    ("officer2", "Omar Haddad (officer)", frozenset({"officer"}), "HSI-MIA", "demo-officer2"),
    (
        "supervisor",
        "Samuel Park (supervisor)",
        frozenset({"supervisor"}),
        "ERO-NYC",
        "demo-supervisor",
    ),
    ("legal", "Lena Fischer (legal)", frozenset({"legal"}), "OPLA-NYC", "demo-legal"),
    ("oversight", "Oren Adeyemi (oversight)", frozenset({"oversight"}), "OIG", "demo-oversight"),
    (
        "custodian",
        "Clara Nguyen (records custodian)",
        frozenset({"custodian"}),
        "RECORDS",
        "demo-custodian",
    ),
    ("admin", "Ada Kowalski (admin)", frozenset({"admin"}), "HQ", "demo-admin"),
)


@dataclass
class DemoSummary:
    folder: Path
    users: list[tuple[str, str, str]] = field(default_factory=list)
    ingested: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    subjects: int | None = None
    notes: list[str] = field(default_factory=list)
    lifecycle: LifecycleDemo | None = None


def generate_sources(out_dir: Path, *, people: int = 400, seed: int = 7) -> dict[str, int]:
    """Write the synthetic sources, their mappings and ground truth; return rows per source.

    Writes files only, touches no store, so it needs no actor.
    """
    return generate(out_dir, people=people, seed=seed).rows_per_source()


def load(
    svc: Services,
    folder: Path,
    *,
    people: int = 400,
    seed: int = 7,
    photo_root: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> DemoSummary:
    """Generate the synthetic sources into ``folder`` and load them, with one user per role,
    then the immigration cases of the lifecycle workflows (photos under ``photo_root``,
    default ``$WRIT_HOME/photos``)."""
    summary = DemoSummary(folder)
    existing = {u.username for u in user_service.list_users(svc, DEMO_ACTOR)}
    for username, name, roles, unit, password in DEMO_USERS:
        if username not in existing:
            user_service.add_user(
                svc,
                DEMO_ACTOR,
                username,
                roles=roles,
                unit=unit,
                display_name=name,
                password=password,
            )
            auth.set_totp_secret(svc, DEMO_ACTOR, username, auth.demo_secret(username))
        summary.users.append((username, ", ".join(sorted(roles)), password))
    say(f"users: {', '.join(u for u, _, _ in summary.users)}")
    generated = generate(folder, people=people, seed=seed)
    say(f"synthetic sources written to {folder} (made up; see its README.txt)")
    for name, mapping in sorted(generated.mappings.items()):
        result = ingest_service.ingest(svc, INGEST_ACTOR, mapping)
        summary.ingested[name] = (result.read, result.taken, result.quarantined)
        say(
            f"ingested {name}: read {result.read}, taken {result.taken}, "
            f"quarantined {result.quarantined}"
        )
    resolved = resolve_service.run(svc, RESOLVE_ACTOR)
    summary.subjects = resolved.subjects
    say(
        f"resolved {resolved.records} records into {resolved.subjects} subjects "
        f"({resolved.in_review} pairs for review)"
    )
    summary.lifecycle = seed_lifecycle(svc, photo_root or load_settings().home / "photos", say=say)
    return summary
