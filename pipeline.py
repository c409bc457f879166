"""The stages of BarrierWatch, each run recorded as a Run row.

The command line, the demo and the scheduler all call these functions, so
a stage behaves the same whoever starts it. Each takes the moment it runs
(``now``) so that tests can fix the clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from alerts.deliver import RetryPolicy, SendResult, mail_domain, send_pending, work_queue
from alerts.digest import KINDS, DigestResult, build_digests
from alerts.enterprises import ImportResult, read_enterprises, save_enterprises
from alerts.health import HealthReport, bureau_day, find_problems, mail_admins, mailed_today
from alerts.queue import ApprovalPolicy, MatchResult, review, run_matching
from alerts.reminders import record_reminders
from alerts.transports import link_base_problem, transport_for
from config import Settings
from crawler.crawl import SourceResult, crawl
from crawler.importers import read_notices
from crawler.offline import crawl_recordings
from crawler.sources import all_sources
from nlp.classify import ClassifyResult, classify_pending
from nlp.tagger import load_tagger
from store.db import session_scope
from store.models import Run
from store.notices import SaveResult, ensure_source, save_notices
from store.runs import recorded_run

Progress = Callable[[str, int, int], None]  # stage, done, total


def _retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        retries=settings.send_retries,
        base_seconds=settings.retry_base_seconds,
        stale_claim=timedelta(seconds=settings.stale_claim_seconds),
    )


def work(
    engine: Engine,
    settings: Settings,
    *,
    once: bool = False,
    poll_seconds: float = 30.0,
    stop: Callable[[], bool] = lambda: False,
) -> SendResult:
    """Deliver due mails as they appear until ``stop()`` (with ``once``: until none is due).
    Digests are made by ``send`` and the scheduler; workers only deliver.
    Raises :class:`SendingStopped` when a setting stopped the sending."""
    if problem := link_base_problem(settings):
        raise problem
    connections = settings.smtp_connections if settings.smtp_host else 1
    with recorded_run(engine, "worker") as counts:
        result = asyncio.run(
            work_queue(
                engine,
                settings,
                lambda: transport_for(settings),
                connections,
                _retry_policy(settings),
                stop,
                poll_seconds,
                once,
            )
        )
        counts.update(asdict(result))
        if stopped := result.stopped_error():
            raise stopped
    return result


class UnknownSource(ValueError):
    """A source slug that is neither built in nor declared in BW_SOURCES."""


def crawl_sources(
    engine: Engine, settings: Settings, only: str | None = None, recordings: bool = False
) -> list[SourceResult]:
    """Crawl every source (or ``only`` one) in a Scrapy process of its own;
    with ``recordings``, the bundled recordings served on 127.0.0.1 instead
    of the internet, through the same spiders. One result per source."""
    with recorded_run(engine, "crawl") as counts:
        if recordings:
            results = crawl_recordings(settings.database_url, settings)
        else:
            specs = [s for s in all_sources(settings) if only in (None, s.slug)]
            if not specs:
                raise UnknownSource(f"unknown source {only!r}: see `barrierwatch sources list`")
            results = crawl(settings.database_url, specs, settings)
        counts.update({r.slug: r.status for r in results})
        for outcome in ("new", "revised", "unchanged"):
            counts[outcome] = sum(getattr(r, outcome) for r in results)
        failed = [r.slug for r in results if r.status == "failed"]
        if failed:
            counts.flag(f"sources failed: {', '.join(failed)}", status="partial")
    return results


def ingest_file(engine: Engine, path: Path) -> SaveResult:
    """Store the notices of one file; the file is validated whole first."""
    records = read_notices(path)
    with recorded_run(engine, "ingest") as counts, session_scope(engine) as session:
        for slug in sorted({r.source for r in records}):
            ensure_source(session, slug, kind="file", url=str(path))
        saved = save_notices(session, records)
        counts.update(file=str(path), new=saved.new, revised=saved.revised, unchanged=saved.unchanged)
    return saved


def import_enterprises(engine: Engine, settings: Settings, path: Path) -> ImportResult:
    """Import an enterprise file; a change an enterprise made itself since the
    last import is kept and reported (``ImportResult.conflicts``)."""
    profiles = read_enterprises(path, settings.home_country)
    with session_scope(engine) as session:
        last = session.exec(
            select(func.max(Run.started_at)).where(Run.stage == "enterprises", Run.status == "ok")
        ).one()
    with recorded_run(engine, "enterprises") as counts, session_scope(engine) as session:
        result = save_enterprises(session, profiles, since=last, keep_own=True)
        counts.update(file=str(path), **asdict(result))
    return result


def classify(
    engine: Engine, settings: Settings, progress: Progress | None = None
) -> tuple[ClassifyResult, str]:
    """Tag what the current tagger has not tagged (the model in ``BW_MODEL_DIR``)."""
    tagger = load_tagger(settings.model_dir)
    with recorded_run(engine, "classify") as counts, session_scope(engine) as session:
        result = classify_pending(session, tagger, progress=progress)
        counts.update(notices=result.notices, tags=result.tags, tagger=tagger.version)
        if result.failed:
            counts.update(failed=result.failed)
    return result, tagger.version


def match(engine: Engine, settings: Settings, now: datetime, progress: Progress | None = None) -> MatchResult:
    """Match, then approve new alerts per policy unless the circuit breaker holds the run."""
    today = now.astimezone(settings.zone).date()
    policy = ApprovalPolicy(
        settings.auto_approve, settings.auto_approve_min_score, settings.max_new_alerts_per_run
    )
    with recorded_run(engine, "match") as counts, session_scope(engine) as session:
        result = run_matching(
            session, today, settings.critical_deadline_days, policy, progress, settings.critical_event_days
        )
        counts.update(
            notices=result.notices,
            created=result.created,
            updated=result.updated,
            withdrawn=result.withdrawn,
            unchanged=result.unchanged,
            auto_approved=result.auto_approved,
            by_severity=dict(result.by_severity),
        )
        if result.held:
            counts.flag(
                f"circuit breaker: {result.created} new alerts in one run, more than "
                f"BW_MAX_NEW_ALERTS_PER_RUN={policy.max_new_alerts}; none approved automatically"
            )
    return result


def approve(engine: Engine, alert_ids: list[int] | None, reviewer: str) -> list[int]:
    with recorded_run(engine, "approve") as counts, session_scope(engine) as session:
        changed = review(session, alert_ids, "approved", reviewer)
        counts.update(approved=len(changed), reviewer=reviewer)
    return changed


def send(
    engine: Engine,
    settings: Settings,
    now: datetime,
    kinds: tuple[str, ...] = KINDS,
    progress: Progress | None = None,
) -> tuple[DigestResult, SendResult]:
    """Gather approved alerts of ``kinds`` into digests, then deliver every due mail.

    Raises :class:`SendingStopped` (the run recorded as failed, its counts
    kept) when a setting or the outbox stopped the sending; what was not
    sent stays pending for the next run.
    """
    if problem := link_base_problem(settings):
        raise problem
    with recorded_run(engine, "send") as counts:
        with session_scope(engine) as session:
            digests = build_digests(session, now, settings.zone, mail_domain(settings.mail_from), kinds)

        retry = _retry_policy(settings)

        connections = settings.smtp_connections if settings.smtp_host else 1
        sent = asyncio.run(
            send_pending(engine, settings, lambda: transport_for(settings), now, connections, retry, progress)
        )

        counts.update(digests=asdict(digests), delivery=asdict(sent))
        if stopped := sent.stopped_error():
            raise stopped
    return digests, sent


def remind(engine: Engine, settings: Settings, now: datetime) -> int:
    """Record the reminders of open deadlines due now (``BW_REMINDER_DAYS``);
    the next send puts them in each enterprise's mail. Returns how many."""
    today = now.astimezone(settings.zone).date()
    with recorded_run(engine, "remind") as counts, session_scope(engine) as session:
        recorded = record_reminders(session, today, settings.reminder_thresholds, settings.zone)
        counts.update(reminders=recorded, thresholds=list(settings.reminder_thresholds))
    return recorded


