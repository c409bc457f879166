"""`barrierwatch serve` as it runs: a real uvicorn on 127.0.0.1, its access log
and the client address it believes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from store.db import open_database
from store.models import AuditEvent

ROOT = Path(__file__).resolve().parents[1]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(folder: Path, **settings: str) -> Iterator[tuple[httpx.Client, Path]]:
    """`barrierwatch serve` with ``settings`` (BW_…), its client and its log file."""
    port, log = _free_port(), folder / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env.update(
        BW_DATABASE_URL=f"sqlite:///{folder / 'bw.db'}", BW_MODEL_DIR=str(folder / "no-model"), **settings
    )
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        _wait_until_up(client, server, log)
        yield client, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(client: httpx.Client, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"serve did not answer: {log.read_text()}")


def sign_in_from(client: httpx.Client, username: str, forwarded_for: str) -> int:
    token = _CSRF.search(client.get("/login").text)
    assert token
    form = {"username": username, "password": "password123", "csrf_token": token.group(1), "next": "/"}
    return client.post("/login", data=form, headers={"X-Forwarded-For": forwarded_for}).status_code


def addresses_of_failed_sign_ins(folder: Path) -> list[str]:
    engine = open_database(f"sqlite:///{folder / 'bw.db'}")
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "login.failed")).all()
    engine.dispose()
    return [e.detail["address"] for e in events]


def test_serve_believes_no_forwarded_for_by_default(tmp_path):
    with serving(tmp_path) as (client, _log):
        answers = [sign_in_from(client, f"name-{i}", f"203.0.113.{i}") for i in range(6)]
    assert answers == [401] * 5 + [429]  # rotating the header does not escape the limit
    assert set(addresses_of_failed_sign_ins(tmp_path)) == {"127.0.0.1"}


def test_serve_believes_forwarded_for_from_a_configured_proxy(tmp_path):
    with serving(tmp_path, BW_TRUSTED_PROXIES="127.0.0.1") as (client, _log):
        answers = [sign_in_from(client, f"name-{i}", f"203.0.113.{i}") for i in range(6)]
    assert answers == [401] * 6
    assert sorted(addresses_of_failed_sign_ins(tmp_path)) == [f"203.0.113.{i}" for i in range(6)]


def test_the_access_log_never_shows_a_link_token(tmp_path):
    secret = "12.u.Zq3kG7xP0aLm2Nc8.aw6dTQ.mPIUpx9TKaJm3kU2B8-AlI0QYkjeYTxI15E5ZvxBIrU"
    with serving(tmp_path) as (client, log):
        client.get(f"/u/{secret}")
        client.post(f"/u/{secret}")
        client.get(f"/p/{secret}?token=sent-along&lang=en")
        client.get("/health")
        time.sleep(0.5)
        written = log.read_text()
    assert "/u/[redacted]" in written and "/p/[redacted]?token=[redacted]&lang=en" in written
    assert "GET /health" in written
    assert secret not in written and "Zq3kG7xP0aLm2Nc8" not in written and "sent-along" not in written
