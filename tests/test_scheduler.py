import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import ValidationError
from sqlmodel import Session, select

import pipeline
import scheduler
from config import Settings, get_settings
from store.db import open_database, session_scope
from store.models import Alert, Run, SchedulerLock, Source

MONDAY_MORNING = datetime(2026, 11, 29, 23, 1, tzinfo=UTC)  # Monday 07:01 in Shanghai


def test_jobs_and_their_times_come_from_settings():
    settings = Settings(weekly_digest_cron="30 9 * * fri", crawl_cron="0 3 * * *")
    runs = {spec.id: when for spec, when in scheduler.next_runs(settings, MONDAY_MORNING)}
    assert set(runs) == {
        "crawl",
        "critical_alerts",
        "daily_digests",
        "weekly_digests",
        "health_check",
        "reminders",
    }
    shanghai = settings.zone
    assert runs["weekly_digests"] == datetime(2026, 12, 4, 9, 30, tzinfo=shanghai)
    assert runs["crawl"] == datetime(2026, 12, 1, 3, 0, tzinfo=shanghai)
    assert runs["critical_alerts"] == datetime(2026, 11, 30, 7, 15, tzinfo=shanghai)
    default = {s.id: w for s, w in scheduler.next_runs(Settings(), MONDAY_MORNING)}
    assert default["weekly_digests"] == datetime(2026, 11, 30, 8, 0, tzinfo=shanghai)


def test_a_bad_crontab_setting_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("BW_CRAWL_CRON", "every night")
    with pytest.raises(ValidationError, match=r"crawl_cron[\s\S]*'every night' is not a crontab line"):
        get_settings()


def test_jobs_are_kept_in_the_database_with_coalescing_and_no_overlap(engine):
    built = scheduler.build_scheduler(get_settings(), engine, BackgroundScheduler())
    built.start(paused=True)
    try:
        jobs = {job.id: job for job in built.get_jobs(jobstore="default")}
        assert set(jobs) == {
            "crawl",
            "critical_alerts",
            "daily_digests",
            "weekly_digests",
            "health_check",
            "reminders",
        }
        assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
        assert jobs["crawl"].misfire_grace_time == 3600
    finally:
        built.shutdown(wait=False)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM apscheduler_jobs").scalar() == 6


def test_only_one_scheduler_holds_the_lease(engine):
    first, second = scheduler.SchedulerLease(engine, "host-a:1"), scheduler.SchedulerLease(engine, "host-b:2")
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert first.acquire(now)
    assert not second.acquire(now)
    if engine.dialect.name == "sqlite":
        # A holder that stopped renewing (crashed) is taken over once its heartbeat is stale.
        assert second.acquire(now + scheduler.STALE_LOCK + timedelta(seconds=1))
    else:
        first.release()  # the advisory lock goes with the session
        assert second.acquire(now)
    second.release()


def test_a_second_scheduler_waits_and_takes_over_when_the_first_stops(monkeypatch, tmp_path):
    monkeypatch.setenv("BW_CRAWL_CRON", "0 2 * * *")
    settings = get_settings()
    # Alembic keeps global state: two threads of one process cannot both create the schema
    # (two processes can, see store.db.ensure_schema). Create it first.
    open_database(settings.database_url).dispose()
    stop_a, stop_b = threading.Event(), threading.Event()
    a = threading.Thread(target=scheduler.run, args=(settings, 0.05, stop_a, "a:1"))
    b = threading.Thread(target=scheduler.run, args=(settings, 0.05, stop_b, "b:2"))
    a.start()
    assert _lock_holder(settings) == "a:1"
    b.start()
    time.sleep(0.5)
    assert _lock_holder(settings) == "a:1"  # b is waiting, not running jobs
    stop_a.set()
    a.join(timeout=10)
    assert _lock_holder(settings, wait_for="b:2") == "b:2"
    stop_b.set()
    b.join(timeout=10)
    assert not a.is_alive() and not b.is_alive()


def _lock_holder(settings, wait_for=None):
    engine = open_database(settings.database_url)
    deadline = time.monotonic() + 10
    while True:
        with Session(engine) as session:
            row = session.get(SchedulerLock, scheduler.LOCK_NAME)
        holder = row.holder if row else None
        if (holder and wait_for in (None, holder)) or time.monotonic() > deadline:
            engine.dispose()
            return holder
        time.sleep(0.05)


calls: list[str] = []


def failing_job():
    calls.append("failed")
    raise RuntimeError("a source's parser broke")


def steady_job():
    calls.append("ran")


