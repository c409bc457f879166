"""The offline demo's crawl: bundled recordings, same code path, every source healthy; rerun adds nothing."""

from __future__ import annotations

from config import Settings
from crawler.offline import RECORDED_FEEDS, crawl_recordings
from crawler.sources import BUILT_IN
from tests.crawl_support import stored_notices


def test_bundled_recordings_crawl_cleanly_and_rerun_adds_nothing(quick_crawls, sqlite_db):
    database_url, engine = sqlite_db
    first = crawl_recordings(database_url, Settings())
    assert {r.slug: r.status for r in first} == dict.fromkeys([*BUILT_IN, *RECORDED_FEEDS], "ok")
    count = len(stored_notices(engine))
    assert count == sum(r.new for r in first) == 79

    again = crawl_recordings(database_url, Settings())
    assert sum(r.new + r.revised for r in again) == 0
    assert len(stored_notices(engine)) == count
