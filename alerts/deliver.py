"""Delivery: the Delivery rows are the send queue.

A sender claims rows with a conditional UPDATE (due -> sending); only the
process whose UPDATE changed a row sends it, so a second sender or a rerun
never sends it again. A claim left ``sending`` by a crashed process is
taken over after ``STALE_CLAIM``. Rows are claimed and composed in small
batches, but each is marked sent in its own commit right after the server
accepted it.

The one unavoidable window: a crash after the SMTP server accepted a mail
(250) and before its row is marked sent. The takeover then sends that
mail again with the same Message-ID, by which a receiver can drop the
copy. The Maildir outbox has no such window: its file name is derived from
the Message-ID, so a second write finds the file already there.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from alerts.compose import compose_from, load_batch
from alerts.mail import OutgoingMail
from alerts.transports import (
    ConfigurationError,
    PermanentSendError,
    SendingStopped,
    TransientSendError,
    Transport,
)
from config import Settings
from store.models import Alert, AlertStatus, Delivery, DeliveryStatus
from store.types import UTCDateTime, utcnow

STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 5
BATCH = 32


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0
    # Why the run stopped before trying every due mail (the mails left stay pending),
    # and whether a setting is to blame (a ConfigurationError).
    stopped: str | None = None
    by_setting: bool = False

    def stop(self, reason: SendingStopped) -> None:
        if self.stopped is None:
            self.stopped, self.by_setting = str(reason), isinstance(reason, ConfigurationError)

    def stopped_error(self) -> SendingStopped | None:
        """What stopped the run, to raise; None when it ran to the end."""
        if self.stopped is None:
            return None
        return ConfigurationError(self.stopped) if self.by_setting else SendingStopped(self.stopped)


def _due(now: datetime, stale: timedelta = STALE_CLAIM) -> Any:
    """Deliveries a sender may take now: pending and past their backoff, or
    claimed by a sender that has not finished within ``stale``."""
    return or_(
        (col(Delivery.status) == DeliveryStatus.PENDING)
        & or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
        (col(Delivery.status) == DeliveryStatus.SENDING) & (col(Delivery.claimed_at) < now - stale),
    )


def sendable_ids(connection: Connection, now: datetime, stale: timedelta = STALE_CLAIM) -> list[int]:
    statement = select(col(Delivery.id)).where(_due(now, stale)).order_by(col(Delivery.id))
    return [i for i in connection.execute(statement).scalars() if i is not None]


def _claim(connection: Connection, which: Any, now: datetime) -> list[int]:
    """Mark the deliveries ``which`` selects as being sent, and commit; the ids changed."""
    statement = (
        update(Delivery)
        .where(which)
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        .returning(col(Delivery.id))
    )
    claimed = sorted(i for i in connection.execute(statement).scalars() if i is not None)
    connection.commit()
    return claimed


def claim_many(
    connection: Connection, delivery_ids: Sequence[int], now: datetime, stale: timedelta = STALE_CLAIM
) -> list[int]:
    """Take the due ones among ``delivery_ids`` for sending, in one statement;
    returns the ids this connection got (another sender may have taken some)."""
    return _claim(connection, col(Delivery.id).in_(list(delivery_ids)) & _due(now, stale), now)


def claim_due(
    connection: Connection, now: datetime, limit: int = BATCH, stale: timedelta = STALE_CLAIM
) -> list[int]:
    """Claim up to ``limit`` of the oldest due deliveries, whoever else is claiming.

    PostgreSQL: the rows are picked with ``FOR UPDATE SKIP LOCKED``, so
    concurrent workers never wait on each other's rows. SQLite has one
    writer at a time: the conditional UPDATE of :func:`claim_many` suffices.
    """
    if connection.dialect.name != "postgresql":
        return claim_many(connection, sendable_ids(connection, now, stale)[:limit], now, stale)
    picked = (
        select(col(Delivery.id))
        .where(_due(now, stale))
        .order_by(col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return _claim(connection, col(Delivery.id).in_(picked), now)


def claim(connection: Connection, delivery_id: int, now: datetime) -> bool:
    """Take one delivery for sending; False when another sender has it or it is done."""
    return claim_many(connection, [delivery_id], now) == [delivery_id]


@dataclass(frozen=True)
class RetryPolicy:
    """Transient failures are retried within a run after ``base * 2**n``
    seconds (jittered by ±50% so that senders do not retry in step), up
    to ``retries`` times; then the delivery waits for a later run, and
    fails for good after ``max_attempts`` tries in all."""

    retries: int = 2
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    max_attempts: int = MAX_ATTEMPTS
    stale_claim: timedelta = STALE_CLAIM  # a claim older than this was left by a dead sender

    def delay(self, attempt: int) -> float:
        return min(self.cap_seconds, self.base_seconds * 2**attempt) * random.uniform(0.5, 1.5)

    def later(self, attempts: int) -> timedelta:
        """How long a delivery waits for the next run after ``attempts`` tries."""
        return timedelta(minutes=5 * 2 ** min(attempts, 8))


async def send_pending(
    engine: Engine,
    settings: Settings,
    transports: Callable[[], Transport],
    now: datetime,
    connections: int = 1,
    retry: RetryPolicy | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SendResult:
    """Send every due delivery over up to ``connections`` transports at
    once; record each outcome on its row.

    The first transport is opened before any row is claimed: when it cannot
    connect (or log in, or verify TLS) the run makes that one attempt, sets
    ``stopped`` and leaves every delivery pending. A :class:`SendingStopped`
    later stops every connection and puts the claimed, unsent rows back.
    """
    retry = retry or RetryPolicy()
    result = SendResult()
    with engine.connect() as connection:
        due = sendable_ids(connection, now, retry.stale_claim)
    if not due:
        return result
    first = transports()
    try:
        await first.open()
    except SendingStopped as exc:
        result.stop(exc)
        await first.close()
        return result
    batches: asyncio.Queue[list[int]] = asyncio.Queue()
    for start in range(0, len(due), BATCH):
        batches.put_nowait(due[start : start + BATCH])

    def done() -> None:
        if progress:
            progress("send", result.sent + result.failed + result.retry_later, len(due))

    senders = [
        _Sender(engine, settings, first if n == 0 else transports(), now, retry, result, done)
        for n in range(max(1, min(connections, batches.qsize())))
    ]
    await asyncio.gather(*(sender.drain(batches) for sender in senders))
    mark_alerts_sent(engine)
    return result


async def work_queue(
    engine: Engine,
    settings: Settings,
    transports: Callable[[], Transport],
    connections: int = 1,
    retry: RetryPolicy | None = None,
    stop: Callable[[], bool] = lambda: False,
    poll_seconds: float = 30.0,
    once: bool = False,
) -> SendResult:
    """A worker: claim and send due deliveries as they appear, over up to
    ``connections`` transports, until ``stop()`` is true (or, with ``once``,
    until the queue is empty). Any number of workers may share one
    PostgreSQL queue: claims never overlap. A setting that stops every mail
    (:class:`ConfigurationError`) stops the worker, at its first connection
    or later; a server that is down is tried again mail by mail."""
    retry = retry or RetryPolicy()
    result = SendResult()
    probe = transports()
    try:
        await probe.open()
    except ConfigurationError as exc:
        result.stop(exc)
    except SendingStopped:
        pass  # the server may come back: each mail tries again and backs off
    finally:
        await probe.close()
    while not stop() and not result.stopped:
        sent_before = result.sent + result.failed + result.retry_later
        senders = [
            _Sender(engine, settings, transports(), utcnow(), retry, result, lambda: None)
            for _ in range(connections)
        ]
        await asyncio.gather(*(s.work(_claimer(s, retry)) for s in senders))
        mark_alerts_sent(engine)
        if once:
            break
        if result.sent + result.failed + result.retry_later == sent_before:
            await _sleep_unless(stop, poll_seconds)
    return result


def _claimer(sender: _Sender, retry: RetryPolicy) -> Callable[[], list[int]]:
    def next_batch() -> list[int]:
        if sender.result.stopped:
            return []
        sender.now = utcnow()
        sender.today = sender.now.astimezone(sender.settings.zone).date()
        return claim_due(sender.connection, sender.now, BATCH, retry.stale_claim)

    return next_batch


async def _sleep_unless(stop: Callable[[], bool], seconds: float) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not stop() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(min(0.5, seconds))


class _Sender:
    """One connection's worth of sending: claims, composes, sends, records."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        transport: Transport,
        now: datetime,
        retry: RetryPolicy,
        result: SendResult,
        done: Callable[[], None],
    ) -> None:
        self.connection = engine.connect()
        self.outcomes = _Outcomes(self.connection)
        self.settings, self.transport, self.now = settings, transport, now
        self.retry, self.result, self.done = retry, result, done
        self.today = now.astimezone(settings.zone).date()

    async def drain(self, batches: asyncio.Queue[list[int]]) -> None:
        """Send the batches of a queue filled beforehand (one run of ``send``)."""

        def next_batch() -> list[int]:
            while not batches.empty() and not self.result.stopped:
                claimed = claim_many(self.connection, batches.get_nowait(), self.now, self.retry.stale_claim)
                if claimed:
                    return claimed
            return []

        await self.work(next_batch)

    async def work(self, next_batch: Callable[[], list[int]]) -> None:
        """Send what ``next_batch`` claims until it claims nothing."""
        try:
            while claimed := next_batch():
                await self._send_batch(claimed)
        finally:
            await self.transport.close()
            self.connection.close()

    async def _send_batch(self, claimed: list[int]) -> None:
        batch = load_batch(self.connection, claimed)
        for position, delivery_id in enumerate(claimed):
            if self.result.stopped:
                self.outcomes.release(claimed[position:])
                return
            mail = compose_from(batch, delivery_id, self.settings, self.now, self.today)
            # Read after the claim, the row's attempts count this one.
            await self._deliver(delivery_id, mail, batch.deliveries[delivery_id].attempts)
            self.done()

    async def _deliver(self, delivery_id: int, mail: OutgoingMail, attempts: int) -> None:
        for attempt in range(self.retry.retries + 1):
            try:
                await self.transport.send(mail)
            except SendingStopped as exc:
                self.result.stop(exc)
                self.outcomes.release([delivery_id], error=str(exc))
                return
            except PermanentSendError as exc:
                self.outcomes.record(delivery_id, attempts + attempt, DeliveryStatus.FAILED, error=str(exc))
                self.result.failed += 1
                return
            except TransientSendError as exc:
                if attempt < self.retry.retries and attempts + attempt < self.retry.max_attempts:
                    await asyncio.sleep(self.retry.delay(attempt))
                    continue
                self._give_up_for_now(delivery_id, attempts + attempt, str(exc))
                return
            self.outcomes.record(delivery_id, attempts + attempt, DeliveryStatus.SENT, sent_at=utcnow())
            self.result.sent += 1
            return

    def _give_up_for_now(self, delivery_id: int, attempts: int, error: str) -> None:
        if attempts >= self.retry.max_attempts:
            error = f"{error} (gave up after {attempts} attempts)"
            self.outcomes.record(delivery_id, attempts, DeliveryStatus.FAILED, error=error)
            self.result.failed += 1
        else:
            retry_at = self.now + self.retry.later(attempts)
            self.outcomes.record(
                delivery_id, attempts, DeliveryStatus.PENDING, error=error, retry_at=retry_at
            )
            self.result.retry_later += 1


