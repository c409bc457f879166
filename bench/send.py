"""Delivery: render and send N digests to a local SMTP sink.

The sink is aiosmtpd in a process of its own, so it does not share the
sender's core. The baseline is a bare aiosmtplib loop sending the same
mails, rendered beforehand by our own code to the very bytes ours sends,
over the same number of reused connections, in the same run: bare, ours,
bare, ours, ... bare, each round of ours against the bare runs either
side of it, the median round reported (the machine's speed drifts). All
the bare loop does per mail is the SMTP exchange, so the ratio is what
reading, rendering, composing and recording cost on top of it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import Popen
from typing import Any

import aiosmtplib
from sqlalchemy import insert, update

from alerts.compose import compose_from, load_batch
from alerts.deliver import BATCH, RetryPolicy, send_pending, sendable_ids
from alerts.digest import build_digests
from alerts.mail import OutgoingMail
from alerts.transports import SmtpTransport
from bench import synthetic
from config import Settings
from store.db import open_database, session_scope
from store.models import Alert, Delivery

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CONNECTIONS = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_process(port: int, handler: str = "aiosmtpd.handlers.Sink", *arguments: str) -> Iterator[Popen]:
    """aiosmtpd with ``handler`` in a process of its own on 127.0.0.1:``port``
    (it costs 2-3 ms of CPU a message, so it must not share the sender's
    core), stopped on the way out whatever happened."""
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", handler, *arguments]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        yield server
    finally:
        server.kill()
        server.wait()


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the SMTP server on port {port} did not start")


def _prepare(folder: Path, digests: int, port: int) -> tuple[Settings, Any]:
    settings = Settings(
        database_url=f"sqlite:///{folder / 'send.db'}",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_connections=CONNECTIONS,
        secret_key="bench",
    )
    engine = open_database(settings.database_url)
    synthetic.enterprises(engine, digests)
    synthetic.notices(engine, 300)
    now = datetime.now(UTC)
    rows = [
        {
            "notice_id": (i * 7 + k) % 300 + 1,
            "enterprise_id": i,
            "severity": "high",
            "score": 1.0,
            "reason": "HS 4418.75 matches your product 4418.75; market United States",
            "evidence": {"tag_ids": []},
            "status": "approved",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(1, digests + 1)
        for k in range(1 + i % 3)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Alert), rows)
    with session_scope(engine) as session:
        build_digests(session, NOW, settings.zone, "bench.example")
    return settings, engine


def _rendered_mails(settings: Settings, engine: Any) -> list[OutgoingMail]:
    """Our own digests, rendered beforehand: what the bare loop sends."""
    with engine.connect() as connection:
        ids = sendable_ids(connection, NOW)
        mails = []
        for start in range(0, len(ids), BATCH):
            batch = load_batch(connection, ids[start : start + BATCH])
            mails += [compose_from(batch, i, settings, NOW, NOW.date()) for i in ids[start : start + BATCH]]
    return mails


async def _bare_loop(port: int, mails: list[OutgoingMail]) -> float:
    async def one_connection(share: list[OutgoingMail]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for mail in share:
            await client.sendmail(mail.sender, [mail.recipient], mail.data)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(one_connection(mails[i::CONNECTIONS]) for i in range(CONNECTIONS)))
    return time.perf_counter() - started


def _ours(settings: Settings, engine: Any) -> tuple[float, int]:
    started = time.perf_counter()
    result = asyncio.run(
        send_pending(
            engine,
            settings,
            lambda: SmtpTransport(settings),
            NOW + timedelta(minutes=1),
            CONNECTIONS,
            RetryPolicy(retries=1, base_seconds=0.05),
        )
    )
    return time.perf_counter() - started, result.sent


def _requeue(engine: Any) -> None:
    """Every delivery due again, so that another round sends the same mails."""
    with engine.begin() as connection:
        connection.execute(
            update(Delivery).values(status="pending", attempts=0, claimed_at=None, sent_at=None)
        )
        connection.execute(update(Alert).values(status="approved"))


def run(quick: bool) -> Iterator[dict[str, Any]]:
    count = 500 if quick else 10_000
    rounds = 1 if quick else 3
    port = _free_port()
    ratios, values, baselines = [], [], []
    with smtp_process(port), tempfile.TemporaryDirectory() as folder:
        settings, engine = _prepare(Path(folder), count, port)
        mails = _rendered_mails(settings, engine)
        # bare, ours, bare, ours, ..., bare: each round against the bare runs either side of it
        bare = [count / asyncio.run(_bare_loop(port, mails))]
        for _ in range(rounds):
            _requeue(engine)
            seconds, sent = _ours(settings, engine)
            assert sent == count, f"sent {sent} of {count}"
            bare.append(count / asyncio.run(_bare_loop(port, mails)))
            values.append(sent / seconds)
            baselines.append((bare[-2] + bare[-1]) / 2)
            ratios.append(values[-1] / baselines[-1])
    middle = sorted(range(rounds), key=lambda i: ratios[i])[rounds // 2]  # the median round
    yield {
        "name": f"send_{count}_digests_over_{CONNECTIONS}_connections",
        "value": round(values[middle], 1),
        "unit": "mails/s",
        "baseline": round(baselines[middle], 1),
        "ratio": round(ratios[middle], 3),
        "rounds": [round(r, 3) for r in ratios],
        "cpus": os.cpu_count(),
    }
