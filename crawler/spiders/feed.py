"""Any RSS or Atom feed declared in sources.toml (``kind = "feed"``).

A trade-remedy feed may declare ``subject_countries`` (the countries its notices
target) and ``extract = "trade_remedy_title"`` (product, subject countries, remedy
and stage read from each title), so that its notices reach the exporters concerned.
One entry that cannot be read is left out and named on the source; the rest are stored.

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
from crawler.trade_remedies import title_facts


class FeedSpider(NoticeSpider):
    """One feed: each entry becomes a notice with the feed's country and doc_type."""

    name = "feed"

    def feed_url(self) -> str:
        """Where the feed is: the source's URL (a spider reading a site's feed gives its path)."""
        return self.source.url

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(
            self.feed_url(),
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
        for number, entry in enumerate(entries, start=1):
            try:
                fields = entry_fields(entry, response.url)
            except (ValueError, TypeError, AttributeError) as exc:  # one odd entry, not the feed
                self.report_item(f"entry {entry.get('id') or number} left out: {type(exc).__name__}: {exc}")
                continue
            extracted = self.extract(fields)
            if extracted is not None:
                yield self.notice(**extracted)

    def extract(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        """The entry's fields with the source's ``subject_countries`` and, when the source
        declares ``extract = "trade_remedy_title"``, the case facts its title states.
        A spider built on this one returns None for an entry that is not its kind of notice."""
        if self.source.subject_countries:
            fields["subject_countries"] = list(self.source.subject_countries)
        if self.source.extract == "trade_remedy_title":
            fields.update(title_facts(str(fields.get("title") or ""), str(fields.get("text") or "")))
        return fields

    def _keep_validators(self, response: Response) -> None:
        for header, key in (("ETag", "etag"), ("Last-Modified", "last_modified")):
            value = _header(response, header)
            if value:
                self.validators[key] = value


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