def test_a_failing_job_neither_stops_the_scheduler_nor_blocks_the_next(engine):
    calls.clear()
    built = scheduler.build_scheduler(get_settings(), engine, BackgroundScheduler())
    built.add_job("tests.test_scheduler:failing_job", "interval", seconds=0.2, id="failing")
    built.add_job("tests.test_scheduler:steady_job", "interval", seconds=0.2, id="steady")
    built.start()
    try:
        deadline = time.monotonic() + 10
        while (calls.count("failed") < 2 or calls.count("ran") < 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert built.running
    finally:
        built.shutdown(wait=False)
    assert calls.count("failed") >= 2 and calls.count("ran") >= 2


def test_health_check_mails_admins_once_a_day(engine, monkeypatch):
    monkeypatch.setenv("BW_ADMIN_EMAILS", "ops@bureau.example; chief@bureau.example")
    settings = get_settings()
    with session_scope(engine) as session:
        session.add(
            Source(
                slug="cn_cacs_trade_remedies", kind="spider", consecutive_failures=4, last_error="HTTP 503"
            )
        )
        session.add(Source(slug="wto_eping", kind="spider", consecutive_failures=1))
        session.add(
            Run(
                stage="match",
                status="held",
                flagged=True,
                error="circuit breaker: 5000 new alerts",
                started_at=MONDAY_MORNING - timedelta(hours=2),
            )
        )
    report = pipeline.health_check(engine, settings, MONDAY_MORNING)
    assert [s.slug for s in report.sources] == ["cn_cacs_trade_remedies"] and len(report.held_runs) == 1
    assert report.mailed == 2
    mails = list((settings.outbox / "new").iterdir())
    assert len(mails) == 2
    mail = message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert "1 个数据源连续失败，1 次运行被暂停" in mail["Subject"]
    text_part = mail.get_body(("plain",))
    assert text_part is not None
    text = text_part.get_content()

    assert "cn_cacs_trade_remedies" in text and "wto_eping" not in text and "circuit breaker" in text

    again = pipeline.health_check(engine, settings, MONDAY_MORNING + timedelta(hours=1))
    assert again.mailed == 0 and len(list((settings.outbox / "new").iterdir())) == 2
    with Session(engine) as session:
        assert len(session.exec(select(Run).where(Run.stage == "health")).all()) == 2


def test_the_weekly_run_under_a_frozen_clock_sends_once(engine):
    from tests.scenario import NOW, load

    load(engine)
    with session_scope(engine) as session:
        from alerts.queue import review

        pipeline.match(engine, get_settings(), NOW)
        review(session, None, "approved", "inspector-li")
    settings = get_settings()
    report = pipeline.weekly(engine, settings, NOW, crawl=False)
    assert report.digests == 2 and report.mails_sent == 3 and report.mails_failed == 0
    assert set(report.seconds) == {"classify", "match", "remind", "send"}
    again = pipeline.weekly(engine, settings, NOW + timedelta(days=7), crawl=False)
    assert (again.alerts_created, again.digests, again.mails_sent) == (0, 0, 0)
    assert len(list((settings.outbox / "new").iterdir())) == 3


def test_the_weekly_summary_counts_what_was_sent_not_what_was_rejected(engine):
    """Issue #19 item 8: an alert the reviewer rejected is neither sent nor counted."""
    from alerts.queue import review
    from tests.scenario import NOW, load

    load(engine)
    pipeline.match(engine, get_settings(), NOW)
    with session_scope(engine) as session:
        rejected, approved = sorted(a.id or 0 for a in session.exec(select(Alert)))
        review(session, [rejected], "rejected", "inspector-li")
        review(session, [approved], "approved", "inspector-li")
    report = pipeline.weekly(engine, get_settings(), NOW, crawl=False)
    assert report.alerts_sent == 1 and sum(report.alerts_by_severity.values()) == 1


def test_the_weekly_run_crawls_then_tags_matches_and_sends(engine, monkeypatch):
    monkeypatch.setenv("BW_AUTO_APPROVE", "stated-codes")
    settings = get_settings()
    from tests.scenario import SOCK_MAKER

    with session_scope(engine) as session:
        from alerts.enterprises import save_enterprises

        save_enterprises(session, [SOCK_MAKER])
    stages: list[str] = []
    report = pipeline.weekly(
        engine,
        settings,
        datetime.now(UTC),
        recordings=True,
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert report.new_by_source["wto_eping"] > 0 and not report.failed_sources
    assert report.notices_tagged >= sum(report.new_by_source.values())
    assert report.alerts_created >= 1 and report.auto_approved >= 1 and report.mails_sent >= 1
    assert {"classify", "send"} <= set(stages)
