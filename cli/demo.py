"""The demo: the whole pipeline offline on the bundled data."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import pipeline
from cli.common import database, exit_if_undelivered, say
from config import PROJECT_ROOT, Settings
from store.models import Alert, AlertStatus
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

    Alerts on codes the notice itself states are approved by policy
    (``BW_AUTO_APPROVE=stated-codes``, the demo's setting); the others stay
    pending for an inspector in the review queue. Digests go to the outbox.
    """

    with database() as (settings, engine):
        now = utcnow()
        settings = settings.model_copy(update={"auto_approve": "stated-codes"})
        for result in pipeline.crawl_sources(engine, settings, recordings=True):
            say(f"crawl {result.summary()}")
        for name in DEMO_NOTICES:
            saved = pipeline.ingest_file(engine, DEMO_DIR / name)
            say(f"ingest {name}: {saved.new} new, {saved.revised} revised, {saved.unchanged} unchanged")
        imported = pipeline.import_enterprises(engine, settings, DEMO_DIR / "enterprises.csv")
        say(
            f"enterprises: {imported.created} created, {imported.updated} updated, "
            f"{imported.unchanged} unchanged"
        )
        tagged, version = pipeline.classify(engine, settings)
        say(f"classify: {tagged.notices} notices tagged ({version})")
        matched = pipeline.match(engine, settings, now)
        say(f"match: {matched.created} new alerts, {matched.unchanged} unchanged")
        say(_review_line(matched.auto_approved, matched.held, _pending(engine)))
        digests, sent = pipeline.send(engine, settings, now)
        say(
            f"send: {digests.digests} new digests, {sent.sent} mails written, {sent.failed} failed, "
            f"{sent.retry_later} waiting to be retried"
        )
        with Session(engine) as session:
            _print_summary(session, settings)
    exit_if_undelivered(sent.failed, sent.retry_later)


def _pending(engine: Engine) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Alert).where(Alert.status == AlertStatus.PENDING_REVIEW)
        return session.exec(query).one()


def _review_line(approved: int, held: bool, pending: int) -> str:
    if held:
        policy = "the circuit breaker held this run: none approved automatically"
    else:
        policy = f"{approved} new alerts approved by policy (codes the notice states)"
    return f"review: {policy}; {pending} alerts wait for an inspector in the review queue"


def _print_summary(session: Session, settings: Settings) -> None:
    counts = table_counts(session)
    say(", ".join(f"{n} {name}" for name, n in counts.items()))
    table = Table("enterprise", "alerts by status", "mails sent")
    for row in enterprise_overview(session):
        alerts = ", ".join(f"{n} {status}" for status, n in sorted(row["alerts"].items())) or "none"
        table.add_row(row["enterprise"], alerts, str(row["mails_sent"]))
    Console(stderr=True).print(table)
    say(
        "alerts are counted once per enterprise; a mail is one digest to one contact, so an "
        "enterprise with two contacts gets two mails carrying the same alerts"
    )
    where = settings.smtp_host or f"{settings.outbox}/new (Maildir: one .eml file per mail)"
    command = command_prefix()
    say(
        f"mail: {where}\ndatabase: {settings.database_url}\n"
        f"next: open the review queue, where the pending alerts wait:\n"
        f"  BW_NEW_PASSWORD=choose-a-password {command} users add inspector --role inspector\n"
        f"  {command} serve   # then http://127.0.0.1:8000/ and sign in as inspector\n"
        f"and look around: {command} notices list --q apparel, {command} alerts export"
    )


def command_prefix() -> str:
    """How to run ``barrierwatch`` from here, as the user can type it: the
    bare name when it is the one on PATH, else the venv's script by path."""
    script = Path(sys.executable).parent / "barrierwatch"
    on_path = shutil.which("barrierwatch")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "barrierwatch"
    if script.exists():
        try:
            return str(script.relative_to(Path.cwd()))
        except ValueError:
            return str(script)
    return f"{sys.executable} -m cli"
