"""``writ cases``, ``writ search``, ``writ export ftm`` and ``writ import ftm``.

Case work is done as the user named by WRIT_USER for WRIT_PURPOSE (see ``writ.cli.operator``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from typer.core import TyperGroup

from writ.cli_console import Terminal, styled
from writ.cli_lazy import LazyModule, open_services
from writ.model.actor import Actor
from writ.service.settings import load_settings

if TYPE_CHECKING:
    from writ.cases import service as cases
    from writ.search import service as search
else:
    cases = LazyModule("writ.cases.service")
    search = LazyModule("writ.search.service")

console = Terminal()
err = Terminal(stderr=True)

cases_app = typer.Typer(help="Investigations: cases, evidence, link charts.", no_args_is_help=True)


class _QueryFirst(TyperGroup):
    """``writ search QUERY`` is ``writ search find QUERY``; the other commands keep their names."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["find", *args]
        return super().parse_args(ctx, args)


search_app = typer.Typer(
    cls=_QueryFirst,
    help=(
        "Search people and cases: `writ search QUERY` (a name, an A-number, a passport or a "
        "case number), or subjects by record and notes by their text."
    ),
    no_args_is_help=True,
)
import_app = typer.Typer(help="Imports.", no_args_is_help=True)


def _operator() -> Actor:
    # Imported here: writ.cli registers these commands, so it imports this module first.
    from writ import cli

    return cli.operator()


def _files() -> cases.FileEvidenceStore:
    return cases.FileEvidenceStore(load_settings().home / "evidence")


@cases_app.command("open")
def open_command(
    title: str,
    type: Annotated[str, typer.Option(help="investigation or immigration")] = "investigation",
    compartment: Annotated[list[str] | None, typer.Option(help="Need-to-know compartment.")] = None,
    sealed: Annotated[bool, typer.Option(help="Seal the case.")] = False,
) -> None:
    """Open a case owned by your unit."""
    case = cases.open_case(
        open_services(),
        _operator(),
        type=type,
        title=title,
        compartments=set(compartment or []),
        sealed=sealed,
    )
    console.print(f"opened {case.number} (id {case.id})")


@cases_app.command("list")
def list_command(status: str = "open") -> None:
    """Your unit's cases that you may read."""
    table = Table("id", "number", "type", "title", "owner", "status")
    for case in cases.list_cases(open_services(), _operator(), status=status or None):
        table.add_row(case.id, case.number, case.type, case.title, case.owner, case.status)
    console.print(table)


@cases_app.command("show")
def show_command(case_id: str) -> None:
    """A case, its subjects and links."""
    view = cases.get_case(open_services(), _operator(), case_id)
    case = view.case
    console.print(f"{case.number} [{case.type}, {case.status}] {case.title}")
    console.print(f"unit {case.unit}, owner {case.owner}; assigned: {', '.join(view.assignees)}")
    for subject in view.subjects:
        console.print(f"  subject {subject.entity_id} as {subject.role}")
    for link in view.links:
        console.print(f"  linked to {link.other_number} ({link.relation}): {link.reason}")


@cases_app.command("add-subject")
def add_subject_command(case_id: str, entity_id: str, role: str = "target") -> None:
    """Put a subject on a case; tells you whom to contact if another unit holds them."""
    result = cases.add_subject(open_services(), _operator(), case_id, entity_id, role)
    console.print(f"added {entity_id} as {role}")
    for number in result.also_on:
        console.print(f"  also on your unit's case {number}")
    for conflict in result.conflicts:
        err.print(styled(conflict.message(), "bold yellow"))


@cases_app.command("queue")
def queue_command() -> None:
    """Your open tasks and leads, and unread notifications."""
    svc, actor = open_services(), _operator()
    queue = cases.my_queue(svc, actor)
    table = Table("task", "case", "title", "due", "status")
    for task in queue.tasks:
        table.add_row(task.id, task.case_id, task.title, task.due or "", task.status)
    console.print(table)
    for lead in queue.leads:
        console.print(f"lead {lead.id} [{lead.priority or 'untriaged'}] {lead.summary}")
    for note in cases.list_notifications(svc, actor):
        console.print(f"[{note.kind}] {note.message}")


@cases_app.command("report")
def report_command(
    case_id: str,
    out: Annotated[
        Path,
        typer.Option("--out", help="File to write: a .pdf name gives a tagged PDF, else HTML."),
    ],
) -> None:
    """Write the report of investigation as accessible HTML, or as a tagged PDF (PDF/UA-1)."""
    if out.suffix.lower() == ".pdf":
        out.write_bytes(cases.report_pdf(open_services(), _operator(), case_id))
    else:
        out.write_text(cases.report_html(open_services(), _operator(), case_id), encoding="utf-8")
    console.print(f"report written to {out}")


@cases_app.command("timeline")
def timeline_command(
    case: Annotated[str | None, typer.Option(help="A case id.")] = None,
    subject: Annotated[str | None, typer.Option(help="A subject's entity id.")] = None,
) -> None:
    """A case's or a subject's timeline, newest first."""
    if (case is None) == (subject is None):
        raise typer.BadParameter("give --case or --subject")
    svc, actor = open_services(), _operator()
    events = (
        cases.case_timeline(svc, actor, case)
        if case
        else cases.subject_timeline(svc, actor, subject or "")
    )
    for event in events:
        console.print(f"{event.occurred_at}  {event.kind:24} {event.summary}")


