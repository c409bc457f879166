"""WTO ePing notifications: the keyed API, the keyless public backend, tolerant reading of items."""

from __future__ import annotations

import json
from datetime import date

from crawler.recordings import SeenRequest, serve_recordings
from tests.crawl_support import crawl_source, stored_notices

LONG_AGO = 100_000  # days: the recordings are of June 2025


def test_keyed_api_is_read_page_by_page_with_the_key_in_the_header(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("wto_eping", database_url, eping_api_key="test-key")
    notices = stored_notices(engine)

    assert (result.status, result.pages) == ("ok", 2)
    usa = notices["G/TBT/N/USA/2211"]  # recorded as " G/TBT/N/USA/2211", with a leading space
    assert (usa.doc_type, usa.country, usa.published_on, usa.comment_deadline) == (
        "tbt",
        "US",
        date(2025, 6, 11),
        date(2025, 7, 29),
    )
    assert usa.title == "Parts and Accessories Necessary for Safe Operation; Auxiliary Fuel Tanks"
    assert "<p" not in usa.text and usa.text.startswith(
        "Products covered: Motor vehicle auxiliary fuel tanks"
    )
    assert notices["G/TBT/N/JPN/865/Add.1"].publisher_hs_codes == ["2309"]
    assert notices["G/SPS/N/JPN/1345/Add.1"].doc_type == "sps"


def test_without_key_the_public_backend_gives_tbt_and_sps(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("wto_eping", database_url, crawl_lookback_days=LONG_AGO)
    notices = stored_notices(engine)

    assert result.status == "ok", result.problems
    assert result.pages == 4  # TBT pages 1-3 (totalCount says when to stop), SPS page 1
    assert {n.doc_type for n in notices.values()} == {"tbt", "sps"}
    assert notices["G/TBT/N/CHN/2064"].publisher_hs_codes[:2] == ["511130", "560290"]


def test_public_backend_stops_paging_when_a_page_is_older_than_the_window(recorded_sites, sqlite_db):
    database_url, _engine = sqlite_db
    result = crawl_source("wto_eping", database_url)  # 30 days: every recorded notification is older
    assert (result.status, result.pages) == ("ok", 2)  # the first page of each domain only


def test_joint_notification_is_one_notice_per_member_under_its_own_symbol(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    crawl_source("wto_eping", database_url, crawl_lookback_days=LONG_AGO)
    notices = stored_notices(engine)

    rwanda, tanzania = notices["G/TBT/N/RWA/1207"], notices["G/TBT/N/TZA/1349"]
    assert (rwanda.country, tanzania.country) == ("RW", "TZ")
    assert "G/TBT/N/BDI/608, G/TBT/N/KEN/1808" in rwanda.text  # every symbol kept


def test_items_with_missing_null_and_html_fields_are_read(recorded_sites, recordings, sqlite_db):
    page = recordings / "wto_eping" / "eping" / "notifications" / "search.json"
    body = json.loads(page.read_text(encoding="utf-8"))
    body["items"][0] = {
        "id": 99,
        "documentSymbol": " G/SPS/N/CHN/9999",
        "area": None,
        "notifyingMember": None,
        "notifyingMemberCode": "C156",
        "distributionDate": "2025-06-12T00:00:00+00:00",
        "commentDeadlineDate": None,
        "title": "<p style='x'>Maximum residue limits for <b>pesticides</b> &amp; veterinary drugs</p>",
        "titlePlain": None,
        "hsCodes": ["030617 - Frozen shrimps and prawns", {"id": 1, "code": None, "name": "0307 - Molluscs"}],
        "proposedEntryIntoForceDate": None,
        "proposedEntryIntoForceDateText": "1 January 2026",
        "unexpectedField": {"nested": [1, 2]},
    }
    page.write_text(json.dumps(body), encoding="utf-8")
    database_url, engine = sqlite_db

    result = crawl_source("wto_eping", database_url, eping_api_key="test-key")
    notice = stored_notices(engine)["G/SPS/N/CHN/9999"]
    assert result.status == "ok", result.problems
    assert (notice.doc_type, notice.country) == ("sps", "CN")
    assert notice.title == "Maximum residue limits for pesticides & veterinary drugs"
    assert notice.publisher_hs_codes == ["030617", "0307"]
    assert notice.effective_on == date(2026, 1, 1)  # from the text twin when the date is null


def test_addendum_is_linked_to_its_base_notification(recorded_sites, recordings, sqlite_db):
    # The recorded page has no base notification for its addenda; this test adds one
    # (built here, in the same shape) to the second page.
    page_two = recordings / "wto_eping" / "eping" / "notifications" / "search-page-2.json"
    body = json.loads(page_two.read_text(encoding="utf-8"))
    base = {**body["items"][1], "id": 1, "documentSymbol": " G/TBT/N/JPN/865", "titlePlain": "Base (test)"}
    body["items"].append(base)
    body["totalCount"] += 1
    page_two.write_text(json.dumps(body), encoding="utf-8")
    database_url, engine = sqlite_db

    crawl_source("wto_eping", database_url, eping_api_key="test-key")
    notices = stored_notices(engine)
    assert notices["G/TBT/N/JPN/865/Add.1"].revision_of == notices["G/TBT/N/JPN/865"].id


def test_key_goes_only_to_the_keyed_api_never_to_the_public_backend(
    recordings, quick_crawls, sqlite_db, monkeypatch
):
    database_url, _engine = sqlite_db
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        monkeypatch.setenv("BW_EPING_URL", base_urls["wto_eping"])
        monkeypatch.setenv("BW_EPING_PUBLIC_URL", base_urls["wto_eping"])
        crawl_source("wto_eping", database_url, eping_api_key="secret-key")
    keyed = [r for r in seen if r.path.startswith("/wto_eping/eping/")]
    assert keyed and all(r.headers.get("Ocp-Apim-Subscription-Key") == "secret-key" for r in keyed)
    assert not [r for r in seen if "azureSearch" in r.path]


def test_a_server_that_ignores_the_page_parameter_is_not_asked_for_every_page(
    recorded_sites, recordings, sqlite_db
):
    folder = recordings / "wto_eping"
    page = folder / "eping" / "notifications" / "search.json"
    body = json.loads(page.read_text(encoding="utf-8"))
    page.write_text(json.dumps({**body, "totalCount": 5000}), encoding="utf-8")
    (folder / "_routes.json").write_text(
        json.dumps([{"path": "/eping/notifications/search", "file": "eping/notifications/search.json"}])
    )
    database_url, _engine = sqlite_db
    result = crawl_source("wto_eping", database_url, eping_api_key="test-key")
    assert (result.status, result.pages, result.new) == ("ok", 2, 10)  # page 2 added nothing: the end
