"""Delivery: digests leave through one transport, SMTP or the Maildir outbox.

The Delivery row is the queue. A sender claims a row with a conditional
UPDATE (pending -> sending); only the process whose UPDATE changed the row
sends it, so a second sender or a rerun never sends it again. A claim left
``sending`` by a crashed process is taken over after ``STALE_CLAIM``.

The one unavoidable window: a crash after the SMTP server accepted a mail
(250) and before the row is marked sent. The takeover then sends the mail
again with the same Message-ID, by which a receiver can drop the copy.
The Maildir outbox has no such window: its file name is derived from the
Message-ID, so a second write finds the file already there.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from alerts.emails import build_message, digest_context, render_mail, template_kind
from alerts.tokens import make_token
from config import Settings
from store.models import Alert, AlertStatus, Contact, Delivery, DeliveryStatus, Digest, Enterprise
from store.types import utcnow

STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 5


class TransientSendError(Exception):
    """Worth trying again later (4xx, lost connection, timeout)."""


class PermanentSendError(Exception):
    """Will not succeed as it is (5xx: unknown mailbox, rejected sender)."""


class Transport(Protocol):
    """Sends one message to one recipient; raises TransientSendError or PermanentSendError."""

    async def send(self, message: EmailMessage, recipient: str) -> None: ...

    async def close(self) -> None: ...


class MaildirOutbox:
    """Writes each message as a file into a Maildir (``new/``), atomically.

    The file is named after the Message-ID, so writing the same message
    twice leaves one file: the outbox is idempotent.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("tmp", "new", "cur"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def path_for(self, message: EmailMessage) -> Path:
        digest = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:24]
        return self.root / "new" / f"{digest}.{socket.gethostname()}.eml"

    async def send(self, message: EmailMessage, recipient: str) -> None:
        final = self.path_for(message)
        if final.exists() or (self.root / "cur" / final.name).exists():
            return
        temporary = self.root / "tmp" / f"{final.name}.{os.getpid()}"
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, final)

    async def close(self) -> None:
        return None


class SmtpTransport:
    """Sends through an SMTP server with aiosmtplib, reusing one connection."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self.client is not None and self.client.is_connected:
            return self.client
        s = self.settings
        self.client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            username=s.smtp_username,
            password=s.smtp_password,
        )
        await self.client.connect()
        return self.client

    async def send(self, message: EmailMessage, recipient: str) -> None:
        try:
            client = await self._connected()
            await client.send_message(message, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _classified(exc.recipients[0].code if exc.recipients else 550, str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _classified(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self.client = None
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except aiosmtplib.SMTPException:
                self.client.close()


def _classified(code: int, text: str) -> Exception:
    if 400 <= code < 500:
        return TransientSendError(f"{code} {text}")
    return PermanentSendError(f"{code} {text}")


def transport_for(settings: Settings) -> Transport:
    """SMTP when a host is configured, else the Maildir outbox."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    return MaildirOutbox(settings.outbox)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0


def claim(session: Session, delivery_id: int, now: datetime) -> bool:
    """Take a delivery for sending; False when another sender has it or it is done."""
    statement = (
        update(Delivery)
        .where(col(Delivery.id) == delivery_id)
        .where(_due(now))
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
    )

    claimed = session.exec(statement).rowcount == 1
    session.commit()
    return claimed


def _due(now: datetime) -> Any:
    """Deliveries a sender may take now: pending and past their backoff, or
    claimed by a sender that has not finished within ``STALE_CLAIM``."""
    return or_(
        (col(Delivery.status) == DeliveryStatus.PENDING)
        & or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
        (col(Delivery.status) == DeliveryStatus.SENDING) & (col(Delivery.claimed_at) < now - STALE_CLAIM),
    )


def sendable_ids(session: Session, now: datetime) -> list[int]:
    rows = session.exec(select(Delivery.id).where(_due(now)).order_by(col(Delivery.id))).all()
    return [r for r in rows if r is not None]


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
) -> SendResult:
    """Send every due delivery over up to ``connections`` transports at
    once; record each outcome on its row."""
    retry = retry or RetryPolicy()
    result = SendResult()
    with Session(engine) as session:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for delivery_id in sendable_ids(session, now):
            queue.put_nowait(delivery_id)
    workers = [
        _Sender(engine, settings, transports(), now, retry, result)
        for _ in range(max(1, min(connections, queue.qsize())))
    ]
    await asyncio.gather(*(worker.drain(queue) for worker in workers))
    return result


