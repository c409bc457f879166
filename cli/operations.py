"""Commands that run the service: weekly, worker, schedule; runs and the schema."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session

import pipeline
from cli.common import ListFormat, console, database, exit_if_undelivered, load_settings, print_json, say
from store.db import make_engine, upgrade
from store.queries import recent_runs
from store.types import utcnow

app = typer.Typer()
runs_app = typer.Typer(no_args_is_help=True, help="Stage runs and their outcomes.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command()
def weekly(
    no_crawl: Annotated[
        bool, typer.Option("--no-crawl", help="Skip crawling: work on what is stored.")
    ] = False,
) -> None:
    """Run the scheduled pipeline once by hand: crawl, classify, match (approve per policy), send."""
    with database() as (settings, engine), _progress_bars() as progress:
        report = pipeline.weekly(engine, settings, utcnow(), crawl=not no_crawl, progress=progress)
    _print_weekly(report)
    exit_if_undelivered(report.mails_failed, report.mails_waiting)
    if report.failed_sources or report.held:
        raise typer.Exit(1)


@contextmanager
def _progress_bars() -> Iterator[pipeline.Progress]:
    """Rich progress bars, one per stage that reports progress."""
    with Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield update


def _print_weekly(report: pipeline.WeeklyReport) -> None:
    table = Table("stage", "result", "seconds", title="weekly run")
    if "crawl" in report.seconds:
        sources = (
            ", ".join(f"{slug}: {n} new" for slug, n in sorted(report.new_by_source.items())) or "no sources"
        )
        failed = f"; FAILED: {', '.join(report.failed_sources)}" if report.failed_sources else ""
        table.add_row("crawl", sources + failed, str(report.seconds["crawl"]))
    table.add_row(
        "classify", f"{report.notices_tagged} notices, {report.tags} tags", str(report.seconds["classify"])
    )
    severities = ", ".join(f"{n} {s}" for s, n in sorted(report.alerts_by_severity.items())) or "none"
    held = "; HELD by the circuit breaker" if report.held else ""
    table.add_row(
        "match",
        f"{report.alerts_created} new alerts ({report.auto_approved} approved by policy); "
        f"matches (rejected alerts left out): {severities}{held}",
        str(report.seconds["match"]),
    )
    if "send" in report.seconds:
        table.add_row(
            "send",
            f"{report.alerts_sent} approved alerts in {report.digests} digests; "
            f"{report.mails_sent} mails sent, {report.mails_failed} failed, "
            f"{report.mails_waiting} to retry",
            str(report.seconds["send"]),
        )
    Console(stderr=True).print(table)


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Stop when no delivery is due.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks at an empty queue.")] = 30.0,
) -> None:
    """Deliver due mails as they appear, until SIGTERM. Run any number of workers, on any
    number of machines, against one PostgreSQL database: no mail is sent twice."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _n, _f: stopping.set())
    with database() as (settings, engine):
        result = pipeline.work(engine, settings, once=once, poll_seconds=poll, stop=stopping.is_set)
    say(f"worker: {result.sent} mails sent, {result.failed} failed, {result.retry_later} to retry")
    if once:
        exit_if_undelivered(result.failed, result.retry_later)


@app.command()
def schedule(
    list_jobs: Annotated[
        bool, typer.Option("--list", help="Print the jobs and their next run times.")
    ] = False,
) -> None:
    """Run the scheduler (one per deployment: others wait for the lock), or list its jobs."""
    import scheduler

    settings = load_settings()
    if list_jobs:
        table = Table("job", "when (crontab)", "next run", "does")
        for spec, when in scheduler.next_runs(settings, utcnow()):
            table.add_row(spec.id, spec.cron, when.strftime("%Y-%m-%d %H:%M %Z"), spec.description)
        Console().print(table)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    scheduler.run(settings)


@runs_app.command("list")
def runs_list(
    format: Annotated[ListFormat, typer.Option(help="table or json")] = ListFormat.table,
    limit: Annotated[int, typer.Option(help="The latest this many.")] = 30,
) -> None:
    """The latest stage runs: start, end, status, counts, error."""
    with database() as (_settings, engine), Session(engine) as session:
        rows = recent_runs(session, limit)
    if format == ListFormat.json:
        print_json(rows)
        return
    table = Table("id", "stage", "started", "seconds", "status", "counts", "error")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["stage"],
            r["started_at"].strftime("%m-%d %H:%M"),
            str(r["seconds"] if r["seconds"] is not None else ""),
            r["status"],
            ", ".join(f"{k}={v}" for k, v in r["counts"].items() if isinstance(v, int | str))[:90],
            (r["error"] or "")[:60],
        )
    Console().print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to this version of BarrierWatch."""
    engine = make_engine(load_settings().database_url)
    before, after = upgrade(engine)
    engine.dispose()
    say(f"schema {before or 'empty'} -> {after}")
