"""The classify stage: tag every notice the current tagger has not tagged yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, or_, select

from nlp.language import guess_language
from nlp.tagger import Tagger
from store.models import Notice, Tag, TagMethod
from store.types import utcnow


@dataclass
class ClassifyResult:
    notices: int = 0
    tags: int = 0


def classify_pending(
    session: Session,
    tagger: Tagger,
    batch_size: int = 500,
    progress: Callable[[str, int, int], None] | None = None,
) -> ClassifyResult:
    """Tag notices never tagged or tagged by another tagger version.

    Earlier machine tags of a re-tagged notice are replaced; an inspector's
    tags are kept. Rerunning with the same tagger does nothing.
    """
    result = ClassifyResult()
    total = session.exec(select(func.count()).select_from(Notice).where(_untagged(tagger))).one()
    while True:
        notices = session.exec(
            select(Notice).where(_untagged(tagger)).order_by(col(Notice.id)).limit(batch_size)
        ).all()
        if not notices:
            return result
        for notice in notices:
            result.tags += _tag_one(session, tagger, notice)
        result.notices += len(notices)
        session.commit()
        if progress:
            progress("classify", result.notices, total)


def _untagged(tagger: Tagger) -> Any:
    return or_(col(Notice.tagger_version).is_(None), Notice.tagger_version != tagger.version)


def _tag_one(session: Session, tagger: Tagger, notice: Notice) -> int:
    session.exec(delete(Tag).where(col(Tag.notice_id) == notice.id, col(Tag.method) != TagMethod.INSPECTOR))
    results = tagger.tag(notice.title, notice.text, notice.publisher_hs_codes)
    now = utcnow()
    assert notice.id is not None
    for r in results:
        session.add(
            Tag(
                notice_id=notice.id,
                code=r.code,
                score=r.score,
                method=r.method,
                model_version=tagger.version,
                created_at=now,
            )
        )
    notice.language = guess_language(f"{notice.title}\n{notice.text}")
    notice.tagger_version = tagger.version
    session.add(notice)
    return len(results)
