"""Reminders: a deadline an enterprise was told about is coming.

For every alert already sent whose notice's deadline is still open, a
reminder is recorded when the deadline comes within each threshold of
``BW_REMINDER_DAYS`` (default 14 and 3 days): once per alert, deadline and
threshold (a unique row), so a rerun, a second scheduler or a later day
never records it twice. A threshold the first mail already fell within
(an alert sent 10 days before its deadline was news inside 14 days) gives
no reminder. Rejected and withdrawn alerts are never reminded of: only
``sent`` ones are.

Recorded reminders wait, like alerts, for the enterprise's next mail
(:func:`alerts.digest.build_digests` folds them into it); a reminder whose
deadline passed before any mail took it is never sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from store.models import Alert, AlertReminder, AlertStatus, Delivery, DeliveryStatus, Notice
from store.types import utcnow


def record_reminders(session: Session, today: date, thresholds: Sequence[int], zone: ZoneInfo) -> int:
    """Record the reminders due ``today`` (in the bureau's zone); how many were new."""
    if not thresholds:
        return 0
    candidates = _open_deadlines(session, today, max(thresholds))
    if not candidates:
        return 0
    recorded = _recorded(session, [alert_id for alert_id, *_ in candidates])
    first_sent = _first_sent(session, {digest_id for *_, digest_id in candidates if digest_id}, zone)
    rows = []
    for alert_id, enterprise_id, deadline, digest_id in candidates:
        told_on = first_sent.get(digest_id) if digest_id else None
        for threshold in due_thresholds(deadline, today, thresholds, told_on):
            if (alert_id, deadline, threshold) not in recorded:
                rows.append(
                    {
                        "alert_id": alert_id,
                        "enterprise_id": enterprise_id,
                        "deadline": deadline,
                        "threshold": threshold,
                        "created_at": utcnow(),
                    }
                )
    if rows:
        session.connection().execute(insert(AlertReminder), rows)
    return len(rows)


def due_thresholds(
    deadline: date, today: date, thresholds: Sequence[int], told_on: date | None = None
) -> list[int]:
    """The thresholds reached on ``today`` by an open ``deadline``, leaving out
    those the first mail (sent on ``told_on``) already fell within."""
    left = (deadline - today).days
    if left < 0:
        return []
    told_left = (deadline - told_on).days if told_on else None
    return [t for t in thresholds if left <= t and (told_left is None or told_left > t)]


def _open_deadlines(session: Session, today: date, within: int) -> list[tuple[int, int, date, int | None]]:
    """(alert, enterprise, deadline, digest) of sent alerts whose deadline is open and within reach."""
    rows = session.exec(
        select(col(Alert.id), col(Alert.enterprise_id), col(Notice.comment_deadline), col(Alert.digest_id))
        .join(Notice, col(Notice.id) == col(Alert.notice_id))
        .where(
            col(Alert.status) == AlertStatus.SENT,
            col(Notice.comment_deadline) >= today,
            col(Notice.comment_deadline) <= today + timedelta(days=within),
        )
        .order_by(col(Alert.id))
    )
    return [(a, e, d, g) for a, e, d, g in rows if a is not None and d is not None]


def _recorded(session: Session, alert_ids: list[int]) -> set[tuple[int, date, int]]:
    found: set[tuple[int, date, int]] = set()
    for start in range(0, len(alert_ids), 500):
        chunk = alert_ids[start : start + 500]
        found.update(
            session.exec(
                select(
                    col(AlertReminder.alert_id), col(AlertReminder.deadline), col(AlertReminder.threshold)
                ).where(col(AlertReminder.alert_id).in_(chunk))
            )
        )
    return found


def _first_sent(session: Session, digest_ids: set[int], zone: ZoneInfo) -> dict[int, date]:
    """The day (in the bureau's zone) each digest first reached a contact."""
    first: dict[int, date] = {}
    ids = sorted(digest_ids)
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(Delivery.digest_id, func.min(Delivery.sent_at))
            .where(
                col(Delivery.digest_id).in_(ids[start : start + 500]), Delivery.status == DeliveryStatus.SENT
            )
            .group_by(col(Delivery.digest_id))
        )
        for digest_id, sent_at in rows:
            if sent_at is not None:
                first[digest_id] = _as_day(sent_at, zone)
    return first


def _as_day(value: object, zone: ZoneInfo) -> date:
    """A timestamp from an aggregate (SQLite returns it as text) as a day in ``zone``."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).date()


def pending_by_enterprise(session: Session, today: date) -> dict[int, list[int]]:
    """Reminder ids not yet in any mail, by enterprise; those whose deadline
    passed are left out (a closed deadline is never an action)."""
    pending: dict[int, list[int]] = defaultdict(list)
    rows = session.exec(
        select(AlertReminder.id, AlertReminder.enterprise_id)
        .where(col(AlertReminder.digest_id).is_(None), col(AlertReminder.deadline) >= today)
        .order_by(col(AlertReminder.id))
    )
    for reminder_id, enterprise_id in rows:
        if reminder_id is not None:
            pending[enterprise_id].append(reminder_id)
    return pending
