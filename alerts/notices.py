"""Notices as matching reads them: the fields it needs, with their tags."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from alerts.match import NoticeFacts, TagFact
from store.models import Notice, Tag


def load_notice_facts(session: Session) -> list[NoticeFacts]:
    """Every tagged notice with its tags, read column by column (no ORM objects)."""
    tags: dict[int, list[TagFact]] = defaultdict(list)
    for tag_id, notice_id, code, score, method in session.exec(
        select(Tag.id, Tag.notice_id, Tag.code, Tag.score, Tag.method)  # type: ignore[call-overload]
    ):
        tags[notice_id].append(TagFact(tag_id, code, score, method))
    columns = (
        Notice.id,
        Notice.doc_type,
        Notice.country,
        Notice.title,
        Notice.text,
        Notice.subject_countries,
        Notice.case_numbers,
        Notice.comment_deadline,
    )
    rows = session.exec(
        select(*columns).where(col(Notice.tagger_version).is_not(None)).order_by(col(Notice.id))  # type: ignore[call-overload]
    )
    return [
        NoticeFacts(
            id=i,
            doc_type=d,
            country=c,
            title=t,
            text=x,
            subject_countries=list(s or []),
            case_numbers=list(k or []),
            comment_deadline=dl,
            tags=tags.get(i, []),
        )
        for i, d, c, t, x, s, k, dl in rows
    ]
