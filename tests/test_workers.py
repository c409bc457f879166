"""Several `barrierwatch worker` processes on one queue send every mail once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from alerts.deliver import claim_due
from store.models import Delivery, Run
from tests.scenario import approved_digests
from tests.smtp_server import Sink, smtp_server

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _running_workers(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Run).where(Run.stage == "worker", Run.status == "running")).all())


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


def test_four_workers_on_one_postgresql_queue_share_the_work_and_send_every_mail_once(
    engine, database_url, tmp_path
):
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent workers share a PostgreSQL queue (SQLite has one writer)")
    # A relay that takes 20 ms a mail: the queue lasts long enough that a worker which
    # did not claim is a worker that could not, not one that came too late.
    sink = Sink(delay=0.02)
    with smtp_server(sink) as port:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
        env.update(
            BW_DATABASE_URL=database_url,
            BW_SMTP_HOST="127.0.0.1",
            BW_SMTP_PORT=str(port),
            BW_SMTP_SECURITY="none",
            BW_SMTP_CONNECTIONS="2",
            BW_SECRET_KEY="workers",
            BW_MODEL_DIR=str(tmp_path / "no-model"),
        )
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "cli", "worker", "--poll", "0.2"],
                env=env,
                cwd=Path.cwd(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(4)
        ]
        try:
            # All four wait on the empty queue before any mail is due.
            _wait(lambda: _running_workers(engine) == 4, 120, "four workers to start")
            expected = approved_digests(engine, 400)
            _wait(lambda: len(sink.received) >= len(expected), 120, "every mail")
            time.sleep(0.5)  # a mail sent twice would arrive now
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [w.communicate(timeout=60)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], outputs
    received = Counter(str(m["Message-ID"]) for m in sink.received)
    assert sorted(received) == sorted(expected) and set(received.values()) == {1}
    with Session(engine) as session:
        assert {d.status for d in session.exec(select(Delivery))} == {"sent"}
    # The work was shared: every worker sent some, and together exactly every mail.
    sent = [int(m.group(1)) for out in outputs if (m := re.search(r"worker: (\d+) mails sent", out))]
    assert len(sent) == 4 and all(n > 0 for n in sent) and sum(sent) == len(expected), outputs


def test_claim_due_takes_the_oldest_due_deliveries_once(engine):
    approved_digests(engine, 40)
    with engine.connect() as first, engine.connect() as second:
        a = claim_due(first, NOW, limit=30)
        b = claim_due(second, NOW, limit=30)
    assert len(a) == 30 and len(b) == 10 and not set(a) & set(b)
    assert a == sorted(a) and max(a) < min(b)
