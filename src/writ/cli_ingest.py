"""``writ ingest``, ``writ quarantine`` and ``writ sources``: the ingest commands."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from writ.cli_console import Terminal, styled
from writ.cli_lazy import LazyModule, open_services
from writ.model.actor import Actor

if TYPE_CHECKING:
    from writ.ingest import service as ingest_service
    from writ.ingest.service import IngestProgress, IngestSummary, QuarantineEntry
else:
    ingest_service = LazyModule("writ.ingest.service")

BATCH_SIZE = 5000  # rows per batch unless --batch-size says otherwise (as ingest's default)

console = Terminal()
err = Terminal(stderr=True)

quarantine_app = typer.Typer(help="Rows that could not be taken.", no_args_is_help=True)
sources_app = typer.Typer(help="The sources registry.", no_args_is_help=True)


def _operator() -> Actor:
    # Imported here: writ.cli registers these commands, so it imports this module first.
    from writ import cli

    return cli.operator()


def ingest_command(
    mapping: Annotated[Path, typer.Argument(help="The source's mapping file (YAML).")],
    file: Annotated[
        Path | None, typer.Option("--file", help="Read this file instead of the mapping's path.")
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Rows per committed (and audited) batch.")
    ] = BATCH_SIZE,
) -> None:
    """Ingest a source through its mapping; an interrupted run of the same input resumes."""
    svc = open_services()
    actor = _operator()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:>10,} rows  {task.fields[rate]:>8,.0f} rows/s"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(mapping.name, total=None, rows=0, rate=0.0)
        started = time.monotonic()

        def report(state: IngestProgress) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            progress.update(
                task,
                # The file is closed once its last row is read: then all of it has been.
                completed=state.bytes_total if state.bytes_read is None else state.bytes_read,
                total=state.bytes_total,
                rows=state.rows,
                rate=state.rows_this_process / elapsed,
            )

        try:
            summary = ingest_service.ingest(
                svc, actor, mapping, file=file, progress=report, batch_size=batch_size
            )
        except (ingest_service.SourceError, ingest_service.RunInterrupted) as exc:
            err.print(styled("error", "bold red"), f": {exc}", sep="")
            raise typer.Exit(2) from exc
    _print_summary(summary, time.monotonic() - started)


def _print_summary(summary: IngestSummary, seconds: float) -> None:
    table = Table(title=f"ingest of {summary.source}", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    rows = [
        ("read", summary.read),
        ("taken", summary.taken),
        ("  new", summary.new),
        ("  changed", summary.changed),
        ("  unchanged", summary.unchanged),
        ("quarantined", summary.quarantined),
        ("statements added", summary.statements_added),
        ("statements superseded", summary.statements_superseded),
    ]
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    console.print(table)
    console.print(f"input    {summary.input}")
    console.print(f"mapping  sha256 {summary.mapping_sha256}")
    console.print(
        f"run      {summary.run_id}"
        + (f" (resumed after row {summary.resumed_at:,})" if summary.resumed_at else "")
    )
    balance = "=" if summary.balanced else "≠"
    style = "green" if summary.balanced else "bold red"
    console.print(
        styled(
            f"read {summary.read:,} {balance} taken {summary.taken:,} + quarantined "
            f"{summary.quarantined:,}",
            style,
        ),
        f"  ({seconds:.1f} s)",
        sep="",
    )
    if summary.quarantined:
        console.print(f"see them with: writ quarantine list --source {summary.source}")
    if not summary.balanced:
        raise typer.Exit(1)


def _entries_table(entries: list[QuarantineEntry]) -> Table:
    table = Table("id", "source", "file", "line", "field", "value", "reason", "status")
    for entry in entries:
        table.add_row(
            str(entry.id),
            entry.source,
            Path(entry.file).name if entry.file != "quarantine" else entry.file,
            str(entry.line),
            entry.field,
            "" if entry.value is None else entry.value,
            entry.reason,
            entry.status,
        )
    return table


@quarantine_app.command("list")
def quarantine_list(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Released and superseded entries too.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
) -> None:
    """The quarantined rows: file, line, field, value and reason."""
    entries = ingest_service.list_quarantine(
        open_services(), _operator(), source=source, status=None if all_ else "open", limit=limit
    )
    console.print(_entries_table(entries))


@quarantine_app.command("show")
def quarantine_show(entry_id: int) -> None:
    """One quarantined row, whole, with all its problems."""
    entry = ingest_service.show_quarantine(open_services(), _operator(), entry_id)
    console.print(styled(f"quarantine entry {entry.id}", "bold"), f" ({entry.status})", sep="")
    console.print(f"source   {entry.source}")
    console.print(f"file     {entry.file}, line {entry.line}")
    console.print(f"run      {entry.run_id}, quarantined {entry.created_at}")
    if entry.resolved_at:
        console.print(
            f"resolved {entry.resolved_at}"
            + (f", record {entry.record_id}" if entry.record_id else "")
        )
    problems = Table("reason", "field", "value", "message", title="problems")
    for problem in entry.problems:
        value = problem.get("value")
        problems.add_row(
            problem["reason"],
            problem["field"],
            "" if value is None else str(value),
            problem["message"],
        )
    console.print(problems)
    if entry.row is not None:
        row = Table("column", "value", title="the row")
        for column, value in entry.row.items():
            row.add_row(column, "" if value is None else str(value))
        console.print(row)


@quarantine_app.command("retry")
def quarantine_retry(
    entry_ids: Annotated[list[int] | None, typer.Argument(help="Entry ids.")] = None,
    source: Annotated[str | None, typer.Option(help="Every open entry of this source.")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Use this mapping instead of the source's registered one.")
    ] = None,
) -> None:
    """Run quarantined rows again through the source's current mapping."""
    result = ingest_service.retry_quarantine(
        open_services(),
        _operator(),
        entry_ids=entry_ids or None,
        source=source,
        mapping_path=mapping,
    )
    console.print(f"released   {len(result.released)}  {_ids(result.released)}")
    console.print(f"superseded {len(result.superseded)}  {_ids(result.superseded)}")
    console.print(f"still open {len(result.still_open)}  {_ids(result.still_open)}")


def _ids(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")


@sources_app.command("runs")
def sources_runs(
    source: Annotated[str | None, typer.Argument(help="Only this source's runs.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
) -> None:
    """Ingest runs, newest first: input, status and counts (read = taken + quarantined)."""
    table = Table("run", "source", "input", "status", "started", "read", "new", "changed")
    table.add_column("unchanged")
    table.add_column("quarantined")
    for run in ingest_service.list_runs(open_services(), _operator(), source=source, limit=limit):
        table.add_row(
            run.id,
            run.source,
            run.input,
            run.status,
            run.started_at,
            *(f"{n:,}" for n in (run.read, run.new, run.changed, run.unchanged, run.quarantined)),
        )
    console.print(table)


@sources_app.command("list")
def sources_list() -> None:
    """Each source with its legal basis, records, last ingest and open quarantine."""
    table = Table(
        "source",
        "title",
        "legal basis",
        "category",
        "retention",
        "records",
        "last ingest",
        "quarantined",
    )
    for view in ingest_service.list_sources(open_services(), _operator()):
        table.add_row(
            view.name,
            view.title,
            view.authority,
            view.data_category,
            view.retention,
            f"{view.records:,}",
            view.last_ingest_at or "never",
            f"{view.quarantined:,}",
        )
    console.print(table)
