"""Downloader middlewares that make a crawl polite per host and keep redirects at home.

All the sources of a crawl run as separate Scrapy crawlers in one process; Scrapy's own
download slots and robots.txt cache belong to one crawler each. Here they are shared:

- :class:`HostSlots`: at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` requests at a time to
  one host (host and port) across every crawler of the process, ``DOWNLOAD_DELAY`` apart;
- :class:`SharedRobotsTxt`: robots.txt fetched once per host per crawl process;
- :class:`HomeRedirects` / :class:`HomeMetaRefresh`: a redirect to another host is refused
  unless the source declares that host (``redirect_hosts`` in sources.toml); when one is
  followed, credentials (API key headers, Authorization, Cookie) are dropped; a redirect
  loop is a failure, not a page silently dropped by the duplicate filter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import defer, reactor, task

# Request headers that carry credentials: never sent to a host other than the one they were meant for.
CREDENTIAL_HEADERS = (
    "Ocp-Apim-Subscription-Key",
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "X-Api-Key",
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HELD = "barrierwatch_host_slot"


class RedirectRefused(IgnoreRequest):
    """A redirect that leaves the source's host, or goes round in a loop."""


@dataclass
class _Host:
    semaphore: defer.DeferredSemaphore
    next_start: float = 0.0
    waiting: list[Any] = field(default_factory=list)


class HostSlots:
    """One download slot per host shared by every crawler of the process."""

    hosts: dict[str, _Host] = {}  # noqa: RUF012  (process-wide on purpose)

    def __init__(self, crawler: Crawler) -> None:
        self.per_host = max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1))
        self.delay = max(0.0, crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostSlots:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        key = host_key(request.url)
        host = self.hosts.setdefault(key, _Host(defer.DeferredSemaphore(self.per_host)))
        await host.semaphore.acquire()
        request.meta[_HELD] = key
        wait = host.next_start - time.monotonic()
        host.next_start = max(host.next_start, time.monotonic()) + self.delay
        if wait > 0:
            await task.deferLater(reactor, wait)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        key = request.meta.pop(_HELD, None)
        if key is not None:
            self.hosts[key].semaphore.release()


class SharedRobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with one cache for the whole process."""

    parsers: dict[str, Any] = {}  # noqa: RUF012  (process-wide on purpose)

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._parsers = self.parsers


def host_key(url: str) -> str:
    """``host:port`` of a URL, the port made explicit (``example.org:443``)."""
    parts = urlsplit(url)
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    return f"{(parts.hostname or '').lower()}:{port}"


def same_site(source: str, target: str) -> bool:
    """True when ``target`` is on the host of ``source``; moving from http to https on
    the same host name counts as the same site."""
    if host_key(source) == host_key(target):
        return True
    a, b = urlsplit(source), urlsplit(target)
    upgraded = (a.scheme, b.scheme) == ("http", "https") and a.port in (None, 80) and b.port in (None, 443)
    return upgraded and (a.hostname or "").lower() == (b.hostname or "").lower()


class _HomeRedirectMixin:
    crawler: Crawler

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise RedirectRefused(f"redirect loop: {' -> '.join([*chain, redirected.url])}")
        home = chain[0]
        if not same_site(home, redirected.url):
            allowed = _declared_hosts(self.crawler)
            if (urlparse_cached(redirected).hostname or "").lower() not in allowed:
                raise RedirectRefused(
                    f"redirect from {home} to another host refused: {redirected.url}"
                    " (declare the host in the source's redirect_hosts to follow it)"
                )
            for header in CREDENTIAL_HEADERS:
                redirected.headers.pop(header, None)
        followed: Request = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        followed.dont_filter = True  # a redirect is never silently dropped as a repeat
        return followed


def _declared_hosts(crawler: Crawler) -> set[str]:
    source = getattr(crawler.spider, "source", None)
    return {h.lower() for h in getattr(source, "redirect_hosts", ()) or ()}


class HomeRedirects(_HomeRedirectMixin, RedirectMiddleware):
    """Scrapy's redirects (3xx), kept on the source's host."""


class HomeMetaRefresh(_HomeRedirectMixin, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, kept on the source's host."""
