"""Trade-remedy cases and the timeline of their stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from store.models import STAGES, Case, CaseNotice, Notice


@dataclass(frozen=True)
class TimelineEntry:
    published_on: date | None
    stage: str | None
    notice_id: int
    title: str


def timeline(session: Session, case_number: str) -> list[TimelineEntry]:
    """The notices of a case in the order the case went through them:
    by publication date, then by stage order for notices of one day."""
    rows = session.exec(
        select(Notice)
        .join(CaseNotice, col(CaseNotice.notice_id) == col(Notice.id))
        .join(Case, col(Case.id) == col(CaseNotice.case_id))
        .where(Case.case_number == case_number)
    ).all()
    entries = [TimelineEntry(n.published_on, n.case_stage, n.id, n.title) for n in rows if n.id is not None]
    return sorted(entries, key=_order)


def timeline_order(
    published_on: date | None, stage: str | None, notice_id: int
) -> tuple[bool, date, int, int]:
    """Sort key of a case's notices: by date (undated last), then by stage for one day."""
    stage_rank = STAGES.index(stage) if stage in STAGES else len(STAGES)
    return (published_on is None, published_on or date.min, stage_rank, notice_id)


def _order(entry: TimelineEntry) -> tuple[bool, date, int, int]:
    return timeline_order(entry.published_on, entry.stage, entry.notice_id)


def current_stage(session: Session, case_number: str) -> str | None:
    """The latest stage a case has reached, per its timeline."""
    stages = [e.stage for e in timeline(session, case_number) if e.stage]
    return stages[-1] if stages else None
