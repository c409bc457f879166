"""Read-only views the pages and the API share: the queue grouped by
notice, with its filters; small keyword-only functions taking a Session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from alerts.cases import timeline_order
from hs.nomenclature import chapter_names
from store.models import Alert, AlertStatus, Case, CaseNotice, Enterprise, Notice, Tag


@dataclass(frozen=True)
class QueueFilters:
    """What an inspector narrows the queue by; empty fields do not filter."""

    status: str = AlertStatus.PENDING_REVIEW
    severity: str = ""
    country: str = ""
    doc_type: str = ""
    chapter: str = ""  # HS chapter, two digits
    deadline_before: date | None = None  # comment deadline on or before
    source: str = ""


@dataclass
class NoticeGroup:
    """One notice with the alerts it raised for the enterprises it matched."""

    notice: Notice
    alerts: list[tuple[Alert, Enterprise]] = field(default_factory=list)


def narrowed(query: Any, filters: QueueFilters) -> Any:
    """``query`` (over Alert joined with Notice) narrowed to ``filters``."""
    for column, value in (
        (Alert.status, filters.status),
        (Alert.severity, filters.severity),
        (Notice.country, filters.country),
        (Notice.doc_type, filters.doc_type),
        (Notice.source, filters.source),
    ):
        if value:
            query = query.where(column == value)
    if filters.deadline_before:
        query = query.where(col(Notice.comment_deadline) <= filters.deadline_before)
    if filters.chapter:
        tagged = select(Tag.notice_id).where(col(Tag.code).startswith(filters.chapter))
        query = query.where(col(Notice.id).in_(tagged))
    return query


def queue_groups(session: Session, *, filters: QueueFilters, limit: int = 500) -> list[NoticeGroup]:
    """Alerts matching ``filters`` grouped by notice; notices with the
    nearest comment deadline first, then the newest (the API's order)."""
    query = (
        select(Alert, Notice, Enterprise)
        .join(Notice, col(Notice.id) == col(Alert.notice_id))
        .join(Enterprise, col(Enterprise.id) == col(Alert.enterprise_id))
    )
    query = narrowed(query, filters).order_by(
        col(Notice.comment_deadline).is_(None),
        col(Notice.comment_deadline),
        col(Notice.id).desc(),
        col(Alert.id),
    )
    groups: dict[int, NoticeGroup] = {}
    for alert, notice, enterprise in session.exec(query.limit(limit)):
        groups.setdefault(alert.notice_id, NoticeGroup(notice)).alerts.append((alert, enterprise))
    return list(groups.values())


def filter_choices(session: Session) -> dict[str, list[str]]:
    """The values present in the data for each queue filter; every HS chapter."""

    def distinct(column: Any) -> list[str]:
        # Each column is indexed: the distinct values come from the index alone.
        return sorted(str(v) for v in session.exec(select(column).distinct()) if v)

    return {
        "country": distinct(Notice.country),
        "doc_type": distinct(Notice.doc_type),
        "source": distinct(Notice.source),
        "chapter": sorted(chapter_names()),
    }


def notice_tags(session: Session, *, notice_id: int) -> list[Tag]:
    return list(session.exec(select(Tag).where(Tag.notice_id == notice_id).order_by(col(Tag.code))))


def notice_alerts(session: Session, *, notice_id: int) -> list[tuple[Alert, Enterprise]]:
    rows = session.exec(
        select(Alert, Enterprise)
        .join(Enterprise, col(Enterprise.id) == col(Alert.enterprise_id))
        .where(Alert.notice_id == notice_id)
        .order_by(col(Alert.id))
    )
    return list(rows.all())


def notice_cases(session: Session, *, notice_id: int) -> list[Case]:
    rows = session.exec(
        select(Case)
        .join(CaseNotice, col(CaseNotice.case_id) == col(Case.id))
        .where(CaseNotice.notice_id == notice_id)
        .order_by(col(Case.case_number))
    )
    return list(rows.all())


def case_notices(session: Session, *, case_id: int) -> list[Notice]:
    """The notices of a case in the order the case went through them: by
    publication date, then by stage for notices of one day (undated last)."""
    rows = session.exec(
        select(Notice)
        .join(CaseNotice, col(CaseNotice.notice_id) == col(Notice.id))
        .where(CaseNotice.case_id == case_id)
    )
    return sorted(rows.all(), key=lambda n: timeline_order(n.published_on, n.case_stage, n.id or 0))
