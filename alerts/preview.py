"""What an enterprise's next digest would look like, rendered now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from alerts.compose import contact_links
from alerts.digest import weekly_period
from alerts.emails import alerts_context, digest_items, render_mail
from config import Settings
from store.models import Alert, AlertStatus, Contact, Delivery, DeliveryStatus, Enterprise


def find_enterprise(session: Session, name_or_id: str) -> Enterprise | None:
    """An enterprise by id, Chinese name or English name."""
    if name_or_id.isdigit():
        return session.get(Enterprise, int(name_or_id))
    return session.exec(
        select(Enterprise).where(or_(Enterprise.name == name_or_id, Enterprise.name_en == name_or_id))
    ).first()


def waiting_alerts(session: Session, enterprise_id: int) -> list[Alert]:
    """Approved alerts of an enterprise that no mail has carried yet."""
    sent_digests = select(Delivery.digest_id).where(Delivery.status == DeliveryStatus.SENT)
    return list(
        session.exec(
            select(Alert)
            .where(Alert.enterprise_id == enterprise_id, Alert.status == AlertStatus.APPROVED)
            .where(or_(col(Alert.digest_id).is_(None), col(Alert.digest_id).not_in(sent_digests)))
            .order_by(col(Alert.id))
        ).all()
    )


@dataclass
class DigestPreview:
    period: str
    recipient: str | None  # the first subscribed contact, whose links the preview carries
    subject: str
    text: str
    html: str
    alerts: int


def preview_digest(
    session: Session, settings: Settings, enterprise: Enterprise, now: datetime
) -> DigestPreview | None:
    """The digest the enterprise would get next from its approved alerts not
    yet sent, rendered by the mail code itself and stored nowhere; None when
    no approved alert waits (an empty digest is never sent)."""
    assert enterprise.id is not None
    alerts = waiting_alerts(session, enterprise.id)
    if not alerts:
        return None
    today = now.astimezone(settings.zone).date()
    period = today.isoformat() if enterprise.frequency == "daily" else weekly_period(now, settings.zone)
    items = digest_items(session, alerts, enterprise.language, today)
    context = alerts_context(items, enterprise, enterprise.frequency, period)
    contact = session.exec(
        select(Contact)
        .where(Contact.enterprise_id == enterprise.id, col(Contact.unsubscribed_at).is_(None))
        .order_by(col(Contact.id))
    ).first()
    links = (
        contact_links(settings, contact.id or 0, contact.link_secret)
        if contact
        else contact_links(settings, 0, "")
    )
    subject, text, html = render_mail(
        settings.templates_dir, "digest", enterprise.language, {**context, **links}
    )
    return DigestPreview(period, contact.email if contact else None, subject, text, html, len(alerts))
