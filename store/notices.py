"""Saving notices: new ones inserted, changed ones revised, nothing duplicated."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from store.measures import measure_key, wto_symbol
from store.models import TRADE_REMEDIES, Case, CaseNotice, Notice, NoticeVersion, Source
from store.types import utcnow


@dataclass(frozen=True)
class NoticeRecord:
    """A validated notice as a source delivers it (the crawler's output)."""

    source: str
    external_id: str
    doc_type: str
    country: str
    title: str
    text: str = ""
    url: str | None = None
    published_on: date | None = None
    comment_deadline: date | None = None
    effective_on: date | None = None
    subject_countries: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    case_stage: str | None = None
    publisher_hs_codes: tuple[str, ...] = ()
    case_product: str | None = field(default=None, compare=False)

    def content(self) -> dict[str, object]:
        """The fields whose change makes a new version of the notice."""
        data = asdict(self)
        for key in ("source", "external_id", "case_product"):
            data.pop(key)
        return json.loads(json.dumps(data, default=str))

    def measure_key(self) -> str:
        """The measure this notice reports (see :mod:`store.measures`)."""
        return measure_key(
            self.source, self.external_id, self.case_numbers, self.case_stage, self.published_on
        )

    def content_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class SaveResult:
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    notice_ids: list[int] = field(default_factory=list)


def ensure_source(session: Session, slug: str, kind: str, **fields: Any) -> Source:
    """The Source row for ``slug``, created on first sight."""
    source = session.exec(select(Source).where(Source.slug == slug)).first()
    if source is None:
        source = Source(slug=slug, kind=kind, **fields)
        session.add(source)
        session.flush()
    return source


def save_notices(session: Session, records: Iterable[NoticeRecord]) -> SaveResult:
    """Insert new notices, revise changed ones, skip unchanged ones.

    A notice is identified by (source, external_id); a changed content hash
    keeps the earlier content as a :class:`NoticeVersion` and clears the
    notice's tags version so that it is classified and matched again.
    """
    result = SaveResult()
    for record in records:
        notice, outcome = _save_one(session, record)
        setattr(result, outcome, getattr(result, outcome) + 1)
        assert notice.id is not None
        result.notice_ids.append(notice.id)
        _link_cases(session, notice, record)
    session.flush()
    _link_follow_ups(session, result.notice_ids)
    return result


def _save_one(session: Session, record: NoticeRecord) -> tuple[Notice, str]:
    digest = record.content_hash()
    notice = session.exec(
        select(Notice).where(Notice.source == record.source, Notice.external_id == record.external_id)
    ).first()
    if notice is None:
        notice = Notice(
            source=record.source,
            external_id=record.external_id,
            doc_type=record.doc_type,
            country=record.country,
            title=record.title,
            content_hash=digest,
        )
        _apply(notice, record)
        session.add(notice)
        session.flush()
        return notice, "new"
    if notice.content_hash == digest:
        key = record.measure_key()
        if notice.measure_key != key:  # the key's rules changed since it was stored
            notice.measure_key = key
            session.add(notice)
        return notice, "unchanged"
    assert notice.id is not None
    session.add(
        NoticeVersion(
            notice_id=notice.id,
            version=notice.version,
            content_hash=notice.content_hash,
            content=_content_of(notice),
        )
    )
    _apply(notice, record)
    notice.content_hash = digest
    notice.version += 1
    notice.tagger_version = None
    notice.updated_at = utcnow()
    session.add(notice)
    session.flush()
    return notice, "revised"


def _apply(notice: Notice, record: NoticeRecord) -> None:
    for key in record.content():
        value = getattr(record, key)
        setattr(notice, key, list(value) if isinstance(value, tuple) else value)
    notice.measure_key = record.measure_key()


def _content_of(notice: Notice) -> dict[str, object]:
    keys = NoticeRecord.__dataclass_fields__.keys() - {"source", "external_id", "case_product"}
    return json.loads(json.dumps({k: getattr(notice, k) for k in keys}, default=str))


def _link_cases(session: Session, notice: Notice, record: NoticeRecord) -> None:
    for number in record.case_numbers:
        case = session.exec(select(Case).where(Case.case_number == number)).first()
        if case is None:
            case = Case(
                case_number=number,
                doc_type=record.doc_type if record.doc_type in TRADE_REMEDIES else "antidumping",
                country=record.country,
                product=record.case_product,
                subject_countries=list(record.subject_countries),
            )
            session.add(case)
            session.flush()
        link = session.exec(
            select(CaseNotice).where(CaseNotice.case_id == case.id, CaseNotice.notice_id == notice.id)
        ).first()
        if link is None:
            assert case.id is not None and notice.id is not None
            session.add(CaseNotice(case_id=case.id, notice_id=notice.id))


def _link_follow_ups(session: Session, notice_ids: Sequence[int]) -> None:
    """Point addenda, revisions and corrigenda at the notification they follow."""
    notices = session.exec(select(Notice).where(col(Notice.id).in_(notice_ids))).all()
    for notice in notices:
        symbol = wto_symbol(notice.external_id)
        if symbol is None or not symbol[1] or notice.revision_of is not None:
            continue
        # The base of the family, from whichever source reported it ("G/TBT/N/USA/1234" for
        # "G/TBT/N/USA/1234/Add.1", however spaced or cased).
        family = session.exec(
            select(Notice).where(Notice.measure_key == notice.measure_key).order_by(col(Notice.id))
        ).all()
        base = next((n for n in family if (s := wto_symbol(n.external_id)) is not None and not s[1]), None)
        if base is not None:
            notice.revision_of = base.id
            session.add(notice)
