"""The ``writ`` command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from writ import cli_cases, cli_ingest, cli_lifecycle, cli_resolve
from writ.cli_console import Terminal, styled
from writ.cli_lazy import LazyModule, open_services
from writ.model.actor import Actor, system_actor
from writ.service.settings import ConfigError

if TYPE_CHECKING:
    from writ.service import admin as admin_service
    from writ.service import audit as audit_service
    from writ.service import users as user_service
else:
    admin_service = LazyModule("writ.service.admin")
    audit_service = LazyModule("writ.service.audit")
    user_service = LazyModule("writ.service.users")

console = Terminal()
err = Terminal(stderr=True)

app = typer.Typer(help="writ: open, accountable case management.", no_args_is_help=True)
db_app = typer.Typer(help="The store: migrations.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit ledger.", no_args_is_help=True)
demo_app = typer.Typer(
    help="Synthetic demo data (made up; never real people).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(demo_app, name="demo")
app.command("ingest")(cli_ingest.ingest_command)
app.add_typer(cli_ingest.quarantine_app, name="quarantine")
app.add_typer(cli_ingest.sources_app, name="sources")
app.add_typer(cli_resolve.resolve_app, name="resolve")
app.command("match")(cli_resolve.match_command)
app.add_typer(cli_resolve.review_app, name="review")
app.add_typer(cli_resolve.export_app, name="export")
app.add_typer(cli_lifecycle.lifecycle_app, name="lifecycle")
app.add_typer(cli_cases.cases_app, name="cases")
app.add_typer(cli_cases.search_app, name="search")
app.add_typer(cli_cases.import_app, name="import")
cli_resolve.export_app.command("ftm")(cli_cases.export_ftm_command)

# The local operator at the console: a named system actor, audited like anyone else.
OPERATOR = system_actor("cli", purpose="administration", roles=frozenset({"admin", "custodian"}))


def operator() -> Actor:
    """``system:cli``, or the user named by WRIT_USER acting for WRIT_PURPOSE."""
    name = os.environ.get("WRIT_USER")
    if not name:
        return OPERATOR
    svc = open_services()
    for user in user_service.list_users(svc, OPERATOR):
        if user.username == name:
            return user.actor(os.environ.get("WRIT_PURPOSE"), origin="cli")
    raise ConfigError(f"WRIT_USER={name}: no such user")


@app.command()
def init(
    home: Annotated[
        Path | None, typer.Option(help="Where the store and key live (WRIT_HOME).")
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Mark this store as a synthetic demo in its settings.")
    ] = False,
) -> None:
    """Create the settings, the ledger's Ed25519 signing key and the store."""
    result = admin_service.init(home, demo=demo)
    settings = result.settings
    console.print(f"home      {settings.home}")
    console.print(f"store     {settings.database_url}")
    key_note = "created" if result.created_key else "kept"
    console.print(
        f"ledger key {settings.ledger_key} ({key_note}); public key {settings.public_key}"
    )
    console.print(f"migrations {', '.join(result.revisions)}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending Alembic migration."""
    revisions = admin_service.upgrade_database()
    console.print(f"store is at {', '.join(revisions)}")


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[list[str], typer.Option("--role", help="Repeat for several roles.")],
    unit: Annotated[str, typer.Option(help="Owning unit, e.g. ERO-NYC.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    compartment: Annotated[list[str] | None, typer.Option(help="Need-to-know compartment.")] = None,
    password: Annotated[
        str | None, typer.Option(help="Local password (else read from WRIT_PASSWORD).")
    ] = None,
) -> None:
    """Add a user with roles, unit and compartments."""
    svc = open_services()
    user = user_service.add_user(
        svc,
        operator(),
        username,
        roles=set(role),
        unit=unit,
        display_name=name,
        compartments=set(compartment or []),
        password=password or os.environ.get("WRIT_PASSWORD"),
    )
    console.print(f"added {user.username}: {', '.join(sorted(user.roles))} in {user.unit}")


@users_app.command("list")
def users_list() -> None:
    """List users."""
    table = Table("user", "name", "roles", "unit", "compartments")
    for user in user_service.list_users(open_services(), operator()):
        table.add_row(
            user.username,
            user.display_name,
            ", ".join(sorted(user.roles)),
            user.unit,
            ", ".join(sorted(user.compartments)),
        )
    console.print(table)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute every entry and signed tree head. Exits 1 and names the first bad entry."""
    result = audit_service.verify(open_services(), operator())
    if result.ok:
        console.print(
            f"ledger verified: {result.entries} entries, {result.heads} signed tree heads"
        )
        return
    err.print(styled("ledger verification failed", "bold red"), f": {result.problem}", sep="")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[Path, typer.Option("--out", help="File to write the signed tree head to.")],
) -> None:
    """Write the current signed tree head to a file kept outside the database."""
    head = audit_service.checkpoint(open_services(), operator())
    out.write_text(head.to_json() + "\n")
    console.print(f"checkpoint at size {head.tree_size}, root {head.root_hash.hex()} → {out}")


@audit_app.command("prove")
def audit_prove(entry_id: int) -> None:
    """Print an inclusion proof for one entry, as JSON."""
    proof = audit_service.prove(open_services(), operator(), entry_id)
    print(json.dumps(proof.to_json(), indent=2))
    if not proof.verifies():
        err.print(styled(f"the proof for entry {entry_id} does not verify", "bold red"))
        raise typer.Exit(1)


@audit_app.command("consistency")
def audit_consistency(
    from_: Annotated[
        Path, typer.Option("--from", help="A checkpoint written by `audit checkpoint`.")
    ],
) -> None:
    """Prove the log only grew since a saved checkpoint."""
    from writ.audit.keys import TreeHead

    old = TreeHead.from_json(from_.read_text())
    result = audit_service.consistency(open_services(), operator(), old)
    print(json.dumps(result.to_json(), indent=2))
    if not result.ok:
        err.print(styled("not consistent", "bold red"), f": {result.problem}", sep="")
        raise typer.Exit(1)


@audit_app.command("log")
def audit_log(limit: int = 20) -> None:
    """Show the newest audit entries."""
    table = Table("seq", "when (UTC)", "who", "action", "object", "purpose", "outcome", "policy")
    for row in audit_service.entries(open_services(), operator(), limit=limit):
        table.add_row(
            str(row["seq"]),
            row["ts"],
            row["actor"],
            row["action"],
            f"{row['object_type']}:{row['object_id']}",
            row["purpose"],
            row["outcome"],
            row["policy"],
        )
    console.print(table)


@demo_app.command("generate")
def demo_generate(
    out_dir: Path,
    people: Annotated[int, typer.Option(help="How many made-up people.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
) -> None:
    """Write synthetic agency sources, their mappings and a ground truth to OUT_DIR."""
    from writ.service import demo as demo_service

    rows = demo_service.generate_sources(out_dir, people=people, seed=seed)
    for source, count in rows.items():
        console.print(f"{source}: {count} rows")
    console.print(f"written to {out_dir} — synthetic, made-up people (see README.txt there)")


@demo_app.command("load")
def demo_load(
    people: Annotated[int, typer.Option(help="How many made-up people.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
) -> None:
    """Generate the synthetic sources, ingest and resolve them, and add one user per role."""
    from writ.service import demo as demo_service
    from writ.service.settings import load_settings

    folder = load_settings().home / "demo-sources"
    summary = demo_service.load(
        open_services(), folder, people=people, seed=seed, say=console.print
    )
    table = Table("demo user", "roles", "password", title="SYNTHETIC DEMO — made-up people")
    for username, roles, password in summary.users:
        table.add_row(username, roles, password)
    console.print(table)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="WRIT_PORT")] = 8000,
) -> None:
    """Serve the web application and the API."""
    import uvicorn

    from writ.api.app import create_app

    console.print(f"writ at http://{host}:{port}/  (API: http://{host}:{port}/api/v1/docs)")
    # Forwarded headers are believed only from the proxies writ.toml names (trusted_proxies),
    # by the application itself: uvicorn's own default believes them from 127.0.0.1.
    uvicorn.run(create_app(), host=host, port=port, log_level="info", proxy_headers=False)


def run(args: list[str]) -> int:
    """Run one command; return its exit code (2: bad input or configuration, 3: denied)."""
    try:
        app(args, prog_name="writ")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    except (ConfigError, ValueError, LookupError) as exc:
        err.print(styled("error", "bold red"), f": {exc}", sep="")
        return 2
    except Exception as exc:
        # Imported only now: a refusal means the services were loaded already.
        from writ.service import AccessDenied

        if not isinstance(exc, AccessDenied):
            raise
        err.print(styled("denied", "bold red"), f": {exc}", sep="")
        return 3
    return 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
