"""Dangerous non-food products notified in the EU, from Safety Gate's weekly reports (XML, no key).

The list ``safety-gate-alerts/api/download/weeklyReport/list/xml/en`` gives each
report's reference, publication date (DD/MM/YYYY) and the URL of its detail XML;
each detail holds the report's notifications (``caseNumber``, ``category``,
``product``, ``brand``, ``name``, ``type_numberOfModel``, ``riskType``, ``danger``,
``measures``, ``description``, ``notifyingCountry``, ``countryOfOrigin``, ``level``).
A notification is one notice: the notifying member state is its country (an EU
market), the country of origin its subject, the product category a word for
tagging. Reports never change once published: the reference of the newest one
read is kept as the source's ETag, and a crawl fetches only newer reports.
Reuse requires acknowledging the source: each notice's text says "Source: Safety Gate".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from parsel import Selector
from scrapy.http import Response

from crawler.dates import source_date
from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, SourceFormatError, expect, strict_text
from crawler.trade_remedies import subject_countries
from hs.markets import UnknownCountry, country_code

LIST_PATH = "/safety-gate-alerts/api/download/weeklyReport/list/xml/en"
NEWEST_PREFIX = "report="
DETAIL_FIELDS = (
    ("category", "Category"),
    ("product", "Product"),
    ("brand", "Brand"),
    ("name", "Name"),
    ("type_numberOfModel", "Type / number of model"),
    ("riskType", "Risk type"),
    ("danger", "Danger"),
    ("measures", "Measures"),
    ("description", "Description"),
    ("level", "Level"),
)


class SafetyGateSpider(NoticeSpider):
    name = "eu_safety_gate"
    SITE = "https://ec.europa.eu"

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(self.site_url(LIST_PATH), self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        reports = _parse_reports(_xml(response))
        expect(bool(reports), response, "a list of weekly reports (weeklyReport with reference and URL)")
        reports.sort(key=lambda r: (r[1] or "", r[0]), reverse=True)
        newest_read = (self.source.etag or "").removeprefix(NEWEST_PREFIX)
        self.validators["etag"] = NEWEST_PREFIX + reports[0][0]
        for reference, published, url in reports[: self.max_pages]:
            if reference == newest_read:
                break  # this one and the older ones were read by an earlier crawl
            yield self.get(self.site_url(url), self.parse_report, cb_kwargs={"published": published})

    def parse_report(self, response: Response, published: str | None, **kwargs: Any) -> Iterator[NoticeItem]:
        page = _xml(response)
        notifications = page.xpath("//*[caseNumber]")
        expect(bool(notifications) or bool(page.xpath("//notifications")), response, "notifications")
        for notification in notifications:
            yield self._parse_notification(notification, published, response.url)

    def _parse_notification(self, node: Selector, published: str | None, url: str) -> NoticeItem:
        field = {name: _child(node, name) for name, _label in DETAIL_FIELDS}
        origin = _child(node, "countryOfOrigin")
        return self.notice(
            id=_child(node, "caseNumber"),
            country=_member_state(_child(node, "notifyingCountry")),
            title=_parse_title(field),
            text=_parse_text(field, origin, _child(node, "notifyingCountry")),
            url=url,
            published=published or source_date(_child(node, "publicationDate")),
            subject_countries=list(subject_countries([origin])) if origin else [],
        )


def _xml(response: Response) -> Selector:
    try:
        page = Selector(text=strict_text(response), type="xml")
    except ValueError as exc:
        raise SourceFormatError(f"{response.url}: malformed XML: {exc}") from None
    page.remove_namespaces()  # a namespaced report reads the same
    return page


def _parse_reports(page: Selector) -> list[tuple[str, str | None, str]]:
    reports = []
    for report in page.xpath("//weeklyReport"):
        url = _child(report, "URL") or _child(report, "url")
        reference = _child(report, "reference") or url
        if url:
            reports.append((reference, source_date(_child(report, "publicationDate")), url))
    return reports


def _child(node: Selector, name: str) -> str:
    return " ".join(" ".join(node.xpath(f"./{name}//text()").getall()).split())


def _member_state(name: str) -> str:
    """The notifying country's code; the EU when it is missing or unknown (a Safety Gate
    alert always concerns the EU market)."""
    try:
        return country_code(name) if name else "EU"
    except UnknownCountry:
        return "EU"


def _parse_title(field: dict[str, str]) -> str:
    product = " ".join(p for p in (field["product"], field["brand"], field["name"]) if p) or "Product"
    risk = f" ({field['riskType']})" if field["riskType"] else ""
    category = f"{field['category']}: " if field["category"] else ""
    return f"{category}{product}{risk}"


def _parse_text(field: dict[str, str], origin: str, notifying: str) -> str:
    lines = [f"{label}: {field[name]}" for name, label in DETAIL_FIELDS if field[name]]
    lines += [
        f"Country of origin: {origin}" if origin else "",
        f"Notified by: {notifying}" if notifying else "",
    ]
    lines.append("Source: Safety Gate, the EU rapid alert system for dangerous non-food products")
    return "\n".join(line for line in lines if line)
