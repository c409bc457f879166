"""Read-only views that the CLI, the API and the UI share."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from store.models import Alert, Delivery, Digest, Enterprise, Notice, Run, Tag
from store.notice_export import notice_row
from store.search import tags_of


def notices_with_tags(session: Session, limit: int | None = None) -> list[dict[str, Any]]:
    """Notices, newest first, in the shape of ``notices list --format json``."""
    query = select(Notice).order_by(col(Notice.published_on).desc(), col(Notice.id).desc())
    notices = session.exec(query.limit(limit) if limit else query).all()
    tags = tags_of(session, notices)
    return [notice_row(n, tags.get(n.id or 0, [])) for n in notices]


def alerts_for_export(session: Session, status: str | None = None) -> list[dict[str, Any]]:
    """Alerts in the shape of ``alerts export``: what matched whom, and why."""
    query = (
        select(Alert, Enterprise, Notice.external_id, Notice.measure_key)
        .join(Enterprise, col(Enterprise.id) == col(Alert.enterprise_id))
        .join(Notice, col(Notice.id) == col(Alert.notice_id))
    )
    if status:
        query = query.where(Alert.status == status)
    rows = session.exec(query.order_by(col(Alert.id))).all()
    return [
        {
            "id": alert.id,
            "notice_id": alert.notice_id,
            "notice_external_id": external_id,
            "measure": alert.measure_key or measure,
            "update": bool(alert.is_update),
            "evidence_level": alert.evidence_level,
            "enterprise": enterprise.name,
            "status": alert.status,
            "severity": alert.severity,
            "reason": alert.reason,
            "hs_codes": sorted({c["notice"] for c in alert.evidence.get("codes", [])}),
        }
        for alert, enterprise, external_id, measure in rows
    ]


def enterprise_overview(session: Session) -> list[dict[str, Any]]:
    """Per enterprise: alerts by status and mails sent, for summaries."""
    alerts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for alert in session.exec(select(Alert)):
        alerts[alert.enterprise_id][alert.status] += 1
    sent: dict[int, int] = defaultdict(int)
    for delivery, digest in session.exec(
        select(Delivery, Digest).join(Digest, col(Digest.id) == col(Delivery.digest_id))
    ):
        sent[digest.enterprise_id] += delivery.status == "sent"
    return [
        {
            "enterprise": e.name_en or e.name,
            "alerts": dict(alerts.get(e.id, {})) if e.id else {},
            "mails_sent": sent.get(e.id, 0) if e.id else 0,
        }
        for e in session.exec(select(Enterprise).order_by(col(Enterprise.id)))
    ]


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of the main tables."""
    return {
        name: session.exec(select(func.count()).select_from(model)).one()
        for name, model in (
            ("notices", Notice),
            ("tags", Tag),
            ("enterprises", Enterprise),
            ("alerts", Alert),
            ("digests", Digest),
            ("deliveries", Delivery),
        )
    }


def recent_runs(session: Session, limit: int = 30) -> list[dict[str, Any]]:
    """The latest runs, newest first."""
    runs = session.exec(select(Run).order_by(col(Run.id).desc()).limit(limit)).all()
    return [
        {
            "id": r.id,
            "stage": r.stage,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
            "seconds": round((r.finished_at - r.started_at).total_seconds(), 2) if r.finished_at else None,
            "status": r.status,
            "flagged": r.flagged,
            "counts": r.counts,
            "error": r.error,
        }
        for r in runs
    ]
