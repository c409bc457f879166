"""The triage queue: one row per measure (the notices of one measure, e.g.
the stages of a trade-remedy case, with the enterprises they concern),
critical first, then the soonest open comment deadline, then the newest;
counts per severity over the whole filtered queue; paged on the server.

A notice's measure is ``Notice.measure_key`` where the schema has it, else
the notice itself (:func:`measure_of`). Measures are grouped, ordered and
cut to a page by the database: only the page's rows reach Python, so a
page costs about the same with 10 or 10,000 pending alerts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, case, cast, func, literal, or_
from sqlmodel import Session, col, select

from store.models import Alert, Enterprise, Notice, Severity, Tag
from web.queries import QueueFilters, narrowed

SEVERITY_RANK: dict[str, int] = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.NORMAL: 2}
SEVERITIES = tuple(SEVERITY_RANK)
_OWN_KEY = re.compile(r"^notice:\d+$")  # a notice of no known measure, by its id


def measure_of(notice: Any) -> str:
    """The key of the measure ``notice`` belongs to (its own id when none is known)."""
    return getattr(notice, "measure_key", None) or f"notice:{notice.id}"


@dataclass
class MeasureSummary:
    """A measure as the grouping query returns it."""

    key: str
    top_rank: int
    open_deadline: date | None  # the soonest comment deadline not yet passed
    last_deadline: date | None
    published: date | None
    newest_id: int


@dataclass
class MeasureRow:
    """One row of the queue: a measure, its notices (newest first) and its alerts."""

    summary: MeasureSummary
    notices: list[Notice]
    alerts: list[tuple[Alert, Enterprise, Notice]]
    today: date
    codes: list[str] | None = None  # the newest notice's tag codes, for its summary line

    @property
    def notice(self) -> Notice:
        return self.notices[0]

    @property
    def severity(self) -> str:
        return SEVERITIES[self.summary.top_rank] if self.summary.top_rank < len(SEVERITIES) else ""

    @property
    def deadline(self) -> date | None:
        """The soonest open comment deadline, else the latest passed one."""
        return self.summary.open_deadline or self.summary.last_deadline

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


def _measure_column() -> Any:
    """The grouping key: the measure key where there is one, else the notice."""
    measure = getattr(Notice, "measure_key", None)
    own = literal("notice:") + cast(col(Notice.id), String)
    # An empty key (a notice saved before measures were known) is no measure.
    return func.coalesce(func.nullif(measure, ""), own) if measure is not None else col(Alert.notice_id)


def _needs_notice(filters: QueueFilters) -> bool:
    return bool(
        filters.country or filters.doc_type or filters.source or filters.deadline_before or filters.chapter
    )


def _joined(*columns: Any, notice: bool = True) -> Any:
    """``columns`` over the alerts, joined with their notices when ``notice``."""
    query = select(*columns).select_from(Alert)
    return query.join(Notice, col(Notice.id) == col(Alert.notice_id)) if notice else query


def queue_page(
    session: Session, *, filters: QueueFilters, today: date, offset: int = 0, limit: int = 25
) -> QueuePage:
    """The measures of the filtered queue in triage order, ``limit`` of them from ``offset``."""
    connection = session.connection()
    by_severity = narrowed(_joined(Alert.severity, func.count(), notice=_needs_notice(filters)), filters)
    counts = dict(connection.execute(by_severity.group_by(Alert.severity)).all())
    shown, measures = _page_of_measures(session, filters, today, offset, limit)
    return QueuePage(
        rows=_rows(session, filters, shown, today),
        measures=measures,
        alerts=sum(counts.values()),
        severity_counts={s: counts.get(s, 0) for s in SEVERITIES},
        offset=offset,
        limit=limit,
    )


def _page_of_measures(
    session: Session, filters: QueueFilters, today: date, offset: int, limit: int
) -> tuple[list[MeasureSummary], int]:
    """The page's measures, and how many measures the filtered queue holds
    (counted over the groups by a window function, in the same query)."""
    key = _measure_column()
    rank = case(*((col(Alert.severity) == s, r) for s, r in SEVERITY_RANK.items()), else_=len(SEVERITY_RANK))
    deadline = col(Notice.comment_deadline)
    top = func.min(rank).label("top")
    open_deadline = func.min(case((deadline >= today, deadline), else_=None)).label("open_deadline")
    published = func.max(col(Notice.published_on)).label("published")
    newest = func.max(col(Notice.id)).label("newest")
    columns = (key, top, open_deadline, func.max(deadline), published, newest, func.count().over())
    query = narrowed(_joined(*columns), filters)
    query = query.group_by(key).order_by(
        top, open_deadline.is_(None), open_deadline, published.desc().nulls_last(), newest.desc()
    )
    found = session.exec(query.offset(offset).limit(limit)).all()
    if not found and offset:  # past the last page: the count comes from the first
        return [], _page_of_measures(session, filters, today, 0, 1)[1]
    measures = int(found[0][6]) if found else 0
    return [MeasureSummary(str(_key(k)), t, o, last, p, n) for k, t, o, last, p, n, _all in found], measures


def _key(value: Any) -> str:
    return value if isinstance(value, str) else f"notice:{value}"


def _notice_ids(session: Session, keys: list[str]) -> dict[int, str]:
    """The notices of the measures ``keys``, each with its measure's key."""
    own: dict[int, str] = {int(k.removeprefix("notice:")): k for k in keys if _OWN_KEY.match(k)}
    measure = getattr(Notice, "measure_key", None)
    if measure is None:
        return own
    named = [k for k in keys if not _OWN_KEY.match(k)]
    query = select(Notice.id, measure).where(or_(col(measure).in_(named), col(Notice.id).in_(list(own))))
    return {int(i): key or f"notice:{i}" for i, key in session.exec(query) if i is not None}


def _rows(
    session: Session, filters: QueueFilters, shown: list[MeasureSummary], today: date
) -> list[MeasureRow]:
    members = _notice_ids(session, [s.key for s in shown])
    query = (
        select(Alert, Enterprise, Notice)
        .join(Notice, col(Notice.id) == col(Alert.notice_id))
        .join(Enterprise, col(Enterprise.id) == col(Alert.enterprise_id))
        .where(col(Alert.notice_id).in_(list(members)))
    )
    alerts: dict[str, list[tuple[Alert, Enterprise, Notice]]] = {}
    notices: dict[str, dict[int, Notice]] = {}
    for alert, enterprise, notice in session.exec(narrowed(query, filters).order_by(col(Alert.id))):
        key = members[alert.notice_id]
        alerts.setdefault(key, []).append((alert, enterprise, notice))
        notices.setdefault(key, {})[alert.notice_id] = notice
    rows = []
    for summary in shown:
        newest_first = sorted(
            notices.get(summary.key, {}).values(),
            key=lambda n: (n.published_on or date.min, n.id or 0),
            reverse=True,
        )
        own = sorted(
            alerts.get(summary.key, []), key=lambda a: (SEVERITY_RANK.get(a[0].severity, 9), a[1].name)
        )
        if newest_first:
            rows.append(MeasureRow(summary, newest_first, own, today))
    tags: dict[int, list[str]] = {}
    newest = [row.notice.id for row in rows]
    for notice_id, code in session.exec(
        select(Tag.notice_id, Tag.code).where(col(Tag.notice_id).in_(newest)).order_by(col(Tag.id))
    ):
        tags.setdefault(notice_id, []).append(code)
    for row in rows:
        row.codes = tags.get(row.notice.id or 0) or None
    return rows
