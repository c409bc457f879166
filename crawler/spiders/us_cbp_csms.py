"""US Customs and Border Protection's CSMS messages about AD/CVD, from their RSS feed.

CBP's Cargo Systems Messaging Service is published through GovDelivery as RSS
(``accounts/USDHSCBP/widgets/USDHSCBP_WIDGET_2.rss``). Only the messages about
anti-dumping and countervailing duties are kept (instructions on deposits,
liquidation, scope and circumvention rulings); Commerce case numbers in them
(A-570-…, C-570-…) link them to their cases, and the case numbers' country
codes give the subject countries when the text names none.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.spiders.feed import FeedSpider
from crawler.stages import stage_from_title
from crawler.trade_remedies import case_numbers, commerce_country, remedy_type

FEED_PATH = "/accounts/USDHSCBP/widgets/USDHSCBP_WIDGET_2.rss"
_ADCVD = re.compile(r"\bAD/?CVD\b|anti-?dumping|countervailing|\bADD\b|\bCVD\b", re.I)


class CsmsSpider(FeedSpider):
    name = "us_cbp_csms"
    SITE = "https://content.govdelivery.com"

    def feed_url(self) -> str:
        return self.site_url(FEED_PATH)

    def extract(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        title, text = str(fields.get("title") or ""), str(fields.get("text") or "")
        numbers = case_numbers([title, text])
        if not _ADCVD.search(title) and not numbers:
            self.logger.debug("not an AD/CVD message: %s", title)
            return None
        countries = [c for c in (commerce_country(n) for n in numbers) if c]
        fields.update(
            doc_type=remedy_type(numbers, f"{title} {text}"),
            case_numbers=numbers,
            subject_countries=list(dict.fromkeys(countries)),
            case_stage=stage_from_title(title, text) if numbers else None,
        )
        return fields
