"""EU TRON cases: lastUpdate, list of ongoing cases, details; one notice per publication."""

from __future__ import annotations

from sqlmodel import Session, select

from crawler.recordings import SeenRequest, serve_recordings
from store.models import Case
from tests.crawl_support import crawl_source, stored_notices


def test_each_publication_of_each_case_is_a_notice(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("eu_tron_cases", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new, result.pages) == ("ok", 5, 5), (
        result.problems
    )  # lastUpdate, list, 3 details
    initiation = notices["AD901/5011"]
    assert (initiation.doc_type, initiation.country, initiation.case_numbers) == (
        "antidumping",
        "EU",
        ["AD901"],
    )
    assert initiation.title.startswith("Notice of initiation of an anti-dumping proceeding")
    assert "People's Republic of China" in initiation.title  # HTML entity read
    assert initiation.case_stage == "initiation" and str(initiation.published_on) == "2026-01-14"
    assert initiation.publisher_hs_codes == ["611510", "611595"]  # "ex 6115 10 10 and ex 6115 95 00"
    assert "Timetable: Initiation: 14 January 2026" in initiation.text
    assert (
        "Provisional measures: 13 August 2026" in initiation.text and "Not applicable" not in initiation.text
    )
    provisional = notices["AD901/5012"]
    assert provisional.case_stage == "preliminary"
    assert (
        provisional.url == "https://tron.trade.ec.europa.eu/investigations/case-view?caseId=1101"
    )  # url "N/A"
    flooring = notices["AS902/5021"]
    assert (flooring.doc_type, flooring.subject_countries) == ("countervailing", ["CN", "VN"])
    assert str(flooring.published_on) == "2026-03-03"  # epoch milliseconds
    assert notices["R903/5031"].case_stage == "sunset_review"
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.case_number == "AS902")).one()
    assert case.product == "Multilayer wood flooring"


def test_unchanged_last_update_stops_the_recrawl_after_one_request(
    recordings, quick_crawls, sqlite_db, monkeypatch
):
    database_url, _engine = sqlite_db
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        monkeypatch.setenv("BW_TRON_URL", base_urls["eu_tron_cases"])
        crawl_source("eu_tron_cases", database_url)
        first = len(seen)
        again = crawl_source("eu_tron_cases", database_url)
        unchanged = [r.path for r in seen[first:] if "robots" not in r.path]
        (recordings / "eu_tron_cases/investigations/api/eucase/lastUpdate.json").write_text("1773409999999")
        changed = crawl_source("eu_tron_cases", database_url)
    assert (again.status, again.pages, again.new) == ("ok", 1, 0)
    assert unchanged == ["/eu_tron_cases/investigations/api/eucase/lastUpdate"]
    assert (changed.status, changed.pages, changed.new, changed.unchanged) == ("ok", 5, 0, 5)


def test_a_case_with_broken_details_does_not_lose_the_others(recorded_sites, recordings, sqlite_db):
    (recordings / "eu_tron_cases/investigations/api/eucase/details/1102.json").write_text("{not json")
    database_url, engine = sqlite_db
    result = crawl_source("eu_tron_cases", database_url)
    assert result.status == "failed"
    assert any("details/1102" in p and "malformed JSON" in p for p in result.problems)
    assert "AD901/5011" in stored_notices(engine) and "AS902/5021" not in stored_notices(engine)
