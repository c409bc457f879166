"""Crawl throughput and recrawl cost, on recorded pages served from 127.0.0.1.

- ``crawl_pages_per_s``: the real crawl path (subprocess, Scrapy engine, CACS
  spider parsing GB2312 articles, validation, storage) over N article pages
  plus their list pages, one request at a time per site as in production (no
  politeness delay); baseline: a bare httpx async fetch of the same URLs by one
  worker, in the same run, interleaved A B A B.
- ``crawl_pages_per_s_16_per_site``: the same crawl with 16 requests at a time per
  site; baseline: httpx with 32 workers.
- ``recrawl_unchanged_site_s``: a second crawl of the unchanged site (every page
  fetched again, every notice found unchanged); baseline: the first crawl.
- ``recrawl_unchanged_feed_s``: a second crawl of an unchanged N-entry feed
  (answered 304 to the conditional GET); baseline: the first crawl.
"""

from __future__ import annotations

import asyncio
import json
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
    first = _crawl_seconds(database, base_urls, 1)
    again = _crawl_seconds(database, base_urls, 1)
    yield Figure("recrawl_unchanged_site_s", again, "s", first)
    feed = SourceSpec("bench_feed", "feed", base_urls["bench_feed"] + "/feed.xml", "US", "regulation")
    first = _crawl_seconds(folder / "feed.db", base_urls, 1, feed)
    again = _crawl_seconds(folder / "feed.db", base_urls, 1, feed)
    yield Figure("recrawl_unchanged_feed_s", again, "s", first)


def _crawl_seconds(
    database: Path, base_urls: dict[str, str], per_site: int, spec: SourceSpec | None = None
) -> float:
    settings = Settings(database_url=f"sqlite:///{database}", crawl_delay=0, crawl_max_pages=10_000)
    spec = spec or SourceSpec(SLUG, SLUG, base_urls[SLUG], None, "antidumping")
    overrides = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_site,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    (result,) = crawl(settings.database_url, [spec], settings, overrides)
    elapsed = time.perf_counter() - started
    if result.status != "ok":
        raise RuntimeError(f"bench crawl failed: {result.problems[:3]}")
    return elapsed


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
    """A CACS-shaped site of ``articles`` GB2312 article pages and their list pages,
    plus an RSS feed of as many entries; returns the site's page paths."""
    site = root / SLUG
    (site / "cacscms/article").mkdir(parents=True)
    (site / "cacscms/view/notice").mkdir(parents=True)
    routes, paths = [], []
    pages = (articles + LINKS_PER_LIST_PAGE - 1) // LINKS_PER_LIST_PAGE
    for page in range(1, pages + 1):
        ids = range((page - 1) * LINKS_PER_LIST_PAGE, min(page * LINKS_PER_LIST_PAGE, articles))
        name = f"cacscms/view/notice/ckys-{page}.html"
        (site / name).write_text(_list_page(ids, page < pages, page), encoding="utf-8")
        routes.append({"path": "/cacscms/view/notice/ckys", "query": {"page": str(page)}, "file": name})
        paths.append(f"/cacscms/view/notice/ckys?page={page}")
    routes.append({"path": "/cacscms/view/notice/ckys", "file": "cacscms/view/notice/ckys-1.html"})
    for number in range(articles):
        name = f"cacscms/article/ckys-{number}.html"
        (site / name).write_bytes(_article(number).encode("gb2312"))
        routes.append({"path": "/cacscms/article/ckys", "query": {"articleId": str(number)}, "file": name})
        paths.append(f"/cacscms/article/ckys?articleId={number}")
    (site / "_routes.json").write_text(json.dumps(routes))
    (root / "bench_feed").mkdir()
    (root / "bench_feed" / "feed.xml").write_text(_feed(articles), encoding="utf-8")
    return paths


def _list_page(ids: range, has_next: bool, page: int) -> str:
    items = "".join(
        f'<li><a href="/cacscms/article/ckys?articleId={i}">美国对华产品{i}反倾销初裁</a></li>' for i in ids
    )
    pager = f'<a class="next" href="/cacscms/view/notice/ckys?page={page + 1}">下一页</a>' if has_next else ""
    return (
        f'<html><head><meta charset="utf-8"></head><body><div class="news-list"><ul>{items}</ul></div>'
        f'<div class="pager">{pager}</div></body></html>'
    )


def _article(number: int) -> str:
    body = "".join(
        f"<p>美国商务部对原产于中国的产品{number}作出反倾销初裁，"
        f"税号4418.75.{number % 100:02d}。第{k}段。</p>"
        for k in range(8)
    )
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
        f'<div class="article"><h1 class="article-title">美国对华产品{number}反倾销初裁</h1>'
        f'<div class="article-info">发布时间：2026-11-{1 + number % 28:02d}</div>'
        f'<div class="article-content">{body}</div></div></body></html>'
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
