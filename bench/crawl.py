"""Crawl throughput and recrawl cost, on recorded pages served from 127.0.0.1.

- ``crawl_pages_per_s``: the real crawl path (subprocess, Scrapy engine, CACS
  spider parsing UTF-8 articles, validation, storage) over N article pages
  plus their list pages, one request at a time per site as in production (no
  politeness delay); baseline: a bare httpx async fetch of the same URLs by one
  worker, in the same run, interleaved A B A B.
- ``crawl_pages_per_s_16_per_site``: the same crawl with 16 requests at a time per
  site; baseline: httpx with 32 workers.
- ``recrawl_unchanged_site_s`` / ``recrawl_unchanged_site_pages``: a recrawl of the
  unchanged site as the spider does it now (stored articles are not fetched again, paging
  stops at the first list page with nothing new); baseline: the recrawl as it was before
  (``BARRIERWATCH_INCREMENTAL`` off: every page fetched again, every notice found unchanged).
- ``recrawl_unchanged_feed_s``: a second crawl of an unchanged N-entry feed
  (answered 304 to the conditional GET); baseline: the first crawl.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.figures import Figure
from config import Settings
from crawler.crawl import crawl
from crawler.recordings import serve_recordings
from crawler.sources import SourceSpec

LINKS_PER_LIST_PAGE = 50
SLUG = "cn_cacs_trade_remedies"


def run(quick: bool) -> Iterator[Figure]:
    articles = 200 if quick else 1000
    rounds = 1 if quick else 2
    with tempfile.TemporaryDirectory(prefix="bw-bench-") as folder:
        root = Path(folder) / "recordings"
        urls = write_site(root, articles)
        with serve_recordings(root) as base_urls:
            yield from _throughput(Path(folder), base_urls, urls, rounds)
            yield from _recrawls(Path(folder), base_urls)


def _throughput(folder: Path, base_urls: dict[str, str], paths: list[str], rounds: int) -> Iterator[Figure]:
    page_urls = [base_urls[SLUG] + p for p in paths]
    rates: dict[str, list[float]] = {"httpx_1": [], "httpx_32": [], "polite": [], "parallel": []}
    for number in range(rounds):  # interleaved: the machine's drift hits both sides alike
        rates["httpx_1"].append(len(page_urls) / _timed(lambda: asyncio.run(fetch_all(page_urls, workers=1))))
        rates["polite"].append(len(page_urls) / _crawl_seconds(folder / f"polite-{number}.db", base_urls, 1))
        rates["httpx_32"].append(
            len(page_urls) / _timed(lambda: asyncio.run(fetch_all(page_urls, workers=32)))
        )
        rates["parallel"].append(
            len(page_urls) / _crawl_seconds(folder / f"parallel-{number}.db", base_urls, 16)
        )
    median = {name: statistics.median(values) for name, values in rates.items()}
    yield Figure("crawl_pages_per_s", median["polite"], "pages/s", median["httpx_1"])
    yield Figure("crawl_pages_per_s_16_per_site", median["parallel"], "pages/s", median["httpx_32"])


def _recrawls(folder: Path, base_urls: dict[str, str]) -> Iterator[Figure]:
    database = folder / "recrawl.db"
    _crawl_seconds(database, base_urls, 1)
    full, full_pages = _crawl(database, base_urls, 1, incremental=False)  # every page again (before #16)
    again, pages = _crawl(database, base_urls, 1)  # stored articles skipped, paging stops
    yield Figure("recrawl_unchanged_site_s", again, "s", full)
    yield Figure("recrawl_unchanged_site_pages", pages, "pages", full_pages)
    feed = SourceSpec("bench_feed", "feed", base_urls["bench_feed"] + "/feed.xml", "US", "regulation")
    first = _crawl_seconds(folder / "feed.db", base_urls, 1, feed)
    again = _crawl_seconds(folder / "feed.db", base_urls, 1, feed)
    yield Figure("recrawl_unchanged_feed_s", again, "s", first)


def _crawl_seconds(
    database: Path, base_urls: dict[str, str], per_site: int, spec: SourceSpec | None = None
) -> float:
    return _crawl(database, base_urls, per_site, spec)[0]


def _crawl(
    database: Path,
    base_urls: dict[str, str],
    per_site: int,
    spec: SourceSpec | None = None,
    incremental: bool = True,
) -> tuple[float, int]:
    """Seconds and pages of one crawl of ``spec`` (the CACS-shaped site by default)."""
    settings = Settings(database_url=f"sqlite:///{database}", crawl_delay=0, crawl_max_pages=10_000)
    spec = spec or SourceSpec(SLUG, SLUG, base_urls[SLUG], None, "antidumping")
    overrides = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_site,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "BARRIERWATCH_INCREMENTAL": incremental,
    }
    started = time.perf_counter()
    (result,) = crawl(settings.database_url, [spec], settings, overrides)
    elapsed = time.perf_counter() - started
    if result.status != "ok":
        raise RuntimeError(f"bench crawl failed: {result.problems[:3]}")
    return elapsed, result.pages


async def fetch_all(urls: list[str], workers: int) -> None:
    """Fetch every URL with ``workers`` concurrent httpx tasks; bodies are read and dropped."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    async with httpx.AsyncClient(timeout=30) as client:

        async def worker() -> None:
            while not queue.empty():
                response = await client.get(queue.get_nowait())
                response.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(workers)))


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def write_site(root: Path, articles: int) -> list[str]:
    """A CACS-shaped site (as ../shared/SOURCES.md describes it) of ``articles`` UTF-8
    article pages and their list pages, plus an RSS feed of as many entries; returns
    the site's page paths."""
    site = root / SLUG
    (site / "article/bench").mkdir(parents=True)
    paths = []
    pages = (articles + LINKS_PER_LIST_PAGE - 1) // LINKS_PER_LIST_PAGE
    for page in range(1, pages + 1):
        ids = range((page - 1) * LINKS_PER_LIST_PAGE, min(page * LINKS_PER_LIST_PAGE, articles))
        name = f"list/ajycs/ckyy/{page}/cateinfo.html"
        (site / name).parent.mkdir(parents=True)
        (site / name).write_text(_list_page(ids), encoding="utf-8")
        paths.append("/" + name)
    for number in range(articles):
        name = f"article/bench/{number}.html"
        (site / name).write_text(_article(number), encoding="utf-8")
        paths.append("/" + name)
    (root / "bench_feed").mkdir()
    (root / "bench_feed" / "feed.xml").write_text(_feed(articles), encoding="utf-8")
    return paths


