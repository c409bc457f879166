"""What spiders yield: raw notice fields, validated later by the pipelines."""

from __future__ import annotations

import scrapy


class NoticeItem(scrapy.Item):
    """A notice as a spider read it; the field names are those of
    :func:`crawler.records.notice_record` (the JSONL fields of DESIGN.md)."""

    id = scrapy.Field()
    source = scrapy.Field()
    doc_type = scrapy.Field()
    country = scrapy.Field()
    title = scrapy.Field()
    text = scrapy.Field()
    url = scrapy.Field()
    published = scrapy.Field()
    comment_deadline = scrapy.Field()
    effective_on = scrapy.Field()
    subject_countries = scrapy.Field()
    case_numbers = scrapy.Field()
    hs_codes = scrapy.Field()
    case_product = scrapy.Field()
    case_stage = scrapy.Field()
