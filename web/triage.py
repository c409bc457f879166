"""The triage queue: one row per measure (the notices of one measure, e.g.
the stages of a trade-remedy case, with the enterprises they concern),
critical first, then the soonest open comment deadline, then the newest;
counts per severity over the whole filtered queue; paged on the server.

A notice's measure is ``Notice.measure_key`` where the schema has it, else
the notice itself (:func:`measure_of`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from store.models import Alert, Enterprise, Notice, Severity
from web.queries import QueueFilters, narrowed

SEVERITY_RANK: dict[str, int] = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.NORMAL: 2}


def measure_of(notice: Any) -> str:
    """The key of the measure ``notice`` belongs to (its own id when none is known)."""
    return getattr(notice, "measure_key", None) or f"notice:{notice.id}"


@dataclass
class MeasureSummary:
    """What ordering a measure needs, read without loading its alerts."""

    key: str
    notice_ids: list[int] = field(default_factory=list)
    severities: dict[str, int] = field(default_factory=dict)
    deadlines: list[date] = field(default_factory=list)
    published: date | None = None
    newest_id: int = 0

    def top_severity(self) -> str:
        return min(self.severities, key=lambda s: SEVERITY_RANK.get(s, 9))

    def open_deadline(self, today: date) -> date | None:
        """The soonest comment deadline not yet passed."""
        return min((d for d in self.deadlines if d >= today), default=None)

    def order(self, today: date) -> tuple[Any, ...]:
        deadline = self.open_deadline(today)
        published = -self.published.toordinal() if self.published else 0
        return (
            SEVERITY_RANK.get(self.top_severity(), 9),
            deadline is None,
            deadline or date.max,
            published,
            -self.newest_id,
        )


@dataclass
class MeasureRow:
    """One row of the queue: a measure, its notices (newest first) and its alerts."""

    summary: MeasureSummary
    notices: list[Notice]
    alerts: list[tuple[Alert, Enterprise, Notice]]
    today: date

    @property
    def notice(self) -> Notice:
        return self.notices[0]

    @property
    def severity(self) -> str:
        return self.summary.top_severity()

    @property
    def deadline(self) -> date | None:
        """The soonest open comment deadline, else the latest passed one."""
        return self.summary.open_deadline(self.today) or max(self.summary.deadlines, default=None)

    @property
    def days_left(self) -> int | None:
        return (self.deadline - self.today).days if self.deadline else None

    @property
    def published(self) -> date | None:
        return self.summary.published


@dataclass
class QueuePage:
    rows: list[MeasureRow]
    measures: int  # in the whole filtered queue
    alerts: int
    severity_counts: dict[str, int]
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.measures else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None

    @property
    def alert_ids(self) -> list[int]:
        return [alert.id for row in self.rows for alert, _e, _n in row.alerts if alert.id is not None]


def queue_page(
    session: Session, *, filters: QueueFilters, today: date, offset: int = 0, limit: int = 25
) -> QueuePage:
    """The measures of the filtered queue in triage order, ``limit`` of them from ``offset``."""
    summaries = _summaries(session, filters)
    ordered = sorted(summaries, key=lambda s: s.order(today))
    shown = ordered[offset : offset + limit]
    counts: Counter[str] = Counter()
    for summary in summaries:
        for severity, count in summary.severities.items():
            counts[severity] += count
    return QueuePage(
        rows=_rows(session, filters, shown, today),
        measures=len(summaries),
        alerts=sum(counts.values()),
        severity_counts={s: counts.get(s, 0) for s in SEVERITY_RANK},
        offset=offset,
        limit=limit,
    )


def _summaries(session: Session, filters: QueueFilters) -> list[MeasureSummary]:
    """One aggregate row per (notice, severity), folded into measures."""
    measure = getattr(Notice, "measure_key", None)
    columns: list[Any] = [
        Notice.id,
        Notice.comment_deadline,
        Notice.published_on,
        Alert.severity,
        func.count(col(Alert.id)),
    ]
    if measure is not None:
        columns.append(measure)
    query = select(*columns).select_from(Alert).join(Notice, col(Notice.id) == col(Alert.notice_id))
    query = narrowed(query, filters).group_by(*[c for c in columns if c is not columns[4]])
    found: dict[str, MeasureSummary] = {}
    for row in session.connection().execute(query):
        notice_id, deadline, published, severity, count = row[:5]
        key = (row[5] if measure is not None else None) or f"notice:{notice_id}"
        summary = found.get(key)
        if summary is None:
            summary = found[key] = MeasureSummary(key)
        if notice_id not in summary.notice_ids:
            summary.notice_ids.append(notice_id)
        summary.severities[severity] = summary.severities.get(severity, 0) + count
        if deadline and deadline not in summary.deadlines:
            summary.deadlines.append(deadline)
        if published and (summary.published is None or published > summary.published):
            summary.published = published
        summary.newest_id = max(summary.newest_id, notice_id)
    return list(found.values())


def _rows(
    session: Session, filters: QueueFilters, shown: list[MeasureSummary], today: date
) -> list[MeasureRow]:
    ids = [i for summary in shown for i in summary.notice_ids]
    query = (
        select(Alert, Enterprise, Notice)
        .join(Notice, col(Notice.id) == col(Alert.notice_id))
        .join(Enterprise, col(Enterprise.id) == col(Alert.enterprise_id))
        .where(col(Alert.notice_id).in_(ids))
    )
    by_notice: dict[int, list[tuple[Alert, Enterprise, Notice]]] = {}
    notices: dict[int, Notice] = {}
    for alert, enterprise, notice in session.exec(narrowed(query, filters).order_by(col(Alert.id))):
        by_notice.setdefault(alert.notice_id, []).append((alert, enterprise, notice))
        notices[alert.notice_id] = notice
    rows = []
    for summary in shown:
        members = sorted(
            (notices[i] for i in summary.notice_ids if i in notices),
            key=lambda n: (n.published_on or date.min, n.id or 0),
            reverse=True,
        )
        alerts = [a for n in members for a in by_notice.get(n.id or 0, [])]
        alerts.sort(key=lambda a: (SEVERITY_RANK.get(a[0].severity, 9), a[1].name))
        rows.append(MeasureRow(summary, members, alerts, today))
    return rows
