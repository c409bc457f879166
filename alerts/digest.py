"""Digests: approved alerts gathered into mails, one per enterprise per period.

- a critical alert leaves at once, in a mail of its own (kind ``critical``);
- other alerts wait for the enterprise's period: the ISO week (``weekly``,
  the default) or the day (``daily``), in the bureau's time zone.

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

from store.models import Alert, AlertStatus, Contact, Delivery, DeliveryStatus, Digest, Enterprise, Severity

KINDS = ("critical", "daily", "weekly")


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


def period_of(kind: str, alert: Alert, now: datetime, zone: ZoneInfo) -> str:
    if kind == "critical":
        return f"critical-{alert.id}"
    if kind == "daily":
        return now.astimezone(zone).date().isoformat()
    return weekly_period(now, zone)


def message_id(digest: Digest, email: str, domain: str) -> str:
    """A Message-ID that stays the same for this digest and recipient, so a
    receiver can drop a copy sent twice after a crash."""
    token = hashlib.sha256(f"{digest.id}:{digest.period}:{email}".encode()).hexdigest()[:20]
    return f"<digest.{digest.id}.{token}@{domain}>"


def build_digests(
    session: Session, now: datetime, zone: ZoneInfo, mail_domain: str, kinds: tuple[str, ...] = KINDS
) -> DigestResult:
    """Put approved, undigested alerts of the given kinds into digests,
    with one delivery per subscribed contact."""
    enterprises = {e.id: e for e in session.exec(select(Enterprise))}
    waiting: dict[tuple[int, str, str], list[Alert]] = defaultdict(list)
    for alert in session.exec(
        select(Alert).where(Alert.status == AlertStatus.APPROVED, col(Alert.digest_id).is_(None))
    ):
        enterprise = enterprises[alert.enterprise_id]
        kind = "critical" if alert.severity == Severity.CRITICAL else enterprise.frequency
        if kind in kinds:
            waiting[(alert.enterprise_id, kind, period_of(kind, alert, now, zone))].append(alert)
    result = DigestResult()
    for (enterprise_id, kind, period), alerts in sorted(waiting.items()):
        contacts = _subscribed(session, enterprises[enterprise_id])
        if not contacts:
            result.without_contact += 1
            continue
        digest = _open_digest(session, enterprise_id, kind, period, result)
        if digest is None:
            continue
        for alert in alerts:
            alert.digest_id = digest.id
            session.add(alert)
        result.alerts += len(alerts)
        _add_deliveries(session, digest, contacts, mail_domain, result)
    return result


def _subscribed(session: Session, enterprise: Enterprise) -> list[str]:
    if not enterprise.active:
        return []
    contacts = session.exec(
        select(Contact).where(Contact.enterprise_id == enterprise.id, col(Contact.unsubscribed_at).is_(None))
    )
    return [c.email for c in contacts]


def _open_digest(
    session: Session, enterprise_id: int, kind: str, period: str, result: DigestResult
) -> Digest | None:
    """This period's digest, or None when it has already gone out."""
    digest = session.exec(
        select(Digest).where(Digest.enterprise_id == enterprise_id, Digest.period == period)
    ).first()
    if digest is None:
        digest = Digest(enterprise_id=enterprise_id, period=period, kind=kind)
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
