"""Scheduled operation: APScheduler 3.x jobs built from settings.

Jobs (times in ``BW_TIMEZONE``):

- ``crawl``: crawl every source, then classify and match what came in;
- ``critical_alerts``: send approved critical alerts at once;
- ``daily_digests`` and ``weekly_digests``: the digests of each frequency;
- ``health_check``: mail administrators about sources failing again and
  again and about runs the circuit breaker held;
- ``reminders``: record reminders of open deadlines (``BW_REMINDER_DAYS``)
  and send them at once, in a critical mail.

Jobs live in the product's database (APScheduler's SQLAlchemy job store),
coalesce missed runs into one, never overlap themselves, and still run
when they missed their time by less than ``BW_MISFIRE_GRACE_SECONDS``.
Only one scheduler runs jobs however many are started: the others wait
for the lock (a PostgreSQL advisory lock, or a lock row on SQLite).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

import pipeline
from config import Settings, get_settings
from store.db import open_database
from store.models import SchedulerLock
from store.types import utcnow

log = logging.getLogger("barrierwatch.scheduler")
LOCK_NAME = "scheduler"
ADVISORY_KEY = 0x42574C4B  # "BWLK": the PostgreSQL advisory lock of the scheduler
STALE_LOCK = timedelta(minutes=2)


@dataclass(frozen=True)
class JobSpec:
    id: str
    function: str  # "module:function", so that the job store can keep it
    cron: str
    description: str


def job_specs(settings: Settings) -> list[JobSpec]:
    """The jobs the scheduler runs, with their times from settings."""
    return [
        JobSpec("crawl", "scheduler:crawl_job", settings.crawl_cron, "crawl, classify, match"),
        JobSpec("critical_alerts", "scheduler:critical_job", settings.critical_cron, "send critical alerts"),
        JobSpec("daily_digests", "scheduler:daily_job", settings.daily_digest_cron, "send daily digests"),
        JobSpec("weekly_digests", "scheduler:weekly_job", settings.weekly_digest_cron, "send weekly digests"),
        JobSpec("health_check", "scheduler:health_job", settings.health_cron, "tell admins what fails"),
        JobSpec("reminders", "scheduler:remind_job", settings.remind_cron, "remind of coming deadlines"),
    ]


def trigger(spec: JobSpec, settings: Settings) -> CronTrigger:
    return CronTrigger.from_crontab(spec.cron, timezone=settings.zone)


def next_runs(settings: Settings, now: datetime) -> list[tuple[JobSpec, datetime]]:
    """Each job with the next time it will run after ``now``."""
    runs = []
    for spec in job_specs(settings):
        when = trigger(spec, settings).get_next_fire_time(None, now)
        assert when is not None
        runs.append((spec, when))
    return runs


def build_scheduler(
    settings: Settings, engine: Engine, scheduler: BaseScheduler | None = None
) -> BaseScheduler:
    """A scheduler with the jobs of ``job_specs``, kept in the product's database
    (plus a ``memory`` store for the process's own housekeeping jobs).

    A job already stored with the same time keeps its stored next run time,
    so that a run which fell due while no scheduler ran (a restart, a
    machine down) still runs at start, within ``BW_MISFIRE_GRACE_SECONDS``;
    replacing it would compute the next time from now and lose that run.
    """
    scheduler = scheduler or BlockingScheduler()
    store = SQLAlchemyJobStore(engine=engine)
    scheduler.configure(
        jobstores={"default": store, "memory": MemoryJobStore()},
        timezone=settings.zone,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.misfire_grace_seconds,
        },
    )
    stored = _stored_next_runs(store, scheduler)
    for spec in job_specs(settings):
        when = trigger(spec, settings)
        kept = stored.get(spec.id)
        options = {"next_run_time": kept[1]} if kept and kept[0] == _signature(when) else {}
        scheduler.add_job(
            spec.function, when, id=spec.id, name=spec.description, replace_existing=True, **options
        )
    return scheduler


def _signature(when: BaseTrigger) -> str:
    return f"{when} {getattr(when, 'timezone', '')}"


def _stored_next_runs(
    store: SQLAlchemyJobStore, scheduler: BaseScheduler
) -> dict[str, tuple[str, datetime | None]]:
    """Each stored job's trigger and next run time, by id."""
    store.start(scheduler, "default")  # creates the table on first use; start() does it again, harmlessly
    return {job.id: (_signature(job.trigger), job.next_run_time) for job in store.get_all_jobs()}


# The jobs. Each builds its own settings and database, so that it can be stored by name.


def _with_database(work: Callable[[Settings, Engine], object]) -> None:
    settings = get_settings()
    engine = open_database(settings.database_url)
    try:
        work(settings, engine)
    finally:
        engine.dispose()


def crawl_job() -> None:
    _with_database(lambda s, e: pipeline.weekly(e, s, utcnow(), crawl=True, send_kinds=()))


def critical_job() -> None:
    _with_database(lambda s, e: pipeline.send(e, s, utcnow(), ("critical",)))


def daily_job() -> None:
    _with_database(lambda s, e: pipeline.send(e, s, utcnow(), ("daily",)))


def weekly_job() -> None:
    _with_database(lambda s, e: pipeline.send(e, s, utcnow(), ("weekly",)))


def remind_job() -> None:
    """Record the day's deadline reminders, then send them (with any critical alert waiting)."""
    _with_database(
        lambda s, e: (pipeline.remind(e, s, utcnow()), pipeline.send(e, s, utcnow(), ("critical",)))
    )


def health_job() -> None:
    _with_database(lambda s, e: pipeline.health_check(e, s, utcnow()))


# Only one scheduler runs the jobs.


class SchedulerLease:
    """The right to run the jobs, held for as long as the process lives.

    PostgreSQL: a session advisory lock on a connection kept open (the
    server frees it when the process dies). SQLite: a lock row whose
    heartbeat the holder renews; another process may take it once the
    heartbeat is older than ``STALE_LOCK``.
    """

    def __init__(self, engine: Engine, holder: str | None = None) -> None:
        self.engine = engine
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.connection: Connection | None = None

    def acquire(self, now: datetime | None = None) -> bool:
        if self.engine.dialect.name == "postgresql":
            return self._advisory()
        return self._lock_row(now or utcnow())

    def _advisory(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect()
        got = bool(
            self.connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        )
        self.connection.commit()
        return got

    def _lock_row(self, now: datetime) -> bool:
        with Session(self.engine) as session:
            row = session.exec(select(SchedulerLock).where(SchedulerLock.name == LOCK_NAME)).first()
            if row is not None and row.holder != self.holder and now - row.heartbeat_at < STALE_LOCK:
                return False
            row = row or SchedulerLock(name=LOCK_NAME, holder=self.holder)
            row.holder, row.heartbeat_at = self.holder, now
            session.add(row)
            try:
                session.commit()
            except Exception:  # another process inserted the row first
                return False
        return True

    def renew(self) -> None:
        if self.engine.dialect.name != "postgresql":
            self._lock_row(utcnow())

    def release(self) -> None:
        if self.connection is not None:
            # Closing only returns the connection to the pool, where its session (and
            # the lock) would live on: unlock first. A dead process loses it anyway.
            self.connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            self.connection.commit()
            self.connection.close()
            self.connection = None
            return

        with Session(self.engine) as session:
            row = session.get(SchedulerLock, LOCK_NAME)
            if row is not None and row.holder == self.holder:
                session.delete(row)
                session.commit()


def run(
    settings: Settings,
    wait_seconds: float = 15.0,
    stop: threading.Event | None = None,
    holder: str | None = None,
) -> None:
    """Wait for the lease, then run the jobs until SIGTERM/SIGINT (or ``stop``)."""
    stop = stop or threading.Event()
    engine = open_database(settings.database_url)
    lease = SchedulerLease(engine, holder)

    _on_signals(stop)
    while not lease.acquire():
        log.info("another scheduler holds the lock; waiting")
        if stop.wait(wait_seconds):
            return
    scheduler = build_scheduler(settings, engine, BackgroundScheduler())
    scheduler.add_job(
        lease.renew, "interval", seconds=30, id="lease", replace_existing=True, jobstore="memory"
    )
    scheduler.start()
    log.info("scheduler running as %s", lease.holder)
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)  # lets a running job finish
        lease.release()
        engine.dispose()


def _on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the running job, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
