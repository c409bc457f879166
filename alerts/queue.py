"""The alert queue: the match stage writes it, inspectors review it.

Rerunning the match stage is safe: an alert exists once per notice and
enterprise; pending alerts follow the latest tags (updated, or withdrawn
when nothing supports them any more, and pending again if support
returns); alerts an inspector decided, and alerts already sent, are never
changed by matching.

New alerts may be approved by policy (``BW_AUTO_APPROVE``). When one run
would create more alerts than ``BW_MAX_NEW_ALERTS_PER_RUN``, something is
probably wrong upstream (a parser broken by a site change, a bad model):
the mass-change circuit breaker then approves none of them automatically
and flags the run for an administrator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, select

from alerts.match import Match, match_notice
from alerts.notices import load_notice_facts
from alerts.profiles import ProfileIndex, load_profiles
from store.models import Alert, AlertStatus, AuditEvent
from store.types import utcnow

AUTO_REVIEWER = "policy:auto-approve"
_FOLLOWS_TAGS = (AlertStatus.PENDING_REVIEW, AlertStatus.WITHDRAWN)
_BATCH = 2000


@dataclass(frozen=True)
class ApprovalPolicy:
    """Which new alerts need no inspector: ``off``, or ``stated-codes`` (a
    code the notice states matched at heading level or finer, with a score
    of at least ``min_score``)."""

    mode: str = "off"
    min_score: float = 0.9
    max_new_alerts: int = 1000

    def approves(self, match: Match) -> bool:
        return self.mode == "stated-codes" and match.stated_code and match.score >= self.min_score


@dataclass
class MatchResult:
    notices: int = 0
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    auto_approved: int = 0
    held: bool = False  # the circuit breaker stopped auto-approval
    by_severity: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Known:
    id: int
    status: str
    severity: str
    score: float
    reason: str
    evidence: dict[str, Any]


def run_matching(
    session: Session, today: date, deadline_days: int, policy: ApprovalPolicy | None = None
) -> MatchResult:
    """Match every tagged notice against every active enterprise and bring
    the queue in line with the result, in bulk statements."""
    policy = policy or ApprovalPolicy()
    index = ProfileIndex(load_profiles(session))
    known = _known_alerts(session)
    result = MatchResult()
    new: list[tuple[int, Match]] = []
    changed: list[dict[str, Any]] = []
    supported: set[tuple[int, int]] = set()
    for notice in load_notice_facts(session):
        result.notices += 1
        for m in match_notice(notice, index, today, deadline_days):
            result.by_severity[m.severity] += 1
            supported.add((notice.id, m.enterprise_id))
            _sort_match(notice.id, m, known, new, changed, result)
    withdrawn = [
        a.id for key, a in known.items() if key not in supported and a.status == AlertStatus.PENDING_REVIEW
    ]
    result.created, result.updated, result.withdrawn = len(new), len(changed), len(withdrawn)
    result.held = policy.mode != "off" and len(new) > policy.max_new_alerts
    _insert(session, new, policy, result)
    _update(session, changed, withdrawn)
    return result


def _known_alerts(session: Session) -> dict[tuple[int, int], _Known]:
    columns = (
        Alert.id,
        Alert.notice_id,
        Alert.enterprise_id,
        Alert.status,
        Alert.severity,
        Alert.score,
        Alert.reason,
        Alert.evidence,
    )
    return {
        (n, e): _Known(i, st, sev, sc, r, ev)
        for i, n, e, st, sev, sc, r, ev in session.exec(select(*columns))  # type: ignore[call-overload]
    }


def _sort_match(
    notice_id: int,
    m: Match,
    known: dict[tuple[int, int], _Known],
    new: list[tuple[int, Match]],
    changed: list[dict[str, Any]],
    result: MatchResult,
) -> None:
    alert = known.get((notice_id, m.enterprise_id))
    if alert is None:
        new.append((notice_id, m))
    elif alert.status in _FOLLOWS_TAGS and (
        alert.status,
        alert.severity,
        alert.score,
        alert.reason,
        alert.evidence,
    ) != (AlertStatus.PENDING_REVIEW, m.severity, m.score, m.reason, m.evidence):
        changed.append(
            {
                "b_id": alert.id,
                "severity": m.severity,
                "score": m.score,
                "reason": m.reason,
                "evidence": m.evidence,
                "status": AlertStatus.PENDING_REVIEW,
            }
        )
    else:
        result.unchanged += 1


def _insert(
    session: Session, new: list[tuple[int, Match]], policy: ApprovalPolicy, result: MatchResult
) -> None:
    now = utcnow()
    rows = []
    for notice_id, m in new:
        approved = not result.held and policy.approves(m)
        result.auto_approved += approved
        rows.append(
            {
                "notice_id": notice_id,
                "enterprise_id": m.enterprise_id,
                "severity": m.severity,
                "score": m.score,
                "reason": m.reason,
                "evidence": m.evidence,
                "created_at": now,
                "updated_at": now,
                "status": AlertStatus.APPROVED if approved else AlertStatus.PENDING_REVIEW,
                "reviewer": AUTO_REVIEWER if approved else None,
                "reviewed_at": now if approved else None,
            }
        )
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(Alert), rows[start : start + _BATCH])
    if result.auto_approved:
        session.add(
            AuditEvent(
                actor=AUTO_REVIEWER,
                action="alert.approved",
                object_type="alert",
                detail={"count": result.auto_approved, "policy": policy.mode},
            )
        )


def _update(session: Session, changed: list[dict[str, Any]], withdrawn: list[int]) -> None:
    now = utcnow()
    statement = (
        update(Alert)
        .where(col(Alert.id) == bindparam("b_id"))
        .values(
            severity=bindparam("severity"),
            score=bindparam("score"),
            reason=bindparam("reason"),
            evidence=bindparam("evidence"),
            status=bindparam("status"),
            updated_at=now,
        )
    )
    for start in range(0, len(changed), _BATCH):
        session.connection().execute(statement, changed[start : start + _BATCH])
    for start in range(0, len(withdrawn), _BATCH):
        session.execute(
            update(Alert)
            .where(col(Alert.id).in_(withdrawn[start : start + _BATCH]))
            .values(status=AlertStatus.WITHDRAWN, updated_at=now)
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
