"""``writ resolve``, ``writ match``, ``writ review`` and ``writ export clusters``."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from writ.cli_console import Terminal, styled
from writ.cli_lazy import LazyModule, open_services
from writ.model.actor import Actor

if TYPE_CHECKING:
    from writ.resolve import service as resolve
    from writ.resolve.service import ChangeResult, RunSummary, Thresholds
else:
    resolve = LazyModule("writ.resolve.service")

VERDICTS = ("same", "not_same", "unsure")

console = Terminal()

resolve_app = typer.Typer(
    help="Entity resolution: one subject per real person.", no_args_is_help=True
)
review_app = typer.Typer(help="The match review queue.", no_args_is_help=True)
export_app = typer.Typer(help="Exports.", no_args_is_help=True)


def _operator() -> Actor:
    # Imported here: writ.cli registers these commands, so it imports this module first.
    from writ import cli

    return cli.operator()


def _thresholds(accept: float | None, review: float | None) -> Thresholds | None:
    if accept is None and review is None:
        return None
    default = resolve.Thresholds()
    return resolve.Thresholds(
        accept=default.accept if accept is None else accept,
        review=default.review if review is None else review,
    )


AcceptOption = Annotated[
    float | None, typer.Option(help="Match weight at or above which pairs merge.")
]
ReviewOption = Annotated[
    float | None, typer.Option(help="Match weight at or above which pairs go to review.")
]


def _print_run(result: RunSummary) -> None:
    console.print(
        f"{result.kind}: {result.records} records, model {result.model_version}; "
        f"{result.accepted} pairs merged, {result.in_review} for review; "
        f"{result.subjects} subjects, {result.records_moved} records moved "
        f"(event {result.event_id}, {result.seconds:.1f}s)"
    )


@resolve_app.command("run")
def resolve_run(
    retrain: Annotated[bool, typer.Option(help="Train a new model first.")] = False,
    accept: AcceptOption = None,
    review: ReviewOption = None,
) -> None:
    """Match every person on file from scratch (judgements and subject ids are kept)."""
    _print_run(resolve.run(open_services(), _operator(), retrain, _thresholds(accept, review)))


@resolve_app.command("update")
def resolve_update() -> None:
    """Match only the persons not yet resolved against the known subjects."""
    _print_run(resolve.match_new(open_services(), _operator()))


@resolve_app.command("train")
def resolve_train(accept: AcceptOption = None, review: ReviewOption = None) -> None:
    """Train a new linkage model on the persons on file and make it the active one."""
    model = resolve.train_model(open_services(), _operator(), _thresholds(accept, review))
    trained, of = model.trained_on.get("records"), model.trained_on.get("of_records")
    sample = f" (a sample of {of})" if of and of != trained else ""
    console.print(
        f"model {model.version}: trained on {trained} records{sample}, "
        f"accept at {model.thresholds.accept:+.1f}, review at {model.thresholds.review:+.1f}"
    )


def _print_change(result: ChangeResult) -> None:
    console.print(f"event {result.event_id} ({result.kind}): {len(result.changes)} records moved")
    for entity_id, (before, after) in sorted(result.changes.items()):
        console.print(f"  {entity_id}: {before or '(new)'} → {after}")


@resolve_app.command("merge")
def resolve_merge(
    subject_a: str, subject_b: str, reason: Annotated[str, typer.Option(help="Why.")]
) -> None:
    """Join two subjects: a "same" judgement that outranks the A-number rule."""
    _print_change(resolve.merge(open_services(), _operator(), subject_a, subject_b, reason))


@resolve_app.command("split")
def resolve_split(
    subject_id: str,
    entity_ids: Annotated[list[str], typer.Argument(help="The records to take out.")],
    reason: Annotated[str, typer.Option(help="Why.")],
) -> None:
    """Take records out of a subject into a subject of their own (the larger part keeps the id)."""
    _print_change(resolve.split(open_services(), _operator(), subject_id, entity_ids, reason))


@resolve_app.command("undo")
def resolve_undo(event_id: int, reason: Annotated[str, typer.Option(help="Why.")]) -> None:
    """Undo a merge, split or decision."""
    _print_change(resolve.undo(open_services(), _operator(), event_id, reason))


@resolve_app.command("subject")
def resolve_subject(subject_id: str) -> None:
    """The records resolved into one subject."""
    table = Table("entity", "source", "record", "person")
    for record in resolve.subject_records(open_services(), _operator(), subject_id):
        table.add_row(record.entity_id, record.source, record.record_id, record.caption)
    console.print(table)


def match_command(
    first_name: Annotated[str | None, typer.Option(help="Given name(s).")] = None,
    last_name: Annotated[str | None, typer.Option(help="Family name(s).")] = None,
    name: Annotated[str | None, typer.Option(help="Full name, if not split.")] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD, YYYY-MM or YYYY.")] = None,
    a_number: Annotated[str | None, typer.Option(help="Alien registration number.")] = None,
    passport: Annotated[str | None, typer.Option(help="Passport number.")] = None,
    nationality: Annotated[str | None, typer.Option(help="ISO country code.")] = None,
    limit: int = 10,
) -> None:
    """Is this person already known? Ranked candidates, each with its explanation."""
    props = {
        "firstName": first_name,
        "lastName": last_name,
        "name": name,
        "birthDate": birth_date,
        "idNumber": a_number,
        "passportNumber": passport,
        "nationality": nationality,
    }
    given = {prop: [value] for prop, value in props.items() if value}
    if not given:
        raise typer.BadParameter("give at least a name, a date of birth or a document number")
    candidates = resolve.match_one(open_services(), _operator(), given, limit)
    if not candidates:
        console.print("no candidate: this person is not known")
        return
    for rank, candidate in enumerate(candidates, 1):
        console.print(
            styled(f"{rank}. {candidate.subject_id}", "bold"),
            f" {candidate.record.caption} — "
            f"{candidate.record.source} {candidate.record.record_id}: "
            f"weight {candidate.weight:+.1f} ({candidate.outcome})",
            sep="",
        )
        for line in candidate.explanation:
            console.print(f"     {line}")


@review_app.command("list")
def review_list_command(limit: int = 50) -> None:
    """Pairs waiting for a person to decide, strongest first."""
    table = Table("match", "weight", "left", "right", "first reason")
    for item in resolve.review_list(open_services(), _operator(), limit):
        table.add_row(
            str(item.match_id),
            f"{item.weight:+.1f}",
            item.left.caption,
            item.right.caption,
            item.explanation[0] if item.explanation else "",
        )
    console.print(table)


@review_app.command("show")
def review_show_command(match_id: int) -> None:
    """Both records side by side, the explanation and the judgements so far."""
    item = resolve.review_show(open_services(), _operator(), match_id)
    console.print(f"match {item.match_id}: {item.summary} (model {item.model_version})")
    table = Table("property", "left", "right")
    table.add_row("subject", item.left.subject_id, item.right.subject_id)
    table.add_row("source", item.left.source, item.right.source)
    table.add_row("record", item.left.record_id, item.right.record_id)
    for prop in sorted(set(item.left.values) | set(item.right.values)):
        table.add_row(
            prop,
            "; ".join(item.left.values.get(prop, [])),
            "; ".join(item.right.values.get(prop, [])),
        )
    console.print(table)
    for line in item.explanation:
        console.print(f"  {line}")
    for judgement in item.judgements:
        console.print(
            f"  judged {judgement.verdict} by {judgement.user} at {judgement.created_at}: "
            f"{judgement.reason}"
        )


@review_app.command("decide")
def review_decide(
    match_id: int,
    verdict: Annotated[str, typer.Argument(help=f"One of: {', '.join(VERDICTS)}.")],
    reason: Annotated[str, typer.Option(help="Why, in a sentence.")],
) -> None:
    """Judge a pair: same, not_same or unsure."""
    _print_change(resolve.decide(open_services(), _operator(), match_id, verdict, reason))


@export_app.command("clusters")
def export_clusters_command(
    format: Annotated[str, typer.Option("--format", help="csv")] = "csv",
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """source,record_id,subject_id for every resolved person (and its entity id)."""
    if format != "csv":
        raise typer.BadParameter(f"--format {format}: only csv is supported")
    rows = resolve.export_clusters(open_services(), _operator())
    handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("source", "record_id", "subject_id", "entity_id"))
        for row in rows:
            writer.writerow((row.source, row.record_id, row.subject_id, row.entity_id))
    finally:
        if output:
            handle.close()