class _Outcomes:
    """Writes delivery outcomes, each in its own commit, with one statement
    prepared once: building an SQLAlchemy UPDATE per mail costs ten times
    the UPDATE itself, and a Session's commit three times a Connection's."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.timestamp = UTCDateTime()
        mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"UPDATE delivery SET status = {mark}, last_error = {mark}, next_attempt_at = {mark}, "
            f"attempts = {mark}, sent_at = COALESCE({mark}, sent_at) WHERE id = {mark}"
        )

    def _time(self, value: datetime | None) -> Any:
        stored = self.timestamp.process_bind_param(value, self.dialect)
        return str(stored) if stored is not None and self.dialect.name == "sqlite" else stored

    def record(
        self,
        delivery_id: int,
        attempts: int,
        status: str,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
        sent_at: datetime | None = None,
    ) -> None:
        error = error and error[:2000]
        parameters = (status, error, self._time(retry_at), attempts, self._time(sent_at), delivery_id)
        self.connection.exec_driver_sql(self.sql, parameters)
        self.connection.commit()

    def release(self, delivery_ids: Sequence[int], error: str | None = None) -> None:
        """Put claimed, unsent deliveries back as pending, their claim's attempt
        uncounted: the run stopped for a reason that is not theirs."""
        if not delivery_ids:
            return
        values: dict[str, Any] = {
            "status": DeliveryStatus.PENDING,
            "claimed_at": None,
            "attempts": Delivery.attempts - 1,
        }
        if error:
            values["last_error"] = error[:2000]
        self.connection.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(list(delivery_ids)), col(Delivery.status) == DeliveryStatus.SENDING)
            .values(**values)
        )
        self.connection.commit()


def mark_alerts_sent(engine: Engine) -> int:
    """Approved alerts whose digest reached at least one contact become
    ``sent``. One statement per run instead of one per mail; a run that
    stopped before it is caught up by the next."""
    delivered = select(col(Delivery.digest_id)).where(col(Delivery.status) == DeliveryStatus.SENT)
    with Session(engine) as session:
        statement = (
            update(Alert)
            .where(col(Alert.status) == AlertStatus.APPROVED, col(Alert.digest_id).in_(delivered))
            .values(status=AlertStatus.SENT, updated_at=utcnow())
        )
        changed = session.exec(statement).rowcount
        session.commit()
    return int(changed or 0)


def mail_domain(sender: str) -> str:
    """The domain of the From address, for Message-IDs."""
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "barrierwatch.localhost"
