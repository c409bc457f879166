"""Crawl health: every spider's outcome is written on its Source row.

A crawl with any problem of the source (download failure, unreadable
response, storage error) counts as a failure of the source, with the problems
as ``last_error``; notices that were fine are still stored. A notice invalid
on its own (a missing title, a bad date) is left out and named on the source,
but does not fail it. A crawl without
problems sets ``last_success_at`` and keeps the feed validators (ETag,
Last-Modified) for the next conditional fetch. Each outcome is also appended
as one JSON line to the results file, for the process that started the crawl.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from config import get_settings
from crawler.pipelines import InvalidNotice
from crawler.sources import record_outcome
from crawler.spiders.base import NoticeSpider, SourceFormatError
from store.db import open_database
from store.sources import CrawlOutcome


class SourceHealth:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url = crawler.settings.get("BARRIERWATCH_DATABASE_URL") or get_settings().database_url
        results = crawler.settings.get("BARRIERWATCH_RESULTS_FILE")
        self.results_file = Path(results) if results else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceHealth:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_error, signal=signals.spider_error)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_error(self, failure: Failure, response: Response, spider: NoticeSpider) -> None:
        if isinstance(failure.value, SourceFormatError):
            spider.report(str(failure.value))
        else:
            spider.report(
                f"could not read {response.url}: {type(failure.value).__name__}: {failure.getErrorMessage()}"
            )

    def item_dropped(self, item: Any, response: Response, exception: Exception, spider: NoticeSpider) -> None:
        if isinstance(exception, InvalidNotice):
            spider.report_item(str(exception))

    def item_error(self, item: Any, response: Response, spider: NoticeSpider, failure: Failure) -> None:
        spider.report(f"could not store a notice: {failure.getErrorMessage()}")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert isinstance(spider, NoticeSpider)
        if reason != "finished":
            spider.problems.append(f"crawl stopped early: {reason}")
        outcome = self._outcome(spider)
        spec = spider.source
        engine = open_database(self.database_url)
        try:
            record_outcome(engine, spec, outcome)
        finally:
            engine.dispose()
        self._write_result(spec.slug, outcome)

    def _outcome(self, spider: NoticeSpider) -> CrawlOutcome:
        stats = self.crawler.stats
        assert stats is not None
        robots = stats.get_value("robotstxt/response_count", 0)
        return CrawlOutcome(
            problems=list(spider.problems),
            new=stats.get_value("barrierwatch/new", 0),
            revised=stats.get_value("barrierwatch/revised", 0),
            unchanged=stats.get_value("barrierwatch/unchanged", 0),
            pages=stats.get_value("response_received_count", 0) - robots,
            etag=spider.validators.get("etag"),
            last_modified=spider.validators.get("last_modified"),
            skipped_items=list(spider.skipped_items),
        )

    def _write_result(self, slug: str, outcome: CrawlOutcome) -> None:
        if self.results_file is None:
            return
        with self.results_file.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"slug": slug, **outcome.to_json()}, ensure_ascii=False) + "\n")
