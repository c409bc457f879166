"""Commands from match to mail: alerts, enterprises, digests, send."""

from __future__ import annotations

import csv
import getpass
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

import pipeline
from alerts.digest import KINDS
from alerts.enterprises import EXPORT_COLUMNS, export_enterprises
from alerts.preview import find_enterprise, preview_digest
from cli.common import ExistingFile, ExportFormat, database, exit_if_undelivered, fail, print_json, say
from store.queries import alerts_for_export
from store.spreadsheet import safe_cell
from store.types import utcnow

app = typer.Typer()
alerts_app = typer.Typer(no_args_is_help=True, help="The alert queue.")
enterprises_app = typer.Typer(no_args_is_help=True, help="Enterprise profiles.")
digests_app = typer.Typer(no_args_is_help=True, help="Digests (the mails enterprises get).")


@app.command()
def match() -> None:
    """Match tagged notices to enterprises and update the alert queue."""
    with database() as (settings, engine):
        r = pipeline.match(engine, settings, utcnow())
        say(
            f"matched {r.notices} notices: {r.created} new alerts, {r.updated} updated, "
            f"{r.withdrawn} withdrawn, {r.unchanged} unchanged"
        )
        if r.held:
            say(
                f"circuit breaker: {r.created} new alerts in one run is more than "
                f"BW_MAX_NEW_ALERTS_PER_RUN={settings.max_new_alerts_per_run}, so none was approved "
                "automatically; they wait in the review queue (the run is flagged in `runs list`)"
            )
        elif r.auto_approved:
            say(f"{r.auto_approved} new alerts approved by policy (BW_AUTO_APPROVE={settings.auto_approve})")


@app.command()
def remind(
    send_now: Annotated[
        bool, typer.Option("--send/--no-send", help="Send the reminders at once (in critical mails).")
    ] = True,
) -> None:
    """Record reminders of open deadlines that enterprises were told about
    (BW_REMINDER_DAYS, once per threshold), then send them unless --no-send."""
    with database() as (settings, engine):
        now = utcnow()
        recorded = pipeline.remind(engine, settings, now)
        say(f"{recorded} new deadline reminders (thresholds {settings.reminder_days} days)")
        if send_now and recorded:
            digests, sent = pipeline.send(engine, settings, now, ("critical",))
            say(f"{digests.reminders} reminders in {sent.sent} mails sent, {sent.failed} failed")
            exit_if_undelivered(sent.failed, sent.retry_later)


@alerts_app.command("approve")
def alerts_approve(
    all_pending: Annotated[bool, typer.Option("--all", help="Approve every pending alert.")] = False,
    alert_ids: Annotated[
        list[int] | None, typer.Option("--id", help="Approve this alert (repeatable).")
    ] = None,
    reviewer: Annotated[str, typer.Option("--by", help="Reviewer recorded on the alerts.")] = "",
) -> None:
    """Approve pending alerts from the command line (the web UI is the usual way)."""
    if all_pending == bool(alert_ids):
        fail("give either --all or one or more --id N")
    with database() as (_settings, engine):
        if alert_ids:
            with Session(engine) as session:
                from alerts.queue import not_reviewable

                refused = not_reviewable(session, alert_ids)
            if refused:
                fail("; ".join(f"alert {i}: {why}" for i, why in refused.items()))
        changed = pipeline.approve(engine, None if all_pending else alert_ids, reviewer or getpass.getuser())
        say(f"approved {len(changed)} alerts")


@alerts_app.command("export")
def alerts_export(
    format: Annotated[ExportFormat, typer.Option(help="json or csv")] = ExportFormat.json,
    status: Annotated[str | None, typer.Option(help="Only alerts with this status.")] = None,
) -> None:
    """Print the alerts: notice, enterprise, status, severity, reason, HS codes."""
    with database() as (_settings, engine), Session(engine) as session:
        rows = alerts_for_export(session, status)
    if format == ExportFormat.json:
        print_json(rows)
        return
    writer = csv.DictWriter(
        sys.stdout,
        fieldnames=[
            "id",
            "notice_id",
            "notice_external_id",
            "measure",
            "update",
            "evidence_level",
            "enterprise",
            "status",
            "severity",
            "reason",
            "hs_codes",
        ],
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in {**row, "hs_codes": ";".join(row["hs_codes"])}.items()})


@enterprises_app.command("import")
def enterprises_import(file: ExistingFile) -> None:
    """Create or update enterprises from a CSV or XLSX file (name, email, hs_codes, markets, language)."""
    with database() as (settings, engine):
        result = pipeline.import_enterprises(engine, settings, file)
        say(f"{file}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")
        for conflict in result.conflicts:
            say(f"conflict: {conflict}")


@enterprises_app.command("export")
def enterprises_export(
    format: Annotated[ExportFormat, typer.Option(help="json or csv (the import columns)")] = ExportFormat.csv,
) -> None:
    """Print every enterprise in the columns `enterprises import` reads."""
    with database() as (_settings, engine), Session(engine) as session:
        rows = export_enterprises(session)
    if format == ExportFormat.json:
        print_json(rows)
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(EXPORT_COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(";".join(v) if isinstance(v, list) else v) for k, v in row.items()})


@digests_app.command("preview")
def digests_preview(
    enterprise: Annotated[str, typer.Argument(help="Enterprise id, Chinese or English name.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the HTML.", dir_okay=False)],
) -> None:
    """Render the digest an enterprise would get next (its approved alerts not yet sent)."""
    with database() as (settings, engine), Session(engine) as session:
        found = find_enterprise(session, enterprise)
        if found is None:
            fail(f"no enterprise {enterprise!r}: give its id, Chinese or English name")
        preview = preview_digest(session, settings, found, utcnow())
    if preview is None:
        fail(f"{enterprise}: no approved alert waits to be sent, so there is no digest to preview")
    out.write_text(preview.html, encoding="utf-8")
    say(f"subject: {preview.subject}\nwritten: {out}")


class SendKind(StrEnum):
    all = "all"
    critical = "critical"


@app.command()
def send(
    only: Annotated[SendKind, typer.Option(help="critical: only the immediate mails of critical alerts.")] = (
        SendKind.all
    ),
    allow_insecure_links: Annotated[
        bool,
        typer.Option(
            "--allow-insecure-links",
            help="Send through a real SMTP host although BW_BASE_URL is on loopback or plain http.",
        ),
    ] = False,
) -> None:
    """Gather approved alerts into digests and deliver them (SMTP or the outbox);
    exit 1 when a mail that should have gone did not."""
    kinds = ("critical",) if only == SendKind.critical else KINDS
    with database() as (settings, engine):
        if allow_insecure_links:
            settings = settings.model_copy(update={"allow_insecure_links": True})
        digests, sent = pipeline.send(engine, settings, utcnow(), kinds)
        where = settings.smtp_host or settings.outbox
        say(
            f"{digests.digests} new digests; {sent.sent} mails sent to {where}, "
            f"{sent.failed} failed, {sent.retry_later} to retry"
        )
    exit_if_undelivered(sent.failed, sent.retry_later)
