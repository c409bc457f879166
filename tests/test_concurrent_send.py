"""Two `send` runs at the same moment make each digest once and send each
mail once (on SQLite the second used to die on the digest's unique key)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter

from sqlalchemy import event
from sqlmodel import Session, select

import pipeline
from alerts.deliver import SendResult
from alerts.digest import DigestResult
from config import get_settings
from store.db import open_database
from store.models import Delivery, Digest
from tests.scenario import NOW
from tests.test_alerts_delivery import outbox_messages, prepare


def test_two_sends_at_once_make_each_digest_once_and_send_each_mail_once(engine, database_url):
    settings = prepare(engine)
    both_read = threading.Barrier(2)

    def engine_pausing_after_reading_waiting_alerts():
        own = open_database(database_url)

        def pause(_conn, _cursor, statement, *_args):
            # Each run waits here for the other to read the same waiting alerts too (the race);
            # when the other is held back by the lock, it goes on after a second.
            if "FROM alert" in statement and "digest_id IS NULL" in statement:
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=1)

        event.listen(own, "after_cursor_execute", pause)
        return own

    outcomes: list[tuple[DigestResult, SendResult] | Exception] = []

    def run() -> None:
        own = engine_pausing_after_reading_waiting_alerts()
        try:
            outcomes.append(pipeline.send(own, get_settings(), NOW))
        except Exception as exc:  # the test reports it below
            outcomes.append(exc)
        finally:
            own.dispose()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=60)
    finished = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(finished) == 2, outcomes
    assert sorted(digests.digests for digests, _ in finished) == [0, 2]
    with Session(engine) as session:
        assert len(session.exec(select(Digest)).all()) == 2
        deliveries = session.exec(select(Delivery)).all()
    assert len(deliveries) == 3 and {d.status for d in deliveries} == {"sent"}
    received = Counter(str(m["Message-ID"]) for m in outbox_messages(settings))
    assert set(received.values()) == {1} and len(received) == 3
