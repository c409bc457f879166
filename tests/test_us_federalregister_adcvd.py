"""Federal Register AD/CVD notices: paging, fields, case numbers, stage, HTS numbers from full text."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from crawler.omnibus import listed_cases, omnibus_stage
from crawler.trade_remedies import case_stage, parse_title
from store.models import Case
from tests.crawl_support import crawl_source, stored_notices


def test_search_pages_and_full_texts_become_notices(recorded_sites, engine, database_url):
    result = crawl_source("us_federalregister_adcvd", database_url)
    notices = stored_notices(engine, "us_federalregister_adcvd")

    assert (result.status, result.new) == ("ok", 4 + 9)
    assert {"2016-08787", "2016-08229", "2016-08650", "2025-05887"} <= set(notices)  # page 2 followed
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
    assert (again.status, again.new, again.revised, again.unchanged) == ("ok", 0, 0, 4 + 9)


def test_full_text_can_be_switched_off(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("us_federalregister_adcvd", database_url, federalregister_full_text=False)
    assert result.pages == 3 + 2  # the three search pages; of full texts only the omnibus notices' lists
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


def test_omnibus_notices_become_one_event_per_listed_case(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    crawl_source("us_federalregister_adcvd", database_url)
    notices = stored_notices(engine, "us_federalregister_adcvd")

    opportunity = [n for n in notices.values() if n.external_id.startswith("2026-02101/")]
    assert sorted(n.case_numbers[0] for n in opportunity) == [
        "A-570-008",
        "A-570-010",
        "A-570-016",
        "A-580-876",
        "C-570-011",
    ]
    assert {n.case_stage for n in opportunity} == {"review_opportunity"}
    pipe = notices["2026-02101/A-580-876"]
    assert (pipe.subject_countries, pipe.doc_type) == (["KR"], "antidumping")
    assert pipe.title == "Welded Line Pipe From South Korea: Opportunity To Request Administrative Review"
    tires = notices["2026-02275/C-570-017"]
    assert (tires.case_stage, tires.doc_type, tires.subject_countries) == (
        "review_initiation",
        "countervailing",
        ["CN"],
    )
    assert "Companies: Example Trading Co., Ltd.; Sample Industrial Group Co., Ltd." in tires.text
    assert "Period of review: 2/1/25-1/31/26" in tires.text
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.case_number == "A-570-018")).one()
    assert case.product == "Boltless Steel Shelving Units Prepackaged for Sale"


def test_omnibus_text_with_wrapped_products_and_formal_country_names():
    text = (
        "Antidumping Duty Proceedings\n"
        "Socialist Republic of Vietnam: Certain Cold-Rolled Steel Flat Products From a\n"
        "   Very Long Name, A-552-821 ........ 7/1/24-6/30/25\n"
        "TAIWAN: Steel Nails, A-583-854 ....... 7/1/24-6/30/25\n"
    )
    cases = listed_cases(text)
    assert [(c.case_number, c.countries) for c in cases] == [("A-552-821", ("VN",)), ("A-583-854", ("TW",))]
    assert cases[0].product == "Cold-Rolled Steel Flat Products From a Very Long Name"


def test_a_single_case_review_notice_is_not_an_omnibus():
    assert omnibus_stage("Initiation of Antidumping and Countervailing Duty Administrative Reviews") == (
        "review_initiation"
    )
    assert omnibus_stage("Glycine From India: Initiation of Antidumping Duty Administrative Review") is None
