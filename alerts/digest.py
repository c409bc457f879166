"""Digests: approved alerts gathered into mails, one per enterprise per period.

- critical alerts leave at once: one mail per enterprise per send listing
  every new critical item (kind ``critical``);
- other alerts wait for the enterprise's period: the ISO week (``weekly``,
  the default) or the day (``daily``), in the bureau's time zone;
- reminders of coming deadlines (:mod:`alerts.reminders`) ride in the
  enterprise's critical mail of the send, else in its digest of the send,
  else, when critical mails are being sent, in a reminder mail of their own
  (kind ``reminder``): they never wait for a weekly digest that would come
  after the deadline.

A digest never exists empty: it is made only for an enterprise with
approved alerts or reminders not yet in any digest. Alerts approved after a
period's digest went out wait for the next period.

A digest's ``period`` is an internal key (``2026-W49``, ``critical-16``);
mails show dates instead (:func:`alerts.emails.period_words`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, select

from alerts.reminders import pending_by_enterprise
from store.db import serialised
from store.models import (
    Alert,
    AlertReminder,
    AlertStatus,
    Contact,
    Delivery,
    DeliveryStatus,
    Digest,
    Enterprise,
    Severity,
)
from store.types import utcnow

KINDS = ("critical", "daily", "weekly")
REMINDER = "reminder"  # the kind of a mail of reminders alone


@dataclass
class DigestResult:
    digests: int = 0
    deliveries: int = 0
    alerts: int = 0
    without_contact: int = 0
    reminders: int = 0


def weekly_period(now: datetime, zone: ZoneInfo) -> str:
    """The ISO week ``now`` falls in, in the bureau's time zone: ``2026-W48``."""
    year, week, _ = now.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def message_id(digest_id: int, period: str, email: str, domain: str) -> str:
    """A Message-ID that stays the same for this digest and recipient, so a
    receiver can drop a copy sent twice after a crash."""
    token = hashlib.sha256(f"{digest_id}:{period}:{email}".encode()).hexdigest()[:20]
    return f"<digest.{digest_id}.{token}@{domain}>"


def build_digests(
    session: Session, now: datetime, zone: ZoneInfo, mail_domain: str, kinds: tuple[str, ...] = KINDS
) -> DigestResult:
    """Put approved, undigested alerts of the given kinds into digests,
    with one delivery per subscribed contact.

    Reads columns, not objects, and writes in bulk: a large weekly run has
    hundreds of thousands of alerts for tens of thousands of enterprises.
    Two senders at once make each digest once: the second waits for the
    first's transaction, then finds its alerts already in digests.
    """
    serialised(session, "build_digests")
    frequency = _active_frequencies(session)
    waiting = _waiting(session, frequency, now, zone, kinds)
    reminders = {
        e: ids
        for e, ids in pending_by_enterprise(session, now.astimezone(zone).date()).items()
        if e in frequency
    }
    placed = _place_reminders(waiting, reminders, kinds)
    contacts = _subscribed_contacts(session, {enterprise for enterprise, _, _ in waiting})
    result = DigestResult(without_contact=len({e for e, _, _ in waiting if not contacts.get(e)}))
    groups = {key: ids for key, ids in waiting.items() if contacts.get(key[0])}
    digests = _open_digests(session, groups)
    result.alerts = sum(len(ids) for (e, _, p), ids in groups.items() if (e, p) in digests)
    result.digests = sum(1 for d in digests.values() if d.new)
    _attach_alerts(session, groups, digests)
    result.reminders = _attach_reminders(session, placed, digests)
    result.deliveries = _add_deliveries(session, groups, digests, contacts, mail_domain)
    return result


@dataclass
class _OpenDigest:
    id: int
    period: str
    new: bool


def _active_frequencies(session: Session) -> dict[int, str]:
    rows = session.exec(select(Enterprise.id, Enterprise.frequency).where(col(Enterprise.active)))
    return {i: f for i, f in rows if i is not None}


def _waiting(
    session: Session, frequency: dict[int, str], now: datetime, zone: ZoneInfo, kinds: tuple[str, ...]
) -> dict[tuple[int, str, str], list[int]]:
    """Approved, undigested alert ids of active enterprises by (enterprise, kind, period).

    Every critical alert of an enterprise waiting now goes into one mail,
    whose period is keyed by its first alert (an alert is in one digest only).
    """
    by_kind: dict[tuple[int, str], list[int]] = defaultdict(list)
    rows = session.exec(
        select(Alert.id, Alert.enterprise_id, Alert.severity)
        .where(Alert.status == AlertStatus.APPROVED, col(Alert.digest_id).is_(None))
        .order_by(col(Alert.id))
    )
    for alert_id, enterprise_id, severity in rows:
        if alert_id is None or enterprise_id not in frequency:
            continue
        kind = "critical" if severity == Severity.CRITICAL else frequency[enterprise_id]
        if kind in kinds:
            by_kind[(enterprise_id, kind)].append(alert_id)
    waiting: dict[tuple[int, str, str], list[int]] = {}
    for (enterprise_id, kind), ids in by_kind.items():
        period = f"critical-{ids[0]}" if kind == "critical" else _period(kind, now, zone)
        waiting[(enterprise_id, kind, period)] = ids
    return waiting


