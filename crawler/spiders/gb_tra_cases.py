"""UK trade remedies cases, from the Trade Remedies Authority's public case list (HTML).

``public/cases/`` is a table of cases: case number (AD0086 anti-dumping, AS…
anti-subsidy, SG… safeguard, TD/TS… transition reviews), product, country, case
type, initiation date and last update. Each case is one notice keyed on its
number; a change of status or of the last update is stored as a revision of it.
The case's public file (``public-file.trade-remedies.service.gov.uk/case/<number>/``)
is the notice's link.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from parsel import Selector
from scrapy.http import Response

from crawler.dates import source_date
from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, expect, strict_text
from crawler.stages import stage_from_title
from crawler.tables import Row, table_rows
from crawler.trade_remedies import subject_countries

LIST_PATH = "/public/cases/"
PUBLIC_FILE = "https://public-file.trade-remedies.service.gov.uk/case/{number}/"
_CASE_NUMBER = re.compile(r"\b([A-Z]{2}\d{4})\b")
_REMEDIES = {
    "AD": "antidumping",
    "AS": "countervailing",
    "CV": "countervailing",
    "SG": "safeguard",
    "SF": "safeguard",
}


class TradeRemediesAuthoritySpider(NoticeSpider):
    name = "gb_tra_cases"
    SITE = "https://www.trade-remedies.service.gov.uk"

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(self.site_url(LIST_PATH), self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        page = Selector(text=strict_text(response))
        rows = [r for r in table_rows(page) if _number(r)] or _linked_cases(page)
        expect(bool(rows), response, "a list of cases with case numbers such as AD0086")
        for row in rows:
            yield self._parse_case(row)

    def _parse_case(self, row: Row) -> NoticeItem:
        number = _number(row)
        product = row.get("product", "name", "title") or number
        kind = row.get("type")
        status = row.get("status", "stage")
        updated = row.get("updated", "last")
        countries = row.get("countr")
        lines = [
            f"Case {number}: {product}",
            f"Country: {countries}" if countries else "",
            f"Case type: {kind}" if kind else "",
            f"Initiated: {row.get('initiat', 'opened')}" if row.get("initiat", "opened") else "",
            f"Status: {status}" if status else "",
            f"Last updated: {updated}" if updated else "",
        ]
        return self.notice(
            id=number,
            doc_type=_remedy(number, kind),
            title=f"{product} ({number}): {kind or 'trade remedies case'}",
            text="\n".join(line for line in lines if line),
            url=PUBLIC_FILE.format(number=number.lower()),
            published=source_date(updated) or source_date(row.get("initiat", "opened", "date")),
            case_numbers=[number],
            subject_countries=list(subject_countries(re.split(r",\s*|\s+and\s+", countries)))
            if countries
            else [],
            case_product=product,
            case_stage=stage_from_title(f"{kind} {status}"),
        )


def _linked_cases(page: Selector) -> list[Row]:
    """Cases listed as links rather than table rows (``<a href="…/case/AD0086/">``): the
    link's text is the product, the text around it the rest."""
    rows = []
    for anchor in page.css("a[href]"):
        found = _CASE_NUMBER.search(anchor.attrib["href"].upper())
        if not found:
            continue
        item = anchor.xpath("ancestor::*[self::li or self::div or self::tr][1]")
        context = " ".join(" ".join((item or anchor).css("::text").getall()).split())
        name = " ".join(" ".join(anchor.css("::text").getall()).split())
        product = name if name.upper() != found.group(1) else context.replace(found.group(1), "").strip(" -:")
        rows.append(Row({"case": found.group(1), "product": product, "details": context}))
    return rows


def _number(row: Row) -> str:
    found = _CASE_NUMBER.search(row.get("case", "number", "reference") or " ".join(row.cells.values()))
    return found.group(1) if found else ""


def _remedy(number: str, kind: str) -> str:
    lowered = kind.lower()
    if "subsid" in lowered or "countervail" in lowered:
        return "countervailing"
    if "safeguard" in lowered:
        return "safeguard"
    return _REMEDIES.get(number[:2], "antidumping")
