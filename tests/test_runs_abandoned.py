"""A run whose process was killed with SIGKILL is marked failed, with the
reason, by the next run of its stage; a run whose process lives is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

import pipeline
from config import get_settings
from store.models import Run
from tests.scenario import NOW

HOLD_A_RUN = """
import sys, time
from store.db import open_database
from store.runs import recorded_run
with recorded_run(open_database(sys.argv[1]), sys.argv[2]):
    print("running", flush=True)
    time.sleep(300)
"""


def start_run(database_url: str, stage: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_RUN, database_url, stage],
        cwd=Path(__file__).resolve().parents[1],
        env={k: v for k, v in os.environ.items() if not k.startswith("BW_")},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "running"
    return process


def runs(engine, stage):
    with Session(engine) as session:
        return session.exec(select(Run).where(Run.stage == stage).order_by(Run.id)).all()  # type: ignore[arg-type]


def test_a_killed_run_is_marked_failed_by_the_next_run_and_a_live_one_is_not(engine, database_url):
    killed = start_run(database_url, "send")
    alive = start_run(database_url, "send")
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        assert [r.status for r in runs(engine, "send")] == ["running", "running"]

        pipeline.send(engine, get_settings(), NOW)

        first, second, third = runs(engine, "send")
        assert first.status == "failed" and first.finished_at is not None
        assert f":{killed.pid}:" in str(first.error) and "stopped without finishing" in str(first.error)
        assert second.status == "running" and second.error is None  # its process still runs
        assert third.status == "ok"
    finally:
        alive.kill()
        alive.wait(timeout=10)


def test_a_killed_run_of_another_stage_waits_for_its_own_stage(engine, database_url):
    killed = start_run(database_url, "classify")
    killed.kill()
    killed.wait(timeout=10)
    pipeline.send(engine, get_settings(), NOW)
    assert [r.status for r in runs(engine, "classify")] == ["running"]
    pipeline.classify(engine, get_settings())
    assert [r.status for r in runs(engine, "classify")] == ["failed", "ok"]
