"""US consumer product recalls from the CPSC Recall Retrieval web service (JSON, no key).

Recalls published in the lookback window; the countries of manufacture
become subject countries, so an exporter hears of recalls of goods made
where it makes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, expect, read_json
from crawler.trade_remedies import subject_countries


class CpscRecallsSpider(NoticeSpider):
    name = "us_cpsc_recalls"

    def read_settings(self, settings: Any) -> None:
        super().read_settings(settings)
        self.lookback_days = settings.getint("BARRIERWATCH_LOOKBACK_DAYS")

    async def start(self) -> AsyncIterator[Any]:
        since = date.today() - timedelta(days=self.lookback_days)
        query = urlencode({"format": "json", "RecallDateStart": since.isoformat()})
        yield self.get(self.site_url(f"/RestWebServices/Recall?{query}"), self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        recalls = read_json(response)
        expect(isinstance(recalls, list), response, "a JSON array of recalls")
        for recall in recalls:
            yield self._parse_recall(recall)

    def _parse_recall(self, recall: dict[str, Any]) -> NoticeItem:
        made_in = [c.get("Country", "") for c in recall.get("ManufacturerCountries") or []]
        return self.notice(
            id=str(recall.get("RecallNumber") or recall.get("RecallID") or ""),
            title=recall.get("Title"),
            text=_parse_text(recall),
            url=recall.get("URL"),
            published=recall.get("RecallDate"),
            subject_countries=list(subject_countries(made_in)),
        )


def _parse_text(recall: dict[str, Any]) -> str:
    products = "; ".join(
        f"{p.get('Name')} ({p.get('Type')}), {p.get('NumberOfUnits')}" for p in recall.get("Products") or []
    )
    hazards = " ".join(h.get("Name", "") for h in recall.get("Hazards") or [])
    parts = (
        recall.get("Description"),
        f"Products: {products}" if products else "",
        f"Hazard: {hazards}" if hazards else "",
    )
    return "\n".join(p for p in parts if p)
