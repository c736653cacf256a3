"""``writ lifecycle``: the gate rules, a case file, a gate check, an action, overdue items."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from writ.cli_console import Terminal, styled
from writ.cli_lazy import LazyModule, open_services
from writ.model.actor import Actor

if TYPE_CHECKING:
    from writ.lifecycle import service as lifecycle
    from writ.service import operation
else:
    lifecycle = LazyModule("writ.lifecycle.service")
    operation = LazyModule("writ.service.operation")

console = Terminal()
err = Terminal(stderr=True)

lifecycle_app = typer.Typer(
    help="Immigration cases: gate rules, case files, gate checks, overdue items.",
    no_args_is_help=True,
)


def _operator() -> Actor:
    # Imported here: writ.cli registers these commands, so it imports this module first.
    from writ import cli

    return cli.operator()


def _fail(exc: Exception) -> None:
    err.print(styled(exc, "red"))
    raise typer.Exit(1)


@lifecycle_app.command("rules")
def rules_command() -> None:
    """Every gate rule with its severity, who may override it and its citation."""
    for rule in lifecycle.list_rules():
        overriders = ", ".join(rule.override_by) or "nobody"
        console.print(
            styled(rule.id, "bold"), f" [{rule.severity}; override: {overriders}]", sep=""
        )
        console.print(f"    {rule.title}", soft_wrap=True)
        console.print(f"    {rule.citation}", soft_wrap=True)
    console.print("Reference rules, not legal advice: counsel reviews them before use.")


def _print_evaluation(evaluation: lifecycle.Evaluation) -> None:
    verdict = "BLOCKED" if evaluation.blocked else "clear"
    console.print(f"{evaluation.action}: {verdict} ({len(evaluation.rules_checked)} rules checked)")
    for finding in evaluation.findings:
        note = f", overridden by {finding.overridden_by}" if finding.overridden_by else ""
        console.print(f"  {finding.rule} [{finding.severity}{note}] {finding.citation}")
        console.print(f"    {finding.explanation}", soft_wrap=True)


@lifecycle_app.command("case")
def case_command(case_id: Annotated[str, typer.Argument(help="Immigration case id.")]) -> None:
    """The case file: alerts, documents, every gated attempt, overrides, custody, family."""
    try:
        file = lifecycle.get_case(open_services(), _operator(), case_id)
    except (operation.AccessDenied, operation.NotFound) as exc:
        _fail(exc)
        return
    c = file.case
    console.print(styled(c.id, "bold"), f" {c.subject_name} {c.a_number or ''} — {c.state}", sep="")
    for alert in file.alerts:
        console.print(f"  ! {alert}")
    for status in file.overdue:
        console.print(
            f"  overdue: {status.title}, due {status.due_at:%Y-%m-%d %H:%M} ({status.citation})"
        )
    for d in file.documents:
        effect = "in effect" if d.in_effect else "not in effect"
        console.print(
            f"document {d.id}: {d.title}, issued {d.issued_at:%Y-%m-%d} by {d.signer} "
            f"({d.signer_role}), {effect}",
            soft_wrap=True,
        )
    for h in file.history:
        fired = ", ".join(f["rule"] for f in h.findings) or "no rule fired"
        console.print(
            f"#{h.id} {h.action} {h.outcome} by {h.requested_by}: {fired}", soft_wrap=True
        )
    for o in file.overrides:
        console.print(f"  override {o.rule} for {o.requested_by} by {o.granted_by}: {o.reason}")
    console.print(f"custody: {file.custody.status} {file.custody.facility or ''}")
    for f in file.family:
        console.print(
            f"family: {f.relation} {f.name} — {f.whereabouts or f.linked_case_id or 'unknown'}"
        )


@lifecycle_app.command("check")
def check_command(
    case_id: Annotated[str, typer.Argument(help="Immigration case id.")],
    action: Annotated[str, typer.Argument(help="The action to check, e.g. schedule_removal.")],
    to: Annotated[str | None, typer.Option("--to", help="Destination country.")] = None,
) -> None:
    """What the gates say about an action now, without requesting it."""
    try:
        evaluation = lifecycle.check_action(
            open_services(), _operator(), case_id, action, destination_country=to
        )
    except (operation.AccessDenied, operation.NotFound, ValueError) as exc:
        _fail(exc)
        return
    _print_evaluation(evaluation)


@lifecycle_app.command("act")
def act_command(
    case_id: Annotated[str, typer.Argument(help="Immigration case id.")],
    action: Annotated[str, typer.Argument(help="A transition, arrest or a detainer action.")],
    to: Annotated[str | None, typer.Option("--to", help="Destination country.")] = None,
) -> None:
    """Request an action; a block is recorded and audited with the rules that fired."""
    try:
        result = lifecycle.request_action(
            open_services(), _operator(), case_id, action, destination_country=to
        )
    except (operation.AccessDenied, operation.NotFound, ValueError) as exc:
        _fail(exc)
        return
    _print_evaluation(result.evaluation)
    console.print(f"case {case_id} is {result.state}")
    if result.blocked:
        raise typer.Exit(2)


@lifecycle_app.command("overdue")
def overdue_command(
    unit: Annotated[str | None, typer.Option(help="Only this unit's cases.")] = None,
) -> None:
    """Overdue items from every timed rule, most overdue first."""
    try:
        items = lifecycle.overdue_items(open_services(), _operator(), unit=unit)
    except operation.AccessDenied as exc:
        _fail(exc)
        return
    table = Table("case", "person", "unit", "clock", "due", "citation")
    for i in items:
        table.add_row(
            i.case_id, i.subject_name, i.unit, i.title, f"{i.due_at:%Y-%m-%d %H:%M}", i.citation
        )
    console.print(table)


photo_app = typer.Typer(
    help="The photo of record on a case (a booking photo the agency holds).",
    no_args_is_help=True,
)
lifecycle_app.add_typer(photo_app, name="photo")


def _photo_files() -> lifecycle.PhotoFiles:
    from writ.service.settings import load_settings

    return lifecycle.photo_files(load_settings().home / "photos")


@photo_app.command("set")
def photo_set_command(
    case_id: Annotated[str, typer.Argument(help="Immigration case id.")],
    image: Annotated[Path, typer.Argument(help="A JPEG, PNG or WebP file, at most 5 MB.")],
    source: Annotated[
        str, typer.Option("--source", help="Where the photo comes from, e.g. the booking.")
    ],
    legal_basis: Annotated[
        str, typer.Option("--legal-basis", help="Why the agency may hold it, e.g. 8 CFR 236.5.")
    ],
    taken_at: Annotated[
        datetime | None, typer.Option("--taken-at", help="When it was taken (UTC).")
    ] = None,
) -> None:
    """Set the photo of record; the previous one is superseded and kept."""
    try:
        content = image.read_bytes()
    except OSError as exc:
        _fail(ValueError(f"{image}: {exc.strerror}"))
        return
    try:
        photo = lifecycle.set_photo(
            open_services(),
            _operator(),
            case_id,
            content,
            source=source,
            legal_basis=legal_basis,
            taken_at=taken_at.replace(tzinfo=UTC) if taken_at and not taken_at.tzinfo else taken_at,
            files=_photo_files(),
        )
    except (operation.AccessDenied, operation.NotFound, ValueError) as exc:
        _fail(exc)
        return
    console.print(
        f"photo {photo.id} set on {case_id}: {photo.media_type}, sha256 {photo.sha256}",
        soft_wrap=True,
    )


@photo_app.command("get")
def photo_get_command(
    case_id: Annotated[str, typer.Argument(help="Immigration case id.")],
    out: Annotated[Path, typer.Option("--out", help="Write the image here.")],
) -> None:
    """Write the photo of record to a file (the read is audited)."""
    try:
        photo, content = lifecycle.photo_of_record(
            open_services(),
            _operator(),
            case_id,
            _photo_files(),
        )
    except (operation.AccessDenied, operation.NotFound, lifecycle.PhotoIntegrityError) as exc:
        _fail(exc)
        return
    out.write_bytes(content)
    console.print(f"{out}: {photo.alt}, {photo.source} ({photo.legal_basis})", soft_wrap=True)
