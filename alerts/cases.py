"""Trade-remedy cases and the timeline of their stages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from store.models import STAGES, Case, CaseNotice, Notice

STAGE_NAMES = {
    "en": {
        "initiation": "initiation",
        "preliminary": "preliminary determination",
        "final": "final determination",
        "order": "order",
        "termination": "termination",
        "review_opportunity": "opportunity to request review",
        "review_initiation": "initiation of administrative review",
        "review_preliminary": "preliminary results of review",
        "review_final": "final results of review",
        "administrative_review": "administrative review",
        "new_shipper_review": "new shipper review",
        "scope": "scope ruling",
        "circumvention": "anti-circumvention",
        "interim_review": "interim review",
        "sunset_review": "sunset review",
        "continuation": "continuation",
        "revocation": "revocation",
    },
    "zh": {
        "initiation": "立案",
        "preliminary": "初裁",
        "final": "终裁",
        "order": "征税令",
        "termination": "终止调查",
        "review_opportunity": "可申请行政复审",
        "review_initiation": "行政复审立案",
        "review_preliminary": "行政复审初裁",
        "review_final": "行政复审终裁",
        "administrative_review": "行政复审",
        "new_shipper_review": "新出口商复审",
        "scope": "范围裁定",
        "circumvention": "反规避",
        "interim_review": "期中复审",
        "sunset_review": "日落复审",
        "continuation": "继续征税",
        "revocation": "撤销",
    },
}


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
