"""Federal Register AD/CVD notices: paging, fields, case numbers, stage, HTS numbers from full text."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from crawler.trade_remedies import case_stage, parse_title
from store.models import Case
from tests.crawl_support import crawl_source, stored_notices


def test_search_pages_and_full_texts_become_notices(recorded_sites, engine, database_url):
    result = crawl_source("us_federalregister_adcvd", database_url)
    notices = stored_notices(engine, "us_federalregister_adcvd")

    assert (result.status, result.new) == ("ok", 4)
    assert set(notices) == {"2016-08787", "2016-08229", "2016-08650", "2025-05887"}  # page 2 followed
    glycine = notices["2016-08229"]
    assert glycine.case_numbers == ["A-570-836"]
    assert (glycine.subject_countries, glycine.country, glycine.doc_type) == (["CN"], "US", "antidumping")
    assert glycine.publisher_hs_codes == ["292249"]  # HTS 2922.49.4020 in the full text
    assert glycine.case_stage == "review_preliminary"
    assert (glycine.url or "").startswith("https://www.federalregister.gov/documents/2016/04/15/2016-08229/")
    assert glycine.published_on == date(2016, 4, 15)
    cvd = notices["2025-05887"]
    assert (cvd.doc_type, cvd.case_numbers, cvd.publisher_hs_codes) == ("countervailing", ["C-570-161"], [])
    assert notices["2016-08650"].subject_countries == ["AU", "BR", "JP", "KR", "NL", "TR", "GB"]
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.case_number == "C-570-161")).one()
    assert case.product == "2,4-Dichlorophenoxyacetic Acid"


def test_recrawl_of_unchanged_search_adds_nothing(recorded_sites, sqlite_db):
    database_url, _engine = sqlite_db
    crawl_source("us_federalregister_adcvd", database_url)
    again = crawl_source("us_federalregister_adcvd", database_url)
    assert (again.status, again.new, again.revised, again.unchanged) == ("ok", 0, 0, 4)


def test_full_text_can_be_switched_off(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("us_federalregister_adcvd", database_url, federalregister_full_text=False)
    assert result.pages == 2  # the two search pages, no full texts
    assert stored_notices(engine)["2016-08229"].publisher_hs_codes == []


@pytest.mark.parametrize(
    ("title", "product", "countries", "stage"),
    [
        (
            "Glycine From the People's Republic of China: Preliminary Results of Antidumping Duty "
            "Administrative Review; 2014-2015",
            "Glycine",
            ("CN",),
            "review_preliminary",
        ),
        (
            "Certain Steel Nails From the Socialist Republic of Vietnam: Initiation of Less-Than-Fair-Value "
            "Investigation",
            "Steel Nails",
            ("VN",),
            "initiation",
        ),
        (
            "Silicomanganese From Ukraine: Final Results of Sunset Review",
            "Silicomanganese",
            ("UA",),
            "sunset_review",
        ),
        ("Honey From Argentina: Continuation of Antidumping Duty Order", "Honey", ("AR",), "continuation"),
        (
            "Paper Clips From China: Revocation of Antidumping Duty Order",
            "Paper Clips",
            ("CN",),
            "revocation",
        ),
        ("Glycine From India: Antidumping Duty Order", "Glycine", ("IN",), "order"),
        (
            "Fresh Garlic From the People's Republic of China: Final Results of New Shipper Review",
            "Fresh Garlic",
            ("CN",),
            "new_shipper_review",
        ),
    ],
)
def test_title_gives_product_subject_countries_and_stage(title, product, countries, stage):
    parsed = parse_title(title)
    assert parsed is not None
    assert (parsed.product, parsed.countries, case_stage(parsed.action)) == (product, countries, stage)
