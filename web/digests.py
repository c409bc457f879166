"""The digest an enterprise would get now, rendered by the mail code itself
but never stored: the preview's rows live in a transaction that is rolled back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from alerts.deliver import contact_links
from alerts.digest import weekly_period
from alerts.emails import digest_context, render_digest
from config import Settings
from store.models import Alert, AlertStatus, Contact, Digest, Enterprise


@dataclass
class DigestPreview:
    period: str
    recipient: str | None
    subject: str
    text: str
    html: str
    alerts: int


def preview_digest(
    session: Session, *, enterprise: Enterprise, settings: Settings, now: datetime
) -> DigestPreview | None:
    """The mail that the next send would make for ``enterprise`` from its
    approved, undigested alerts; None when there are none (a digest is
    never empty). The session is rolled back before returning."""
    waiting = list(
        session.exec(
            select(Alert).where(
                Alert.enterprise_id == enterprise.id,
                Alert.status == AlertStatus.APPROVED,
                col(Alert.digest_id).is_(None),
            )
        )
    )
    if not waiting:
        return None
    period = weekly_period(now, settings.zone)
    try:
        return _render(session, enterprise, waiting, period, settings, now)
    finally:
        session.rollback()


def _render(
    session: Session,
    enterprise: Enterprise,
    alerts: list[Alert],
    period: str,
    settings: Settings,
    now: datetime,
) -> DigestPreview:
    assert enterprise.id is not None
    # A unique period name so the throw-away row never collides with this week's real digest.
    digest = Digest(enterprise_id=enterprise.id, period=f"preview-{now.timestamp():.0f}")
    session.add(digest)
    session.flush()
    for alert in alerts:
        alert.digest_id = digest.id
        session.add(alert)
    session.flush()
    today = now.astimezone(settings.zone).date()
    recipient = _first_subscribed(session, enterprise.id)
    links = contact_links(session, settings, enterprise.id, recipient or "")
    context = {**digest_context(session, digest, enterprise, today), **links, "period": period}
    subject, text, html = render_digest(settings.templates_dir, enterprise.language, context)
    return DigestPreview(period, recipient, subject, text, html, len(alerts))


def _first_subscribed(session: Session, enterprise_id: int) -> str | None:
    contact = session.exec(
        select(Contact)
        .where(Contact.enterprise_id == enterprise_id, col(Contact.unsubscribed_at).is_(None))
        .order_by(col(Contact.id))
    ).first()
    return contact.email if contact else None
