"""Starting crawls: sources.toml, politeness settings, robots.txt, the recording server."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from config import Settings
from crawler.crawl import crawl, scrapy_settings
from crawler.recordings import SeenRequest, serve_recordings
from crawler.sources import SourceSpec, all_sources, declared_sources
from store.errors import InputError
from tests.crawl_support import crawl_source


def test_sources_toml_problems_name_the_table_and_field(tmp_path: Path):
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nslug = "ok_feed"\nkind = "feed"\nurl = "https://example.invalid/rss"\n'
        'country = "Japan"\ndoc_type = "tbt"\n\n'
        '[[source]]\nslug = "Bad Slug"\nkind = "scraper"\nurl = "ftp://x"\ncountry = "Atlantis"\n'
        'doc_type = "tariff"\nenabled = "no"\n\n'
        '[[source]]\nslug = "ok_feed"\nkind = "feed"\nurl = "https://example.invalid/other"\n'
        'country = "JP"\ndoc_type = "tbt"\n'
    )
    with pytest.raises(InputError) as raised:
        declared_sources(path)
    problems = {(p.where, p.field) for p in raised.value.problems}
    fields = ("slug", "kind", "url", "country", "doc_type", "enabled")
    assert problems == {("source 2", f) for f in fields} | {("source 3", "slug")}


def test_declared_source_with_a_spider_slug_repoints_that_spider(tmp_path: Path, monkeypatch):
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nslug = "us_cpsc_recalls"\nkind = "us_cpsc_recalls"\nurl = "http://mirror.invalid"\n'
    )
    monkeypatch.setenv("BW_SOURCES", str(path))
    (cpsc,) = [s for s in all_sources(Settings()) if s.slug == "us_cpsc_recalls"]
    assert cpsc.url == "http://mirror.invalid"


def test_crawls_are_polite_by_default(monkeypatch):
    monkeypatch.setenv("BW_CONTACT_EMAIL", "ops@bureau.example")
    scrapy = scrapy_settings(Settings(), "sqlite:///x.db")
    assert scrapy["USER_AGENT"] == "BarrierWatch/0.1 (+mailto:ops@bureau.example)"
    assert scrapy["ROBOTSTXT_OBEY"] is True
    assert (scrapy["DOWNLOAD_DELAY"], scrapy["DOWNLOAD_TIMEOUT"], scrapy["RETRY_TIMES"]) == (1.0, 30.0, 2)
    from crawler import settings as project

    assert project.CONCURRENT_REQUESTS_PER_DOMAIN == 1 and project.AUTOTHROTTLE_ENABLED
    assert project.REMOTE_CONTROL_ENABLED is False


def test_robots_txt_is_obeyed(recorded_sites, recordings, sqlite_db):
    (recordings / "robots.txt").write_text("User-agent: *\nDisallow: /us_cpsc_recalls/\n")
    result = crawl_source("us_cpsc_recalls", sqlite_db[0])
    assert result.status == "failed" and "robots.txt" in result.problems[0]


def test_unknown_source_is_refused_by_the_cli(recorded_sites):
    run = CliRunner().invoke(app, ["crawl", "--source", "nowhere"])
    assert run.exit_code == 1 and "unknown source 'nowhere'" in run.output


def test_cli_crawls_one_source(recorded_sites):
    run = CliRunner().invoke(app, ["crawl", "--source", "us_cpsc_recalls"])
    assert run.exit_code == 0, run.output
    assert "us_cpsc_recalls: ok, 2 new, 0 revised, 0 unchanged, 1 pages" in run.output


def test_recording_server_answers_conditional_requests_and_stays_in_its_folder(tmp_path: Path):
    root = tmp_path / "recordings"
    (root / "site").mkdir(parents=True)
    (root / "site" / "feed.xml").write_text("<rss/>")
    (tmp_path / "secret.txt").write_text("not a recording")
    with serve_recordings(root) as base_urls:
        with urllib.request.urlopen(f"{base_urls['site']}/feed.xml") as first:
            etag = first.headers["ETag"]
        again = urllib.request.Request(f"{base_urls['site']}/feed.xml", headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(again)
        with pytest.raises(urllib.error.HTTPError) as outside:
            urllib.request.urlopen(f"{base_urls['site']}/%2e%2e/%2e%2e/secret.txt")
    assert not_modified.value.code == 304 and outside.value.code == 404


def test_requests_name_barrierwatch_and_feeds_are_fetched_conditionally(
    recordings, quick_crawls, sqlite_db, monkeypatch
):
    monkeypatch.setenv("BW_CONTACT_EMAIL", "ops@bureau.example")
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        feed = SourceSpec(
            "rss", "feed", f"{base_urls['feeds']}/us_fr_adcvd_rss/feed.xml", "US", "antidumping"
        )
        crawl(sqlite_db[0], [feed], Settings())
        crawl(sqlite_db[0], [feed], Settings())
    fetches = [r for r in seen if r.path.endswith("/feed.xml")]
    assert [r.path for r in seen if r.path == "/robots.txt"]  # asked before anything else
    assert {r.headers["User-Agent"] for r in seen} == {"BarrierWatch/0.1 (+mailto:ops@bureau.example)"}
    assert "If-None-Match" not in fetches[0].headers
    assert fetches[1].headers["If-None-Match"].startswith('"')


def test_a_sources_file_set_explicitly_must_exist(tmp_path: Path, monkeypatch):
    """Issue #19 item 8: BW_SOURCES naming a missing file is an error naming the
    setting and the path; left unset, an absent sources.toml means no extra sources."""
    missing = tmp_path / "no-such-sources.toml"
    monkeypatch.setenv("BW_SOURCES", str(missing))
    with pytest.raises(ValueError, match=rf"BW_SOURCES names {re.escape(str(missing))}, which is not a file"):
        Settings()
    result = CliRunner().invoke(app, ["sources", "list"])
    assert result.exit_code == 1 and "BW_SOURCES" in result.output and "Traceback" not in result.output
    monkeypatch.delenv("BW_SOURCES")
    monkeypatch.chdir(tmp_path)
    assert all_sources(Settings())  # the built-in ones
