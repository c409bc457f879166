"""UK Trade Remedies Authority: the public case list; one notice per case, revised when it changes."""

from __future__ import annotations

from datetime import date

from tests.crawl_support import crawl_source, stored_notices


def test_each_public_case_is_a_notice(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("gb_tra_cases", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 3), result.problems
    extrusions = notices["AD0086"]
    assert (extrusions.country, extrusions.doc_type, extrusions.subject_countries) == (
        "GB",
        "antidumping",
        ["CN"],
    )
    assert extrusions.case_numbers == ["AD0086"] and extrusions.published_on == date(2026, 3, 20)
    assert extrusions.url == "https://public-file.trade-remedies.service.gov.uk/case/ad0086/"
    assert "Status: Provisional measures" in extrusions.text
    assert notices["AS0091"].doc_type == "countervailing"


def test_a_changed_status_is_a_revision(recorded_sites, recordings, sqlite_db):
    database_url, engine = sqlite_db
    crawl_source("gb_tra_cases", database_url)
    page = recordings / "gb_tra_cases" / "public" / "cases" / "index.html"
    page.write_text(page.read_text().replace("Provisional measures", "Final determination"))
    again = crawl_source("gb_tra_cases", database_url)
    assert (again.new, again.revised, again.unchanged) == (0, 1, 2)
    assert stored_notices(engine)["AD0086"].version == 2


def test_cases_listed_as_links_rather_than_a_table_are_read(recorded_sites, recordings, sqlite_db):
    page = recordings / "gb_tra_cases" / "public" / "cases" / "index.html"
    page.write_text(
        '<html><body><ul class="govuk-list">'
        '<li><a href="/public/case/AD0086/">Aluminium extrusions</a> - China - Anti-dumping case</li>'
        '<li><a href="/public/case/AS0091/">Wind towers</a> - China - Anti-subsidy investigation</li>'
        "</ul></body></html>",
        encoding="utf-8",
    )
    database_url, engine = sqlite_db
    result = crawl_source("gb_tra_cases", database_url)
    notices = stored_notices(engine)
    assert (result.status, result.new) == ("ok", 2), result.problems
    assert notices["AD0086"].title.startswith("Aluminium extrusions (AD0086)")
    assert notices["AS0091"].doc_type == "countervailing"
