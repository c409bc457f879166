"""EU trade defence notices of the Official Journal C series, from the EUR-Lex RSS feed.

``EN/display-feed.rss?rssId=221`` lists what the OJ C series publishes; notices of
initiation of anti-dumping and anti-subsidy proceedings, of expiry and interim
reviews and of impending expiry appear there (duty regulations go to the L series,
``rssId=222``, and reach BarrierWatch through TRON). Other entries are not trade
defence and are left out. From a title such as "Notice of initiation of an
anti-dumping proceeding concerning imports of certain steel wheels originating in
the People's Republic of China and Viet Nam" come the product, the subject
countries, the remedy and the stage; CN codes in the EU form (``ex 6115 95 00``,
TARIC codes) are read from the entry's text.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.spiders.feed import FeedSpider
from crawler.stages import stage_from_title
from crawler.trade_remedies import subject_countries
from hs.codes import find_codes

FEED_PATH = "/EN/display-feed.rss?rssId=221"
_TRADE_DEFENCE = re.compile(
    r"anti-?dumping|anti-?subsidy|countervailing|safeguard|circumvention|expiry review|impending expiry",
    re.I,
)
_PRODUCT = re.compile(
    r"(?:imports|importation)\s+of\s+(?:certain\s+)?(?P<product>.+?)\s+"
    r"(?:originating|consigned|exported|from)\s+(?:in|from)?\s*(?P<countries>.+?)"
    r"(?:\s*[,;(]|\s+(?:following|pursuant|and\s+(?:of|on|terminating|repealing))\b|$)",
    re.I,
)
_COUNTRY_SPLIT = re.compile(r",\s*|\s+and\s+")


class OfficialJournalSpider(FeedSpider):
    name = "eu_oj_trade_defence"
    SITE = "https://eur-lex.europa.eu"

    def feed_url(self) -> str:
        return self.site_url(FEED_PATH)

    def extract(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        title = str(fields.get("title") or "")
        if not _TRADE_DEFENCE.search(title):
            self.logger.debug("not a trade defence notice: %s", title)
            return None
        text = str(fields.get("text") or "")
        found = _PRODUCT.search(title) or _PRODUCT.search(text)
        fields.update(
            doc_type=_parse_remedy(title),
            case_stage=stage_from_title(title),
            hs_codes=find_codes(f"{title}\n{text}"),
        )
        if found:
            fields["case_product"] = found["product"].strip()
            fields["subject_countries"] = list(subject_countries(_COUNTRY_SPLIT.split(found["countries"])))
        return fields


def _parse_remedy(title: str) -> str:
    lowered = title.lower()
    if "safeguard" in lowered:
        return "safeguard"
    if ("subsidy" in lowered or "countervailing" in lowered) and "dumping" not in lowered:
        return "countervailing"
    return "antidumping"