def _place_reminders(
    waiting: dict[tuple[int, str, str], list[int]], reminders: dict[int, list[int]], kinds: tuple[str, ...]
) -> dict[tuple[int, str, str], list[int]]:
    """Which group each enterprise's pending reminders ride in: its critical
    mail, else its digest, else (critical mails being sent) a mail of their
    own, added to ``waiting`` with no alerts. Reminders of an enterprise with
    no mail in this send stay pending."""
    groups_of: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for key in waiting:
        groups_of[key[0]].append(key)
    placed: dict[tuple[int, str, str], list[int]] = {}
    for enterprise_id, reminder_ids in reminders.items():
        keys = sorted(groups_of.get(enterprise_id, []), key=lambda k: k[1] != "critical")
        if keys:
            placed[keys[0]] = reminder_ids
        elif "critical" in kinds:
            key = (enterprise_id, REMINDER, f"reminder-{reminder_ids[0]}")
            waiting[key] = []
            placed[key] = reminder_ids
    return placed


def _attach_reminders(
    session: Session,
    placed: dict[tuple[int, str, str], list[int]],
    digests: dict[tuple[int, str], _OpenDigest],
) -> int:
    pairs = [
        {"d": digests[(e, p)].id, "r": reminder_id}
        for (e, _, p), ids in placed.items()
        if (e, p) in digests
        for reminder_id in ids
    ]
    statement = (
        update(AlertReminder).where(col(AlertReminder.id) == bindparam("r")).values(digest_id=bindparam("d"))
    )
    for start in range(0, len(pairs), 5000):
        session.connection().execute(statement, pairs[start : start + 5000])
    return len(pairs)


def _period(kind: str, now: datetime, zone: ZoneInfo) -> str:
    return now.astimezone(zone).date().isoformat() if kind == "daily" else weekly_period(now, zone)


def _subscribed_contacts(session: Session, enterprise_ids: set[int]) -> dict[int, list[str]]:
    contacts: dict[int, list[str]] = defaultdict(list)
    rows = session.exec(
        select(Contact.enterprise_id, Contact.email)
        .where(col(Contact.unsubscribed_at).is_(None))
        .order_by(col(Contact.id))
    )
    for enterprise_id, email in rows:
        if enterprise_id in enterprise_ids:
            contacts[enterprise_id].append(email)
    return contacts


def _open_digests(
    session: Session, groups: dict[tuple[int, str, str], list[int]]
) -> dict[tuple[int, str], _OpenDigest]:
    """This period's digest of each group, made when missing; a digest that
    has started going out is left out (its alerts wait for the next period)."""
    wanted = {(enterprise, period) for enterprise, _, period in groups}
    periods = {period for _, period in wanted}
    existing = {
        (d.enterprise_id, d.period): d.id
        for d in _chunked_in(session, Digest, Digest.period, sorted(periods))
        if (d.enterprise_id, d.period) in wanted and d.id is not None
    }
    started = {
        digest_id
        for digest_id in _chunked_rows(
            session,
            select(Delivery.digest_id).where(Delivery.status != DeliveryStatus.PENDING),
            Delivery.digest_id,
            sorted(existing.values()),
        )
    }
    digests = {key: _OpenDigest(i, key[1], False) for key, i in existing.items() if i not in started}
    missing = [{"enterprise_id": e, "period": p, "kind": k} for e, k, p in groups if (e, p) not in existing]
    if missing:
        created = session.execute(
            insert(Digest)
            .values(created_at=utcnow())
            .returning(
                col(Digest.id), col(Digest.enterprise_id), col(Digest.period), sort_by_parameter_order=True
            ),
            missing,
        )
        for digest_id, enterprise_id, period in created:
            digests[(enterprise_id, period)] = _OpenDigest(digest_id, period, True)
    return digests


def _attach_alerts(
    session: Session,
    groups: dict[tuple[int, str, str], list[int]],
    digests: dict[tuple[int, str], _OpenDigest],
) -> None:
    pairs = [
        {"d": digests[(e, p)].id, "a": alert_id}
        for (e, _, p), ids in groups.items()
        if (e, p) in digests
        for alert_id in ids
    ]
    statement = update(Alert).where(col(Alert.id) == bindparam("a")).values(digest_id=bindparam("d"))
    for start in range(0, len(pairs), 5000):
        session.connection().execute(statement, pairs[start : start + 5000])


def _add_deliveries(
    session: Session,
    groups: dict[tuple[int, str, str], list[int]],
    digests: dict[tuple[int, str], _OpenDigest],
    contacts: dict[int, list[str]],
    domain: str,
) -> int:
    known = {
        (digest_id, email)
        for digest_id, email in _chunked_rows(
            session,
            select(Delivery.digest_id, Delivery.email),
            Delivery.digest_id,
            [d.id for d in digests.values() if not d.new],
        )
    }
    rows = [
        {
            "digest_id": d.id,
            "email": email,
            "message_id": message_id(d.id, d.period, email, domain),
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
        }
        for (e, _, p) in groups
        if (d := digests.get((e, p))) is not None
        for email in contacts[e]
        if (d.id, email) not in known
    ]
    for start in range(0, len(rows), 5000):
        session.connection().execute(insert(Delivery), rows[start : start + 5000])
    return len(rows)


def _chunked_in(session: Session, model: Any, column: Any, values: list[Any]) -> list[Any]:
    found: list[Any] = []
    for start in range(0, len(values), 500):
        found.extend(session.exec(select(model).where(col(column).in_(values[start : start + 500]))))
    return found


def _chunked_rows(session: Session, query: Any, column: Any, values: list[Any]) -> list[Any]:
    found: list[Any] = []
    for start in range(0, len(values), 500):
        found.extend(session.exec(query.where(col(column).in_(values[start : start + 500]))))
    return found
