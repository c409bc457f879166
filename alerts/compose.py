"""Composing delivery mails: each contact's own copy, with its own links.

Mails are composed in batches: the deliveries, digests, enterprises,
alerts, notices, tags and contacts of a batch are read in seven queries,
not seven per mail (two more when a digest carries deadline reminders: the
reminders and the alerts they recall). Alerts are read without their
internal note: it can never reach a mail. They are read as rows of the columns a mail shows,
not as ORM objects: building objects cost the send loop more than the
queries themselves.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from alerts.emails import Windows, alerts_context, digest_items_from, render_mail, template_kind
from alerts.mail import OutgoingMail, encode_mail
from alerts.tokens import make_token
from config import Settings
from store.models import Alert, AlertReminder, Contact, Delivery, Digest, Enterprise, Notice, Tag


@dataclass
class MailBatch:
    """Everything needed to compose the mails of some deliveries, as rows
    with the columns' names as attributes."""

    deliveries: dict[int, Any]  # id, digest_id, email, message_id, attempts
    digests: dict[int, Any]  # id, enterprise_id, kind, period
    enterprises: dict[int, Any]  # id, name, name_en, language, frequency
    alerts: dict[int, list[Any]]  # by digest: the fields of alerts.emails.AlertFields
    notices: dict[int, Any]  # the fields of alerts.emails.NoticeFields
    tag_codes: dict[int, str]
    contacts: dict[tuple[int, str], tuple[int, str]]  # (enterprise, email) -> (contact id, link secret)
    reminders: dict[int, list[Any]] = field(default_factory=dict)  # by digest: alerts sent before


_DELIVERY = (Delivery.id, Delivery.digest_id, Delivery.email, Delivery.message_id, Delivery.attempts)
_DIGEST = (Digest.id, Digest.enterprise_id, Digest.kind, Digest.period)
_ENTERPRISE = (Enterprise.id, Enterprise.name, Enterprise.name_en, Enterprise.language, Enterprise.frequency)
_ALERT = (
    Alert.id,
    Alert.digest_id,
    Alert.notice_id,
    Alert.severity,
    Alert.reason,
    Alert.message,  # never Alert.note: the reviewer's note is internal
    Alert.evidence,
)
# A notice's text can be long and mails never show it: it stays in the database.
_NOTICE = (
    Notice.id,
    Notice.title,
    Notice.country,
    Notice.doc_type,
    Notice.url,
    Notice.published_on,
    Notice.comment_deadline,
    Notice.effective_on,
    Notice.case_stage,
    Notice.subject_countries,
    Notice.publisher_hs_codes,
)


@dataclass(frozen=True)
class _Query:
    """A SELECT of some columns where a key is in the list bound as ``ids``,
    built once (building the statement cost more than running it), and the
    named tuple its rows become: a row's attribute costs ten times a named
    tuple's, and a mail reads dozens."""

    statement: Any
    row: Any

    def rows(self, connection: Connection, ids: Iterable[int]) -> list[Any]:
        return [self.row._make(found) for found in connection.execute(self.statement, {"ids": list(ids)})]


def _by_ids(*columns: Any, key: Any, order: Any = None) -> _Query:
    statement = select(*columns).where(col(key).in_(bindparam("ids", expanding=True))).order_by(order)
    return _Query(statement, namedtuple("Row", [column.key for column in columns]))


_DELIVERIES = _by_ids(*_DELIVERY, key=Delivery.id)
_DIGESTS = _by_ids(*_DIGEST, key=Digest.id)
_ENTERPRISES = _by_ids(*_ENTERPRISE, key=Enterprise.id)
_ALERTS = _by_ids(*_ALERT, key=Alert.digest_id, order=col(Alert.id))
_ALERTS_BY_ID = _by_ids(*_ALERT, key=Alert.id)
_REMINDERS = _by_ids(AlertReminder.digest_id, AlertReminder.alert_id, key=AlertReminder.digest_id)
_NOTICES = _by_ids(*_NOTICE, key=Notice.id)
_TAGS = _by_ids(Tag.id, Tag.code, key=Tag.id)
_CONTACTS = _by_ids(
    Contact.id, Contact.enterprise_id, Contact.email, Contact.link_secret, key=Contact.enterprise_id
)


