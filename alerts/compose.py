"""Composing delivery mails: each contact's own copy, with its own links.

Mails are composed in batches: the digests, enterprises, alerts, notices,
tags and contacts of a batch of deliveries are read in six queries, not
six per mail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import Message
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from alerts.emails import alerts_context, build_message, digest_items_from, render_mail, template_kind
from alerts.tokens import make_token
from config import Settings
from store.models import Alert, Contact, Delivery, Digest, Enterprise, Notice, Tag


@dataclass
class MailBatch:
    """Everything needed to compose the mails of some deliveries."""

    deliveries: dict[int, Delivery]
    digests: dict[int, Digest]
    enterprises: dict[int, Enterprise]
    alerts: dict[int, list[Alert]]  # by digest
    notices: dict[int, Notice]
    tags: dict[int, Tag]
    contacts: dict[tuple[int, str], int]  # (enterprise, email) -> contact id


def load_batch(session: Session, delivery_ids: Sequence[int]) -> MailBatch:
    def by_id(rows: Iterable[Any]) -> dict[int, Any]:
        return {row.id: row for row in rows if row.id is not None}

    deliveries = by_id(session.exec(select(Delivery).where(col(Delivery.id).in_(delivery_ids))))
    digest_ids = {d.digest_id for d in deliveries.values()}
    digests = by_id(session.exec(select(Digest).where(col(Digest.id).in_(digest_ids))))
    enterprise_ids = {d.enterprise_id for d in digests.values()}
    enterprises = by_id(session.exec(select(Enterprise).where(col(Enterprise.id).in_(enterprise_ids))))
    alerts: dict[int, list[Alert]] = defaultdict(list)
    for alert in session.exec(
        select(Alert).where(col(Alert.digest_id).in_(digest_ids)).order_by(col(Alert.id))
    ):
        assert alert.digest_id is not None
        alerts[alert.digest_id].append(alert)
    every_alert = [a for group in alerts.values() for a in group]
    notice_ids = {a.notice_id for a in every_alert}
    # A notice's text can be long and mails never show it: leave it in the database.
    without_text = defer(Notice.text)  # type: ignore[arg-type]
    notices = by_id(session.exec(select(Notice).options(without_text).where(col(Notice.id).in_(notice_ids))))

    tag_ids = {i for a in every_alert for i in a.evidence.get("tag_ids", [])}
    tags = by_id(session.exec(select(Tag).where(col(Tag.id).in_(tag_ids)))) if tag_ids else {}
    contacts = {
        (c.enterprise_id, c.email): c.id
        for c in session.exec(select(Contact).where(col(Contact.enterprise_id).in_(enterprise_ids)))
        if c.id is not None
    }
    return MailBatch(deliveries, digests, enterprises, alerts, notices, tags, contacts)


def contact_links(settings: Settings, contact_id: int) -> dict[str, str]:
    """Signed unsubscribe and preferences links of a contact."""
    key, base = settings.signing_key(), settings.base_url.rstrip("/")
    return {
        "unsubscribe_url": f"{base}/u/{make_token(key, contact_id, 'unsubscribe')}",
        "preferences_url": f"{base}/p/{make_token(key, contact_id, 'preferences')}",
    }


def compose_from(
    batch: MailBatch, delivery_id: int, settings: Settings, now: datetime, today: date
) -> Message:
    """The mail of one delivery of ``batch``, rendered now."""
    delivery = batch.deliveries[delivery_id]
    digest = batch.digests[delivery.digest_id]
    enterprise = batch.enterprises[digest.enterprise_id]
    alerts = batch.alerts.get(delivery.digest_id, [])
    items = digest_items_from(alerts, batch.notices, batch.tags, enterprise.language, today)
    links = contact_links(settings, batch.contacts.get((digest.enterprise_id, delivery.email), 0))
    context = {**alerts_context(items, enterprise, digest.kind, digest.period), **links}
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


def compose(session: Session, delivery: Delivery, settings: Settings, now: datetime, today: date) -> Message:
    """The mail of one delivery, rendered now, with its personal links."""
    assert delivery.id is not None
    return compose_from(load_batch(session, [delivery.id]), delivery.id, settings, now, today)
