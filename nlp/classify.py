"""The classify stage: tag every notice the current tagger has not tagged yet.

The tagger reads at most :data:`MAX_TAGGED_CHARS` of a notice (its start
and its end) and the notice records that it was cut (``tag_chars_read``):
spaCy refuses a text over a million characters (error E088) and its memory
grows with the text. A notice whose tagging fails all the same records the
error (``tag_error``) and the stage goes on with the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, or_, select

from nlp.language import guess_language
from nlp.tagger import Tagger
from store.models import Notice, Tag, TagMethod
from store.types import utcnow

logger = logging.getLogger(__name__)

# What the tagger reads of a long notice: its title (up to _TITLE_CHARS) and
# the start and end of its text, where notices name their products and codes
# (a US scope appendix comes last). The shipped notices are under 5,000.
MAX_TAGGED_CHARS = 100_000
_TITLE_CHARS = 2_000
_TAIL_CHARS = 20_000


@dataclass
class ClassifyResult:
    notices: int = 0
    tags: int = 0
    failed: int = 0  # notices whose tagging failed; each says why in ``tag_error``


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
            tags = _tag_one(session, tagger, notice)
            result.tags += tags or 0
            result.failed += tags is None
        result.notices += len(notices)
        session.commit()
        if progress:
            progress("classify", result.notices, total)


def _untagged(tagger: Tagger) -> Any:
    return or_(col(Notice.tagger_version).is_(None), Notice.tagger_version != tagger.version)


def bounded_notice(title: str, text: str) -> tuple[str, str, int | None]:
    """The title and text the tagger reads of a notice, and how many
    characters that is when it is less than the whole notice (else None):
    at most :data:`MAX_TAGGED_CHARS`, the start and the end of a long text."""
    if len(title) + len(text) <= MAX_TAGGED_CHARS:
        return title, text, None
    title = title[:_TITLE_CHARS]
    room = MAX_TAGGED_CHARS - len(title) - 1
    if len(text) > room:
        tail = min(_TAIL_CHARS, room // 5)
        text = text[: room - tail] + "\n" + text[len(text) - tail :]
    return title, text, len(title) + len(text)


def _tag_one(session: Session, tagger: Tagger, notice: Notice) -> int | None:
    """Tag one notice; the number of tags, or None when tagging failed (the
    error is on the notice, its earlier tags are kept, and this tagger
    version does not try it again)."""
    title, text, chars_read = bounded_notice(notice.title, notice.text)
    notice.tag_chars_read = chars_read
    notice.tagger_version = tagger.version
    try:
        results = tagger.tag(title, text, notice.publisher_hs_codes)
        language = guess_language(f"{title}\n{text}")
    except Exception as exc:  # whatever one notice does to the tagger stays with that notice
        logger.warning("notice %s (%s) could not be tagged: %s", notice.id, notice.external_id, exc)
        notice.tag_error = f"{type(exc).__name__}: {exc}"[:2000]
        session.add(notice)
        return None
    session.exec(delete(Tag).where(col(Tag.notice_id) == notice.id, col(Tag.method) != TagMethod.INSPECTOR))
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
    notice.language = language
    notice.tag_error = None
    session.add(notice)
    return len(results)
