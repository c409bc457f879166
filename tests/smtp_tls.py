"""A real SMTP server (aiosmtpd) on 127.0.0.1 that asks for STARTTLS and a
login, with a certificate of a private CA made for the test."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.smtp_server import Sink, free_port

USERNAME, PASSWORD = "barrierwatch", "relay-password"
LOOPBACK = ipaddress.ip_address("127.0.0.1")


@dataclass
class PrivateCA:
    """A certificate authority and a certificate for 127.0.0.1 it signed, as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_private_ca(folder: Path) -> PrivateCA:
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Bureau test CA"))
        .issuer_name(_name("Bureau test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOOPBACK)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    found = PrivateCA(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    found.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    found.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    found.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return found


@dataclass
class Counters:
    connections: int = 0
    logins: list[str] = field(default_factory=list)  # "ok" or "refused", one per AUTH


class _CountingController(Controller):
    def __init__(self, *args, counters: Counters, **kwargs):
        super().__init__(*args, **kwargs)
        self.counters = counters

    def factory(self):
        self.counters.connections += 1
        return super().factory()


@contextmanager
def relay(
    sink: Sink, ca: PrivateCA, *, starttls: bool = True, password: str = PASSWORD
) -> Iterator[tuple[int, Counters]]:
    """The bureau's relay: STARTTLS with ``ca``'s certificate (unless
    ``starttls`` is false: then it offers neither TLS nor login) and AUTH
    required. Yields its port and what it counted (connections made by
    clients, not by the server's own start-up check)."""
    counters = Counters()

    def authenticate(_server, _session, _envelope, _mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USERNAME.encode(),
            password.encode(),
        )
        counters.logins.append("ok" if ok else "refused")
        return AuthResult(success=ok, handled=False)

    options = (
        {
            "tls_context": ca.server_context(),
            "require_starttls": True,
            "auth_required": True,
            "authenticator": authenticate,
        }
        if starttls
        else {}
    )
    controller = _CountingController(
        sink, hostname="127.0.0.1", port=free_port(), counters=counters, **options
    )
    controller.start()
    counters.connections = 0  # the controller's own check that the server is up
    try:
        yield controller.port, counters
    finally:
        controller.stop()
