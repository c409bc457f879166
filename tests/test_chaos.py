"""Killed mid-run, then run again: nothing lost, nothing duplicated.

- The weekly run killed with SIGKILL at random points: every trial builds a fresh database,
  starts `barrierwatch weekly --no-crawl` as a process of its own against a real SMTP server
  (aiosmtpd on 127.0.0.1), kills it at a random point of its work (a stage, and in send a
  number of mails already sent), checks that the kill cut a stage, waits for its claims to go
  stale (BW_STALE_CLAIM_SECONDS=1) and runs it again to the end.
- The SMTP server killed with SIGKILL in the middle of a send: the sender records what is left
  as waiting with the reason, and the next send, once a server is back, delivers exactly that.
"""

from __future__ import annotations

import json
import mailbox
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, func, select

import pipeline
from bench.send import smtp_process
from config import Settings
from store.db import open_database
from store.models import Alert, Delivery, Notice, Run
from tests.scenario import NOW, approved_digests
from tests.smtp_server import Sink, free_port, smtp_server

TRIALS = 20
HEADINGS = ["6115", "4418", "8708", "3208", "9403", "7326", "0409", "2309", "8517", "8703"]


def _write_inputs(folder: Path) -> tuple[Path, Path]:
    notices = folder / "notices.jsonl"
    notices.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"G/TBT/N/X/{i}",
                    "source": "wto_eping",
                    "doc_type": "tbt",
                    "country": ("US", "EU", "DE")[i % 3],
                    "title": f"Technical regulation {i}",
                    "text": "Products covered",
                    "hs_codes": [HEADINGS[i % len(HEADINGS)]],
                }
            )
            + "\n"
            for i in range(60)
        ),
        encoding="utf-8",
    )
    enterprises = folder / "enterprises.csv"
    rows = [
        f"Exporter {i},export@exporter-{i}.example,{HEADINGS[i % len(HEADINGS)]},US;EU,{('zh', 'en')[i % 2]}"
        for i in range(150)
    ]
    enterprises.write_text(
        "name,email,hs_codes,markets,language\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return notices, enterprises


def _environment(database_url: str, port: int, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env.update(
        BW_DATABASE_URL=database_url,
        BW_SMTP_HOST="127.0.0.1",
        BW_SMTP_PORT=str(port),
        BW_SMTP_SECURITY="none",
        BW_AUTO_APPROVE="stated-codes",
        BW_MAX_NEW_ALERTS_PER_RUN="100000",
        BW_STALE_CLAIM_SECONDS="1",
        BW_RETRY_BASE_SECONDS="0.01",
        BW_MODEL_DIR=str(folder / "no-model"),
        BW_SECRET_KEY="chaos",
    )
    return env


def _weekly(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "weekly", "--no-crawl"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


STAGES = ("classify", "match", "send")


def _progress(engine) -> tuple[int, int]:
    """How far the weekly run got: the index of its latest stage (-1 before any) and mails sent."""
    with Session(engine) as session:
        started = {stage for stage in session.exec(select(Run.stage)) if stage in STAGES}
        sent = session.exec(select(func.count()).select_from(Delivery).where(Delivery.status == "sent")).one()
    return max((STAGES.index(s) for s in started), default=-1), sent


def _kill_at(process: subprocess.Popen[bytes], engine, stage: int, sent: int) -> None:
    """SIGKILL ``process`` once it has reached ``stage`` (and, in send, sent ``sent`` mails),
    or at once when it went further; returns early if it ended by itself."""
    while process.poll() is None:
        reached, mails = _progress(engine)
        if reached > stage or (reached == stage and (STAGES[stage] != "send" or mails >= sent)):
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()


def test_weekly_killed_at_random_points_then_rerun_delivers_every_digest(tmp_path):
    rng = random.Random(20261125)
    sink = Sink()
    repeats = 0
    with smtp_server(sink) as port:
        for trial in range(TRIALS):
            folder = tmp_path / f"trial-{trial}"
            folder.mkdir()
            database_url = f"sqlite:///{folder / 'bw.db'}"
            engine = open_database(database_url)
            settings = Settings(database_url=database_url)
            notices, enterprises = _write_inputs(folder)
            pipeline.ingest_file(engine, notices)
            pipeline.import_enterprises(engine, settings, enterprises)
            sink.received.clear()
            sink.envelopes.clear()
            env = _environment(database_url, port, folder)

            stage, sent = rng.randrange(len(STAGES)), rng.randrange(0, 120)
            killed = _weekly(env, Path.cwd())
            _kill_at(killed, engine, stage, sent)
            # A trial in which nothing was killed proves nothing: the run must have died of the
            # SIGKILL, in the middle of a stage that it left running.
            assert killed.returncode == -signal.SIGKILL, f"trial {trial}: the run ended before the kill"
            with Session(engine) as session:
                cut = session.exec(select(Run).where(Run.status == "running")).all()
            assert [r.stage for r in cut] and cut[0].stage in STAGES, f"trial {trial}: no stage was cut"
            time.sleep(1.2)  # the dead run's claims go stale
            rerun = _weekly(env, Path.cwd())
            assert rerun.wait(timeout=120) == 0, f"trial {trial}: the rerun failed"

            with Session(engine) as session:
                deliveries = session.exec(select(Delivery)).all()
                assert {d.status for d in deliveries} == {"sent"}, f"trial {trial}"
                assert session.exec(select(func.count()).select_from(Notice)).one() == 60
                pairs = session.exec(select(Alert.notice_id, Alert.enterprise_id)).all()
                assert len(pairs) == len(set(pairs)) and len(pairs) > 0
                # The rerun marked the killed stage's run failed, naming the dead process.
                again = session.get(Run, cut[0].id)
                assert again is not None and again.status == "failed", f"trial {trial}"
                assert f":{killed.pid}:" in str(again.error), f"trial {trial}"
            engine.dispose()
            received = Counter(str(m["Message-ID"]) for m in sink.received)
            # Every digest arrived; a copy can only be the one mail in flight when the run was
            # killed (accepted by the server, not yet marked sent): same Message-ID, see alerts.deliver.
            assert set(received) == {d.message_id for d in deliveries}, f"trial {trial}"
            assert all(n <= 2 for n in received.values()), f"trial {trial}: {received.most_common(3)}"
            repeats += sum(n - 1 for n in received.values())
    assert repeats <= TRIALS  # at most the one mail in flight per kill


SERVER_KILLS = 5
SERVER_HANDLER = "aiosmtpd.handlers.Mailbox"  # files each mail in a Maildir before it answers 250
DIGESTS = 200
CONNECTIONS = 4


def _filed(maildir: Path) -> int:
    return len(os.listdir(maildir / "new")) if (maildir / "new").is_dir() else 0


def _message_ids(maildir: Path) -> Counter[str]:
    return Counter(str(message["Message-ID"]) for message in mailbox.Maildir(maildir, create=False))


def _sender_settings(database_url: str, port: int) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_connections=CONNECTIONS,
        smtp_timeout=5,
        retry_base_seconds=0.01,
    )


def _send_in_background(engine, settings: Settings, now) -> tuple[threading.Thread, list]:
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(pipeline.send(engine, settings, now)[1]))
    thread.start()
    return thread, outcome


def test_smtp_server_killed_mid_send_then_back_gets_exactly_what_was_left(tmp_path):
    rng = random.Random(20261130)
    for trial in range(SERVER_KILLS):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        database_url = f"sqlite:///{folder / 'bw.db'}"
        engine = open_database(database_url)
        expected = set(approved_digests(engine, DIGESTS))

        first_port, first_box = free_port(), folder / "first"
        with smtp_process(first_port, SERVER_HANDLER, str(first_box)) as server:
            thread, outcome = _send_in_background(engine, _sender_settings(database_url, first_port), NOW)
            kill_after = rng.randint(10, DIGESTS - 50)
            while _filed(first_box) < kill_after and thread.is_alive():
                time.sleep(0.002)
            server.send_signal(signal.SIGKILL)
            server.wait()
            thread.join(timeout=60)
        assert outcome, f"trial {trial}: the send did not finish"
        assert outcome[0].sent < DIGESTS and outcome[0].sent + outcome[0].retry_later == DIGESTS

        with Session(engine) as session:
            sent_first = {d.message_id for d in session.exec(select(Delivery)) if d.status == "sent"}
            waiting = session.exec(select(Delivery).where(Delivery.status != "sent")).all()
        assert all(d.status == "pending" and d.last_error and d.next_attempt_at for d in waiting), trial
        first = _message_ids(first_box)
        # Filed but not known as sent: only mails in flight when the server died (no 250 came back).
        assert sent_first <= set(first) and len(set(first) - sent_first) <= CONNECTIONS, trial

        second_port, second_box = free_port(), folder / "second"
        with smtp_process(second_port, SERVER_HANDLER, str(second_box)):
            later = NOW + timedelta(days=1)  # past every retry time
            pipeline.send(engine, _sender_settings(database_url, second_port), later)
        second = _message_ids(second_box)
        with Session(engine) as session:
            assert {d.status for d in session.exec(select(Delivery))} == {"sent"}, trial
        engine.dispose()
        assert set(second) == expected - sent_first, trial  # exactly what was left
        assert set(first) | set(second) == expected and max((first + second).values()) <= 2, trial