def load_batch(connection: Connection, delivery_ids: Sequence[int]) -> MailBatch:
    def by_id(found: list[Any]) -> dict[int, Any]:
        return {row.id: row for row in found}

    deliveries = by_id(_DELIVERIES.rows(connection, delivery_ids))
    digests = by_id(_DIGESTS.rows(connection, {d.digest_id for d in deliveries.values()}))
    enterprise_ids = {d.enterprise_id for d in digests.values()}
    enterprises = by_id(_ENTERPRISES.rows(connection, enterprise_ids))
    alerts: dict[int, list[Any]] = defaultdict(list)
    for alert in _ALERTS.rows(connection, digests):
        alerts[alert.digest_id].append(alert)
    reminders = _reminders(connection, digests)
    every_alert = [a for group in (*alerts.values(), *reminders.values()) for a in group]
    notices = by_id(_NOTICES.rows(connection, {a.notice_id for a in every_alert}))
    tag_ids = {i for a in every_alert for i in a.evidence.get("tag_ids", [])}
    tag_codes = {t.id: t.code for t in _TAGS.rows(connection, tag_ids)} if tag_ids else {}
    contacts = {
        (c.enterprise_id, c.email): (c.id, c.link_secret) for c in _CONTACTS.rows(connection, enterprise_ids)
    }
    return MailBatch(deliveries, digests, enterprises, alerts, notices, tag_codes, contacts, reminders)


def _reminders(connection: Connection, digest_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The alerts each digest reminds of, by digest (one query when none does)."""
    wanted = _REMINDERS.rows(connection, digest_ids)
    if not wanted:
        return {}
    alerts = {a.id: a for a in _ALERTS_BY_ID.rows(connection, {r.alert_id for r in wanted})}
    by_digest: dict[int, list[Any]] = defaultdict(list)
    for reminder in wanted:
        if reminder.alert_id in alerts and alerts[reminder.alert_id] not in by_digest[reminder.digest_id]:
            by_digest[reminder.digest_id].append(alerts[reminder.alert_id])
    return by_digest


def contact_links(settings: Settings, contact_id: int, secret: str) -> dict[str, str]:
    """Signed unsubscribe and preferences links of a contact (its id and link secret)."""
    key, base = settings.signing_key(), settings.base_url.rstrip("/")
    return {
        "unsubscribe_url": f"{base}/u/{make_token(key, contact_id, secret, 'unsubscribe')}",
        "preferences_url": f"{base}/p/{make_token(key, contact_id, secret, 'preferences')}",
    }


def compose_from(
    batch: MailBatch, delivery_id: int, settings: Settings, now: datetime, today: date
) -> OutgoingMail:
    """The mail of one delivery of ``batch``, rendered now."""
    delivery = batch.deliveries[delivery_id]
    digest = batch.digests[delivery.digest_id]
    enterprise = batch.enterprises[digest.enterprise_id]
    alerts = batch.alerts.get(delivery.digest_id, [])
    reminders = batch.reminders.get(delivery.digest_id, [])
    windows = Windows(settings.critical_deadline_days, settings.critical_event_days)
    items = digest_items_from(
        alerts, batch.notices, batch.tag_codes, enterprise.language, today, reminders, windows
    )
    # A contact removed since the digest was made: links that no contact accepts.
    contact_id, secret = batch.contacts.get((digest.enterprise_id, delivery.email), (0, ""))
    links = contact_links(settings, contact_id, secret)
    context = {**alerts_context(items, enterprise, digest.kind, digest.period, today), **links}
    subject, text, html = render_mail(
        settings.templates_dir, template_kind(digest.kind), enterprise.language, context
    )
    return encode_mail(
        subject=subject,
        text=text,
        html=html,
        sender=settings.mail_from,
        recipient=delivery.email,
        message_id=delivery.message_id,
        sent_at=now,
        # RFC 8058 one-click unsubscribe: mail clients POST to the link themselves.
        headers=(
            ("List-Unsubscribe", f"<{links['unsubscribe_url']}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
    )
