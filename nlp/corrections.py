"""Inspector corrections as training data: notices whose tags an inspector set."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from nlp.corpus import LabelledNotice
from nlp.language import guess_language
from store.models import Notice, Tag, TagMethod


def inspector_corrections(session: Session) -> list[LabelledNotice]:
    """Each notice with inspector tags, labelled with those codes (the
    inspector's word replaces the machine's), ordered by notice id."""
    codes: dict[int, list[str]] = defaultdict(list)
    for notice_id, code in session.exec(
        select(Tag.notice_id, Tag.code).where(Tag.method == TagMethod.INSPECTOR).order_by(col(Tag.code))
    ):
        codes[notice_id].append(code)
    notices = session.exec(select(Notice).where(col(Notice.id).in_(list(codes))).order_by(col(Notice.id)))
    return [
        LabelledNotice(
            f"{n.source}:{n.external_id}",
            n.title,
            n.text,
            tuple(codes[n.id or 0]),
            n.language or guess_language(f"{n.title}\n{n.text}"),
        )
        for n in notices
    ]
