"""EU Official Journal C series (EUR-Lex RSS): trade defence notices with product, countries, CN codes."""

from __future__ import annotations

from datetime import date

from tests.crawl_support import crawl_source, stored_notices


def test_trade_defence_notices_of_the_c_series_become_notices(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("eu_oj_trade_defence", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 4), result.problems  # exchange rates left out
    wheels = notices["OJ:C_202602101"]
    assert (wheels.country, wheels.doc_type, wheels.case_stage) == ("EU", "antidumping", "initiation")
    assert wheels.subject_countries == ["CN", "VN"]
    assert wheels.publisher_hs_codes == ["870870"]  # ex 8708 70 10, ex 8708 70 50 and their TARIC codes
    assert wheels.published_on == date(2026, 4, 13)
    tiles = notices["OJ:C_202602087"]
    assert (tiles.case_stage, tiles.subject_countries) == ("sunset_review", ["CN"])
    assert tiles.publisher_hs_codes == ["690721", "690722", "690723"]
    fabrics = notices["OJ:C_202602050"]
    assert (fabrics.doc_type, fabrics.subject_countries) == ("countervailing", ["EG"])
    assert fabrics.url and fabrics.url.endswith("/legal-content/EN/TXT/?uri=OJ:C_202602050")
    assert not [n for n in notices.values() if "exchange rates" in n.title]
