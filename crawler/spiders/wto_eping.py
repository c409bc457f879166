"""WTO TBT and SPS notifications from the ePing API (``/eping/notifications/search``).

Needs a WTO API subscription key (``BW_EPING_API_KEY``); without one the
crawl skips this source with that message. Addenda, revisions and
corrigenda keep their own symbols (G/TBT/N/USA/1234/Add.1); the store links
each to the notification it follows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, expect, read_json

PAGE_SIZE = 50
KEY_HEADER = "Ocp-Apim-Subscription-Key"


class EPingSpider(NoticeSpider):
    name = "wto_eping"

    def read_settings(self, settings: Any) -> None:
        super().read_settings(settings)
        self.api_key = settings.get("BARRIERWATCH_EPING_API_KEY") or ""
        self.lookback_days = settings.getint("BARRIERWATCH_LOOKBACK_DAYS")

    async def start(self) -> AsyncIterator[Any]:
        if not self.api_key:
            self.report("BW_EPING_API_KEY is not set: the ePing API needs a WTO subscription key")
            return
        yield self.page_request(1)

    def page_request(self, page: int) -> Any:
        since = date.today() - timedelta(days=self.lookback_days)
        query = {
            "language": 1,
            "distributionDateFrom": since.isoformat(),
            "page": page,
            "pageSize": PAGE_SIZE,
        }
        url = self.site_url("/eping/notifications/search?" + urlencode(query))
        return self.get(url, self.parse, headers={KEY_HEADER: self.api_key}, cb_kwargs={"page": page})

    def parse(self, response: Response, page: int = 1, **kwargs: Any) -> Iterator[Any]:
        found = read_json(response)
        expect(
            isinstance(found, dict) and isinstance(found.get("items"), list),
            response,
            "a notifications/search result with an items list",
        )
        for notification in found["items"]:
            yield self._parse_notification(notification)
        total = int(found.get("totalCount") or 0)
        if page * int(found.get("pageSize") or PAGE_SIZE) < total and page < self.max_pages:
            yield self.page_request(page + 1)

    def _parse_notification(self, notification: dict[str, Any]) -> NoticeItem:
        symbol = str(notification.get("documentSymbol") or "").strip()
        return self.notice(
            id=symbol,
            doc_type=str(notification.get("area") or "").lower(),
            country=notification.get("notifyingMember"),
            title=notification.get("titlePlain"),
            text=_parse_text(notification),
            url=f"https://www.epingalert.org/en/Search?viewData={symbol}",
            published=notification.get("distributionDate"),
            comment_deadline=notification.get("commentDeadlineDate"),
            hs_codes=[str(h.get("code")) for h in notification.get("hsCodes") or [] if h.get("code")],
        )


def _parse_text(notification: dict[str, Any]) -> str:
    parts = (
        ("Products covered", notification.get("productsFreeText")),
        ("Description", notification.get("descriptionPlain")),
        ("Notification type", notification.get("notificationType")),
    )
    return "\n".join(f"{label}: {value}" for label, value in parts if value)
