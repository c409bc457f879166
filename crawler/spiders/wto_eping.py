"""WTO TBT and SPS notifications from ePing.

Two ways in, same item fields (``../shared/SOURCES.md``):

- with ``BW_EPING_API_KEY``: the WTO API ``eping/notifications/search`` under
  the source's URL, the key in the ``Ocp-Apim-Subscription-Key`` header,
  filtered by distribution date;
- without a key: the public backend the ePing web site itself calls,
  ``api/v1/azureSearch/getAll`` under ``BW_EPING_PUBLIC_URL``, newest first,
  one query per domain (1 = TBT, 2 = SPS). It is reported to ignore some
  filters, so paging stops at the first page whose notifications are all
  older than the lookback window.

Items are read tolerantly: HTML fields fall back to their plain twins and
back, ``hsCodes`` may be objects or texts, any field may be missing or
``null``. A notice is keyed on its notifying member's own symbol (joint
notifications list several, comma-joined, sometimes with a leading space):
the same key the ePing workbook import uses, so a crawled notification and an
imported one are one notice, and addenda link to their base by symbol. The
ePing ``id`` is kept in the URL when no link is given.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pycountry
from scrapy.http import Response

from crawler.dates import source_date
from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, expect, read_json
from crawler.text import html_to_text
from hs.markets import UnknownCountry, alpha3, country_code

PAGE_SIZE = 50
PUBLIC_PAGE_SIZE = 20
KEY_HEADER = "Ocp-Apim-Subscription-Key"
SEARCH_PATH = "/eping/notifications/search"
PUBLIC_PATH = "/api/v1/azureSearch/getAll"
DOMAINS = {1: "tbt", 2: "sps"}
_SYMBOL = re.compile(r"G/(?:TBT|SPS)/N/([A-Z]{2,3})/[^\s,;]+", re.I)
_SYMBOL_SPLIT = re.compile(r"[,;\r\n]+")
_HS_LEADING = re.compile(r"^\s*(\d{2,10})\b")


class EPingSpider(NoticeSpider):
    name = "wto_eping"

    def read_settings(self, settings: Any) -> None:
        super().read_settings(settings)
        self.api_key = settings.get("BARRIERWATCH_EPING_API_KEY") or ""
        self.public_url = (settings.get("BARRIERWATCH_EPING_PUBLIC_URL") or "").rstrip("/")
        self.lookback_days = settings.getint("BARRIERWATCH_LOOKBACK_DAYS")
        self.since = (date.today() - timedelta(days=self.lookback_days)).isoformat()
        # Items already read in this crawl: a page that adds none ends the paging (a server
        # that ignores the page parameter would otherwise be asked for every page).
        self.seen: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        if self.api_key:
            yield self.search_request(1)
            return
        if not self.public_url:
            self.report("neither BW_EPING_API_KEY nor BW_EPING_PUBLIC_URL is set: ePing cannot be read")
            return
        self.logger.info("source %s: no API key, reading the public ePing backend", self.source.slug)
        for domain in DOMAINS:
            yield self.public_request(domain, 1)

    def search_request(self, page: int, seen: int = 0) -> Any:
        query = {"language": 1, "distributionDateFrom": self.since, "page": page, "pageSize": PAGE_SIZE}
        url = self.site_url(SEARCH_PATH + "?" + urlencode(query))
        return self.get(
            url, self.parse, headers={KEY_HEADER: self.api_key}, cb_kwargs={"page": page, "seen": seen}
        )

    def public_request(self, domain: int, page: int, seen: int = 0) -> Any:
        query = {
            "language": 1,
            "domainIds": domain,
            "freeText": "",
            "distributionDateFrom": self.since,
            "sortBy": "distributionDate",
            "sortDirection": "desc",
            "page": page,
            "pageSize": PUBLIC_PAGE_SIZE,
        }
        return self.get(
            f"{self.public_url}{PUBLIC_PATH}?{urlencode(query)}",
            self.parse_public,
            headers={"Accept": "application/json"},
            cb_kwargs={"domain": domain, "page": page, "seen": seen},
        )

    def parse(self, response: Response, page: int = 1, seen: int = 0, **kwargs: Any) -> Iterator[Any]:
        items, total = _envelope(response)
        fresh = self._notices(items, response)
        yield from fresh
        seen += len(items)
        if fresh and page < self.max_pages and (total is None or seen < total):
            yield self.search_request(page + 1, seen)

    def parse_public(
        self, response: Response, domain: int, page: int, seen: int = 0, **kwargs: Any
    ) -> Iterator[Any]:
        items, total = _envelope(response)
        fresh = self._notices(items, response)
        yield from fresh
        seen += len(items)
        dates = [
            d for d in (source_date(i.get("distributionDate")) for i in items if isinstance(i, dict)) if d
        ]
        all_old = bool(dates) and max(dates) < self.since
        if fresh and (total is None or seen < total) and not all_old and page < self.max_pages:
            yield self.public_request(domain, page + 1, seen)

    def _notices(self, items: list[Any], response: Response) -> list[NoticeItem]:
        """Notices of the items not read before in this crawl."""
        notices = []
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                self.report(f"{response.url}: item {number} is {type(item).__name__}, expected an object")
                continue
            key = str(item.get("id") if item.get("id") is not None else item.get("documentSymbol"))
            if key in self.seen:
                continue
            self.seen.add(key)
            notices.append(self._parse_notification(item))
        return notices

    def _parse_notification(self, item: dict[str, Any]) -> NoticeItem:
        symbols = _parse_symbols(item.get("documentSymbol"))
        country = _parse_member(item, symbols)
        symbol = _own_symbol(symbols, country)
        return self.notice(
            id=symbol or (f"eping-{item['id']}" if item.get("id") is not None else None),
            doc_type=_parse_area(item, symbol),
            country=country or item.get("notifyingMember"),
            title=_parse_title(item) or symbol,
            text=_parse_text(item, symbols),
            url=_parse_url(item, symbol),
            published=source_date(item.get("distributionDate")),
            comment_deadline=source_date(item.get("commentDeadlineDate")),
            effective_on=source_date(item.get("proposedEntryIntoForceDate"))
            or source_date(item.get("proposedEntryIntoForceDateText")),
            hs_codes=_parse_hs_codes(item.get("hsCodes")),
        )


def _envelope(response: Response) -> tuple[list[Any], int | None]:
    found = read_json(response)
    if isinstance(found, list):  # a bare array: no paging information
        return found, None
    expect(isinstance(found, dict), response, "an ePing search result (an object with an items list)")
    items = found.get("items")
    if items is None:
        items = found.get("results") or found.get("value") or []
    expect(isinstance(items, list), response, "an items list in the ePing search result")
    total = found.get("totalCount")
    return items, int(total) if isinstance(total, int | str) and str(total).isdigit() else None


def _plain(item: dict[str, Any], field: str) -> str:
    """A field's plain twin, else the HTML field reduced to text (either may be missing)."""
    plain = item.get(f"{field}Plain")
    if isinstance(plain, str) and plain.strip():
        return html_to_text(plain)  # plain twins have been seen carrying markup too
    value = item.get(field)
    return html_to_text(value) if isinstance(value, str) else ""


