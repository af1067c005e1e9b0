"""`onpace report`: the review pack of a period as PDF, Excel or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from onpace.cli.support import WorkspaceOpt, as_of_option, console, fail, open_workspace
from onpace.errors import OnpaceError

FORMATS = ("pdf", "xlsx", "html")


def report(
    period: Annotated[
        str | None, typer.Option(help="The period, e.g. 2026-Q4 (default: this quarter).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file to write.")
    ] = None,
    format_: Annotated[str | None, typer.Option("--format", help="pdf, xlsx or html.")] = None,
    objective: Annotated[str | None, typer.Option(help="Only this objective's KPIs.")] = None,
    by: Annotated[str, typer.Option(help="The breakdown: rep, rep.team, ... or total.")] = "rep",
    as_of: Annotated[str | None, typer.Option(help="As of this moment (ISO date).")] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Write the review pack: scorecard by objective, progress charts, breakdown, target
    revisions, check-ins, SMART findings and reviews due."""
    from onpace.reports.pack import review_pack
    from onpace.reports.writers import write_pack

    kind = format_ or (output.suffix.lstrip(".").lower() if output else "pdf")
    if kind not in FORMATS:
        fail(f"format '{kind}': use pdf, xlsx or html", 2)
    ws = open_workspace(workspace)
    try:
        pack = review_pack(ws, period, objective, by, as_of_option(as_of))
        target = output or Path(f"review-pack-{pack.period}.{kind}")
        write_pack(pack, kind, target)
    except (OnpaceError, LookupError) as exc:
        fail(str(exc))
    console.print(f"review pack {pack.period} written to {target}")


digest_app = typer.Typer(help="The digest email per person.", no_args_is_help=True)


@digest_app.command("send")
def digest_send(
    workspace: WorkspaceOpt = Path("."),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be sent; send and record nothing.")
    ] = False,
    as_of: Annotated[str | None, typer.Option(help="As of this moment (ISO date).")] = None,
    since: Annotated[
        str | None, typer.Option(help="Changes since (default: the last digest).")
    ] = None,
    to: Annotated[list[str] | None, typer.Option(help="Only these people.")] = None,
) -> None:
    """Send each person their digest (for cron): scorecard in their scope, changes, reviews due."""
    from onpace.reports.digest_send import JOB, send_digests
    from onpace.reports.schedule_runs import claim_slot

    ws = open_workspace(workspace)
    moment = as_of_option(as_of) or ws.now()
    try:
        sent = send_digests(ws, moment, dry_run, as_of_option(since), to)
    except (OnpaceError, LookupError) as exc:
        fail(str(exc))
    for item in sent:
        outcome = "dry run" if item.ok is None else ("ok" if item.ok else f"FAILED: {item.error}")
        console.print(f"{item.address}: {item.subject} ({item.rows} rows) {outcome}")
        if dry_run:
            body = item.message.get_body(("plain",))
            console.print(body.get_content() if body is not None else "", markup=False)
    if not dry_run:
        failed = sum(1 for s in sent if s.ok is False)
        claim_slot(ws.store, JOB, moment, f"{len(sent) - failed} sent, {failed} failed")
        if failed:
            raise typer.Exit(3)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(digest_app, name="digest")
