"""India's trade remedy cases, from the Directorate General of Trade Remedies (HTML).

Three lists, ``en/anti-dumping-investigation-in-india``,
``en/countervailing-duty-investigation`` and ``en/safe-guard-investigation-in-india``,
each showing about fifteen cases as links to ``/…-cases/<slug>`` pages, without
dates: a case is known by its slug. A case page is a table of events (S.No, event
such as "Initiation" or "Final Findings", date DD/MM/YYYY, a PDF); each event is one
notice, ``<slug>/<S.No>``, its stage read from the event's name. The case's title
("Anti-dumping investigation concerning imports of 'Solar Glass' originating in or
exported from China PR and Vietnam") gives the product and the subject countries.
The site expects a browser-like User-Agent.
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
from crawler.stages import stage_from_title
from crawler.tables import Row, table_rows
from crawler.trade_remedies import subject_countries

LISTS = {
    "/en/anti-dumping-investigation-in-india": "antidumping",
    "/en/countervailing-duty-investigation": "countervailing",
    "/en/safe-guard-investigation-in-india": "safeguard",
}
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 BarrierWatch"
}
_CASE_LINK = re.compile(r"/[a-z-]*-cases?/[^/?#]+/?$")
_PRODUCT = re.compile(r"imports? of\s+[\"'“‘]?(?P<product>.+?)[\"'”’]?\s+(?:originating|from|exported)", re.I)
_COUNTRIES = re.compile(
    r"(?:originating in|exported from)\s+(?:or exported from\s+)?(?P<countries>.+?)(?:\.|$|\s*\()", re.I
)
_COUNTRY_SPLIT = re.compile(r",\s*|\s+and\s+|\s*&\s*")
# Short forms the DGTR writes: "China PR", "Korea RP", "EU".
_DGTR_NAMES = {"china pr": "China", "korea rp": "South Korea", "korea": "South Korea", "eu": "European Union"}


class DgtrCasesSpider(NoticeSpider):
    name = "in_dgtr_cases"
    SITE = "https://www.dgtr.gov.in"

    async def start(self) -> AsyncIterator[Any]:
        for path, remedy in LISTS.items():
            yield self.get(
                self.site_url(path), self.parse, headers=BROWSER_HEADERS, cb_kwargs={"remedy": remedy}
            )

    def parse(self, response: Response, remedy: str, **kwargs: Any) -> Iterator[Any]:
        page = Selector(text=strict_text(response))
        links = _case_links(page)
        # The anti-dumping list always holds cases: empty, the layout changed. The other two
        # may really be empty (India opens few safeguard cases).
        expect(bool(links) or remedy != "antidumping", response, "a list of cases (links to …-cases/<slug>)")
        for href, title in links[: self.max_pages * 15]:
            yield self.get(
                self.site_url(self.link(response, href)),
                self.parse_case,
                headers={**BROWSER_HEADERS, "Referer": response.url},
                cb_kwargs={"remedy": remedy, "listed_title": title},
            )

    def parse_case(
        self, response: Response, remedy: str, listed_title: str, **kwargs: Any
    ) -> Iterator[NoticeItem]:
        page = Selector(text=strict_text(response))
        title = " ".join(" ".join(page.css("h1 ::text").getall()).split()) or listed_title
        events = [row for row in table_rows(page) if _event_name(row)]
        expect(bool(events), response, "a table of case events (S.No, event, date)")
        slug = urlsplit(response.url).path.rstrip("/").rsplit("/", 1)[-1]
        for number, event in enumerate(events, start=1):
            yield self._parse_event(slug, title, remedy, event, number, response)

    def _parse_event(
        self, slug: str, title: str, remedy: str, event: Row, number: int, response: Response
    ) -> NoticeItem:
        name = _event_name(event)
        serial = event.get("s.no", "s. no", "sl", "no") or str(number)
        pdf = event.link(r"(?i)\.pdf") or event.link()
        document = self.link(response, pdf) if pdf else self.real_url(response.url)
        return self.notice(
            id=f"{slug}/{serial}",
            doc_type=remedy,
            title=f"{title}: {name}",
            text=f"{title}\n{name}" + (f"\nDocument: {document}" if pdf else ""),
            url=document,
            published=source_date(event.get("date")) or _any_date(event),
            subject_countries=_parse_countries(title),
            case_product=_parse_product(title),
            case_stage=stage_from_title(name),
        )


EVENT_HEADERS = ("event", "particular", "description", "subject", "title", "notification", "document name")


def _event_name(row: Row) -> str:
    """The event a row records: its event column, else its longest cell that is no number,
    date or link text (the column's header word varies)."""
    named = row.get(*EVENT_HEADERS)
    if named:
        return named
    texts = [t for t in row.cells.values() if not re.fullmatch(r"[\d./\- ]*|view.*|download.*", t, re.I)]
    return max(texts, key=len, default="")


def _any_date(row: Row) -> str | None:
    return next((d for d in (source_date(t) for t in row.cells.values()) if d), None)


def _case_links(page: Selector) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for anchor in page.css("a[href]"):
        href = anchor.attrib["href"]
        if _CASE_LINK.search(urlsplit(href).path) and href not in [h for h, _ in links]:
            links.append((href, " ".join(" ".join(anchor.css("::text").getall()).split())))
    return links


def _parse_product(title: str) -> str | None:
    found = _PRODUCT.search(title)
    return found["product"].strip() if found else None


def _parse_countries(title: str) -> list[str]:
    found = _COUNTRIES.search(title)
    if not found:
        return []
    names = [_DGTR_NAMES.get(n.strip().lower(), n) for n in _COUNTRY_SPLIT.split(found["countries"])]
    return list(subject_countries(names))
