"""Several `barrierwatch worker` processes on one queue send every mail once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from alerts.deliver import claim_due
from store.models import Delivery
from tests.scenario import approved_digests
from tests.smtp_server import Sink, smtp_server

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_four_workers_on_one_postgresql_queue_send_every_mail_once(engine, database_url, tmp_path):
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent workers share a PostgreSQL queue (SQLite has one writer)")
    expected = approved_digests(engine, 400)
    sink = Sink()
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
                [sys.executable, "-m", "cli", "worker", "--once"],
                env=env,
                cwd=Path.cwd(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(4)
        ]
        outputs = [w.communicate(timeout=180)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], outputs
    received = Counter(str(m["Message-ID"]) for m in sink.received)
    assert sorted(received) == sorted(expected) and set(received.values()) == {1}
    with Session(engine) as session:
        assert {d.status for d in session.exec(select(Delivery))} == {"sent"}
    # The work was shared, not done by one worker while the others waited.
    assert sum("0 mails sent" in out for out in outputs) < 4


def test_claim_due_takes_the_oldest_due_deliveries_once(engine):
    approved_digests(engine, 40)
    with engine.connect() as first, engine.connect() as second:
        a = claim_due(first, NOW, limit=30)
        b = claim_due(second, NOW, limit=30)
    assert len(a) == 30 and len(b) == 10 and not set(a) & set(b)
    assert a == sorted(a) and max(a) < min(b)
