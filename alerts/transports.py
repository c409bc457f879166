"""Transports: how a mail leaves, SMTP (aiosmtplib) or the Maildir outbox.

Each transport sends one message to one recipient and says how a failure
should be treated: :class:`TransientSendError` (try this mail again later),
:class:`PermanentSendError` (record it on this mail and go on) or
:class:`SendingStopped` (every mail would fail the same way: stop the run and
leave the mails waiting). A wrong password, a certificate that cannot be
verified, a server without the STARTTLS that ``BW_SMTP_SECURITY`` asks for
and an outbox that cannot be written (a full disk) stop the run; the first
two are :class:`ConfigurationError`, whose message names the setting.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import socket
import ssl
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import aiosmtplib

from alerts.mail import OutgoingMail
from config import Settings


class TransientSendError(Exception):
    """Worth trying again later (4xx, lost connection, timeout)."""


class PermanentSendError(Exception):
    """Will not succeed as it is (5xx: unknown mailbox, rejected sender)."""


class SendingStopped(Exception):
    """No mail can leave until someone acts (the server is down, the disk is
    full): the run stops and its mails stay waiting, their attempt uncounted."""


class ConfigurationError(SendingStopped):
    """A setting is wrong (the message names it): the SMTP login, TLS or
    STARTTLS failed, or mail links would point at a private address."""


class Transport(Protocol):
    """Sends one mail to its recipient; raises TransientSendError,
    PermanentSendError or SendingStopped. ``open`` connects (or checks the
    outbox) before the first mail and raises SendingStopped when nothing
    could be sent."""

    async def open(self) -> None: ...

    async def send(self, mail: OutgoingMail) -> None: ...

    async def close(self) -> None: ...


class MaildirOutbox:
    """Writes each message as a file into a Maildir (``new/``), atomically.

    The file is named after the Message-ID, so writing the same message
    twice leaves one file: the outbox is idempotent.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ready = False

    async def open(self) -> None:
        try:
            for sub in ("tmp", "new", "cur"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._stopped(exc) from exc
        self.ready = True

    def _stopped(self, exc: OSError) -> SendingStopped:
        return SendingStopped(
            f"the outbox BW_OUTBOX={self.root} cannot be written ({exc.strerror or exc}); "
            "the mails not written stay waiting for the next run"
        )

    def path_for(self, mail: OutgoingMail) -> Path:
        digest = hashlib.sha256(mail.message_id.encode()).hexdigest()[:24]
        return self.root / "new" / f"{digest}.{socket.gethostname()}.eml"

    async def send(self, mail: OutgoingMail) -> None:
        if not self.ready:
            await self.open()
        final = self.path_for(mail)
        if final.exists() or (self.root / "cur" / final.name).exists():
            return
        temporary = self.root / "tmp" / f"{final.name}.{os.getpid()}"
        try:
            temporary.write_bytes(mail.data)
            os.replace(temporary, final)
        except OSError as exc:  # a full disk, a folder made read-only
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise self._stopped(exc) from exc

    async def close(self) -> None:
        return None


class SmtpTransport:
    """Sends through an SMTP server with aiosmtplib, reusing one connection.

    ``open`` makes the first connection: when it fails, the run stops
    (:class:`SendingStopped`, or :class:`ConfigurationError` naming the
    setting) rather than trying again for every mail. A connection lost
    later is a :class:`TransientSendError` of the mail in hand; a failed
    login or TLS check is a :class:`ConfigurationError` whenever it comes.
    """

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None

    async def open(self) -> None:
        try:
            await self._connected()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self.client = None
            raise _configuration_error(exc, self.settings) or SendingStopped(
                f"could not connect to the SMTP server BW_SMTP_HOST={self.settings.smtp_host} "
                f"BW_SMTP_PORT={self.settings.smtp_port}: {exc}"
            ) from exc

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
            validate_certs=s.smtp_verify,
            cert_bundle=str(s.smtp_ca_file) if s.smtp_ca_file else None,
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
            raise _configuration_error(exc, self.settings) or _classified(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self.client = None
            configuration = _configuration_error(exc, self.settings)
            if configuration:
                raise configuration from exc
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except aiosmtplib.SMTPException:
                self.client.close()


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _configuration_error(exc: BaseException, settings: Settings) -> ConfigurationError | None:
    """The setting to blame for ``exc``, as a :class:`ConfigurationError`;
    None when the failure is not one a setting causes."""
    server = f"the SMTP server BW_SMTP_HOST={settings.smtp_host} (port {settings.smtp_port})"
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return ConfigurationError(
                f"the certificate of {server} could not be verified ({cause.verify_message}): set "
                "BW_SMTP_CA_FILE to the certificate of the authority that signed it (or, only for "
                "a test server, BW_SMTP_VERIFY=false)"
            )
        if isinstance(cause, ssl.SSLError):
            return ConfigurationError(
                f"TLS with {server} failed ({cause.reason or cause}): check BW_SMTP_SECURITY "
                "(tls: implicit TLS, usually port 465; starttls: usually port 587) and BW_SMTP_PORT"
            )
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return ConfigurationError(
            f"{server} refused the login as BW_SMTP_USERNAME={settings.smtp_username!r} "
            f"({exc.code} {exc.message}): check BW_SMTP_USERNAME and BW_SMTP_PASSWORD"
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code == 530:
        return ConfigurationError(
            f"{server} requires a login or TLS first ({exc.code} {exc.message}): set BW_SMTP_USERNAME "
            "and BW_SMTP_PASSWORD, and BW_SMTP_SECURITY=starttls or tls"
        )
    # aiosmtplib says so only in its message: these are raised before anything is sent.
    message = str(exc)
    if type(exc) is aiosmtplib.SMTPException and "STARTTLS extension not supported" in message:
        return ConfigurationError(
            f"{server} does not offer STARTTLS, which BW_SMTP_SECURITY=starttls requires: "
            "use the server's submission port, or BW_SMTP_SECURITY=tls for implicit TLS"
        )
    if type(exc) is aiosmtplib.SMTPException and "AUTH extension not supported" in message:
        return ConfigurationError(
            f"{server} offers no login (AUTH) although BW_SMTP_USERNAME is set: servers often offer "
            "it only over TLS (BW_SMTP_SECURITY=starttls or tls); or unset BW_SMTP_USERNAME"
        )
    return None


def _classified(code: int, text: str) -> Exception:
    if 400 <= code < 500:
        return TransientSendError(f"{code} {text}")
    return PermanentSendError(f"{code} {text}")


def link_base_problem(settings: Settings) -> ConfigurationError | None:
    """Why mail links must not be sent as configured, or None.

    Mail through a real (non-loopback) SMTP host reaches real inboxes, whose
    unsubscribe and preference links must work there and, for one-click
    unsubscribe (RFC 8058), be https: a ``BW_BASE_URL`` on loopback or on
    plain http is refused unless ``BW_ALLOW_INSECURE_LINKS`` says otherwise.
    """
    if not settings.smtp_host or _is_loopback(settings.smtp_host) or settings.allow_insecure_links:
        return None
    parts = urlsplit(settings.base_url)
    if parts.scheme == "https" and not _is_loopback(parts.hostname or ""):
        return None
    where = "on loopback" if _is_loopback(parts.hostname or "") else "not https"
    return ConfigurationError(
        f"BW_BASE_URL={settings.base_url} is {where}, but mail goes to real inboxes through "
        f"BW_SMTP_HOST={settings.smtp_host}: their unsubscribe and preference links would not work "
        "(RFC 8058 wants https). Set BW_BASE_URL to the public https "
        "address of the web app, or BW_ALLOW_INSECURE_LINKS=true (send --allow-insecure-links) for a test"
    )


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def transport_for(settings: Settings) -> Transport:
    """SMTP when a host is configured, else the Maildir outbox."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    return MaildirOutbox(settings.outbox)
