"""The alert queue: the match stage writes it, inspectors review it.

Rerunning the match stage is safe: an alert exists once per notice and
enterprise; pending alerts follow the latest tags (updated, or withdrawn
when nothing supports them any more, and pending again if support
returns); alerts an inspector decided, and alerts already sent, are never
changed by matching.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from alerts.match import Match, NoticeFacts, TagFact, match_notice
from alerts.profiles import ProfileIndex, load_profiles
from store.models import Alert, AlertStatus, AuditEvent, Notice, Tag
from store.types import utcnow

_FOLLOWS_TAGS = (AlertStatus.PENDING_REVIEW, AlertStatus.WITHDRAWN)


@dataclass
class MatchResult:
    notices: int = 0
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    by_severity: Counter[str] = field(default_factory=Counter)


def load_notice_facts(session: Session) -> list[NoticeFacts]:
    """Every tagged notice with its tags."""
    tags: dict[int, list[TagFact]] = defaultdict(list)
    for tag in session.exec(select(Tag)):
        assert tag.id is not None
        tags[tag.notice_id].append(TagFact(tag.id, tag.code, tag.score, tag.method))
    notices = session.exec(
        select(Notice).where(col(Notice.tagger_version).is_not(None)).order_by(col(Notice.id))
    )
    return [
        NoticeFacts(
            id=n.id,
            doc_type=n.doc_type,
            country=n.country,
            title=n.title,
            text=n.text,
            subject_countries=list(n.subject_countries),
            case_numbers=list(n.case_numbers),
            comment_deadline=n.comment_deadline,
            tags=tags.get(n.id, []),
        )
        for n in notices
        if n.id is not None
    ]


def run_matching(session: Session, today: date, deadline_days: int) -> MatchResult:
    """Match every tagged notice against every active enterprise and
    bring the queue in line with the result."""
    index = ProfileIndex(load_profiles(session))
    existing = {(a.notice_id, a.enterprise_id): a for a in session.exec(select(Alert))}
    result = MatchResult()
    for notice in load_notice_facts(session):
        result.notices += 1
        matches = match_notice(notice, index, today, deadline_days)
        _apply(session, notice.id, matches, existing, result)
    return result


def _apply(
    session: Session,
    notice_id: int,
    matches: list[Match],
    existing: dict[tuple[int, int], Alert],
    result: MatchResult,
) -> None:
    now = utcnow()
    wanted = {m.enterprise_id for m in matches}
    for m in matches:
        result.by_severity[m.severity] += 1
        alert = existing.get((notice_id, m.enterprise_id))
        if alert is None:
            alert = Alert(
                notice_id=notice_id,
                enterprise_id=m.enterprise_id,
                severity=m.severity,
                reason=m.reason,
                evidence=m.evidence,
            )
            session.add(alert)
            existing[(notice_id, m.enterprise_id)] = alert
            result.created += 1
        elif alert.status in _FOLLOWS_TAGS and _differs(alert, m):
            alert.severity, alert.reason, alert.evidence = m.severity, m.reason, m.evidence
            alert.status, alert.updated_at = AlertStatus.PENDING_REVIEW, now
            session.add(alert)
            result.updated += 1
        else:
            result.unchanged += 1
    for (n_id, e_id), alert in existing.items():
        if n_id == notice_id and e_id not in wanted and alert.status == AlertStatus.PENDING_REVIEW:
            alert.status, alert.updated_at = AlertStatus.WITHDRAWN, now
            session.add(alert)
            result.withdrawn += 1


def _differs(alert: Alert, m: Match) -> bool:
    return (alert.status, alert.severity, alert.reason, alert.evidence) != (
        AlertStatus.PENDING_REVIEW,
        m.severity,
        m.reason,
        m.evidence,
    )


def review(
    session: Session, alert_ids: Iterable[int] | None, decision: str, reviewer: str, note: str | None = None
) -> list[int]:
    """Approve or reject pending alerts (all of them when ``alert_ids`` is
    None); returns the ids changed. Each decision is an audit event."""
    assert decision in (AlertStatus.APPROVED, AlertStatus.REJECTED)
    query = select(Alert).where(Alert.status == AlertStatus.PENDING_REVIEW)
    if alert_ids is not None:
        query = query.where(col(Alert.id).in_(list(alert_ids)))
    changed = []
    now = utcnow()
    for alert in session.exec(query.order_by(col(Alert.id))):
        alert.status, alert.reviewer, alert.reviewed_at, alert.updated_at = decision, reviewer, now, now
        if note is not None:
            alert.note = note
        session.add(alert)
        session.add(
            AuditEvent(actor=reviewer, action=f"alert.{decision}", object_type="alert", object_id=alert.id)
        )
        assert alert.id is not None
        changed.append(alert.id)
    return changed


def not_reviewable(session: Session, alert_ids: Sequence[int]) -> dict[int, str]:
    """Ids among ``alert_ids`` that cannot be reviewed, with the reason."""
    found = {a.id: a.status for a in session.exec(select(Alert).where(col(Alert.id).in_(list(alert_ids))))}
    return {
        i: ("no such alert" if i not in found else f"status is {found[i]}, not pending_review")
        for i in alert_ids
        if found.get(i) != AlertStatus.PENDING_REVIEW
    }
