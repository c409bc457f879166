"""Politeness per host across the sources of one crawl, and redirects that stay home."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

from config import Settings
from crawler.crawl import crawl
from crawler.recordings import SeenRequest, serve_recordings
from crawler.sources import declared_sources
from tests.crawl_support import crawl_source, stored_notices

FEEDS = ("us_fr_adcvd_rss", "us_itc_notices_atom", "cn_remedy_alerts_gb2312", "eu_sps_fr_latin1")


def declare_feeds(path: Path, urls: dict[str, str]) -> None:
    path.write_text(
        "\n".join(
            f'[[source]]\nslug = "{slug}"\nkind = "feed"\nurl = "{url}"\n'
            'country = "US"\ndoc_type = "regulation"\n'
            for slug, url in urls.items()
        ),
        encoding="utf-8",
    )


def slow_feeds(recordings: Path, seconds: float) -> None:
    routes = [{"path": f"/{slug}/feed.xml", "file": f"{slug}/feed.xml", "delay": seconds} for slug in FEEDS]
    (recordings / "feeds" / "_routes.json").write_text(json.dumps(routes))


def test_feeds_on_one_host_never_overlap_and_robots_txt_is_read_once(recordings, quick_crawls, sqlite_db):
    database_url, _engine = sqlite_db
    slow_feeds(recordings, 0.15)
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        # Eight sources on one host: each feed twice, under two slugs (the query is ignored).
        urls = {
            f"{slug}_{n}": f"{base_urls['feeds']}/{slug}/feed.xml?copy={n}" for slug in FEEDS for n in (1, 2)
        }
        settings = Settings()
        declare_feeds(settings.sources, urls)
        results = crawl(database_url, declared_sources(settings.sources), settings)
    assert [r.status for r in results] == ["ok"] * 8, [r.problems for r in results]
    feeds = sorted((r for r in seen if r.path.startswith("/feeds/")), key=lambda r: r.started)
    assert len(feeds) == 8
    overlaps = [(a.path, b.path) for a, b in pairwise(feeds) if b.started < a.finished]
    assert overlaps == []
    assert [r.path for r in seen].count("/robots.txt") == 1


def test_two_requests_per_host_when_configured_and_never_more(recordings, quick_crawls, sqlite_db):
    database_url, _engine = sqlite_db
    slow_feeds(recordings, 0.2)
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        urls = {
            f"{slug}_{n}": f"{base_urls['feeds']}/{slug}/feed.xml?copy={n}" for slug in FEEDS for n in (1, 2)
        }
        settings = Settings()
        declare_feeds(settings.sources, urls)
        crawl(
            database_url, declared_sources(settings.sources), settings, {"CONCURRENT_REQUESTS_PER_DOMAIN": 2}
        )
    feeds = [r for r in seen if r.path.startswith("/feeds/")]
    most = max(sum(1 for b in feeds if b.started <= a.started < b.finished) for a in feeds)
    assert most == 2


def redirect(recordings: Path, slug: str, path: str, location: str) -> None:
    routes_file = recordings / slug / "_routes.json"
    routes = json.loads(routes_file.read_text()) if routes_file.exists() else []
    route = {"path": path, "file": "PROVENANCE.md", "status": 302, "headers": {"Location": location}}
    routes_file.write_text(json.dumps([route, *routes]))


def test_redirect_loop_is_a_failure_naming_the_loop(recorded_sites, recordings, settings, sqlite_db):
    database_url, _engine = sqlite_db
    feeds = recorded_sites["feeds"]
    redirect(recordings, "feeds", "/loop/a.xml", f"{feeds}/loop/b.xml")
    redirect(recordings, "feeds", "/loop/b.xml", f"{feeds}/loop/a.xml")
    declare_feeds(settings.sources, {"looping": f"{feeds}/loop/a.xml"})
    (result,) = crawl(database_url, declared_sources(settings.sources), settings)
    assert result.status == "failed"
    assert "redirect loop" in result.problems[0] and "/loop/a.xml -> " in result.problems[0]


def test_redirect_to_another_host_is_refused(recorded_sites, recordings, settings, sqlite_db):
    database_url, engine = sqlite_db
    with serve_recordings(recordings) as elsewhere:  # another port: another host
        redirect(recordings, "feeds", "/moved/feed.xml", f"{elsewhere['feeds']}/us_fr_adcvd_rss/feed.xml")
        declare_feeds(settings.sources, {"moved": f"{recorded_sites['feeds']}/moved/feed.xml"})
        (result,) = crawl(database_url, declared_sources(settings.sources), settings)
    assert result.status == "failed"
    assert "to another host refused" in result.problems[0]
    assert stored_notices(engine) == {}


def test_declared_redirect_host_is_followed_without_the_api_key(
    recorded_sites, recordings, settings, sqlite_db, monkeypatch
):
    database_url, engine = sqlite_db
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as elsewhere:
        redirect(
            recordings,
            "wto_eping",
            "/eping/notifications/search",
            f"{elsewhere['wto_eping']}/eping/notifications/search.json",
        )
        settings.sources.write_text(
            f'[[source]]\nslug = "wto_eping"\nkind = "wto_eping"\nurl = "{recorded_sites["wto_eping"]}"\n'
            'redirect_hosts = ["127.0.0.1"]\n',
            encoding="utf-8",
        )
        result = crawl_source("wto_eping", database_url, eping_api_key="secret-key")
    assert result.status == "ok", result.problems
    assert stored_notices(engine)  # the redirect target was read
    followed = [r for r in seen if r.path.endswith("search.json")]
    assert followed and all("Ocp-Apim-Subscription-Key" not in r.headers for r in followed)


def test_undeclared_redirect_with_a_key_is_refused_and_the_key_never_leaves(
    recorded_sites, recordings, sqlite_db
):
    database_url, _engine = sqlite_db
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as elsewhere:
        redirect(
            recordings,
            "wto_eping",
            "/eping/notifications/search",
            f"{elsewhere['wto_eping']}/eping/notifications/search.json",
        )
        result = crawl_source("wto_eping", database_url, eping_api_key="secret-key")
    assert result.status == "failed" and "to another host refused" in result.problems[0]
    assert seen == []


def test_meta_refresh_to_another_host_is_refused_too(recorded_sites, recordings, sqlite_db):
    database_url, _engine = sqlite_db
    with serve_recordings(recordings) as elsewhere:
        page = recordings / "cn_cacs_trade_remedies" / "list" / "ajycs" / "ckyy" / "1" / "cateinfo.html"
        target = f"{elsewhere['cn_cacs_trade_remedies']}/list/ajycs/ckyy/1/cateinfo.html"
        page.write_text(
            f'<html><head><meta http-equiv="refresh" content="0;url={target}"></head><body></body></html>',
            encoding="utf-8",
        )
        result = crawl_source("cn_cacs_trade_remedies", database_url)
    assert result.status == "failed"
    assert "to another host refused" in result.problems[0]
