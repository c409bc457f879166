"""Offline crawling of the bundled recordings, for ``barrierwatch demo``.

The recordings (tests/files: real responses and documented-shape fixtures, see
each folder's PROVENANCE.md) are served on 127.0.0.1 and crawled by the same
code path as the real sites: only the base URLs differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from config import PROJECT_ROOT, Settings
from crawler.crawl import SourceResult, crawl
from crawler.recordings import serve_recordings
from crawler.sources import FEED, SourceSpec, built_in_sources

RECORDINGS = PROJECT_ROOT / "tests" / "files"
# The recorded feeds that read cleanly (the broken one is for the tests), as sources.toml would declare them.
RECORDED_FEEDS = {
    "us_fr_adcvd_rss": ("US", "antidumping"),
    "us_itc_notices_atom": ("US", "countervailing"),
    "cn_remedy_alerts_gb2312": ("CN", "antidumping"),
    "eu_sps_fr_latin1": ("EU", "sps"),
}


def recorded_sources(base_urls: Mapping[str, str], settings: Settings) -> list[SourceSpec]:
    """Every built-in source and recorded feed, pointed at ``base_urls`` (from :func:`serve_recordings`)."""
    feeds = [
        SourceSpec(slug, FEED, f"{base_urls['feeds']}/{slug}/feed.xml", country, doc_type)
        for slug, (country, doc_type) in RECORDED_FEEDS.items()
    ]
    return built_in_sources(settings, base_urls) + feeds


def crawl_recordings(
    database_url: str,
    settings: Settings,
    root: Path = RECORDINGS,
    overrides: Mapping[str, Any] | None = None,
    log_to: TextIO | None = None,
) -> list[SourceResult]:
    """Serve ``root`` on 127.0.0.1 and crawl every recorded source into ``database_url``.

    No politeness delay (the server is our own); one result per source.
    """
    with serve_recordings(root) as base_urls:
        # Without a key ePing is read from its public backend, recorded in the same folder.
        local = settings.model_copy(update={"eping_public_url": base_urls["wto_eping"], "crawl_delay": 0.0})
        return crawl(database_url, recorded_sources(base_urls, local), local, overrides, log_to)
