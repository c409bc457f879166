"""Telling administrators what fails: sources that keep failing, runs held.

Silent failure is the worst case for an alerting service: a source that
broke a week ago means a week of notices nobody heard of.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from alerts.emails import source_failure_message
from alerts.transports import PermanentSendError, TransientSendError, Transport
from config import Settings
from store.models import Run, Source


@dataclass
class FailedCrawl:
    """A crawl run that finished with some sources failed (the others' notices were stored)."""

    id: int | None
    started_at: datetime
    failed: list[str]


@dataclass
class HealthReport:
    sources: list[Source] = field(default_factory=list)  # failing again and again
    held_runs: list[Run] = field(default_factory=list)  # match runs held by the circuit breaker
    failed_crawls: list[FailedCrawl] = field(default_factory=list)  # crawls in which sources failed
    mailed: int = 0

    @property
    def problems(self) -> bool:
        return bool(self.sources or self.held_runs or self.failed_crawls)


def find_problems(session: Session, threshold: int, since: datetime) -> HealthReport:
    """Sources failing ``threshold`` times or more in a row, and the runs since
    ``since`` that asked for an administrator: each said as what it is (a crawl
    with failed sources is not a run held by the circuit breaker)."""
    sources = session.exec(
        select(Source)
        .where(Source.enabled, Source.consecutive_failures >= threshold)
        .order_by(col(Source.slug))
    ).all()
    flagged = session.exec(
        select(Run).where(Run.flagged, Run.started_at >= since).order_by(col(Run.id))
    ).all()
    crawls = [
        FailedCrawl(run.id, run.started_at, sorted(k for k, v in run.counts.items() if v == "failed"))
        for run in flagged
        if run.stage == "crawl"
    ]
    held = [run for run in flagged if run.stage != "crawl"]
    return HealthReport(list(sources), held, crawls)


def bureau_day(now: datetime, zone: ZoneInfo) -> str:
    return now.astimezone(zone).date().isoformat()


def mailed_today(session: Session, now: datetime, zone: ZoneInfo) -> bool:
    """Whether a health check already mailed the administrators on this day
    (in the bureau's zone); health runs record the day they mailed."""
    runs = session.exec(select(Run).where(Run.stage == "health").order_by(col(Run.id).desc()).limit(50)).all()
    return any(run.counts.get("mailed_on") == bureau_day(now, zone) for run in runs)


async def mail_admins(report: HealthReport, settings: Settings, transport: Transport, now: datetime) -> int:
    """Send the health mail to every administrator; returns how many got it."""
    sent = 0
    day = now.astimezone(settings.zone).date().isoformat()
    domain = settings.mail_from.rpartition("@")[2].rstrip(">") or "barrierwatch.localhost"
    for address in settings.admin_addresses:
        mail = source_failure_message(
            templates_dir=settings.templates_dir,
            language="zh",
            sources=report.sources,
            held_runs=report.held_runs,
            failed_crawls=report.failed_crawls,
            threshold=settings.source_failure_threshold,
            sender=settings.mail_from,
            recipient=address,
            message_id=f"<health.{day}.{_token(address)}@{domain}>",
            sent_at=now,
        )
        try:
            await transport.send(mail)
        except (TransientSendError, PermanentSendError):
            continue  # the next day's check tries again; the run row keeps the count
        sent += 1
    await transport.close()
    return sent


def _token(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:12]