@dataclass
class WeeklyReport:
    """What one run of the pipeline did, stage by stage."""

    new_by_source: dict[str, int] = field(default_factory=dict)
    failed_sources: list[str] = field(default_factory=list)
    notices_tagged: int = 0
    tags: int = 0
    alerts_by_severity: dict[str, int] = field(default_factory=dict)
    alerts_created: int = 0
    auto_approved: int = 0
    held: bool = False
    digests: int = 0
    alerts_sent: int = 0  # approved alerts put into this run's mails
    mails_sent: int = 0
    mails_failed: int = 0
    mails_waiting: int = 0  # tried, to be retried by a later run
    reminders: int = 0  # deadline reminders recorded for the next mails
    seconds: dict[str, float] = field(default_factory=dict)


def weekly(
    engine: Engine,
    settings: Settings,
    now: datetime,
    *,
    crawl: bool = True,
    recordings: bool = False,
    send_kinds: tuple[str, ...] = KINDS,
    progress: Progress | None = None,
) -> WeeklyReport:
    """The scheduled pipeline in one go: crawl, classify, match (approving
    per policy), send. Each stage is its own recorded run; a failing source
    does not stop the others, and a stage that raises stops what follows."""
    report = WeeklyReport()
    if crawl:
        with _timed(report, "crawl"):
            for result in crawl_sources(engine, settings, recordings=recordings):
                report.new_by_source[result.slug] = result.new
                if result.status == "failed":
                    report.failed_sources.append(result.slug)
    with _timed(report, "classify"):
        tagged, _version = classify(engine, settings, progress)
        report.notices_tagged, report.tags = tagged.notices, tagged.tags
    with _timed(report, "match"):
        matched = match(engine, settings, now, progress)
        report.alerts_by_severity = dict(matched.by_severity)
        report.alerts_created, report.auto_approved, report.held = (
            matched.created,
            matched.auto_approved,
            matched.held,
        )
    if send_kinds:
        with _timed(report, "remind"):
            report.reminders = remind(engine, settings, now)
        with _timed(report, "send"):
            digests, sent = send(engine, settings, now, send_kinds, progress)
            report.digests, report.mails_sent, report.mails_failed = digests.digests, sent.sent, sent.failed
            report.mails_waiting = sent.retry_later
            report.alerts_sent = digests.alerts
    return report


@contextmanager
def _timed(report: WeeklyReport, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.seconds[stage] = round(time.perf_counter() - started, 2)


def health_check(engine: Engine, settings: Settings, now: datetime) -> HealthReport:
    """Mail the administrators about sources failing ``source_failure_threshold``
    times or more in a row and runs the circuit breaker held in the last day.
    One mail a day at most: a second check the same day sends nothing."""
    with recorded_run(engine, "health") as counts, session_scope(engine) as session:
        report = find_problems(session, settings.source_failure_threshold, now - timedelta(days=1))
        counts.update(failing_sources=len(report.sources), held_runs=len(report.held_runs))
        if report.problems and settings.admin_addresses and not mailed_today(session, now, settings.zone):
            sent = asyncio.run(mail_admins(report, settings, transport_for(settings), now))
            counts.update(mailed=sent, mailed_on=bureau_day(now, settings.zone) if sent else None)

            report.mailed = sent
    return report
