"""Transports: how a mail leaves, SMTP (aiosmtplib) or the Maildir outbox.

Each transport sends one message to one recipient and says how a failure
should be treated: :class:`TransientSendError` (try again later) or
:class:`PermanentSendError` (record it and stop).
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path
from typing import Protocol

import aiosmtplib

from alerts.mail import OutgoingMail
from config import Settings


class TransientSendError(Exception):
    """Worth trying again later (4xx, lost connection, timeout)."""


class PermanentSendError(Exception):
    """Will not succeed as it is (5xx: unknown mailbox, rejected sender)."""


class Transport(Protocol):
    """Sends one mail to its recipient; raises TransientSendError or PermanentSendError."""

    async def send(self, mail: OutgoingMail) -> None: ...

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

    def path_for(self, mail: OutgoingMail) -> Path:
        digest = hashlib.sha256(mail.message_id.encode()).hexdigest()[:24]
        return self.root / "new" / f"{digest}.{socket.gethostname()}.eml"

    async def send(self, mail: OutgoingMail) -> None:
        final = self.path_for(mail)
        if final.exists() or (self.root / "cur" / final.name).exists():
            return
        temporary = self.root / "tmp" / f"{final.name}.{os.getpid()}"
        temporary.write_bytes(mail.data)
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

    async def send(self, mail: OutgoingMail) -> None:
        options = ["SMTPUTF8"] if mail.needs_smtputf8 else []
        try:
            client = await self._connected()
            await client.sendmail(mail.sender, [mail.recipient], mail.data, mail_options=options)
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