def _parse_symbols(raw: Any) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    symbols: list[str] = []
    for value in values:
        for part in _SYMBOL_SPLIT.split(str(value or "")):
            part = " ".join(part.split())
            if part and part not in symbols:
                symbols.append(part)
    return symbols


def _parse_member(item: dict[str, Any], symbols: list[str]) -> str | None:
    """Alpha-2 code of the notifying member: its name, else its ePing code
    (``C`` + ISO numeric, ``U918`` the EU), else the first symbol's member."""
    for candidate in (item.get("notifyingMember"), _member_code(item.get("notifyingMemberCode"))):
        if isinstance(candidate, str) and candidate.strip():
            try:
                return country_code(candidate)
            except UnknownCountry:
                continue
    for symbol in symbols:
        found = _SYMBOL.match(symbol)
        if found:
            return "EU" if found[1].upper() in ("EU", "EEC") else _alpha3_country(found[1])
    return None


def _member_code(code: Any) -> str | None:
    text = str(code or "").strip().upper()
    if text == "U918":
        return "EU"
    if text.startswith("C") and text[1:].isdigit():
        country = pycountry.countries.get(numeric=text[1:].zfill(3))
        return country.alpha_2 if country else None
    return None


def _alpha3_country(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code.upper())
    return country.alpha_2 if country else None


