"""Any RSS or Atom feed declared in sources.toml (``kind = "feed"``).

The fetch is conditional (If-None-Match / If-Modified-Since from the last
successful crawl): an unchanged feed answers 304 and costs nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawler.feeds.reader import FeedProblem, entry_fields, parse_feed
from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider


class FeedSpider(NoticeSpider):
    """One feed: each entry becomes a notice with the feed's country and doc_type."""

    name = "feed"

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(
            self.source.url,
            self.parse,
            headers=self._conditional_headers(),
            meta={"handle_httpstatus_list": [304]},
        )

    def _conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.source.etag:
            headers["If-None-Match"] = self.source.etag
        if self.source.last_modified:
            headers["If-Modified-Since"] = self.source.last_modified
        return headers

    def parse(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        self._keep_validators(response)
        if response.status == 304:
            self.logger.info("source %s: not modified since the last crawl", self.source.slug)
            return
        try:
            entries, encoding_note = parse_feed(response.body, _header(response, "Content-Type"))
        except FeedProblem as exc:
            self.validators.clear()  # refetch in full next time
            self.report(f"{response.url}: {exc}")
            return
        if encoding_note:
            self.logger.warning("source %s: %s", self.source.slug, encoding_note)
        for entry in entries:
            yield self.notice(**entry_fields(entry))

    def _keep_validators(self, response: Response) -> None:
        for header, key in (("ETag", "etag"), ("Last-Modified", "last_modified")):
            value = _header(response, header)
            if value:
                self.validators[key] = value


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
