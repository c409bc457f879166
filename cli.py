"""The ``barrierwatch`` command line: a thin layer over :mod:`pipeline`."""

from __future__ import annotations

import csv
import getpass
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

import pipeline
from alerts.digest import KINDS
from alerts.enterprises import EXPORT_COLUMNS, export_enterprises
from alerts.preview import find_enterprise, preview_digest
from config import PROJECT_ROOT, Settings, get_settings
from store.db import DatabaseOutdated, make_engine, open_database, upgrade
from store.errors import InputError
from store.queries import alerts_for_export, enterprise_overview, notices_with_tags, recent_runs, table_counts
from store.types import utcnow

app = typer.Typer(no_args_is_help=True, help="BarrierWatch: trade-barrier alerts for exporters.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
enterprises_app = typer.Typer(no_args_is_help=True, help="Enterprise profiles.")
alerts_app = typer.Typer(no_args_is_help=True, help="The alert queue.")
notices_app = typer.Typer(no_args_is_help=True, help="Gathered notices.")
digests_app = typer.Typer(no_args_is_help=True, help="Digests (the mails enterprises get).")
runs_app = typer.Typer(no_args_is_help=True, help="Stage runs and their outcomes.")
app.add_typer(runs_app, name="runs")

app.add_typer(digests_app, name="digests")
app.add_typer(db_app, name="db")
app.add_typer(enterprises_app, name="enterprises")
app.add_typer(alerts_app, name="alerts")
app.add_typer(notices_app, name="notices")
console = Console(stderr=True)

ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class SourcesFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def say(message: str) -> None:
    console.print(message, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True, markup=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        fail(f"bad setting: {exc}")


@contextmanager
def database() -> Iterator[tuple[Settings, Engine]]:
    """Settings and a database at the current schema; clear errors for bad input
    and for a database that refuses to be written."""
    settings = load_settings()
    try:
        engine = open_database(settings.database_url)
    except DatabaseOutdated as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(_database_refused(exc, settings))
    try:
        yield settings, engine
    except InputError as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(_database_refused(exc, settings))
    finally:
        engine.dispose()


def _database_refused(exc: OperationalError, settings: Settings) -> str:
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    return (
        f"the database {where} refused the change ({exc.orig}): another process may hold a lock "
        "(BarrierWatch waited 10 s for it) or the database is read-only. The stage's changes were "
        "rolled back; run the command again when the database is free."
    )


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to this version of BarrierWatch."""
    engine = make_engine(load_settings().database_url)
    before, after = upgrade(engine)
    engine.dispose()
    say(f"schema {before or 'empty'} -> {after}")


@app.command()
def ingest(files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Import notices from JSONL files or ePing "export search results" workbooks."""
    with database() as (_settings, engine):
        for path in files:
            saved = pipeline.ingest_file(engine, path)
            say(f"{path}: {saved.new} new, {saved.revised} revised, {saved.unchanged} unchanged")


@enterprises_app.command("import")
def enterprises_import(file: ExistingFile) -> None:
    """Create or update enterprises from a CSV or XLSX file (name, email, hs_codes, markets, language)."""
    with database() as (settings, engine):
        result = pipeline.import_enterprises(engine, settings, file)
        say(f"{file}: {result.created} created, {result.updated} updated")


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
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})


@app.command()
def classify() -> None:
    """Tag notices that the current tagger has not tagged yet."""
    with database() as (settings, engine):
        result, version = pipeline.classify(engine, settings)
        say(f"tagged {result.notices} notices with {result.tags} tags ({version})")


@app.command()
def match() -> None:
    """Match tagged notices to enterprises and update the alert queue."""
    with database() as (settings, engine):
        r = pipeline.match(engine, settings, utcnow())
        say(
            f"matched {r.notices} notices: {r.created} new alerts, {r.updated} updated, "
            f"{r.withdrawn} withdrawn, {r.unchanged} unchanged"
        )


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
        sys.stdout, fieldnames=["id", "notice_id", "enterprise", "status", "severity", "reason", "hs_codes"]
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "hs_codes": ";".join(row["hs_codes"])})


class SendKind(StrEnum):
    all = "all"
    critical = "critical"


@app.command()
def send(
    only: Annotated[SendKind, typer.Option(help="critical: only the immediate mails of critical alerts.")] = (
        SendKind.all
    ),
) -> None:
    """Gather approved alerts into digests and deliver them (SMTP or the outbox)."""
    kinds = ("critical",) if only == SendKind.critical else KINDS
    with database() as (settings, engine):
        digests, sent = pipeline.send(engine, settings, utcnow(), kinds)
        where = settings.smtp_host or settings.outbox
        say(
            f"{digests.digests} new digests; {sent.sent} mails sent to {where}, "
            f"{sent.failed} failed, {sent.retry_later} to retry"
        )