def _own_symbol(symbols: list[str], country: str | None) -> str | None:
    """The member's own symbol of a joint notification (G/TBT/N/KEN/… for Kenya), else the first."""
    own = alpha3(country) if country else None
    for symbol in symbols:
        found = _SYMBOL.match(symbol)
        if found and (found[1].upper() == own or (country == "EU" and found[1].upper() == "EU")):
            return symbol
    return symbols[0] if symbols else None


def _parse_area(item: dict[str, Any], symbol: str | None) -> str | None:
    area = str(item.get("area") or "").strip().lower()
    if area in ("tbt", "sps"):
        return area
    if symbol and "/SPS/" in symbol.upper():
        return "sps"
    if symbol and "/TBT/" in symbol.upper():
        return "tbt"
    domain = item.get("domainId")
    return DOMAINS.get(domain) if isinstance(domain, int) else area or None


def _parse_title(item: dict[str, Any]) -> str:
    return _plain(item, "title") or _plain(item, "description")[:300]


def _parse_text(item: dict[str, Any], symbols: list[str]) -> str:
    parts = (
        ("Products covered", _plain(item, "productsFreeText")),
        ("Description", _plain(item, "description")),
        ("Notification type", _name(item.get("notificationType"))),
        ("Objectives", _names(item.get("objectives"))),
        ("Keywords", _names(item.get("keywords")) or _names(item.get("spsKeywords"))),
        ("Symbols", ", ".join(symbols) if len(symbols) > 1 else ""),
        ("Notified document", _links(item.get("notifiedDocumentLink"))),
    )
    return "\n".join(f"{label}: {value}" for label, value in parts if value)


def _name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("text")
    return html_to_text(value) if isinstance(value, str) else ""


def _names(values: Any) -> str:
    if isinstance(values, str):
        return html_to_text(values)
    if not isinstance(values, list):
        return ""
    return "; ".join(n for n in (_name(v) for v in values) if n)


def _links(raw: Any) -> str:
    values = raw if isinstance(raw, list) else [raw]
    links = [p.strip() for v in values for p in re.split(r"[\s,]+", str(v or "")) if p.startswith("http")]
    return " ".join(dict.fromkeys(links))


def _parse_url(item: dict[str, Any], symbol: str | None) -> str | None:
    for field in ("linkToNotification", "dolLink"):
        link = str(item.get(field) or "").strip()
        if link.startswith(("http://", "https://")):
            return link
    if symbol:
        return f"https://epingalert.org/en/Search?viewData={symbol}"
    return f"https://epingalert.org/en/Search?viewData={item['id']}" if item.get("id") is not None else None


def _parse_hs_codes(raw: Any) -> list[str]:
    """Codes from ``[{id, code, name}]``, from texts (``"030617 - Frozen shrimps"``) or a
    ``;``-joined text; whatever holds no leading digits is left out."""
    values = raw if isinstance(raw, list) else str(raw or "").split(";")
    codes: list[str] = []
    for value in values:
        text = str((value.get("code") or value.get("name") or "") if isinstance(value, dict) else value or "")
        found = _HS_LEADING.match(text.replace(".", ""))
        if found and found[1] not in codes:
            codes.append(found[1])
    return codes
