"""The operator's hands on the delivery queue: list what did not go, and
send it again once the cause is fixed (``barrierwatch deliveries``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.models import AuditEvent, Delivery, DeliveryStatus, Digest, Enterprise


@dataclass
class RequeueResult:
    failed: int = 0  # failed deliveries made pending again
    waiting: int = 0  # pending deliveries whose backoff was lifted


def requeue(session: Session, *, failed: bool, since: datetime | None, actor: str) -> RequeueResult:
    """Make deliveries due now: those waiting out a backoff and, with
    ``failed``, those that failed (their attempts start again from 0).
    ``since`` keeps only deliveries last tried at or after it. The last
    error stays on each row until the next attempt; the action is audited."""
    tried_since = [col(Delivery.claimed_at) >= since] if since else []
    result = RequeueResult()
    result.waiting = _update(
        session,
        [
            col(Delivery.status) == DeliveryStatus.PENDING,
            col(Delivery.next_attempt_at).is_not(None),
            *tried_since,
        ],
        {"next_attempt_at": None},
    )
    if failed:
        result.failed = _update(
            session,
            [col(Delivery.status) == DeliveryStatus.FAILED, *tried_since],
            {"status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": None},
        )
    session.add(
        AuditEvent(
            actor=actor,
            action="deliveries.retry",
            object_type="delivery",
            detail={"failed": result.failed, "waiting": result.waiting, "since": since and str(since)},
        )
    )
    return result


def _update(session: Session, where: list[Any], values: dict[str, Any]) -> int:
    changed = session.exec(update(Delivery).where(*where).values(**values))
    return int(changed.rowcount or 0)


def undelivered(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """Deliveries not sent, newest first, with the enterprise and the reason."""
    rows = session.exec(
        select(Delivery, Enterprise.name)
        .join(Digest, col(Digest.id) == col(Delivery.digest_id))
        .join(Enterprise, col(Enterprise.id) == col(Digest.enterprise_id))
        .where(col(Delivery.status) != DeliveryStatus.SENT)
        .order_by(col(Delivery.id).desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": delivery.id,
            "enterprise": name,
            "email": delivery.email,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "last_tried": delivery.claimed_at,
            "next_attempt_at": delivery.next_attempt_at,
            "last_error": delivery.last_error,
        }
        for delivery, name in rows
    ]