@notices_app.command("list")
def notices_list(
    format: Annotated[ListFormat, typer.Option(help="table or json")] = ListFormat.table,
    limit: Annotated[int | None, typer.Option(help="At most this many, newest first.")] = None,
) -> None:
    """List gathered notices with their tags, newest first."""
    with database() as (_settings, engine), Session(engine) as session:
        rows = notices_with_tags(session, limit)
    if format == ListFormat.json:
        print_json(rows)
        return
    table = Table("id", "published", "type", "country", "external id", "title", "tags")
    for r in rows:
        tags = " ".join(t["code"] for t in r["tags"])
        table.add_row(
            str(r["id"]),
            str(r["published"] or ""),
            r["doc_type"],
            r["country"],
            r["external_id"],
            r["title"][:70],
            tags,
        )
    Console().print(table)


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
        f"matches: {severities}{held}",
        str(report.seconds["match"]),
    )
    if "send" in report.seconds:
        table.add_row(
            "send",
            f"{report.digests} digests; {report.mails_sent} mails sent, {report.mails_failed} failed",
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
        say(f"send: {digests.digests} new digests, {sent.sent} mails written, {sent.failed} failed")
        with Session(engine) as session:
            _print_summary(session, settings)


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


# --- The web UI and its accounts (issue 7) -------------------------------------------
users_app = typer.Typer(no_args_is_help=True, help="Inspector and admin accounts of the web UI.")
app.add_typer(users_app, name="users")


class AccountRole(StrEnum):
    inspector = "inspector"
    admin = "admin"


class AccountLanguage(StrEnum):
    zh = "zh"
    en = "en"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name to sign in with.")],
    role: Annotated[AccountRole, typer.Option(help="inspector reviews; admin also manages.")],
    language: Annotated[AccountLanguage, typer.Option(help="Interface language.")] = AccountLanguage.zh,
) -> None:
    """Add a web UI account; the password comes from BW_NEW_PASSWORD or a prompt."""
    import os

    from store.db import session_scope
    from store.users import add_user

    password = os.environ.get("BW_NEW_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    with database() as (_settings, engine), session_scope(engine) as session:
        add_user(session, username=name, password=password, role=role, language=language, actor=_cli_actor())
    say(f"added {role.value} {name}")


@users_app.command("token")
def users_token(name: Annotated[str, typer.Argument(help="User whose token is replaced.")]) -> None:
    """Issue a new API token for a user (replacing the old one) and print it once."""
    from store.db import session_scope
    from store.users import find_user, issue_api_token

    with database() as (_settings, engine), session_scope(engine) as session:
        user = find_user(session, username=name)
        if user is None or not user.active:
            fail(f"no active user {name!r}: add one with `barrierwatch users add {name} --role inspector`")
        token = issue_api_token(session, user, actor=_cli_actor())
    sys.stdout.write(token + "\n")


def _cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the inspector UI and the JSON API (uvicorn)."""
    import uvicorn

    from web.app import create_app

    with database() as (settings, engine):
        say(f"BarrierWatch on http://{host}:{port} (database {settings.database_url})")
        uvicorn.run(create_app(settings, engine), host=host, port=port)


# --- crawler (issue 3): `crawl` and `sources list` -------------------------------------------

sources_app = typer.Typer(no_args_is_help=True, help="Sources of notices and their health.")
app.add_typer(sources_app, name="sources")


@app.command()
def crawl(
    source: Annotated[str | None, typer.Option("--source", help="Crawl only this source slug.")] = None,
) -> None:
    """Crawl the built-in sources and those of sources.toml (BW_SOURCES); exit 1 if any failed."""
    with database() as (settings, engine):
        try:
            results = pipeline.crawl_sources(engine, settings, source)
        except pipeline.UnknownSource as exc:
            fail(str(exc))
    for result in results:
        say(result.summary())
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@sources_app.command("list")
def sources_list(
    output: Annotated[
        SourcesFormat, typer.Option("--format", help="json, csv or table")
    ] = SourcesFormat.table,
) -> None:
    """Every source with its health: last success, consecutive failures, last error."""
    from crawler.sources import all_sources
    from store.sources import source_health

    with database() as (settings, engine), Session(engine) as session:
        rows = source_health(session)
        known = {row["slug"] for row in rows}
        for spec in all_sources(settings):
            if spec.slug not in known:
                rows.append(
                    {
                        "slug": spec.slug,
                        "kind": spec.kind,
                        "url": spec.url,
                        "enabled": spec.enabled,
                        "last_success_at": None,
                        "consecutive_failures": 0,
                        "last_error": None,
                    }
                )
    rows.sort(key=lambda row: row["slug"])
    if output is SourcesFormat.json:
        print_json(rows)
    elif output is SourcesFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["slug"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            if row["last_error"]:
                health = f"{row['consecutive_failures']} failures"
            else:
                health = "ok" if row["last_success_at"] else "not crawled"
            error = (row["last_error"] or "").splitlines()[0] if row["last_error"] else ""
            sys.stdout.write(f"{row['slug']:<28} {row['kind']:<26} {health:<12} {error}\n")


# --- nlp: the product-tagging model (train, tag, evaluate) -------------------

nlp_app = typer.Typer(no_args_is_help=True, help="The product-tagging model: train, tag, evaluate.")
app.add_typer(nlp_app, name="nlp")
ModelDirOption = Annotated[
    Path | None, typer.Option("--model", help="Model directory [default: BW_MODEL_DIR].", file_okay=False)
]


def _model_dir(given: Path | None) -> Path:
    return given or load_settings().model_dir


def _ready_tagger(given: Path | None) -> Any:
    """The pipeline tagger in the model directory, trained first if there is none."""
    # nlp.model and nlp.train load spaCy: imported only by the commands that need it.
    from nlp.model import PipelineTagger, has_model
    from nlp.train import train_model

    model_dir = _model_dir(given)
    if not has_model(model_dir):
        say(f"no model in {model_dir}: training one from the shipped data first")
        train_model(model_dir, log=say)
    return PipelineTagger.load(model_dir)


@nlp_app.command("train")
def nlp_train(
    model_dir: ModelDirOption = None,
    corrections: Annotated[
        bool, typer.Option("--corrections", help="Also learn from inspector corrections in the database.")
    ] = False,
) -> None:
    """Rebuild the tagging model from the shipped data (and corrections); writes metrics.json."""
    from nlp.train import train_model

    learnt = []
    if corrections:
        from nlp.corrections import inspector_corrections

        with database() as (_settings, engine), Session(engine) as session:
            learnt = inspector_corrections(session)
        say(f"{len(learnt)} notices corrected by inspectors")
    result = train_model(_model_dir(model_dir), corrections=learnt, log=say)
    dev = result.metrics["dev"]["masked"]
    say(f"model {result.version}: dev top-1 {dev['top1']:.3f}, micro-F1 {dev['micro_f1']:.3f}, codes masked")


@nlp_app.command("tag")
def nlp_tag(
    in_file: Annotated[
        Path, typer.Argument(help="JSONL lines {id, title, text}", exists=True, dir_okay=False)
    ],
    out_file: Annotated[Path, typer.Argument(help="JSONL lines {id, chapters, codes}", dir_okay=False)],
    model_dir: ModelDirOption = None,
) -> None:
    """Tag notices from a file: chapters with score and method, and the codes each text writes."""
    from nlp.corpus import read_tag_requests

    try:
        requests = read_tag_requests(in_file)
    except InputError as exc:
        fail(str(exc))
    tagger = _ready_tagger(model_dir)
    texts = (f"{r.title}\n{r.text}" for r in requests)
    with open(out_file, "w", encoding="utf-8") as out:
        for request, evidence in zip(requests, tagger.evidence(texts), strict=True):
            line = {"id": request.id, "chapters": tagger.chapters(evidence), "codes": evidence.codes}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    say(f"{len(requests)} notices tagged into {out_file} ({tagger.version})")


@nlp_app.command("evaluate")
def nlp_evaluate(
    labelled_file: Annotated[
        Path, typer.Argument(help="JSONL lines {title, text, hs_codes}", exists=True, dir_okay=False)
    ],
    mask_codes: Annotated[
        bool, typer.Option("--mask-codes", help="Cut the publisher's codes out of the texts first.")
    ] = False,
    model_dir: ModelDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Chapter-level P/R/F1 per label, micro and macro, top-1 accuracy and the worst labels."""
    from nlp.corpus import read_labelled
    from nlp.evaluate import evaluate, format_report

    try:
        notices = read_labelled(labelled_file)
    except InputError as exc:
        fail(str(exc))
    tagger = _ready_tagger(model_dir)
    evaluation = evaluate(tagger.nlp, tagger.info.thresholds, notices, mask=mask_codes)
    if as_json:
        print_json({"model": tagger.version, "masked": mask_codes, **evaluation.to_json()})
    else:
        sys.stdout.write(f"model {tagger.version}, codes {'masked' if mask_codes else 'as written'}\n")
        sys.stdout.write(format_report(evaluation) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
