"""The alert queue: the match stage writes it, inspectors review it.

Rerunning the match stage is safe: an alert exists once per event (a
notification, an addendum, a case stage: see store.measures, however many
sources report it) and enterprise; pending alerts follow the latest tags (updated, or withdrawn
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

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text, update
from sqlmodel import Session, col, select

from alerts.match import DEFAULT_EVENT_DAYS, Match, match_notice
from alerts.notices import events_by_thread, load_notice_facts
from alerts.profiles import ProfileIndex, load_profiles
from store.measures import event_key
from store.models import Alert, AlertStatus, AuditEvent, Notice
from store.types import UTCDateTime, utcnow

AUTO_REVIEWER = "policy:auto-approve"
MATCHER = "stage:match"  # the actor of withdrawals in the audit log
_AUDITED_IDS = 1000
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
    by_severity: Counter[str] = field(default_factory=Counter)  # matches, less those a reviewer rejected


@dataclass(frozen=True)
class _Known:
    id: int
    status: str
    fingerprint: int


def _fingerprint(severity: str, score: float, reason: str, evidence: dict[str, Any]) -> int:
    return hash((severity, round(score, 4), reason, json.dumps(evidence, ensure_ascii=False, sort_keys=True)))


def run_matching(
    session: Session,
    today: date,
    deadline_days: int,
    policy: ApprovalPolicy | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    event_days: int = DEFAULT_EVENT_DAYS,
) -> MatchResult:
    """Match every tagged notice against every active enterprise and bring
    the queue in line with the result. New alerts are written in batches as
    they are found, so memory stays flat however many there are; policy
    approval comes last, once the circuit breaker knows the run's size.

    One alert per event and enterprise: copies of one notification or case
    event from several sources make one alert (on the first-stored copy); a
    follow-up of a thread the enterprise was alerted to is an update."""
    policy = policy or ApprovalPolicy()
    index = ProfileIndex(load_profiles(session))
    known = _known_alerts(session)
    writer = _AlertWriter(session)
    result = MatchResult()
    auto: list[dict[str, int]] = []
    kept: set[int] = set()  # known alerts that still hold
    facts = load_notice_facts(session)
    total = len(facts)
    for thread in events_by_thread(facts):
        told: set[int] = set()
        for event in thread:
            before = result.notices
            result.notices += len(event.notice_ids)
            if progress and before // 500 != result.notices // 500:
                progress("match", result.notices, total)
            notice = event.facts
            reached = []
            for m in match_notice(notice, index, today, deadline_days, event_days, told):
                alert = known.get((event.key, m.enterprise_id))
                if alert is None or alert.status != AlertStatus.REJECTED:  # a rejected one is not told
                    result.by_severity[m.severity] += 1
                if alert is None:
                    writer.insert(notice.id, m)
                    result.created += 1
                    if policy.approves(m):
                        auto.append({"n": notice.id, "e": m.enterprise_id})
                    reached.append(m.enterprise_id)
                    continue
                kept.add(alert.id)
                if alert.status != AlertStatus.REJECTED:
                    reached.append(m.enterprise_id)
                if alert.status in _FOLLOWS_TAGS and (
                    alert.status != AlertStatus.PENDING_REVIEW
                    or alert.fingerprint != _fingerprint(m.severity, m.score, m.reason, m.evidence)
                ):
                    writer.update(alert.id, m)
                    result.updated += 1
                else:
                    result.unchanged += 1
            told.update(reached)
    withdrawn = [a.id for a in known.values() if a.id not in kept and a.status == AlertStatus.PENDING_REVIEW]
    withdrawn += [a.id for a in known.duplicates if a.status == AlertStatus.PENDING_REVIEW]
    writer.withdraw(withdrawn)
    writer.flush()
    if withdrawn:
        session.add(
            AuditEvent(
                actor=MATCHER,
                action="alert.withdrawn",
                object_type="alert",
                detail={"count": len(withdrawn), "ids": withdrawn[:_AUDITED_IDS]},
            )
        )
    result.withdrawn = len(withdrawn)
    result.held = policy.mode != "off" and result.created > policy.max_new_alerts
    if auto and not result.held:
        _approve_by_policy(session, auto, policy, result)
    return result


# The order in which copies of one event's alert are kept: what people saw or decided first.
_KEEP_ORDER = (
    AlertStatus.SENT,
    AlertStatus.APPROVED,
    AlertStatus.REJECTED,
    AlertStatus.PENDING_REVIEW,
    AlertStatus.WITHDRAWN,
)


class _KnownAlerts(dict[tuple[str, int], _Known]):
    """Known alerts by (event, enterprise); ``duplicates``: further alerts on the same
    event and enterprise (copies from several sources, made before measures existed)."""

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[_Known] = []


def _known_alerts(session: Session) -> _KnownAlerts:
    columns = (
        Alert.id,
        Alert.enterprise_id,
        Alert.status,
        Alert.severity,
        Alert.score,
        Alert.reason,
        Alert.evidence,
        Notice.id,
        Notice.measure_key,
        Notice.external_id,
    )
    rows = session.exec(
        select(*columns).join(Notice, col(Notice.id) == col(Alert.notice_id))  # type: ignore[call-overload]
    )
    found: dict[tuple[str, int], list[_Known]] = defaultdict(list)
    for i, e, st, sev, sc, r, ev, n, measure, external_id in rows:
        event = event_key(measure or f"notice:{n}", external_id)
        found[(event, e)].append(_Known(i, st, _fingerprint(sev, sc, r, ev)))
    known = _KnownAlerts()
    for pair, alerts in found.items():
        alerts.sort(key=lambda a: (_rank(a.status), a.id))
        known[pair] = alerts[0]
        known.duplicates.extend(alerts[1:])
    return known


def _rank(status: str) -> int:
    return _KEEP_ORDER.index(AlertStatus(status)) if status in _KEEP_ORDER else len(_KEEP_ORDER)


class _AlertWriter:
    """Buffers new and changed alerts and writes them with executemany.

    Driver-level executemany with pre-serialised evidence: the ORM, and even
    Core's parameter processing, cost more per row than the insert itself.
    """

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        dialect = self.connection.dialect
        now = UTCDateTime().process_bind_param(utcnow(), dialect)
        # SQLite stores naive UTC as text: format it once, not twice per row.
        self.now = str(now) if dialect.name == "sqlite" else now
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        evidence = f"CAST({mark} AS JSON)" if dialect.name == "postgresql" else mark
        self.insert_sql = (
            "INSERT INTO alert (notice_id, enterprise_id, severity, score, reason, evidence, measure_key, "
            "is_update, evidence_level, status, created_at, updated_at) VALUES ("
            f"{mark}, {mark}, {mark}, {mark}, {mark}, {evidence}, {mark}, {mark}, {mark}, "
            f"'pending_review', {mark}, {mark})"
        )
        self.update_sql = (
            f"UPDATE alert SET severity = {mark}, score = {mark}, reason = {mark}, evidence = {evidence}, "
            f"measure_key = {mark}, is_update = {mark}, evidence_level = {mark}, "
            f"status = 'pending_review', updated_at = {mark} WHERE id = {mark}"
        )
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []

    def insert(self, notice_id: int, m: Match) -> None:
        self.inserts.append((notice_id, m.enterprise_id, *_outcome(m), self.now, self.now))
        if len(self.inserts) >= _BATCH:
            self.flush()

    def update(self, alert_id: int, m: Match) -> None:
        self.updates.append((*_outcome(m), self.now, alert_id))
        if len(self.updates) >= _BATCH:
            self.flush()

    def withdraw(self, alert_ids: list[int]) -> None:
        for start in range(0, len(alert_ids), _BATCH):
            self.connection.execute(
                update(Alert)
                .where(col(Alert.id).in_(alert_ids[start : start + _BATCH]))
                .values(status=AlertStatus.WITHDRAWN, updated_at=utcnow())
            )

    def flush(self) -> None:
        if self.inserts:
            self.connection.exec_driver_sql(self.insert_sql, self.inserts)
            self.inserts = []
        if self.updates:
            self.connection.exec_driver_sql(self.update_sql, self.updates)
            self.updates = []


def _approve_by_policy(
    session: Session, auto: list[dict[str, int]], policy: ApprovalPolicy, result: MatchResult
) -> None:
    connection = session.connection()
    now = UTCDateTime().process_bind_param(utcnow(), connection.dialect)
    statement = text(
        "UPDATE alert SET status = 'approved', reviewer = :reviewer, reviewed_at = :now, updated_at = :now "
        "WHERE notice_id = :n AND enterprise_id = :e AND status = 'pending_review'"
    )
    for start in range(0, len(auto), _BATCH):
        connection.execute(
            statement,
            [{**row, "reviewer": AUTO_REVIEWER, "now": now} for row in auto[start : start + _BATCH]],
        )
    result.auto_approved = len(auto)
    session.add(
        AuditEvent(
            actor=AUTO_REVIEWER,
            action="alert.approved",
            object_type="alert",
            detail={"count": len(auto), "policy": policy.mode},
        )
    )


def review(
    session: Session,
    alert_ids: Iterable[int] | None,
    decision: str,
    reviewer: str,
    note: str | None = None,
    message: str | None = None,
) -> list[int]:
    """Approve or reject pending alerts (all of them when ``alert_ids`` is
    None); returns the ids changed. Each decision is an audit event.

    ``note`` is the reviewer's internal note (inspectors only); ``message``
    is what the mail shows the enterprise beside the alert."""
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
        if message is not None:
            alert.message = message.strip() or None
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


def _outcome(m: Match) -> tuple[Any, ...]:
    """What a match writes into its alert, in the column order of the insert and the update."""
    return (str(m.severity), m.score, m.reason, m.evidence_json, m.measure, m.update, m.level)
