"""Commands on the delivery queue: what did not go, and sending it again."""

from __future__ import annotations

import getpass
from datetime import date, datetime, time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from alerts.requeue import requeue, undelivered
from cli.common import ListFormat, database, fail, print_json, say
from store.db import session_scope

deliveries_app = typer.Typer(no_args_is_help=True, help="Mails not delivered, and sending them again.")


@deliveries_app.command("list")
def deliveries_list(
    format: Annotated[ListFormat, typer.Option(help="table or json")] = ListFormat.table,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="The newest this many.")] = 200,
) -> None:
    """Deliveries not sent (pending, being sent or failed), newest first, with their last error."""
    with database() as (_settings, engine), Session(engine) as session:
        rows = undelivered(session, limit)
    if format == ListFormat.json:
        print_json(rows)
        return
    table = Table("id", "enterprise", "to", "status", "tries", "next try", "last error")
    for r in rows:
        next_try = r["next_attempt_at"].strftime("%m-%d %H:%M") if r["next_attempt_at"] else ""
        table.add_row(
            str(r["id"]), r["enterprise"], r["email"], r["status"], str(r["attempts"]), next_try,
            (r["last_error"] or "")[:100],
        )  # fmt: skip
    Console().print(table)


@deliveries_app.command("retry")
def deliveries_retry(
    failed: Annotated[
        bool, typer.Option("--failed", help="Also the failed deliveries (their attempts start again).")
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="Only deliveries last tried on or after this day (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Make deliveries due again once the cause is fixed: those waiting for a later
    try and, with --failed, the failed ones. The next `send` or worker sends them."""
    with database() as (settings, engine):
        start = None
        if since is not None:
            try:
                day = date.fromisoformat(since)
            except ValueError:
                fail(f"--since {since!r}: expected a day as YYYY-MM-DD")
            start = datetime.combine(day, time(), tzinfo=settings.zone)
        with session_scope(engine) as session:
            result = requeue(session, failed=failed, since=start, actor=getpass.getuser())
    say(
        f"{result.failed + result.waiting} deliveries due again ({result.failed} failed, "
        f"{result.waiting} waiting); `barrierwatch send` sends them"
    )
