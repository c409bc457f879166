"""The demo: the whole pipeline offline on the bundled data."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

import pipeline
from cli.common import database, exit_if_undelivered, say
from config import PROJECT_ROOT, Settings
from store.queries import enterprise_overview, table_counts
from store.types import utcnow

app = typer.Typer()


DEMO_DIR = PROJECT_ROOT / "demo"


DEMO_NOTICES = ("notices.jsonl", "eping-export-search-results-2025-06-sample.xlsx")


@app.command()
def demo() -> None:
    """Run the weekly pipeline offline: crawl the bundled recordings served on
    127.0.0.1, ingest the bundled real notices, import the demo enterprises,
    classify, match and send.

    Alerts are approved as the reviewer "demo-inspector" (in production an
    inspector reviews them in the web UI); digests go to the outbox.
    """

    with database() as (settings, engine):
        now = utcnow()
        for result in pipeline.crawl_sources(engine, settings, recordings=True):
            say(f"crawl {result.summary()}")
        for name in DEMO_NOTICES:
            saved = pipeline.ingest_file(engine, DEMO_DIR / name)
            say(f"ingest {name}: {saved.new} new, {saved.revised} revised, {saved.unchanged} unchanged")
        imported = pipeline.import_enterprises(engine, settings, DEMO_DIR / "enterprises.csv")
        say(f"enterprises: {imported.created} created, {imported.updated} updated")
        tagged, version = pipeline.classify(engine, settings)
        say(f"classify: {tagged.notices} notices tagged ({version})")
        matched = pipeline.match(engine, settings, now)
        say(f"match: {matched.created} new alerts, {matched.unchanged} unchanged")
        approved = pipeline.approve(engine, None, "demo-inspector")
        say(f"review: {len(approved)} alerts approved by demo-inspector")
        digests, sent = pipeline.send(engine, settings, now)
        say(
            f"send: {digests.digests} new digests, {sent.sent} mails written, {sent.failed} failed, "
            f"{sent.retry_later} waiting to be retried"
        )
        with Session(engine) as session:
            _print_summary(session, settings)
    exit_if_undelivered(sent.failed, sent.retry_later)


def _print_summary(session: Session, settings: Settings) -> None:
    counts = table_counts(session)
    say(", ".join(f"{n} {name}" for name, n in counts.items()))
    table = Table("enterprise", "alerts", "mails sent")
    for row in enterprise_overview(session):
        alerts = ", ".join(f"{n} {status}" for status, n in sorted(row["alerts"].items())) or "none"
        table.add_row(row["enterprise"], alerts, str(row["mails_sent"]))
    Console(stderr=True).print(table)
    where = settings.smtp_host or f"{settings.outbox}/new (Maildir: one .eml file per mail)"
    say(
        f"mail: {where}\ndatabase: {settings.database_url}\nnext: barrierwatch alerts export, "
        "barrierwatch notices list"
    )
