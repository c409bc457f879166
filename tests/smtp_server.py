"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Sink:
    """Accepts mail; refuses recipients in ``refuse`` (5xx) and ``defer`` (4xx)."""

    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    drop_once: set[str] = field(default_factory=set)  # hang up instead of answering DATA, once
    delay: float = 0.0  # seconds the server takes to accept each mail (a busy relay)
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.defer:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        dropped = self.drop_once.intersection(envelope.rcpt_tos)
        if dropped:
            self.drop_once -= dropped
            server.transport.close()  # the connection dies before the server accepts the mail
            return "421 closing"
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)

        assert isinstance(message, EmailMessage)
        self.received.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(sink: Sink) -> Iterator[int]:
    """Run ``sink`` behind a real SMTP server; yields its port."""
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
