"""Feeds declared in sources.toml, crawled by the real Scrapy engine from a loopback server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from cli import app
from crawler.crawl import crawl
from crawler.sources import declared_sources
from store.models import NoticeVersion
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
    for slug in ("cn_remedy_alerts_gb2312", "us_federalregister_adcvd", "us_cpsc_recalls"):
        assert rows[slug]["last_error"] is None and rows[slug]["last_success_at"] is not None
    assert rows["wto_eping"]["last_success_at"] is None  # skipped: no API key
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
