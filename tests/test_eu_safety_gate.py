"""EU Safety Gate weekly reports (XML): one notice per dangerous product, origin as subject."""

from __future__ import annotations

from datetime import date

from crawler.recordings import SeenRequest, serve_recordings
from tests.crawl_support import crawl_source, stored_notices


def test_each_notification_of_each_new_report_is_a_notice(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("eu_safety_gate", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new, result.pages) == ("ok", 4, 3), result.problems
    bear = notices["A12/00415/26"]
    assert (bear.country, bear.doc_type, bear.subject_countries) == ("DE", "recall", ["CN"])
    assert bear.title == "Toys: Plush toy Unknown Soft bear (Choking)"
    assert "Category: Toys" in bear.text and "Source: Safety Gate" in bear.text
    assert bear.published_on == date(2026, 4, 10)
    assert notices["A12/00421/26"].subject_countries == ["CN"]  # "People's Republic of China"
    assert notices["A12/00430/26"].subject_countries == []  # origin not given
    assert notices["A12/00390/26"].published_on == date(2026, 4, 3)


def test_recrawl_reads_only_reports_newer_than_the_last_one(recordings, quick_crawls, sqlite_db, monkeypatch):
    database_url, _engine = sqlite_db
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        monkeypatch.setenv("BW_SAFETY_GATE_URL", base_urls["eu_safety_gate"])
        crawl_source("eu_safety_gate", database_url)
        first = len(seen)
        again = crawl_source("eu_safety_gate", database_url)
    assert (again.status, again.pages, again.new) == ("ok", 1, 0)
    assert [r.path for r in seen[first:] if "robots" not in r.path] == [
        "/eu_safety_gate/safety-gate-alerts/api/download/weeklyReport/list/xml/en"
    ]
