"""A job that fell due while the scheduler was restarting runs when it
starts again (within the misfire grace), under a controlled clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

import scheduler
from config import get_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


START = datetime(2026, 12, 1, 10, 14, 47, tzinfo=SHANGHAI)  # a Tuesday


class Clock:
    """The time APScheduler reads (the true edge: the wall clock), set by the test."""

    now = START


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        return Clock.now.astimezone(tz) if tz else Clock.now.replace(tzinfo=None)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(Clock, "now", START)
    monkeypatch.setattr("apscheduler.schedulers.base.datetime", _FrozenDatetime)
    monkeypatch.setattr("apscheduler.executors.base.datetime", _FrozenDatetime)
    return Clock


@pytest.fixture
def ran(monkeypatch):
    """The jobs the scheduler ran, by name, instead of running them."""
    calls: list[str] = []
    for name in ("crawl_job", "critical_job", "daily_job", "weekly_job", "health_job"):
        monkeypatch.setattr(scheduler, name, lambda name=name: calls.append(name))
    return calls


def _start(engine, paused=False):
    built = scheduler.build_scheduler(get_settings(), engine, BackgroundScheduler())
    built.start(paused=paused)
    return built


def _wait_for(calls, count, seconds=10.0):
    deadline = time.monotonic() + seconds
    while len(calls) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_job_due_during_a_restart_runs_when_the_scheduler_is_back(engine, clock, ran):
    first = _start(engine, paused=True)  # running at 10:14:47; critical alerts are due at 10:15
    assert first.get_job("critical_alerts").next_run_time == datetime(2026, 12, 1, 10, 15, tzinfo=SHANGHAI)
    first.shutdown(wait=False)  # stopped for the restart

    clock.now += timedelta(seconds=30)  # started again at 10:15:17
    second = _start(engine)
    try:
        _wait_for(ran, 1)
        time.sleep(0.3)  # nothing else follows
    finally:
        second.shutdown(wait=True)
    assert ran == ["critical_job"]
    third = _start(engine, paused=True)
    try:
        assert third.get_job("critical_alerts").next_run_time == datetime(
            2026, 12, 1, 10, 30, tzinfo=SHANGHAI
        )
    finally:
        third.shutdown(wait=False)


def test_runs_missed_during_a_long_stop_coalesce_into_one(engine, clock, ran):
    _start(engine, paused=True).shutdown(wait=False)
    clock.now += timedelta(minutes=50)  # 10:15, 10:30 and 10:45 were missed; back at 11:04:47
    second = _start(engine)
    try:
        _wait_for(ran, 1)
        time.sleep(0.3)
    finally:
        second.shutdown(wait=True)
    assert ran == ["critical_job"]


def test_a_changed_time_setting_replaces_the_stored_next_run(engine, clock, ran, monkeypatch):
    _start(engine, paused=True).shutdown(wait=False)
    monkeypatch.setenv("BW_CRITICAL_CRON", "0 * * * *")
    clock.now += timedelta(seconds=30)
    again = _start(engine, paused=True)
    try:
        assert again.get_job("critical_alerts").next_run_time == datetime(2026, 12, 1, 11, 0, tzinfo=SHANGHAI)
    finally:
        again.shutdown(wait=False)
    assert ran == []
