"""Item pipelines, one job each: validate → drop repeats → store (new, revised or unchanged)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy.engine import Engine

from config import get_settings
from crawler.items import NoticeItem
from crawler.records import notice_record
from store.db import open_database, session_scope
from store.notices import NoticeRecord, save_notices


class InvalidNotice(DropItem):
    """A notice the source sent with missing or wrong fields (a source problem)."""


class RepeatedNotice(DropItem):
    """A notice already seen in this crawl (not a problem)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class ValidateNotice:
    """Turn each :class:`NoticeItem` into a :class:`NoticeRecord`, or drop it
    with an error naming the notice and every bad field."""

    def process_item(self, item: NoticeItem) -> NoticeRecord:
        raw = dict(item)
        record, problems = notice_record(raw, f"notice {raw.get('id')!r}")
        if record is None:
            reasons = "; ".join(f"{p.field}: {p.message}" for p in problems)
            raise InvalidNotice(f"invalid notice {raw.get('id')!r} (left out): {reasons}")
        return record


class DropRepeats:
    """Keep the first of notices a source lists twice in one crawl (joint WTO
    notifications, overlapping result pages); a changed repeat is stored
    by a later crawl as a revision, never as a duplicate."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, record: NoticeRecord) -> NoticeRecord:
        if record.external_id in self.seen:
            raise RepeatedNotice(f"repeat of notice {record.external_id!r} in this crawl")
        self.seen.add(record.external_id)
        return record


class StoreNotices:
    """Save records in batches with :func:`store.notices.save_notices`
    (insert new, revise changed, skip unchanged); counts go to the crawl stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url = crawler.settings.get("BARRIERWATCH_DATABASE_URL") or get_settings().database_url
        self.batch_size = crawler.settings.getint("BARRIERWATCH_STORE_BATCH")
        self.batch: list[NoticeRecord] = []
        self.engine: Engine | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreNotices:
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = open_database(self.database_url)

    def process_item(self, record: NoticeRecord) -> NoticeRecord:
        self.batch.append(record)
        if len(self.batch) >= self.batch_size:
            self._flush()
        return record

    def close_spider(self) -> None:
        try:
            self._flush()
        except Exception as exc:  # the source's health must show it, not only the log
            report = getattr(self.crawler.spider, "report", None)
            if report is not None:
                report(f"could not store {len(self.batch)} notices: {type(exc).__name__}: {exc}")
        finally:
            if self.engine is not None:
                self.engine.dispose()

    def _flush(self) -> None:
        if not self.batch:
            return
        assert self.engine is not None and self.crawler.stats is not None
        with session_scope(self.engine) as session:
            saved = save_notices(session, self.batch)
        self.batch = []
        for outcome in ("new", "revised", "unchanged"):
            self.crawler.stats.inc_value(f"barrierwatch/{outcome}", getattr(saved, outcome))
