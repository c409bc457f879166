"""Feeds declared in sources.toml, crawled by the real Scrapy engine from a loopback server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli import app
from crawler.crawl import crawl
from crawler.sources import declared_sources
from store.errors import InputError
from store.models import NoticeVersion, Source
from tests.crawl_support import stored_notices

FEEDS = {  # slug: (country, doc_type) as sources.toml declares them
    "us_fr_adcvd_rss": ("US", "antidumping"),
    "us_itc_notices_atom": ("US", "countervailing"),
    "cn_remedy_alerts_gb2312": ("CN", "antidumping"),
    "eu_sps_fr_latin1": ("EU", "sps"),
    "broken_feed": ("US", "regulation"),
}
GLYCINE_RSS = "https://www.federalregister.gov/d/2016-08229"


def write_sources_toml(path: Path, feeds_url: str, only: tuple[str, ...] = tuple(FEEDS)) -> Path:
    tables = [
        f'[[source]]\nslug = "{slug}"\nkind = "feed"\nurl = "{feeds_url}/{slug}/feed.xml"\n'
        f'country = "{country}"\ndoc_type = "{doc_type}"\n'
        for slug, (country, doc_type) in FEEDS.items()
        if slug in only
    ]
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def test_unseen_feeds_are_crawled_with_no_code_change(recorded_sites, settings, engine, database_url):
    specs = declared_sources(write_sources_toml(settings.sources, recorded_sites["feeds"]))
    first = {r.slug: r for r in crawl(database_url, specs, settings)}
    stored = stored_notices(engine)
    second = {r.slug: r for r in crawl(database_url, specs, settings)}

    assert {slug: r.status for slug, r in first.items()} == {
        **dict.fromkeys(FEEDS, "ok"),
        "broken_feed": "failed",
    }
    assert [first[s].new for s in FEEDS] == [2, 2, 2, 1, 0]
    glycine = stored[GLYCINE_RSS]
    assert glycine.text == (
        "The Department of Commerce (the Department) is conducting an administrative review of the "
        "antidumping duty order on glycine from the People's Republic of China (PRC).\n"
        "The period of review (POR) is March 1, 2014, through February 28, 2015."
    )
    assert (glycine.published_on, glycine.country, glycine.doc_type) == (
        date(2016, 4, 15),
        "US",
        "antidumping",
    )
    chinese = stored["remedy-alerts-2016-08229"]
    assert chinese.title == "美国对华甘氨酸反倾销行政复审初裁"
    assert chinese.text.startswith(
        "美国商务部对原产于中国的甘氨酸作出反倾销行政复审初裁（案号A-570-836）。\n"
    )
    assert stored["G/SPS/N/EU/860"].title.startswith("Projet de règlement d'exécution de la Commission")
    atom = stored["tag:federalregister.gov,2025:2025-05887"]
    assert "countervailable subsidies" in atom.text and "<p>" not in atom.text

    # Second crawl: the good feeds answer 304 to the conditional GET, so nothing is even compared.
    assert all((second[s].new, second[s].revised, second[s].unchanged) == (0, 0, 0) for s in FEEDS)
    assert stored_notices(engine).keys() == stored.keys()


def test_broken_feed_error_shows_in_sources_list(recorded_sites, settings, engine):
    write_sources_toml(settings.sources, recorded_sites["feeds"])
    crawled = CliRunner().invoke(app, ["crawl"])
    assert crawled.exit_code == 1, crawled.output  # one source failed; the others still ran
    listed = CliRunner().invoke(app, ["sources", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = {row["slug"]: row for row in json.loads(listed.stdout)}
    broken = rows["broken_feed"]
    assert broken["consecutive_failures"] == 1 and broken["last_success_at"] is None
    assert "malformed XML" in broken["last_error"] and "/broken_feed/feed.xml" in broken["last_error"]
    for slug in ("cn_remedy_alerts_gb2312", "us_federalregister_adcvd", "us_cpsc_recalls", "wto_eping"):
        assert rows[slug]["last_error"] is None and rows[slug]["last_success_at"] is not None
    assert set(rows["us_fr_adcvd_rss"]) == {
        "slug",
        "kind",
        "url",
        "enabled",
        "last_success_at",
        "consecutive_failures",
        "last_error",
    }


def test_changed_entry_becomes_a_revision_not_a_duplicate(
    recorded_sites, recordings, settings, engine, database_url
):
    specs = declared_sources(
        write_sources_toml(settings.sources, recorded_sites["feeds"], ("us_fr_adcvd_rss",))
    )
    crawl(database_url, specs, settings)
    rss = recordings / "feeds" / "us_fr_adcvd_rss" / "feed.xml"
    rss.write_text(rss.read_text().replace("March 1, 2014", "March 2, 2014"), encoding="utf-8")
    (changed,) = crawl(database_url, specs, settings)

    assert (changed.new, changed.revised, changed.unchanged) == (0, 1, 1)
    glycine = stored_notices(engine)[GLYCINE_RSS]
    assert glycine.version == 2 and "March 2, 2014" in glycine.text
    with Session(engine) as session:
        (earlier,) = session.exec(select(NoticeVersion)).all()
    assert "March 1, 2014" in earlier.content["text"]


def declare(path: Path, *tables: str) -> None:
    path.write_text("\n".join(tables), encoding="utf-8")


def feed_table(
    slug: str, url: str, country: str = "EU", doc_type: str = "antidumping", extra: str = ""
) -> str:
    return (
        f'[[source]]\nslug = "{slug}"\nkind = "feed"\nurl = "{url}"\ncountry = "{country}"\n'
        f'doc_type = "{doc_type}"\n{extra}\n'
    )


def test_real_world_feed_keeps_good_items_and_names_the_bad_one(recorded_sites, settings, sqlite_db):
    database_url, engine = sqlite_db
    feed_url = f"{recorded_sites['feeds']}/real_world_rss/feed.xml"
    declare(settings.sources, feed_table("eu_news", feed_url))
    (result,) = crawl(database_url, declared_sources(settings.sources), settings)
    stored = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 2), result.problems
    (skipped,) = result.skipped_items
    assert "'news-2026-0409'" in skipped and "title: missing" in skipped
    wheels = stored["news-2026-0412"]  # a description-only item
    assert wheels.title.startswith(  # its first sentence, cut at a word within 120 characters
        "Notice of initiation of an anti-dumping proceeding concerning imports of steel wheels originating"
    )
    assert wheels.title.endswith("\u2026") and "Interested parties" in wheels.text
    assert wheels.url == feed_url.split("/feeds/")[0] + "/trade-defence/news/2026/0412.html"
    tiles = stored["news-2026-0410"]
    assert tiles.title == "Expiry review of measures on ceramic tiles \u2014 hearing on 4 May"
    assert tiles.url == f"{recorded_sites['feeds']}/real_world_rss/news/2026/0410.html"
    with Session(engine) as session:
        row = session.exec(select(Source).where(Source.slug == "eu_news")).one()
    assert row.consecutive_failures == 0 and "news-2026-0409" in (row.last_error or "")


def test_utf16_feed_without_bom_and_plain_text_title_are_read(recorded_sites, settings, sqlite_db):
    database_url, engine = sqlite_db
    declare(
        settings.sources, feed_table("eu_stoves", f"{recorded_sites['feeds']}/real_world_utf16_atom/feed.xml")
    )
    (result,) = crawl(database_url, declared_sources(settings.sources), settings)
    notice = stored_notices(engine)["urn:example:notices:17"]
    assert result.status == "ok", result.problems
    assert notice.title == "Limits for PM<2.5> emissions of stoves where output < 8 kW"
    assert notice.url == f"{recorded_sites['feeds']}/real_world_utf16_atom/notices/17"


def test_trade_remedy_feed_reaches_exporters_with_subject_countries_and_title_facts(
    recorded_sites, settings, sqlite_db
):
    database_url, engine = sqlite_db
    declare(
        settings.sources,
        feed_table(
            "us_fr_remedies",
            f"{recorded_sites['feeds']}/us_fr_adcvd_rss/feed.xml",
            country="US",
            extra='extract = "trade_remedy_title"',
        ),
        feed_table(
            "cn_alerts",
            f"{recorded_sites['feeds']}/cn_remedy_alerts_gb2312/feed.xml",
            country="CN",
            extra='subject_countries = ["China"]\nextract = "trade_remedy_title"',
        ),
    )
    results = crawl(database_url, declared_sources(settings.sources), settings)
    stored = stored_notices(engine)

    assert [r.status for r in results] == ["ok", "ok"], [r.problems for r in results]
    glycine = stored[GLYCINE_RSS]
    assert (glycine.subject_countries, glycine.case_stage) == (["CN"], "review_preliminary")
    assert stored["https://www.federalregister.gov/d/2016-08787"].subject_countries == ["UA"]
    chinese = stored["remedy-alerts-2016-08229"]  # 美国对华甘氨酸反倾销行政复审初裁
    assert (chinese.country, chinese.subject_countries, chinese.case_numbers) == ("US", ["CN"], ["A-570-836"])


def test_declared_feed_options_are_checked(tmp_path):
    path = tmp_path / "sources.toml"
    declare(
        path,
        feed_table(
            "bad", "https://example.org/f.xml", extra='extract = "guess"\nsubject_countries = ["Atlantis"]'
        ),
    )
    with pytest.raises(InputError) as raised:
        declared_sources(path)
    fields = {p.field for p in raised.value.problems}
    assert fields == {"extract", "subject_countries"}
