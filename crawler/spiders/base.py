"""What every BarrierWatch spider shares: its source, polite requests that
report their failures, JSON reading with clear errors, links rebased onto the
configured site."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from sqlmodel import Session, col, select
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.items import NoticeItem
from crawler.middlewares import RedirectRefused
from crawler.sources import SourceSpec
from store.db import open_database
from store.models import Notice


class SourceFormatError(ValueError):
    """A response is not in the shape the source publishes (site changed or body broken)."""


class NoticeSpider(scrapy.Spider):
    """Base of every source spider.

    A spider is started with ``source=`` (a :class:`SourceSpec` or its dict);
    its ``name`` becomes the source slug. Problems met while crawling are
    collected in ``problems`` (the health extension records them on the
    source) and logged as errors.
    """

    source: SourceSpec
    # The real site of a spider that reads one: links found on a mirror (or the recordings
    # server) are stored as links to the real site, so that they do not change with the mirror.
    SITE: str | None = None

    def __init__(self, source: SourceSpec | dict[str, Any], **kwargs: Any) -> None:
        spec = source if isinstance(source, SourceSpec) else SourceSpec(**source)
        super().__init__(name=spec.slug, **kwargs)
        self.source = spec
        self.problems: list[str] = []
        self.skipped_items: list[str] = []
        self.validators: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NoticeSpider:
        if "source" not in kwargs:  # `scrapy crawl <slug>` by hand: the built-in source
            kwargs["source"] = _built_in_source(cls.name)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.read_settings(crawler.settings)
        return spider

    def read_settings(self, settings: Any) -> None:
        """Hook for spiders with settings of their own (called from ``from_crawler``)."""
        self.max_pages = settings.getint("BARRIERWATCH_MAX_PAGES")

    def stored_dates(self) -> dict[str, str]:
        """External id -> publication date (ISO, or "") of every notice this source has
        stored: what an incremental spider need not fetch again."""
        url = self.settings.get("BARRIERWATCH_DATABASE_URL")
        if not url or not self.settings.getbool("BARRIERWATCH_INCREMENTAL", True):
            return {}
        engine = open_database(url)
        try:
            with Session(engine) as session:
                rows = session.exec(
                    select(Notice.external_id, col(Notice.published_on)).where(
                        Notice.source == self.source.slug
                    )
                ).all()
        finally:
            engine.dispose()
        return {external_id: day.isoformat() if day else "" for external_id, day in rows}

    def report(self, problem: str) -> None:
        """A problem of the source (download, format): the crawl is a failure."""
        self.problems.append(problem)
        self.logger.error("source %s: %s", self.source.slug, problem)

    def report_item(self, problem: str) -> None:
        """A problem of one notice, which is left out: named on the source, not a failure."""
        self.skipped_items.append(problem)
        self.logger.warning("source %s: %s", self.source.slug, problem)

    def get(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        """A GET whose failure (after retries) is reported on the source."""
        return scrapy.Request(url, callback=callback, errback=self.download_failed, **kwargs)

    def download_failed(self, failure: Failure) -> None:
        self.report(describe_download_failure(failure, self.settings.getfloat("DOWNLOAD_TIMEOUT")))

    def site_url(self, path_or_url: str) -> str:
        """``path_or_url`` on the configured site: links the source gives on its
        real host are rebased, so a mirror or recording server is followed too."""
        parts = urlsplit(path_or_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.source.url.rstrip("/") + "/" + path.lstrip("/")

    def notice(self, **fields: Any) -> NoticeItem:
        """A notice of this source; country and doc_type default to the source's."""
        fields.setdefault("country", self.source.country)
        fields.setdefault("doc_type", self.source.doc_type)
        if isinstance(fields.get("url"), str):
            fields["url"] = self.real_url(fields["url"])
        return NoticeItem(source=self.source.slug, **fields)

    def link(self, response: Response, href: str) -> str:
        """A link of a page, resolved as on the real site (fetch it with :meth:`site_url`)."""
        return urljoin(self.real_url(response.url), href)

    def real_url(self, url: str) -> str:
        """``url`` on the real site when it lies under the configured (mirror) base."""
        base = self.source.url.rstrip("/")
        if self.SITE and url.startswith(base + "/") and base != self.SITE.rstrip("/"):
            return self.SITE.rstrip("/") + url[len(base) :]
        return url


def _built_in_source(slug: str) -> SourceSpec:
    from config import get_settings
    from crawler.sources import built_in_sources

    for spec in built_in_sources(get_settings()):
        if spec.slug == slug:
            return spec
    raise ValueError(f"spider {slug!r} needs a source: scrapy crawl {slug} -a source=... is not supported")


def strict_text(response: Response) -> str:
    """The body decoded with its declared encoding (BOM, HTTP charset, or meta/XML
    declaration), else as UTF-8, refusing bytes that do not belong to it: a mislabelled
    or unlabelled page is an error, not mojibake."""
    if not isinstance(response, TextResponse):
        raise SourceFormatError(f"{response.url} sent {_content_type(response)}, expected text")
    declared = response._declared_encoding()  # Scrapy's own reading of the declarations
    encoding = response.encoding if declared else "utf-8"
    try:
        return response.body.decode(encoding)
    except UnicodeDecodeError as exc:
        label = encoding if declared else "utf-8 and declares no charset"
        raise SourceFormatError(
            f"{response.url} is not valid {label}: byte {response.body[exc.start]:#04x} at offset {exc.start}"
            " (wrong or missing charset)"
        ) from None


def read_json(response: Response) -> Any:
    """The JSON body, or :class:`SourceFormatError` naming the URL and the fault."""
    text = strict_text(response)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SourceFormatError(f"malformed JSON from {response.url}: {exc}") from None


def expect(condition: bool, response: Response, what: str) -> None:
    """Raise :class:`SourceFormatError` unless the response has ``what``."""
    if not condition:
        raise SourceFormatError(f"{response.url}: expected {what}; the source's format may have changed")


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"no Content-Type").decode("latin-1")


def describe_download_failure(failure: Failure, timeout: float) -> str:
    """One clear line for a failed download (after Scrapy's retries)."""
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status} from {error.response.url}"
    if isinstance(error, DownloadTimeoutError | TwistedTimeoutError):
        return f"timed out after {timeout:g}s fetching {url}"
    if isinstance(error, ResponseDataLossError | ResponseFailed):
        return f"truncated or broken response from {url} (the connection closed before the whole body came)"
    if isinstance(error, DownloadCancelledError):
        reason = failure.getErrorMessage()
        return f"download of {url} cancelled (larger than the size limit, or stopped): {reason}"
    if isinstance(error, RedirectRefused):
        return f"not fetched: {url}: {failure.getErrorMessage()}"
    if isinstance(error, IgnoreRequest) and "max redirections" in failure.getErrorMessage():
        return f"not fetched: {url}: too many redirects (a redirect loop?)"
    if isinstance(error, IgnoreRequest):
        return f"not fetched: {url} ({failure.getErrorMessage() or 'ignored'}, e.g. forbidden by robots.txt)"
    return f"{type(error).__name__} fetching {url}: {failure.getErrorMessage()}"