def _list_page(ids: range) -> str:
    items = "".join(
        f'<li><a href="/article/bench/{i}.html">美国对华产品{i}反倾销初裁</a><span>{_day(i)}</span></li>'
        for i in ids
    )
    return f'<html><head><meta charset="utf-8"></head><body><ul id="infoList">{items}</ul></body></html>'


def _day(number: int) -> str:
    return f"2026-11-{1 + number % 28:02d}"


def _article(number: int) -> str:
    body = "".join(
        f"<p>美国商务部对原产于中国的产品{number}作出反倾销初裁，"
        f"税号4418.75.{number % 100:02d}。第{k}段。</p>"
        for k in range(8)
    )
    return (
        '<html><head><meta charset="utf-8"></head><body><section class="article">'
        f'<h1 id="show_title">美国对华产品{number}反倾销初裁</h1>'
        f'<h2 id="show_time">{_day(number)} 10:00:00 商务部贸易救济调查局</h2>'
        f'{body}<div class="lawShow">免责声明</div></section></body></html>'
    )


def _feed(entries: int) -> str:
    items = "".join(
        f"<item><title>Notice {i}</title><guid>bench-{i}</guid>"
        f"<description>&lt;p&gt;Text of notice {i}.&lt;/p&gt;</description>"
        "<pubDate>Mon, 23 Nov 2026 00:00:00 +0000</pubDate></item>"
        for i in range(entries)
    )
    channel = f"<channel><title>bench</title>{items}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{channel}</rss>'
