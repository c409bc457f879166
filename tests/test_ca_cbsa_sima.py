"""Canada CBSA: SIMA measures in force, one notice per measure."""

from __future__ import annotations

from datetime import date

from tests.crawl_support import crawl_source, stored_notices


def test_each_measure_in_force_is_a_notice(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("ca_cbsa_sima", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 3), result.problems
    wheels = notices["cbsa-steel-wheels-ws2"]
    assert (wheels.country, wheels.case_stage, wheels.subject_countries) == ("CA", "order", ["CN"])
    assert wheels.published_on == date(2025, 5, 26) and "Expiry date: 2030-05-26" in wheels.text
    assert notices["cbsa-fab-steel-fs2"].subject_countries == ["CN", "ES", "GB"]
    assert notices["cbsa-rebar-rb5"].subject_countries == ["DZ", "EG", "PT", "VN"]
