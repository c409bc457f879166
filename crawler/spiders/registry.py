"""Spider classes by kind: ``feed`` and one per built-in source slug."""

from __future__ import annotations

from crawler.spiders.base import NoticeSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.us_federalregister_adcvd import FederalRegisterADCVDSpider

SPIDERS: dict[str, type[NoticeSpider]] = {
    spider.name: spider
    for spider in (
        FeedSpider,
        FederalRegisterADCVDSpider,
    )
}