@cases_app.command("graph")
def graph_command(
    node: Annotated[str, typer.Argument(help="A subject's entity id, or case:<id>.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    depth: int = 1,
    edge_type: Annotated[list[str] | None, typer.Option(help="Only these edge types.")] = None,
    format: Annotated[str, typer.Option(help="graphml or ftm")] = "graphml",
) -> None:
    """Export a link chart around a subject or case."""
    text = cases.export_graph(
        open_services(), _operator(), node, format=format, depth=depth, edge_types=edge_type
    )
    out.write_text(text, encoding="utf-8")
    console.print(f"link chart written to {out}")


@cases_app.command("add-evidence")
def add_evidence_command(
    case_id: str,
    file: Path,
    description: Annotated[str, typer.Option(help="What it is.")],
    retain_until: Annotated[str, typer.Option(help="Keep until (YYYY-MM-DD).")],
) -> None:
    """Store a file as evidence (content-addressed) and start its chain of custody."""
    item = cases.add_evidence(
        open_services(),
        _operator(),
        case_id,
        file.read_bytes(),
        filename=file.name,
        description=description,
        retain_until=retain_until,
        files=_files(),
    )
    console.print(f"evidence {item.id}: sha256 {item.sha256}")


@cases_app.command("get-evidence")
def get_evidence_command(
    evidence_id: str, out: Annotated[Path, typer.Option("--out", help="Where to write it.")]
) -> None:
    """Retrieve evidence; its hash is checked first and a mismatch is an alert."""
    try:
        item, content = cases.retrieve_evidence(open_services(), _operator(), evidence_id, _files())
    except cases.EvidenceIntegrityError as alert:
        err.print(styled("ALERT", "bold red"), f": {alert}", sep="")
        raise typer.Exit(4) from alert
    out.write_bytes(content)
    console.print(f"{item.filename} (sha256 {item.sha256} verified) written to {out}")


@search_app.command("find")
def search_command(
    query: str,
    page: Annotated[int, typer.Option(min=1, help="Which page of results.")] = 1,
    per_page: Annotated[int, typer.Option(min=1, max=100, help="Rows per page.")] = 20,
) -> None:
    """People and cases, one row per person, best first (what `writ search QUERY` runs)."""
    found = search.search(
        open_services(), _operator(), query, offset=(page - 1) * per_page, limit=per_page
    )
    if not found.total:
        console.print(f"nothing found for “{found.query}”")
        return
    table = Table("person or case", "id", "born", "A-number", "on file", "matched")
    for row in found.rows:
        on_file = (
            f"{row.records} record(s) from {', '.join(row.sources)}"
            if row.kind != "investigation-case"
            else row.detail
        )
        table.add_row(
            row.name,
            row.id,
            ", ".join(row.born),
            ", ".join(row.a_numbers),
            on_file,
            row.matched.why,
        )
    console.print(table)
    first, last = found.offset + 1, found.offset + len(found.rows)
    console.print(f"{first}–{last} of {found.total} for “{found.query}”")
    if last < found.total:
        console.print(f'next: writ search "{found.query}" --page {page + 1}')
    if not found.complete:
        console.print("many names are alike: only the closest were compared; add more of the name")


@search_app.command("names")
def search_names_command(query: str, limit: int = 20) -> None:
    """Records by name (fuzzy), A-number or passport number, one row per record."""
    table = Table("entity", "name", "score", "matched", "why")
    for hit in search.search_subjects(open_services(), _operator(), query, limit=limit):
        table.add_row(hit.entity_id, hit.name, f"{hit.score:.2f}", hit.matched, hit.why)
    console.print(table)


@search_app.command("notes")
def search_notes_command(query: str, limit: int = 50) -> None:
    """Notes containing every word of the query."""
    for hit in search.search_notes(open_services(), _operator(), query, limit=limit):
        where = f"case {hit.case_id}" if hit.case_id else f"subject {hit.entity_id}"
        console.print(f"{hit.created_at} {hit.author} on {where}: {hit.body}")


@search_app.command("reindex")
def reindex_command() -> None:
    """Rebuild the name index from statements."""
    rows = search.reindex(open_services(), _operator())
    console.print(f"name index rebuilt: {rows} names")


def export_ftm_command(
    out: Annotated[Path, typer.Option("--out", help="The .ftm.json file to write.")],
    entity: Annotated[list[str] | None, typer.Option(help="Only these entity ids.")] = None,
) -> None:
    """followthemoney entities, one JSON object per line."""
    found = cases.export_ftm(open_services(), _operator(), entity or None)
    with out.open("w", encoding="utf-8") as handle:
        for data in found:
            handle.write(json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n")
    console.print(f"{len(found)} entities written to {out}")


@import_app.command("ftm")
def import_ftm_command(
    file: Annotated[Path, typer.Argument(help="A .ftm.json file: one entity per line.")],
    source: Annotated[str, typer.Option(help="The source name the statements carry.")],
) -> None:
    """followthemoney entities in as statements, then the name index for them."""
    records = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{file} line {number}: not JSON ({exc.msg})") from exc
    svc, actor = open_services(), _operator()
    result = cases.import_ftm(svc, actor, records, source=source)
    search.reindex(svc, actor, result.entity_ids)
    console.print(f"{result.entities} entities, {result.statements_added} new statements")
