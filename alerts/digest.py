"""Digests: approved alerts gathered into one mail per enterprise per period.

A digest never exists empty: it is made only for an enterprise with
approved alerts not yet in any digest. Alerts approved after a period's
digest went out wait for the next period.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from store.models import Alert, AlertStatus, Contact, Delivery, DeliveryStatus, Digest, Enterprise


@dataclass
class DigestResult:
    digests: int = 0
    deliveries: int = 0
    alerts: int = 0
    without_contact: int = 0


def weekly_period(now: datetime, zone: ZoneInfo) -> str:
    """The ISO week ``now`` falls in, in the bureau's time zone: ``2026-W48``."""
    year, week, _ = now.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def message_id(digest: Digest, email: str, domain: str) -> str:
    """A Message-ID that stays the same for this digest and recipient, so a
    receiver can drop a copy sent twice after a crash."""
    token = hashlib.sha256(f"{digest.id}:{digest.period}:{email}".encode()).hexdigest()[:20]
    return f"<digest.{digest.id}.{token}@{domain}>"


def build_digests(session: Session, now: datetime, zone: ZoneInfo, mail_domain: str) -> DigestResult:
    """Put approved, undigested alerts into this period's digest of their
    enterprise, with one delivery per subscribed contact."""
    period = weekly_period(now, zone)
    waiting: dict[int, list[Alert]] = defaultdict(list)
    for alert in session.exec(
        select(Alert).where(Alert.status == AlertStatus.APPROVED, col(Alert.digest_id).is_(None))
    ):
        waiting[alert.enterprise_id].append(alert)
    result = DigestResult()
    for enterprise_id, alerts in sorted(waiting.items()):
        contacts = _subscribed(session, enterprise_id)
        if not contacts:
            result.without_contact += 1
            continue
        digest = _open_digest(session, enterprise_id, period, result)
        if digest is None:
            continue
        for alert in alerts:
            alert.digest_id = digest.id
            session.add(alert)
        result.alerts += len(alerts)
        _add_deliveries(session, digest, contacts, mail_domain, result)
    return result


def _subscribed(session: Session, enterprise_id: int) -> list[str]:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or not enterprise.active:
        return []
    contacts = session.exec(
        select(Contact).where(Contact.enterprise_id == enterprise_id, col(Contact.unsubscribed_at).is_(None))
    )
    return [c.email for c in contacts]


def _open_digest(session: Session, enterprise_id: int, period: str, result: DigestResult) -> Digest | None:
    """This period's digest, or None when it has already gone out."""
    digest = session.exec(
        select(Digest).where(Digest.enterprise_id == enterprise_id, Digest.period == period)
    ).first()
    if digest is None:
        digest = Digest(enterprise_id=enterprise_id, period=period)
        session.add(digest)
        session.flush()
        result.digests += 1
        return digest
    started = session.exec(
        select(Delivery).where(Delivery.digest_id == digest.id, Delivery.status != DeliveryStatus.PENDING)
    ).first()
    return None if started else digest


def _add_deliveries(
    session: Session, digest: Digest, emails: list[str], domain: str, result: DigestResult
) -> None:
    assert digest.id is not None
    known = {d.email for d in session.exec(select(Delivery).where(Delivery.digest_id == digest.id))}
    for email in emails:
        if email not in known:
            session.add(
                Delivery(digest_id=digest.id, email=email, message_id=message_id(digest, email, domain))
            )
            result.deliveries += 1
