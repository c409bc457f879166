"""US CBP CSMS (RSS): AD/CVD messages kept, linked to their cases and subject countries."""

from __future__ import annotations

from tests.crawl_support import crawl_source, stored_notices

NAILS = "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/66001234"
FLOORING = "https://content.govdelivery.com/accounts/USDHSCBP/bulletins/66001355"


def test_adcvd_messages_are_notices_of_their_cases(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("us_cbp_csms", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 2), result.problems  # the ACE message left out
    nails = notices[NAILS]
    assert (nails.country, nails.case_numbers, nails.subject_countries) == ("US", ["A-552-818"], ["VN"])
    flooring = notices[FLOORING]
    assert flooring.case_numbers == ["A-570-970", "C-570-971"] and flooring.subject_countries == ["CN"]
    assert flooring.case_stage == "review_final"
