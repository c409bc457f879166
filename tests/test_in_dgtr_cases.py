"""India DGTR: case lists, then each case's table of events; one notice per event."""

from __future__ import annotations

from datetime import date

from tests.crawl_support import crawl_source, stored_notices


def test_each_event_of_each_listed_case_is_a_notice(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("in_dgtr_cases", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 6), result.problems  # the safeguard list is empty
    final = notices["solar-glass-china-pr-vietnam/3"]
    assert (final.country, final.doc_type, final.case_stage) == ("IN", "antidumping", "final")
    assert final.subject_countries == ["CN", "VN"] and final.published_on == date(2026, 3, 13)
    assert final.url and final.url.endswith("/sites/default/files/2026-03/FF_Solar_Glass.pdf")
    assert final.title.endswith(": Final Findings")
    assert notices["solar-glass-china-pr-vietnam/2"].case_stage == "preliminary"
    assert notices["aluminium-foil-china-pr-sunset-review/1"].case_stage == "sunset_review"
    # An oral hearing names no stage of its own: the case's title says it is a sunset review.
    assert notices["aluminium-foil-china-pr-sunset-review/2"].case_stage == "sunset_review"
    glass = notices["textured-tempered-glass-malaysia/1"]
    assert (glass.doc_type, glass.subject_countries, glass.case_stage) == (
        "countervailing",
        ["MY"],
        "initiation",
    )


def test_requests_carry_a_browser_like_user_agent(recordings, quick_crawls, sqlite_db, monkeypatch):
    from crawler.recordings import SeenRequest, serve_recordings

    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        monkeypatch.setenv("BW_DGTR_URL", base_urls["in_dgtr_cases"])
        crawl_source("in_dgtr_cases", sqlite_db[0])
    pages = [r for r in seen if "robots" not in r.path]
    assert pages and all("Mozilla/5.0" in r.headers["User-Agent"] for r in pages)


def test_event_table_with_other_header_words_is_read(recorded_sites, recordings, sqlite_db):
    page = (
        recordings / "in_dgtr_cases" / "countervailing-duty-cases" / "textured-tempered-glass-malaysia.html"
    )
    page.write_text(
        "<html><body><h1>Countervailing duty investigation concerning imports of “Textured Tempered Glass” "
        "originating in or exported from Malaysia</h1><table><tr><th>Sl.</th><th>Particulars</th>"
        "<th>Dated</th><th>Download</th></tr><tr><td>1</td><td>Initiation Notification</td>"
        '<td>15-01-2026</td><td><a href="/x.pdf">Download</a></td></tr></table></body></html>',
        encoding="utf-8",
    )
    database_url, engine = sqlite_db
    result = crawl_source("in_dgtr_cases", database_url)
    glass = stored_notices(engine)["textured-tempered-glass-malaysia/1"]
    assert result.status == "ok", result.problems
    assert (glass.case_stage, str(glass.published_on)) == ("initiation", "2026-01-15")
