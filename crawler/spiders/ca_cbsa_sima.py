"""Canada's anti-dumping and countervailing measures in force, from the CBSA (HTML).

``sima-lmsi/mif-mev/menu-eng.html`` is a table of the measures in force under the
Special Import Measures Act: product (a link to the measure's page), countries,
the kind of measure (dumping, subsidizing or both), the CITT finding or order and
its date, and the expiry date. Each measure is one notice with stage ``order``,
keyed on its page's address (else its product and countries); a changed row
(a new expiry after a review, say) is stored as a revision.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Response

from crawler.dates import source_date
from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, expect, strict_text
from crawler.tables import Row, table_rows
from crawler.trade_remedies import subject_countries

LIST_PATH = "/sima-lmsi/mif-mev/menu-eng.html"
_COUNTRY_SPLIT = re.compile(r",\s*|\s+and\s+|;\s*|\s*<br>\s*")


class CbsaMeasuresSpider(NoticeSpider):
    name = "ca_cbsa_sima"
    SITE = "https://www.cbsa-asfc.gc.ca"

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(self.site_url(LIST_PATH), self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        rows = [r for r in table_rows(Selector(text=strict_text(response))) if r.get("product", "goods")]
        expect(bool(rows), response, "a table of measures in force with a product column")
        for row in rows:
            yield self._parse_measure(row, response)

    def _parse_measure(self, row: Row, response: Response) -> NoticeItem:
        product = row.get("product", "goods")
        countries = row.get("countr", "origin")
        kind = row.get("measure", "type", "dumping")
        page = row.link(r"mif-mev|\.html")
        url = self.link(response, page) if page else self.real_url(response.url)
        key = (
            urlsplit(page).path.rsplit("/", 1)[-1].removesuffix(".html") if page else f"{product}|{countries}"
        )
        lines = [
            f"Measure in force: {product}",
            f"Countries: {countries}" if countries else "",
            f"Measure: {kind}" if kind else "",
            *(
                f"{header.capitalize()}: {text}"
                for header, text in row.cells.items()
                if "date" in header and text
            ),
        ]
        return self.notice(
            id=f"cbsa-{key}"[:200],
            doc_type="countervailing"
            if "subsid" in kind.lower() and "dump" not in kind.lower()
            else "antidumping",
            title=f"{product} from {countries}: measure in force"
            if countries
            else f"{product}: measure in force",
            text="\n".join(line for line in lines if line),
            url=url,
            published=source_date(row.get("order", "finding", "decision", "date")),
            subject_countries=list(subject_countries(_COUNTRY_SPLIT.split(countries))) if countries else [],
            case_product=product,
            case_stage="order",
        )
