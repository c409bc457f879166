"""CPSC recalls: one notice per recall; countries of manufacture as subject countries."""

from __future__ import annotations

from datetime import date

from tests.crawl_support import crawl_source, stored_notices


def test_recalls_become_recall_notices(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("us_cpsc_recalls", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 2)
    socks = notices["26-901"]
    assert (socks.doc_type, socks.country, socks.subject_countries) == ("recall", "US", ["CN"])
    assert socks.published_on == date(2026, 11, 13)
    assert "Products: Children's knit socks (Clothing (Children)), About 12,000" in socks.text
    assert "Hazard: The beads can detach, posing a choking hazard." in socks.text
    assert notices["26-902"].subject_countries == ["CN", "VN"]
