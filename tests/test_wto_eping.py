"""WTO ePing notifications: key required, paging, follow-ups linked to their base notification."""

from __future__ import annotations

import json
from datetime import date

from tests.crawl_support import crawl_source, stored_notices


def test_without_key_the_source_is_skipped_with_the_reason(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("wto_eping", database_url)
    assert result.status == "skipped"
    assert result.problems == ["BW_EPING_API_KEY is not set (this source's API needs a subscription key)"]
    assert stored_notices(engine) == {}


def test_notifications_are_read_from_every_page(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("wto_eping", database_url, eping_api_key="test-key")
    notices = stored_notices(engine)

    assert (result.status, result.new, result.pages) == ("ok", 20, 2)
    usa = notices["G/TBT/N/USA/2211"]
    assert (usa.doc_type, usa.country, usa.published_on, usa.comment_deadline) == (
        "tbt",
        "US",
        date(2025, 6, 11),
        date(2025, 7, 29),
    )
    assert usa.text.startswith("Products covered: Motor vehicle auxiliary fuel tanks")
    assert notices["G/TBT/N/JPN/865/Add.1"].publisher_hs_codes == ["2309"]
    assert notices["G/SPS/N/JPN/1345/Add.1"].doc_type == "sps"


def test_addendum_is_linked_to_its_base_notification(recorded_sites, recordings, sqlite_db):
    # The recorded page has no base notification for its addenda; this test adds one
    # (built here, in the same shape) to the second page.
    page_two = recordings / "wto_eping" / "eping" / "notifications" / "search-page-2.json"
    body = json.loads(page_two.read_text(encoding="utf-8"))
    base = {**body["items"][1], "documentSymbol": "G/TBT/N/JPN/865", "titlePlain": "Base notification (test)"}
    body["items"].append(base)
    page_two.write_text(json.dumps(body), encoding="utf-8")
    database_url, engine = sqlite_db

    crawl_source("wto_eping", database_url, eping_api_key="test-key")
    notices = stored_notices(engine)
    assert notices["G/TBT/N/JPN/865/Add.1"].revision_of == notices["G/TBT/N/JPN/865"].id
