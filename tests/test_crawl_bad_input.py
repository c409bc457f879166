"""Bad input from a source is recorded on that source, with a clear message; nothing stored is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from config import Settings
from crawler.crawl import crawl
from crawler.sources import all_sources
from store.models import Source
from tests.crawl_support import crawl_source, stored_notices

SEARCH = "/api/v1/documents.json"


def break_source(recordings: Path, slug: str, path: str, **route: Any) -> None:
    """Make the recorded site answer ``path`` badly (a route put before the recorded ones)."""
    routes_file = recordings / slug / "_routes.json"
    routes = json.loads(routes_file.read_text()) if routes_file.exists() else []
    routes_file.write_text(json.dumps([{"path": path, **route}, *routes]))


def source_row(engine, slug: str) -> Source:
    with Session(engine) as session:
        return session.exec(select(Source).where(Source.slug == slug)).one()


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"status": 500, "file": "api/v1/documents.json"}, "HTTP 500 from http://127.0.0.1:"),
        ({"status": 404, "file": "api/v1/documents.json"}, "HTTP 404 from http://127.0.0.1:"),
        ({"file": "api/v1/documents.json", "truncate_at": 300}, "truncated or broken response from"),
        ({"file": "api/v1/documents.json", "delay": 2.5}, "timed out after 1s fetching"),
        (
            {
                "file": "documents/full_text/text/2016/04/15/2016-08229.txt",
                "headers": {"Content-Type": "application/json"},
            },
            "malformed JSON from http://127.0.0.1:",
        ),
    ],
    ids=["http-500", "http-404", "truncated", "timeout", "malformed-json"],
)
def test_failed_search_is_recorded_and_keeps_stored_notices(
    recorded_sites, recordings, sqlite_db, monkeypatch, route, message
):
    database_url, engine = sqlite_db
    assert crawl_source("us_federalregister_adcvd", database_url).status == "ok"
    before = {k: (n.content_hash, n.version) for k, n in stored_notices(engine).items()}

    break_source(recordings, "us_federalregister_adcvd", SEARCH, **route)
    monkeypatch.setenv("BW_CRAWL_TIMEOUT", "1")
    result = crawl_source("us_federalregister_adcvd", database_url)

    assert result.status == "failed" and message in result.problems[0]
    assert {k: (n.content_hash, n.version) for k, n in stored_notices(engine).items()} == before
    row = source_row(engine, "us_federalregister_adcvd")
    assert (row.consecutive_failures, row.last_error) == (1, result.problems[0])
    assert row.last_success_at is not None  # the earlier success stays visible


def test_failures_count_up_and_a_success_clears_them(recorded_sites, recordings, sqlite_db):
    database_url, engine = sqlite_db
    routes = recordings / "us_cpsc_recalls" / "_routes.json"
    good_routes = routes.read_text()
    break_source(
        recordings, "us_cpsc_recalls", "/RestWebServices/Recall", status=503, file="RestWebServices/Recall"
    )
    crawl_source("us_cpsc_recalls", database_url)
    crawl_source("us_cpsc_recalls", database_url)
    assert source_row(engine, "us_cpsc_recalls").consecutive_failures == 2

    routes.write_text(good_routes)
    assert crawl_source("us_cpsc_recalls", database_url).status == "ok"
    row = source_row(engine, "us_cpsc_recalls")
    assert (row.consecutive_failures, row.last_error) == (0, None)


def test_one_failing_source_does_not_stop_the_others(recorded_sites, recordings, sqlite_db):
    database_url, _engine = sqlite_db
    break_source(recordings, "us_federalregister_adcvd", SEARCH, status=500, file="api/v1/documents.json")
    settings = Settings()
    specs = [s for s in all_sources(settings) if s.slug in ("us_federalregister_adcvd", "us_cpsc_recalls")]
    results = {r.slug: r for r in crawl(database_url, specs, settings)}
    assert results["us_federalregister_adcvd"].status == "failed"
    assert (results["us_cpsc_recalls"].status, results["us_cpsc_recalls"].new) == ("ok", 2)


def test_html_without_the_expected_list_is_a_format_error(recorded_sites, recordings, sqlite_db):
    (recordings / "cn_cacs_trade_remedies" / "changed.html").write_text(
        "<html><body><p>网站改版</p></body></html>"
    )
    break_source(
        recordings, "cn_cacs_trade_remedies", "/list/ajycs/ckyy/1/cateinfo.html", file="changed.html"
    )
    result = crawl_source("cn_cacs_trade_remedies", sqlite_db[0])
    assert result.status == "failed"
    assert "expected a 出口应诉 list" in result.problems[0]


def test_invalid_notice_is_left_out_naming_its_id_and_field(recorded_sites, recordings, sqlite_db):
    recalls_file = recordings / "us_cpsc_recalls" / "RestWebServices" / "Recall"
    recalls = json.loads(recalls_file.read_text())
    recalls[0]["RecallDate"] = "13 November 2026"
    recalls_file.write_text(json.dumps(recalls))
    database_url, _engine = sqlite_db
    result = crawl_source("us_cpsc_recalls", database_url)
    assert (result.status, result.new) == ("ok", 1)  # one bad notice never fails its source
    (skipped,) = result.skipped_items
    assert skipped.startswith("invalid notice '") and "published: '13 November 2026' is not a date" in skipped


def test_response_over_the_size_limit_is_refused(recorded_sites, sqlite_db):
    result = crawl_source("us_federalregister_adcvd", sqlite_db[0], crawl_max_bytes=2000)
    assert result.status == "failed"
    assert "larger than the size limit" in result.problems[0]


def test_feed_with_entity_bomb_is_refused_by_the_crawl(recorded_sites, recordings, settings, sqlite_db):
    from tests.test_feed_reader import BILLION_LAUGHS

    (recordings / "feeds" / "bomb.xml").write_bytes(BILLION_LAUGHS)
    settings.sources.write_text(
        f'[[source]]\nslug = "bomb"\nkind = "feed"\nurl = "{recorded_sites["feeds"]}/bomb.xml"\n'
        'country = "US"\ndoc_type = "regulation"\n'
    )
    (result,) = crawl(sqlite_db[0], [s for s in all_sources(Settings()) if s.slug == "bomb"], settings)
    assert result.status == "failed" and "declares XML entities" in result.problems[0]
    assert stored_notices(sqlite_db[1]) == {}


def test_json_in_another_encoding_than_declared_is_refused(recorded_sites, recordings, sqlite_db):
    recalls_file = recordings / "us_cpsc_recalls" / "RestWebServices" / "Recall"
    text = recalls_file.read_text().replace("Children's Knit Socks", "儿童针织袜")
    recalls_file.write_bytes(text.encode("gbk"))  # served as application/json; charset=utf-8
    database_url, engine = sqlite_db
    result = crawl_source("us_cpsc_recalls", database_url)
    assert result.status == "failed"
    assert (
        "is not valid utf-8: byte 0xb6" in result.problems[0]
        and "wrong or missing charset" in result.problems[0]
    )
    assert stored_notices(engine) == {}


def test_html_page_without_declared_charset_in_gb2312_is_refused(recorded_sites, recordings, sqlite_db):
    article = recordings / "cn_cacs_trade_remedies" / "article" / "sqfb" / "202602" / "187700.html"
    article.write_bytes(article.read_bytes().replace(b' charset="gb2312"', b""))
    result = crawl_source("cn_cacs_trade_remedies", sqlite_db[0])
    assert (result.status, result.new) == ("failed", 3)
    assert "187700.html is not valid utf-8" in result.problems[0]


def test_crawl_process_that_overruns_is_stopped_and_recorded(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("us_cpsc_recalls", database_url, crawl_process_timeout=0.2)
    assert (
        result.status == "failed"
        and "the crawl process ended before this source finished" in result.problems[0]
    )
    assert source_row(engine, "us_cpsc_recalls").consecutive_failures == 1