class _Sender:
    """One connection's worth of sending: claims, renders, sends, records."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        transport: Transport,
        now: datetime,
        retry: RetryPolicy,
        result: SendResult,
    ) -> None:
        self.session = Session(engine, expire_on_commit=False)
        self.settings, self.transport, self.now, self.retry, self.result = (
            settings,
            transport,
            now,
            retry,
            result,
        )
        self.today = now.astimezone(settings.zone).date()

    async def drain(self, queue: asyncio.Queue[int]) -> None:
        try:
            while not queue.empty():
                delivery_id = queue.get_nowait()
                if claim(self.session, delivery_id, self.now):
                    await self._deliver(delivery_id)
        finally:
            await self.transport.close()
            self.session.close()

    async def _deliver(self, delivery_id: int) -> None:
        delivery = self.session.get(Delivery, delivery_id)
        assert delivery is not None
        message = compose(self.session, delivery, self.settings, self.now, self.today)
        for attempt in range(self.retry.retries + 1):
            try:
                await self.transport.send(message, delivery.email)
            except PermanentSendError as exc:
                _record_failure(self.session, delivery, str(exc), None)
                self.result.failed += 1
                return
            except TransientSendError as exc:
                error = str(exc)
                if attempt < self.retry.retries and delivery.attempts + attempt < self.retry.max_attempts:
                    await asyncio.sleep(self.retry.delay(attempt))
                    continue
                self._give_up_for_now(delivery, error, attempt)
                return
            delivery.attempts += attempt
            _record_sent(self.session, delivery, utcnow())
            self.result.sent += 1
            return

    def _give_up_for_now(self, delivery: Delivery, error: str, attempt: int) -> None:
        delivery.attempts += attempt
        if delivery.attempts >= self.retry.max_attempts:
            _record_failure(
                self.session, delivery, f"{error} (gave up after {delivery.attempts} attempts)", None
            )
            self.result.failed += 1
        else:
            _record_failure(self.session, delivery, error, self.now + self.retry.later(delivery.attempts))
            self.result.retry_later += 1


def compose(
    session: Session, delivery: Delivery, settings: Settings, now: datetime, today: date
) -> EmailMessage:
    """The mail of one delivery, rendered now, with its personal links."""
    digest = session.get(Digest, delivery.digest_id)
    assert digest is not None
    enterprise = session.get(Enterprise, digest.enterprise_id)
    assert enterprise is not None
    links = contact_links(session, settings, enterprise.id, delivery.email)
    context = {**digest_context(session, digest, enterprise, today), **links}
    subject, text, html = render_mail(
        settings.templates_dir, template_kind(digest.kind), enterprise.language, context
    )
    message = build_message(
        subject=subject,
        text=text,
        html=html,
        sender=settings.mail_from,
        recipient=delivery.email,
        message_id=delivery.message_id,
        sent_at=now,
    )
    # RFC 8058 one-click unsubscribe: mail clients POST to the link themselves.
    message["List-Unsubscribe"] = f"<{links['unsubscribe_url']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def contact_links(
    session: Session, settings: Settings, enterprise_id: int | None, email: str
) -> dict[str, str]:
    """Signed unsubscribe and preferences links of a contact."""
    contact = session.exec(
        select(Contact).where(Contact.enterprise_id == enterprise_id, Contact.email == email)
    ).first()
    contact_id = contact.id if contact and contact.id is not None else 0
    key, base = settings.signing_key(), settings.base_url.rstrip("/")
    return {
        "unsubscribe_url": f"{base}/u/{make_token(key, contact_id, 'unsubscribe')}",
        "preferences_url": f"{base}/p/{make_token(key, contact_id, 'preferences')}",
    }


def _record_failure(session: Session, delivery: Delivery, error: str, retry_at: datetime | None) -> None:
    """Failed for good when ``retry_at`` is None, else pending until then."""
    delivery.status = DeliveryStatus.FAILED if retry_at is None else DeliveryStatus.PENDING
    delivery.next_attempt_at = retry_at
    delivery.last_error = error[:2000]
    session.add(delivery)
    session.commit()


def _record_sent(session: Session, delivery: Delivery, at: datetime) -> None:
    delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, at, None
    session.add(delivery)
    for alert in session.exec(select(Alert).where(Alert.digest_id == delivery.digest_id)):
        if alert.status == AlertStatus.APPROVED:
            alert.status = AlertStatus.SENT
            session.add(alert)
    session.commit()


def mail_domain(sender: str) -> str:
    """The domain of the From address, for Message-IDs."""
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "barrierwatch.localhost"
